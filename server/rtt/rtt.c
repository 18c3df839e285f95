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
#include "server/rtt/rtt_priv.h"
#include "sw/types.h"

static int still_same(struct sw_rtt *rtt, uint32_t desc, const struct sw_rtt_ring *r, bool up);

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
		if (!rtt->cb.up[i].valid || rtt->cons[i] == sw_rtt_expected_rd(rtt, i))
			continue;
		sw_le32_put(w, rtt->cons[i]);
		if (still_same(rtt, sw_rtt_desc_addr(rtt, true, i), &(struct sw_rtt_ring){.rd = sw_rtt_expected_rd(rtt, i)},
			       true) ||
		    rtt->ops.write(rtt->ops.user, sw_rtt_desc_addr(rtt, true, i) + SW_RTT_OFF_RD, w, 4))
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
uint32_t sw_rtt_expected_rd(const struct sw_rtt *rtt, unsigned ch)
{
	return rtt->rd_written[ch] ? rtt->rd_written[ch] - 1u : rtt->cb.up[ch].rd;
}

bool sw_rtt_same_shape(const struct sw_rtt_ring *a, const struct sw_rtt_ring *b)
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
		bool keep = addr == rtt->addr && i < rtt->cb.n_up && sw_rtt_same_shape(&cb.up[i], &rtt->cb.up[i]) &&
			    cb.up[i].rd == sw_rtt_expected_rd(rtt, i) && rtt->cons[i] < cb.up[i].size;
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

uint32_t sw_rtt_desc_addr(const struct sw_rtt *rtt, bool up, unsigned ch)
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
	if (still_same(rtt, sw_rtt_desc_addr(rtt, true, ch), r, true) ||
	    rtt->ops.write(rtt->ops.user, sw_rtt_desc_addr(rtt, true, ch) + SW_RTT_OFF_RD, w, 4))
		return -1;
	rtt->rd_written[ch] = rd + 1u;
	return 0;
}

int sw_rtt_service_down(struct sw_rtt *rtt, unsigned ch, bool *moved)
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
		if (still_same(rtt, sw_rtt_desc_addr(rtt, false, ch), r, false) ||
		    rtt->ops.write(rtt->ops.user, sw_rtt_desc_addr(rtt, false, ch) + SW_RTT_OFF_WR, w, 4))
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

/* One poll of a found block; false if it is gone (or changed shape). */
static bool service(struct sw_rtt *rtt, bool *moved)
{
	struct sw_rtt_cb cb;

	if (rtt->ops.run)
		return sw_rtt_service_batched(rtt, moved);
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
		if (sw_rtt_service_down(rtt, i, moved))
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
