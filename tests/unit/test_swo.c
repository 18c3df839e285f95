/* SWO: the ITM packet decoder, the prescaler, the simulated H743 SWO pin
 * (rate, enables) set up by the host module, and vjlink's SWO commands. */
#include <stdlib.h>
#include <string.h>

#include "adi/adi.h"
#include "cortexm/core.h"
#include "probes/sim_probe.h"
#include "server/swo/itm.h"
#include "server/swo/swo_cfg.h"
#include "sim/sim.h"
#include "sim/vjlink_swo.h"
#include "sw/types.h"
#include "targets/target.h"
#include "tests/test.h"

#define DEMO_ELF BUILD_DIR "/fw/demo-h743.elf"

static void test_itm_decoder(void)
{
	/* sync, "A" on port 0, 'B' on port 1, overflow, a local timestamp with
	 * continuation, "CD" (2 bytes) on port 0, a DWT packet (hardware, 4
	 * bytes), a global timestamp, "EFGH" (4 bytes) on port 0. */
	static const uint8_t s[] = {0x00, 0x00, 0x00, 0x00, 0x00, 0x80, 0x01, 'A', 0x09, 'B', 0x70,
				    0xC0, 0x81, 0x02, 0x02, 'C', 'D', 0x17, 1, 2, 3, 4, 0x94, 0x80, 0x10,
				    0x03, 'E', 'F', 'G', 'H'};
	struct sw_itm_dec d;
	uint8_t out[64];
	size_t n = 0;

	sw_itm_init(&d);
	n = sw_itm_feed(&d, s, sizeof(s), 0, out, sizeof(out));
	CHECK(n == 7 && !memcmp(out, "ACDEFGH", 7));
	CHECK_EQ_U(d.syncs, 1u);
	CHECK_EQ_U(d.overflows, 1u);
	CHECK_EQ_U(d.packets, 5u);
	/* Byte by byte gives the same. */
	sw_itm_init(&d);
	n = 0;
	for (size_t i = 0; i < sizeof(s); i++)
		n += sw_itm_feed(&d, s + i, 1, 0, out + n, sizeof(out) - n);
	CHECK(n == 7 && !memcmp(out, "ACDEFGH", 7));
	/* Port 1 only. */
	sw_itm_init(&d);
	n = sw_itm_feed(&d, s, sizeof(s), 1, out, sizeof(out));
	CHECK(n == 1 && out[0] == 'B');
}

static void test_prescaler(void)
{
	struct sw_ctx ctx;
	uint32_t acpr = 0, actual = 0;

	sw_ctx_init(&ctx);
	ctx.level = SW_LOG_NONE;
	CHECK_OK(sw_swo_prescaler(&ctx, 64000000, 2000000, &acpr, &actual));
	CHECK(acpr == 31 && actual == 2000000);
	CHECK_OK(sw_swo_prescaler(&ctx, 480000000, 115200, &acpr, &actual));
	CHECK(acpr == 4166 && actual == 115190);
	CHECK(sw_swo_prescaler(&ctx, 64000000, 45000000, &acpr, &actual) == SW_ERR_ARG);
	CHECK(sw_swo_prescaler(&ctx, 1000000000, 100, &acpr, &actual) == SW_ERR_ARG); /* 13-bit ACPR */
	CHECK(sw_swo_prescaler(&ctx, 64000000, 0, &acpr, &actual) == SW_ERR_ARG);
	CHECK(sw_swo_layout_for("stm32h743")->trace_ap == 2);
	CHECK(sw_swo_layout_for("adiv6-m55")->tpiu && sw_swo_layout_for("adiv6-m55")->out_base == 0xE0040000u);
}

struct rig {
	struct sw_ctx ctx;
	struct sim *sim;
	struct sw_probe *probe;
	struct sw_target *t;
	sw_ap *apb;
};

static int rig_open(struct rig *g)
{
	int r;

	memset(g, 0, sizeof(*g));
	sw_ctx_init(&g->ctx);
	g->ctx.level = SW_LOG_NONE;
	if ((r = sim_new(&g->ctx, "stm32h743", &g->sim)) || (r = sim_load_elf(g->sim, DEMO_ELF)))
		return r;
	sim_power_on_reset(g->sim);
	if ((r = sw_sim_probe_open(&g->ctx, g->sim, 0, &g->probe)) ||
	    (r = sw_target_open(&g->ctx, g->probe, sw_target_find("stm32h743"), 0, &g->t)))
		return r;
	return sw_ap_open(sw_target_dap(g->t), 2, &g->apb);
}

static void rig_close(struct rig *g)
{
	if (g->apb)
		sw_ap_close(g->apb);
	sw_target_close(g->t);
	sw_probe_close(g->probe);
	sim_free(g->sim);
}

/* Text of ITM port 0 that left the pin in `ns` of virtual time. */
static size_t pin_text(struct rig *g, uint64_t ns, char *text, size_t max, size_t *raw, uint32_t *baud)
{
	struct sw_itm_dec d;
	uint8_t buf[8192];
	size_t n = 0, k;

	sw_itm_init(&d);
	*raw = 0;
	for (uint64_t t = 0; t < ns; t += 1000000) {
		sim_advance_ns(g->sim, 1000000);
		k = sim_swo_take(g->sim, buf, sizeof(buf), baud);
		*raw += k;
		n += sw_itm_feed(&d, buf, k, 0, (uint8_t *)text + n, max - 1 - n);
	}
	text[n] = 0;
	return n;
}

