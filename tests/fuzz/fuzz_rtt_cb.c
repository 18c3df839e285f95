/* libFuzzer target: the RTT control-block parser and ring arithmetic fed
 * with arbitrary target memory. Whatever the bytes, parsing stays inside
 * the buffer and every valid ring's transfer plan stays inside the ring. */
#include <stdint.h>
#include <stdlib.h>

#include "server/rtt/rtt_cb.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct sw_rtt_range ram[] = {{0x20000000u, 0x20000u}, {0x24000000u, 0x80000u}};
	struct sw_rtt_cb cb;

	(void)sw_rtt_find_id(data, size);
	if (!sw_rtt_cb_parse(data, size, ram, 2, &cb))
		return 0;
	if (cb.n_up > SW_RTT_MAX_CHANNELS || cb.n_down > SW_RTT_MAX_CHANNELS)
		abort();
	for (uint32_t i = 0; i < cb.n_up + cb.n_down; i++) {
		const struct sw_rtt_ring *r = i < cb.n_up ? &cb.up[i] : &cb.down[i - cb.n_up];
		uint32_t len[2], drop, used = sw_rtt_ring_used(r);
		unsigned n = sw_rtt_ring_split(r, r->rd, used, len);
		if (!r->valid)
			continue;
		if (used >= r->size || sw_rtt_ring_free(r) >= r->size)
			abort();
		if (n && ((uint64_t)r->rd + len[0] > r->size || len[1] > r->wr))
			abort();
		if (sw_rtt_down_plan(r, 1000, &drop) + drop > 1000)
			abort();
	}
	return 0;
}
