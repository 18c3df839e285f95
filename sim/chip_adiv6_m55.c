/* A generic ADIv6 chip: a DPv3 SW-DP (values from the Alif Ensemble E3 of
 * reference/targets.md §4.1: DPIDR 0x4C013477, DPIDR1 0xA0, TARGETID
 * 0x07570257) whose root ROM table at DP address 0 lists one AHB5 MEM-AP at
 * 0x200000 in front of a Cortex-M55. Used to test ADIv6 addressing. */
#include <stdlib.h>

#include "sim/sim_internal.h"

struct adiv6 {
	struct sim_rom_table root, ppb;
};

/* Class 0x9 ROM table entries: OFFSET[31:12] | PRESENT 0b11. */
static const uint32_t root_entries[] = {0x00200000u | 3u};
static const uint32_t ppb_entries[] = {
	(uint32_t)(0xE000E000u - 0xE00FF000u) | 3u, (uint32_t)(0xE0001000u - 0xE00FF000u) | 3u,
	(uint32_t)(0xE0002000u - 0xE00FF000u) | 3u, (uint32_t)(0xE0000000u - 0xE00FF000u) | 3u,
};
/* MEM-AP (APv2) identification: CoreSight class 0x9, DEVARCH ARCHID 0x0A17. */
static const struct sim_cs_id memap_id = {SIM_JEP_ARM, 0x9E4, 0, 0x9, 0x47700A17u, 0};

static int adiv6_build(struct sim *sim)
{
	struct adiv6 *a = calloc(1, sizeof(*a));
	struct sim_bus *bus;
	int r;

	if (!a)
		return sw_fail(sim->ctx, SW_ERR_NOMEM, "sim: out of memory");
	sim->chip_priv = a;
	/* Class 0x9 ROM tables: DEVARCH ARCHID 0x0AF7. */
	a->root = (struct sim_rom_table){{SIM_JEP_ARM, 0x4E9, 0, 0x9, 0x47700AF7u, 0}, root_entries, 1};
	a->ppb = (struct sim_rom_table){{SIM_JEP_ARM, 0x4E9, 0, 0x9, 0x47700AF7u, 0}, ppb_entries, 4};
	sim->dp.version = 3;
	sim->dp.dpidr = 0x4C013477u;
	sim->dp.dpidr1 = 0xA0u;
	sim->dp.targetid = 0x07570257u;
	sim->dp.dlpidr = 0x00000001u;
	sim->dp.baseptr0 = 0x00000001u; /* VALID, root table at 0x0 */
	if ((r = sim_add_bus(sim, &bus)))
		return r;
	sim->sysbus = bus;
	if (sim_bus_add_ram(bus, "itcm", 0x00000000u, 256 * 1024, NULL) ||
	    sim_bus_add_ram(bus, "dtcm", 0x20000000u, 256 * 1024, NULL) ||
	    sim_bus_add_ram(bus, "mram", 0x80000000u, 1024 * 1024, NULL) ||
	    sim_bus_add_mmio(bus, "ppb-rom", 0xE00FF000u, 0x1000, sim_rom_table_read, NULL, &a->ppb))
		return sw_fail(sim->ctx, SW_ERR_NOMEM, "sim: cannot build the ADIv6 bus");
	struct sim_ap root = {.addr = 0, .rom = &a->root};
	struct sim_ap ap = {.addr = 0x200000u, .bus = bus, .idr = 0x24770015u /* AHB5-AP [unverified rev] */,
			    .base = 0xE00FF003u, .csw = 0x03000002u, .csw_fixed = 1u << 6,
			    .ids = &memap_id};
	if ((r = sim_add_ap(sim, &root)) || (r = sim_add_ap(sim, &ap)))
		return r;
	struct sim_core_cfg cfg = {
		.name = "hp", .arch = 8, .cpuid = 0x411FD220u, .fpu = true, .dp_fpu = true,
		.fpb_rev = 1, .fpb_code = 8, .fpb_lit = 0, .dwt_comps = 4, .cpu_hz = 64000000u,
		.vtor_reset = 0x00000000u, .sysresetreq = sim_system_reset, .chip = sim,
	};
	if ((r = sim_core_new(sim->ctx, bus, &cfg, &sim->cores[0])))
		return r;
	sim->n_cores = 1;
	return SW_OK;
}

static void adiv6_free(struct sim *sim)
{
	free(sim->chip_priv);
}

const struct sim_chip sim_chip_adiv6_m55 = {"adiv6-m55", adiv6_build, adiv6_free, NULL};
