/* STM32H743 as seen from SWD (reference/targets.md §1): SW-DP DPIDR
 * 0x6BA02477, TARGETID 0x04500041; AP0 AHB-AP to the Cortex-M7 system bus,
 * AP1 AHB-AP (D3), AP2 APB-AP on the debug APB with DBGMCU. */
#include <stdlib.h>

#include "sim/sim_flash_h743.h"
#include "sim/sim_gpio_stm32.h"
#include "sim/sim_rcc_h7.h"
#include "sim/sim_internal.h"
#include "sim/sim_swo.h"

#define H743_DBGMCU_IDC 0x20036450u /* REV_ID 0x2003 (rev V) | DEV_ID 0x450 (RM0433 §61.5.8) */
#define H743_CPU_HZ 64000000u        /* core clock out of reset: HSI 64 MHz (RCC moves it) */
#define H743_HSE_HZ 25000000u        /* the simulated board's crystal */

struct h743 {
	struct sim_flash_h743 *flash;
	struct sim_rcc_h7 *rcc;
	struct sim_gpio_stm32 *gpio;
	uint32_t dbgmcu_cr, dbgmcu_apb[9]; /* APB3FZ1 0x34 .. APB4FZ2 0x54 */
	struct sim_rom_table rom_m7, rom_ppb, rom_apbd;
};

/* Cortex-M7 ROM (0x4C8) at 0xE00FE000 points at the PPB ROM (0x4C7) at
 * 0xE00FF000, which lists SCS, DWT, FPB, ITM. Entries are signed offsets
 * from the table base | 32-bit format (bit 1) | present (bit 0). */
#define ROM_ENTRY(table, comp) ((uint32_t)((comp) - (table)) | 3u)
static const uint32_t m7_rom_entries[] = {ROM_ENTRY(0xE00FE000u, 0xE00FF000u)};
static const uint32_t ppb_rom_entries[] = {
	ROM_ENTRY(0xE00FF000u, 0xE000E000u), /* SCS */
	ROM_ENTRY(0xE00FF000u, 0xE0001000u), /* DWT */
	ROM_ENTRY(0xE00FF000u, 0xE0002000u), /* FPB */
	ROM_ENTRY(0xE00FF000u, 0xE0000000u), /* ITM */
};
/* System ROM table 1 on the debug APB at 0xE00E0000 (targets.md §1.1): the
 * DBGMCU block follows at 0xE00E1000. Listed as not present for the walk:
 * DBGMCU carries no CoreSight ID registers in this model [simplified]. */
static const uint32_t apbd_rom_entries[] = {ROM_ENTRY(0xE00E0000u, 0xE00E1000u) & ~1u};

static int dbgmcu_read(void *opaque, uint32_t off, unsigned size, uint32_t *val)
{
	struct h743 *h = opaque;
	uint32_t v;

	if (off == 0x00)
		v = H743_DBGMCU_IDC;
	else if (off == 0x04)
		v = h->dbgmcu_cr;
	else if (off >= 0x34 && off < 0x54 + 4 && (off & 3u) == 0)
		v = h->dbgmcu_apb[(off - 0x34) / 4];
	else
		v = 0;
	*val = size == 4 ? v : (v >> (8 * (off & 3u))) & (size == 1 ? 0xFFu : 0xFFFFu);
	return 0;
}

static int dbgmcu_write(void *opaque, uint32_t off, unsigned size, uint32_t val)
{
	struct h743 *h = opaque;

	if (size != 4)
		return 0;
	if (off == 0x04)
		h->dbgmcu_cr = val & 0x007001BFu;
	else if (off >= 0x34 && off < 0x54 + 4 && (off & 3u) == 0)
		h->dbgmcu_apb[(off - 0x34) / 4] = val;
	return 0;
}

/* Peripheral blocks by name for the unmodelled-access log (RM0433 §2.3.2
 * Table 8, register boundary addresses). */
