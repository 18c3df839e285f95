/* The simulated Cortex-M core driven only through its debug registers, as a
 * debugger would over the MEM-AP: identity, run/halt/step, DCRSR/DCRDR
 * register transfers, resets, sleep, CPU writes to flash. Breakpoint and
 * watchpoint units: test_sim_core_fpb_dwt.c; exceptions and faults:
 * test_sim_core_exc.c. Register layout: ARMv7-M ARM C1.6, B3.2; ARMv8-M
 * ARM D1.2. */
#include "tests/sim_core_board.h"

static void test_identity_and_ids(void)
{
	struct board b;
	uint32_t pidr0, pidr1, pidr2, pidr4, part, designer;

	CHECK_OK(board_new(&b, 7, 1));
	CHECK_EQ_U(rd(&b, CPUID), 0x411FC271u);
	CHECK_EQ_U(rd(&b, AIRCR) >> 16, 0xFA05u); /* VECTKEYSTAT */
	/* SCS PIDR: part 0x00C, designer ARM (JEP106 0x4BB as printed). */
	pidr0 = rd(&b, 0xE000EFE0u);
	pidr1 = rd(&b, 0xE000EFE4u);
	pidr2 = rd(&b, 0xE000EFE8u);
	pidr4 = rd(&b, 0xE000EFD0u);
	part = pidr0 | (pidr1 & 0xFu) << 8;
	designer = (pidr1 >> 4) | (pidr2 & 7u) << 4 | (pidr4 & 0xFu) << 8;
	CHECK_EQ_U(part, 0x00Cu);
	CHECK_EQ_U(designer, 0x43Bu);
	CHECK_EQ_U(rd(&b, 0xE000EFFCu), 0xB1u); /* CIDR3 */
	CHECK_EQ_U(rd(&b, 0xE0001FE0u), 0x02u); /* DWT part */
	CHECK_EQ_U(rd(&b, 0xE0002FE0u), 0x0Eu); /* FPB part */
	CHECK_EQ_U(rd(&b, 0xE0000FE0u), 0x01u); /* ITM part */
	CHECK_EQ_U(rd(&b, DWT_CTRL) >> 28, 4u);  /* NUMCOMP */
	/* FP_CTRL: REV 1, NUM_CODE 8 split over [14:12]:[7:4]. */
	CHECK_EQ_U(rd(&b, FP_CTRL) >> 28, 1u);
	CHECK_EQ_U(((rd(&b, FP_CTRL) >> 8) & 0x70u) | ((rd(&b, FP_CTRL) >> 4) & 0xFu), 8u);
	board_free(&b);
}

static void test_run_halt_step(void)
{
	struct board b;
	uint32_t r0, r0b, pc, d;

	CHECK_OK(board_new(&b, 7, 1));
	/* Out of reset: MSP and PC from the vector table, not halted. */
	d = rd(&b, DHCSR);
	CHECK(d & S_RESET_ST);
	CHECK(!(d & S_HALT));
	CHECK(!(rd(&b, DHCSR) & S_RESET_ST)); /* cleared by the read */
	wr(&b, DHCSR, DBGKEY | C_DEBUGEN);
	run_a_bit(&b);
	CHECK(rd(&b, DHCSR) & S_RETIRE_ST);
	/* DCRSR while running: no transfer, S_REGRDY stays clear. */
	wr(&b, DCRDR, 0x1234u);
	wr(&b, DCRSR, REG_R0);
	d = rd(&b, DHCSR);
	CHECK(!(d & S_REGRDY));
	CHECK_EQ_U(rd(&b, DCRDR), 0x1234u);
	halt(&b);
	d = rd(&b, DHCSR);
	CHECK(d & S_HALT);
	CHECK(rd(&b, DFSR) & DFSR_HALTED);
	CHECK(!(rd(&b, DHCSR) & S_RETIRE_ST)); /* nothing retired since the last read */
	r0 = reg_rd(&b, REG_R0);
	pc = reg_rd(&b, REG_PC);
	CHECK_MSG(r0 > 100 && r0 < 6400, "r0 = %u after 6400 instructions", r0);
	CHECK_MSG(pc == FLASH + 0x102 || pc == FLASH + 0x104, "pc 0x%08x", pc);
	CHECK_EQ_U(reg_rd(&b, REG_MSP), STACK_TOP);
	CHECK_EQ_U(reg_rd(&b, REG_SP), STACK_TOP);
	CHECK_EQ_U(reg_rd(&b, REG_XPSR) & 0x010001FFu, 0x01000000u); /* Thumb, thread mode */
	/* Halted: running time does nothing. */
	run_a_bit(&b);
	CHECK_EQ_U(reg_rd(&b, REG_R0), r0);
	/* Single step from the adds: exactly one instruction. */
	reg_wr(&b, REG_PC, FLASH + 0x102);
	wr(&b, DFSR, 0x1Fu);
	wr(&b, DHCSR, DBGKEY | C_DEBUGEN | C_STEP | C_MASKINTS);
	dbg_settle(b.core); /* the step takes a core clock cycle */
	CHECK(rd(&b, DHCSR) & S_HALT);
	CHECK(rd(&b, DFSR) & DFSR_HALTED);
	r0b = reg_rd(&b, REG_R0);
	CHECK_EQ_U(r0b, r0 + 1);
	CHECK_EQ_U(reg_rd(&b, REG_PC), FLASH + 0x104);
	wr(&b, DHCSR, DBGKEY | C_DEBUGEN | C_STEP | C_MASKINTS);
	dbg_settle(b.core);
	CHECK_EQ_U(reg_rd(&b, REG_PC), FLASH + 0x102);
	CHECK_EQ_U(reg_rd(&b, REG_R0), r0b);
	board_free(&b);
}

