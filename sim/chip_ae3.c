/* Alif Ensemble E3 (AE302F80F55D5, the OpenMV AE3's chip) as the debugger
 * sees it; facts from reference/targets.md §4 (ALIF-SDF, ALIF-DFP, BMP#2018):
 *  - ADIv6 SW-DP, DPIDR 0x4C013477 (DPv3), DPIDR1 0xA0, TARGETID 0x07570257,
 *    root ROM table at DP address 0 listing the APs below;
 *  - AHB-AP 0x200000 -> RTSS-HP Cortex-M55, AHB-AP 0x300000 -> RTSS-HE
 *    Cortex-M55 (each PPB ROM at 0xE00FF000), AXI5-AP 0x70000 -> system AXI;
 *    the SE's APBCOM/AHB-AP and the APSS APB-AP are not modelled;
 *  - each core sees its own TCMs at 0x0 / 0x20000000 and everything at its
 *    global address; MRAM at 0x80000000 (6 MiB, 128-bit write unit,
 *    sim_mram.c), SRAM0/1/6/7/8/9, PPU-HP/PPU-HE.
 * Boot: the Secure Enclave starts the images its ATOC flags BOOT and leaves
 * DEFERRED ones to be started on request (§4.3). The model starts HP at
 * power-on from its image at the start of MRAM and keeps HE powered off
 * until something (the HP firmware) sets PPU-HE's power policy to ON; while
 * off, HE's AHB-AP reports CSW.DeviceEn = 0 and refuses memory accesses
 * (§4.3: the AP is unreachable until firmware starts the core). */
#include <stdlib.h>

#include "sim/sim_internal.h"
#include "sim/sim_mram.h"

#define AE3_MRAM_BASE 0x80000000u
#define AE3_MRAM_SIZE 0x00600000u /* 6 MiB [SETOOLS featuresDB] */
/* Boot addresses the SE would take from the ATOC; here fixed to OpenMV's
 * layout (bootloader/HP image at the MRAM start, HE image at 0x80320000). */
#define AE3_HP_BOOT 0x80000000u
#define AE3_HE_BOOT 0x80320000u
/* Virtual clocks: the real 400 / 160 MHz scaled by 1/10 (a knob, like the
 * H743's) so Unicorn keeps up with wall time in tests. */
#define AE3_HP_HZ 40000000u
#define AE3_HE_HZ 16000000u

/* PPU (Arm Power Policy Unit architecture): PWPR 0x000 power policy in
 * [3:0], PWSR 0x008 power status in [3:0]; mode ON = 0x8, OFF = 0x0
 * [unverified here]. +0x24 is the register the Alif pack clears before a
 * reset ("DisableWarmResetHandshake", reference/targets.md §4.3): while it
 * is set a warm reset waits for a handshake nobody gives while a debugger
 * holds the core, so SYSRESETREQ does nothing [model: the pack's sequence
 * implies the boot leaves it set; value 1 here, bit meaning unverified]. */
#define PPU_PWPR 0x000u
#define PPU_PWSR 0x008u
#define PPU_WARM_RST_CFG 0x024u
#define PPU_MODE_MASK 0xFu
#define PPU_MODE_OFF 0x0u
#define PPU_MODE_ON 0x8u
#define PPU_NREGS 0x40u /* 0x000-0x0FC as storage; IDs read 0 */

enum { AE3_HP, AE3_HE };

struct ae3;
struct ae3_cpu {
	struct ae3 *a;
	unsigned idx;
	uint32_t ppu[PPU_NREGS];
};

struct ae3 {
	struct sim *sim;
	struct sim_rom_table root, ppb;
	struct sim_mram mram;
	struct ae3_cpu cpu[2];
};

