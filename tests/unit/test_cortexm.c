/* Core layer against the simulated STM32H743 running the demo firmware. */
#include "cortexm/core.h"
#include "probes/sim_probe.h"
#include "sim/sim.h"
#include "targets/target.h"
#include "tests/test.h"

#define DEMO_ELF BUILD_DIR "/fw/demo-h743.elf"

struct rig {
	struct sw_ctx ctx;
	struct sim *sim;
	struct sw_probe *probe;
	struct sw_target *t;
	struct sw_core *core;
};

static uint32_t sym(const char *name)
{
	char cmd[256], line[256];
	uint32_t addr = 0;
	FILE *f;

	snprintf(cmd, sizeof(cmd), "arm-none-eabi-nm %s", DEMO_ELF);
	f = popen(cmd, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		unsigned long a;
		char type, n[200];
		if (sscanf(line, "%lx %c %199s", &a, &type, n) == 3 && !strcmp(n, name))
			addr = (uint32_t)a;
	}
	pclose(f);
	return addr & ~1u;
}

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
	g->core = sw_target_core(g->t, 0);
	return SW_OK;
}

static void rig_close(struct rig *g)
{
	sw_target_close(g->t);
	sw_probe_close(g->probe);
	sim_free(g->sim);
}

static int wait_halt(struct rig *g, struct sw_core_state *st)
{
	for (int i = 0; i < 2000; i++) {
		int r = sw_core_poll(g->core, st);
		if (r || st->halted)
			return r;
	}
	return SW_ERR_TIMEOUT;
}

static void test_attach_identify(void)
{
	struct rig g;
	struct sw_core_state st;

	CHECK_OK(rig_open(&g));
	const struct sw_core_info *in = sw_core_get_info(g.core);
	CHECK_EQ_U(in->cpuid, 0x411FC271u);
	CHECK(!strcmp(in->core_name, "Cortex-M7"));
	CHECK(in->fpu && in->dp_fpu);
	CHECK_EQ_U(in->fpb_code, 8);
	CHECK_EQ_U(in->dwt_comps, 4);
	CHECK_OK(sw_core_poll(g.core, &st));
	CHECK_MSG(!st.halted, "attach must not halt the core");
	rig_close(&g);
}

static void test_halt_regs_step(void)
{
	struct rig g;
	struct sw_core_state st;
	unsigned regs[SW_REG_COUNT];
	uint64_t vals[SW_REG_COUNT], v = 0;
	size_t n = 0;

	CHECK_OK(rig_open(&g));
	CHECK_OK(sw_core_halt(g.core));
	CHECK_OK(sw_core_poll(g.core, &st));
	CHECK(st.halted && st.reason == SW_HALT_REQUEST);
	for (unsigned i = 0; i <= SW_REG_FPSCR; i++)
		regs[n++] = i;
	uint64_t rt0 = g.probe->stats.round_trips;
	CHECK_OK(sw_core_regs_read(g.core, regs, n, vals));
	uint64_t rts = g.probe->stats.round_trips - rt0;
	TEST_INFO("all %zu registers read in %llu probe round trip(s)", n, (unsigned long long)rts);
	CHECK_EQ_U(rts, 1);
	CHECK(vals[SW_REG_PC] >= 0x08000000u && vals[SW_REG_PC] < 0x08200000u);
	CHECK(vals[SW_REG_SP] >= 0x20000000u && vals[SW_REG_SP] <= 0x20020000u);
	CHECK_EQ_U(vals[SW_REG_SP], vals[SW_REG_MSP]);
	/* Write and read back: core, FPU and packed special registers. */
	CHECK_OK(sw_core_reg_write(g.core, 0, 0x11223344u));
	CHECK_OK(sw_core_reg_write(g.core, SW_REG_D0 + 3, 0x400921FB54442D18ull));
	CHECK_OK(sw_core_reg_write(g.core, SW_REG_BASEPRI, 0x40));
	CHECK_OK(sw_core_reg_read(g.core, 0, &v));
	CHECK_EQ_U(v, 0x11223344u);
	CHECK_OK(sw_core_reg_read(g.core, SW_REG_D0 + 3, &v));
	CHECK_EQ_U(v, 0x400921FB54442D18ull);
	CHECK_OK(sw_core_reg_read(g.core, SW_REG_BASEPRI, &v));
	CHECK_EQ_U(v, 0x40);
	CHECK_OK(sw_core_reg_read(g.core, SW_REG_PRIMASK, &v));
	CHECK_EQ_U(v, 0);
	CHECK_OK(sw_core_reg_write(g.core, SW_REG_BASEPRI, 0));
	/* Step: the PC moves by one instruction, in one round trip. */
	uint64_t pc0 = vals[SW_REG_PC], pc1 = 0;
	rt0 = g.probe->stats.round_trips;
	CHECK_OK(sw_core_step(g.core, true));
	TEST_INFO("stepi: %llu probe round trip(s) (+1 to read the PC)",
		  (unsigned long long)(g.probe->stats.round_trips - rt0));
	CHECK_OK(sw_core_reg_read(g.core, SW_REG_PC, &pc1));
	CHECK(pc1 != pc0 && pc1 >= 0x08000000u && pc1 < 0x08200000u);
	CHECK_OK(sw_core_poll(g.core, &st));
	CHECK(st.halted);
	rig_close(&g);
}