static void test_register_transfer(void)
{
	struct board b;

	CHECK_OK(board_new(&b, 7, 1));
	halt(&b);
	for (uint32_t i = 0; i <= 12; i++)
		reg_wr(&b, i, 0x1000u + i * 0x11u);
	for (uint32_t i = 0; i <= 12; i++)
		CHECK_EQ_U(reg_rd(&b, i), 0x1000u + i * 0x11u);
	reg_wr(&b, REG_LR, 0x08000123u);
	CHECK_EQ_U(reg_rd(&b, REG_LR), 0x08000123u);
	reg_wr(&b, REG_PSP, 0x20004000u);
	CHECK_EQ_U(reg_rd(&b, REG_PSP), 0x20004000u);
	reg_wr(&b, REG_MSP, 0x20007000u);
	CHECK_EQ_U(reg_rd(&b, REG_SP), 0x20007000u); /* SP is MSP in thread mode, SPSEL 0 */
	reg_wr(&b, REG_XPSR, 0xF1000000u);
	CHECK_EQ_U(reg_rd(&b, REG_XPSR) & 0xFF000000u, 0xF1000000u);
	/* CONTROL[31:24] FAULTMASK[23:16] BASEPRI[15:8] PRIMASK[7:0]. */
	reg_wr(&b, REG_SPECIAL, 0x00012001u);
	CHECK_EQ_U(reg_rd(&b, REG_SPECIAL) & 0x00FFFFFFu, 0x00012001u);
	reg_wr(&b, REG_SPECIAL, 0);
	reg_wr(&b, REG_FPSCR, 0x03C00000u);
	CHECK_EQ_U(reg_rd(&b, REG_FPSCR), 0x03C00000u);
	reg_wr(&b, REG_S0 + 3, 0x3F800000u);
	CHECK_EQ_U(reg_rd(&b, REG_S0 + 3), 0x3F800000u);
	board_free(&b);
}

