/* RTT engine (see rtt.h). With batching (the probe queues), one poll is
 * one batch, in this order:
 *   1. each up ring's data the last look showed (up to its fair share of
 *      a budget sized from the wire time);
 *   2. the header and up descriptors: the fresh WrOffs, and the check for
 *      3 (RdOff still ours, WrOff within the firmware's room);
 *   3. the RdOff writes of what the previous poll delivered;
 *   4. each ring's read-ahead past what the last look showed (adaptive to
 *      what the firmware wrote per poll lately); bytes beyond the WrOff of
 *      2 are dropped.
 * A line written before 2 comes out at the end of this poll, so a quiet
 * channel waits about one poll and a round trip while another floods, and
 * the flood's reads in 1 can fill most of the poll. Without batching: one
 * read of the block, then per channel a read and a write. */
#include <stdlib.h>
#include <string.h>

#include "server/rtt/rtt.h"
#include "sw/types.h"

#define UP_READ_MAX 16384u /* bytes read per poll (unbatched: from one ring) */
/* Least read-ahead past the known write offset of a ring with room (one
 * short line); more while the firmware writes more per poll. */
#define PEEK_BYTES 16u
/* Wire time a busy poll aims at. A line written just after a poll's block
 * read waits for the next poll's block read and that poll's round trip:
 * about W + 2 x (0.5 ms + USB) with J-Link HS, so 3 ms keeps it under
 * 5 ms (issue #20) while reads fill ~85 % of the wire. A poll also stays
 * within one J-Link exchange (16384 bits, reference/jlink.md "SWD
 * queueing and batching"), since a second one adds a round trip. */
#define POLL_WIRE_NS 3000000ull
#define POLL_MAX_BITS (16384u - 8u)
#define TXN_BITS 46u /* one SWD transaction (perf.md §1.1) */
#define TAR_BLOCK 1024u /* TAR auto-increment wraps here (ADIv5.2 C2.2.2) */
#define SPARE_TXNS 2u   /* a CSW write, should another access have changed it */
#define DEFAULT_SWCLK_HZ 4000000u
#define BLOCK_MAX (SW_RTT_HDR_SIZE + 2 * SW_RTT_MAX_CHANNELS * SW_RTT_DESC_SIZE)

struct down_queue {
	uint8_t buf[SW_RTT_DOWN_QUEUE];
	size_t len;
};

struct sw_rtt {
	struct sw_ctx *ctx;
	struct sw_rtt_ops ops;
	struct sw_rtt_range ranges[SW_RTT_MAX_RANGES];
	size_t n_ranges;
	uint32_t user_addr, elf_addr, last_addr, addr;
	bool has_user, has_elf, has_last;
	bool elf_empty_said; /* logged that the ELF's address holds no block (this search) */
	const char *source;
	enum sw_rtt_state state;
	struct sw_rtt_cb cb;
	uint32_t rd_written[SW_RTT_MAX_CHANNELS]; /* last RdOff we wrote + 1; 0 = none */
	/* Batched: how far the host has delivered each up ring; written back
	 * as RdOff at the start of the next poll, after its check read. */
	uint32_t cons[SW_RTT_MAX_CHANNELS];
	unsigned rr; /* round-robin start of the fair share */
	size_t scan_range;
	uint32_t scan_off;
	uint64_t next_ns, interval_ns;
	uint64_t last_data_ns; /* clock when data last moved */
	bool backlog;          /* a ring was at least half full: poll again at once */
	struct sw_rtt_status st; /* counters */
	struct down_queue down[SW_RTT_MAX_CHANNELS];
	uint8_t block[BLOCK_MAX];
	uint8_t data[UP_READ_MAX];
	uint32_t words[UP_READ_MAX / 4 + 8 * SW_RTT_MAX_CHANNELS];
	uint32_t peek[SW_RTT_MAX_CHANNELS]; /* read-ahead past the known WrOff, per up ring */
	uint32_t head[BLOCK_MAX / 4]; /* the header and descriptors, read in a batch */
	uint8_t scan[SW_RTT_SCAN_CHUNK + SW_RTT_ID_LEN];
};

static uint32_t desc_addr(const struct sw_rtt *rtt, bool up, unsigned ch);
static int still_same(struct sw_rtt *rtt, uint32_t desc, const struct sw_rtt_ring *r, bool up);
static uint32_t expected_rd(const struct sw_rtt *rtt, unsigned ch);

int sw_rtt_new(struct sw_ctx *ctx, const struct sw_rtt_ops *ops, struct sw_rtt **out)
{
	struct sw_rtt *r = calloc(1, sizeof(*r));

	if (!r)
		return sw_fail(ctx, SW_ERR_NOMEM, "rtt: out of memory");
	r->ctx = ctx;
	r->ops = *ops;
	r->state = SW_RTT_STOPPED;
	r->next_ns = UINT64_MAX;
	*out = r;
	return SW_OK;
}

