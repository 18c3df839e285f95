/* Core layer against a slow core (issue #18): the simulated STM32H743 runs
 * firmware/slowclk, which switches it to CSI/512 = 7.8125 kHz. A DCRSR
 * transfer and the halt after C_STEP then take 128 us (one core clock
 * cycle, ARMv7-M ARM C1.6.3 / C1.6.2), longer than ten SWD packets at
 * 4 MHz: the batched register read sees S_REGRDY clear and must redo from
 * the first late transfer; batched writes likewise; a step must wait for
 * S_HALT. Known values: r4-r11 = 0x44444444 .. 0xBBBBBBBB. */
#include "cortexm/core.h"
#include "probes/sim_probe.h"
#include "sim/sim.h"
#include "targets/target.h"
#include "tests/test.h"

#define SLOW_ELF BUILD_DIR "/fw/slowclk-h743.elf"
#define LOOP_LO 0x08000000u
#define LOOP_HI 0x08000100u

struct rig {
	struct sw_ctx ctx;
	struct sim *sim;
	struct sw_probe *probe;
	struct sw_target *t;
	struct sw_core *core;
};

static int rig_open(struct rig *g, uint32_t swd_hz)
{
	uint32_t actual = 0;
	int r;

	memset(g, 0, sizeof(*g));
	sw_ctx_init(&g->ctx);
	g->ctx.level = SW_LOG_NONE;
	if ((r = sim_new(&g->ctx, "stm32h743", &g->sim)) || (r = sim_load_elf(g->sim, SLOW_ELF)))
		return r;
	sim_power_on_reset(g->sim);
	sim_advance_ns(g->sim, 1000000); /* the firmware switches the clock */
	if ((r = sw_sim_probe_open(&g->ctx, g->sim, 0, &g->probe)) ||
	    (r = sw_probe_set_freq(g->probe, swd_hz, &actual)) ||
	    (r = sw_target_open(&g->ctx, g->probe, sw_target_find("stm32h743"), 0, &g->t)))
		return r;
	g->core = sw_target_core(g->t, 0);
	return SW_OK;
}

static void rig_close(struct rig *g)
{
	sw_target_close(g->t);
	sw_probe_close(g->probe);
	sim_free(g->sim);
}

static void halt(struct rig *g)
{
	struct sw_core_state st;

	CHECK_OK(sw_core_halt(g->core));
	CHECK_OK(sw_core_poll(g->core, &st));
	CHECK(st.halted);
}

/* `g` of every register in one batch: late transfers are redone from the
 * first late one, so every value is the register's own. */
static void check_read_all(uint32_t swd_hz)
{
	struct rig g;
	unsigned regs[SW_REG_FPSCR + 1];
	uint64_t vals[SW_REG_FPSCR + 1], one = 0;
	size_t n = 0;

	CHECK_OK(rig_open(&g, swd_hz));
	halt(&g);
	for (unsigned i = 0; i <= SW_REG_FPSCR; i++)
		regs[n++] = i;
	uint64_t rt0 = g.probe->stats.round_trips;
	CHECK_OK(sw_core_regs_read(g.core, regs, n, vals));
	TEST_INFO("SWD %u kHz, core 7.8 kHz: %zu registers in %llu probe round trips", swd_hz / 1000, n,
		  (unsigned long long)(g.probe->stats.round_trips - rt0));
	CHECK(g.probe->stats.round_trips - rt0 > 1); /* the batch was not enough */
	for (unsigned r = 4; r <= 9; r++)
		CHECK_EQ_U(vals[r], 0x11111111u * r);
	CHECK_EQ_U(vals[10], 0xAAAAAAAAu);
	CHECK_EQ_U(vals[11], 0xBBBBBBBBu);
	CHECK(vals[SW_REG_PC] >= LOOP_LO && vals[SW_REG_PC] < LOOP_HI);
	CHECK_EQ_U(vals[SW_REG_SP], 0x2001FFF8u);
	CHECK_EQ_U(vals[SW_REG_MSP], vals[SW_REG_SP]);
	CHECK_EQ_U(vals[SW_REG_XPSR] & 0xFF0001FFu, 0x01000000u); /* Thumb, thread mode */
	/* Single reads (one transfer each) agree with the batch. */
	CHECK_OK(sw_core_regs_write(g.core, (const unsigned[]){12}, (const uint64_t[]){0}, 1)); /* drops the cache */
	CHECK_OK(sw_core_reg_read(g.core, SW_REG_LR, &one));
	CHECK_EQ_U(one, vals[SW_REG_LR]);
	rig_close(&g);
}