static void test_hw_breakpoint(void)
{
	struct rig g;
	struct sw_core_state st;
	uint32_t compute = sym("compute");

	CHECK(compute != 0);
	CHECK_OK(rig_open(&g));
	CHECK_OK(sw_core_halt(g.core));
	CHECK_OK(sw_core_bp_set(g.core, compute, 2, SW_BP_HARD));
	CHECK_OK(sw_core_resume(g.core));
	CHECK_OK(wait_halt(&g, &st));
	CHECK(st.halted && st.reason == SW_HALT_BREAKPOINT);
	CHECK_EQ_U(st.pc, compute);
	CHECK_OK(sw_core_bp_clear(g.core, compute, 2, SW_BP_HARD));
	/* Exhaustion is an error that says why. */
	for (uint32_t i = 0; i < 8; i++)
		CHECK_OK(sw_core_bp_set(g.core, 0x08000100u + 4 * i, 2, SW_BP_HARD));
	CHECK_EQ_U(sw_core_bp_set(g.core, 0x08000200u, 2, SW_BP_HARD), SW_ERR_BUSY);
	CHECK(strstr(sw_errmsg(&g.ctx), "all 8 FPB comparators in use") != NULL);
	CHECK_OK(sw_core_bp_clear_all(g.core));
	CHECK_OK(sw_core_bp_set(g.core, 0x08000200u, 2, SW_BP_HARD));
	rig_close(&g);
}

static void test_soft_breakpoint_ram(void)
{
	struct rig g;
	struct sw_core_state st;
	/* Thumb: movs r0,#1 (2001); adds r0,#1 (3001); b . (e7fe) at 0x24000100. */
	const uint8_t code[] = {0x01, 0x20, 0x01, 0x30, 0xfe, 0xe7};
	uint8_t back[2];
	uint64_t v = 0;

	CHECK_OK(rig_open(&g));
	CHECK_OK(sw_core_halt(g.core));
	CHECK_OK(sw_core_mem_write(g.core, 0x24000100u, code, sizeof(code)));
	CHECK_OK(sw_core_reg_write(g.core, SW_REG_PC, 0x24000100u));
	CHECK_OK(sw_core_bp_set(g.core, 0x24000102u, 2, SW_BP_SOFT));
	CHECK_OK(sw_core_mem_read(g.core, 0x24000102u, back, 2));
	CHECK(back[0] == 0x00 && back[1] == 0xBE);
	CHECK_OK(sw_core_resume(g.core));
	CHECK_OK(wait_halt(&g, &st));
	CHECK(st.reason == SW_HALT_BREAKPOINT && st.pc == 0x24000102u);
	CHECK_OK(sw_core_reg_read(g.core, 0, &v));
	CHECK_EQ_U(v, 1);
	CHECK_OK(sw_core_bp_clear(g.core, 0x24000102u, 2, SW_BP_SOFT));
	CHECK_OK(sw_core_mem_read(g.core, 0x24000102u, back, 2));
	CHECK(back[0] == 0x01 && back[1] == 0x30);
	/* A BKPT in flash cannot be written: the error says so. */
	CHECK(sw_core_bp_set(g.core, 0x08000100u, 2, SW_BP_SOFT) != SW_OK);
	rig_close(&g);
}

static void test_reset_halt_and_run(void)
{
	struct rig g;
	struct sw_core_state st;
	uint64_t pc = 0;
	uint32_t reset = sym("Reset_Handler");

	CHECK_OK(rig_open(&g));
	CHECK_OK(sw_core_reset(g.core, SW_RESET_SYSTEM, true));
	CHECK_OK(sw_core_poll(g.core, &st));
	CHECK(st.halted && st.reason == SW_HALT_VCATCH);
	CHECK_OK(sw_core_reg_read(g.core, SW_REG_PC, &pc));
	CHECK_EQ_U(pc, reset);
	CHECK_OK(sw_core_reset(g.core, SW_RESET_CORE, true));
	CHECK_OK(sw_core_reg_read(g.core, SW_REG_PC, &pc));
	CHECK_EQ_U(pc, reset);
	CHECK_OK(sw_core_reset(g.core, SW_RESET_SYSTEM, false));
	CHECK_OK(sw_core_poll(g.core, &st));
	CHECK(!st.halted);
	rig_close(&g);
}

