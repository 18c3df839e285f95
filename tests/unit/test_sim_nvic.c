/* The simulated core's NVIC, SysTick, exception entry/return and the debug
 * stepping rules around them (ARMv7-M ARM B1.5, B3.3, B3.4, C1.6.2), seen
 * as a debugger sees them: through the PPB registers and DCRSR/DCRDR. */
#include <string.h>

#include "sim/sim_bus.h"
#include "sim/sim_core.h"
#include "sw/ctx.h"
#include "tests/sim_dbg.h"
#include "tests/test.h"

#define DHCSR 0xE000EDF0u
#define DCRSR 0xE000EDF4u
#define DCRDR 0xE000EDF8u
#define DFSR 0xE000ED30u
#define ICSR 0xE000ED04u
#define AIRCR 0xE000ED0Cu
#define SHCSR 0xE000ED24u
#define SHPR3 0xE000ED20u
#define SYST_CSR 0xE000E010u
#define SYST_RVR 0xE000E014u
#define SYST_CVR 0xE000E018u
#define ICTR 0xE000E004u
#define ISER0 0xE000E100u
#define ICER0 0xE000E180u
#define ISPR0 0xE000E200u
#define IABR0 0xE000E300u
#define IPR0 0xE000E400u
#define STIR 0xE000EF00u
#define DBGKEY 0xA05F0000u
#define C_DEBUGEN 0x1u
#define C_HALT 0x2u
#define C_STEP 0x4u
#define C_MASKINTS 0x8u
#define S_REGRDY (1u << 16)
#define S_HALT (1u << 17)
#define S_SLEEP (1u << 18)

#define REG_R5 5u
#define REG_R6 6u
#define REG_R7 7u
#define REG_SP 13u
#define REG_LR 14u
#define REG_PC 15u
#define REG_XPSR 16u
#define REG_SPECIAL 20u
#define REG_S0 0x40u

#define CODE 0x1000u
#define STACK_TOP 0x20008000u

struct board {
	struct sw_ctx ctx;
	struct sim_bus *bus;
	struct sim_core *core;
	uint8_t *ram0, *sram;
};

/* Code at CODE + off, Thumb halfwords. */
static void code(struct board *b, uint32_t off, const uint16_t *hw, size_t n)
{
	for (size_t i = 0; i < n; i++)
		put16(b->ram0, CODE + off + 2 * (uint32_t)i, hw[i]);
}

static void vector(struct board *b, unsigned exc, uint32_t off)
{
	put32(b->ram0, 4 * exc, CODE + off + 1);
}

/* Thread programs and handlers (offsets from CODE). */
static const uint16_t count_loop[] = {0x3001, 0xE7FD}; /* 0x00: adds r0,#1; b 0x00 */
static const uint16_t wfi_prog[] = {0xBF30, 0x3501, 0xE7FE}; /* 0x10: wfi; adds r5,#1; b . */
static const uint16_t wfe_prog[] = {0xBF20, 0x3501, 0xE7FE}; /* 0x18: wfe; adds r5,#1; b . */
static const uint16_t fp_prog[] = {0xEE00, 0x0A10, 0xE7FE}; /* 0x20: vmov s0,r0; b . */
static const uint16_t tick_handler[] = {0x3601, 0x4770}; /* 0x40: adds r6,#1; bx lr */
static const uint16_t irq0_handler[] = {0x013F, 0x3701, 0x4770}; /* 0x50: lsls r7,#4; adds r7,#1 */
static const uint16_t irq1_handler[] = {0x013F, 0x3702, 0x4770}; /* 0x60: lsls r7,#4; adds r7,#2 */
static const uint16_t fp_handler[] = {0xEE00, 0x1A10, 0x4770}; /* 0x70: vmov s0,r1; bx lr */
/* 0x80: vmov.f64 d0,#1.0; vadd.f64 d1,d0,d0; cmp r0,r0; it ne; vaddne.f64 d2,d0,d0;
 * it eq; vaddeq.f64 d3,d0,d0; b . (double precision: the emulated path) */
