/* STM32H743 (reference/targets.md §1; RM0433). */
#include "targets/targets_priv.h"

/* DBGMCU (RM0433 §61.5.8): CR at +0x04; freeze bits in APB3FZ1 (+0x34,
 * WWDG1 bit 6) and APB4FZ1 (+0x54, IWDG1 bit 18). */
#define H7_DBGMCU 0x5C001000u
#define H7_DBGMCU_CR (H7_DBGMCU + 0x04u)
#define H7_DBGMCU_APB3FZ1 (H7_DBGMCU + 0x34u)
#define H7_DBGMCU_APB4FZ1 (H7_DBGMCU + 0x54u)
/* DBGSLEEP_D1 | DBGSTOP_D1 | DBGSTBY_D1 | D1DBGCKEN | D3DBGCKEN: debug stays
 * alive in low-power modes, as OpenOCD's stm32h7x.cfg sets on examine. */
#define H7_DBGMCU_CR_DEBUG 0x00600007u

static int h743_post_connect(struct sw_ctx *ctx, sw_dap *dap)
{
	sw_ap *ap;
	uint32_t cr = 0, fz = 0;
	int r = sw_ap_open(dap, 0, &ap);

	if (r)
		return r;
	if (!(r = sw_mem_read32(ap, H7_DBGMCU_CR, &cr)) &&
	    !(r = sw_mem_write32(ap, H7_DBGMCU_CR, cr | H7_DBGMCU_CR_DEBUG)) &&
	    !(r = sw_mem_read32(ap, H7_DBGMCU_APB3FZ1, &fz)) &&
	    !(r = sw_mem_write32(ap, H7_DBGMCU_APB3FZ1, fz | (1u << 6))) &&
	    !(r = sw_mem_read32(ap, H7_DBGMCU_APB4FZ1, &fz)))
		r = sw_mem_write32(ap, H7_DBGMCU_APB4FZ1, fz | (1u << 18));
	sw_ap_close(ap);
	if (r)
		return sw_fail(ctx, r, "stm32h743: DBGMCU set-up failed: %s", sw_errmsg(ctx));
	return SW_OK;
}

static const struct sw_target_hooks h743_hooks = {.post_connect = h743_post_connect};

static const char *const h743_aliases[] = {"STM32H743VI", "STM32H743ZI", "STM32H743II",
					   "STM32H743BI", "STM32H743XI", "STM32H743AI", NULL};

static const struct sw_core_desc h743_cores[] = {{"cm7", 0, 0}};

static const struct sw_mem_region h743_regions[] = {
	{"itcm", 0x00000000u, 0x00010000u, SW_MEM_RAM, 0},
	{"flash-bank1", 0x08000000u, 0x00100000u, SW_MEM_FLASH, 0x20000u},
	{"flash-bank2", 0x08100000u, 0x00100000u, SW_MEM_FLASH, 0x20000u},
	{"system-memory", 0x1FF00000u, 0x00020000u, SW_MEM_ROM, 0},
	{"dtcm", 0x20000000u, 0x00020000u, SW_MEM_RAM, 0},
	{"axi-sram", 0x24000000u, 0x00080000u, SW_MEM_RAM, 0},
	{"sram1-3", 0x30000000u, 0x00048000u, SW_MEM_RAM, 0},
	{"sram4", 0x38000000u, 0x00010000u, SW_MEM_RAM, 0},
	{"backup-sram", 0x38800000u, 0x00001000u, SW_MEM_RAM, 0},
	{"peripherals", 0x40000000u, 0x20000000u, SW_MEM_MMIO, 0},
	{"ppb", 0xE0000000u, 0x00100000u, SW_MEM_MMIO, 0},
};

/* The loader runs in AXI SRAM (RM0433 §2.3: 512 KiB at 0x24000000, on
 * the AXI bus so the flash and the SRAM do not share a port); both banks
 * are programmed in parallel (each bank has its own controller, §4.3). */
static const struct sw_loader_desc h743_loader = {
	.image = &sw_loader_stm32h7,
	.work_base = 0x24000000u,
	.work_size = 512u * 1024u,
	.max_jobs = 2,
	.status_text = sw_stm32h7_sr_text,
};

const struct sw_target_desc sw_target_stm32h743 = {
	.name = "stm32h743",
	.aliases = h743_aliases,
	.summary = "STM32H743: Cortex-M7 r1p1, 2 MiB dual-bank flash",
	.dpidr = 0x6BA02477u,
	.targetid = 0x04500041u,
	.idcode_addr = H7_DBGMCU,
	.idcode_ap = 0,
	.idcode_mask = 0xFFFu,
	.idcode_value = 0x450u,
	.cores = h743_cores,
	.n_cores = 1,
	.regions = h743_regions,
	.n_regions = sizeof(h743_regions) / sizeof(h743_regions[0]),
	/* CSW.HPROT[3] cacheable (bit 27): debugger accesses see the M7 D-cache
	 * contents, as OpenOCD's stm32h7x.cfg configures. */
	.csw_extra = 1u << 27,
	.attach = SW_ATTACH_HALT,
	.hooks = &h743_hooks,
	.flash = &sw_flash_stm32h7,
	.loader = &h743_loader,
};
