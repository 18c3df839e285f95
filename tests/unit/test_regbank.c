/* Core registers through the MEM-AP banked data registers (ADIv5.2 C2.6):
 * every register in one probe exchange, values checked against what the
 * CPU itself stores to RAM, injected WAIT/FAULT in the middle of a batch,
 * and the TAR the banked accesses rely on forgotten whenever anything else
 * may have moved it. */
#include "adi/adi.h"
#include "cortexm/core.h"
#include "probes/sim_probe.h"
#include "sim/sim.h"
#include "targets/target.h"
#include "tests/test.h"

#define CODE 0x20000100u
#define STACK 0x20000800u
#define CPACR 0xE000ED88u
#define DEMCR 0xE000EDFCu
#define RAMW 0x20000400u

struct rig {
	struct sw_ctx ctx;
	struct sim *sim;
	struct sw_probe *probe;
	struct sw_target *t;
	struct sw_core *core;
	bool ok;
};

static void rig_open(struct rig *g, const char *chip)
{
	int r;

	memset(g, 0, sizeof(*g));
	sw_ctx_init(&g->ctx);
	g->ctx.level = SW_LOG_NONE;
	if ((r = sim_new(&g->ctx, chip, &g->sim)) || (r = sw_sim_probe_open(&g->ctx, g->sim, 0, &g->probe)) ||
	    (r = sw_target_open(&g->ctx, g->probe, sw_target_find(chip), 0, &g->t))) {
		CHECK_MSG(0, "%s: %s", chip, sw_errmsg(&g->ctx));
		return;
	}
	g->core = sw_target_core(g->t, 0);
	CHECK_OK(sw_core_halt(g->core));
	g->ok = true;
}

static void rig_close(struct rig *g)
{
	sw_target_close(g->t);
	sw_probe_close(g->probe);
	sim_free(g->sim);
}

static uint64_t pattern(unsigned regno)
{
	if (regno >= SW_REG_D0 && regno <= SW_REG_D15)
		return 0x4000000000000000ull | (uint64_t)(regno - SW_REG_D0) << 40 | 0x5A5A0000u | regno;
	return 0xA5000000u | regno * 0x010101u;
}

/* Registers gdb's `g` carries on this core, in g order. */
static size_t g_regs(const struct sw_core *c, unsigned *regs)
{
	const struct sw_core_info *in = sw_core_get_info(c);
	size_t n = 0;

	for (unsigned i = 0; i < SW_REG_COUNT; i++) {
		enum sw_reg_feature f = sw_reg_table()[i].feature;
		if ((f == SW_REGF_VFP && !in->fpu) || (f == SW_REGF_SECEXT && !in->secext) ||
		    (f == SW_REGF_MVE && !in->mve))
			continue;
		regs[n++] = i;
	}
	return n;
}

/* Registers the program below stores, with a pattern each; SP, PC, xPSR
 * and FPSCR set so that it runs. */
static size_t write_set(const struct sw_core *c, unsigned *regs, uint64_t *vals)
{
	size_t n = 0;

	for (unsigned i = 0; i <= 12; i++)
		regs[n] = i, vals[n++] = pattern(i);
	regs[n] = SW_REG_LR, vals[n++] = pattern(SW_REG_LR);
	regs[n] = SW_REG_SP, vals[n++] = STACK;
	regs[n] = SW_REG_PC, vals[n++] = CODE;
	regs[n] = SW_REG_XPSR, vals[n++] = 0x01000000u; /* EPSR.T */
	if (sw_core_get_info(c)->fpu) {
		for (unsigned i = SW_REG_D0; i <= SW_REG_D15; i++)
			regs[n] = i, vals[n++] = pattern(i);
		regs[n] = SW_REG_FPSCR, vals[n++] = 0x03C00000u; /* RMode, FZ, DN */
		regs[n] = SW_REG_BASEPRI, vals[n++] = 0x40u; /* a packed one */
	}
	return n;
}