static const uint16_t dp_prog[] = {0xEEB7, 0x0B00, 0xEE30, 0x1B00, 0x4280, 0xBF18,
				   0xEE30, 0x2B00, 0xBF08, 0xEE30, 0x3B00, 0xE7FE};

/* 0xA0: cpsid i; ldr r0,=STIR; movs r1,#3; str r1,[r0] (pend IRQ3); cpsie i;
 * 1: adds r6,#1; b 1b. IRQ3's handler at 0xC0 keeps r6 in r7. */
static const uint16_t unmask_prog[] = {0xB672, 0x4803, 0x2103, 0x6001, 0xB662, 0x3601, 0xE7FD, 0xBF00,
				       0xEF00, 0xE000};
static const uint16_t snap_handler[] = {0x4637, 0x4770}; /* 0xC0: mov r7, r6; bx lr */

static int board_new(struct board *b)
{
	struct sim_core_cfg cfg = {
		.name = "cpu", .arch = 7, .cpuid = 0x411FC271u, .fpu = true, .dp_fpu = true,
		.fpb_rev = 1, .fpb_code = 8, .dwt_comps = 4, .cpu_hz = 64000000u,
		.n_irq = 40, .prio_bits = 4, .systick_ref_div = 8,
	};

	memset(b, 0, sizeof(*b));
	sw_ctx_init(&b->ctx);
	if (sim_bus_new(&b->bus) || sim_bus_add_ram(b->bus, "code", 0, 0x10000, &b->ram0) ||
	    sim_bus_add_ram(b->bus, "sram", 0x20000000u, 0x10000, &b->sram))
		return -1;
	put32(b->ram0, 0, STACK_TOP);
	vector(b, 1, 0x00);
	vector(b, 15, 0x40);
	vector(b, 16, 0x50);
	vector(b, 17, 0x60);
	vector(b, 18, 0x70);
	code(b, 0x00, count_loop, 2);
	code(b, 0x10, wfi_prog, 3);
	code(b, 0x18, wfe_prog, 3);
	code(b, 0x20, fp_prog, 3);
	code(b, 0x40, tick_handler, 2);
	code(b, 0x50, irq0_handler, 3);
	code(b, 0x60, irq1_handler, 3);
	code(b, 0x70, fp_handler, 3);
	code(b, 0x80, dp_prog, 12);
	code(b, 0xA0, unmask_prog, 10);
	code(b, 0xC0, snap_handler, 2);
	vector(b, 19, 0xC0);
	return sim_core_new(&b->ctx, b->bus, &cfg, &b->core);
}

static void board_free(struct board *b)
{
	sim_core_free(b->core);
	sim_bus_free(b->bus);
}

static uint32_t rd(struct board *b, uint32_t addr)
{
	return dbg_rd(b->bus, addr);
}

static void wr(struct board *b, uint32_t addr, uint32_t v)
{
	dbg_wr(b->bus, addr, v);
}

static uint32_t reg_rd(struct board *b, uint32_t sel)
{
	return dbg_reg_rd(b->bus, b->core, sel);
}

static void reg_wr(struct board *b, uint32_t sel, uint32_t v)
{
	dbg_reg_wr(b->bus, b->core, sel, v);
}

static void halt(struct board *b)
{
	wr(b, DHCSR, DBGKEY | C_DEBUGEN | C_HALT);
	dbg_settle(b->core); /* S_HALT a core clock cycle later */
}

static void step(struct board *b, bool mask)
{
	wr(b, DHCSR, DBGKEY | C_DEBUGEN | C_HALT | (mask ? C_MASKINTS : 0));
	wr(b, DHCSR, DBGKEY | C_DEBUGEN | C_STEP | (mask ? C_MASKINTS : 0));
	wr(b, DHCSR, DBGKEY | C_DEBUGEN | C_HALT);
	dbg_settle(b->core); /* the step takes a core clock cycle */
}

