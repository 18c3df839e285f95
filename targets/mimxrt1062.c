/* NXP MIMXRT1062 (reference/targets.md §3): Cortex-M7 on AP0 of a DPv1
 * SW-DP, booting from QSPI NOR behind FlexSPI1 (XIP at 0x60000000, FCB at
 * offset 0, IVT at 0x1000). Attach never resets and never writes FlexSPI,
 * clocks or the MPU: a running XIP image keeps running (§3.3). No device-ID
 * register: --target auto matches the boot-ROM fingerprint word 0x80DBF000
 * at 0x0020A000, as Black Magic Probe's imxrt.c does. */
#include "cortexm/core.h"
#include "targets/targets_priv.h"

#define RT_IVT 0x60001000u
#define RT_IVT_TAG_MASK 0x00FFFFFFu
#define RT_IVT_TAG 0x002000D1u /* tag 0xD1, length 0x0020 */
#define RT_FSPI_MCR0 0x402A8000u
#define RT_HALT_POLLS 2000u

/* Where the image in the NOR starts: the IVT entry (targets.md §3.4) is
 * either the vector table (even) or the reset handler (odd, Thumb). */
static int image_entry(sw_ap *ap, uint32_t *pc)
{
	uint32_t mcr0 = 0, hdr = 0, entry = 0;
	int r;

	if ((r = sw_mem_read32(ap, RT_FSPI_MCR0, &mcr0)))
		return r;
	if (mcr0 & 2u) /* FlexSPI off: the NOR is not readable, no image booted */
		return SW_ERR_NOT_FOUND;
	if ((r = sw_mem_read32(ap, RT_IVT, &hdr)) || (r = sw_mem_read32(ap, RT_IVT + 4, &entry)))
		return r;
	if ((hdr & RT_IVT_TAG_MASK) != RT_IVT_TAG)
		return SW_ERR_NOT_FOUND;
	if (!(entry & 1u) && (r = sw_mem_read32(ap, entry + 4, &entry)))
		return r;
	*pc = entry & ~1u;
	return SW_OK;
}

/* reset halt as pyOCD does for XIP boot (targets.md §3.3): the boot ROM
 * runs first after SYSRESETREQ, so a reset vector catch stops in the ROM;
 * instead an FPB comparator on the image's reset handler stops it where
 * the application starts. Without a bootable image: plain vector catch. */
static int rt1062_reset_halt(struct sw_core *core)
{
	sw_ap *ap = sw_core_ap(core);
	struct sw_ctx *ctx = sw_dap_ctx(sw_ap_dap(ap));
	struct sw_core_state st = {0};
	uint32_t pc = 0;
	int r = image_entry(ap, &pc);

	if (r) {
		sw_clear_err(ctx);
		SW_LOG_I(ctx, "mimxrt1062: no bootable XIP image; reset halts in the boot ROM");
		return sw_core_reset(core, SW_RESET_SYSTEM, true);
	}
	if ((r = sw_core_bp_set(core, pc, 2, SW_BP_HARD)))
		return r;
	r = sw_core_reset(core, SW_RESET_SYSTEM, false);
	/* DHCSR.C_HALT survives a system reset (debug domain): a core that was
	 * halted stays halted at the ROM's first instruction; let it run. */
	if (!r && !(r = sw_core_poll(core, &st)) && st.halted)
		r = sw_core_resume(core);
	for (unsigned i = 0; !r && i < RT_HALT_POLLS; i++) {
		if ((r = sw_core_poll(core, &st)) || st.halted)
			break;
	}
	int r2 = sw_core_bp_clear(core, pc, 2, SW_BP_HARD);
	if (!r && !st.halted) {
		r = sw_core_halt(core);
		SW_LOG_W(ctx, "mimxrt1062: the boot ROM never reached the image entry 0x%08x", pc);
	}
	return r ? r : r2;
}

static const struct sw_target_hooks rt1062_hooks = {.reset_halt = rt1062_reset_halt};

static const char *const rt1062_aliases[] = {"MIMXRT1062xxx6A", "MIMXRT1062xxx6B", "MIMXRT1062DVL6A",
					     "MIMXRT1062", NULL};

static const struct sw_core_desc rt1062_cores[] = {{"cm7", 0, 0}};

/* FlexRAM windows at their largest (512 KiB each): firmware repartitions
 * the banks through IOMUXC_GPR17 (fuse default 128 KiB ITCM / 128 KiB DTCM
 * / 256 KiB OCRAM), so gdb must be able to reach e.g. a stack in a 448 KiB
 * DTCM; the part not configured answers with a bus error. The NOR as an
 * 8 MiB IS25WP064A with 4 KiB sectors, the smallest erase, so unchanged
 * 4 KiB sectors are skipped. */
static const struct sw_mem_region rt1062_regions[] = {
	{"itcm", 0x00000000u, 0x00080000u, SW_MEM_RAM, 0},
	{"boot-rom", 0x00200000u, 0x00020000u, SW_MEM_ROM, 0},
	{"dtcm", 0x20000000u, 0x00080000u, SW_MEM_RAM, 0},
	{"ocram2", 0x20200000u, 0x00080000u, SW_MEM_RAM, 0},
	{"ocram", 0x20280000u, 0x00080000u, SW_MEM_RAM, 0},
	{"peripherals", 0x40000000u, 0x20000000u, SW_MEM_MMIO, 0},
	{"flexspi-nor", 0x60000000u, 0x00800000u, SW_MEM_FLASH, 0x1000u},
	{"ppb", 0xE0000000u, 0x00100000u, SW_MEM_MMIO, 0},
};

/* FlexSPI INTR error bits as the loader reports them (RM 27.6.2.6). */
static const char *rt1062_status_text(uint32_t intr)
{
	if (intr & (1u << 3))
		return "IPCMDERR: the IP command sequence failed";
	if (intr & (1u << 1))
		return "IPCMDGE: IP command refused (grant error: FlexSPI busy or misconfigured)";
	return "NOR error";
}

/* The loader runs in OCRAM2 (512 KiB at 0x20200000), which XIP firmware
 * typically leaves to the heap; TCMs are the firmware's. */
static const struct sw_loader_desc rt1062_loader = {
	.image = &sw_loader_rt1062_flexspi,
	.work_base = 0x20200000u,
	.work_size = 512u * 1024u,
	.max_jobs = 1,
	.status_text = rt1062_status_text,
};

const struct sw_target_desc sw_target_mimxrt1062 = {
	.name = "mimxrt1062",
	.aliases = rt1062_aliases,
	.summary = "MIMXRT1062: Cortex-M7, boots from FlexSPI QSPI NOR (8 MiB at 0x60000000)",
	.dpidr = 0x0BD11477u,
	.targetid = 0,
	.idcode_addr = 0x0020A000u,
	.idcode_ap = 0,
	.idcode_mask = 0xFFFFFFFFu,
	.idcode_value = 0x80DBF000u,
	.cores = rt1062_cores,
	.n_cores = 1,
	.regions = rt1062_regions,
	.n_regions = sizeof(rt1062_regions) / sizeof(rt1062_regions[0]),
	.csw_extra = 0,
	.attach = SW_ATTACH_NO_RESET,
	.hooks = &rt1062_hooks,
	.flash = &sw_flash_rt1062_flexspi,
	.loader = &rt1062_loader,
};
