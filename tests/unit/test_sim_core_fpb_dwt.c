/* The simulated core's debug units seen through the debug registers: BKPT,
 * FPB (ARMv7-M ARM C1.11), DWT watchpoints, PC match, value match and
 * CYCCNT (C1.8; ARMv8-M ARM D1.2 for v8 DWT), ITM (C1.7), DebugMonitor. */
#include "tests/sim_core_board.h"

static void test_bkpt(void)
{
	struct board b;

	CHECK_OK(board_new(&b, 7, 1));
	run_from(&b, FLASH + 0x120);
	CHECK(rd(&b, DHCSR) & S_HALT);
	CHECK(rd(&b, DFSR) & DFSR_BKPT);
	CHECK_EQ_U(reg_rd(&b, REG_PC), FLASH + 0x122); /* halted on the BKPT itself */
	CHECK_EQ_U(reg_rd(&b, 1), 5u);
	/* Without C_DEBUGEN a BKPT escalates to HardFault (HFSR.DEBUGEVT). */
	reg_wr(&b, REG_PC, FLASH + 0x120);
	wr(&b, DHCSR, DBGKEY);
	run_a_bit(&b);
	CHECK(!(rd(&b, DHCSR) & S_HALT));
	halt(&b);
	CHECK_EQ_U(reg_rd(&b, REG_XPSR) & 0x1FFu, 3u);
	CHECK(rd(&b, HFSR) & (1u << 31));
	CHECK_EQ_U(reg_rd(&b, REG_PC), FLASH + 0x200);
	board_free(&b);
}

static void test_fpb(unsigned rev)
{
	struct board b;
	uint32_t comp = rev ? (FLASH + 0x104) | 1u
			    : (1u << 30) | ((FLASH + 0x104) & 0x1FFFFFFCu) | 1u; /* REPLACE lower halfword */

	CHECK_OK(board_new(&b, 7, rev));
	CHECK_EQ_U(rd(&b, FP_CTRL) >> 28, rev);
	wr(&b, FP_COMP0, comp);
	wr(&b, FP_CTRL, 1u); /* no KEY: ignored */
	CHECK(!(rd(&b, FP_CTRL) & 1u));
	wr(&b, FP_CTRL, 3u);
	CHECK(rd(&b, FP_CTRL) & 1u);
	run_from(&b, FLASH + 0x100);
	CHECK(rd(&b, DHCSR) & S_HALT);
	CHECK(rd(&b, DFSR) & DFSR_BKPT);
	CHECK_EQ_U(reg_rd(&b, REG_PC), FLASH + 0x104);
	CHECK_EQ_U(reg_rd(&b, REG_R0), 1u); /* the b.n has not executed yet */
	/* Resuming on the comparator's address matches again at once (a
	 * debugger steps over it with the comparator off, as OpenOCD does). */
	wr(&b, DFSR, 0x1Fu);
	resume(&b);
	run_a_bit(&b);
	CHECK(rd(&b, DFSR) & DFSR_BKPT);
	CHECK_EQ_U(reg_rd(&b, REG_PC), FLASH + 0x104);
	CHECK_EQ_U(reg_rd(&b, REG_R0), 1u);
	wr(&b, FP_COMP0, 0);
	wr(&b, DHCSR, DBGKEY | C_DEBUGEN | C_STEP | C_MASKINTS);
	dbg_settle(b.core);
	CHECK_EQ_U(reg_rd(&b, REG_PC), FLASH + 0x102);
	wr(&b, FP_COMP0, comp);
	wr(&b, DFSR, 0x1Fu);
	resume(&b);
	run_a_bit(&b);
	CHECK(rd(&b, DFSR) & DFSR_BKPT);
	CHECK_EQ_U(reg_rd(&b, REG_PC), FLASH + 0x104);
	CHECK_EQ_U(reg_rd(&b, REG_R0), 2u); /* one more trip round the loop */
	/* Disabled: it runs freely. */
	wr(&b, FP_COMP0, 0);
	resume(&b);
	run_a_bit(&b);
	CHECK(!(rd(&b, DHCSR) & S_HALT));
	board_free(&b);
}

static void test_fpb_v1(void)
{
	test_fpb(0);
}

static void test_fpb_v2(void)
{
	test_fpb(1);
}

