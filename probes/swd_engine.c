/* Generic SWD bit engine (ADIv5.2 B4). Logical requests become raw packets
 * (posted AP reads resolved with RDBUFF, B4.2.2), packed into one bit
 * stream per round trip.
 *
 * Staying in sync inside a packed batch: the ACK of packet k is only known
 * after the whole batch has been clocked. With CTRL/STAT.ORUNDETECT set the
 * target still consumes a data phase after WAIT/FAULT and FAULTs every later
 * packet (STICKYORUN, B4.2.5), so the stream stays aligned; we clear with
 * ABORT and re-issue from packet k (a WAITed packet had no effect). Until
 * the engine has seen ORUNDETECT written, it sends one packet per round trip
 * so a WAIT can never desynchronise the line. A missing ACK or a protocol
 * error is recovered by line reset + DPIDR read + SELECT restore. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "probes/swd_engine.h"
#include "sw/types.h"

/* WAIT policy by time, as OpenOCD's bit-bang driver (bitbang.c
 * SWD_WAIT_TIMEOUT, reference/perf.md §1.3): 20 immediate retries, then one
 * every 1 ms, and after 500 ms of WAIT on one packet the AP transaction is
 * cancelled with ABORT.DAPABORT (ADIv5.2 B2.2.1) and the caller gets an
 * error that says so. Counting retries instead would give up after a few
 * ms on a fast probe and after seconds on a slow one. */
#define WAIT_FAST_RETRIES 20
#define WAIT_BACKOFF_NS 1000000ull
#define WAIT_TIMEOUT_NS 500000000ull
#define PKT_BITS 46         /* 8 request + 1 trn + 3 ack + 33 data + 1 trn */
#define LINE_RESET_BITS 64

struct raw {
	uint8_t req;
	int32_t owner; /* logical request this packet belongs to, -1 if added */
	int32_t dest;  /* logical request that receives this packet's read data, -1 none */
	uint32_t data;
};

struct sw_swd_engine {
	struct sw_ctx *ctx;
	struct sw_swd_backend be;
	struct sw_probe_stats *stats;
	unsigned idle_after_ap, idle_tail;
	bool orun;           /* ORUNDETECT known set */
	bool select_known;
	bool need_resync; /* the last line reset got no answer: try again first */
	uint32_t select;
	struct raw *raws;
	size_t raws_cap;
	uint8_t *dir, *out, *in;
	size_t buf_bits;
};

int sw_swd_engine_new(struct sw_ctx *ctx, const struct sw_swd_backend *be, struct sw_probe_stats *stats,
		      struct sw_swd_engine **out)
{
	struct sw_swd_engine *e = calloc(1, sizeof(*e));

	*out = NULL;
	if (!e)
		return sw_fail(ctx, SW_ERR_NOMEM, "swd: out of memory");
	e->ctx = ctx;
	e->be = *be;
	e->stats = stats;
	e->idle_tail = 8;
	e->buf_bits = be->max_bits ? be->max_bits : 4096;
	e->dir = calloc(1, e->buf_bits / 8 + 1);
	e->out = calloc(1, e->buf_bits / 8 + 1);
	e->in = calloc(1, e->buf_bits / 8 + 1);
	if (!e->dir || !e->out || !e->in) {
		sw_swd_engine_free(e);
		return sw_fail(ctx, SW_ERR_NOMEM, "swd: out of memory");
	}
	*out = e;
	return SW_OK;
}

void sw_swd_engine_free(struct sw_swd_engine *e)
{
	if (!e)
		return;
	free(e->raws);
	free(e->dir);
	free(e->out);
	free(e->in);
	free(e);
}

void sw_swd_engine_set_idle(struct sw_swd_engine *e, unsigned after_ap, unsigned tail)
{
	e->idle_after_ap = after_ap;
	e->idle_tail = tail;
}

static void put_bit(uint8_t *buf, size_t i, unsigned v)
{
	if (v)
		buf[i / 8] = (uint8_t)(buf[i / 8] | (1u << (i % 8)));
	else
		buf[i / 8] = (uint8_t)(buf[i / 8] & ~(1u << (i % 8)));
}

static unsigned get_bit(const uint8_t *buf, size_t i)
{
	return ((unsigned)buf[i / 8] >> (i % 8)) & 1u;
}

static void emit(struct sw_swd_engine *e, size_t *pos, bool drive, uint32_t val, unsigned n)
{
	for (unsigned i = 0; i < n; i++, (*pos)++) {
		put_bit(e->dir, *pos, drive);
		put_bit(e->out, *pos, drive ? (val >> i) & 1u : 0u);
	}
}