void sw_rtt_free(struct sw_rtt *rtt)
{
	free(rtt);
}

void sw_rtt_clear_ranges(struct sw_rtt *rtt)
{
	rtt->n_ranges = 0;
	rtt->scan_range = 0;
}

int sw_rtt_add_range(struct sw_rtt *rtt, uint32_t base, uint32_t size)
{
	if (rtt->n_ranges == SW_RTT_MAX_RANGES)
		return sw_fail(rtt->ctx, SW_ERR_BUSY, "rtt: more than %d RAM ranges", SW_RTT_MAX_RANGES);
	if (size < SW_RTT_HDR_SIZE || (base & 3u) || (size & 3u))
		return sw_fail(rtt->ctx, SW_ERR_ARG, "rtt: range 0x%08x+0x%x is too small or not word aligned",
			       base, size);
	rtt->ranges[rtt->n_ranges++] = (struct sw_rtt_range){base, size};
	return SW_OK;
}

void sw_rtt_set_elf_addr(struct sw_rtt *rtt, uint32_t addr)
{
	rtt->elf_addr = addr;
	rtt->has_elf = true;
	rtt->elf_empty_said = false;
}

void sw_rtt_clear_elf_addr(struct sw_rtt *rtt)
{
	rtt->has_elf = false;
}

void sw_rtt_set_user_addr(struct sw_rtt *rtt, uint32_t addr)
{
	rtt->user_addr = addr;
	rtt->has_user = true;
	if (rtt->state == SW_RTT_FOUND && rtt->addr != addr)
		rtt->state = SW_RTT_SEARCHING;
	rtt->next_ns = 0;
}

void sw_rtt_start(struct sw_rtt *rtt)
{
	if (rtt->state == SW_RTT_STOPPED)
		rtt->state = SW_RTT_SEARCHING;
	rtt->interval_ns = SW_RTT_FAST_NS;
	rtt->next_ns = 0;
}

/* Write back RdOff for what was delivered (batched polls do it one poll
 * late), so nothing comes twice after a stop and start. */
static void flush_rd(struct sw_rtt *rtt)
{
	uint8_t w[4];

	for (unsigned i = 0; rtt->state == SW_RTT_FOUND && i < rtt->cb.n_up; i++) {
		if (!rtt->cb.up[i].valid || rtt->cons[i] == expected_rd(rtt, i))
			continue;
		sw_le32_put(w, rtt->cons[i]);
		if (still_same(rtt, desc_addr(rtt, true, i), &(struct sw_rtt_ring){.rd = expected_rd(rtt, i)},
			       true) ||
		    rtt->ops.write(rtt->ops.user, desc_addr(rtt, true, i) + SW_RTT_OFF_RD, w, 4))
			return;
		rtt->rd_written[i] = rtt->cons[i] + 1u;
	}
}

void sw_rtt_stop(struct sw_rtt *rtt)
{
	flush_rd(rtt);
	rtt->state = SW_RTT_STOPPED;
	rtt->next_ns = UINT64_MAX;
}

uint64_t sw_rtt_next_ns(const struct sw_rtt *rtt)
{
	return rtt->state == SW_RTT_STOPPED ? UINT64_MAX : rtt->next_ns;
}

/* Read and parse the block at addr; true if it is one. */
static bool read_block(struct sw_rtt *rtt, uint32_t addr, struct sw_rtt_cb *cb)
{
	uint32_t up, down;
	size_t size;

	if ((uint64_t)addr + SW_RTT_HDR_SIZE > 0x100000000ull ||
	    rtt->ops.read(rtt->ops.user, addr, rtt->block, SW_RTT_HDR_SIZE))
		return false;
	if (!sw_rtt_cb_header(rtt->block, SW_RTT_HDR_SIZE, &up, &down))
		return false;
	size = sw_rtt_cb_size(up, down);
	if ((uint64_t)addr + size > 0x100000000ull ||
	    rtt->ops.read(rtt->ops.user, addr + SW_RTT_HDR_SIZE, rtt->block + SW_RTT_HDR_SIZE,
			  size - SW_RTT_HDR_SIZE))
		return false;
	return sw_rtt_cb_parse(rtt->block, size, rtt->ranges, rtt->n_ranges, cb);
}

/* What the target's RdOff of up ring ch holds, as far as we know. */
static uint32_t expected_rd(const struct sw_rtt *rtt, unsigned ch)
{
	return rtt->rd_written[ch] ? rtt->rd_written[ch] - 1u : rtt->cb.up[ch].rd;
}

static bool same_shape(const struct sw_rtt_ring *a, const struct sw_rtt_ring *b)
{
	return a->valid == b->valid && a->buf == b->buf && a->size == b->size;
}

