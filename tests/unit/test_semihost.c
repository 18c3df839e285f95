/* Issue #17: semihosting calls (cortexm/semihost.c decode, server/semihost.c
 * execution) on the simulated H743 running firmware/semihost/main.c, with no
 * gdb: file operations are refused (EIO), console text reaches the session,
 * the exit status comes back; and gdb's F replies parsed into results. */
#include "cortexm/semihost.h"
#include "probes/sim_probe.h"
#include "server/semihost.h"
#include "server/session.h"
#include "sim/sim.h"
#include "targets/target.h"
#include "tests/test.h"

#define SEMI_ELF BUILD_DIR "/fw/semihost-h743.elf"

struct rig {
	struct sw_ctx ctx;
	struct sim *sim;
	struct sw_probe *probe;
	struct sw_target *t;
	struct sw_session s;
};

/* A symbol's address, through our own ELF reader (include/sw/elf.h). */
static uint32_t sym(const char *name)
{
	struct sw_ctx ctx;
	struct sw_elf *elf = NULL;
	uint32_t addr = 0, size;

	sw_ctx_init(&ctx);
	if (!sw_elf_open_file(&ctx, SEMI_ELF, &elf) && sw_elf_symbol(elf, name, &addr, &size))
		addr = 0;
	sw_elf_close(elf);
	return addr;
}

static int rig_open(struct rig *g)
{
	const struct sw_target_desc *d = sw_target_find("stm32h743");
	int r;

	memset(g, 0, sizeof(*g));
	sw_ctx_init(&g->ctx);
	g->ctx.level = SW_LOG_NONE;
	if ((r = sim_new(&g->ctx, "stm32h743", &g->sim)) || (r = sim_load_elf(g->sim, SEMI_ELF)))
		return r;
	sim_power_on_reset(g->sim);
	if ((r = sw_sim_probe_open(&g->ctx, g->sim, 0, &g->probe)) || (r = sw_target_open(&g->ctx, g->probe, d, 0, &g->t)))
		return r;
	sw_session_init(&g->s, &g->ctx, sw_target_core(g->t, 0), d, g->probe, 0);
	/* Power-on ran into the first BKPT without a debugger (HardFault):
	 * start again from the reset vector with debug on. */
	return sw_core_reset(g->s.core, SW_RESET_SYSTEM, true);
}

static void rig_close(struct rig *g)
{
	sw_target_close(g->t);
	sw_probe_close(g->probe);
	sim_free(g->sim);
}

/* Resume and wait (virtual time) for the next halt. */
static int run_to_halt(struct rig *g, struct sw_core_state *st)
{
	int r = sw_core_resume(g->s.core);

	for (unsigned i = 0; !r && i < 1000; i++) {
		sim_advance_ns(g->sim, 100000);
		if ((r = sw_core_poll(g->s.core, st)) || st->halted)
			return r;
	}
	return r ? r : -1;
}

static void test_program_without_gdb(void)
{
	struct rig g;
	struct sw_core_state st;
	struct sw_semihost_call call;
	struct sw_semihost_step step = {0};
	int32_t v;
	unsigned calls = 0;
	bool is_call;

	CHECK_OK(rig_open(&g));
	for (; calls < 40; calls++) {
		if (run_to_halt(&g, &st) || sw_core_semihost_decode(g.s.core, &st, &call, &is_call) || !is_call)
			break;
		if (sw_semihost_start(&g.s, &call, false, &step) || step.action != SW_SH_RESUME)
			break;
	}
	printf("\n"); /* the program's output (on stdout, as the server's terminal) ends without one */
	CHECK_MSG(step.action == SW_SH_EXIT, "%u calls, last action %d", calls, (int)step.action);
	CHECK_EQ_U(step.exit_status, 0); /* nothing read: the file could not be opened */
	CHECK(strstr(g.s.console, "hello from semihosting\n") != NULL);
	CHECK(strstr(g.s.console, "file: ") != NULL);
	CHECK_OK(sim_mem_read(g.sim, sym("sh_missing_fd"), &v, 4));
	CHECK_EQ_U((uint32_t)v, 0xFFFFFFFFu);
	CHECK_OK(sim_mem_read(g.sim, sym("sh_errno"), &v, 4));
	CHECK_EQ_U(v, 5); /* EIO: no gdb to open files through */
	CHECK_OK(sim_mem_read(g.sim, sym("sh_istty"), &v, 4));
	CHECK_EQ_U(v, 1);
	CHECK_OK(sim_mem_read(g.sim, sym("sh_time"), &v, 4));
	CHECK((uint32_t)v > 1700000000u);
	rig_close(&g);
}

/* gdb's F replies (gdb manual "The F Reply Packet"): READ returns the
 * bytes not read, errors set SYS_ERRNO, ",C" reports Ctrl-C; r0 and the
 * PC past the BKPT are written. */
static void test_fileio_replies(void)
{
	struct rig g;
	struct sw_core_state st;
	struct sw_semihost_step step;
	uint64_t r0, pc;
	bool cc;

	CHECK_OK(rig_open(&g));
	CHECK_OK(sw_core_poll(g.s.core, &st));
	g.s.sh.call = (struct sw_semihost_call){.op = SW_SYS_READ, .pc = st.pc};
	g.s.sh.len = 10;
	CHECK_OK(sw_semihost_fileio_reply(&g.s, "4", &cc, &step));
	CHECK_OK(sw_core_reg_read(g.s.core, SW_REG_R0, &r0));
	CHECK_OK(sw_core_reg_read(g.s.core, SW_REG_PC, &pc));
	CHECK(step.action == SW_SH_RESUME && !cc && r0 == 6 && pc == st.pc + 2u);
	CHECK_OK(sw_semihost_fileio_reply(&g.s, "-1,2", &cc, &step));
	CHECK_OK(sw_core_reg_read(g.s.core, SW_REG_R0, &r0));
	CHECK(r0 == 10 && g.s.sh.err == 2 && !cc);
	g.s.sh.call.op = SW_SYS_OPEN;
	CHECK_OK(sw_semihost_fileio_reply(&g.s, "-1,4,C", &cc, &step));
	CHECK_OK(sw_core_reg_read(g.s.core, SW_REG_R0, &r0));
	CHECK(r0 == 0xFFFFFFFFu && g.s.sh.err == 4 && cc);
	g.s.sh.call.op = SW_SYS_SEEK;
	CHECK_OK(sw_semihost_fileio_reply(&g.s, "1c", &cc, &step));
	CHECK_OK(sw_core_reg_read(g.s.core, SW_REG_R0, &r0));
	CHECK_EQ_U(r0, 0);
	rig_close(&g);
}

int main(void)
{
	RUN_TEST(test_program_without_gdb);
	RUN_TEST(test_fileio_replies);
	return TEST_MAIN_END();
}