/* Packet header byte on the wire: start, APnDP, RnW, A2, A3, parity, stop, park. */
static uint32_t header(uint8_t req)
{
	uint32_t ap = req & SW_REQ_AP ? 1u : 0u, rd = req & SW_REQ_READ ? 1u : 0u;
	uint32_t a2 = (req >> 2) & 1u, a3 = (req >> 3) & 1u;

	return 1u | ap << 1 | rd << 2 | a2 << 3 | a3 << 4 | ((ap ^ rd ^ a2 ^ a3) << 5) | 1u << 7;
}

static size_t pkt_bits(const struct sw_swd_engine *e, uint8_t req)
{
	return PKT_BITS + ((req & SW_REQ_AP) ? e->idle_after_ap : 0);
}

/* Encode one packet at *pos; returns the bit index of its ACK. */
static size_t encode(struct sw_swd_engine *e, size_t *pos, const struct raw *r)
{
	size_t ack_at;

	emit(e, pos, true, header(r->req), 8);
	emit(e, pos, false, 0, 1); /* turnaround */
	ack_at = *pos;
	emit(e, pos, false, 0, 3);
	if (r->req & SW_REQ_READ) {
		emit(e, pos, false, 0, 33);
		emit(e, pos, false, 0, 1);
	} else {
		emit(e, pos, false, 0, 1);
		emit(e, pos, true, r->data, 32);
		emit(e, pos, true, (uint32_t)__builtin_parity(r->data), 1);
	}
	if (r->req & SW_REQ_AP)
		emit(e, pos, true, 0, e->idle_after_ap);
	return ack_at;
}

static void charge(struct sw_swd_engine *e, size_t nbits, size_t npkts)
{
	size_t bo = 0, bi = 0;

	e->stats->round_trips++;
	e->stats->swd_cycles += nbits;
	e->stats->transactions += npkts;
	if (e->be.cost)
		e->be.cost(e->be.user, nbits, &bo, &bi);
	e->stats->bytes_out += bo;
	e->stats->bytes_in += bi;
}

int sw_swd_engine_sequence(struct sw_swd_engine *e, const uint8_t *bits, size_t nbits)
{
	size_t done = 0;

	while (done < nbits) {
		size_t n = nbits - done, pos = 0;
		int r;

		if (n > e->buf_bits)
			n = e->buf_bits;
		for (size_t i = 0; i < n; i++)
			emit(e, &pos, true, get_bit(bits, done + i), 1);
		r = e->be.io(e->be.user, e->dir, e->out, e->in, n);
		charge(e, n, 0);
		if (r)
			return r;
		done += n;
	}
	/* A line reset or select sequence may have changed link state. */
	e->select_known = false;
	return SW_OK;
}

/* Track DP writes that the engine's recovery depends on. */
static void note_write(struct sw_swd_engine *e, const struct raw *r)
{
	if (r->req & SW_REQ_AP)
		return;
	if (SW_REQ_ADDR(r->req) == 0x8) {
		e->select = r->data;
		e->select_known = true;
	} else if (SW_REQ_ADDR(r->req) == 0x4 && e->select_known && (e->select & 0xFu) == 0) {
		e->orun = (r->data & 1u) != 0; /* CTRL/STAT.ORUNDETECT */
	}
}

/* Line reset, DPIDR read, SELECT restore: one round trip. */
static int resync(struct sw_swd_engine *e)
{
	struct raw dpidr = {SW_REQ_READ, -1, -1, 0}, sel = {SW_REQ_ADDR(0x8), -1, -1, e->select};
	size_t pos = 0, ack_at;
	unsigned ack;
	int r;

	emit(e, &pos, true, 0xFFFFFFFFu, 32);
	emit(e, &pos, true, 0x00FFFFFFu, 32); /* 56 ones, 8 idle */
	ack_at = encode(e, &pos, &dpidr);
	if (e->select_known)
		encode(e, &pos, &sel);
	emit(e, &pos, true, 0, e->idle_tail);
	r = e->be.io(e->be.user, e->dir, e->out, e->in, pos);
	charge(e, pos, e->select_known ? 2 : 1);
	if (r)
		return r;
	ack = get_bit(e->in, ack_at) | get_bit(e->in, ack_at + 1) << 1 | get_bit(e->in, ack_at + 2) << 2;
	if (ack != SW_ACK_OK)
		return sw_fail(e->ctx, SW_ERR_SWD_NOACK,
			       "SWD: target does not answer after line reset (ACK %u)", ack);
	return SW_OK;
}

