/* NXP MIMXRT1062 as seen from SWD (reference/targets.md §3): SW-DP DPIDR
 * 0x0BD11477 (DPv1, no TARGETID), AP0 AHB-AP to the Cortex-M7 system bus,
 * ROM tables 0xE00FD000 (NXP, part 0x88C) -> 0xE00FE000 (M7) -> 0xE00FF000
 * (PPB). FlexSPI1 at 0x402A8000 with an IS25WP064A-class 8 MiB QSPI NOR
 * behind it, XIP window at 0x60000000.
 *
 * Boot ROM at 0x00200000, the part that matters to a debugger: the core
 * starts there after every reset (VTOR = ROM), reads SRC_SBMR1 (probe-rs
 * arms a DWT watch on that read to stop inside the ROM), sets FlexSPI up
 * from the FCB at NOR offset 0, checks the IVT at 0x60001000 and enters the
 * image through the IVT entry; without a valid FCB/IVT it parks (the serial
 * downloader on silicon). A vector catch on reset therefore stops in the
 * ROM, never at the application's reset handler (targets.md §3.3). The ROM
 * is a small Thumb program (source in the comment below); the FCB parsing
 * is done by the model behind a private ROM register at 0x0021F000. */
#include <stdlib.h>
#include <string.h>

#include "sim/sim_ccm_rt1062.h"
#include "sim/sim_flexram_rt1062.h"
#include "sim/sim_flexspi.h"
#include "sim/sim_internal.h"
#include "sim/sim_spinor.h"

#define RT_ROM_BASE 0x00200000u
#define RT_ROM_SIZE 0x1F000u   /* 124 KiB of ROM, then the model's hook page */
#define RT_ROM_HOOK 0x0021F000u
#define RT_NOR_BASE 0x60000000u
#define RT_NOR_SIZE (8u << 20)
#define RT_FLEXSPI 0x402A8000u
#define RT_SRC 0x400F8000u
#define RT_CPU_HZ 64000000u    /* virtual core clock; a knob (silicon: 600 MHz) */

struct rt1062 {
	struct sim_spinor *nor;
	struct sim_flexspi *fspi;
	struct sim_flexram_rt1062 *flexram;
	struct sim_ccm_rt1062 *ccm;
	uint8_t *nor_mem;
	uint32_t src[0x48 / 4];
	uint32_t hook_status;
	struct sim_rom_table rom_nxp, rom_m7, rom_ppb;
};

#define ROM_ENTRY(table, comp) ((uint32_t)((comp) - (table)) | 3u)
static const uint32_t nxp_rom_entries[] = {ROM_ENTRY(0xE00FD000u, 0xE00FE000u)};
static const uint32_t m7_rom_entries[] = {ROM_ENTRY(0xE00FE000u, 0xE00FF000u)};
static const uint32_t ppb_rom_entries[] = {
	ROM_ENTRY(0xE00FF000u, 0xE000E000u), ROM_ENTRY(0xE00FF000u, 0xE0001000u),
	ROM_ENTRY(0xE00FF000u, 0xE0002000u), ROM_ENTRY(0xE00FF000u, 0xE0000000u),
};

/* Boot ROM reset handler at 0x00200100 (GNU as, Thumb-2):
 *	ldr r0, =0x400F8004; ldr r1, [r0]        @ SRC_SBMR1: boot configuration
 *	lsrs r2, r1, #4; lsls r2, r2, #28; cbnz r2, park @ BOOT_CFG1[7:4] != 0: not FlexSPI NOR
 *	ldr r0, =0x0021F000; str r1, [r0]; ldr r2, [r0]; cbnz r2, park @ FlexSPI from FCB
 *	ldr r0, =0x60001000; ldr r1, [r0]; mvn r2, #0xFF000000; ands r1, r2
 *	ldr r2, =0x002000D1; cmp r1, r2; bne park @ IVT tag 0xD1, length 0x0020
 *	ldr r1, [r0, #4]; lsls r2, r1, #31; bmi jump @ entry: Thumb code address
 *	ldr r3, =0xE000ED08; str r1, [r3]        @ else a vector table: VTOR
 *	ldr r2, [r1]; msr msp, r2; ldr r1, [r1, #4]
 * jump: bx r1
 * park: wfi; b park
 * followed by the literal pool. */
