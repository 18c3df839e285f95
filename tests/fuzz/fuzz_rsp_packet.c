/* libFuzzer target: the RSP framing layer fed hostile bytes, plus the
 * helpers every packet handler uses on its payload. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "server/gdb/rsp_packet.h"
#include "sw/hex.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct rsp_parser p; /* fuzz harness only: 128 KiB, off the stack */
	uint8_t framed[512];

	rsp_parser_init(&p);
	for (size_t i = 0; i < size; i++) {
		if (rsp_feed(&p, data[i]) != RSP_EV_PACKET)
			continue;
		uint64_t v;
		const char *end;
		sw_hex_u64((const char *)p.data, &end, &v);
		size_t n = rsp_unescape(p.data, p.len);
		if (n <= 200)
			rsp_frame(p.data, n, framed, sizeof(framed));
	}
	return 0;
}