static void test_vector_catch_reset_and_sysresetreq(void)
{
	struct board b;

	CHECK_OK(board_new(&b, 7, 1));
	wr(&b, DHCSR, DBGKEY | C_DEBUGEN);
	wr(&b, DEMCR, 1u); /* VC_CORERESET */
	run_a_bit(&b);
	(void)rd(&b, DHCSR);
	wr(&b, AIRCR, 0x00000004u); /* no VECTKEY: ignored */
	CHECK_EQ_U(b.resets, 0u);
	wr(&b, AIRCR, 0x05FA0004u); /* SYSRESETREQ: the reset follows a cycle later */
	dbg_settle(b.core);
	CHECK_EQ_U(b.resets, 1u);
	CHECK(rd(&b, DHCSR) & S_RESET_ST);
	CHECK(!(rd(&b, DHCSR) & S_RESET_ST));
	CHECK(rd(&b, DHCSR) & S_HALT);
	CHECK(rd(&b, DFSR) & DFSR_VCATCH);
	CHECK_EQ_U(reg_rd(&b, REG_PC), FLASH + 0x100);
	CHECK_EQ_U(reg_rd(&b, REG_MSP), STACK_TOP);
	/* DEMCR survives a system reset. So does DHCSR (C1.6.3): without
	 * VC_CORERESET a core left with C_HALT set halts at the reset vector
	 * (DFSR.HALTED); once the debugger clears C_HALT it runs. */
	CHECK_EQ_U(rd(&b, DEMCR), 1u);
	wr(&b, DEMCR, 0);
	wr(&b, DFSR, 0x1Fu);
	wr(&b, AIRCR, 0x05FA0004u);
	dbg_settle(b.core);
	CHECK_EQ_U(b.resets, 2u);
	CHECK(rd(&b, DHCSR) & S_HALT);
	CHECK(rd(&b, DHCSR) & C_HALT);
	CHECK_EQ_U(rd(&b, DFSR) & (DFSR_HALTED | DFSR_VCATCH), DFSR_HALTED);
	CHECK_EQ_U(reg_rd(&b, REG_PC), FLASH + 0x100);
	wr(&b, DHCSR, DBGKEY | C_DEBUGEN);
	wr(&b, AIRCR, 0x05FA0004u);
	dbg_settle(b.core);
	CHECK_EQ_U(b.resets, 3u);
	CHECK(!(rd(&b, DHCSR) & S_HALT));
	board_free(&b);
}

/* CONTROL on ARMv7-M is nPRIV, SPSEL, FPCA (B1.4.4): bit 3 (SFPA) is
 * ARMv8-M only. A debugger write to xPSR sets IPSR and EPSR too (C1.6.3). */
static void test_control_and_xpsr_v7(void)
{
	struct board b;

	CHECK_OK(board_new(&b, 7, 1));
	halt(&b);
	reg_wr(&b, REG_SPECIAL, 0x0F000000u);
	CHECK_EQ_U(reg_rd(&b, REG_SPECIAL) >> 24, 0x7u);
	reg_wr(&b, REG_SPECIAL, 0);
	reg_wr(&b, REG_XPSR, 0x01000003u); /* T, IPSR = 3 (HardFault) */
	CHECK_EQ_U(reg_rd(&b, REG_XPSR) & 0x1FFu, 3u);
	reg_wr(&b, REG_XPSR, 0x01000000u);
	CHECK_EQ_U(reg_rd(&b, REG_XPSR), 0x01000000u);
	board_free(&b);
}

static void test_vectreset_v7_only(void)
{
	struct board b7, b8;

	CHECK_OK(board_new(&b7, 7, 1));
	CHECK_OK(board_new(&b8, 8, 1));
	wr(&b7, DHCSR, DBGKEY | C_DEBUGEN);
	wr(&b7, DEMCR, 1u);
	(void)rd(&b7, DHCSR);
	wr(&b7, AIRCR, 0x05FA0001u); /* VECTRESET: core only, no system reset */
	CHECK_EQ_U(b7.resets, 0u);
	CHECK(rd(&b7, DHCSR) & S_HALT);
	CHECK_EQ_U(reg_rd(&b7, REG_PC), FLASH + 0x100);
	wr(&b8, DHCSR, DBGKEY | C_DEBUGEN);
	wr(&b8, DEMCR, 1u);
	(void)rd(&b8, DHCSR);
	wr(&b8, AIRCR, 0x05FA0001u); /* reserved on ARMv8-M: nothing happens */
	CHECK(!(rd(&b8, DHCSR) & (S_HALT | S_RESET_ST)));
	board_free(&b7);
	board_free(&b8);
}

static void test_reset_line(void)
{
	struct board b;

	CHECK_OK(board_new(&b, 7, 1));
	wr(&b, DHCSR, DBGKEY | C_DEBUGEN);
	sim_core_set_reset_line(b.core, true);
	CHECK(rd(&b, DHCSR) & S_RESET_ST);
	CHECK(rd(&b, DHCSR) & S_RESET_ST); /* stays while held */
	run_a_bit(&b);
	CHECK(!(rd(&b, DHCSR) & S_RETIRE_ST));
	sim_core_set_reset_line(b.core, false);
	CHECK(rd(&b, DHCSR) & S_RESET_ST);
	CHECK(!(rd(&b, DHCSR) & S_RESET_ST));
	run_a_bit(&b);
	CHECK(rd(&b, DHCSR) & S_RETIRE_ST);
	board_free(&b);
}