/* Root table: AXI-AP, HP AP, HE AP (class 0x9 entries, OFFSET | PRESENT). */
static const uint32_t root_entries[] = {0x00070000u | 3u, 0x00200000u | 3u, 0x00300000u | 3u};
static const uint32_t ppb_entries[] = {
	(uint32_t)(0xE000E000u - 0xE00FF000u) | 3u, (uint32_t)(0xE0001000u - 0xE00FF000u) | 3u,
	(uint32_t)(0xE0002000u - 0xE00FF000u) | 3u, (uint32_t)(0xE0000000u - 0xE00FF000u) | 3u,
};
static const struct sim_cs_id memap_id = {SIM_JEP_ARM, 0x9E4, 0, 0x9, 0x47700A17u, 0};

struct ae3_ram {
	const char *name;
	uint32_t base, size;
};

/* reference/targets.md §4.2 (ALIF-DFP pdsc E3, soc_features). */
static const struct ae3_ram rams[] = {
	{"sram0", 0x02000000u, 0x00400000u},   {"sram1", 0x08000000u, 0x00280000u},
	{"hp-itcm", 0x50000000u, 0x00040000u}, {"hp-dtcm", 0x50800000u, 0x00100000u},
	{"he-itcm", 0x58000000u, 0x00040000u}, {"he-dtcm", 0x58800000u, 0x00040000u},
	{"sram9a", 0x60000000u, 0x00040000u},  {"sram9b", 0x60040000u, 0x00080000u},
	{"sram6a", 0x62000000u, 0x00100000u},  {"sram6b", 0x62400000u, 0x00100000u},
	{"sram7", 0x63000000u, 0x00080000u},   {"sram8", 0x63200000u, 0x00200000u},
};
static const uint32_t tcm_global[2][2] = {{0x50000000u, 0x50800000u}, {0x58000000u, 0x58800000u}};

/* HE's AHB-AP while its domain is off: CSW.DeviceEn 0, accesses fault. */
static bool he_ap_off(const struct sim *sim)
{
	const struct ae3 *a = sim->chip_priv;

	return a->cpu[AE3_HE].ppu[PPU_PWSR / 4] != PPU_MODE_ON;
}

static void he_power(struct ae3 *a, bool on)
{
	a->cpu[AE3_HE].ppu[PPU_PWSR / 4] = on ? PPU_MODE_ON : PPU_MODE_OFF;
	/* Power-up is a cold start of the subsystem: from its boot vector. */
	sim_core_set_power(a->sim->cores[AE3_HE], on);
}

static int ppu_read(void *opaque, uint32_t off, unsigned size, uint32_t *val)
{
	struct ae3_cpu *p = opaque;

	if (size != 4 || off / 4 >= PPU_NREGS)
		return -1;
	*val = p->ppu[off / 4];
	return 0;
}

static int ppu_write(void *opaque, uint32_t off, unsigned size, uint32_t val)
{
	struct ae3_cpu *p = opaque;

	if (size != 4 || off / 4 >= PPU_NREGS)
		return -1;
	if (off == PPU_PWSR)
		return 0; /* read-only status */
	p->ppu[off / 4] = val;
	if (off == PPU_PWPR && p->idx == AE3_HE) {
		bool on = (val & PPU_MODE_MASK) == PPU_MODE_ON;
		if (on != (p->ppu[PPU_PWSR / 4] == PPU_MODE_ON))
			he_power(p->a, on);
	}
	return 0;
}

/* AIRCR.SYSRESETREQ from one M55 is a warm reset of its own subsystem
 * (RTSS): the pack's ResetSystem sequence uses the requesting core's own
 * PPU, and the other core is not touched [ALIF-DFP; scope unverified]. */
static void rtss_reset(void *opaque)
{
	struct ae3_cpu *p = opaque;
	struct sim *sim = p->a->sim;

	if (p->ppu[PPU_WARM_RST_CFG / 4])
		return; /* the warm-reset handshake is never acknowledged */
	sim->cnt.resets++;
	sim_core_reset(sim->cores[p->idx], SIM_RESET_SYSTEM);
}

/* Power-on / nRST: MRAM keeps its contents (non-volatile), an unfinished
 * write unit is lost; HP boots, HE is powered off again. */