static const struct sim_block_name h743_blocks[] = {
	{0x40000000u, 0x400, "TIM2"},     {0x40000400u, 0x400, "TIM3"},
	{0x40000800u, 0x400, "TIM4"},     {0x40000C00u, 0x400, "TIM5"},
	{0x40001000u, 0x400, "TIM6"},     {0x40001400u, 0x400, "TIM7"},
	{0x40003800u, 0x400, "SPI2"},     {0x40003C00u, 0x400, "SPI3"},
	{0x40004400u, 0x400, "USART2"},   {0x40004800u, 0x400, "USART3"},
	{0x40004C00u, 0x400, "UART4"},    {0x40005000u, 0x400, "UART5"},
	{0x40005400u, 0x400, "I2C1"},     {0x40005800u, 0x400, "I2C2"},
	{0x40005C00u, 0x400, "I2C3"},     {0x40007400u, 0x400, "DAC1"},
	{0x4000A000u, 0x400, "FDCAN1"},   {0x40010000u, 0x400, "TIM1"},
	{0x40010400u, 0x400, "TIM8"},     {0x40011000u, 0x400, "USART1"},
	{0x40011400u, 0x400, "USART6"},   {0x40013000u, 0x400, "SPI1"},
	{0x40013400u, 0x400, "SPI4"},     {0x40015000u, 0x400, "SPI5"},
	{0x40015800u, 0x400, "SAI1"},     {0x40020000u, 0x400, "DMA1"},
	{0x40020400u, 0x400, "DMA2"},     {0x40020800u, 0x400, "DMAMUX1"},
	{0x40022000u, 0x400, "ADC1/ADC2"}, {0x40028000u, 0x1400, "ETH"},
	{0x40040000u, 0x40000, "USB1 OTG_HS"}, {0x40080000u, 0x40000, "USB2 OTG_FS"},
	{0x48020000u, 0x400, "DCMI"},     {0x48021800u, 0x400, "RNG"},
	{0x48022400u, 0x400, "SDMMC2"},   {0x50001000u, 0x1000, "LTDC"},
	{0x50003000u, 0x1000, "WWDG1"},   {0x52000000u, 0x1000, "MDMA"},
	{0x52001000u, 0x1000, "DMA2D"},   {0x52003000u, 0x1000, "JPEG"},
	{0x52005000u, 0x1000, "QUADSPI"},
	{0x52007000u, 0x1000, "SDMMC1"},  {0x58000000u, 0x400, "EXTI"},
	{0x58000C00u, 0x400, "LPUART1"},  {0x58001400u, 0x400, "SPI6"},
	{0x58001C00u, 0x400, "I2C4"},     {0x58002400u, 0x400, "LPTIM2"},
	{0x58003800u, 0x400, "VREFBUF"},  {0x58004000u, 0x400, "RTC"},
	{0x58004800u, 0x400, "IWDG1"},    {0x58005400u, 0x400, "SAI4"},
	{0x58024C00u, 0x400, "CRC"},      {0x58025400u, 0x400, "BDMA"},
	{0x58025800u, 0x400, "DMAMUX2"},  {0x58026000u, 0x400, "ADC3"},
	{0x58026400u, 0x400, "HSEM"},
};

/* FSIZE (0x1FF1E880, 16 bits, KiB) reads 2048 for the xI parts. */
static void fill_system_memory(uint8_t *sysmem)
{
	sysmem[0x1E880] = 0x00;
	sysmem[0x1E881] = 0x08;
}

static uint64_t clock_now(void *sim)
{
	return sim_now_ns(sim);
}

static void clock_stall(void *sim, uint64_t ns)
{
	sim_stall_until(sim, ns);
}

static bool clock_max_corner(void *sim)
{
	return ((struct sim *)sim)->max_corner;
}

/* `sim inject flashbit ADDR`: one silent program failure, then disarmed. */
static bool clock_program_fault(void *sim, uint32_t addr)
{
	struct sim *s = sim;

	if (!s->flash_fault_armed || (s->flash_fault_addr & ~31u) != addr)
		return false;
	s->flash_fault_armed = false;
	s->cnt.faults_fired++;
	return true;
}

static int build_flash(struct sim *sim, struct h743 *h, struct sim_bus *b)
{
	struct sim_flash_h743_cfg cfg = {.now_ns = clock_now, .stall_until = clock_stall,
					 .max_corner_now = clock_max_corner, .program_fault = clock_program_fault,
					 .clock = sim};
	uint8_t *bank1 = NULL, *bank2 = NULL;
	int r = 0;

	if (sim_flash_h743_new(&cfg, &h->flash))
		return -1;
	r |= sim_bus_add_rom(b, "flash-bank1", 0x08000000u, 1024 * 1024, 0xFF,
			     sim_flash_h743_bank1_write, h->flash, &bank1);
	r |= sim_bus_add_rom(b, "flash-bank2", 0x08100000u, 1024 * 1024, 0xFF,
			     sim_flash_h743_bank2_write, h->flash, &bank2);
	r |= sim_bus_add_mmio(b, "flash-regs", 0x52002000u, 0x1000, sim_flash_h743_reg_read,
			      sim_flash_h743_reg_write, h->flash);
	r |= sim_bus_set_read_gate(b, 0x08000000u, sim_flash_h743_bank1_read, h->flash);
	r |= sim_bus_set_read_gate(b, 0x08100000u, sim_flash_h743_bank2_read, h->flash);
	r |= sim_bus_set_fetch_gate(b, 0x08000000u, sim_flash_h743_bank1_fetch, h->flash);
	r |= sim_bus_set_fetch_gate(b, 0x08100000u, sim_flash_h743_bank2_fetch, h->flash);
	if (!r)
		sim_flash_h743_set_banks(h->flash, bank1, bank2);
	return r;
}