/* Halted at `off`, registers cleared for counting. */
static void start_at(struct board *b, uint32_t off)
{
	halt(b);
	reg_wr(b, REG_PC, CODE + off);
	for (uint32_t r = 0; r <= 7; r++)
		reg_wr(b, r, 0);
}

/* SysTick on the processor clock, reload `rvr`, interrupt enabled. */
static void systick_on(struct board *b, uint32_t rvr)
{
	wr(b, SYST_RVR, rvr);
	wr(b, SYST_CVR, 0);
	wr(b, SYST_CSR, 7);
}

static void test_systick_counts_exactly(void)
{
	struct board b;

	CHECK_OK(board_new(&b));
	CHECK_EQ_U(rd(&b, ICTR), 1u); /* 40 lines: two words */
	start_at(&b, 0x00);
	systick_on(&b, 99); /* 100 cycles per period */
	wr(&b, DHCSR, DBGKEY | C_DEBUGEN);
	/* 6400 cycles at 64 MHz: 64 periods; the halt takes effect one
	 * cycle (16 ns) after the request. */
	sim_core_run(b.core, 100000 - 16);
	halt(&b);
	/* Wraps at cycles 100..6400; the 64th is pended at the very end. */
	CHECK_EQ_U(reg_rd(&b, REG_R6), 63u);
	CHECK(rd(&b, ICSR) & (1u << 26)); /* PENDSTSET */
	CHECK_EQ_U((rd(&b, ICSR) >> 12) & 0x1FFu, 15u); /* VECTPENDING */
	CHECK(rd(&b, SYST_CSR) & (1u << 16));  /* COUNTFLAG: the debugger's read keeps it */
	CHECK(rd(&b, SYST_CSR) & (1u << 16));
	/* Halted: SysTick does not count. */
	uint32_t cvr = rd(&b, SYST_CVR);
	sim_core_run(b.core, 100000);
	CHECK_EQ_U(rd(&b, SYST_CVR), cvr);
	/* The reference clock (CLKSOURCE 0) is the core clock / 8 here. */
	wr(&b, SYST_CSR, 0);
	wr(&b, SYST_RVR, 799);
	wr(&b, SYST_CVR, 0);
	wr(&b, SYST_CSR, 3);
	wr(&b, ICSR, 1u << 25); /* PENDSTCLR */
	reg_wr(&b, REG_R6, 0);
	wr(&b, DHCSR, DBGKEY | C_DEBUGEN);
	sim_core_run(b.core, 1000000 - 16); /* 64000 cycles = 8000 ticks = 10 periods */
	halt(&b);
	CHECK_EQ_U(reg_rd(&b, REG_R6), 9u);
	board_free(&b);
}

static void test_masks_and_pending(void)
{
	struct board b;

	CHECK_OK(board_new(&b));
	start_at(&b, 0x00);
	reg_wr(&b, REG_SPECIAL, 1); /* PRIMASK */
	systick_on(&b, 999);
	wr(&b, DHCSR, DBGKEY | C_DEBUGEN);
	sim_core_run(b.core, 100000);
	halt(&b);
	CHECK_EQ_U(reg_rd(&b, REG_R6), 0u); /* masked: pending, never taken */
	CHECK(rd(&b, ICSR) & (1u << 26));
	CHECK(!(rd(&b, ICSR) & (1u << 23))); /* ISRPREEMPT: would not be taken */
	/* BASEPRI 0x40 masks priority 0x40 and below, not 0x20. */
	reg_wr(&b, REG_SPECIAL, 0x4000u);
	wr(&b, SHPR3, 0x40u << 24);
	CHECK_EQ_U(rd(&b, SHPR3), 0x40000000u);
	CHECK(!(rd(&b, ICSR) & (1u << 23)));
	wr(&b, SHPR3, 0x2Fu << 24); /* 4 priority bits: the low nibble reads 0 */
	CHECK_EQ_U(rd(&b, SHPR3), 0x20000000u);
	CHECK(rd(&b, ICSR) & (1u << 23));
	board_free(&b);
}