static void ae3_reset(struct sim *sim)
{
	struct ae3 *a = sim->chip_priv;

	sim_mram_reset(&a->mram);
	for (unsigned i = 0; i < 2; i++) {
		for (unsigned r = 0; r < PPU_NREGS; r++)
			a->cpu[i].ppu[r] = 0;
		a->cpu[i].ppu[PPU_PWPR / 4] = i == AE3_HP ? PPU_MODE_ON : PPU_MODE_OFF;
		a->cpu[i].ppu[PPU_PWSR / 4] = a->cpu[i].ppu[PPU_PWPR / 4];
		a->cpu[i].ppu[PPU_WARM_RST_CFG / 4] = 1u; /* handshake on, as the boot leaves it */
	}
	if (sim->n_cores == 2)
		he_power(a, false);
}

static uint64_t clock_now(void *sim)
{
	return sim_now_ns(sim);
}

static void clock_stall(void *sim, uint64_t ns)
{
	sim_stall_until(sim, ns);
}

/* The system view (AXI-AP, back door): owns every memory. */
static int build_sysbus(struct sim *sim, struct ae3 *a, struct sim_bus *sys)
{
	uint8_t *mram;

	for (size_t i = 0; i < sizeof(rams) / sizeof(rams[0]); i++)
		if (sim_bus_add_ram(sys, rams[i].name, rams[i].base, rams[i].size, NULL))
			return sw_fail(sim->ctx, SW_ERR_NOMEM, "sim ae3: cannot add %s", rams[i].name);
	if (sim_bus_add_rom(sys, "mram", AE3_MRAM_BASE, AE3_MRAM_SIZE, 0x00, sim_mram_write, &a->mram,
			    &mram))
		return sw_fail(sim->ctx, SW_ERR_NOMEM, "sim ae3: cannot add the MRAM");
	sim_mram_init(&a->mram, mram, AE3_MRAM_SIZE);
	sim_mram_set_clock(&a->mram, clock_now, clock_stall, sim);
	return SW_OK;
}

/* A core's view: its TCMs at 0x0 / 0x20000000, every system memory at its
 * global address, the PPUs and its PPB ROM table (the PPB itself is added
 * by sim_core_new). */
static int build_cpu_bus(struct sim *sim, struct ae3 *a, struct sim_bus *sys, unsigned idx,
			 struct sim_bus *bus)
{
	const struct sim_region *regs;
	size_t n = sim_bus_regions(sys, &regs);
	int e = 0;

	for (size_t i = 0; i < n && !e; i++)
		e = sim_bus_add_alias(bus, &regs[i], regs[i].name, regs[i].base);
	if (!e)
		e = sim_bus_add_alias(bus, sim_bus_find(sys, tcm_global[idx][0]), "itcm", 0x00000000u);
	if (!e)
		e = sim_bus_add_alias(bus, sim_bus_find(sys, tcm_global[idx][1]), "dtcm", 0x20000000u);
	for (unsigned p = 0; p < 2 && !e; p++)
		e = sim_bus_add_mmio(bus, p ? "ppu-he" : "ppu-hp", p ? 0x1A601000u : 0x1A600000u, 0x1000,
				     ppu_read, ppu_write, &a->cpu[p]);
	if (!e)
		e = sim_bus_add_mmio(bus, "ppb-rom", 0xE00FF000u, 0x1000, sim_rom_table_read, NULL, &a->ppb);
	if (e)
		return sw_fail(sim->ctx, SW_ERR_NOMEM, "sim ae3: cannot build the %s bus", idx ? "HE" : "HP");
	return SW_OK;
}

static int add_aps(struct sim *sim, struct ae3 *a, struct sim_bus *sys, struct sim_bus *hp,
		   struct sim_bus *he)
{
	struct sim_ap root = {.addr = 0, .rom = &a->root};
	/* AXI5-AP (IDR TYPE 7) and AHB5-APs (TYPE 5) [IDR revision unverified]. */
	struct sim_ap axi = {.addr = 0x70000u, .bus = sys, .idr = 0x24770017u, .base = 0,
			     .csw = 0x03000002u, .csw_fixed = 1u << 6, .ids = &memap_id};
	struct sim_ap ahb = {.bus = hp, .idr = 0x24770015u, .base = 0xE00FF003u, .csw = 0x03000002u,
			     .csw_fixed = 1u << 6, .ids = &memap_id};
	int r;

