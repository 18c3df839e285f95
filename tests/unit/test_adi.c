/* Foundation acceptance tests (issue #2): the host SWD engine and ADI layer
 * against the simulated chips, at the bit level. */
#include "adi/adi.h"
#include "probes/sim_probe.h"
#include "sim/sim.h"
#include "tests/test.h"

struct rig {
	struct sw_ctx ctx;
	struct sim *sim;
	struct sw_probe *probe;
	sw_dap *dap;
	sw_ap *ap;
};

static int rig_open(struct rig *g, const char *chip, sw_ap_addr ap, unsigned flags)
{
	int r;

	memset(g, 0, sizeof(*g));
	sw_ctx_init(&g->ctx);
	g->ctx.level = SW_LOG_NONE;
	if ((r = sim_new(&g->ctx, chip, &g->sim)) || (r = sw_sim_probe_open(&g->ctx, g->sim, flags, &g->probe)) ||
	    (r = sw_dap_new(&g->ctx, g->probe, &g->dap)) || (r = sw_dap_connect(g->dap, 0)) ||
	    (r = sw_ap_open(g->dap, ap, &g->ap)))
		return r;
	return SW_OK;
}

static void rig_close(struct rig *g)
{
	sw_ap_close(g->ap);
	sw_dap_free(g->dap);
	sw_probe_close(g->probe);
	sim_free(g->sim);
}

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static uint8_t rnd8(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint8_t)rng_state;
}

static void test_h743_dpidr_powerup(void)
{
	struct rig g;
	uint32_t cs = 0;

	CHECK_OK(rig_open(&g, "stm32h743", 0, 0));
	CHECK_EQ_U(sw_dap_info(g.dap)->dpidr, 0x6BA02477u);
	CHECK_EQ_U(sw_dap_info(g.dap)->version, 2);
	CHECK_EQ_U(sw_dap_info(g.dap)->targetid, 0x04500041u);
	CHECK_EQ_U(sw_dap_info(g.dap)->designer, 0x43B);
	CHECK_OK(sw_dp_read(g.dap, SW_DP_CTRL_STAT, &cs));
	CHECK((cs & 0xA0000000u) == 0xA0000000u); /* CDBGPWRUPACK | CSYSPWRUPACK */
	rig_close(&g);
}

static void test_h743_ap_scan(void)
{
	struct rig g;
	struct sw_ap_info aps[8];
	size_t n = 0;

	CHECK_OK(rig_open(&g, "stm32h743", 0, 0));
	CHECK_OK(sw_ap_scan(g.dap, aps, 8, &n));
	CHECK_EQ_U(n, 3);
	if (n == 3) {
		CHECK_EQ_U(aps[0].addr, 0);
		CHECK(aps[0].class_ == SW_AP_CLASS_MEM && aps[0].type == 1); /* AHB-AP */
		CHECK_EQ_U(aps[1].addr, 1);
		CHECK_EQ_U(aps[2].addr, 2);
		CHECK(aps[2].class_ == SW_AP_CLASS_MEM && aps[2].type == 2); /* APB-AP */
		CHECK(aps[0].base_present && aps[0].base == 0xE00FE000u);
	}
	rig_close(&g);
}

static void test_h743_romtable(void)
{
	struct rig g;
	struct sw_component c[16];
	size_t n = 0;
	const struct { const char *name; uint64_t addr; } want[] = {
		{"SCS", 0xE000E000u}, {"DWT", 0xE0001000u}, {"FPB", 0xE0002000u}, {"ITM", 0xE0000000u}};

	CHECK_OK(rig_open(&g, "stm32h743", 0, 0));
	CHECK_OK(sw_romtable_walk(g.ap, sw_ap_get_info(g.ap)->base, c, 16, &n));
	for (size_t w = 0; w < 4; w++) {
		bool found = false;
		for (size_t i = 0; i < n; i++)
			if (!strcmp(c[i].name, want[w].name) && c[i].addr == want[w].addr)
				found = true;
		CHECK_MSG(found, "%s at 0x%llx not found in the ROM-table walk", want[w].name,
			  (unsigned long long)want[w].addr);
	}
	for (size_t i = 0; i < n; i++)
		TEST_INFO("rom: depth %u 0x%08llx %s (%s, part 0x%03x)", c[i].depth,
			  (unsigned long long)c[i].addr, c[i].name, sw_jep106_name(c[i].designer), c[i].partno);
	rig_close(&g);
}

