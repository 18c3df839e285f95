/* Debug request timing of the simulated core (issue #18, sim/sim_core_dbg.c):
 * a DCRSR transfer, a C_HALT, a C_STEP and a debugger's SYSRESETREQ take a
 * core clock cycle of virtual time (ARMv7-M ARM C1.6.3: the debugger must
 * poll S_REGRDY; C1.6.2 S_HALT). The core here runs at 7812 Hz (an H743 on
 * CSI/512): one cycle is 128 us. Time passes only through sim_core_run. */
#include "tests/sim_core_board.h"

#define SLOW_HZ 7812u
#define CYCLE_NS 128010u /* 1e9 / 7812, rounded up */

static void slow_board(struct board *b)
{
	CHECK_OK(board_new(b, 7, 1));
	sim_core_set_hz(b->core, SLOW_HZ);
	wr(b, DHCSR, DBGKEY | C_DEBUGEN);
}

/* Wait until a request made now has completed. */
static void one_cycle(struct board *b)
{
	sim_core_run(b->core, CYCLE_NS);
}

static void slow_reg_wr(struct board *b, uint32_t sel, uint32_t v)
{
	wr(b, DCRDR, v);
	wr(b, DCRSR, (1u << 16) | sel);
	one_cycle(b);
	CHECK(rd(b, DHCSR) & S_REGRDY);
}

static uint32_t slow_reg_rd(struct board *b, uint32_t sel)
{
	wr(b, DCRSR, sel);
	one_cycle(b);
	CHECK(rd(b, DHCSR) & S_REGRDY);
	return rd(b, DCRDR);
}

static void slow_halt(struct board *b)
{
	wr(b, DHCSR, DBGKEY | C_DEBUGEN | C_HALT);
	one_cycle(b);
	CHECK(rd(b, DHCSR) & S_HALT);
}

/* S_REGRDY reads 0 and DCRDR its old value until the transfer is done. */
static void test_regrdy_takes_a_cycle(void)
{
	struct board b;

	slow_board(&b);
	slow_halt(&b);
	slow_reg_wr(&b, 3, 0x33u);
	wr(&b, DCRDR, 0x5555u);
	wr(&b, DCRSR, 3); /* read r3 */
	CHECK(!(rd(&b, DHCSR) & S_REGRDY));
	CHECK_EQ_U(rd(&b, DCRDR), 0x5555u);
	sim_core_run(b.core, CYCLE_NS - 1000);
	CHECK(!(rd(&b, DHCSR) & S_REGRDY)); /* not yet */
	CHECK_EQ_U(rd(&b, DCRDR), 0x5555u);
	sim_core_run(b.core, 1000);
	CHECK(rd(&b, DHCSR) & S_REGRDY);
	CHECK_EQ_U(rd(&b, DCRDR), 0x33u);
	/* A write: the register keeps its value until the transfer ends. */
	wr(&b, DCRDR, 0x77u);
	wr(&b, DCRSR, (1u << 16) | 4u);
	CHECK(!(rd(&b, DHCSR) & S_REGRDY));
	one_cycle(&b);
	CHECK(rd(&b, DHCSR) & S_REGRDY);
	CHECK_EQ_U(slow_reg_rd(&b, 4), 0x77u);
	board_free(&b);
}

/* A DCRSR write while a transfer is in flight is UNPREDICTABLE (C1.6.3);
 * the model drops it: S_REGRDY then reports the first transfer, and
 * DCRDR holds the first register, not the second. */
static void test_dcrsr_during_transfer_is_lost(void)
{
	struct board b;

	slow_board(&b);
	slow_halt(&b);
	slow_reg_wr(&b, 1, 0x1111u);
	slow_reg_wr(&b, 2, 0x2222u);
	wr(&b, DCRSR, 1);  /* read r1 ... */
	wr(&b, DCRSR, 2);  /* ... and r2 before r1 is done: lost */
	one_cycle(&b);
	CHECK(rd(&b, DHCSR) & S_REGRDY);
	CHECK_EQ_U(rd(&b, DCRDR), 0x1111u);
	board_free(&b);
}

