/* The simulated Cortex-M core driven only through its debug registers, as a
 * debugger would over the MEM-AP: run/halt/step, DCRSR/DCRDR register
 * transfers, BKPT, FPB, DWT, vector catch, faults, resets, ITM.
 * Register layout: ARMv7-M ARM C1.6 (DHCSR, DCRSR, DCRDR, DEMCR), C1.8 (DWT),
 * C1.11 (FPB), B3.2 (SCB); ARMv8-M ARM D1.2. */
#include "sim/sim_core.h"
#include "sw/ctx.h"
#include "tests/test.h"

#define DHCSR 0xE000EDF0u
#define DCRSR 0xE000EDF4u
#define DCRDR 0xE000EDF8u
#define DEMCR 0xE000EDFCu
#define DFSR 0xE000ED30u
#define CFSR 0xE000ED28u
#define HFSR 0xE000ED2Cu
#define BFAR 0xE000ED38u
#define AIRCR 0xE000ED0Cu
#define CPUID 0xE000ED00u
#define ICSR 0xE000ED04u
#define SHCSR 0xE000ED24u
#define FP_CTRL 0xE0002000u
#define FP_COMP0 0xE0002008u
#define DWT_CTRL 0xE0001000u
#define DWT_CYCCNT 0xE0001004u
#define DWT_COMP0 0xE0001020u
#define DWT_MASK0 0xE0001024u
#define DWT_FUNC0 0xE0001028u
#define DWT_DEVARCH 0xE0001FBCu
#define ITM_STIM0 0xE0000000u
#define ITM_TER 0xE0000E00u
#define ITM_TCR 0xE0000E80u

#define DBGKEY 0xA05F0000u
#define C_DEBUGEN 0x1u
#define C_HALT 0x2u
#define C_STEP 0x4u
#define C_MASKINTS 0x8u
#define S_REGRDY (1u << 16)
#define S_HALT (1u << 17)
#define S_SLEEP (1u << 18)
#define S_LOCKUP (1u << 19)
#define S_RETIRE_ST (1u << 24)
#define S_RESET_ST (1u << 25)
#define DFSR_HALTED 0x1u
#define DFSR_BKPT 0x2u
#define DFSR_DWTTRAP 0x4u
#define DFSR_VCATCH 0x8u

#define REG_R0 0u
#define REG_SP 13u
#define REG_LR 14u
#define REG_PC 15u
#define REG_XPSR 16u
#define REG_MSP 17u
#define REG_PSP 18u
#define REG_SPECIAL 20u
#define REG_FPSCR 33u
#define REG_S0 0x40u

#define FLASH 0x08000000u
#define SRAM 0x20000000u
#define STACK_TOP 0x20008000u
#define PERIPH 0x50000000u

/* A board: ITCM-like RAM at 0 holding the vector table, "flash" (ROM with a
 * recording controller) at 0x08000000, SRAM at 0x20000000. */
struct board {
	struct sw_ctx ctx;
	struct sim_bus *bus;
	struct sim_core *core;
	uint8_t *ram0, *flash, *sram;
	unsigned resets;
	unsigned flash_writes;
	uint32_t flash_off, flash_val;
	unsigned flash_size;
	int flash_fail;
};

/* A peripheral whose writes get an AHB error response. */
static int periph_rd(void *opaque, uint32_t off, unsigned size, uint32_t *val)
{
	(void)opaque, (void)size;
	*val = 0x1234u + off;
	return off >= 0x800 ? -1 : 0; /* the upper half answers with an error */
}

static int periph_wr(void *opaque, uint32_t off, unsigned size, uint32_t val)
{
	(void)opaque, (void)off, (void)size, (void)val;
	return -1;
}

static int flash_wr(void *opaque, uint32_t off, unsigned size, uint32_t val)
{
	struct board *b = opaque;

	if (b->flash_fail)
		return -1;
	b->flash_writes++;
	b->flash_off = off;
	b->flash_size = size;
	b->flash_val = val;
	return 0;
}