static bool try_addr(struct sw_rtt *rtt, uint32_t addr, const char *source)
{
	struct sw_rtt_cb cb;

	/* The block holds words: an unaligned "id" is a string, not a block. */
	if ((addr & 3u) || !read_block(rtt, addr, &cb))
		return false;
	/* Found again where it was (the target was out of reach for a poll):
	 * what was delivered but not yet written back as RdOff must not come
	 * twice, unless the ring changed meanwhile. */
	for (unsigned i = 0; i < cb.n_up; i++) {
		bool keep = addr == rtt->addr && i < rtt->cb.n_up && same_shape(&cb.up[i], &rtt->cb.up[i]) &&
			    cb.up[i].rd == expected_rd(rtt, i) && rtt->cons[i] < cb.up[i].size;
		if (!keep)
			rtt->cons[i] = cb.up[i].rd;
		rtt->peek[i] = PEEK_BYTES;
	}
	rtt->cb = cb;
	rtt->addr = rtt->last_addr = addr;
	rtt->has_last = true;
	rtt->source = source;
	rtt->state = SW_RTT_FOUND;
	rtt->elf_empty_said = false;
	rtt->st.found_count++;
	memset(rtt->rd_written, 0, sizeof(rtt->rd_written));
	SW_LOG_I(rtt->ctx, "RTT: control block at 0x%08x (%s), %u up, %u down channels", addr, source,
		 rtt->cb.n_up, rtt->cb.n_down);
	return true;
}

/* One step of the RAM scan: a chunk plus the id length of overlap, so an
 * id straddling two chunks is still seen. */
static bool scan_step(struct sw_rtt *rtt)
{
	const struct sw_rtt_range *rg;
	uint32_t len, start;
	long at;

	if (!rtt->n_ranges)
		return false;
	if (rtt->scan_range >= rtt->n_ranges)
		rtt->scan_range = 0;
	rg = &rtt->ranges[rtt->scan_range];
	len = rg->size - rtt->scan_off;
	if (len > sizeof(rtt->scan))
		len = sizeof(rtt->scan);
	at = -1;
	start = rg->base + rtt->scan_off;
	if (!rtt->ops.read(rtt->ops.user, start, rtt->scan, len))
		at = sw_rtt_find_id(rtt->scan, len);
	rtt->scan_off += SW_RTT_SCAN_CHUNK;
	if (rtt->scan_off + SW_RTT_ID_LEN > rg->size) {
		rtt->scan_off = 0;
		if (++rtt->scan_range == rtt->n_ranges)
			rtt->st.scans++;
	}
	return at >= 0 && try_addr(rtt, start + (uint32_t)at, "scan");
}

/* The ELF symbol's address first, then the last one found, then the RAM
 * scan: an ELF from another build (the firmware was rebuilt and moved
 * _SEGGER_RTT) must not leave RTT searching at a stale address for ever.
 * A user-given address is taken as it is. */
static bool search(struct sw_rtt *rtt)
{
	if (rtt->has_user)
		return try_addr(rtt, rtt->user_addr, "user");
	if (rtt->has_elf && try_addr(rtt, rtt->elf_addr, "elf"))
		return true;
	if (rtt->has_last && try_addr(rtt, rtt->last_addr, "last"))
		return true;
	if (rtt->has_elf && !rtt->elf_empty_said) {
		rtt->elf_empty_said = true;
		SW_LOG_I(rtt->ctx, "RTT: no control block at the ELF's _SEGGER_RTT 0x%08x (not initialised yet, or "
				   "the ELF is from another build); scanning RAM too", rtt->elf_addr);
	}
	return scan_step(rtt);
}

/* Found somewhere else than the ELF says (scan, last): when the ELF's
 * address holds a block after all (the firmware initialised it later than
 * a stale copy was found), that one is the firmware's. One header read. */
static bool elf_block_appeared(struct sw_rtt *rtt)
{
	uint32_t up, down;

	if (!rtt->has_elf || rtt->has_user || rtt->addr == rtt->elf_addr ||
	    rtt->ops.read(rtt->ops.user, rtt->elf_addr, rtt->block, SW_RTT_HDR_SIZE) ||
	    !sw_rtt_cb_header(rtt->block, SW_RTT_HDR_SIZE, &up, &down))
		return false;
	SW_LOG_I(rtt->ctx, "RTT: a control block appeared at the ELF's _SEGGER_RTT 0x%08x; leaving 0x%08x",
		 rtt->elf_addr, rtt->addr);
	return true;
}

static uint32_t desc_addr(const struct sw_rtt *rtt, bool up, unsigned ch)
{
	return rtt->addr + SW_RTT_HDR_SIZE + (up ? ch : rtt->cb.n_up + ch) * SW_RTT_DESC_SIZE;
}

/* Just before the host writes its offset: are the ring's offsets still
 * those the transfer was planned on? A reset and re-initialisation of the
 * block during the transfer (its reads take round trips while the core
 * runs) sets them back to 0; writing our stale offset then would corrupt
 * the new ring. This narrows that window to the one write. */