/* C_STEP with a pending SysTick: masked, the step executes the next
 * instruction; unmasked, it is the exception entry and stops on the
 * handler's first instruction; the handler's return comes back. */
static void test_step_into_and_over(void)
{
	struct board b;
	uint32_t pc;

	CHECK_OK(board_new(&b));
	start_at(&b, 0x00);
	wr(&b, ICSR, 1u << 26); /* PENDSTSET */
	step(&b, true);
	CHECK_EQ_U(reg_rd(&b, REG_PC), CODE + 0x02);
	CHECK_EQ_U(reg_rd(&b, 0), 1u);
	CHECK_EQ_U(reg_rd(&b, REG_XPSR) & 0x1FFu, 0u);
	step(&b, true);
	pc = reg_rd(&b, REG_PC);
	CHECK_EQ_U(pc, CODE + 0x00);
	step(&b, false);
	CHECK_EQ_U(reg_rd(&b, REG_PC), CODE + 0x40); /* handler, not yet run */
	CHECK_EQ_U(reg_rd(&b, REG_XPSR) & 0x1FFu, 15u);
	CHECK_EQ_U(reg_rd(&b, REG_R6), 0u);
	CHECK_EQ_U(reg_rd(&b, REG_LR), 0xFFFFFFF9u);
	CHECK_EQ_U(reg_rd(&b, 0), 1u); /* the interrupted instruction did not run */
	CHECK_EQ_U(rd(&b, ICSR) & 0x8FFu, 0x80Fu); /* RETTOBASE, VECTACTIVE 15 */
	CHECK(rd(&b, SHCSR) & (1u << 11));          /* SYSTICKACT */
	CHECK(!(rd(&b, ICSR) & (1u << 26)));         /* no longer pending */
	/* Stacked frame: PC = the interrupted instruction. */
	CHECK_EQ_U(reg_rd(&b, REG_SP), STACK_TOP - 32);
	CHECK_EQ_U(rd(&b, STACK_TOP - 8), CODE + 0x00);
	step(&b, false);
	CHECK_EQ_U(reg_rd(&b, REG_R6), 1u);
	step(&b, false); /* bx lr: exception return */
	CHECK_EQ_U(reg_rd(&b, REG_PC), CODE + 0x00);
	CHECK_EQ_U(reg_rd(&b, REG_XPSR) & 0x1FFu, 0u);
	CHECK_EQ_U(reg_rd(&b, REG_SP), STACK_TOP);
	CHECK(!(rd(&b, SHCSR) & (1u << 11)));
	board_free(&b);
}

/* NVIC: enable, pend, priorities and their order, STIR, IABR. */
static void test_nvic_priorities(void)
{
	struct board b;

	CHECK_OK(board_new(&b));
	start_at(&b, 0x00);
	wr(&b, IPR0, 0x00004080u); /* IRQ0 0x80, IRQ1 0x40 */
	CHECK_EQ_U(rd(&b, IPR0), 0x00004080u);
	wr(&b, ISPR0, 3);
	CHECK_EQ_U(rd(&b, ISPR0), 3u);
	CHECK(rd(&b, ICSR) & (1u << 22)); /* ISRPENDING */
	CHECK_EQ_U((rd(&b, ICSR) >> 12) & 0x1FFu, 0u); /* not enabled: nothing to vector */
	wr(&b, ISER0, 3);
	CHECK_EQ_U(rd(&b, ISER0), 3u);
	CHECK_EQ_U((rd(&b, ICSR) >> 12) & 0x1FFu, 17u); /* IRQ1 first */
	step(&b, false); /* entry into IRQ1 */
	CHECK_EQ_U(reg_rd(&b, REG_XPSR) & 0x1FFu, 17u);
	CHECK_EQ_U(rd(&b, IABR0), 2u);
	wr(&b, DHCSR, DBGKEY | C_DEBUGEN);
	sim_core_run(b.core, 10000);
	halt(&b);
	/* IRQ1 then IRQ0 (tail-chained), each shifting r7. */
	CHECK_EQ_U(reg_rd(&b, REG_R7), 0x21u);
	CHECK_EQ_U(rd(&b, IABR0), 0u);
	CHECK_EQ_U(rd(&b, ISPR0), 0u);
	/* STIR pends IRQ0; ICER disables it: pending stays, nothing taken. */
	wr(&b, ICER0, 1);
	wr(&b, STIR, 0);
	reg_wr(&b, REG_R7, 0);
	wr(&b, DHCSR, DBGKEY | C_DEBUGEN);
	sim_core_run(b.core, 10000);
	halt(&b);
	CHECK_EQ_U(reg_rd(&b, REG_R7), 0u);
	CHECK_EQ_U(rd(&b, ISPR0), 1u);
	/* A priority group split (PRIGROUP 6: one group bit) puts 0x40 and
	 * 0x00 in one group: no preemption of IRQ1's handler by IRQ0. */
	wr(&b, AIRCR, 0x05FA0600u);
	CHECK_EQ_U(rd(&b, AIRCR) & 0x700u, 0x600u);
	board_free(&b);
}