/* The chip's SYSRESETREQ handler: reset every core (system reset). */
static void sysresetreq(void *chip)
{
	struct board *b = chip;

	b->resets++;
	sim_core_reset(b->core, SIM_RESET_SYSTEM);
}

static void put16(uint8_t *mem, uint32_t off, uint16_t v)
{
	mem[off] = (uint8_t)v;
	mem[off + 1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *mem, uint32_t off, uint32_t v)
{
	for (unsigned i = 0; i < 4; i++)
		mem[off + i] = (uint8_t)(v >> (8 * i));
}

static void put_code(uint8_t *mem, uint32_t off, const uint16_t *code, size_t n)
{
	for (size_t i = 0; i < n; i++)
		put16(mem, off + 2 * (uint32_t)i, code[i]);
}

/* Programs in flash (offsets from 0x08000000). */
static const uint16_t prog_count[] = {
	0x2000, /* 0x100: movs r0, #0 */
	0x3001, /* 0x102: adds r0, #1 */
	0xE7FD, /* 0x104: b.n 0x102 */
};
static const uint16_t prog_bkpt[] = {
	0x2105, /* 0x120: movs r1, #5 */
	0xBE01, /* 0x122: bkpt #1 */
	0x2106, /* 0x124: movs r1, #6 */
	0xE7FE, /* 0x126: b.n . */
};
static const uint16_t prog_unmapped[] = {
	0x2340, /* 0x140: movs r3, #0x40 */
	0x061B, /* 0x142: lsls r3, r3, #24  (r3 = 0x40000000, nothing there) */
	0x681C, /* 0x144: ldr r4, [r3] */
	0xE7FE, /* 0x146: b.n . */
};
static const uint16_t prog_watch[] = {
	0x6011, /* 0x160: str r1, [r2] */
	0x2507, /* 0x162: movs r5, #7 */
	0x6051, /* 0x164: str r1, [r2, #4] */
	0x2608, /* 0x166: movs r6, #8 */
	0xE7FE, /* 0x168: b.n . */
};
static const uint16_t prog_udf[] = {
	0x2501, /* 0x180: movs r5, #1 */
	0xDE00, /* 0x182: udf #0 */
	0xE7FE, /* 0x184: b.n . */
};
static const uint16_t prog_svc[] = {
	0xDF00, /* 0x1A0: svc #0 */
	0x2709, /* 0x1A2: movs r7, #9 */
	0xE7FE, /* 0x1A4: b.n . */
};
static const uint16_t prog_romwrite[] = {
	0x6011, /* 0x1C0: str r1, [r2] */
	0x2507, /* 0x1C2: movs r5, #7 */
	0xE7FE, /* 0x1C4: b.n . */
};
static const uint16_t prog_wfi[] = {
	0x2501, /* 0x1E0: movs r5, #1 */
	0xBF30, /* 0x1E2: wfi */
	0x2502, /* 0x1E4: movs r5, #2 */
	0xE7FE, /* 0x1E6: b.n . */
};
static const uint16_t prog_sysreset[] = {
	0x4801, /* 0x260: ldr r0, [pc, #4]  (0x268) */
	0x4902, /* 0x262: ldr r1, [pc, #8]  (0x26C) */
	0x6001, /* 0x264: str r1, [r0] */
	0xE7FE, /* 0x266: b.n . */
	0xED0C, 0xE000, /* 0x268: .word 0xE000ED0C (AIRCR) */
	0x0004, 0x05FA, /* 0x26C: .word 0x05FA0004 (VECTKEY | SYSRESETREQ) */
};
static const uint16_t handler_debugmon[] = {
	0x2604, /* 0x280: movs r6, #4 */
	0x4770, /* 0x282: bx lr */
};
static const uint16_t handler_hardfault[] = {
	0xE7FE, /* 0x200: b.n . */
};
static const uint16_t handler_svc[] = {
	0x2603, /* 0x220: movs r6, #3 */
	0x4770, /* 0x222: bx lr  (EXC_RETURN) */
};
static const uint16_t handler_faulting[] = {
	0x681C, /* 0x240: ldr r4, [r3]  (r3 still 0x40000000: fault in HardFault) */
	0xE7FE, /* 0x242: b.n . */
};

static void board_load(struct board *b)
{
	/* Vector table at 0 (VTOR reset value): SP, Reset, NMI, HardFault, ...,
	 * SVCall (11). Thumb bit set in handler addresses. */
	put32(b->ram0, 0, STACK_TOP);
	put32(b->ram0, 4, FLASH + 0x101);
	put32(b->ram0, 8, FLASH + 0x201);
	put32(b->ram0, 12, FLASH + 0x201);
	put32(b->ram0, 11 * 4, FLASH + 0x221);
	put32(b->ram0, 12 * 4, FLASH + 0x281); /* DebugMonitor */
	put_code(b->flash, 0x100, prog_count, 3);
	put_code(b->flash, 0x120, prog_bkpt, 4);
	put_code(b->flash, 0x140, prog_unmapped, 4);
	put_code(b->flash, 0x160, prog_watch, 5);
	put_code(b->flash, 0x180, prog_udf, 3);
	put_code(b->flash, 0x1A0, prog_svc, 3);
	put_code(b->flash, 0x1C0, prog_romwrite, 3);
	put_code(b->flash, 0x1E0, prog_wfi, 4);
	put_code(b->flash, 0x200, handler_hardfault, 1);
	put_code(b->flash, 0x220, handler_svc, 2);
	put_code(b->flash, 0x240, handler_faulting, 2);
	put_code(b->flash, 0x260, prog_sysreset, 8);
	put_code(b->flash, 0x280, handler_debugmon, 2);
}

static int board_new(struct board *b, unsigned arch, unsigned fpb_rev)
{
	struct sim_core_cfg cfg = {
		.name = "cpu",
		.arch = arch,
		.cpuid = arch == 8 ? 0x411FD220u : 0x411FC271u,
		.fpu = true,
		.dp_fpu = true,
		.fpb_rev = fpb_rev,
		.fpb_code = 8,
		.fpb_lit = 0,
		.dwt_comps = 4,
		.cpu_hz = 64000000u,
		.vtor_reset = 0,
		.sysresetreq = sysresetreq,
		.chip = b,
	};

	memset(b, 0, sizeof(*b));
	sw_ctx_init(&b->ctx);
	if (sim_bus_new(&b->bus) ||
	    sim_bus_add_ram(b->bus, "itcm", 0, 0x10000, &b->ram0) ||
	    sim_bus_add_rom(b->bus, "flash", FLASH, 0x10000, 0xFF, flash_wr, b, &b->flash) ||
	    sim_bus_add_ram(b->bus, "sram", SRAM, 0x10000, &b->sram) ||
	    sim_bus_add_mmio(b->bus, "periph", PERIPH, 0x1000, periph_rd, periph_wr, b))
		return -1;
	board_load(b);
	return sim_core_new(&b->ctx, b->bus, &cfg, &b->core);
}

static void board_free(struct board *b)
{
	sim_core_free(b->core);
	sim_bus_free(b->bus);
}

static uint32_t rd(struct board *b, uint32_t addr)
{
	uint32_t v = 0xDEADBEEFu;

	CHECK_OK(sim_bus_read(b->bus, addr, 4, &v));
	return v;
}

static void wr(struct board *b, uint32_t addr, uint32_t v)
{
	CHECK_OK(sim_bus_write(b->bus, addr, 4, v));
}

static void halt(struct board *b)
{
	wr(b, DHCSR, DBGKEY | C_DEBUGEN | C_HALT);
}

static void resume(struct board *b)
{
	wr(b, DHCSR, DBGKEY | C_DEBUGEN);
}

/* Read a core register as a debugger does: DCRSR, wait for S_REGRDY, DCRDR. */
static uint32_t reg_rd(struct board *b, uint32_t sel)
{
	wr(b, DCRSR, sel);
	CHECK_MSG(rd(b, DHCSR) & S_REGRDY, "S_REGRDY after reading REGSEL %u", sel);
	return rd(b, DCRDR);
}

static void reg_wr(struct board *b, uint32_t sel, uint32_t v)
{
	wr(b, DCRDR, v);
	wr(b, DCRSR, (1u << 16) | sel);
	CHECK_MSG(rd(b, DHCSR) & S_REGRDY, "S_REGRDY after writing REGSEL %u", sel);
}

/* Run 100 us of virtual time (6400 instructions at 64 MHz). */
static void run_a_bit(struct board *b)
{
	sim_core_run(b->core, 100000);
}

/* Halt, point the PC at `pc` and let it run until it stops or 100 us pass. */
static void run_from(struct board *b, uint32_t pc)
{
	halt(b);
	reg_wr(b, REG_PC, pc);
	wr(b, DFSR, 0x1Fu);
	resume(b);
	run_a_bit(b);
}

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
	CHECK(rd(&b, DHCSR) & S_HALT);
	CHECK(rd(&b, DFSR) & DFSR_HALTED);
	r0b = reg_rd(&b, REG_R0);
	CHECK_EQ_U(r0b, r0 + 1);
	CHECK_EQ_U(reg_rd(&b, REG_PC), FLASH + 0x104);
	wr(&b, DHCSR, DBGKEY | C_DEBUGEN | C_STEP | C_MASKINTS);
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

static void fault_setup(struct board *b)
{
	halt(b);
	reg_wr(b, 0, 0x11u);
	reg_wr(b, 1, 0x22u);
	reg_wr(b, 12, 0x55u);
	reg_wr(b, REG_LR, 0x08000777u);
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
	wr(&b, AIRCR, 0x05FA0004u); /* SYSRESETREQ */
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
	CHECK_EQ_U(b.resets, 2u);
	CHECK(rd(&b, DHCSR) & S_HALT);
	CHECK(rd(&b, DHCSR) & C_HALT);
	CHECK_EQ_U(rd(&b, DFSR) & (DFSR_HALTED | DFSR_VCATCH), DFSR_HALTED);
	CHECK_EQ_U(reg_rd(&b, REG_PC), FLASH + 0x100);
	wr(&b, DHCSR, DBGKEY | C_DEBUGEN);
	wr(&b, AIRCR, 0x05FA0004u);
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
	RUN_TEST(test_identity_and_ids);
	RUN_TEST(test_run_halt_step);
	RUN_TEST(test_register_transfer);
	RUN_TEST(test_bkpt);
	RUN_TEST(test_fpb_v1);
	RUN_TEST(test_fpb_v2);
	RUN_TEST(test_dwt_watch_v7);
	RUN_TEST(test_dwt_watch_v8);
	RUN_TEST(test_dwt_cyccnt);
	RUN_TEST(test_hardfault_bus_error);
	RUN_TEST(test_hardfault_udf);
	RUN_TEST(test_vector_catch_hardfault);
	RUN_TEST(test_lockup);
	RUN_TEST(test_svc_and_return);
	RUN_TEST(test_vector_catch_reset_and_sysresetreq);
	RUN_TEST(test_vectreset_v7_only);
	RUN_TEST(test_control_and_xpsr_v7);
	RUN_TEST(test_reset_line);
	RUN_TEST(test_cpu_flash_write);
	RUN_TEST(test_wfi_sleep);
	RUN_TEST(test_itm);
	RUN_TEST(test_psp_unprivileged_svc);
	RUN_TEST(test_dwt_v8_trigger_only);
	RUN_TEST(test_dwt_value_match_v7);
	RUN_TEST(test_dwt_v8_limit_and_value);
	RUN_TEST(test_dwt_pc_v7);
	RUN_TEST(test_dwt_pc_v8);
	RUN_TEST(test_imprecise_bus_error);
	RUN_TEST(test_precise_mmio_load_error);
	RUN_TEST(test_itm_from_cpu);
	RUN_TEST(test_sysresetreq_from_cpu);
	RUN_TEST(test_bkpt_debugmonitor);
	return TEST_MAIN_END();
}