static int still_same(struct sw_rtt *rtt, uint32_t desc, const struct sw_rtt_ring *r, bool up)
{
	uint8_t w[8];

	if (rtt->ops.read(rtt->ops.user, desc + SW_RTT_OFF_WR, w, sizeof(w)))
		return -1;
	/* The host owns RdOff of an up ring and WrOff of a down ring. */
	if (up ? sw_le32_get(w + 4) != r->rd : sw_le32_get(w) != r->wr)
		return -1;
	return 0;
}

/* Queue the words covering [addr, addr + len); returns the byte offset of
 * addr in the first word. The words stay inside the ring's RAM range
 * because ranges are word aligned. */
static uint32_t q_bytes(struct sw_rtt *rtt, uint32_t addr, uint32_t len, uint32_t *dst, int *r)
{
	uint32_t a0 = addr & ~3u, n = (addr + len - a0 + 3u) / 4u;

	if (!*r)
		*r = rtt->ops.q_read_words(rtt->ops.user, a0, dst, n);
	return addr - a0;
}

/* Bytes from offset a to offset b of ring r, going forward. */
static uint32_t ring_dist(const struct sw_rtt_ring *r, uint32_t a, uint32_t b)
{
	return b >= a ? b - a : r->size - (a - b);
}

static void unpack(const uint32_t *w, uint32_t skip, uint8_t *out, uint32_t len)
{
	for (uint32_t i = 0; i < len; i++)
		out[i] = (uint8_t)(w[(skip + i) / 4] >> (8 * ((skip + i) & 3u)));
}

/* Move what the consumer of up channel ch can take; <0 on access error. */
static int service_up(struct sw_rtt *rtt, unsigned ch, bool *moved)
{
	const struct sw_rtt_ring *r = &rtt->cb.up[ch];
	uint32_t n = sw_rtt_ring_used(r), len[2], rd;
	size_t room;
	uint8_t w[4];

	if (!n || !(room = rtt->ops.up_room(rtt->ops.user, ch)))
		return 0;
	if (n > room)
		n = (uint32_t)room;
	if (n > UP_READ_MAX)
		n = UP_READ_MAX;
	if (n >= r->size / 2)
		rtt->backlog = true;
	unsigned pieces = sw_rtt_ring_split(r, r->rd, n, len);
	if (rtt->ops.read(rtt->ops.user, r->buf + r->rd, rtt->data, len[0]) ||
	    (pieces == 2 && rtt->ops.read(rtt->ops.user, r->buf, rtt->data + len[0], len[1])))
		return -1;
	rd = (uint32_t)(((uint64_t)r->rd + n) % r->size);
	sw_le32_put(w, rd);
	/* Hand the bytes on before freeing the ring: nothing is lost if the
	 * RdOff write fails (they may come twice instead). */
	rtt->ops.up_data(rtt->ops.user, ch, rtt->data, n);
	rtt->st.bytes_up[ch] += n;
	*moved = true;
	rtt->cons[ch] = rd;
	if (still_same(rtt, desc_addr(rtt, true, ch), r, true) ||
	    rtt->ops.write(rtt->ops.user, desc_addr(rtt, true, ch) + SW_RTT_OFF_RD, w, 4))
		return -1;
	rtt->rd_written[ch] = rd + 1u;
	return 0;
}

static int service_down(struct sw_rtt *rtt, unsigned ch, bool *moved)
{
	const struct sw_rtt_ring *r = &rtt->cb.down[ch];
	struct down_queue *q = &rtt->down[ch];
	uint32_t drop = 0, len[2], n, wr;
	uint8_t w[4];

	if (!q->len || !r->valid)
		return 0;
	n = sw_rtt_down_plan(r, (uint32_t)q->len, &drop);
	if (n) {
		unsigned pieces = sw_rtt_ring_split(r, r->wr, n, len);
		if (rtt->ops.write(rtt->ops.user, r->buf + r->wr, q->buf, len[0]) ||
		    (pieces == 2 && rtt->ops.write(rtt->ops.user, r->buf, q->buf + len[0], len[1])))
			return -1;
		wr = (uint32_t)(((uint64_t)r->wr + n) % r->size);
		sw_le32_put(w, wr);
		if (still_same(rtt, desc_addr(rtt, false, ch), r, false) ||
		    rtt->ops.write(rtt->ops.user, desc_addr(rtt, false, ch) + SW_RTT_OFF_WR, w, 4))
			return -1;
		rtt->st.bytes_down[ch] += n;
		*moved = true;
	}
	if (drop)
		rtt->st.dropped_down += drop;
	n += drop;
	memmove(q->buf, q->buf + n, q->len - n);
	q->len -= n;
	return 0;
}