static uint64_t find(const unsigned *regs, const uint64_t *vals, size_t n, unsigned regno)
{
	for (size_t i = 0; i < n; i++)
		if (regs[i] == regno)
			return vals[i];
	return ~0ull;
}

/* Writes all patterns in one batch and reads every register of `g` back in
 * one exchange; lets the CPU push r0-r12, lr and d0-d15 to RAM (the CPU's
 * own view as the truth), then reads them all again and compares. */
static void all_registers_on(const char *chip)
{
	/* stmdb sp!, {r0-r12, lr}; vpush {d0-d15}; b . */
	static const uint8_t code[] = {0x2d, 0xe9, 0xff, 0x5f, 0x2d, 0xed, 0x20, 0x0b, 0xfe, 0xe7};
	unsigned wregs[SW_REG_COUNT], regs[SW_REG_COUNT];
	uint64_t wvals[SW_REG_COUNT], vals[SW_REG_COUNT];
	uint32_t ram[14 + 32], cpacr = 0;
	struct sw_probe_stats s0, s1;
	struct rig g;
	bool fpu;

	rig_open(&g, chip);
	if (!g.ok)
		return;
	fpu = sw_core_get_info(g.core)->fpu;
	CHECK_OK(sw_core_mem_write(g.core, CODE, code, sizeof(code)));
	CHECK_OK(sw_core_mem_read(g.core, CPACR, &cpacr, 4));
	cpacr |= 0xFu << 20; /* CP10/CP11 full access, so vpush does not fault */
	CHECK_OK(sw_core_mem_write(g.core, CPACR, &cpacr, 4));
	size_t nw = write_set(g.core, wregs, wvals);
	s0 = g.probe->stats;
	CHECK_OK(sw_core_regs_write(g.core, wregs, wvals, nw));
	s1 = g.probe->stats;
	TEST_INFO("%s: %zu registers written in %llu exchange(s), %llu SWD transactions", chip, nw,
		  (unsigned long long)(s1.round_trips - s0.round_trips),
		  (unsigned long long)(s1.transactions - s0.transactions));
	/* BASEPRI shares its selector with PRIMASK, FAULTMASK and CONTROL:
	 * their current values are read first (one more exchange). */
	CHECK(s1.round_trips - s0.round_trips <= 2);
	size_t n = g_regs(g.core, regs);
	s0 = g.probe->stats;
	CHECK_OK(sw_core_regs_read(g.core, regs, n, vals));
	s1 = g.probe->stats;
	CHECK_EQ_U(s1.round_trips - s0.round_trips, 1);
	for (size_t i = 0; i < nw; i++)
		CHECK_MSG(find(regs, vals, n, wregs[i]) == wvals[i], "%s: register %u reads 0x%llx, wrote 0x%llx",
			  chip, wregs[i], (unsigned long long)find(regs, vals, n, wregs[i]),
			  (unsigned long long)wvals[i]);
	CHECK_OK(sw_core_step(g.core, true));
	if (fpu)
		CHECK_OK(sw_core_step(g.core, true));
	/* The CPU's stores: r0-r12, lr at STACK-56; d0-d15 below them. */
	CHECK_OK(sw_core_mem_read(g.core, STACK - 56, ram, 56));
	for (unsigned i = 0; i < 13; i++)
		CHECK_EQ_U(ram[i], pattern(i));
	CHECK_EQ_U(ram[13], pattern(SW_REG_LR));
	if (fpu) {
		CHECK_OK(sw_core_mem_read(g.core, STACK - 56 - 128, ram + 14, 128));
		for (unsigned i = 0; i < 16; i++)
			CHECK_EQ_U((uint64_t)ram[14 + 2 * i] | (uint64_t)ram[15 + 2 * i] << 32, pattern(SW_REG_D0 + i));
	}

	s0 = g.probe->stats;
	CHECK_OK(sw_core_regs_read(g.core, regs, n, vals));
	s1 = g.probe->stats;
	TEST_INFO("%s: all %zu registers of g read in %llu exchange(s), %llu SWD transactions, %llu SWCLK cycles",
		  chip, n, (unsigned long long)(s1.round_trips - s0.round_trips),
		  (unsigned long long)(s1.transactions - s0.transactions),
		  (unsigned long long)(s1.swd_cycles - s0.swd_cycles));
	CHECK_EQ_U(s1.round_trips - s0.round_trips, 1);
	for (size_t i = 0; i < n; i++) {
		unsigned k = regs[i];
		/* FPSCR is not compared here: the first FP instruction of a new
		 * FP context may load it from FPDSCR (FPCCR.ASPEN, B1.4.7). */
		if (k <= 12 || k == SW_REG_LR || k == SW_REG_BASEPRI || (k >= SW_REG_D0 && k <= SW_REG_D15))
			CHECK_MSG(vals[i] == find(wregs, wvals, nw, k), "%s: register %u reads 0x%llx, wrote 0x%llx",
				  chip, k, (unsigned long long)vals[i], (unsigned long long)find(wregs, wvals, nw, k));
	}
	CHECK_EQ_U(find(regs, vals, n, SW_REG_SP), STACK - 56 - (fpu ? 128 : 0));
	CHECK_EQ_U(find(regs, vals, n, SW_REG_PC), CODE + (fpu ? 8 : 4));
	rig_close(&g);
}