/* C_HALT: the core runs on for a cycle, S_HALT reads 0 until then. */
static void test_halt_takes_a_cycle(void)
{
	struct board b;
	uint32_t d;

	slow_board(&b);
	sim_core_run(b.core, 10 * CYCLE_NS);
	(void)rd(&b, DHCSR); /* clear S_RETIRE_ST */
	wr(&b, DHCSR, DBGKEY | C_DEBUGEN | C_HALT);
	d = rd(&b, DHCSR);
	CHECK(d & C_HALT);
	CHECK(!(d & S_HALT));
	wr(&b, DCRSR, REG_R0); /* not in Debug state: no transfer */
	one_cycle(&b);
	d = rd(&b, DHCSR);
	CHECK(d & S_HALT);
	CHECK(d & S_RETIRE_ST); /* the core executed until the halt took effect */
	CHECK(!(d & S_REGRDY));
	CHECK(rd(&b, DFSR) & DFSR_HALTED);
	board_free(&b);
}

/* C_STEP: out of Debug state at once, back a cycle later, one instruction
 * executed; C_MASKINTS cannot change while the step is in flight. */
static void test_step_takes_a_cycle(void)
{
	struct board b;
	uint32_t r0;

	slow_board(&b);
	sim_core_run(b.core, 10 * CYCLE_NS); /* prog_count runs */
	slow_halt(&b);
	slow_reg_wr(&b, REG_PC, FLASH + 0x102); /* adds r0, #1 */
	r0 = slow_reg_rd(&b, REG_R0);
	wr(&b, DHCSR, DBGKEY | C_DEBUGEN | C_HALT | C_MASKINTS);
	wr(&b, DHCSR, DBGKEY | C_DEBUGEN | C_STEP | C_MASKINTS);
	CHECK(!(rd(&b, DHCSR) & S_HALT));
	wr(&b, DHCSR, DBGKEY | C_DEBUGEN | C_HALT); /* MASKINTS change: ignored */
	CHECK(!(rd(&b, DHCSR) & S_HALT));
	CHECK(rd(&b, DHCSR) & C_MASKINTS);
	one_cycle(&b);
	CHECK(rd(&b, DHCSR) & S_HALT);
	CHECK_EQ_U(slow_reg_rd(&b, REG_PC), FLASH + 0x104);
	CHECK_EQ_U(slow_reg_rd(&b, REG_R0), r0 + 1);
	board_free(&b);
}

/* A debugger's SYSRESETREQ resets a cycle after the AIRCR write. */
static void test_sysresetreq_takes_a_cycle(void)
{
	struct board b;

	slow_board(&b);
	(void)rd(&b, DHCSR);
	wr(&b, AIRCR, 0x05FA0004u);
	CHECK_EQ_U(b.resets, 0u);
	CHECK(!(rd(&b, DHCSR) & S_RESET_ST));
	one_cycle(&b);
	CHECK_EQ_U(b.resets, 1u);
	CHECK(rd(&b, DHCSR) & S_RESET_ST);
	board_free(&b);
}

/* At 64 MHz a cycle is 16 ns: done long before the next SWD packet. */
static void test_fast_core_within_a_packet(void)
{
	struct board b;

	CHECK_OK(board_new(&b, 7, 1));
	wr(&b, DHCSR, DBGKEY | C_DEBUGEN | C_HALT);
	sim_core_run(b.core, 16);
	CHECK(rd(&b, DHCSR) & S_HALT);
	wr(&b, DCRSR, REG_SP);
	CHECK(!(rd(&b, DHCSR) & S_REGRDY));
	sim_core_run(b.core, 16);
	CHECK(rd(&b, DHCSR) & S_REGRDY);
	CHECK_EQ_U(rd(&b, DCRDR), STACK_TOP);
	board_free(&b);
}

int main(void)
{
	RUN_TEST(test_regrdy_takes_a_cycle);
	RUN_TEST(test_dcrsr_during_transfer_is_lost);
	RUN_TEST(test_halt_takes_a_cycle);
	RUN_TEST(test_step_takes_a_cycle);
	RUN_TEST(test_sysresetreq_takes_a_cycle);
	RUN_TEST(test_fast_core_within_a_packet);
	return TEST_MAIN_END();
}