static int build_sysbus(struct sim *sim, struct h743 *h, struct sim_bus *b)
{
	uint8_t *sysmem;
	int r = 0;

	r |= sim_bus_add_ram(b, "itcm", 0x00000000u, 64 * 1024, NULL);
	r |= build_flash(sim, h, b);
	r |= sim_bus_add_rom(b, "system-memory", 0x1FF00000u, 0x20000, 0xFF, NULL, NULL, &sysmem);
	r |= sim_bus_add_ram(b, "dtcm", 0x20000000u, 128 * 1024, NULL);
	r |= sim_bus_add_ram(b, "axi-sram", 0x24000000u, 512 * 1024, NULL);
	r |= sim_bus_add_ram(b, "sram1-3", 0x30000000u, 0x48000, NULL);
	r |= sim_bus_add_ram(b, "sram4", 0x38000000u, 64 * 1024, NULL);
	r |= sim_bus_add_ram(b, "backup-sram", 0x38800000u, 4 * 1024, NULL);
	r |= sim_bus_add_mmio(b, "dbgmcu", 0x5C001000u, 0x1000, dbgmcu_read, dbgmcu_write, h);
	/* Written by vendor SystemInit (STM32CubeH7): the AXI interconnect GPV
	 * (0x51008108, read issuing for AXI SRAM, an errata workaround) and FMC
	 * bank 1 (BTCR1 disabled) [simplified: registers as storage]. */
	r |= sim_bus_add_ram(b, "axi-gpv", 0x51000000u, 0x100000, NULL);
	r |= sim_bus_add_ram(b, "fmc", 0x52004000u, 0x1000, NULL);
	r |= sim_rcc_h7_new(sim, b, H743_HSE_HZ, &h->rcc);
	if (!r)
		r |= sim_gpio_stm32_new(sim, b, 0x58020000u, 11, sim_rcc_h7_ahb4enr(h->rcc), &h->gpio);
	r |= sim_bus_add_mmio(b, "m7-rom", 0xE00FE000u, 0x1000, sim_rom_table_read, NULL, &h->rom_m7);
	r |= sim_bus_add_mmio(b, "ppb-rom", 0xE00FF000u, 0x1000, sim_rom_table_read, NULL, &h->rom_ppb);
	if (r)
		return sw_fail(sim->ctx, SW_ERR_NOMEM, "sim: cannot build the H743 bus");
	fill_system_memory(sysmem);
	return SW_OK;
}