/* Transactions one busy poll may take: POLL_WIRE_NS of wire at the
 * probe's clock, within one probe exchange. */
static uint32_t poll_txns(const struct sw_rtt *rtt)
{
	uint64_t hz = rtt->ops.swclk_hz ? rtt->ops.swclk_hz(rtt->ops.user) : 0;
	uint64_t bits = (hz ? hz : DEFAULT_SWCLK_HZ) * POLL_WIRE_NS / 1000000000ull;

	return (uint32_t)((bits < POLL_MAX_BITS ? bits : POLL_MAX_BITS) / TXN_BITS) - SPARE_TXNS;
}

/* A run of ring bytes read into rtt->words: words from woff, the first
 * skip bytes of which are before the run. */
struct seg {
	uint32_t woff, skip, len;
};

struct up_plan {
	uint32_t got, known, room;
	struct seg seg[4]; /* the known part and the read-ahead, each split at the wrap */
	unsigned nseg;
	bool wrote;
};

/* Transactions reading len ring bytes from off take: per piece the words
 * (with the unaligned ends), its TAR write and the final RDBUFF. */
static uint32_t range_txns(const struct sw_rtt_ring *r, uint32_t off, uint32_t len)
{
	uint32_t l[2], t = 0;
	unsigned n = len ? sw_rtt_ring_split(r, off, len, l) : 0;

	for (unsigned k = 0; k < n; k++) {
		uint32_t a0 = (r->buf + (k ? 0 : off)) & ~3u, words = ((r->buf + (k ? 0 : off)) - a0 + l[k] + 3u) / 4u;
		uint32_t a1 = a0 + 4u * (words - 1u);
		/* TAR again at each 1 KiB boundary (perf.md §1.4). */
		t += words + 2u + (a1 / TAR_BLOCK - a0 / TAR_BLOCK);
	}
	return t;
}

static void q_range(struct sw_rtt *rtt, struct up_plan *p, const struct sw_rtt_ring *r, uint32_t off,
		    uint32_t len, size_t *wpos, int *e)
{
	uint32_t l[2];
	unsigned n = len ? sw_rtt_ring_split(r, off, len, l) : 0;

	for (unsigned k = 0; k < n; k++) {
		struct seg *s = &p->seg[p->nseg++];
		s->woff = (uint32_t)*wpos;
		s->len = l[k];
		s->skip = q_bytes(rtt, r->buf + (k ? 0 : off), l[k], rtt->words + *wpos, e);
		*wpos += (s->skip + s->len + 3u) / 4u;
	}
}

/* Split each ring's read: what the last look showed (read before this
 * poll's block read) and the read-ahead past it (after, so the block read
 * tells how much of it the firmware had written). */
static void split_known(const struct sw_rtt *rtt, struct up_plan *p, const uint32_t *got)
{
	for (unsigned i = 0; i < rtt->cb.n_up; i++) {
		uint32_t known = sw_rtt_ring_used_from(&rtt->cb.up[i], rtt->cons[i]);
		p[i].got = got[i];
		p[i].known = got[i] < known ? got[i] : known;
	}
}

static uint32_t plan_txns(const struct sw_rtt *rtt, const struct up_plan *p)
{
	uint32_t t = 0;

	for (unsigned i = 0; i < rtt->cb.n_up; i++) {
		const struct sw_rtt_ring *r = &rtt->cb.up[i];
		t += range_txns(r, rtt->cons[i], p[i].known) +
		     range_txns(r, (uint32_t)(((uint64_t)rtt->cons[i] + p[i].known) % (r->size ? r->size : 1)),
				p[i].got - p[i].known);
	}
	return t;
}

/* Share the poll's data budget: every ring with room wants what the last
 * look showed plus its read-ahead; the budget left after the fixed costs
 * is shared fairly (round robin for the odd bytes), then trimmed until the
 * poll fits the wire time. */
static void plan_reads(struct sw_rtt *rtt, struct up_plan *p, uint32_t fixed_txns)
{
	const struct sw_rtt_cb *cb = &rtt->cb;
	uint32_t want[SW_RTT_MAX_CHANNELS], got[SW_RTT_MAX_CHANNELS], txns = poll_txns(rtt), budget;

	for (unsigned i = 0; i < cb->n_up; i++) {
		const struct sw_rtt_ring *r = &cb->up[i];
		size_t room = r->valid ? rtt->ops.up_room(rtt->ops.user, i) : 0;
		uint64_t w = 0;

		p[i].room = (uint32_t)(room < UP_READ_MAX ? room : UP_READ_MAX);
		if (p[i].room) {
			w = (uint64_t)sw_rtt_ring_used_from(r, rtt->cons[i]) + rtt->peek[i];
			if (w > r->size - 1u)
				w = r->size - 1u;
			if (w > p[i].room)
				w = p[i].room;
		}
		want[i] = (uint32_t)w;
	}
	/* At a slow clock the bookkeeping alone nearly fills the wire time:
	 * there keep at least twice its size for data (latency grows; it
	 * cannot stay under 5 ms there anyway). */
	if (txns < 3u * fixed_txns)
		txns = 3u * fixed_txns;
	budget = (txns - fixed_txns) * 4u;
	if (budget > UP_READ_MAX)
		budget = UP_READ_MAX;
	for (int tries = 0; tries < 4; tries++) {
		sw_rtt_fair_share(want, cb->n_up, budget, rtt->rr, got);
		split_known(rtt, p, got);
		uint32_t t = fixed_txns + plan_txns(rtt, p);
		if (t <= txns || budget < 16u)
			break;
		/* Over by the pieces' overheads: give up that many words. */
		budget = budget > 4u * (t - txns) + 4u ? budget - 4u * (t - txns) - 4u : 0;
	}
	rtt->rr = (rtt->rr + 1u) % cb->n_up;
}