	if ((r = sim_add_ap(sim, &root)) || (r = sim_add_ap(sim, &axi)))
		return r;
	ahb.addr = 0x200000u;
	if ((r = sim_add_ap(sim, &ahb)))
		return r;
	ahb.addr = 0x300000u;
	ahb.bus = he;
	ahb.is_locked = he_ap_off;
	return sim_add_ap(sim, &ahb);
}

static int ae3_build(struct sim *sim)
{
	struct ae3 *a = calloc(1, sizeof(*a));
	struct sim_bus *sys, *bus[2];
	int r;

	if (!a)
		return sw_fail(sim->ctx, SW_ERR_NOMEM, "sim: out of memory");
	sim->chip_priv = a;
	a->sim = sim;
	for (unsigned i = 0; i < 2; i++)
		a->cpu[i] = (struct ae3_cpu){.a = a, .idx = i};
	a->root = (struct sim_rom_table){{SIM_JEP_ARM, 0x4E9, 0, 0x9, 0x47700AF7u, 0}, root_entries, 3};
	a->ppb = (struct sim_rom_table){{SIM_JEP_ARM, 0x4E9, 0, 0x9, 0x47700AF7u, 0}, ppb_entries, 4};
	sim->dp.version = 3;
	sim->dp.dpidr = 0x4C013477u;
	sim->dp.dpidr1 = 0xA0u;
	sim->dp.targetid = 0x07570257u;
	sim->dp.dlpidr = 0x00000001u;
	sim->dp.baseptr0 = 0x00000001u; /* VALID, root table at 0x0 */
	if ((r = sim_add_bus(sim, &sys)) || (r = build_sysbus(sim, a, sys)))
		return r;
	sim->sysbus = sys;
	for (unsigned i = 0; i < 2; i++) {
		/* FPB/DWT comparator counts are not known for the AE3 (targets.md
		 * §4.5): the M55's usual 8 / 4 [unverified]; the host reads them. */
		struct sim_core_cfg cfg = {
			.name = i ? "he" : "hp", .arch = 8, .cpuid = 0x411FD220u, .fpu = true,
			.dp_fpu = true, .fpb_rev = 1, .fpb_code = 8, .fpb_lit = 0, .dwt_comps = 4,
			.cpu_hz = i ? AE3_HE_HZ : AE3_HP_HZ, .vtor_reset = i ? AE3_HE_BOOT : AE3_HP_BOOT,
			.sysresetreq = rtss_reset, .chip = &a->cpu[i], .secext = true,
			/* 32 KiB I-cache per RTSS core, 2-way, 32-byte lines
			 * [unverified: Alif datasheet size, Cortex-M55 TRM
			 * geometry]; ITCM 256 KiB, DTCM 1 MiB (HP) / 256 KiB (HE). */
			.icache = {32u * 1024u, 2, 32}, .dcache = {32u * 1024u, 4, 32}, .itcm_size = 0x40000u,
			.dtcm_size = i ? 0x40000u : 0x100000u,
		};
		if ((r = sim_add_bus(sim, &bus[i])) || (r = build_cpu_bus(sim, a, sys, i, bus[i])) ||
		    (r = sim_core_new(sim->ctx, bus[i], &cfg, &sim->cores[i])))
			return r;
		sim->n_cores = i + 1;
	}
	if ((r = add_aps(sim, a, sys, bus[0], bus[1])))
		return r;
	ae3_reset(sim);
	return SW_OK;
}

static void ae3_free(struct sim *sim)
{
	free(sim->chip_priv);
}

const struct sim_chip sim_chip_ae3 = {"ae3", ae3_build, ae3_free, ae3_reset};