static void watch_common(struct board *b, unsigned comp)
{
	halt(b);
	reg_wr(b, 1, 0xCAFEF00Du);
	reg_wr(b, 2, SRAM + 0x1000);
	reg_wr(b, 5, 0);
	reg_wr(b, 6, 0);
	wr(b, DEMCR, 1u << 24); /* TRCENA */
	wr(b, DWT_COMP0, SRAM + 0x1004);
	run_from(b, FLASH + 0x160);
	CHECK(rd(b, DHCSR) & S_HALT);
	CHECK(rd(b, DFSR) & DFSR_DWTTRAP);
	/* Imprecise: halted after the second store, before the movs r6. */
	CHECK_EQ_U(reg_rd(b, REG_PC), FLASH + 0x166);
	CHECK_EQ_U(reg_rd(b, 5), 7u);
	CHECK_EQ_U(reg_rd(b, 6), 0u);
	CHECK_EQ_U(rd(b, SRAM + 0x1004), 0xCAFEF00Du);
	CHECK(rd(b, DWT_FUNC0 + 16 * comp) & (1u << 24));    /* MATCHED */
	CHECK(!(rd(b, DWT_FUNC0 + 16 * comp) & (1u << 24))); /* cleared by the read */
}

static void test_dwt_watch_v7(void)
{
	struct board b;

	CHECK_OK(board_new(&b, 7, 1));
	CHECK_EQ_U(rd(&b, DWT_DEVARCH), 0u); /* ARMv7-M DWT has no DEVARCH */
	wr(&b, DWT_MASK0, 0);
	wr(&b, DWT_FUNC0, 6u); /* write watchpoint */
	watch_common(&b, 0);
	/* A read watchpoint on the same address does not fire on the stores. */
	wr(&b, DWT_FUNC0, 5u);
	run_from(&b, FLASH + 0x160);
	CHECK(!(rd(&b, DHCSR) & S_HALT));
	board_free(&b);
}

static void test_dwt_watch_v8(void)
{
	struct board b;

	CHECK_OK(board_new(&b, 8, 1));
	CHECK_EQ_U(rd(&b, DWT_DEVARCH) & 0x1FFFFFu, 0x101A02u);
	/* MATCH 5 (write), ACTION 1 (debug event), DATAVSIZE 2 (word). */
	wr(&b, DWT_FUNC0, 5u | 1u << 4 | 2u << 10);
	watch_common(&b, 0);
	board_free(&b);
}

static void test_dwt_cyccnt(void)
{
	struct board b;
	uint32_t n;

	CHECK_OK(board_new(&b, 7, 1));
	wr(&b, DEMCR, 1u << 24);
	wr(&b, DWT_CYCCNT, 0);
	wr(&b, DWT_CTRL, 1u); /* CYCCNTENA */
	resume(&b);
	sim_core_run(b.core, 1000000); /* 1 ms at 64 MHz */
	n = rd(&b, DWT_CYCCNT);
	CHECK_MSG(n >= 60000 && n <= 70000, "CYCCNT %u after 1 ms at 64 MHz", n);
	board_free(&b);
}

/* DWT instruction address match (v7 FUNCTION 4, v8 MATCH 2 + ACTION 1):
 * the core stops on the address with DFSR.DWTTRAP. */
static void dwt_pc(unsigned arch)
{
	struct board b;

	CHECK_OK(board_new(&b, arch, 1));
	wr(&b, DEMCR, 1u << 24);
	wr(&b, DWT_COMP0, FLASH + 0x104);
	wr(&b, DWT_MASK0, 0);
	wr(&b, DWT_FUNC0, arch == 8 ? 2u | 1u << 4 : 4u);
	run_from(&b, FLASH + 0x100);
	CHECK(rd(&b, DHCSR) & S_HALT);
	CHECK(rd(&b, DFSR) & DFSR_DWTTRAP);
	CHECK_EQ_U(reg_rd(&b, REG_PC), FLASH + 0x104);
	CHECK_EQ_U(reg_rd(&b, REG_R0), 1u);
	CHECK(rd(&b, DWT_FUNC0) & (1u << 24));
	wr(&b, DWT_FUNC0, 0);
	resume(&b);
	run_a_bit(&b);
	CHECK(!(rd(&b, DHCSR) & S_HALT));
	board_free(&b);
}

static void test_dwt_pc_v7(void)
{
	dwt_pc(7);
}

static void test_dwt_pc_v8(void)
{
	dwt_pc(8);
}

/* ARMv7-M data value match (C1.8.7): comparator 1 matches the value
 * written, linked to comparator 0 for the address. */
