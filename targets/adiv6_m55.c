/* "adiv6-m55": a generic ADIv6 part with one Cortex-M55 behind a MEM-AP at
 * 0x200000, matching the simulator's chip of that name (test target). */
#include "targets/targets_priv.h"

static const struct sw_core_desc cores[] = {{"hp", 0x200000u, 0}};
static const struct sw_mem_region regions[] = {
	{"itcm", 0x00000000u, 0x00040000u, SW_MEM_RAM, 0},
	{"dtcm", 0x20000000u, 0x00040000u, SW_MEM_RAM, 0},
	{"mram", 0x80000000u, 0x00100000u, SW_MEM_RAM, 0},
	{"ppb", 0xE0000000u, 0x00100000u, SW_MEM_MMIO, 0},
};

const struct sw_target_desc sw_target_adiv6_m55 = {
	.name = "adiv6-m55",
	.summary = "generic ADIv6 Cortex-M55 (simulator test part)",
	.dpidr = 0x4C013477u,
	.targetid = 0x07570257u,
	.cores = cores,
	.n_cores = 1,
	.regions = regions,
	.n_regions = sizeof(regions) / sizeof(regions[0]),
	.attach = SW_ATTACH_HALT,
};