static void test_sim_pin(void)
{
	struct rig g;
	char *text = calloc(1, 65536);
	size_t raw = 0;
	uint32_t baud = 0, actual = 0;
	const struct sw_swo_layout *l = sw_swo_layout_for("stm32h743");

	CHECK_OK(rig_open(&g));
	if (!g.apb)
		goto out;
	/* Nothing before set-up: the firmware sees ITM disabled. */
	pin_text(&g, 20000000, text, 65536, &raw, &baud);
	CHECK(raw == 0 && baud == 0);
	CHECK_OK(sw_swo_configure(&g.ctx, sw_core_ap(sw_target_core(g.t, 0)), g.apb, l, 64000000, 2000000, 1,
				  &actual));
	CHECK_EQ_U(actual, 2000000u);
	pin_text(&g, 200000000, text, 65536, &raw, &baud);
	CHECK_EQ_U(baud, 2000000u);
	CHECK(strstr(text, "itm: tick ") != NULL);
	/* Each 1-byte packet is 2 bytes on the pin; the demo prints ~15 chars
	 * per ~8 ms, far below 200 kB/s: every byte gets out. */
	TEST_INFO("SWO pin: %zu bytes in 200 ms virtual at %u baud, %zu chars of text", raw, baud, strlen(text));
	CHECK(raw == 2 * strlen(text));
	/* Manchester (SPPR = 1) reaches no UART; neither does a stopped trace clock. */
	CHECK_OK(sw_mem_write32(g.apb, l->out_base + 0xF0, 1));
	pin_text(&g, 20000000, text, 65536, &raw, &baud);
	CHECK(raw == 0 && baud == 0);
	CHECK_OK(sw_mem_write32(g.apb, l->out_base + 0xF0, 2));
	CHECK_OK(sw_mem_write32(g.apb, l->dbgmcu_cr, 0));
	pin_text(&g, 20000000, text, 65536, &raw, &baud);
	CHECK(raw == 0);
	/* A slow pin limits the rate: 9600 baud = 960 bytes/s. */
	CHECK_OK(sw_swo_configure(&g.ctx, sw_core_ap(sw_target_core(g.t, 0)), g.apb, l, 64000000, 9600, 1,
				  &actual));
	pin_text(&g, 500000000, text, 65536, &raw, &baud);
	TEST_INFO("at %u baud: %zu bytes in 500 ms", baud, raw);
	CHECK(raw >= 470 && raw <= 492); /* plus the set-up round trips */
out:
	rig_close(&g);
	free(text);
}

static size_t swo_cmd(struct vj_swo *s, struct sim *sim, const uint8_t *req, size_t n, uint8_t *tx)
{
	long len = vj_swo_cmd_len(req, n);

	CHECK(len == (long)n);
	return len > 0 ? vj_swo_exec(s, sim, req, (size_t)len, tx, 8192) : 0;
}

static void test_vjlink_swo(void)
{
	struct rig g;
	struct vj_swo *s = calloc(1, sizeof(*s));
	uint8_t tx[8192], start[22] = {0x07, 0xEB, 0x64, 4, 1, 0, 0, 0, 0, 4, 2, 0, 0, 0, 0, 4, 4, 0, 0, 0, 0, 0};
	uint8_t read[10] = {0x07, 0xEB, 0x66, 4, 3, 0, 0x10, 0, 0, 0};
	uint8_t speeds[10] = {0x07, 0xEB, 0x6E, 4, 1, 0, 0, 0, 0, 0}, stop[4] = {0x07, 0xEB, 0x65, 0};
	uint32_t actual;
	struct sw_itm_dec d;
	uint8_t text[4096];
	size_t n, got = 0;

	CHECK(vj_swo_cmd_len(start, 10) == 0);              /* incomplete */
	CHECK(vj_swo_cmd_len((const uint8_t *)"\x07\xEB\x64\x20", 4) == -1);
	CHECK_OK(rig_open(&g));
	if (!g.apb)
		goto out;
	CHECK_EQ_U(swo_cmd(s, g.sim, speeds, sizeof(speeds), tx), 28u);
	CHECK(sw_le32_get(tx) == 28 && sw_le32_get(tx + 8) == 60000000u && sw_le32_get(tx + 12) == 4u);
	CHECK_OK(sw_swo_configure(&g.ctx, sw_core_ap(sw_target_core(g.t, 0)), g.apb,
				  sw_swo_layout_for("stm32h743"), 64000000, 2000000, 1, &actual));
	sw_le32_put(start + 11, 2000000);
	sw_le32_put(start + 17, 4096);
	CHECK_EQ_U(swo_cmd(s, g.sim, start, sizeof(start), tx), 4u);
	CHECK_EQ_U(sw_le32_get(tx), 0u);
	sw_itm_init(&d);
	for (int i = 0; i < 100; i++) {
		sim_advance_ns(g.sim, 2000000);
		n = swo_cmd(s, g.sim, read, sizeof(read), tx);
		CHECK(n >= 8 && sw_le32_get(tx) == 0 && sw_le32_get(tx + 4) == n - 8);
		got += sw_itm_feed(&d, tx + 8, n - 8, 0, text + got, sizeof(text) - 1 - got);
	}
	text[got] = 0;
	CHECK(strstr((char *)text, "itm: tick ") != NULL);
	/* Capture at a rate the chip does not send at: nothing usable. */
	CHECK_EQ_U(swo_cmd(s, g.sim, stop, sizeof(stop), tx), 4u);
	sw_le32_put(start + 11, 1000000);
	swo_cmd(s, g.sim, start, sizeof(start), tx);
	sim_advance_ns(g.sim, 50000000);
	n = swo_cmd(s, g.sim, read, sizeof(read), tx);
	CHECK(n == 8 && s->dropped > 0);
out:
	rig_close(&g);
	free(s);
}

int main(void)
{
	RUN_TEST(test_itm_decoder);
	RUN_TEST(test_prescaler);
	RUN_TEST(test_sim_pin);
	RUN_TEST(test_vjlink_swo);
	return TEST_MAIN_END();
}
