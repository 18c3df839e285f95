/* J-Link driver pieces that need no probe and no network: selector parsing
 * (rejected before any discovery scan runs) and the SWD batch size derived
 * from the probe's free memory. The end-to-end path is test_vjlink. */
#include "tests/test.h"

#include "probes/jlink.h"

static void test_max_bits_from_free_memory(void)
{
	/* (free - 16) / 2 bytes per bit array, as OpenOCD sizes it... */
	CHECK_EQ_U(sw_jlink_max_bits(16 + 2 * 2048), 2048 * 8);
	CHECK_EQ_U(sw_jlink_max_bits(16 + 2 * 4096), 4096 * 8);
	/* ...but not capped at 2048 bytes: only by the u16 bit count. */
	CHECK_EQ_U(sw_jlink_max_bits(1u << 20), 65528);
	/* No GET_FREE_MEMORY capability: OpenOCD's 2048-byte default. */
	CHECK_EQ_U(sw_jlink_max_bits(0), 2048 * 8);
	CHECK_EQ_U(sw_jlink_max_bits(10), 0);
}

static void test_bad_selectors_fail_before_scanning(void)
{
	struct sw_ctx ctx;
	struct sw_probe *p = (struct sw_probe *)&ctx;

	sw_ctx_init(&ctx);
	ctx.level = SW_LOG_NONE;
	CHECK_EQ_U(sw_jlink_open(&ctx, "jlink:12ab", &p), SW_ERR_ARG);
	CHECK(p == NULL);
	CHECK(strstr(sw_errmsg(&ctx), "12ab") != NULL);
	CHECK_EQ_U(sw_jlink_open(&ctx, "jlink:99999999999", &p), SW_ERR_ARG);
	CHECK_EQ_U(sw_jlink_open(&ctx, "jlink:tcp:", &p), SW_ERR_ARG);
	/* libjaylink 0.3.1 can only connect to port 19020. */
	CHECK_EQ_U(sw_jlink_open(&ctx, "jlink:tcp:127.0.0.1:2331", &p),
		   SW_ERR_NOT_SUPPORTED);
	CHECK(strstr(sw_errmsg(&ctx), "19020") != NULL);
}

int main(void)
{
	RUN_TEST(test_max_bits_from_free_memory);
	RUN_TEST(test_bad_selectors_fail_before_scanning);
	return TEST_MAIN_END();
}