static void test_dwt_value_match_v7(void)
{
	struct board b;

	CHECK_OK(board_new(&b, 7, 1));
	CHECK(rd(&b, DWT_FUNC0 + 16) & (1u << 9)); /* LNK1ENA */
	wr(&b, DWT_COMP0, SRAM + 0x1004);
	wr(&b, DWT_MASK0, 0);
	wr(&b, DWT_COMP0 + 16, 0xCAFEF00Du);
	/* FUNCTION 6 (write), DATAVMATCH, DATAVSIZE word, DATAVADDR0 = 0. */
	wr(&b, DWT_FUNC0 + 16, 6u | 1u << 8 | 2u << 10 | 0u << 12);
	watch_common(&b, 1); /* halts after the store to +4 only */
	board_free(&b);
	/* Same address, another value: no match. */
	CHECK_OK(board_new(&b, 7, 1));
	wr(&b, DWT_COMP0, SRAM + 0x1004);
	wr(&b, DWT_COMP0 + 16, 0x12345678u);
	wr(&b, DWT_FUNC0 + 16, 6u | 1u << 8 | 2u << 10);
	halt(&b);
	reg_wr(&b, 1, 0xCAFEF00Du);
	reg_wr(&b, 2, SRAM + 0x1000);
	run_from(&b, FLASH + 0x160);
	CHECK(!(rd(&b, DHCSR) & S_HALT));
	board_free(&b);
}

/* ARMv8-M DWT_FUNCTIONn.ID, a Data Address Limit pair and a linked data
 * value (ARMv8-M ARM D1.2): only comparators whose ID says so take those
 * MATCH values; the pair (n-1, n) covers COMP(n-1)..COMP(n) inclusive. */
static void test_dwt_v8_limit_and_value(void)
{
	struct board b;

	CHECK_OK(board_new(&b, 8, 1));
	CHECK_EQ_U(rd(&b, DWT_FUNC0) >> 27, 0x0Bu);      /* CC, IA, DA */
	CHECK_EQ_U(rd(&b, DWT_FUNC0 + 16) >> 27, 0x1Au); /* IA, IAL, DA, DAL */
	CHECK_EQ_U(rd(&b, DWT_FUNC0 + 48) >> 27, 0x1Eu); /* + data value, linked */
	wr(&b, DWT_FUNC0, 7u);           /* limit on comparator 0: not supported */
	CHECK_EQ_U(rd(&b, DWT_FUNC0) & 0xFu, 0u);
	wr(&b, DWT_FUNC0 + 16, 0xBu);    /* linked value on comparator 1: no DV */
	CHECK_EQ_U(rd(&b, DWT_FUNC0 + 16) & 0xFu, 0u);
	/* Pair 2/3 over +0x1002..+0x1005: the word store at +0x1000 overlaps. */
	wr(&b, DWT_COMP0 + 32, SRAM + 0x1002);
	wr(&b, DWT_COMP0 + 48, SRAM + 0x1005);
	wr(&b, DWT_FUNC0 + 48, 7u);
	wr(&b, DWT_FUNC0 + 32, 5u | 1u << 4);
	halt(&b);
	reg_wr(&b, 2, SRAM + 0x1000);
	wr(&b, DEMCR, 1u << 24);
	run_from(&b, FLASH + 0x160);
	CHECK(rd(&b, DHCSR) & S_HALT);
	CHECK_EQ_U(reg_rd(&b, REG_PC), FLASH + 0x162); /* after the first store */
	CHECK(rd(&b, DWT_FUNC0 + 32) & (1u << 24));   /* the base reports */
	/* Pair over +0x1008..+0x100B: neither store touches it. */
	wr(&b, DWT_COMP0 + 32, SRAM + 0x1008);
	wr(&b, DWT_COMP0 + 48, SRAM + 0x100B);
	run_from(&b, FLASH + 0x160);
	CHECK(!(rd(&b, DHCSR) & S_HALT));
	/* Linked data value: address +0x1004 on 2 (trigger only), value on 3. */
	wr(&b, DWT_COMP0 + 32, SRAM + 0x1004);
	wr(&b, DWT_FUNC0 + 32, 5u | 2u << 10);
	wr(&b, DWT_COMP0 + 48, 0xCAFEF00Du);
	wr(&b, DWT_FUNC0 + 48, 0xBu | 1u << 4 | 2u << 10);
	watch_common(&b, 3); /* halts after the store to +4 only */
	wr(&b, DWT_COMP0 + 48, 0x12345678u);
	reg_wr(&b, 1, 0xCAFEF00Du);
	run_from(&b, FLASH + 0x160);
	CHECK(!(rd(&b, DHCSR) & S_HALT));
	board_free(&b);
}