/* Put back a ring's RdOff where this batch wrote one into a ring that
 * turned out not to be what the write was planned on. */
static void undo_write(struct sw_rtt *rtt, unsigned ch, uint32_t rd)
{
	uint8_t w[4];

	sw_le32_put(w, rd);
	rtt->ops.write(rtt->ops.user, desc_addr(rtt, true, ch) + SW_RTT_OFF_RD, w, 4);
}

/* The firmware's WrOff moved from wr0 to wr1 by more than the room it
 * had (up to RdOff rd): only a re-initialisation does that. It catches one
 * whose RdOff is still 0, as ours may be before our first write-back. */
static bool wr_jumped(const struct sw_rtt *rtt, unsigned ch, uint32_t wr0, uint32_t wr1, uint32_t rd)
{
	const struct sw_rtt_ring *was = &rtt->cb.up[ch];

	if (!was->valid || rd >= was->size || wr0 >= was->size || wr1 >= was->size)
		return false;
	return ring_dist(was, wr0, wr1) > was->size - 1u - ring_dist(was, rd, wr0);
}

/* Bytes the firmware wrote between two looks: a ring's read-ahead follows
 * it (and decays back to PEEK_BYTES when the ring goes quiet). */
static void adapt_peek(struct sw_rtt *rtt, const struct sw_rtt_cb *now)
{
	for (unsigned i = 0; i < now->n_up; i++) {
		const struct sw_rtt_ring *was = &rtt->cb.up[i];
		uint32_t fresh = was->valid && was->wr < was->size && now->up[i].wr < was->size
					 ? ring_dist(was, was->wr, now->up[i].wr)
					 : 0;
		uint32_t decayed = rtt->peek[i] - rtt->peek[i] / 16u;
		rtt->peek[i] = fresh > decayed ? fresh : decayed;
		if (rtt->peek[i] < PEEK_BYTES)
			rtt->peek[i] = PEEK_BYTES;
	}
}

/* Hand over what the block read shows was written: the known part, then
 * as much of the read-ahead as the fresh WrOff covers. */
static void deliver(struct sw_rtt *rtt, const struct sw_rtt_cb *cb, const struct up_plan *p, bool *moved)
{
	for (unsigned i = 0; i < cb->n_up; i++) {
		const struct sw_rtt_ring *r = &cb->up[i];
		uint32_t avail = sw_rtt_ring_used_from(r, rtt->cons[i]), n = p[i].got < avail ? p[i].got : avail;
		uint32_t done = 0;

		/* More waiting than the budget took: poll again at once. */
		if (avail > n && p[i].room > p[i].got)
			rtt->backlog = true;
		if (!n)
			continue;
		for (unsigned k = 0; k < p[i].nseg && done < n; k++) {
			uint32_t m = n - done < p[i].seg[k].len ? n - done : p[i].seg[k].len;
			unpack(rtt->words + p[i].seg[k].woff, p[i].seg[k].skip, rtt->data + done, m);
			done += m;
		}
		rtt->ops.up_data(rtt->ops.user, i, rtt->data, n);
		rtt->st.bytes_up[i] += n;
		rtt->cons[i] = (uint32_t)(((uint64_t)rtt->cons[i] + n) % r->size);
		*moved = true;
	}
}

/* One batched poll (see the top of the file); false if the block is gone
 * or changed shape. */
