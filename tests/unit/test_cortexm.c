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
	CHECK_EQ_U(rts, 1); /* banked DCRSR/DHCSR/DCRDR: one 16384-bit J-Link buffer */
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

	uint32_t vc = 0;

	CHECK_OK(rig_open(&g));
	/* From a running core: only the reset vector catch can stop it there. */
	CHECK_OK(sw_core_resume(g.core));
	CHECK_OK(sw_core_poll(g.core, &st));
	CHECK(!st.halted);
	CHECK_OK(sw_core_reset(g.core, SW_RESET_SYSTEM, true));
	CHECK_OK(sw_core_poll(g.core, &st));
	CHECK(st.halted && st.reason == SW_HALT_RESET);
	CHECK_OK(sw_core_reg_read(g.core, SW_REG_PC, &pc));
	CHECK_EQ_U(pc, reset);
	/* The vector catch setting is put back afterwards: the reset catch
	 * off again, the HardFault catch of attach (issue #14) still on. */
	CHECK_OK(sw_core_vector_catch_get(g.core, &vc));
	CHECK_EQ_U(vc, 1u << 10);
	CHECK_OK(sw_core_reset(g.core, SW_RESET_CORE, true));
	CHECK_OK(sw_core_reg_read(g.core, SW_REG_PC, &pc));
	CHECK_EQ_U(pc, reset);
	CHECK_OK(sw_core_reset(g.core, SW_RESET_SYSTEM, false));
	CHECK_OK(sw_core_poll(g.core, &st));
	CHECK(!st.halted);
	rig_close(&g);
}

/* One line per fault stop (issue #14 item 8), from the register values
 * ARMv7-M ARM B3.2.15-18 define. */
static void test_fault_decode(void)
{
	char line[300];
	struct sw_fault_info f = {.exception = 3, .cfsr = 0x8200, .hfsr = 0x40000000, .bfar = 0xA0000000,
				  .pc = 0x08000040, .pc_valid = true};

	sw_fault_decode(&f, line, sizeof(line));
	CHECK_MSG(!strcmp(line, "HardFault: precise data bus error at 0xa0000000 (escalated to HardFault) at PC "
			  "0x08000040 (CFSR 0x00008200 HFSR 0x40000000)"), "%s", line);
	f = (struct sw_fault_info){.exception = 4, .cfsr = 0x82, .mmfar = 0x1000};
	sw_fault_decode(&f, line, sizeof(line));
	CHECK_MSG(!strcmp(line, "MemManage fault: data access violation at 0x00001000 (CFSR 0x00000082 HFSR "
			  "0x00000000)"), "%s", line);
	/* BFARVALID clear: no address; several UsageFault causes listed. */
	f = (struct sw_fault_info){.exception = 6, .cfsr = 0x02010200u};
	sw_fault_decode(&f, line, sizeof(line));
	CHECK_MSG(strstr(line, "UsageFault: precise data bus error, undefined instruction, divide by zero (") == line,
		  "%s", line);
	f = (struct sw_fault_info){.lockup = true, .hfsr = 0x2};
	sw_fault_decode(&f, line, sizeof(line));
	CHECK_MSG(strstr(line, "core locked up") == line && strstr(line, "bus error reading the vector table"), "%s",
		  line);
	CHECK(sw_fault_decode(&f, line, 10) == 9 && strlen(line) == 9); /* truncates, stays terminated */
}

/* HardFault is caught while we are attached, and the catch is put back
 * as it was when we let go (issue #14 item 8). */
