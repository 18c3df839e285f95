/* STM32F407 (RM0090; simulator part "stm32f407"): Cortex-M4F r0p1 with the
 * ARMv7-M FPB v1, so hardware breakpoints cover the code region only. No
 * flash programming yet (the table has no flash ops): the flash is listed
 * as ROM so gdb uses hardware breakpoints there. */
#include "targets/targets_priv.h"

static const char *const f407_aliases[] = {"STM32F407VG", "STM32F407ZG", "STM32F407IG", "STM32F407VE",
					   NULL};

static const struct sw_core_desc f407_cores[] = {{"cm4", 0, 0}};

/* RM0090 §2.3 memory map (F407xG: 1 MiB flash, SRAM1 112 KiB + SRAM2 16 KiB). */
static const struct sw_mem_region f407_regions[] = {
	{"flash", 0x08000000u, 0x00100000u, SW_MEM_ROM, 0},
	{"ccm", 0x10000000u, 0x00010000u, SW_MEM_RAM, 0},
	{"system-memory", 0x1FFF0000u, 0x00007A24u, SW_MEM_ROM, 0},
	{"sram", 0x20000000u, 0x00020000u, SW_MEM_RAM, 0},
	{"peripherals", 0x40000000u, 0x20000000u, SW_MEM_MMIO, 0},
	{"ppb", 0xE0000000u, 0x00100000u, SW_MEM_MMIO, 0},
};

const struct sw_target_desc sw_target_stm32f407 = {
	.name = "stm32f407",
	.aliases = f407_aliases,
	.summary = "STM32F407: Cortex-M4F r0p1, FPB v1 (6+2), DWT 4 (simulator part; no flash programming)",
	.dpidr = 0x2BA01477u,
	.idcode_addr = 0xE0042000u, /* DBGMCU_IDCODE (RM0090 §38.6.1) */
	.idcode_ap = 0,
	.idcode_mask = 0xFFFu,
	.idcode_value = 0x413u,
	.cores = f407_cores,
	.n_cores = 1,
	.regions = f407_regions,
	.n_regions = sizeof(f407_regions) / sizeof(f407_regions[0]),
	.attach = SW_ATTACH_HALT,
};
