/* NXP MIMXRT1062 (reference/targets.md §3): Cortex-M7 on AP0 of a DPv1
 * SW-DP, booting from QSPI NOR behind FlexSPI1 (XIP at 0x60000000, FCB at
 * offset 0, IVT at 0x1000). Attach never resets and never writes FlexSPI,
 * clocks or the MPU: a running XIP image keeps running (§3.3). No device-ID
 * register: --target auto matches the boot-ROM fingerprint word 0x80DBF000
 * at 0x0020A000, as Black Magic Probe's imxrt.c does. */
#include "targets/targets_priv.h"

static const char *const rt1062_aliases[] = {"MIMXRT1062xxx6A", "MIMXRT1062xxx6B", "MIMXRT1062DVL6A",
					     "MIMXRT1062", NULL};

static const struct sw_core_desc rt1062_cores[] = {{"cm7", 0, 0}};

/* FlexRAM with the fuse-default split (128 KiB ITCM / 128 KiB DTCM / 256
 * KiB OCRAM); the NOR as an 8 MiB IS25WP064A with 4 KiB sectors, the
 * smallest erase, so unchanged 4 KiB sectors are skipped. */
static const struct sw_mem_region rt1062_regions[] = {
	{"itcm", 0x00000000u, 0x00020000u, SW_MEM_RAM, 0},
	{"boot-rom", 0x00200000u, 0x00020000u, SW_MEM_ROM, 0},
	{"dtcm", 0x20000000u, 0x00020000u, SW_MEM_RAM, 0},
	{"ocram2", 0x20200000u, 0x00080000u, SW_MEM_RAM, 0},
	{"ocram", 0x20280000u, 0x00040000u, SW_MEM_RAM, 0},
	{"peripherals", 0x40000000u, 0x20000000u, SW_MEM_MMIO, 0},
	{"flexspi-nor", 0x60000000u, 0x00800000u, SW_MEM_FLASH, 0x1000u},
	{"ppb", 0xE0000000u, 0x00100000u, SW_MEM_MMIO, 0},
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
	.hooks = NULL,
	.flash = &sw_flash_rt1062_flexspi,
};