static void test_hardfault_catch_default(void)
{
	struct rig g;
	uint32_t vc = 0, demcr = 0;

	CHECK_OK(rig_open(&g));
	CHECK_OK(sw_core_vector_catch_get(g.core, &vc));
	CHECK_EQ_U(vc, 1u << 10); /* VC_HARDERR only */
	CHECK_OK(sw_core_vector_catch(g.core, 1u << 8, true)); /* a user's BusFault catch goes too */
	CHECK_OK(sw_core_release(g.core));
	CHECK_OK(sw_core_mem_read(g.core, 0xE000EDFCu, &demcr, 4));
	CHECK_EQ_U(demcr & 0x7F1u, 0u);
	CHECK(demcr & (1u << 24)); /* TRCENA stays: ITM/DWT users keep their trace */
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
	/* EXC_RETURN: thread mode, MSP, extended frame (bit 4 clear): the demo
	 * has used the FPU, so CONTROL.FPCA is set (ARMv7-M ARM B1.5.7). */
	CHECK_EQ_U(lr, 0xFFFFFFE9u);
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

/* Runs "r0 = 1; *target = r0; r0 = 3; *target = r0; b ." from RAM after
 * `arm` set the comparators; returns the PC of the halt, 0 if none. */
struct wv_rig {
	struct sw_ctx ctx;
	struct sim *sim;
	struct sw_probe *probe;
	struct sw_target *t;
	struct sw_core *core;
	uint32_t code_at, target;
};

static void wv_open(struct wv_rig *w, const char *chip)
{
	/* ldr r1,[pc,#8]; movs r0,#1; str r0,[r1]; movs r0,#3; str r0,[r1]; b . ; .word target */
	uint8_t code[16] = {0x02, 0x49, 0x01, 0x20, 0x08, 0x60, 0x03, 0x20, 0x08, 0x60, 0xfe, 0xe7};

	w->code_at = 0x20000100u;
	w->target = w->code_at + 0x1000;
	for (unsigned i = 0; i < 4; i++)
		code[12 + i] = (uint8_t)(w->target >> (8 * i));
	sw_ctx_init(&w->ctx);
	w->ctx.level = SW_LOG_NONE;
	CHECK_OK(sim_new(&w->ctx, chip, &w->sim));
	CHECK_OK(sw_sim_probe_open(&w->ctx, w->sim, 0, &w->probe));
	CHECK_OK(sw_target_open(&w->ctx, w->probe, sw_target_find(chip), 0, &w->t));
	w->core = sw_target_core(w->t, 0);
	CHECK_OK(sw_core_halt(w->core));
	CHECK_OK(sw_core_mem_write(w->core, w->code_at, code, sizeof(code)));
}

static uint32_t wv_run(struct wv_rig *w, struct sw_core_state *st)
{
	uint64_t pc = 0;

	*st = (struct sw_core_state){0};
	CHECK_OK(sw_core_reg_write(w->core, SW_REG_PC, w->code_at));
	CHECK_OK(sw_core_reg_write(w->core, SW_REG_SP, w->code_at + 0x800));
	CHECK_OK(sw_core_resume(w->core));
	for (int i = 0; i < 50 && !st->halted; i++)
		CHECK_OK(sw_core_poll(w->core, st));
	if (!st->halted) {
		CHECK_OK(sw_core_halt(w->core));
		return 0;
	}
	CHECK_OK(sw_core_reg_read(w->core, SW_REG_PC, &pc));
	return (uint32_t)pc;
}

static void wv_close(struct wv_rig *w)
{
	sw_target_close(w->t);
	sw_probe_close(w->probe);
	sim_free(w->sim);
}

/* Data value watch (v7 DATAVMATCH, v8 linked data value) and ranges
 * (v7 MASK block, v8 address limit pair) on both DWT generations. */
static void value_and_range_on(const char *chip)
{
	struct wv_rig w;
	struct sw_core_state st;

	wv_open(&w, chip);
	CHECK_OK(sw_core_wp_value_set(w.core, w.target, 3, 4));
	CHECK_EQ_U(wv_run(&w, &st), w.code_at + 10); /* after the store of 3, not of 1 */
	CHECK(st.reason == SW_HALT_WATCHPOINT && st.watch_kind == 0 && st.watch_addr == w.target);
	CHECK_OK(sw_core_wp_value_set(w.core, w.target, 7, 4)); /* replaces the first */
	CHECK_EQ_U(wv_run(&w, &st), 0);                      /* 7 is never written */
	/* A halfword value in a word store: both DWT generations compare per
	 * lane (ARMv7-M C1.8.7, ARMv8-M B13), so the store of 1 matches. */
	CHECK_OK(sw_core_wp_value_set(w.core, w.target, 1, 2));
	CHECK_EQ_U(wv_run(&w, &st), w.code_at + 6);

	CHECK_OK(sw_core_wp_value_clear(w.core));
	/* An unaligned 8-byte range with the store in its middle. */
	CHECK_OK(sw_core_wp_set(w.core, w.target - 2, 8, 2));
	CHECK_EQ_U(wv_run(&w, &st), w.code_at + 6);
	CHECK(st.reason == SW_HALT_WATCHPOINT && st.watch_kind == 2 && st.watch_addr == w.target - 2);
	CHECK_OK(sw_core_wp_clear(w.core, w.target - 2, 8, 2));
	/* A range ending just before the word: no halt on v8 (exact limit). */
	if (sw_core_get_info(w.core)->arch == 8) {
		CHECK_OK(sw_core_wp_set(w.core, w.target - 6, 6, 2));
		CHECK_EQ_U(wv_run(&w, &st), 0);
		CHECK_OK(sw_core_wp_clear(w.core, w.target - 6, 6, 2));
	}
	/* Two ranges need two pairs: with 4 comparators the third pair is refused. */
	CHECK_OK(sw_core_wp_set(w.core, w.target + 0x100, 12, 3));
	CHECK_OK(sw_core_wp_set(w.core, w.target + 0x200, 12, 3));
	if (sw_core_get_info(w.core)->arch == 8) {
		CHECK_EQ_U(sw_core_wp_set(w.core, w.target + 0x300, 12, 3), SW_ERR_BUSY);
		CHECK(strstr(sw_errmsg(&w.ctx), "pair of DWT comparators") != NULL);
		CHECK_EQ_U(sw_core_wp_value_set(w.core, w.target, 3, 4), SW_ERR_BUSY);
	}
	CHECK_OK(sw_core_bp_clear_all(w.core));
	CHECK_OK(sw_core_wp_value_set(w.core, w.target, 3, 4)); /* comparators free again */
	CHECK_EQ_U(wv_run(&w, &st), w.code_at + 10);
	/* A byte at an odd address travels in byte lane 1 and is compared with
	 * COMP[15:8]: the layer must replicate the value (C1.8.7). Program:
	 * ldr r1,[pc,#8]; movs r0,#1; strb r0,[r1,#1]; movs r0,#3;
	 * strb r0,[r1,#1]; b . */
	static const uint8_t strb_code[12] = {0x02, 0x49, 0x01, 0x20, 0x48, 0x70,
					      0x03, 0x20, 0x48, 0x70, 0xfe, 0xe7};
	CHECK_OK(sw_core_bp_clear_all(w.core));
	CHECK_OK(sw_core_mem_write(w.core, w.code_at, strb_code, sizeof(strb_code)));
	CHECK_OK(sw_core_wp_value_set(w.core, w.target + 1, 3, 1));
	CHECK_EQ_U(wv_run(&w, &st), w.code_at + 10);
	wv_close(&w);
}

static void test_watch_value_range_v7m(void)
{
	value_and_range_on("stm32h743");
}

static void test_watch_value_range_v8m(void)
{
	value_and_range_on("adiv6-m55");
}

/* --- hand-assembled code in flash, written through the simulator's back door */

#define HA_SP 0x20001000u
#define HA_RESET 0x08000040u /* Reset_Handler */
#define HA_LOOP 0x08000044u
#define HA_ADD_R1 0x08000046u
#define HA_BRANCH 0x08000048u
#define HA_IDLE 0x08000080u /* every other vector: b . */

/* Vector table at 0x08000000 (H743 boots with VTOR = 0x08000000) and:
 *   0x40  2000  movs r0, #0
 *   0x42  2100  movs r1, #0
 *   0x44  3001  loop: adds r0, #1
 *   0x46  3102        adds r1, #2
 *   0x48  e7fc        b loop          (offset -8: 0x44 - (0x48 + 4))
 *   0x80  e7fe  idle: b .
 * so at any instruction boundary r1 == 2*r0, or 2*r0 - 2 before 0x46 ran. */
static int load_handasm(struct sim *sim)
{
	uint32_t vec[16];
	const uint8_t code[] = {0x00, 0x20, 0x00, 0x21, 0x01, 0x30, 0x02, 0x31, 0xfc, 0xe7};
	const uint8_t idle[] = {0xfe, 0xe7};
	int r;

	vec[0] = HA_SP;
	vec[1] = HA_RESET | 1u;
	for (unsigned i = 2; i < 16; i++)
		vec[i] = HA_IDLE | 1u;
	if ((r = sim_mem_write(sim, 0x08000000u, vec, sizeof(vec))) ||
	    (r = sim_mem_write(sim, HA_RESET, code, sizeof(code))))
		return r;
	return sim_mem_write(sim, HA_IDLE, idle, sizeof(idle));
}

static int rig_open_handasm(struct rig *g)
{
	int r;

	memset(g, 0, sizeof(*g));
	sw_ctx_init(&g->ctx);
	g->ctx.level = SW_LOG_NONE;
	if ((r = sim_new(&g->ctx, "stm32h743", &g->sim)) || (r = load_handasm(g->sim)))
		return r;
	sim_power_on_reset(g->sim);
	if ((r = sw_sim_probe_open(&g->ctx, g->sim, 0, &g->probe)) ||
	    (r = sw_target_open(&g->ctx, g->probe, sw_target_find("stm32h743"), 0, &g->t)))
		return r;
	g->core = sw_target_core(g->t, 0);
	return SW_OK;
}

/* One simulator for the hand-assembled tests (sim_new costs seconds, see
 * the report); each test after the first starts from a reset halt. */
static struct rig ha;
static int ha_ok;

static struct rig *ha_begin(void)
{
	CHECK_MSG(ha_ok, "hand-assembled rig did not open: %s", sw_errmsg(&ha.ctx));
	if (!ha_ok)
		return NULL;
	CHECK_OK(sw_core_bp_clear_all(ha.core));
	CHECK_OK(sw_core_reset(ha.core, SW_RESET_SYSTEM, true));
	return &ha;
}

static void check_loop_invariant(struct rig *g)
{
	uint64_t r0 = 0, r1 = 0, pc = 0;

	CHECK_OK(sw_core_reg_read(g->core, 0, &r0));
	CHECK_OK(sw_core_reg_read(g->core, 1, &r1));
	CHECK_OK(sw_core_reg_read(g->core, SW_REG_PC, &pc));
	CHECK_MSG(pc >= HA_LOOP && pc <= HA_BRANCH, "pc 0x%llx outside the loop", (unsigned long long)pc);
	CHECK_MSG(r1 == 2 * r0 || r1 + 2 == 2 * r0, "r0 %llu r1 %llu", (unsigned long long)r0,
		  (unsigned long long)r1);
}

/* Attach leaves the core running; halt, breakpoint, step, resume on the
 * hand-assembled loop, with the round trips of each. */
static void test_handasm_run_control(void)
{
	struct rig *g = ha_ok ? &ha : NULL;
	struct sw_core_state st;
	uint64_t r0 = 0, r0b = 0, r1 = 0, pc = 0;

	CHECK_MSG(g, "hand-assembled rig did not open: %s", sw_errmsg(&ha.ctx));
	if (!g)
		return;
	/* First user of the fresh rig: attach must have left the core running. */
	CHECK_OK(sw_core_poll(g->core, &st));
	CHECK_MSG(!st.halted, "attach must not halt the core");
	CHECK_OK(sw_core_halt(g->core));
	CHECK_OK(sw_core_poll(g->core, &st));
	CHECK(st.halted && st.reason == SW_HALT_REQUEST);
	check_loop_invariant(g);
	CHECK_OK(sw_core_reg_read(g->core, SW_REG_XPSR, &r0));
	CHECK_EQ_U(r0 & (1u << 24), 1u << 24); /* EPSR.T */
	/* FPB breakpoint on flash code. */
	CHECK_OK(sw_core_bp_set(g->core, HA_ADD_R1, 2, SW_BP_HARD));
	CHECK_OK(sw_core_resume(g->core));
	CHECK_OK(wait_halt(g, &st));
	CHECK(st.reason == SW_HALT_BREAKPOINT);
	CHECK_EQ_U(st.pc, HA_ADD_R1);
	CHECK_OK(sw_core_reg_read(g->core, 0, &r0));
	CHECK_OK(sw_core_reg_read(g->core, 1, &r1));
	CHECK_EQ_U(r1 + 2, 2 * r0);
	/* Step the breakpointed instruction (after removing the comparator). */
	CHECK_OK(sw_core_bp_clear(g->core, HA_ADD_R1, 2, SW_BP_HARD));
	uint64_t rt0 = g->probe->stats.round_trips;
	CHECK_OK(sw_core_step(g->core, true));
	TEST_INFO("step: %llu round trip(s)", (unsigned long long)(g->probe->stats.round_trips - rt0));
	CHECK_OK(sw_core_reg_read(g->core, SW_REG_PC, &pc));
	CHECK_OK(sw_core_reg_read(g->core, 1, &r1));
	CHECK_EQ_U(pc, HA_BRANCH);
	CHECK_EQ_U(r1, 2 * r0);
	/* Resume; the loop runs on until halted again. */
	CHECK_OK(sw_core_resume(g->core));
	CHECK_OK(sw_core_poll(g->core, &st));
	CHECK(!st.halted && st.reason == SW_HALT_RUNNING);
	sim_advance_ns(g->sim, 100000);
	CHECK_OK(sw_core_halt(g->core));
	CHECK_OK(sw_core_reg_read(g->core, 0, &r0b));
	CHECK_MSG(r0b > r0, "r0 did not advance while running (%llu -> %llu)", (unsigned long long)r0,
		  (unsigned long long)r0b);
	check_loop_invariant(g);
}

/* Every register in one round trip; writes read back (core, FPU, packed
 * special registers) and survive the cache being dropped by a step. */
static void test_handasm_registers(void)
{
	struct rig *g = ha_begin();
	unsigned regs[SW_REG_COUNT];
	uint64_t vals[SW_REG_COUNT], v = 0;
	size_t n = 0;

	if (!g)
		return;
	CHECK_OK(sw_core_halt(g->core));
	for (unsigned i = 0; i <= SW_REG_FPSCR; i++)
		regs[n++] = i;
	uint64_t rt0 = g->probe->stats.round_trips;
	CHECK_OK(sw_core_regs_read(g->core, regs, n, vals));
	TEST_INFO("full register read (%zu registers incl. d0-d15, fpscr): %llu round trip(s)", n,
		  (unsigned long long)(g->probe->stats.round_trips - rt0));
	/* 53 selectors through the banked registers: one J-Link buffer of 16384 bits. */
	CHECK_EQ_U(g->probe->stats.round_trips - rt0, 1);
	CHECK_EQ_U(vals[SW_REG_SP], HA_SP);
	CHECK_EQ_U(vals[SW_REG_MSP], HA_SP);
	/* xPSR is not checked here: the simulator reads EPSR.T as 0 right after
	 * a reset (see the report); test_handasm_run_control checks it. */
	/* A second read of the same registers comes from the cache. */
	rt0 = g->probe->stats.round_trips;
	CHECK_OK(sw_core_regs_read(g->core, regs, n, vals));
	CHECK_EQ_U(g->probe->stats.round_trips - rt0, 0);
	CHECK_OK(sw_core_reg_write(g->core, 7, 0xCAFEF00Du));
	CHECK_OK(sw_core_reg_write(g->core, SW_REG_D0 + 15, 0xC00921FB54442D18ull));
	CHECK_OK(sw_core_reg_write(g->core, SW_REG_FPSCR, 0x03C00000u)); /* RMode, FZ, DN */
	CHECK_OK(sw_core_reg_write(g->core, SW_REG_PRIMASK, 1));
	CHECK_OK(sw_core_reg_write(g->core, SW_REG_FAULTMASK, 1));
	CHECK_OK(sw_core_step(g->core, false)); /* drops the cache: reads go to the core */
	CHECK_OK(sw_core_reg_read(g->core, 7, &v));
	CHECK_EQ_U(v, 0xCAFEF00Du);
	CHECK_OK(sw_core_reg_read(g->core, SW_REG_D0 + 15, &v));
	CHECK_EQ_U(v, 0xC00921FB54442D18ull);
	CHECK_OK(sw_core_reg_read(g->core, SW_REG_FPSCR, &v));
	CHECK_EQ_U(v, 0x03C00000u);
	CHECK_OK(sw_core_reg_read(g->core, SW_REG_PRIMASK, &v));
	CHECK_EQ_U(v, 1);
	CHECK_OK(sw_core_reg_read(g->core, SW_REG_FAULTMASK, &v));
	CHECK_EQ_U(v, 1);
	CHECK_OK(sw_core_reg_read(g->core, SW_REG_BASEPRI, &v));
	CHECK_EQ_U(v, 0);
	/* No security extension or MVE on the M7: those registers do not exist. */
	CHECK_EQ_U(sw_core_reg_read(g->core, SW_REG_MSP_S, &v), SW_ERR_NOT_FOUND);
	CHECK_EQ_U(sw_core_reg_read(g->core, SW_REG_VPR, &v), SW_ERR_NOT_FOUND);
	/* Resumed behind the layer's back: S_REGRDY never comes, and the slow
	 * path reports that the core runs instead of returning stale DCRDR. */
	uint32_t run = 0xA05F0001u;
	CHECK_OK(sw_core_mem_write(g->core, 0xE000EDF0u, &run, 4));
	CHECK_EQ_U(sw_core_reg_read(g->core, 3, &v), SW_ERR_TARGET_STATE);
	CHECK(strstr(sw_errmsg(&g->ctx), "no longer halted") != NULL);
}

/* reset halt stops on the first instruction of the reset handler with the
 * vector table's SP; reset run runs the loop. VECTRESET works on ARMv7-M. */
static void test_handasm_reset(void)
{
	struct rig *g = ha_begin();
	struct sw_core_state st;
	uint64_t pc = 0, sp = 0, r0 = 0;
	uint32_t demcr = 0;

	if (!g)
		return;
	sim_advance_ns(g->sim, 100000);
	CHECK_OK(sw_core_reset(g->core, SW_RESET_SYSTEM, true));
	CHECK_OK(sw_core_poll(g->core, &st));
	CHECK(st.halted && st.reason == SW_HALT_RESET);
	CHECK_OK(sw_core_reg_read(g->core, SW_REG_PC, &pc));
	CHECK_OK(sw_core_reg_read(g->core, SW_REG_SP, &sp));
	CHECK_OK(sw_core_reg_read(g->core, 0, &r0));
	CHECK_EQ_U(pc, HA_RESET);
	CHECK_EQ_U(sp, HA_SP);
	CHECK_EQ_U(r0, 0);
	/* VC_CORERESET is put back afterwards. */
	CHECK_OK(sw_core_mem_read(g->core, 0xE000EDFCu, &demcr, 4));
	CHECK_EQ_U(demcr & 1u, 0);
	CHECK_OK(sw_core_reset(g->core, SW_RESET_CORE, true));
	CHECK_OK(sw_core_reg_read(g->core, SW_REG_PC, &pc));
	CHECK_EQ_U(pc, HA_RESET);
	CHECK_OK(sw_core_step(g->core, false));
	CHECK_OK(sw_core_reset(g->core, SW_RESET_PIN, true));
	CHECK_OK(sw_core_reg_read(g->core, SW_REG_PC, &pc));
	CHECK_EQ_U(pc, HA_RESET);
	/* A user's reset vector catch survives a "reset run" (which must run). */
	uint32_t vc = 0;
	CHECK_OK(sw_core_vector_catch(g->core, 1u, true));
	CHECK_OK(sw_core_reset(g->core, SW_RESET_SYSTEM, false));
	CHECK_OK(sw_core_poll(g->core, &st));
	CHECK(!st.halted);
	CHECK_OK(sw_core_vector_catch_get(g->core, &vc));
	CHECK_EQ_U(vc & 1u, 1u);
	CHECK_OK(sw_core_vector_catch(g->core, 1u, false));
	CHECK_OK(sw_core_reset(g->core, SW_RESET_SYSTEM, false));
	CHECK_OK(sw_core_poll(g->core, &st));
	CHECK(!st.halted);
	sim_advance_ns(g->sim, 100000);
	CHECK_OK(sw_core_halt(g->core));
	CHECK_OK(sw_core_reg_read(g->core, 0, &r0));
	CHECK_MSG(r0 > 0, "the loop did not run after reset run");
	check_loop_invariant(g);
	/* A fault vector catch is VCATCH (in the handler), not RESET. */
	CHECK_OK(sw_core_vector_catch(g->core, 1u << 10, true)); /* VC_HARDERR */
	CHECK_OK(sw_core_reg_write(g->core, SW_REG_PC, 0x60000000u)); /* nothing mapped there */
	CHECK_OK(sw_core_resume(g->core));
	CHECK_OK(wait_halt(g, &st));
	CHECK(st.halted && st.reason == SW_HALT_VCATCH);
	CHECK_EQ_U(st.ipsr, 3); /* HardFault */
	CHECK_EQ_U(st.pc, HA_IDLE);
	CHECK_OK(sw_core_vector_catch(g->core, 1u << 10, false));
}

static int raw_wait_halt(struct rig *g)
{
	uint32_t dhcsr = 0;

	for (int i = 0; i < 2000; i++) {
		int r = sw_core_mem_read(g->core, 0xE000EDF0u, &dhcsr, 4);
		if (r || (dhcsr & (1u << 17)))
			return r;
	}
	return SW_ERR_TIMEOUT;
}

/* Cortex-M7 erratum 3092511 workaround: a BKPT halt at a PC without one of
 * our breakpoints and without a BKPT instruction is resumed silently. The
 * spurious halt is made with an FPB comparator the layer does not know,
 * removed before the layer polls. A BKPT instruction that firmware contains
 * (unknown to the layer too) is still reported. */
static void test_m7_erratum_spurious_bkpt(void)
{
	struct rig *g = ha_begin();
	struct sw_core_state st;
	uint32_t comp = HA_LOOP | 1u, enable = 3, zero = 0;
	/* RAM: movs r0,#7 (2007); bkpt #0 (be00); b . (e7fe) */
	const uint8_t code[] = {0x07, 0x20, 0x00, 0xbe, 0xfe, 0xe7};
	uint64_t r0 = 0;

	if (!g)
		return;
	CHECK_OK(sw_core_mem_write(g->core, 0xE0002000u + 8 + 4 * 7, &comp, 4));
	CHECK_OK(sw_core_mem_write(g->core, 0xE0002000u, &enable, 4));
	CHECK_OK(sw_core_resume(g->core)); /* from the reset halt into the loop */
	CHECK_OK(raw_wait_halt(g));
	CHECK_OK(sw_core_mem_write(g->core, 0xE0002000u + 8 + 4 * 7, &zero, 4));
	CHECK_OK(sw_core_poll(g->core, &st));
	CHECK_MSG(!st.halted, "spurious breakpoint halt at 0x%08x was reported", st.pc);
	CHECK_OK(sw_core_poll(g->core, &st));
	CHECK(!st.halted);
	/* A comparator that stays armed behind the layer's back is no erratum:
	 * after a few resumes at the same PC the halt is reported. */
	CHECK_OK(sw_core_mem_write(g->core, 0xE0002000u + 8 + 4 * 7, &comp, 4));
	int polls = 0;
	st.halted = false;
	while (!st.halted && polls++ < 50)
		CHECK_OK(sw_core_poll(g->core, &st));
	CHECK(st.halted && st.reason == SW_HALT_BREAKPOINT && st.pc == HA_LOOP);
	TEST_INFO("comparator unknown to the layer reported after %d polls", polls);
	/* Re-attaching clears comparators left by an earlier session. */
	sw_target_close(g->t);
	g->t = NULL;
	CHECK_OK(sw_target_open(&g->ctx, g->probe, sw_target_find("stm32h743"), 0, &g->t));
	if (!g->t)
		return;
	g->core = sw_target_core(g->t, 0);
	CHECK_OK(sw_core_mem_read(g->core, 0xE0002000u + 8 + 4 * 7, &comp, 4));
	CHECK_EQ_U(comp, 0);
	/* A real BKPT instruction in RAM halts and is reported. */
	CHECK_OK(sw_core_halt(g->core));
	CHECK_OK(sw_core_mem_write(g->core, 0x20000200u, code, sizeof(code)));
	CHECK_OK(sw_core_reg_write(g->core, SW_REG_PC, 0x20000200u));
	CHECK_OK(sw_core_resume(g->core));
	CHECK_OK(wait_halt(g, &st));
	CHECK(st.halted && st.reason == SW_HALT_BREAKPOINT);
	CHECK_EQ_U(st.pc, 0x20000202u);
	CHECK_OK(sw_core_reg_read(g->core, 0, &r0));
	CHECK_EQ_U(r0, 7);
}

int main(void)
{
	RUN_TEST(test_watch_v7m);
	RUN_TEST(test_watch_v8m);
	RUN_TEST(test_watch_value_range_v7m);
	RUN_TEST(test_watch_value_range_v8m);
	RUN_TEST(test_attach_identify);
	RUN_TEST(test_halt_regs_step);
	RUN_TEST(test_hw_breakpoint);
	RUN_TEST(test_soft_breakpoint_ram);
	RUN_TEST(test_reset_halt_and_run);
	RUN_TEST(test_hardfault_vector_catch_free);
	RUN_TEST(test_fault_decode);
	RUN_TEST(test_hardfault_catch_default);
	ha_ok = rig_open_handasm(&ha) == SW_OK;
	RUN_TEST(test_handasm_run_control);
	RUN_TEST(test_handasm_registers);
	RUN_TEST(test_handasm_reset);
	RUN_TEST(test_m7_erratum_spurious_bkpt);
	rig_close(&ha);
	return TEST_MAIN_END();
}
