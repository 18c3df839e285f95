/* STM32N657 as seen from SWD (reference/targets.md §2): SW-DP DPIDR
 * 0x6BA02477 (DPv2; TARGETID 0x04860041 [unverified]), AP0 an APB-AP with
 * DBGMCU at 0x80001000 (IDCODE +0x00, CR +0x04, freeze registers, SR
 * +0xFC), AP1 the Cortex-M55's AHB-AP, locked after every reset until the
 * boot ROM opens it (DBGMCU_SR bit 17; about 2 ms here [unverified]).
 * XSPI2 registers at 0x5802A000 with an MX66UW1G45G-class 128 MiB NOR,
 * memory-mapped at 0x70000000.
 *
 * Boot ROM [simplified, modelled in C at reset]: if NOR offset 0 holds an
 * STM32 header ("STM2" magic), the ROM copies header and image (length at
 * header +0x6C [unverified offset]) to AXISRAM2 at 0x34180000 and leaves
 * XSPI2 memory-mapped; the core starts from the vector table at 0x34180400
 * (the header's entry field is not used). Without a header it parks the
 * core in a wait loop. Memory is modelled at its secure aliases only. */
#include <stdlib.h>
#include <string.h>

#include "sim/sim_internal.h"
#include "sim/sim_rcc_n6.h"
#include "sim/sim_spinor.h"
#include "sim/sim_xspi.h"

#define N6_NOR_BASE 0x70000000u
#define N6_NOR_SIZE (128u << 20)
#define N6_XSPI2 0x5802A000u
#define N6_AXISRAM 0x34000000u
#define N6_FSBL_HDR 0x34180000u
#define N6_FSBL_CODE 0x34180400u
#define N6_FSBL_MAX (511u * 1024u)
#define N6_ROM_NS 2000000u          /* boot ROM time before AP1 opens [unverified] */
#define N6_DBGMCU_IDCODE 0x00006486u /* DEV_ID 0x486 [unverified, ST numbering] */

struct n657 {
	struct sim_spinor *nor;
	struct sim_xspi *xspi;
	struct sim_rcc_n6 *rcc;
	struct sim *sim;
	bool window_on;       /* XSPI2 clocked, enabled and memory-mapped */
	uint8_t *nor_mem, *sram;
	uint64_t ap1_open_at;
	uint32_t dbgmcu[0x100 / 4];
	struct sim_rom_table rom_ap0, rom_m55;
};

#define ROM_ENTRY(table, comp) ((uint32_t)((comp) - (table)) | 3u)
static const uint32_t m55_rom_entries[] = {
	ROM_ENTRY(0xE00FF000u, 0xE000E000u), ROM_ENTRY(0xE00FF000u, 0xE0001000u),
	ROM_ENTRY(0xE00FF000u, 0xE0002000u), ROM_ENTRY(0xE00FF000u, 0xE0000000u),
};
/* AP0's ROM table: the DBGMCU block carries no CoreSight IDs in this model. */
static const uint32_t ap0_rom_entries[] = {ROM_ENTRY(0x80000000u, 0x80001000u) & ~1u};

static bool ap1_locked(const struct sim *sim)
{
	const struct n657 *n = sim->chip_priv;

	return sim_now_ns(sim) < n->ap1_open_at;
}

/* DBGMCU on AP0: SR bits [15:0] APs present (AP0, AP1), [31:16] enabled. */
static int dbgmcu_read(void *opaque, uint32_t off, unsigned size, uint32_t *val)
{
	struct sim *sim = opaque;
	struct n657 *n = sim->chip_priv;
	uint32_t v;

	(void)size;
	if (off == 0x00)
		v = N6_DBGMCU_IDCODE;
	else if (off == 0xFC)
		v = 0x3u | (1u << 16) | (ap1_locked(sim) ? 0 : 1u << 17);
	else
		v = off < 0x100 ? n->dbgmcu[off / 4] : 0;
	*val = v;
	return 0;
}

static int dbgmcu_write(void *opaque, uint32_t off, unsigned size, uint32_t val)
{
	struct sim *sim = opaque;
	struct n657 *n = sim->chip_priv;

	if (size == 4 && off >= 0x04 && off < 0xFC)
		n->dbgmcu[off / 4] = val;
	return 0;
}