static void test_g_one_exchange_m7(void)
{
	all_registers_on("stm32h743");
}

static void test_g_one_exchange_m55_adiv6(void)
{
	all_registers_on("adiv6-m55");
}

/* Alif AE3 HP core: Cortex-M55 on an ADIv6 AP at 0x200000, DTCM at
 * 0x20000000 as above. */
static void test_g_one_exchange_ae3(void)
{
	all_registers_on("ae3");
}

/* Read every register; the cache is dropped first by a step over `b .`,
 * which moves nothing. */
static int read_all(struct rig *g, const unsigned *regs, size_t n, uint64_t *vals, uint64_t *rts)
{
	uint64_t rt0;
	int r;

	CHECK_OK(sw_core_step(g->core, true));
	rt0 = g->probe->stats.round_trips;
	r = sw_core_regs_read(g->core, regs, n, vals);
	*rts = g->probe->stats.round_trips - rt0;
	return r;
}

/* A FAULT or a WAIT burst lands in the middle of the register batch (the
 * simulator counts the injected faults that hit a transaction): a FAULT
 * fails the read with a reason and the next read is whole and right; WAITs
 * are retried inside the exchange. The same for a register write. */
static void test_fault_mid_batch(void)
{
	static const uint8_t code[] = {0xfe, 0xe7}; /* b . */
	unsigned regs[SW_REG_COUNT];
	uint64_t truth[SW_REG_COUNT], vals[SW_REG_COUNT], rts = 0;
	struct sim_counters c0, c1;
	struct rig g;

	rig_open(&g, "stm32h743");
	if (!g.ok)
		return;
	CHECK_OK(sw_core_mem_write(g.core, CODE, code, sizeof(code)));
	CHECK_OK(sw_core_reg_write(g.core, SW_REG_PC, CODE));
	size_t n = g_regs(g.core, regs);
	CHECK_OK(read_all(&g, regs, n, truth, &rts));
	CHECK_EQ_U(rts, 1);
	CHECK_EQ_U(truth[SW_REG_PC], CODE);

	for (unsigned skip = 20; skip <= 180; skip += 80) {
		sim_get_counters(g.sim, &c0);
		sim_inject(g.sim, SIM_FAULT_FAULT, skip, 1);
		int r = read_all(&g, regs, n, vals, &rts);
		sim_get_counters(g.sim, &c1);
		sim_inject_clear(g.sim);
		CHECK_MSG(c1.faults_fired == c0.faults_fired + 1, "FAULT after %u transactions did not fire", skip);
		CHECK_MSG(r != SW_OK, "FAULT after %u transactions not reported", skip);
		CHECK_MSG(strstr(sw_errmsg(&g.ctx), "register read") != NULL, "message: %s", sw_errmsg(&g.ctx));
		memset(vals, 0, sizeof(vals));
		CHECK_OK(read_all(&g, regs, n, vals, &rts));
		CHECK_EQ_U(rts, 1);
		CHECK(memcmp(vals, truth, n * sizeof(vals[0])) == 0);

		sim_get_counters(g.sim, &c0);
		sim_inject(g.sim, SIM_FAULT_WAIT, skip, 5);
		memset(vals, 0, sizeof(vals));
		CHECK_OK(read_all(&g, regs, n, vals, &rts));
		sim_get_counters(g.sim, &c1);
		sim_inject_clear(g.sim);
		CHECK_EQ_U(c1.faults_fired - c0.faults_fired, 5);
		CHECK(memcmp(vals, truth, n * sizeof(vals[0])) == 0);
	}

	/* A register write whose batch faults half way: an error, then the
	 * same write again succeeds and reads back. */
	unsigned w[13];
	uint64_t wv[13], back[13];
	for (unsigned i = 0; i < 13; i++)
		w[i] = i, wv[i] = pattern(i) ^ 0xFFu;
	sim_get_counters(g.sim, &c0);
	sim_inject(g.sim, SIM_FAULT_FAULT, 20, 1);
	CHECK(sw_core_regs_write(g.core, w, wv, 13) != SW_OK);
	sim_get_counters(g.sim, &c1);
	sim_inject_clear(g.sim);
	CHECK_EQ_U(c1.faults_fired - c0.faults_fired, 1);
	CHECK_OK(sw_core_regs_write(g.core, w, wv, 13));
	CHECK_OK(read_all(&g, w, 13, back, &rts));
	CHECK(memcmp(back, wv, sizeof(wv)) == 0);
	rig_close(&g);
}