static const uint16_t rom_code[] = {
	0x480e, 0x6801, 0x090a, 0x0712, 0xb9aa, 0x480d, 0x6001, 0x6802,
	0xb98a, 0x480c, 0x6801, 0xf06f, 0x427f, 0x4011, 0x4a0a, 0x4291,
	0xd109, 0x6841, 0x07ca, 0xd405, 0x4b08, 0x6019, 0x680a, 0xf382,
	0x8808, 0x6849, 0x4708, 0xbf30, 0xe7fd, 0x0000,
	0x8004, 0x400f, 0xf000, 0x0021, 0x1000, 0x6000, 0x00d1, 0x0020, 0xed08, 0xe000,
};

static void put32(uint8_t *p, uint32_t v)
{
	for (unsigned i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void fill_rom(uint8_t *rom)
{
	put32(rom + 0x00, 0x20208000u);       /* ROM stack in OCRAM2 */
	put32(rom + 0x04, RT_ROM_BASE + 0x101u);
	for (unsigned v = 2; v < 16; v++)      /* faults park in the ROM's wfi loop */
		put32(rom + 4 * v, RT_ROM_BASE + 0x137u);
	put32(rom + 0x1C, 0);                  /* ROM API tree: not modelled */
	for (size_t i = 0; i < sizeof(rom_code) / 2; i++) {
		rom[0x100 + 2 * i] = (uint8_t)rom_code[i];
		rom[0x101 + 2 * i] = (uint8_t)(rom_code[i] >> 8);
	}
	put32(rom + 0xA000, 0x80DBF000u);      /* RT106x fingerprint (BMP imxrt.c) */
}

/* The ROM's private register: a store runs the FlexSPI set-up from the FCB,
 * a load returns 0 when the FCB was valid. */
static int hook_read(void *opaque, uint32_t off, unsigned size, uint32_t *val)
{
	struct rt1062 *h = opaque;

	(void)size;
	*val = off == 0 ? h->hook_status : 0;
	return 0;
}

static int hook_write(void *opaque, uint32_t off, unsigned size, uint32_t val)
{
	struct rt1062 *h = opaque;

	(void)size;
	(void)val;
	if (off == 0)
		h->hook_status = sim_flexspi_boot_config(h->fspi, h->nor_mem) ? 1u : 0u;
	return 0;
}

/* SRC: SBMR1 (+0x04) BOOT_CFG all zero = FlexSPI NOR; SBMR2 (+0x1C) BMOD
 * [25:24] = 2, internal boot (targets.md §3.3). Other registers: storage. */
static int src_read(void *opaque, uint32_t off, unsigned size, uint32_t *val)
{
	struct rt1062 *h = opaque;
	uint32_t v = off / 4 < sizeof(h->src) / 4 ? h->src[off / 4] : 0;

	*val = size == 4 ? v : (v >> (8 * (off & 3u))) & (size == 1 ? 0xFFu : 0xFFFFu);
	return 0;
}

static int src_write(void *opaque, uint32_t off, unsigned size, uint32_t val)
{
	struct rt1062 *h = opaque;

	if (size == 4 && off != 0x04 && off != 0x1C && off / 4 < sizeof(h->src) / 4)
		h->src[off / 4] = val;
	return 0;
}

/* Named for the unmodelled-access log: FlexRAM windows past their banks. */
static const struct sim_block_name rt1062_blocks[] = {
	{0x00000000u, 0x80000u, "ITCM beyond the FlexRAM banks assigned to it (IOMUXC_GPR17)"},
	{0x20000000u, 0x80000u, "DTCM beyond the FlexRAM banks assigned to it (IOMUXC_GPR17)"},
	{0x20280000u, 0x80000u, "FlexRAM OCRAM beyond its banks (IOMUXC_GPR17)"},
};

static uint64_t clock_now(void *sim)
{
	return sim_now_ns(sim);
}

static void clock_stall(void *sim, uint64_t ns)
{
	sim_stall_until(sim, ns);
}

static int build_nor(struct sim *sim, struct rt1062 *h, struct sim_bus *b)
{
	/* ISSI IS25WP064A: manufacturer 9Dh, type 70h, capacity 17h (64 Mbit) */
	struct sim_spinor_cfg cfg = {.size = RT_NOR_SIZE, .jedec_id = {0x9D, 0x70, 0x17},
				     .now_ns = clock_now, .clock = sim};

	if (sim_bus_add_rom(b, "flexspi-nor", RT_NOR_BASE, RT_NOR_SIZE, 0xFF, NULL, NULL, &h->nor_mem))
		return -1;
	cfg.mem = h->nor_mem;
	if (sim_spinor_new(&cfg, &h->nor) || sim_flexspi_new(h->nor, RT_NOR_SIZE, &h->fspi) ||
	    sim_bus_set_read_gate(b, RT_NOR_BASE, sim_flexspi_ahb_read, h->fspi) ||
	    sim_bus_set_fetch_gate(b, RT_NOR_BASE, sim_flexspi_fetch, h->fspi))
		return -1;
	sim_flexspi_set_clock(h->fspi, clock_now, clock_stall, sim);
	return sim_bus_add_mmio(b, "flexspi", RT_FLEXSPI, 0x4000, sim_flexspi_reg_read,
				sim_flexspi_reg_write, h->fspi);
}

static int build_sysbus(struct sim *sim, struct rt1062 *h, struct sim_bus *b)
{
	uint8_t *rom;
	int r = 0;

	/* FlexRAM: ITCM, DTCM and its OCRAM sized by IOMUXC_GPR (fuse default
	 * 128/128/256 KiB); OCRAM2 is a separate 512 KiB. */
	r |= sim_flexram_rt1062_new(sim, b, &h->flexram);
	r |= sim_bus_add_rom(b, "boot-rom", RT_ROM_BASE, RT_ROM_SIZE, 0xFF, NULL, NULL, &rom);
	r |= sim_bus_add_mmio(b, "boot-rom-hook", RT_ROM_HOOK, 0x1000, hook_read, hook_write, h);
	r |= sim_bus_add_ram(b, "ocram2", 0x20200000u, 512 * 1024, NULL);
	/* IOMUXC pad mux and pad control (RM §11): pins are configured at
	 * start-up [simplified: registers as storage]. */
	r |= sim_bus_add_ram(b, "iomuxc", 0x401F8000u, 0x4000, NULL);
	r |= sim_bus_add_mmio(b, "src", RT_SRC, 0x1000, src_read, src_write, h);
	if (!r)
		r |= sim_ccm_rt1062_new(sim, b, &h->ccm);
	r |= build_nor(sim, h, b);
	r |= sim_bus_add_mmio(b, "nxp-rom", 0xE00FD000u, 0x1000, sim_rom_table_read, NULL, &h->rom_nxp);
	r |= sim_bus_add_mmio(b, "m7-rom", 0xE00FE000u, 0x1000, sim_rom_table_read, NULL, &h->rom_m7);
	r |= sim_bus_add_mmio(b, "ppb-rom", 0xE00FF000u, 0x1000, sim_rom_table_read, NULL, &h->rom_ppb);
	if (r)
		return sw_fail(sim->ctx, SW_ERR_NOMEM, "sim: cannot build the RT1062 bus");
	fill_rom(rom);
	return SW_OK;
}

static void rt1062_reset(struct sim *sim)
{
	struct rt1062 *h = sim->chip_priv;

	sim_flexspi_reset(h->fspi);
	sim_spinor_reset(h->nor);
	sim_flexram_rt1062_reset(h->flexram);
	sim_ccm_rt1062_reset(h->ccm);
	memset(h->src, 0, sizeof(h->src));
	h->src[0x1C / 4] = 2u << 24;
	h->hook_status = 1;
	if (sim->nrst) {
		/* The debug connector's reset is POR_B on the RT106x: a power-on
		 * reset of the whole chip, the SWJ-DP (back in JTAG, powered down)
		 * and the core's debug logic included (i.MX RT1060 RM, System Reset
		 * Controller: POR_B "resets the entire chip"). SYSRESETREQ does not. */
		sim_dp_init(sim);
		sim->wire.phase = PH_IDLE;
		sim->wire.ones = 0;
		for (unsigned i = 0; i < sim->n_cores; i++)
			sim_core_reset(sim->cores[i], SIM_RESET_POWER_ON);
	}
}

static int rt1062_build(struct sim *sim)
{
	struct rt1062 *h = calloc(1, sizeof(*h));
	struct sim_bus *sys;
	int r;

	if (!h)
		return sw_fail(sim->ctx, SW_ERR_NOMEM, "sim: out of memory");
	sim->chip_priv = h;
	sim->blocks = rt1062_blocks;
	sim->n_blocks = sizeof(rt1062_blocks) / sizeof(rt1062_blocks[0]);
	h->rom_nxp = (struct sim_rom_table){{0x015, 0x88C, 0, 0x1, 0, 0}, nxp_rom_entries, 1};
	h->rom_m7 = (struct sim_rom_table){{SIM_JEP_ARM, 0x4C8, 0, 0x1, 0, 0}, m7_rom_entries, 1};
	h->rom_ppb = (struct sim_rom_table){{SIM_JEP_ARM, 0x4C7, 0, 0x1, 0, 0}, ppb_rom_entries, 4};
	sim->dp.version = 1; /* DPv1: no TARGETID, no DLPIDR */
	sim->dp.dpidr = 0x0BD11477u;
	if ((r = sim_add_bus(sim, &sys)))
		return r;
	sim->sysbus = sys;
	if ((r = build_sysbus(sim, h, sys)))
		return r;
	rt1062_reset(sim);
	struct sim_ap ap0 = {.addr = 0, .bus = sys, .idr = 0x04770041u /* AHB-AP, as read via J-Link [unverified] */,
			     .base = 0xE00FD003u, .csw = 0x03000002u, .csw_fixed = 1u << 6};
	if ((r = sim_add_ap(sim, &ap0)))
		return r;
	struct sim_core_cfg cfg = {
		.name = "cm7", .arch = 7, .cpuid = 0x411FC271u, .fpu = true, .dp_fpu = true,
		.fpb_rev = 1, .fpb_code = 8, .fpb_lit = 0, .dwt_comps = 4, .cpu_hz = RT_CPU_HZ,
		.vtor_reset = RT_ROM_BASE, .sysresetreq = sim_system_reset, .chip = sim,
		/* 160 IRQs, 4 priority bits (RM §4.3); SysTick's 100 kHz reference
		 * as a divider of the 600 MHz core clock [simplified]. */
		.n_irq = 160, .prio_bits = 4, .systick_ref_div = 6000, .unmodelled = sim_unmodelled,
	};
	if ((r = sim_core_new(sim->ctx, sys, &cfg, &sim->cores[0])))
		return r;
	sim->n_cores = 1;
	return SW_OK;
}

static void rt1062_free(struct sim *sim)
{
	struct rt1062 *h = sim->chip_priv;

	if (h) {
		sim_flexspi_free(h->fspi);
		sim_spinor_free(h->nor);
		sim_flexram_rt1062_free(h->flexram);
		sim_ccm_rt1062_free(h->ccm);
	}
	free(h);
}

const struct sim_chip sim_chip_mimxrt1062 = {"mimxrt1062", rt1062_build, rt1062_free, rt1062_reset};