/* Expand logical requests into raw packets with posted-read bookkeeping. */
static int plan(struct sw_swd_engine *e, const struct sw_swd_req *reqs, size_t n, size_t *nraw)
{
	size_t need = 2 * n + 1, k = 0;
	int32_t pending = -1;

	if (need > e->raws_cap) {
		struct raw *p = realloc(e->raws, need * sizeof(*p));
		if (!p)
			return sw_fail(e->ctx, SW_ERR_NOMEM, "swd: out of memory");
		e->raws = p;
		e->raws_cap = need;
	}
	for (size_t i = 0; i < n; i++) {
		uint8_t q = reqs[i].req;
		bool ap_read = (q & SW_REQ_AP) && (q & SW_REQ_READ);

		if (pending >= 0 && !ap_read) {
			e->raws[k++] = (struct raw){SW_REQ_READ | SW_REQ_ADDR(0xC), -1, pending, 0};
			pending = -1;
		}
		e->raws[k] = (struct raw){q, (int32_t)i, ap_read ? pending : -1, reqs[i].data};
		if ((q & SW_REQ_READ) && !(q & SW_REQ_AP))
			e->raws[k].dest = (int32_t)i;
		if (ap_read)
			pending = (int32_t)i;
		k++;
	}
	if (pending >= 0)
		e->raws[k++] = (struct raw){SW_REQ_READ | SW_REQ_ADDR(0xC), -1, pending, 0};
	*nraw = k;
	return SW_OK;
}

/* Send raws[from..] in one round trip; *done = packets that completed OK,
 * *ack = ACK of the first failing packet, *parity_bad set on a parity error. */
static int run_chunk(struct sw_swd_engine *e, struct sw_swd_req *reqs, size_t from, size_t nraw,
		     size_t *done, unsigned *fail_ack, bool *parity_bad)
{
	size_t pos = 0, cnt = 0, limit = e->orun ? (size_t)-1 : 1;
	size_t *acks = NULL;
	int r;

	*done = 0;
	*fail_ack = SW_ACK_OK;
	*parity_bad = false;
	acks = malloc(sizeof(*acks) * (nraw - from));
	if (!acks)
		return sw_fail(e->ctx, SW_ERR_NOMEM, "swd: out of memory");
	while (from + cnt < nraw && cnt < limit &&
	       pos + pkt_bits(e, e->raws[from + cnt].req) + e->idle_tail <= e->buf_bits) {
		acks[cnt] = encode(e, &pos, &e->raws[from + cnt]);
		cnt++;
	}
	emit(e, &pos, true, 0, e->idle_tail);
	r = e->be.io(e->be.user, e->dir, e->out, e->in, pos);
	charge(e, pos, cnt);
	for (size_t i = 0; !r && i < cnt; i++) {
		struct raw *w = &e->raws[from + i];
		size_t a = acks[i];
		unsigned ack = get_bit(e->in, a) | get_bit(e->in, a + 1) << 1 | get_bit(e->in, a + 2) << 2;

		if (w->owner >= 0)
			reqs[w->owner].ack = (uint8_t)ack;
		if (ack != SW_ACK_OK) {
			*fail_ack = ack;
			break;
		}
		if (w->req & SW_REQ_READ) {
			uint32_t v = 0;
			for (unsigned b = 0; b < 32; b++)
				v |= (uint32_t)get_bit(e->in, a + 3 + b) << b;
			if (get_bit(e->in, a + 35) != (unsigned)__builtin_parity(v)) {
				*parity_bad = true;
				e->stats->parity_errors++;
				break;
			}
			if (w->dest >= 0)
				reqs[w->dest].data = v;
		} else {
			note_write(e, w);
		}
		(*done)++;
	}
	free(acks);
	return r;
}

/* Same, one packet at a time through a transaction-level backend. */
static int run_txn(struct sw_swd_engine *e, struct sw_swd_req *reqs, size_t from, size_t nraw,
		   size_t *done, unsigned *fail_ack, bool *parity_bad)
{
	size_t i;

	*done = 0;
	*fail_ack = SW_ACK_OK;
	*parity_bad = false;
	/* Charge a round trip per probe-buffer's worth, as the bit path would. */
	size_t end = nraw - from > e->buf_bits / PKT_BITS ? from + e->buf_bits / PKT_BITS : nraw;
	for (i = from; i < end; i++) {
		struct raw *w = &e->raws[i];
		bool pok = true;
		uint32_t v = w->data;
		unsigned ack = e->be.txn(e->be.user, w->req, &v, &pok);

		e->stats->transactions++;
		e->stats->swd_cycles += pkt_bits(e, w->req);
		if (w->owner >= 0)
			reqs[w->owner].ack = (uint8_t)ack;
		if (ack != SW_ACK_OK) {
			*fail_ack = ack;
			break;
		}
		if (w->req & SW_REQ_READ) {
			if (!pok) {
				*parity_bad = true;
				e->stats->parity_errors++;
				break;
			}
			if (w->dest >= 0)
				reqs[w->dest].data = v;
		} else {
			note_write(e, w);
		}
		(*done)++;
	}
	e->stats->round_trips++;
	if (e->be.end_batch)
		e->be.end_batch(e->be.user, i - from);
	return SW_OK;
}