/* Banked DHCSR read, a DRW read of RAMW through `other`, banked DEMCR
 * read, all in one queue. */
static void drw_between(sw_ap *ap, sw_ap *other, uint32_t demcr, uint32_t ramv)
{
	uint32_t dhcsr = 0, v = 0, w = 0;

	CHECK_OK(sw_mem_queue_banked_read32(ap, 0xE000EDF0u, &dhcsr));
	CHECK_OK(sw_mem_queue_read32(other, RAMW, &w));
	CHECK_OK(sw_mem_queue_banked_read32(ap, DEMCR, &v));
	CHECK_OK(sw_dap_run(sw_ap_dap(ap)));
	CHECK_EQ_U(w, ramv);
	CHECK_EQ_U(v, demcr);
}

/* The TAR a banked access relies on: one TAR write serves several banked
 * accesses to one 16-byte block; any other access to the AP in between
 * (DRW moves TAR), through this handle or another one, makes the next
 * banked access write TAR again; so does a failed exchange. */
static void test_banked_tar(void)
{
	struct rig g;
	sw_ap *ap, *ap2 = NULL;
	uint32_t demcr = 0, dhcsr = 0, v = 0, ramv = 0x600DF00Du;

	rig_open(&g, "stm32h743");
	if (!g.ok)
		return;
	ap = sw_core_ap(g.core);
	sw_dap *dap = sw_ap_dap(ap);
	CHECK_OK(sw_mem_read32(ap, DEMCR, &demcr));
	CHECK_OK(sw_mem_write32(ap, RAMW, ramv));
	CHECK(demcr != ramv);

	/* A second banked access in the same block costs one transaction. */
	CHECK_OK(sw_mem_queue_banked_read32(ap, 0xE000EDF0u, &dhcsr));
	CHECK_OK(sw_dap_run(dap)); /* SELECT now on the BD bank, as after the next runs */
	uint64_t t0 = g.probe->stats.transactions;
	CHECK_OK(sw_mem_queue_banked_read32(ap, 0xE000EDF0u, &dhcsr));
	CHECK_OK(sw_dap_run(dap));
	uint64_t one = g.probe->stats.transactions - t0;
	t0 = g.probe->stats.transactions;
	CHECK_OK(sw_mem_queue_banked_read32(ap, 0xE000EDF0u, &dhcsr));
	CHECK_OK(sw_mem_queue_banked_read32(ap, DEMCR, &v));
	CHECK_OK(sw_dap_run(dap));
	CHECK_EQ_U(g.probe->stats.transactions - t0, one + 1);
	CHECK_EQ_U(v, demcr);
	CHECK(dhcsr & (1u << 17)); /* S_HALT */

	/* A DRW access in between moves TAR: the banked read sets it again. */
	drw_between(ap, ap, demcr, ramv);
	/* The same through a second handle on the same AP. */
	CHECK_OK(sw_ap_open(dap, sw_ap_get_info(ap)->addr, &ap2));
	if (ap2) {
		drw_between(ap, ap2, demcr, ramv);
		/* A raw TAR write through the AP-register API. */
		v = 0;
		CHECK_OK(sw_mem_queue_banked_read32(ap, 0xE000EDF0u, &dhcsr));
		CHECK_OK(sw_ap_write(ap2, SW_AP_TAR, RAMW));
		CHECK_OK(sw_mem_queue_banked_read32(ap, DEMCR, &v));
		CHECK_OK(sw_dap_run(dap));
		CHECK_EQ_U(v, demcr);
		sw_ap_close(ap2);
	}

	/* Between exchanges TAR is not trusted (a reset of the debug domain
	 * or another debugger may move it): here raw SWD packets write TAR
	 * behind the ADI layer and put SELECT back on the BD bank (AP0,
	 * APBANKSEL 1), so only TAR is stale. */
	CHECK_OK(sw_mem_queue_banked_read32(ap, DEMCR, &v));
	CHECK_OK(sw_dap_run(dap));
	struct sw_swd_req raw[3] = {{SW_REQ_ADDR(0x8), 0, 0x00u}, {SW_REQ_AP | SW_REQ_ADDR(0x4), 0, RAMW},
				    {SW_REQ_ADDR(0x8), 0, 0x10u}};
	CHECK_OK(sw_probe_swd_transfer(g.probe, raw, 3));
	v = 0;
	CHECK_OK(sw_mem_queue_banked_read32(ap, DEMCR, &v));
	CHECK_OK(sw_dap_run(dap));
	CHECK_EQ_U(v, demcr);

	/* A FAULT in a banked batch is reported; the next one is right. */
	sim_inject(g.sim, SIM_FAULT_FAULT, 1, 1);
	CHECK_OK(sw_mem_queue_banked_read32(ap, 0xE000EDF0u, &dhcsr));
	CHECK_OK(sw_mem_queue_banked_read32(ap, DEMCR, &v));
	CHECK(sw_dap_run(dap) != SW_OK);
	sim_inject_clear(g.sim);
	v = 0;
	CHECK_OK(sw_mem_queue_banked_read32(ap, DEMCR, &v));
	CHECK_OK(sw_dap_run(dap));
	CHECK_EQ_U(v, demcr);
	/* Unaligned addresses are refused. */
	CHECK(sw_mem_queue_banked_read32(ap, DEMCR + 2, &v) == SW_ERR_ARG);
	rig_close(&g);
}

int main(void)
{
	RUN_TEST(test_g_one_exchange_m7);
	RUN_TEST(test_g_one_exchange_m55_adiv6);
	RUN_TEST(test_g_one_exchange_ae3);
	RUN_TEST(test_fault_mid_batch);
	RUN_TEST(test_banked_tar);
	return TEST_MAIN_END();
}
