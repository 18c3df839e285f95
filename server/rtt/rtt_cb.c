/* RTT control block parsing and ring arithmetic (see rtt_cb.h). */
#include <string.h>

#include "server/rtt/rtt_cb.h"
#include "sw/types.h"

bool sw_rtt_cb_header(const uint8_t *buf, size_t len, uint32_t *n_up, uint32_t *n_down)
{
	static const char id[SW_RTT_ID_LEN] = SW_RTT_ID;
	uint32_t up, down;

	if (len < SW_RTT_HDR_SIZE || memcmp(buf, id, sizeof(SW_RTT_ID)) != 0)
		return false;
	up = sw_le32_get(buf + 16);
	down = sw_le32_get(buf + 20);
	/* Counts are int32 in the layout: a negative one is garbage too. */
	if (up == 0 || up > SW_RTT_MAX_CHANNELS || down > SW_RTT_MAX_CHANNELS)
		return false;
	*n_up = up;
	*n_down = down;
	return true;
}

size_t sw_rtt_cb_size(uint32_t n_up, uint32_t n_down)
{
	return SW_RTT_HDR_SIZE + (size_t)(n_up + n_down) * SW_RTT_DESC_SIZE;
}

static bool in_ranges(uint32_t base, uint32_t size, const struct sw_rtt_range *ranges, size_t n)
{
	if (!n)
		return true;
	for (size_t i = 0; i < n; i++) {
		uint64_t lo = ranges[i].base, hi = lo + ranges[i].size;
		if (base >= lo && (uint64_t)base + size <= hi)
			return true;
	}
	return false;
}

static void parse_ring(const uint8_t *d, const struct sw_rtt_range *ranges, size_t n_ranges,
		       struct sw_rtt_ring *r)
{
	r->name_addr = sw_le32_get(d + SW_RTT_OFF_NAME);
	r->buf = sw_le32_get(d + SW_RTT_OFF_BUF);
	r->size = sw_le32_get(d + SW_RTT_OFF_SIZE);
	r->wr = sw_le32_get(d + SW_RTT_OFF_WR);
	r->rd = sw_le32_get(d + SW_RTT_OFF_RD);
	r->flags = sw_le32_get(d + SW_RTT_OFF_FLAGS);
	/* A ring of one byte can never hold data (one slot stays free). */
	r->valid = r->size >= 2 && r->size <= SW_RTT_MAX_BUF && r->wr < r->size && r->rd < r->size &&
		   (uint64_t)r->buf + r->size <= 0x100000000ull &&
		   in_ranges(r->buf, r->size, ranges, n_ranges);
}

static bool parse(const uint8_t *buf, size_t len, const struct sw_rtt_range *ranges, size_t n_ranges,
		  struct sw_rtt_cb *cb, bool with_down)
{
	uint32_t up, down;

	memset(cb, 0, sizeof(*cb));
	if (!sw_rtt_cb_header(buf, len, &up, &down) ||
	    len < (with_down ? sw_rtt_cb_size(up, down) : sw_rtt_cb_size(up, 0)))
		return false;
	cb->n_up = up;
	cb->n_down = down;
	for (uint32_t i = 0; i < up; i++)
		parse_ring(buf + SW_RTT_HDR_SIZE + i * SW_RTT_DESC_SIZE, ranges, n_ranges, &cb->up[i]);
	for (uint32_t i = 0; with_down && i < down; i++)
		parse_ring(buf + SW_RTT_HDR_SIZE + (up + i) * SW_RTT_DESC_SIZE, ranges, n_ranges,
			   &cb->down[i]);
	return true;
}

bool sw_rtt_cb_parse(const uint8_t *buf, size_t len, const struct sw_rtt_range *ranges,
		     size_t n_ranges, struct sw_rtt_cb *cb)
{
	return parse(buf, len, ranges, n_ranges, cb, true);
}

bool sw_rtt_cb_parse_up(const uint8_t *buf, size_t len, const struct sw_rtt_range *ranges,
			size_t n_ranges, struct sw_rtt_cb *cb)
{
	return parse(buf, len, ranges, n_ranges, cb, false);
}

uint32_t sw_rtt_ring_used(const struct sw_rtt_ring *r)
{
	return sw_rtt_ring_used_from(r, r->rd);
}

uint32_t sw_rtt_ring_free(const struct sw_rtt_ring *r)
{
	if (!r->valid)
		return 0;
	return r->size - 1u - sw_rtt_ring_used(r);
}

uint32_t sw_rtt_ring_used_from(const struct sw_rtt_ring *r, uint32_t rd)
{
	if (!r->valid || rd >= r->size)
		return 0;
	return r->wr >= rd ? r->wr - rd : r->size - (rd - r->wr);
}

void sw_rtt_fair_share(const uint32_t *want, unsigned n, uint32_t budget, unsigned first, uint32_t *got)
{
	uint32_t left = budget;

	memset(got, 0, n * sizeof(*got));
	for (;;) {
		unsigned hungry = 0;
		for (unsigned i = 0; i < n; i++)
			hungry += got[i] < want[i];
		if (!hungry || !left)
			return;
		uint32_t share = left / hungry;
		if (!share) { /* fewer bytes than channels: one each, round robin */
			for (unsigned j = 0; j < n && left; j++) {
				unsigned i = (first + j) % n;
				if (got[i] < want[i]) {
					got[i]++;
					left--;
				}
			}
			return;
		}
		for (unsigned i = 0; i < n; i++) {
			uint32_t give = want[i] - got[i] < share ? want[i] - got[i] : share;
			got[i] += give;
			left -= give;
		}
	}
}

unsigned sw_rtt_ring_split(const struct sw_rtt_ring *r, uint32_t off, uint32_t n, uint32_t len[2])
{
	uint32_t first;

	len[0] = len[1] = 0;
	if (!r->valid || off >= r->size || n == 0)
		return 0;
	if (n > r->size - 1u)
		n = r->size - 1u;
	first = r->size - off;
	if (n <= first) {
		len[0] = n;
		return 1;
	}
	len[0] = first;
	len[1] = n - first;
	return 2;
}

uint32_t sw_rtt_down_plan(const struct sw_rtt_ring *r, uint32_t queued, uint32_t *drop)
{
	uint32_t room = sw_rtt_ring_free(r);

	*drop = 0;
	if (!r->valid)
		return 0;
	if (queued <= room)
		return queued;
	switch (r->flags & SW_RTT_MODE_MASK) {
	case SW_RTT_MODE_SKIP:
		*drop = queued;
		return 0;
	case SW_RTT_MODE_TRIM:
		*drop = queued - room;
		return room;
	default: /* BLOCK (and the reserved value 3): wait for room */
		return room;
	}
}

long sw_rtt_find_id(const uint8_t *buf, size_t len)
{
	static const char id[] = SW_RTT_ID; /* with its NUL: "SEGGER RTTx" is not ours */
	const uint8_t *p = memmem(buf, len, id, sizeof(id));

	return p ? (long)(p - buf) : -1;
}