static void roundtrip_64k(const char *chip, sw_ap_addr apaddr, uint32_t base, unsigned flags)
{
	static uint8_t wbuf[65536], rbuf[65536];
	struct rig g;
	struct sw_probe_stats before;

	CHECK_OK(rig_open(&g, chip, apaddr, flags));
	for (size_t i = 0; i < sizeof(wbuf); i++)
		wbuf[i] = rnd8();
	CHECK_OK(sw_mem_write(g.ap, base, wbuf, sizeof(wbuf)));
	before = g.probe->stats;
	uint64_t t0 = sim_now_ns(g.sim);
	CHECK_OK(sw_mem_read(g.ap, base, rbuf, sizeof(rbuf)));
	uint64_t rts = g.probe->stats.round_trips - before.round_trips;
	CHECK(memcmp(wbuf, rbuf, sizeof(wbuf)) == 0);
	/* Issue #2: no more than ceil(64 KiB / 1 KiB) + a few round trips. */
	CHECK_MSG(rts <= 64 + 4, "64 KiB read took %llu round trips", (unsigned long long)rts);
	TEST_INFO("%s%s: 64 KiB read: %llu round trips, %llu transactions, %llu SWCLK cycles, %.3f ms virtual",
		  chip, flags ? " (txn)" : "", (unsigned long long)rts,
		  (unsigned long long)(g.probe->stats.transactions - before.transactions),
		  (unsigned long long)(g.probe->stats.swd_cycles - before.swd_cycles),
		  (double)(sim_now_ns(g.sim) - t0) / 1e6);
	/* Back door agrees with what the wire wrote. */
	CHECK_OK(sim_mem_read(g.sim, base, rbuf, sizeof(rbuf)));
	CHECK(memcmp(wbuf, rbuf, sizeof(wbuf)) == 0);
	rig_close(&g);
}

static void test_h743_64k_random(void)
{
	roundtrip_64k("stm32h743", 0, 0x24000000u, 0);
}

static void test_h743_64k_txn_path(void)
{
	roundtrip_64k("stm32h743", 0, 0x24000000u, SW_SIM_PROBE_TXN);
}

static void odd_transfers(const char *chip, sw_ap_addr apaddr, uint32_t base)
{
	struct rig g;
	uint8_t ref[4096], buf[4096];
	static const struct { uint32_t off; size_t len; } cases[] = {
		{1, 1}, {2, 2}, {3, 1}, {1, 2}, {0x3FF, 3}, {0x3FD, 7}, {0x3FE, 2},
		{0x7FF, 1026}, {0x401, 1023}, {5, 2047}, {0xBFE, 5}, {0xFF, 0x302}};

	CHECK_OK(rig_open(&g, chip, apaddr, 0));
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		for (size_t i = 0; i < sizeof(ref); i++)
			ref[i] = rnd8();
		CHECK_OK(sim_mem_write(g.sim, base, ref, sizeof(ref)));
		uint8_t data[4096];
		for (size_t i = 0; i < cases[c].len; i++)
			data[i] = rnd8();
		CHECK_OK(sw_mem_write(g.ap, base + cases[c].off, data, cases[c].len));
		memcpy(ref + cases[c].off, data, cases[c].len);
		CHECK_OK(sim_mem_read(g.sim, base, buf, sizeof(buf)));
		CHECK_MSG(!memcmp(ref, buf, sizeof(buf)), "write off 0x%x len %zu not byte-exact",
			  cases[c].off, cases[c].len);
		memset(buf, 0, sizeof(buf));
		CHECK_OK(sw_mem_read(g.ap, base + cases[c].off, buf, cases[c].len));
		CHECK_MSG(!memcmp(ref + cases[c].off, buf, cases[c].len), "read off 0x%x len %zu differs",
			  cases[c].off, cases[c].len);
	}
	rig_close(&g);
}