static bool service_batched(struct sw_rtt *rtt, bool *moved)
{
	struct up_plan p[SW_RTT_MAX_CHANNELS];
	struct sw_rtt_cb cb;
	uint32_t n_up = rtt->cb.n_up, n_down = rtt->cb.n_down, writes = 0;
	bool down = false, reinit = false;
	size_t a_len, wpos = 0;
	uint8_t w[4];
	int e = 0;

	memset(p, 0, sizeof(p));
	for (unsigned i = 0; i < n_down; i++)
		down |= rtt->down[i].len != 0;
	/* The down descriptors only when there is something to send. */
	a_len = sw_rtt_cb_size(n_up, down ? n_down : 0);
	for (unsigned i = 0; i < n_up; i++)
		writes += rtt->cb.up[i].valid && rtt->cons[i] != expected_rd(rtt, i);
	/* Fixed costs: the block read (TAR, RDBUFF) and 2 per write-back. */
	plan_reads(rtt, p, (uint32_t)(a_len / 4) + 2u + 2u * writes);
	for (unsigned i = 0; i < n_up; i++)
		q_range(rtt, &p[i], &rtt->cb.up[i], rtt->cons[i], p[i].known, &wpos, &e);
	if (!e)
		e = rtt->ops.q_read_words(rtt->ops.user, rtt->addr, rtt->head, a_len / 4);
	/* RdOff of what the last poll delivered, right behind the block read
	 * that checks the ring is still the one it was planned on. */
	for (unsigned i = 0; i < n_up && !e; i++) {
		if (!rtt->cb.up[i].valid || rtt->cons[i] == expected_rd(rtt, i))
			continue;
		sw_le32_put(w, rtt->cons[i]);
		e = rtt->ops.q_write(rtt->ops.user, desc_addr(rtt, true, i) + SW_RTT_OFF_RD, w, 4);
		p[i].wrote = true;
	}
	for (unsigned i = 0; i < n_up; i++) {
		const struct sw_rtt_ring *r = &rtt->cb.up[i];
		if (p[i].got > p[i].known)
			q_range(rtt, &p[i], r, (uint32_t)(((uint64_t)rtt->cons[i] + p[i].known) % r->size),
				p[i].got - p[i].known, &wpos, &e);
	}
	if (e || rtt->ops.run(rtt->ops.user))
		return false;
	for (size_t k = 0; k < a_len / 4; k++)
		sw_le32_put(rtt->block + 4 * k, rtt->head[k]);
	if (!(down ? sw_rtt_cb_parse : sw_rtt_cb_parse_up)(rtt->block, a_len, rtt->ranges, rtt->n_ranges, &cb) ||
	    cb.n_up != n_up || cb.n_down != n_down) {
		for (unsigned i = 0; i < n_up; i++)
			if (p[i].wrote)
				undo_write(rtt, i, sw_le32_get(rtt->block + SW_RTT_HDR_SIZE + i * SW_RTT_DESC_SIZE +
							       SW_RTT_OFF_RD));
		return false;
	}
	if (!down)
		memcpy(cb.down, rtt->cb.down, sizeof(cb.down));
	/* Only the host moves an up ring's RdOff; if it is not what we last
	 * wrote, or WrOff moved further than the room the firmware had, the
	 * firmware re-initialised the block in place (a reset too quick for a
	 * poll to see the id missing): this batch's reads and writes were
	 * planned on the old rings. */
	for (unsigned i = 0; i < n_up; i++)
		reinit |= (rtt->rd_written[i] && cb.up[i].rd != rtt->rd_written[i] - 1u) ||
			  !same_shape(&cb.up[i], &rtt->cb.up[i]) ||
			  wr_jumped(rtt, i, rtt->cb.up[i].wr, cb.up[i].wr, expected_rd(rtt, i));
	if (reinit) {
		for (unsigned i = 0; i < n_up; i++) {
			if (p[i].wrote)
				undo_write(rtt, i, cb.up[i].rd);
			rtt->cons[i] = cb.up[i].rd;
		}
		rtt->st.reinits++;
		memset(rtt->rd_written, 0, sizeof(rtt->rd_written));
		SW_LOG_I(rtt->ctx, "RTT: control block at 0x%08x re-initialised", rtt->addr);
		rtt->cb = cb;
		return true;
	}
	for (unsigned i = 0; i < n_up; i++)
		if (p[i].wrote)
			rtt->rd_written[i] = rtt->cons[i] + 1u;
	adapt_peek(rtt, &cb);
	deliver(rtt, &cb, p, moved);
	rtt->cb = cb;
	for (unsigned i = 0; down && i < n_down; i++)
		if (service_down(rtt, i, moved))
			return false;
	return true;
}