/* WFI sleeps (S_SLEEP) until SysTick fires; the handler runs, then the
 * instruction after the WFI. */
static void test_wfi_wakeup(void)
{
	struct board b;

	CHECK_OK(board_new(&b));
	start_at(&b, 0x10);
	systick_on(&b, 3999);
	wr(&b, DHCSR, DBGKEY | C_DEBUGEN);
	sim_core_run(b.core, 20000); /* 1280 cycles: asleep */
	CHECK(rd(&b, DHCSR) & S_SLEEP);
	CHECK_EQ_U(rd(&b, SYST_CVR), 3999u - 1279u); /* reload on the first tick */
	sim_core_run(b.core, 50000);
	CHECK(!(rd(&b, DHCSR) & S_SLEEP));
	halt(&b);
	CHECK_EQ_U(reg_rd(&b, REG_R6), 1u);
	CHECK_EQ_U(reg_rd(&b, REG_R5), 1u);
	board_free(&b);
}

/* A CPU store to STIR under PRIMASK pends the interrupt; CPSIE lets it in
 * within a few instructions (the handler snapshots the loop counter), not
 * at the end of the run. */
static void test_unmask_takes_pending(void)
{
	struct board b;

	CHECK_OK(board_new(&b));
	start_at(&b, 0xA0);
	reg_wr(&b, 7, 0xFFFFu);
	wr(&b, ISER0, 1u << 3);
	wr(&b, DHCSR, DBGKEY | C_DEBUGEN);
	sim_core_run(b.core, 100000); /* 6400 instructions */
	halt(&b);
	CHECK_MSG(reg_rd(&b, 7) < 16u, "IRQ3 taken after %u loop iterations", reg_rd(&b, 7));
	CHECK(reg_rd(&b, 6) > 1000u);
	board_free(&b);
}

/* WFE sleeps too (no event pending after reset) and an interrupt wakes it
 * (B1.5.19: any exception entry is a wake-up event). */
static void test_wfe_wakeup(void)
{
	struct board b;

	CHECK_OK(board_new(&b));
	start_at(&b, 0x18);
	systick_on(&b, 3999);
	wr(&b, DHCSR, DBGKEY | C_DEBUGEN);
	sim_core_run(b.core, 20000);
	CHECK(rd(&b, DHCSR) & S_SLEEP);
	sim_core_run(b.core, 50000);
	halt(&b);
	CHECK_EQ_U(reg_rd(&b, REG_R6), 1u);
	CHECK_EQ_U(reg_rd(&b, REG_R5), 1u);
	board_free(&b);
}

/* With FP context active (CONTROL.FPCA) the extended frame is stacked,
 * EXC_RETURN is 0xFFFFFFE9 and S0 comes back on return. */
