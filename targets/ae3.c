/* Alif Ensemble E3 (AE302F80F55D5, OpenMV AE3): two Cortex-M55 r1p0 behind
 * ADIv6 AHB-APs, HP at 0x200000 and HE at 0x300000 (reference/targets.md
 * §4.1, ALIF-SDF / ALIF-DFP), MRAM at 0x80000000. One GDB port per core:
 * HP on the base port, HE on base + 1. "ae3-hp" / "ae3-he" serve one core. */
#include "targets/ae3.h"
#include "targets/targets_priv.h"

#define AE3_PPU_HP 0x1A600000u
#define AE3_PPU_HE 0x1A601000u
/* The register the pack's ResetSystem clears first ("DisableWarmResetHandshake",
 * PPU + 0x24; name unverified, reference/targets.md §4.3). */
#define AE3_PPU_WARM_RST_HANDSHAKE 0x24u
#define CM_VTOR 0xE000ED08u /* ARMv8-M ARM D1.2.265 VTOR */

static const char *const ae3_aliases[] = {"AE302F80F55D5_HP", "AE302F80F55D5_HE", NULL};

/* Debug resources per core: FPB v2, ARMv8-M DWT (§4.5, counts read from
 * FP_CTRL / DWT_CTRL at attach). */
static const struct sw_core_desc ae3_cores[] = {{"hp", 0x200000u, 0}, {"he", 0x300000u, 1}};
static const struct sw_core_desc ae3_hp_core[] = {{"hp", 0x200000u, 0}};
static const struct sw_core_desc ae3_he_core[] = {{"he", 0x300000u, 0}};

/* §4.2. ITCM/DTCM at 0x0/0x20000000 are each core's own TCMs; the
 * description's sizes are HP's (HE's DTCM is 256 KiB, its ITCM the same).
 * MRAM: the application area is the only programmable part. The SE/Alif
 * area above it (ATOC, SE firmware) is listed as flash too, so that a load
 * there reaches the flash ops and is refused with a message saying why,
 * rather than failing somewhere in gdb. */
static const struct sw_mem_region ae3_regions[] = {
	{"itcm", 0x00000000u, 0x00040000u, SW_MEM_RAM, 0},
	{"sram0", 0x02000000u, 0x00400000u, SW_MEM_RAM, 0},
	{"sram1", 0x08000000u, 0x00280000u, SW_MEM_RAM, 0},
	{"ppu", 0x1A600000u, 0x00002000u, SW_MEM_MMIO, 0},
	{"dtcm", 0x20000000u, 0x00100000u, SW_MEM_RAM, 0},
	{"hp-itcm", 0x50000000u, 0x00040000u, SW_MEM_RAM, 0},
	{"hp-dtcm", 0x50800000u, 0x00100000u, SW_MEM_RAM, 0},
	{"he-itcm", 0x58000000u, 0x00040000u, SW_MEM_RAM, 0},
	{"he-dtcm", 0x58800000u, 0x00040000u, SW_MEM_RAM, 0},
	{"sram9", 0x60000000u, 0x000C0000u, SW_MEM_RAM, 0},
	{"sram6a", 0x62000000u, 0x00100000u, SW_MEM_RAM, 0},
	{"sram6b", 0x62400000u, 0x00100000u, SW_MEM_RAM, 0},
	{"sram7", 0x63000000u, 0x00080000u, SW_MEM_RAM, 0},
	{"sram8", 0x63200000u, 0x00200000u, SW_MEM_RAM, 0},
	{"mram-app", AE3_MRAM_APP_BASE, AE3_MRAM_APP_SIZE, SW_MEM_FLASH, AE3_MRAM_SECTOR},
	{"mram-se", 0x80580000u, 0x00080000u, SW_MEM_FLASH, AE3_MRAM_SECTOR},
	{"ppb", 0xE0000000u, 0x00100000u, SW_MEM_MMIO, 0},
};

/* System reset as the Alif pack's ResetSystem does it (§4.3): clear the
 * core's PPU warm-reset handshake register, then AIRCR.SYSRESETREQ, then
 * wait for S_RESET_ST (inside sw_core_reset). */
static int ae3_system_reset(struct sw_ctx *ctx, struct sw_core *core, const struct sw_core_desc *cd,
			    bool halt_after)
{
	uint32_t ppu = cd->ap == 0x300000u ? AE3_PPU_HE : AE3_PPU_HP;
	int r = sw_mem_write32(sw_core_ap(core), ppu + AE3_PPU_WARM_RST_HANDSHAKE, 0);

	if (r)
		return sw_fail(ctx, r, "ae3: reset: PPU write failed: %s", sw_errmsg(ctx));
	return sw_core_reset(core, SW_RESET_SYSTEM, halt_after);
}

