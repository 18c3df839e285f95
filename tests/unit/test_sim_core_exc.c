/* The simulated core's exceptions and faults seen through the debug
 * registers: HardFault on bus errors and UDF with the stacked frame
 * (ARMv7-M ARM B1.5.6), vector catch, lockup, SVC on MSP and PSP, precise
 * and imprecise bus errors (B3.2.15 CFSR). */
#include "tests/sim_core_board.h"

/* HardFault frame check: 8 words at SP, 8-byte aligned (ARMv7-M B1.5.6). */
static void check_frame(struct board *b, uint32_t pc)
{
	uint32_t sp = reg_rd(b, REG_SP);

	CHECK_EQ_U(sp, STACK_TOP - 32);
	CHECK_EQ_U(rd(b, sp + 0), 0x11u);  /* r0 */
	CHECK_EQ_U(rd(b, sp + 4), 0x22u);  /* r1 */
	CHECK_EQ_U(rd(b, sp + 16), 0x55u); /* r12 */
	CHECK_EQ_U(rd(b, sp + 20), 0x08000777u); /* lr */
	CHECK_EQ_U(rd(b, sp + 24), pc);
	CHECK(rd(b, sp + 28) & (1u << 24)); /* stacked xPSR: Thumb */
	CHECK_EQ_U(reg_rd(b, REG_LR), 0xFFFFFFF9u);
	CHECK_EQ_U(reg_rd(b, REG_XPSR) & 0x1FFu, 3u);
}

static void test_hardfault_bus_error(void)
{
	struct board b;

	CHECK_OK(board_new(&b, 7, 1));
	fault_setup(&b);
	run_from(&b, FLASH + 0x140);
	halt(&b);
	CHECK_EQ_U(reg_rd(&b, REG_PC), FLASH + 0x200);
	check_frame(&b, FLASH + 0x144);
	CHECK_EQ_U(rd(&b, CFSR), (1u << 9) | (1u << 15)); /* PRECISERR, BFARVALID */
	CHECK_EQ_U(rd(&b, BFAR), 0x40000000u);
	CHECK_EQ_U(rd(&b, HFSR), 1u << 30); /* FORCED: BusFault disabled in SHCSR */
	CHECK_EQ_U(reg_rd(&b, 4), 0u);      /* the load did not complete */
	wr(&b, CFSR, 0xFFFFFFFFu);          /* write-one-to-clear */
	CHECK_EQ_U(rd(&b, CFSR), 0u);
	board_free(&b);
}

static void test_hardfault_udf(void)
{
	struct board b;

	CHECK_OK(board_new(&b, 7, 1));
	fault_setup(&b);
	run_from(&b, FLASH + 0x180);
	halt(&b);
	CHECK_EQ_U(reg_rd(&b, REG_PC), FLASH + 0x200);
	check_frame(&b, FLASH + 0x182);
	CHECK_EQ_U(rd(&b, CFSR), 1u << 16); /* UNDEFINSTR */
	CHECK_EQ_U(rd(&b, HFSR), 1u << 30);
	board_free(&b);
}

static void test_vector_catch_hardfault(void)
{
	struct board b;

	CHECK_OK(board_new(&b, 7, 1));
	fault_setup(&b);
	wr(&b, DEMCR, 1u << 10); /* VC_HARDERR */
	run_from(&b, FLASH + 0x140);
	CHECK(rd(&b, DHCSR) & S_HALT);
	CHECK(rd(&b, DFSR) & DFSR_VCATCH);
	/* Halted on the handler's first instruction, frame already stacked. */
	CHECK_EQ_U(reg_rd(&b, REG_PC), FLASH + 0x200);
	check_frame(&b, FLASH + 0x144);
	board_free(&b);
}

static void test_lockup(void)
{
	struct board b;

	CHECK_OK(board_new(&b, 7, 1));
	put32(b.ram0, 12, FLASH + 0x241); /* HardFault handler that faults */
	wr(&b, DHCSR, DBGKEY | C_DEBUGEN);
	run_from(&b, FLASH + 0x140);
	CHECK(rd(&b, DHCSR) & S_LOCKUP);
	CHECK(!(rd(&b, DHCSR) & S_HALT));
	/* Halting leaves lockup (ARMv7-M B1.5.15). */
	halt(&b);
	CHECK(rd(&b, DHCSR) & S_HALT);
	CHECK(!(rd(&b, DHCSR) & S_LOCKUP));
	CHECK_EQ_U(reg_rd(&b, REG_PC), 0xFFFFFFFEu);
	board_free(&b);
}

static void test_svc_and_return(void)
{
	struct board b;

	CHECK_OK(board_new(&b, 7, 1));
	halt(&b);
	reg_wr(&b, 6, 0);
	reg_wr(&b, 7, 0);
	run_from(&b, FLASH + 0x1A0);
	halt(&b);
	CHECK_EQ_U(reg_rd(&b, 6), 3u); /* handler ran */
	CHECK_EQ_U(reg_rd(&b, 7), 9u); /* and returned to thread mode */
	CHECK_EQ_U(reg_rd(&b, REG_PC), FLASH + 0x1A4);
	CHECK_EQ_U(reg_rd(&b, REG_XPSR) & 0x1FFu, 0u);
	CHECK_EQ_U(reg_rd(&b, REG_SP), STACK_TOP);
	board_free(&b);
}