static void test_fp_extended_frame(void)
{
	struct board b;

	CHECK_OK(board_new(&b));
	start_at(&b, 0x20);
	reg_wr(&b, 0, 0x3F800000u);
	reg_wr(&b, 1, 0x40000000u);
	step(&b, true); /* vmov s0, r0 */
	CHECK_EQ_U(reg_rd(&b, REG_S0), 0x3F800000u);
	CHECK(reg_rd(&b, REG_SPECIAL) & (4u << 24)); /* CONTROL.FPCA */
	wr(&b, ISER0, 4);
	wr(&b, ISPR0, 4);
	step(&b, false);
	CHECK_EQ_U(reg_rd(&b, REG_PC), CODE + 0x70);
	CHECK_EQ_U(reg_rd(&b, REG_LR), 0xFFFFFFE9u);
	CHECK_EQ_U(reg_rd(&b, REG_SP), STACK_TOP - 0x68);
	CHECK_EQ_U(rd(&b, STACK_TOP - 0x68 + 0x20), 0x3F800000u); /* S0 */
	CHECK(!(reg_rd(&b, REG_SPECIAL) & (4u << 24)));
	step(&b, false);
	CHECK_EQ_U(reg_rd(&b, REG_S0), 0x40000000u);
	step(&b, false);
	CHECK_EQ_U(reg_rd(&b, REG_PC), CODE + 0x24);
	CHECK_EQ_U(reg_rd(&b, REG_S0), 0x3F800000u);
	CHECK_EQ_U(reg_rd(&b, REG_SP), STACK_TOP);
	CHECK(reg_rd(&b, REG_SPECIAL) & (4u << 24));
	board_free(&b);
}

/* Double-precision instructions Unicorn traps run through the emulation
 * (sim_core_vfp.c): results, IT-block conditions, FPCA, and NOCP while
 * CPACR denies CP10. */
static void test_dp_in_the_core(void)
{
	struct board b;

	CHECK_OK(board_new(&b));
	start_at(&b, 0x80);
	wr(&b, 0xE000ED88u, 0xFu << 20); /* CPACR: CP10/CP11 */
	wr(&b, DHCSR, DBGKEY | C_DEBUGEN);
	sim_core_run(b.core, 10000);
	halt(&b);
	CHECK_EQ_U(reg_rd(&b, REG_PC), CODE + 0x96);
	CHECK_EQ_U(reg_rd(&b, REG_S0 + 3), 0x40000000u); /* D1 = 2.0 */
	CHECK_EQ_U(reg_rd(&b, REG_S0 + 5), 0u);          /* D2: condition NE failed */
	CHECK_EQ_U(reg_rd(&b, REG_S0 + 7), 0x40000000u); /* D3: condition EQ passed */
	CHECK(reg_rd(&b, REG_SPECIAL) & (4u << 24));     /* CONTROL.FPCA */
	CHECK_EQ_U(reg_rd(&b, REG_XPSR) & 0x0600FC00u, 0u); /* IT block over */
	/* CP10 denied: the first FP instruction is a NOCP UsageFault. */
	start_at(&b, 0x80);
	wr(&b, 0xE000ED88u, 0);
	wr(&b, DHCSR, DBGKEY | C_DEBUGEN);
	sim_core_run(b.core, 1000);
	halt(&b);
	CHECK(rd(&b, 0xE000ED28u) & (1u << 19)); /* CFSR.NOCP */
	board_free(&b);
}

int main(void)
{
	RUN_TEST(test_systick_counts_exactly);
	RUN_TEST(test_masks_and_pending);
	RUN_TEST(test_step_into_and_over);
	RUN_TEST(test_nvic_priorities);
	RUN_TEST(test_wfi_wakeup);
	RUN_TEST(test_unmask_takes_pending);
	RUN_TEST(test_wfe_wakeup);
	RUN_TEST(test_fp_extended_frame);
	RUN_TEST(test_dp_in_the_core);
	return TEST_MAIN_END();
}