static void test_read_all_4mhz(void)
{
	check_read_all(4000000u);
}

static void test_read_all_50mhz(void)
{
	check_read_all(50000000u);
}

/* Other SWD clocks put the end of a transfer at other points of the
 * batch's DCRSR / DHCSR / DCRDR pattern: somewhere a DHCSR read shows
 * S_REGRDY set for a transfer whose DCRSR write was lost, with DCRDR
 * holding the earlier register (the reason to redo from the first late
 * transfer, not only the late ones). */
static void test_read_all_clock_sweep(void)
{
	static const uint32_t khz[] = {1000, 1500, 2000, 3000, 6000, 8000, 10000, 15000, 20000, 30000};

	for (size_t i = 0; i < sizeof(khz) / sizeof(khz[0]); i++)
		check_read_all(khz[i] * 1000u);
}

/* A batch of register writes: each lands, none on the wrong register. */
static void test_write_batch(void)
{
	struct rig g;
	unsigned regs[13];
	uint64_t w[13], v[13];

	CHECK_OK(rig_open(&g, 4000000u));
	halt(&g);
	for (unsigned i = 0; i < 13; i++) {
		regs[i] = i;
		w[i] = 0xA0000000u + 0x01010101u * i;
	}
	CHECK_OK(sw_core_regs_write(g.core, regs, w, 13));
	CHECK_OK(sw_core_regs_read(g.core, regs, 13, v));
	for (unsigned i = 0; i < 13; i++)
		CHECK_EQ_U(v[i], w[i]);
	/* One register alone, then its neighbour is untouched. */
	CHECK_OK(sw_core_reg_write(g.core, 5, 0xCAFEF00Du));
	CHECK_OK(sw_core_regs_read(g.core, regs, 13, v));
	CHECK_EQ_U(v[5], 0xCAFEF00Du);
	CHECK_EQ_U(v[6], w[6]);
	rig_close(&g);
}

/* Steps: the stop state is halted (S_HALT awaited), the PC moves between
 * the loop's two instructions and r0 counts one per two steps. */
static void test_step(void)
{
	struct rig g;
	struct sw_core_state st;
	uint64_t pc[3] = {0}, r0 = 0;
	uint32_t dhcsr = 0;

	CHECK_OK(rig_open(&g, 4000000u));
	halt(&g);
	CHECK_OK(sw_core_reg_write(g.core, 0, 100));
	CHECK_OK(sw_core_reg_read(g.core, SW_REG_PC, &pc[0]));
	CHECK_OK(sw_core_step_poll(g.core, true, &st));
	CHECK(st.halted);
	CHECK_EQ_U(st.reason, SW_HALT_REQUEST);
	/* C_MASKINTS cleared once halted (a change while stepping is
	 * UNPREDICTABLE, C1.6.2: the sim ignores it). */
	CHECK_OK(sw_mem_read32(sw_core_ap(g.core), 0xE000EDF0u, &dhcsr));
	CHECK(!(dhcsr & (1u << 3)));
	pc[1] = st.pc;
	CHECK_OK(sw_core_step(g.core, true));
	CHECK_OK(sw_mem_read32(sw_core_ap(g.core), 0xE000EDF0u, &dhcsr));
	CHECK(!(dhcsr & (1u << 3)));
	CHECK_OK(sw_core_poll(g.core, &st));
	CHECK(st.halted);
	pc[2] = st.pc;
	CHECK(pc[1] != pc[0] && pc[2] == pc[0]);
	CHECK(pc[0] >= LOOP_LO && pc[0] < LOOP_HI && pc[1] >= LOOP_LO && pc[1] < LOOP_HI);
	CHECK_OK(sw_core_reg_read(g.core, 0, &r0));
	CHECK_EQ_U(r0, 101u);
	rig_close(&g);
}

int main(void)
{
	RUN_TEST(test_read_all_4mhz);
	RUN_TEST(test_read_all_50mhz);
	RUN_TEST(test_read_all_clock_sweep);
	RUN_TEST(test_write_batch);
	RUN_TEST(test_step);
	return TEST_MAIN_END();
}