static void test_cpu_flash_write(void)
{
	struct board b;
	uint32_t v = 0;

	CHECK_OK(board_new(&b, 7, 1));
	halt(&b);
	reg_wr(&b, 1, 0x12345678u);
	reg_wr(&b, 2, FLASH + 0x8000);
	reg_wr(&b, 5, 0);
	run_from(&b, FLASH + 0x1C0);
	halt(&b);
	/* The store went to the flash controller; the array is unchanged. */
	CHECK_EQ_U(b.flash_writes, 1u);
	CHECK_EQ_U(b.flash_off, 0x8000u);
	CHECK_EQ_U(b.flash_size, 4u);
	CHECK_EQ_U(b.flash_val, 0x12345678u);
	CHECK_OK(sim_bus_read(b.bus, FLASH + 0x8000, 4, &v));
	CHECK_EQ_U(v, 0xFFFFFFFFu);
	CHECK_EQ_U(reg_rd(&b, 5), 7u);
	CHECK_EQ_U(reg_rd(&b, REG_XPSR) & 0x1FFu, 0u);
	/* A controller error response is a precise BusFault. */
	b.flash_fail = 1;
	fault_setup(&b);
	reg_wr(&b, 2, FLASH + 0x8000);
	run_from(&b, FLASH + 0x1C0);
	halt(&b);
	CHECK_EQ_U(reg_rd(&b, REG_PC), FLASH + 0x200);
	CHECK_EQ_U(rd(&b, BFAR), FLASH + 0x8000);
	board_free(&b);
}

static void test_wfi_sleep(void)
{
	struct board b;

	CHECK_OK(board_new(&b, 7, 1));
	halt(&b);
	reg_wr(&b, 5, 0);
	run_from(&b, FLASH + 0x1E0);
	CHECK(rd(&b, DHCSR) & S_SLEEP);
	CHECK(!(rd(&b, DHCSR) & S_HALT));
	run_a_bit(&b);
	(void)rd(&b, DHCSR);
	wr(&b, DEMCR, 1u << 24);
	wr(&b, DWT_CYCCNT, 0);
	wr(&b, DWT_CTRL, 1u);
	run_a_bit(&b);
	CHECK(!(rd(&b, DHCSR) & S_RETIRE_ST)); /* asleep: nothing retires */
	CHECK_EQ_U(rd(&b, DWT_CYCCNT), 6400u);  /* but the clock runs */
	halt(&b);
	CHECK(!(rd(&b, DHCSR) & S_SLEEP));
	CHECK_EQ_U(reg_rd(&b, 5), 1u);
	CHECK_EQ_U(reg_rd(&b, REG_PC), FLASH + 0x1E4); /* WFI completed */
	board_free(&b);
}

/* Firmware writes AIRCR.SYSRESETREQ: the chip is told after the store. */
static void test_sysresetreq_from_cpu(void)
{
	struct board b;

	CHECK_OK(board_new(&b, 7, 1));
	wr(&b, DEMCR, 1u); /* VC_CORERESET */
	run_from(&b, FLASH + 0x260);
	CHECK_EQ_U(b.resets, 1u);
	CHECK(rd(&b, DHCSR) & S_HALT);
	CHECK(rd(&b, DFSR) & DFSR_VCATCH);
	CHECK_EQ_U(reg_rd(&b, REG_PC), FLASH + 0x100);
	board_free(&b);
}

int main(void)
{
	RUN_TEST(test_identity_and_ids);
	RUN_TEST(test_run_halt_step);
	RUN_TEST(test_register_transfer);
	RUN_TEST(test_vector_catch_reset_and_sysresetreq);
	RUN_TEST(test_vectreset_v7_only);
	RUN_TEST(test_control_and_xpsr_v7);
	RUN_TEST(test_reset_line);
	RUN_TEST(test_cpu_flash_write);
	RUN_TEST(test_wfi_sleep);
	RUN_TEST(test_sysresetreq_from_cpu);
	return TEST_MAIN_END();
}