/* ARMv8-M ACTION = 0 only sets MATCHED (a trace trigger), no halt. */
static void test_dwt_v8_trigger_only(void)
{
	struct board b;

	CHECK_OK(board_new(&b, 8, 1));
	halt(&b);
	reg_wr(&b, 2, SRAM + 0x1000);
	wr(&b, DEMCR, 1u << 24);
	wr(&b, DWT_COMP0, SRAM + 0x1004);
	wr(&b, DWT_FUNC0, 5u | 2u << 10);
	run_from(&b, FLASH + 0x160);
	CHECK(!(rd(&b, DHCSR) & S_HALT));
	CHECK(rd(&b, DWT_FUNC0) & (1u << 24));
	board_free(&b);
}

static void test_itm(void)
{
	struct board b;
	uint8_t buf[8];

	CHECK_OK(board_new(&b, 7, 1));
	wr(&b, DEMCR, 1u << 24);
	wr(&b, ITM_STIM0, 'x'); /* ITM disabled: dropped */
	CHECK_EQ_U(sim_core_itm_take(b.core, buf, sizeof(buf)), 0u);
	wr(&b, ITM_TCR, 1u);
	wr(&b, ITM_TER, 1u);
	CHECK(rd(&b, ITM_STIM0) & 1u); /* FIFOREADY */
	CHECK_OK(sim_bus_write(b.bus, ITM_STIM0, 1, 'h'));
	CHECK_OK(sim_bus_write(b.bus, ITM_STIM0, 1, 'i'));
	CHECK_EQ_U(sim_core_itm_take(b.core, buf, sizeof(buf)), 2u);
	CHECK(buf[0] == 'h' && buf[1] == 'i');
	CHECK_EQ_U(sim_core_itm_take(b.core, buf, sizeof(buf)), 0u);
	board_free(&b);
}

/* The CPU reaches the PPB through Unicorn MMIO: ITM stimulus writes. */
static void test_itm_from_cpu(void)
{
	struct board b;
	uint8_t buf[8];

	CHECK_OK(board_new(&b, 7, 1));
	wr(&b, DEMCR, 1u << 24);
	wr(&b, ITM_TCR, 1u);
	wr(&b, ITM_TER, 1u);
	halt(&b);
	reg_wr(&b, 1, 0x64636261u); /* "abcd" */
	reg_wr(&b, 2, ITM_STIM0);
	run_from(&b, FLASH + 0x1C0);
	CHECK_EQ_U(sim_core_itm_take(b.core, buf, sizeof(buf)), 4u);
	CHECK(!memcmp(buf, "abcd", 4));
	/* The ITM software lock (ARMv7-M, LSR = 3 out of reset) stops the
	 * CPU, not the debugger, from changing the control registers. */
	CHECK_EQ_U(rd(&b, 0xE0000FB4u), 0u); /* LSR as the debugger sees it */
	halt(&b);
	reg_wr(&b, 1, 0);
	reg_wr(&b, 2, ITM_TER);
	run_from(&b, FLASH + 0x1C0);
	CHECK_EQ_U(rd(&b, ITM_TER), 1u);
	board_free(&b);
}

/* BKPT with C_DEBUGEN clear and DEMCR.MON_EN: DebugMonitor, DFSR.BKPT. */
static void test_bkpt_debugmonitor(void)
{
	struct board b;

	CHECK_OK(board_new(&b, 7, 1));
	halt(&b);
	reg_wr(&b, REG_PC, FLASH + 0x120);
	reg_wr(&b, 6, 0);
	wr(&b, DEMCR, 1u << 16); /* MON_EN */
	wr(&b, DFSR, 0x1Fu);
	wr(&b, DHCSR, DBGKEY); /* debug off: the core runs */
	run_a_bit(&b);
	halt(&b);
	CHECK(rd(&b, DFSR) & DFSR_BKPT);
	CHECK_EQ_U(reg_rd(&b, 6), 4u); /* the monitor ran and returned */
	CHECK_EQ_U(reg_rd(&b, REG_XPSR) & 0x1FFu, 0u);
	board_free(&b);
}

int main(void)
{
	RUN_TEST(test_bkpt);
	RUN_TEST(test_fpb_v1);
	RUN_TEST(test_fpb_v2);
	RUN_TEST(test_dwt_watch_v7);
	RUN_TEST(test_dwt_watch_v8);
	RUN_TEST(test_dwt_cyccnt);
	RUN_TEST(test_itm);
	RUN_TEST(test_dwt_v8_trigger_only);
	RUN_TEST(test_dwt_value_match_v7);
	RUN_TEST(test_dwt_v8_limit_and_value);
	RUN_TEST(test_dwt_pc_v7);
	RUN_TEST(test_dwt_pc_v8);
	RUN_TEST(test_itm_from_cpu);
	RUN_TEST(test_bkpt_debugmonitor);
	return TEST_MAIN_END();
}