/* One poll of a found block; false if it is gone (or changed shape). */
static bool service(struct sw_rtt *rtt, bool *moved)
{
	struct sw_rtt_cb cb;

	if (rtt->ops.run)
		return service_batched(rtt, moved);
	if (!read_block(rtt, rtt->addr, &cb) || cb.n_up != rtt->cb.n_up || cb.n_down != rtt->cb.n_down)
		return false;
	/* Only the host moves an up ring's RdOff; if it is not what we last
	 * wrote, the firmware re-initialised the block in place (a reset too
	 * quick for a poll to see the id missing). Nothing to redo: the
	 * descriptors were just read afresh. */
	for (unsigned i = 0; i < cb.n_up; i++)
		if (rtt->rd_written[i] && cb.up[i].rd != rtt->rd_written[i] - 1u) {
			rtt->st.reinits++;
			memset(rtt->rd_written, 0, sizeof(rtt->rd_written));
			SW_LOG_I(rtt->ctx, "RTT: control block at 0x%08x re-initialised", rtt->addr);
			break;
		}
	rtt->cb = cb;
	for (unsigned i = 0; i < cb.n_up; i++)
		rtt->cons[i] = cb.up[i].rd;
	for (unsigned i = 0; i < cb.n_up; i++)
		if (service_up(rtt, i, moved))
			return false;
	for (unsigned i = 0; i < cb.n_down; i++)
		if (service_down(rtt, i, moved))
			return false;
	return true;
}

static uint64_t idle_max(const struct sw_rtt *rtt, uint64_t now)
{
	return now - rtt->last_data_ns < SW_RTT_QUIET_NS ? SW_RTT_IDLE_MAX_NS : SW_RTT_QUIET_MAX_NS;
}

int sw_rtt_poll(struct sw_rtt *rtt, bool force)
{
	bool moved = false;
	uint64_t now = rtt->ops.clock_ns(rtt->ops.user);

	if (rtt->state == SW_RTT_STOPPED || (!force && now < rtt->next_ns))
		return SW_OK;
	rtt->st.polls++;
	rtt->backlog = false;
	if (rtt->state == SW_RTT_FOUND && elf_block_appeared(rtt)) {
		rtt->state = SW_RTT_SEARCHING;
	} else if (rtt->state == SW_RTT_FOUND && !service(rtt, &moved)) {
		SW_LOG_I(rtt->ctx, "RTT: control block at 0x%08x gone (reset or re-initialised); searching",
			 rtt->addr);
		rtt->state = SW_RTT_SEARCHING;
	}
	if (rtt->state == SW_RTT_SEARCHING && search(rtt))
		service(rtt, &moved);
	now = rtt->ops.clock_ns(rtt->ops.user);
	if (moved)
		rtt->last_data_ns = now;
	/* Searching: a fixed pace. Data flowing (moved within the hold time):
	 * fast, or at once while rings stay half full (throughput). Idle:
	 * double up to the idle maximum, so a quiet target costs little. */
	if (rtt->state == SW_RTT_SEARCHING)
		rtt->interval_ns = SW_RTT_SEARCH_NS;
	else if (rtt->backlog)
		rtt->interval_ns = 0;
	else if (moved || now - rtt->last_data_ns < SW_RTT_HOLD_NS)
		rtt->interval_ns = SW_RTT_FAST_NS;
	else if ((rtt->interval_ns *= 2) > idle_max(rtt, now))
		rtt->interval_ns = idle_max(rtt, now);
	else if (rtt->interval_ns == 0)
		rtt->interval_ns = SW_RTT_FAST_NS;
	rtt->next_ns = now + rtt->interval_ns;
	return SW_OK;
}

size_t sw_rtt_down_room(const struct sw_rtt *rtt, unsigned ch)
{
	return ch < SW_RTT_MAX_CHANNELS ? SW_RTT_DOWN_QUEUE - rtt->down[ch].len : 0;
}

size_t sw_rtt_down_push(struct sw_rtt *rtt, unsigned ch, const uint8_t *data, size_t len)
{
	struct down_queue *q;
	size_t n;

	if (ch >= SW_RTT_MAX_CHANNELS)
		return 0;
	q = &rtt->down[ch];
	n = SW_RTT_DOWN_QUEUE - q->len;
	if (n > len)
		n = len;
	memcpy(q->buf + q->len, data, n);
	q->len += n;
	if (n && rtt->state == SW_RTT_FOUND)
		rtt->next_ns = 0; /* typed text goes down at the next loop */
	return n;
}

void sw_rtt_get_status(const struct sw_rtt *rtt, struct sw_rtt_status *st)
{
	*st = rtt->st;
	st->state = rtt->state;
	st->addr = rtt->addr;
	st->has_user = rtt->has_user;
	st->user_addr = rtt->user_addr;
	st->has_elf = rtt->has_elf;
	st->elf_addr = rtt->elf_addr;
	st->source = rtt->source ? rtt->source : "-";
	st->interval_ns = rtt->interval_ns;
	st->n_up = rtt->state == SW_RTT_FOUND ? rtt->cb.n_up : 0;
	st->n_down = rtt->state == SW_RTT_FOUND ? rtt->cb.n_down : 0;
	for (unsigned i = 0; i < st->n_up; i++)
		st->up_size[i] = rtt->cb.up[i].size;
	for (unsigned i = 0; i < st->n_down; i++) {
		st->down_size[i] = rtt->cb.down[i].size;
		st->down_mode[i] = rtt->cb.down[i].flags & SW_RTT_MODE_MASK;
	}
}
