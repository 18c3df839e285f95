/* STM32F407 as seen from SWD: a Cortex-M4F r0p1 (ARMv7-M, FPv4-SP) behind
 * an ADIv5 SW-DP (DPIDR 0x2BA01477, DPv1: no TARGETID) and one AHB-AP.
 * Its debug units are the older generation: FPB v1 (FP_CTRL.REV 0, six
 * instruction comparators and two literal ones, code region only) and a
 * DWT with four comparators. Memory map after RM0090 §2.3/§3: 1 MiB flash
 * at 0x08000000 (modelled as ROM: no flash controller here), SRAM1+SRAM2
 * 128 KiB at 0x20000000, CCM 64 KiB at 0x10000000, system memory at
 * 0x1FFF0000 with F_SIZE at 0x1FFF7A22, DBGMCU on the external PPB. */
#include <stdlib.h>

#include "sim/sim_internal.h"

/* RM0090 §38.6.1: DBGMCU_IDCODE at 0xE0042000, REV_ID 0x1007 (revision 2),
 * DEV_ID 0x413 (STM32F405/407/415/417). */
#define F407_DBGMCU_IDCODE 0x10076413u
#define F407_CPU_HZ 16000000u /* HSI after reset (RM0090 §6.2.2) */

struct f407 {
	uint32_t dbgmcu_cr, dbgmcu_apb1_fz, dbgmcu_apb2_fz;
	struct sim_rom_table rom;
};

/* Cortex-M4 ROM table (part 0x4C4) at 0xE00FF000: SCS, DWT, FPB, ITM. The
 * TPIU and ETM entries are left out [simplified: no trace]. */
#define ROM_ENTRY(comp) ((uint32_t)((comp) - 0xE00FF000u) | 3u)
static const uint32_t rom_entries[] = {ROM_ENTRY(0xE000E000u), ROM_ENTRY(0xE0001000u),
				       ROM_ENTRY(0xE0002000u), ROM_ENTRY(0xE0000000u)};

/* DBGMCU (RM0090 §38.16): IDCODE +0, CR +4, APB1_FZ +8, APB2_FZ +0xC. */
static int dbgmcu_read(void *opaque, uint32_t off, unsigned size, uint32_t *val)
{
	const struct f407 *f = opaque;
	static const uint32_t none = 0;
	const uint32_t *regs[] = {&none, &f->dbgmcu_cr, &f->dbgmcu_apb1_fz, &f->dbgmcu_apb2_fz};
	uint32_t v = off == 0 ? F407_DBGMCU_IDCODE : off < 16 ? *regs[off / 4] : 0;

	*val = size == 4 ? v : (v >> (8 * (off & 3u))) & (size == 1 ? 0xFFu : 0xFFFFu);
	return 0;
}

static int dbgmcu_write(void *opaque, uint32_t off, unsigned size, uint32_t val)
{
	struct f407 *f = opaque;

	if (size != 4)
		return 0; /* "only 32-bit access supported" */
	if (off == 4)
		f->dbgmcu_cr = val & 0xE7u; /* DBG_SLEEP/STOP/STANDBY, TRACE_IOEN, TRACE_MODE */
	else if (off == 8)
		f->dbgmcu_apb1_fz = val;
	else if (off == 12)
		f->dbgmcu_apb2_fz = val;
	return 0;
}

static int build_bus(struct sim *sim, struct f407 *f, struct sim_bus *b)
{
	uint8_t *sysmem = NULL;
	int r = 0;

	r |= sim_bus_add_ram(b, "ccm", 0x10000000u, 64 * 1024, NULL);
	r |= sim_bus_add_rom(b, "flash", 0x08000000u, 1024 * 1024, 0xFF, NULL, NULL, NULL);
	r |= sim_bus_add_rom(b, "system-memory", 0x1FFF0000u, 0x8000, 0xFF, NULL, NULL, &sysmem); /* 4 KiB granule for Unicorn */
	r |= sim_bus_add_ram(b, "sram", 0x20000000u, 128 * 1024, NULL);
	r |= sim_bus_add_ram(b, "backup-sram", 0x40024000u, 4 * 1024, NULL);
	r |= sim_bus_add_mmio(b, "dbgmcu", 0xE0042000u, 0x1000, dbgmcu_read, dbgmcu_write, f);
	r |= sim_bus_add_mmio(b, "ppb-rom", 0xE00FF000u, 0x1000, sim_rom_table_read, NULL, &f->rom);
	if (r)
		return sw_fail(sim->ctx, SW_ERR_NOMEM, "sim: cannot build the F407 bus");
	sysmem[0x7A22] = 0x00; /* F_SIZE = 1024 KiB (RM0090 §39.2) */
	sysmem[0x7A23] = 0x04;
	return SW_OK;
}

static int f407_build(struct sim *sim)
{
	struct f407 *f = calloc(1, sizeof(*f));
	struct sim_bus *bus;
	int r;

	if (!f)
		return sw_fail(sim->ctx, SW_ERR_NOMEM, "sim: out of memory");
	sim->chip_priv = f;
	f->rom = (struct sim_rom_table){{SIM_JEP_ARM, 0x4C4, 0, 0x1, 0, 0}, rom_entries, 4};
	sim->dp.version = 1;
	sim->dp.dpidr = 0x2BA01477u;
	if ((r = sim_add_bus(sim, &bus)))
		return r;
	sim->sysbus = bus;
	if ((r = build_bus(sim, f, bus)))
		return r;
	/* Cortex-M4 AHB-AP: IDR 0x24770011; ADIv5 BASE with the present bit. */
	struct sim_ap ap0 = {.addr = 0, .bus = bus, .idr = 0x24770011u, .base = 0xE00FF003u,
			     .csw = 0x03000002u, .csw_fixed = 1u << 6, .dead_in_reset = true};
	if ((r = sim_add_ap(sim, &ap0)))
		return r;
	struct sim_core_cfg cfg = {
		.name = "cm4", .arch = 7, .cpuid = 0x410FC241u, .fpu = true, .dp_fpu = false,
		.fpb_rev = 0, .fpb_code = 6, .fpb_lit = 2, .dwt_comps = 4, .cpu_hz = F407_CPU_HZ,
		/* [simplified: the boot alias of flash at 0x00000000 (BOOT0 = 0,
		 * RM0090 §2.4) is not modelled; the core boots from 0x08000000] */
		.vtor_reset = 0x08000000u, .sysresetreq = sim_system_reset, .chip = sim,
	};
	if ((r = sim_core_new(sim->ctx, bus, &cfg, &sim->cores[0])))
		return r;
	sim->n_cores = 1;
	return SW_OK;
}

static void f407_free(struct sim *sim)
{
	free(sim->chip_priv);
}

const struct sim_chip sim_chip_stm32f407 = {"stm32f407", f407_build, f407_free, NULL};