static uint32_t le32(const uint8_t *p)
{
	return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Thumb: wfi; b . at 0x34180408, reached through a two-word vector table. */
static void park_core(struct n657 *n)
{
	uint8_t *p = n->sram + (N6_FSBL_CODE - N6_AXISRAM);
	static const uint8_t stub[] = {0x00, 0x00, 0x20, 0x34, 0x09, 0x04, 0x18, 0x34, 0x30, 0xBF, 0xFD, 0xE7};

	memcpy(p, stub, sizeof(stub));
}

static bool xspi2_clocked(const struct n657 *n)
{
	return sim_rcc_n6_get(n->rcc, N6_RCC_AHB5ENR) & N6_AHB5ENR_XSPI2EN;
}

/* The window at 0x70000000 reads only while XSPI2 is clocked, enabled and
 * in memory-mapped mode (RM0486 XSPI: FMODE 11); otherwise the CPU and
 * the debugger get a bus error. */
static void update_window(struct n657 *n, bool force)
{
	uint32_t cr = sim_xspi_cr(n->xspi);
	bool on = xspi2_clocked(n) && (cr & 1u) && ((cr >> 28) & 3u) == 3u;

	if (on == n->window_on && !force)
		return;
	n->window_on = on;
	for (unsigned i = 0; i < n->sim->n_cores; i++)
		sim_core_set_readable(n->sim->cores[i], N6_NOR_BASE, N6_NOR_SIZE, on);
}

static void clocks_changed(void *opaque)
{
	update_window(opaque, false);
}

static int window_gate(void *opaque, uint32_t off, unsigned size, uint32_t *val)
{
	const struct n657 *n = opaque;

	(void)off, (void)size, (void)val;
	return n->window_on ? 0 : -1;
}

/* XSPI2 registers: with the clock off, reads are 0 and writes are lost
 * [unverified: RM0486 leaves the gated-access behaviour to the bus]. */
static int xspi_read(void *opaque, uint32_t off, unsigned size, uint32_t *val)
{
	struct n657 *n = opaque;

	if (!xspi2_clocked(n)) {
		*val = 0;
		return 0;
	}
	return sim_xspi_reg_read(n->xspi, off, size, val);
}

static int xspi_write(void *opaque, uint32_t off, unsigned size, uint32_t val)
{
	struct n657 *n = opaque;
	int r;

	if (!xspi2_clocked(n))
		return 0;
	r = sim_xspi_reg_write(n->xspi, off, size, val);
	update_window(n, false);
	return r;
}

/* Boot ROM: with a valid FSBL header in the NOR it clocks XSPI2 and XSPIM,
 * maps the NOR and copies the image; on a blank board it boots nothing and
 * leaves XSPI2 unclocked, the state a debugger finds in development boot. */
static void boot_rom(struct sim *sim)
{
	struct n657 *n = sim->chip_priv;
	const uint8_t *hdr = n->nor_mem;
	uint32_t len = le32(hdr + 0x6C);

	n->ap1_open_at = sim_now_ns(sim) + N6_ROM_NS;
	if (memcmp(hdr, "STM2", 4) || len == 0 || len > N6_FSBL_MAX) {
		park_core(n);
		update_window(n, true);
		return;
	}
	memcpy(n->sram + (N6_FSBL_HDR - N6_AXISRAM), hdr, 0x400u + len);
	sim_rcc_n6_set(n->rcc, N6_RCC_AHB5ENR, N6_AHB5ENR_XSPI2EN | N6_AHB5ENR_XSPIMEN);
	sim_xspi_boot_config(n->xspi, N6_NOR_SIZE);
	update_window(n, true);
	for (unsigned i = 0; i < sim->n_cores; i++)
		sim_core_flush_code(sim->cores[i]);
}

static void n657_reset(struct sim *sim)
{
	struct n657 *n = sim->chip_priv;

	sim_xspi_reset(n->xspi);
	sim_spinor_reset(n->nor);
	sim_rcc_n6_reset(n->rcc);
	memset(n->dbgmcu, 0, sizeof(n->dbgmcu));
	boot_rom(sim);
}

static uint64_t clock_now(void *sim)
{
	return sim_now_ns(sim);
}

static int build_sysbus(struct sim *sim, struct n657 *n, struct sim_bus *b)
{
	/* Macronix MX66UW1G45G: C2h, 81h, 3Bh (1 Gbit) */
	struct sim_spinor_cfg cfg = {.size = N6_NOR_SIZE, .jedec_id = {0xC2, 0x81, 0x3B},
				     .now_ns = clock_now, .clock = sim};
	int r = 0;

	r |= sim_bus_add_ram(b, "itcm", 0x10000000u, 256 * 1024, NULL);
	r |= sim_bus_add_ram(b, "dtcm", 0x30000000u, 256 * 1024, NULL);
	r |= sim_bus_add_ram(b, "flexram-axisram1-2", N6_AXISRAM, 2u << 20, &n->sram);
	r |= sim_bus_add_mmio(b, "dbgmcu", 0x44001000u, 0x1000, dbgmcu_read, dbgmcu_write, sim);
	r |= sim_bus_add_rom(b, "xspi2-nor", N6_NOR_BASE, N6_NOR_SIZE, 0xFF, NULL, NULL, &n->nor_mem);
	r |= sim_bus_add_mmio(b, "m55-rom", 0xE00FF000u, 0x1000, sim_rom_table_read, NULL, &n->rom_m55);
	if (r)
		return -1;
	cfg.mem = n->nor_mem;
	if (sim_spinor_new(&cfg, &n->nor) || sim_xspi_new(n->nor, &n->xspi))
		return -1;
	sim_xspi_set_clock(n->xspi, clock_now, sim);
	return sim_bus_add_mmio(b, "xspi2", N6_XSPI2, 0x1000, xspi_read, xspi_write, n) ||
	       sim_bus_set_read_gate(b, N6_NOR_BASE, window_gate, n) ||
	       sim_bus_set_fetch_gate(b, N6_NOR_BASE, sim_xspi_fetch, n->xspi) ||
	       sim_rcc_n6_new(sim, b, clocks_changed, n, &n->rcc);
}

static int n657_build(struct sim *sim)
{
	struct n657 *n = calloc(1, sizeof(*n));
	struct sim_bus *sys, *apb;
	int r;

	if (!n)
		return sw_fail(sim->ctx, SW_ERR_NOMEM, "sim: out of memory");
	sim->chip_priv = n;
	n->sim = sim;
	n->rom_ap0 = (struct sim_rom_table){{SIM_JEP_ST, 0x486, 0, 0x1, 0, 0}, ap0_rom_entries, 1};
	n->rom_m55 = (struct sim_rom_table){{SIM_JEP_ARM, 0x4E9, 0, 0x9, 0x47700AF7u, 0}, m55_rom_entries, 4};
	sim->dp.version = 2;
	sim->dp.dpidr = 0x6BA02477u;
	sim->dp.targetid = 0x04860041u;
	sim->dp.dlpidr = 0x00000001u;
	if ((r = sim_add_bus(sim, &sys)) || (r = sim_add_bus(sim, &apb)))
		return r;
	sim->sysbus = sys;
	if (build_sysbus(sim, n, sys) ||
	    sim_bus_add_mmio(apb, "ap0-rom", 0x80000000u, 0x1000, sim_rom_table_read, NULL, &n->rom_ap0) ||
	    sim_bus_add_mmio(apb, "dbgmcu", 0x80001000u, 0x1000, dbgmcu_read, dbgmcu_write, sim))
		return sw_fail(sim->ctx, SW_ERR_NOMEM, "sim: cannot build the N657 buses");
	struct sim_ap ap0 = {.addr = 0, .bus = apb, .idr = 0x54770002u /* APB-AP [unverified rev] */,
			     .base = 0x80000003u, .csw = 0x80000002u, .csw_fixed = 1u << 6, .apb = true};
	struct sim_ap ap1 = {.addr = 1, .bus = sys, .idr = 0x84770015u /* AHB5-AP [unverified rev] */,
			     .base = 0xE00FF003u, .csw = 0x03000002u, .csw_fixed = 1u << 6,
			     .is_locked = ap1_locked};
	if ((r = sim_add_ap(sim, &ap0)) || (r = sim_add_ap(sim, &ap1)))
		return r;
	struct sim_core_cfg cfg = {
		.name = "cm55", .arch = 8, .cpuid = 0x411FD221u, .fpu = true, .dp_fpu = true,
		.fpb_rev = 1, .fpb_code = 8, .fpb_lit = 0, .dwt_comps = 4, .cpu_hz = 64000000u,
		.vtor_reset = N6_FSBL_CODE, .sysresetreq = sim_system_reset, .chip = sim,
		.unmodelled = sim_unmodelled,
	};
	if ((r = sim_core_new(sim->ctx, sys, &cfg, &sim->cores[0])))
		return r;
	sim->n_cores = 1;
	n657_reset(sim);
	return SW_OK;
}

static void n657_free(struct sim *sim)
{
	struct n657 *n = sim->chip_priv;

	if (n) {
		sim_xspi_free(n->xspi);
		sim_spinor_free(n->nor);
		sim_rcc_n6_free(n->rcc);
	}
	free(n);
}

const struct sim_chip sim_chip_stm32n657 = {"stm32n657", n657_build, n657_free, n657_reset};