static void test_h743_odd_transfers(void)
{
	odd_transfers("stm32h743", 0, 0x24000000u);
}

static void faults(const char *chip, sw_ap_addr apaddr, uint32_t base)
{
	struct rig g;
	uint32_t v = 0;
	uint8_t buf[2048];
	int r;

	CHECK_OK(rig_open(&g, chip, apaddr, 0));
	CHECK_OK(sw_mem_write32(g.ap, base, 0xCAFEF00Du));
	/* WAIT storm: 50 consecutive WAITs, then a 2 KiB read must still work
	 * (each costs a whole batch on the wire: well under the 500 ms policy). */
	sim_inject(g.sim, SIM_FAULT_WAIT, 3, 50);
	CHECK_OK(sw_mem_read(g.ap, base, buf, sizeof(buf)));
	CHECK_EQ_U((uint32_t)buf[0] | (uint32_t)buf[1] << 8 | (uint32_t)buf[2] << 16 | (uint32_t)buf[3] << 24, 0xCAFEF00Du);
	CHECK_MSG(g.probe->stats.waits >= 50, "waits %llu", (unsigned long long)g.probe->stats.waits);
	/* FAULT: reported, cleared through ABORT, and the next access works. */
	sim_inject(g.sim, SIM_FAULT_FAULT, 0, 1);
	r = sw_mem_read32(g.ap, base, &v);
	CHECK_MSG(r != SW_OK, "injected FAULT not reported");
	CHECK_OK(sw_mem_read32(g.ap, base, &v));
	CHECK_EQ_U(v, 0xCAFEF00Du);
	/* A real bus fault (unmapped address) is reported the same way. */
	r = sw_mem_read32(g.ap, 0xA0000000u, &v);
	CHECK_EQ_U(r, SW_ERR_MEM_FAULT);
	CHECK_OK(sw_mem_read32(g.ap, base, &v));
	/* Parity error on read data: detected, never returned as data. */
	v = 0x12345678u;
	sim_inject(g.sim, SIM_FAULT_PARITY, 0, 1);
	r = sw_mem_read32(g.ap, base, &v);
	CHECK_EQ_U(r, SW_ERR_SWD_PARITY);
	CHECK_EQ_U(v, 0x12345678u);
	CHECK_OK(sw_mem_read32(g.ap, base, &v));
	CHECK_EQ_U(v, 0xCAFEF00Du);
	/* No response: the engine resynchronises the line for the next access. */
	sim_inject(g.sim, SIM_FAULT_NORESP, 2, 1);
	r = sw_mem_read32(g.ap, base, &v);
	CHECK_EQ_U(r, SW_ERR_SWD_NOACK);
	CHECK_OK(sw_mem_read32(g.ap, base, &v));
	CHECK_EQ_U(v, 0xCAFEF00Du);
	{
		/* The simulator counts the injected faults that hit a transaction:
		 * 50 + 1 + 1 + 1 above; one cleared before any access never fires. */
		struct sim_counters c;

		sim_get_counters(g.sim, &c);
		CHECK_EQ_U(c.faults_fired, 53);
		sim_inject(g.sim, SIM_FAULT_FAULT, 5, 1);
		sim_inject_clear(g.sim);
		CHECK_OK(sw_mem_read(g.ap, base, buf, sizeof(buf)));
		sim_get_counters(g.sim, &c);
		CHECK_EQ_U(c.faults_fired, 53);
		/* A parity fault waiting for a read does not fire on writes. */
		sim_inject(g.sim, SIM_FAULT_PARITY, 0, 1);
		CHECK_OK(sw_mem_write32(g.ap, base + 4, 1));
		sim_inject_clear(g.sim);
		sim_get_counters(g.sim, &c);
		CHECK_EQ_U(c.faults_fired, 53);
		/* Write data with a bad parity bit: the target discards it and sets
		 * WDATAERR (ADIv5.2 B4.2.4); the write fails or is redone, never
		 * reported done while memory holds the old value. */
		CHECK_OK(sw_mem_write32(g.ap, base, 0x11111111u));
		sim_inject(g.sim, SIM_FAULT_WPARITY, 0, 1);
		r = sw_mem_write32(g.ap, base, 0x22222222u);
		sim_get_counters(g.sim, &c);
		CHECK_EQ_U(c.faults_fired, 54);
		CHECK_OK(sw_mem_read32(g.ap, base, &v));
		CHECK_MSG(r == SW_OK ? v == 0x22222222u : v == 0x11111111u, "write r=%d, memory 0x%08x", r, v);
		CHECK_OK(sw_mem_write32(g.ap, base, 0xCAFEF00Du));
	}
	rig_close(&g);
}