static uint64_t engine_now(const struct sw_swd_engine *e)
{
	struct timespec ts;

	if (e->be.now_ns)
		return e->be.now_ns(e->be.user);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void engine_sleep(const struct sw_swd_engine *e, uint64_t ns)
{
	struct timespec ts = {(time_t)(ns / 1000000000ull), (long)(ns % 1000000000ull)};

	if (e->be.sleep_ns)
		e->be.sleep_ns(e->be.user, ns);
	else
		nanosleep(&ts, NULL);
}

/* ABORT write outside the plan (raws[0] is reused: plan() sized it). */
static int write_abort(struct sw_swd_engine *e, uint32_t bits)
{
	struct sw_swd_req abort_req = {SW_REQ_ADDR(0x0), 0, bits};
	struct raw w = {abort_req.req, -1, -1, abort_req.data};
	size_t done;
	unsigned ack;
	bool pbad;
	int r;

	e->raws[0] = w; /* raws[] has room: plan() sized it */
	r = e->be.txn ? run_txn(e, &abort_req, 0, 1, &done, &ack, &pbad)
		      : run_chunk(e, &abort_req, 0, 1, &done, &ack, &pbad);
	return r ? r : (ack == SW_ACK_OK ? SW_OK : SW_ERR_SWD_NOACK);
}

static int clear_overrun(struct sw_swd_engine *e)
{
	return write_abort(e, 0x10u /* ORUNERRCLR */);
}

int sw_swd_engine_transfer(struct sw_swd_engine *e, struct sw_swd_req *reqs, size_t n)
{
	size_t nraw = 0, at = 0;
	unsigned waits = 0;
	uint64_t wait_since = 0;
	int r;

	for (size_t i = 0; i < n; i++)
		reqs[i].ack = 0;
	/* A target that stopped answering (cable, power, reset) gets a new
	 * line reset before anything else, so it is usable again once back. */
	if (e->need_resync) {
		if ((r = resync(e)))
			return r;
		e->need_resync = false;
	}
	if ((r = plan(e, reqs, n, &nraw)))
		return r;
	while (at < nraw) {
		size_t done;
		unsigned ack;
		bool pbad;

		r = e->be.txn ? run_txn(e, reqs, at, nraw, &done, &ack, &pbad)
			      : run_chunk(e, reqs, at, nraw, &done, &ack, &pbad);
		if (r)
			return r; /* the driver recorded why (e.g. "probe lost") */
		at += done;
		if (done)
			waits = 0; /* progress: a later WAIT is a new stall */
		if (pbad)
			return sw_fail(e->ctx, SW_ERR_SWD_PARITY, "SWD: parity error in read data");
		if (ack == SW_ACK_OK) {
			waits = 0;
			continue;
		}
		if (ack == SW_ACK_WAIT) {
			uint64_t t = engine_now(e);

			e->stats->waits++;
			if (waits++ == 0)
				wait_since = t;
			if (t - wait_since >= WAIT_TIMEOUT_NS) {
				/* DAPABORT cancels the stalled AP transaction; ORUNERRCLR
				 * the overrun the WAIT left (B4.2.5). */
				r = write_abort(e, 0x1u | (e->orun ? 0x10u : 0u));
				return sw_fail(e->ctx, SW_ERR_SWD_WAIT,
					       "SWD: target answered WAIT for %llu ms (%u tries): AP access stalled "
					       "(a busy flash bank?); transaction aborted with DAPABORT%s",
					       (unsigned long long)((t - wait_since) / 1000000u), waits,
					       r ? ", which failed too" : "");
			}
			if (e->orun && (r = clear_overrun(e)))
				return sw_fail(e->ctx, r, "SWD: cannot clear overrun after WAIT");
			if (waits > WAIT_FAST_RETRIES)
				engine_sleep(e, WAIT_BACKOFF_NS);
			/* clear_overrun reused raws[0]; planning again is deterministic
			 * and gives the same packet list, so `at` stays valid. */
			if ((r = plan(e, reqs, n, &nraw)))
				return r;
			continue;
		}
		if (ack == SW_ACK_FAULT) {
			e->stats->faults++;
			return sw_fail_quiet(e->ctx, SW_ERR_SWD_FAULT, "SWD: FAULT response");
		}
		/* No ACK or an invalid one: resynchronise the line for the next user. */
		r = resync(e);
		e->need_resync = r != SW_OK;
		return sw_fail(e->ctx, ack == SW_ACK_NONE ? SW_ERR_SWD_NOACK : SW_ERR_SWD_PROTO,
			       "SWD: no valid ACK (0x%x)%s", ack, r ? "; line reset failed" : "");
	}
	return SW_OK;
}
