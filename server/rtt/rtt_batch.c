/* The batched RTT poll (rtt.c has the order it follows): plan each up
 * ring's reads within the poll's wire budget, queue them around the block
 * read and the RdOff write-backs, run the batch as one probe round trip,
 * then check the block and hand over what the fresh WrOffs cover. */
#include <string.h>

#include "server/rtt/rtt_priv.h"
#include "sw/types.h"

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
	rtt->ops.write(rtt->ops.user, sw_rtt_desc_addr(rtt, true, ch) + SW_RTT_OFF_RD, w, 4);
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
bool sw_rtt_service_batched(struct sw_rtt *rtt, bool *moved)
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
		writes += rtt->cb.up[i].valid && rtt->cons[i] != sw_rtt_expected_rd(rtt, i);
	/* Fixed costs: the block read (TAR, RDBUFF) and 2 per write-back. */
	plan_reads(rtt, p, (uint32_t)(a_len / 4) + 2u + 2u * writes);
	for (unsigned i = 0; i < n_up; i++)
		q_range(rtt, &p[i], &rtt->cb.up[i], rtt->cons[i], p[i].known, &wpos, &e);
	if (!e)
		e = rtt->ops.q_read_words(rtt->ops.user, rtt->addr, rtt->head, a_len / 4);
	/* RdOff of what the last poll delivered, right behind the block read
	 * that checks the ring is still the one it was planned on. */
	for (unsigned i = 0; i < n_up && !e; i++) {
		if (!rtt->cb.up[i].valid || rtt->cons[i] == sw_rtt_expected_rd(rtt, i))
			continue;
		sw_le32_put(w, rtt->cons[i]);
		e = rtt->ops.q_write(rtt->ops.user, sw_rtt_desc_addr(rtt, true, i) + SW_RTT_OFF_RD, w, 4);
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
			  !sw_rtt_same_shape(&cb.up[i], &rtt->cb.up[i]) ||
			  wr_jumped(rtt, i, rtt->cb.up[i].wr, cb.up[i].wr, sw_rtt_expected_rd(rtt, i));
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
		if (sw_rtt_service_down(rtt, i, moved))
			return false;
	return true;
}