static void test_h743_faults(void)
{
	faults("stm32h743", 0, 0x24000000u);
}

static void test_adiv6_dp_and_ap(void)
{
	struct rig g;
	struct sw_ap_info aps[4];
	struct sw_component c[16];
	size_t n = 0;

	CHECK_OK(rig_open(&g, "adiv6-m55", 0x200000u, 0));
	CHECK(sw_dap_info(g.dap)->adiv6);
	CHECK_EQ_U(sw_dap_info(g.dap)->dpidr, 0x4C013477u);
	CHECK_EQ_U(sw_dap_info(g.dap)->baseptr, 0);
	CHECK_OK(sw_ap_scan(g.dap, aps, 4, &n));
	CHECK_EQ_U(n, 1);
	if (n)
		CHECK_EQ_U(aps[0].addr, 0x200000u);
	CHECK_OK(sw_romtable_walk(g.ap, sw_ap_get_info(g.ap)->base, c, 16, &n));
	const char *want[] = {"SCS", "DWT", "FPB", "ITM"};
	for (size_t w = 0; w < 4; w++) {
		bool found = false;
		for (size_t i = 0; i < n; i++)
			found |= !strcmp(c[i].name, want[w]);
		CHECK_MSG(found, "ADIv6: %s not found", want[w]);
	}
	rig_close(&g);
}

static void test_adiv6_64k(void)
{
	roundtrip_64k("adiv6-m55", 0x200000u, 0x20000000u, 0);
}

static void test_adiv6_odd(void)
{
	odd_transfers("adiv6-m55", 0x200000u, 0x20000000u);
}

static void test_adiv6_faults(void)
{
	faults("adiv6-m55", 0x200000u, 0x20000000u);
}

static void test_no_target(void)
{
	struct sw_ctx ctx;
	struct sim *sim;
	struct sw_probe *probe;
	sw_dap *dap;

	sw_ctx_init(&ctx);
	ctx.level = SW_LOG_NONE;
	CHECK_OK(sim_new(&ctx, "stm32h743", &sim));
	CHECK_OK(sw_sim_probe_open(&ctx, sim, 0, &probe));
	CHECK_OK(sw_dap_new(&ctx, probe, &dap));
	sim_inject(sim, SIM_FAULT_NORESP, 0, 100000);
	CHECK(sw_dap_connect(dap, 0) != SW_OK);
	CHECK(strstr(sw_errmsg(&ctx), "no SWD target") != NULL);
	sw_dap_free(dap);
	sw_probe_close(probe);
	sim_free(sim);
}

int main(void)
{
	RUN_TEST(test_h743_dpidr_powerup);
	RUN_TEST(test_h743_ap_scan);
	RUN_TEST(test_h743_romtable);
	RUN_TEST(test_h743_64k_random);
	RUN_TEST(test_h743_64k_txn_path);
	RUN_TEST(test_h743_odd_transfers);
	RUN_TEST(test_h743_faults);
	RUN_TEST(test_adiv6_dp_and_ap);
	RUN_TEST(test_adiv6_64k);
	RUN_TEST(test_adiv6_odd);
	RUN_TEST(test_adiv6_faults);
	RUN_TEST(test_no_target);
	return TEST_MAIN_END();
}
