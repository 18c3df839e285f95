/* libFuzzer target: the remote-probe decoders (server/remote/proto.c) on
 * hostile bytes, as an authenticated but malicious peer would send them:
 * header, BATCH request, BATCH reply and the reply status prologue. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "server/remote/proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sw_ctx ctx;
	struct sw_rp_hdr h;
	struct sw_swd_req *reqs = calloc(SW_RP_MAX_BATCH, sizeof(*reqs));
	struct sw_rp_rd r;
	char msg[SW_RP_MAX_MSG + 1];
	uint32_t us;
	size_t n = 0;

	if (!reqs)
		return 0;
	sw_ctx_init(&ctx);
	ctx.level = SW_LOG_NONE;
	if (size >= SW_RP_HDR)
		(void)sw_rp_hdr_get(&ctx, data, &h);
	(void)sw_rp_batch_decode(&ctx, data, size, reqs, SW_RP_MAX_BATCH, &n);
	/* The reply side: requests shaped by the first bytes, then the body. */
	n = size ? (size_t)(data[0] % 64u) : 0;
	for (size_t i = 0; i < n; i++)
		reqs[i].req = (uint8_t)(i < size ? data[i] & 0x0fu : 0);
	r = (struct sw_rp_rd){data, size, 0, false};
	(void)sw_rp_get_status(&r, msg, sizeof(msg));
	(void)sw_rp_batch_reply_decode(&ctx, &r, reqs, n, &us);
	free(reqs);
	return 0;
}