/* Thread mode on PSP, unprivileged: the SVC frame goes on PSP, the handler
 * runs on MSP with EXC_RETURN 0xFFFFFFFD, and the return restores both. */
static void test_psp_unprivileged_svc(void)
{
	struct board b;
	uint32_t psp = SRAM + 0x4000, msp = STACK_TOP;

	CHECK_OK(board_new(&b, 7, 1));
	halt(&b);
	reg_wr(&b, REG_PSP, psp);
	reg_wr(&b, REG_MSP, msp);
	reg_wr(&b, REG_SPECIAL, 3u << 24); /* CONTROL: SPSEL | nPRIV */
	CHECK_EQ_U(reg_rd(&b, REG_SP), psp);
	CHECK_EQ_U(reg_rd(&b, REG_MSP), msp); /* the debugger is privileged */
	CHECK_EQ_U(reg_rd(&b, REG_SPECIAL) >> 24, 3u);
	reg_wr(&b, REG_PC, FLASH + 0x1A0);
	wr(&b, DHCSR, DBGKEY | C_DEBUGEN | C_STEP); /* the SVC */
	dbg_settle(b.core);
	CHECK_EQ_U(reg_rd(&b, REG_PC), FLASH + 0x220);
	CHECK_EQ_U(reg_rd(&b, REG_XPSR) & 0x1FFu, 11u);
	CHECK_EQ_U(reg_rd(&b, REG_LR), 0xFFFFFFFDu);
	CHECK_EQ_U(reg_rd(&b, REG_SP), msp);
	CHECK_EQ_U(reg_rd(&b, REG_PSP), psp - 32);
	CHECK_EQ_U(rd(&b, psp - 32 + 24), FLASH + 0x1A2); /* return address */
	CHECK_EQ_U((reg_rd(&b, REG_SPECIAL) >> 24) & 2u, 0u); /* SPSEL clear in handler */
	CHECK_EQ_U(rd(&b, ICSR) & 0x9FFu, 0x800u | 11u); /* RETTOBASE, VECTACTIVE */
	resume(&b);
	run_a_bit(&b);
	halt(&b);
	CHECK_EQ_U(reg_rd(&b, 6), 3u);
	CHECK_EQ_U(reg_rd(&b, 7), 9u);
	CHECK_EQ_U(reg_rd(&b, REG_XPSR) & 0x1FFu, 0u);
	CHECK_EQ_U(reg_rd(&b, REG_SP), psp);
	CHECK_EQ_U(reg_rd(&b, REG_PSP), psp);
	CHECK_EQ_U(reg_rd(&b, REG_MSP), msp);
	CHECK_EQ_U(reg_rd(&b, REG_SPECIAL) >> 24, 3u);
	board_free(&b);
}

/* A write the peripheral refuses: imprecise BusFault, no BFAR (B3.2.15). */
static void test_imprecise_bus_error(void)
{
	struct board b;

	CHECK_OK(board_new(&b, 7, 1));
	halt(&b);
	reg_wr(&b, 2, PERIPH);
	run_from(&b, FLASH + 0x1C0);
	halt(&b);
	CHECK_EQ_U(reg_rd(&b, REG_PC), FLASH + 0x200);
	CHECK_EQ_U(rd(&b, CFSR), 1u << 10); /* IMPRECISERR */
	CHECK_EQ_U(rd(&b, HFSR), 1u << 30);
	board_free(&b);
}

/* A load the peripheral refuses: precise, BFAR = the address. */
static void test_precise_mmio_load_error(void)
{
	struct board b;

	CHECK_OK(board_new(&b, 7, 1));
	fault_setup(&b);
	/* r3 = 0x50000800 through the debugger, then the ldr at 0x144. */
	reg_wr(&b, 3, PERIPH + 0x800);
	reg_wr(&b, REG_PC, FLASH + 0x144);
	resume(&b);
	run_a_bit(&b);
	halt(&b);
	CHECK_EQ_U(reg_rd(&b, REG_PC), FLASH + 0x200);
	check_frame(&b, FLASH + 0x144);
	CHECK_EQ_U(rd(&b, CFSR), (1u << 9) | (1u << 15));
	CHECK_EQ_U(rd(&b, BFAR), PERIPH + 0x800);
	board_free(&b);
}

int main(void)
{
	RUN_TEST(test_hardfault_bus_error);
	RUN_TEST(test_hardfault_udf);
	RUN_TEST(test_vector_catch_hardfault);
	RUN_TEST(test_lockup);
	RUN_TEST(test_svc_and_return);
	RUN_TEST(test_psp_unprivileged_svc);
	RUN_TEST(test_imprecise_bus_error);
	RUN_TEST(test_precise_mmio_load_error);
	return TEST_MAIN_END();
}