static void test_hardfault_vector_catch_free(void)
{
	struct rig g;
	struct sw_core_state st;
	uint32_t trig = sym("demo_fault_trigger"), one = 1, count = 0;
	uint32_t hf = sym("HardFault_Handler");

	CHECK_OK(rig_open(&g));
	CHECK_OK(sw_core_halt(g.core));
	CHECK_OK(sw_core_bp_set(g.core, hf, 2, SW_BP_HARD));
	CHECK_OK(sw_core_mem_write(g.core, trig, &one, 4));
	CHECK_OK(sw_core_resume(g.core));
	CHECK_OK(wait_halt(&g, &st));
	CHECK_EQ_U(st.pc, hf);
	uint64_t lr = 0;
	CHECK_OK(sw_core_reg_read(g.core, SW_REG_LR, &lr));
	CHECK_EQ_U(lr, 0xFFFFFFF9u); /* EXC_RETURN: thread mode, MSP */
	CHECK_OK(sw_core_mem_read(g.core, 0xE000ED38u, &count, 4));
	CHECK_EQ_U(count, 0xA0000000u); /* BFAR */
	rig_close(&g);
}

/* Write watchpoint on a core running hand-assembled code from RAM, on the
 * ARMv7-M DWT (H743) and the ARMv8-M DWT (ADIv6 M55). */
static void watch_on(const char *chip, uint32_t code_at)
{
	struct sw_ctx ctx;
	struct sim *sim;
	struct sw_probe *probe;
	struct sw_target *t;
	struct sw_core *core;
	struct sw_core_state st = {0};
	/* ldr r1,[pc,#4]; movs r0,#5; str r0,[r1]; b . ; .word target */
	uint32_t target = code_at + 0x1000;
	uint8_t code[12] = {0x01, 0x49, 0x05, 0x20, 0x08, 0x60, 0xfe, 0xe7};
	uint64_t pc = 0;

	code[8] = (uint8_t)target, code[9] = (uint8_t)(target >> 8);
	code[10] = (uint8_t)(target >> 16), code[11] = (uint8_t)(target >> 24);
	sw_ctx_init(&ctx);
	ctx.level = SW_LOG_NONE;
	CHECK_OK(sim_new(&ctx, chip, &sim));
	CHECK_OK(sw_sim_probe_open(&ctx, sim, 0, &probe));
	CHECK_OK(sw_target_open(&ctx, probe, sw_target_find(chip), 0, &t));
	core = sw_target_core(t, 0);
	CHECK_OK(sw_core_halt(core));
	CHECK_OK(sw_core_mem_write(core, code_at, code, sizeof(code)));
	CHECK_OK(sw_core_reg_write(core, SW_REG_PC, code_at));
	CHECK_OK(sw_core_reg_write(core, SW_REG_SP, code_at + 0x800));
	CHECK_OK(sw_core_wp_set(core, target, 4, 2));
	CHECK_OK(sw_core_resume(core));
	for (int i = 0; i < 100 && !st.halted; i++)
		CHECK_OK(sw_core_poll(core, &st));
	CHECK(st.halted && st.reason == SW_HALT_WATCHPOINT);
	CHECK_EQ_U(st.watch_addr, target);
	CHECK_EQ_U(st.watch_kind, 2);
	/* The halt comes after the store: PC is on the branch that follows. */
	CHECK_OK(sw_core_reg_read(core, SW_REG_PC, &pc));
	CHECK_EQ_U(pc, code_at + 6);
	/* Exhaustion is an error with a reason. */
	for (uint32_t i = 1; i < sw_core_get_info(core)->dwt_comps; i++)
		CHECK_OK(sw_core_wp_set(core, target + 8 * i, 4, 3));
	CHECK_EQ_U(sw_core_wp_set(core, target + 0x100, 4, 4), SW_ERR_BUSY);
	CHECK(strstr(sw_errmsg(&ctx), "DWT comparators in use") != NULL);
	sw_target_close(t);
	sw_probe_close(probe);
	sim_free(sim);
}

static void test_watch_v7m(void)
{
	watch_on("stm32h743", 0x20000100u);
}

static void test_watch_v8m(void)
{
	watch_on("adiv6-m55", 0x20000100u);
}

int main(void)
{
	RUN_TEST(test_watch_v7m);
	RUN_TEST(test_watch_v8m);
	RUN_TEST(test_attach_identify);
	RUN_TEST(test_halt_regs_step);
	RUN_TEST(test_hw_breakpoint);
	RUN_TEST(test_soft_breakpoint_ram);
	RUN_TEST(test_reset_halt_and_run);
	RUN_TEST(test_hardfault_vector_catch_free);
	return TEST_MAIN_END();
}
