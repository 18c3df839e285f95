/* A board for the simulated-core unit tests (test_sim_core*.c): the core
 * on a bus with RAM, a recording "flash" and an erroring peripheral, a few
 * Thumb programs, and a debugger's view through DHCSR/DCRSR/DCRDR.
 * Register layout: ARMv7-M ARM C1.6 (DHCSR, DCRSR, DCRDR, DEMCR), C1.8 (DWT),
 * C1.11 (FPB), B3.2 (SCB); ARMv8-M ARM D1.2. */
#ifndef SW_TEST_SIM_CORE_BOARD_H
#define SW_TEST_SIM_CORE_BOARD_H

#include "sim/sim_core.h"
#include "sw/ctx.h"
#include "tests/sim_dbg.h"
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
static inline int periph_rd(void *opaque, uint32_t off, unsigned size, uint32_t *val)
{
	(void)opaque, (void)size;
	*val = 0x1234u + off;
	return off >= 0x800 ? -1 : 0; /* the upper half answers with an error */
}

static inline int periph_wr(void *opaque, uint32_t off, unsigned size, uint32_t val)
{
	(void)opaque, (void)off, (void)size, (void)val;
	return -1;
}

static inline int flash_wr(void *opaque, uint32_t off, unsigned size, uint32_t val)
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
static inline void sysresetreq(void *chip)
{
	struct board *b = chip;

	b->resets++;
	sim_core_reset(b->core, SIM_RESET_SYSTEM);
}

static inline void put_code(uint8_t *mem, uint32_t off, const uint16_t *code, size_t n)
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

static inline void board_load(struct board *b)
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

static inline int board_new(struct board *b, unsigned arch, unsigned fpb_rev)
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

static inline void board_free(struct board *b)
{
	sim_core_free(b->core);
	sim_bus_free(b->bus);
}

static inline uint32_t rd(struct board *b, uint32_t addr)
{
	return dbg_rd(b->bus, addr);
}

static inline void wr(struct board *b, uint32_t addr, uint32_t v)
{
	dbg_wr(b->bus, addr, v);
}

static inline void halt(struct board *b)
{
	wr(b, DHCSR, DBGKEY | C_DEBUGEN | C_HALT);
	dbg_settle(b->core); /* S_HALT a core clock cycle later */
}

static inline void resume(struct board *b)
{
	wr(b, DHCSR, DBGKEY | C_DEBUGEN);
}

/* Read a core register as a debugger does: DCRSR, wait for S_REGRDY, DCRDR. */
static inline uint32_t reg_rd(struct board *b, uint32_t sel)
{
	return dbg_reg_rd(b->bus, b->core, sel);
}

static inline void reg_wr(struct board *b, uint32_t sel, uint32_t v)
{
	dbg_reg_wr(b->bus, b->core, sel, v);
	CHECK_MSG(rd(b, DHCSR) & S_REGRDY, "S_REGRDY after writing REGSEL %u", sel);
}

/* Run 100 us of virtual time (6400 instructions at 64 MHz). */
static inline void run_a_bit(struct board *b)
{
	sim_core_run(b->core, 100000);
}

/* Halt, point the PC at `pc` and let it run until it stops or 100 us pass. */
static inline void run_from(struct board *b, uint32_t pc)
{
	halt(b);
	reg_wr(b, REG_PC, pc);
	wr(b, DFSR, 0x1Fu);
	resume(b);
	run_a_bit(b);
}

static inline void fault_setup(struct board *b)
{
	halt(b);
	reg_wr(b, 0, 0x11u);
	reg_wr(b, 1, 0x22u);
	reg_wr(b, 12, 0x55u);
	reg_wr(b, REG_LR, 0x08000777u);
}

#endif