static int h743_build(struct sim *sim)
{
	struct h743 *h = calloc(1, sizeof(*h));
	struct sim_bus *sys, *apbd;
	int r;

	if (!h)
		return sw_fail(sim->ctx, SW_ERR_NOMEM, "sim: out of memory");
	sim->chip_priv = h;
	sim->blocks = h743_blocks;
	sim->n_blocks = sizeof(h743_blocks) / sizeof(h743_blocks[0]);
	h->rom_m7 = (struct sim_rom_table){{SIM_JEP_ARM, 0x4C8, 0, 0x1, 0, 0}, m7_rom_entries, 1};
	h->rom_ppb = (struct sim_rom_table){{SIM_JEP_ARM, 0x4C7, 0, 0x1, 0, 0}, ppb_rom_entries, 4};
	h->rom_apbd = (struct sim_rom_table){{SIM_JEP_ST, 0x450, 0, 0x1, 0, 0}, apbd_rom_entries, 1};
	sim->dp.version = 2;
	sim->dp.dpidr = 0x6BA02477u;
	sim->dp.targetid = 0x04500041u;
	sim->dp.dlpidr = 0x00000001u; /* PROTVSN 1, instance 0 */
	if ((r = sim_add_bus(sim, &sys)) || (r = sim_add_bus(sim, &apbd)))
		return r;
	sim->sysbus = sys;
	if ((r = build_sysbus(sim, h, sys)))
		return r;
	if (sim_bus_add_mmio(apbd, "apbd-rom", 0xE00E0000u, 0x1000, sim_rom_table_read, NULL,
			     &h->rom_apbd) ||
	    sim_bus_add_mmio(apbd, "dbgmcu", 0xE00E1000u, 0x1000, dbgmcu_read, dbgmcu_write, h) ||
	    /* Trace blocks on the debug APB (targets.md §1.1): SWO and the SWTF
	     * funnel drive the SWO pin (sim_swo.c); CSTF and TPIU are plain
	     * register files [simplified: no parallel trace port]. OpenOCD's
	     * stm32h7x.cfg programs SWTF_CTRL on examine. */
	    sim_swo_attach(sim, apbd, 0xE00E3000u, 0xE00E4000u, &h->dbgmcu_cr, H743_CPU_HZ) ||
	    sim_bus_add_ram(apbd, "cstf", 0xE00F3000u, 0x1000, NULL) ||
	    sim_bus_add_ram(apbd, "tpiu", 0xE00F5000u, 0x1000, NULL))
		return sw_fail(sim->ctx, SW_ERR_NOMEM, "sim: cannot build the H743 debug APB");
	/* AHB-AP IDR 0x84770001, APB-AP 0x54770002 [APB value unverified]; BASE
	 * in ADIv5 format with the present bit. AP0's bus is dead while nRST
	 * is low (targets.md §1.3); AP2 keeps working. */
	struct sim_ap ap0 = {.addr = 0, .bus = sys, .idr = 0x84770001u, .base = 0xE00FE003u,
			     .csw = 0x03000002u, .csw_fixed = 1u << 6, .dead_in_reset = true};
	struct sim_ap ap1 = ap0;
	struct sim_ap ap2 = {.addr = 2, .bus = apbd, .idr = 0x54770002u, .base = 0xE00E0003u,
			     .csw = 0x80000002u, .csw_fixed = 1u << 6, .apb = true};
	ap1.addr = 1;
	ap1.base = 0;
	ap1.dead_in_reset = false; /* D3 domain AHB: reachable in reset [simplified: same bus] */
	if ((r = sim_add_ap(sim, &ap0)) || (r = sim_add_ap(sim, &ap1)) || (r = sim_add_ap(sim, &ap2)))
		return r;
	struct sim_core_cfg cfg = {
		.name = "cm7", .arch = 7, .cpuid = 0x411FC271u, .fpu = true, .dp_fpu = true,
		.fpb_rev = 1, .fpb_code = 8, .fpb_lit = 0, .dwt_comps = 4, .cpu_hz = H743_CPU_HZ,
		.vtor_reset = 0x08000000u, .sysresetreq = sim_system_reset, .chip = sim,
		.n_irq = 150, .prio_bits = 4, .systick_ref_div = 8, /* RM0433 §19, §8.5.6 */
		.unmodelled = sim_unmodelled,
		/* 16 KiB I-cache (RM0433 §2.1), 2-way, 32-byte lines (Cortex-M7
		 * TRM 5.9, ST AN4839); ITCM 64 KiB, DTCM 128 KiB uncached. */
		.icache = {16u * 1024u, 2, 32}, .itcm_size = 0x10000u, .dtcm_size = 0x20000u,
		.dcache = {16u * 1024u, 4, 32}, /* 4-way (TRM 5.9), not modelled */
	};
	if ((r = sim_core_new(sim->ctx, sys, &cfg, &sim->cores[0])))
		return r;
	sim->n_cores = 1;
	return SW_OK;
}

static void h743_free(struct sim *sim)
{
	struct h743 *h = sim->chip_priv;

	if (h) {
		sim_flash_h743_free(h->flash);
		sim_rcc_h7_free(h->rcc);
		sim_gpio_stm32_free(h->gpio);
	}
	free(h);
}

/* System reset (SYSRESETREQ, nRST): the flash controller relocks. */
static void h743_reset(struct sim *sim)
{
	struct h743 *h = sim->chip_priv;

	sim_flash_h743_reset(h->flash);
	sim_rcc_h7_reset(h->rcc);
	sim_gpio_stm32_reset(h->gpio);
}

const struct sim_chip sim_chip_stm32h743 = {"stm32h743", h743_build, h743_free, h743_reset};