/* Core-only reset: ARMv8-M has no VECTRESET (targets.md §0), so do what it
 * would do to the core, from Debug state: registers to their reset values
 * (ARMv8-M ARM B3.18 TakeReset: SP_main and PC from the vector table at
 * VTOR, xPSR.T = 1, LR = 0xFFFFFFFF, masks and CONTROL cleared). Memory and
 * peripherals, and the other core, are left alone. */
static int ae3_core_reset(struct sw_ctx *ctx, struct sw_core *core, bool halt_after)
{
	static const unsigned zero[] = {SW_REG_PRIMASK, SW_REG_BASEPRI, SW_REG_FAULTMASK,
					SW_REG_CONTROL, SW_REG_PSP};
	uint32_t vtor = 0, vec[2] = {0, 0};
	int r;

	if ((r = sw_core_halt(core)) || (r = sw_mem_read32(sw_core_ap(core), CM_VTOR, &vtor)) ||
	    (r = sw_core_mem_read(core, vtor & ~0x7Fu, vec, sizeof(vec))))
		return sw_fail(ctx, r, "ae3: core reset: %s", sw_errmsg(ctx));
	for (size_t i = 0; i < sizeof(zero) / sizeof(zero[0]) && !r; i++)
		r = sw_core_reg_write(core, zero[i], 0);
	for (unsigned i = 0; i < 13 && !r; i++)
		r = sw_core_reg_write(core, SW_REG_R0 + i, 0);
	if (!r && !(r = sw_core_reg_write(core, SW_REG_MSP, vec[0] & ~3u)) &&
	    !(r = sw_core_reg_write(core, SW_REG_LR, 0xFFFFFFFFu)) &&
	    !(r = sw_core_reg_write(core, SW_REG_XPSR, 1u << 24)))
		r = sw_core_reg_write(core, SW_REG_PC, vec[1] & ~1u);
	if (!r && !halt_after)
		r = sw_core_resume(core);
	if (r)
		return sw_fail(ctx, r, "ae3: core reset: %s", sw_errmsg(ctx));
	return SW_OK;
}

static int ae3_reset(struct sw_ctx *ctx, struct sw_core *core, const struct sw_core_desc *cd,
		     enum sw_reset_kind kind, bool halt_after)
{
	switch (kind) {
	case SW_RESET_SYSTEM:
		return ae3_system_reset(ctx, core, cd, halt_after);
	case SW_RESET_CORE:
		return ae3_core_reset(ctx, core, halt_after);
	case SW_RESET_PIN:
		break;
	}
	return sw_core_reset(core, kind, halt_after);
}

static const struct sw_target_hooks ae3_hooks = {.reset = ae3_reset};

/* The MRAM loader (flashloaders/ae3_mram.c) runs in SRAM0 (4 MiB at
 * 0x02000000, reachable from both cores at its global address); the demo
 * firmware and typical applications keep their data in the cores' TCMs.
 * One loader per chip is enough: the server runs one gdb packet at a time,
 * so the two cores never run it at once. */
static const struct sw_loader_desc ae3_loader = {
	.image = &sw_loader_ae3_mram,
	.work_base = 0x02000000u,
	.work_size = 512u * 1024u,
	.max_jobs = 1,
};

#define AE3_DESC(nm, sum, core_tab, n)                                                    \
	{                                                                                  \
		.name = nm, .summary = sum, .dpidr = 0x4C013477u, .targetid = 0x07570257u, \
		.cores = core_tab, .n_cores = n, .regions = ae3_regions,                   \
		.n_regions = sizeof(ae3_regions) / sizeof(ae3_regions[0]),                 \
		.attach = SW_ATTACH_HALT, .hooks = &ae3_hooks, .flash = &sw_flash_ae3_mram, \
		.loader = &ae3_loader,                                                     \
		.ident_ap = 0x300000u, .sim_chip = "ae3",                                   \
	}

const struct sw_target_desc sw_target_ae3 = {
	.name = "ae3",
	.aliases = ae3_aliases,
	.summary = "Alif Ensemble E3: 2 x Cortex-M55 (HP, HE) on ADIv6 APs, 5.5 MiB MRAM app area",
	.dpidr = 0x4C013477u,
	.targetid = 0x07570257u,
	.cores = ae3_cores,
	.n_cores = 2,
	.regions = ae3_regions,
	.n_regions = sizeof(ae3_regions) / sizeof(ae3_regions[0]),
	.attach = SW_ATTACH_HALT,
	.hooks = &ae3_hooks,
	.flash = &sw_flash_ae3_mram,
	.loader = &ae3_loader,
	.ident_ap = 0x300000u,
	.sim_chip = "ae3",
};
const struct sw_target_desc sw_target_ae3_hp =
	AE3_DESC("ae3-hp", "Alif Ensemble E3, HP core only", ae3_hp_core, 1);
const struct sw_target_desc sw_target_ae3_he =
	AE3_DESC("ae3-he", "Alif Ensemble E3, HE core only", ae3_he_core, 1);
