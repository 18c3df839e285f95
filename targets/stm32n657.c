/* STM32N657 (reference/targets.md §2): Cortex-M55 on AP1, which the boot
 * ROM opens some time after every reset; AP0 is the APB-AP with DBGMCU at
 * 0x80001000. No internal flash: the boot image lives in the XSPI2 NOR at
 * 0x70000000. Attach never resets (booting from external flash, that is
 * the normal way in). */
#include "targets/targets_priv.h"

/* DBGMCU through AP0 (targets.md §2.1). */
#define N6_DBGMCU 0x80001000u
#define N6_DBGMCU_CR (N6_DBGMCU + 0x04u)
#define N6_DBGMCU_APB1LFZ (N6_DBGMCU + 0x10u)
#define N6_DBGMCU_APB4FZ (N6_DBGMCU + 0x1Cu)
#define N6_DBGMCU_SR (N6_DBGMCU + 0xFCu)
#define N6_DBGMCU_SR_AP1_EN (1u << 17)
/* DBGCLKEN | TRACECLKEN | sleep/stop/standby debug, as OpenOCD's
 * stm32n6x.cfg sets (targets.md §2.3). */
#define N6_DBGMCU_CR_DEBUG 0x00300007u
/* probe-rs waits up to 500 ms; each poll here is at least one round trip. */
#define N6_AP1_POLLS 2000u

static int wait_ap1_open(struct sw_ctx *ctx, sw_ap *ap0)
{
	uint32_t sr = 0;
	int r;

	for (unsigned i = 0; i < N6_AP1_POLLS; i++) {
		if ((r = sw_mem_read32(ap0, N6_DBGMCU_SR, &sr)))
			return r;
		if (sr & N6_DBGMCU_SR_AP1_EN)
			return SW_OK;
	}
	return sw_fail(ctx, SW_ERR_TIMEOUT,
		       "stm32n657: the boot ROM did not open the M55 access port (DBGMCU_SR=0x%08x); "
		       "check BOOT pins / debug authentication", sr);
}

/* Wait for the ROM to open AP1 (as probe-rs does after reset), then keep
 * debug alive in low-power modes and freeze the watchdogs. */
static int n657_post_connect(struct sw_ctx *ctx, sw_dap *dap)
{
	sw_ap *ap;
	uint32_t v = 0;
	int r = sw_ap_open(dap, 0, &ap);

	if (r)
		return r;
	if (!(r = wait_ap1_open(ctx, ap)) && !(r = sw_mem_read32(ap, N6_DBGMCU_CR, &v)) &&
	    !(r = sw_mem_write32(ap, N6_DBGMCU_CR, v | N6_DBGMCU_CR_DEBUG)) &&
	    !(r = sw_mem_read32(ap, N6_DBGMCU_APB1LFZ, &v)) &&
	    !(r = sw_mem_write32(ap, N6_DBGMCU_APB1LFZ, v | (1u << 11))) &&
	    !(r = sw_mem_read32(ap, N6_DBGMCU_APB4FZ, &v)))
		r = sw_mem_write32(ap, N6_DBGMCU_APB4FZ, v | (1u << 18));
	sw_ap_close(ap);
	if (r && r != SW_ERR_TIMEOUT)
		return sw_fail(ctx, r, "stm32n657: DBGMCU set-up failed: %s", sw_errmsg(ctx));
	return r;
}

static const struct sw_target_hooks n657_hooks = {.post_connect = n657_post_connect};

static const char *const n657_aliases[] = {"STM32N657L0", "STM32N657X0", "STM32N657", NULL};

static const struct sw_core_desc n657_cores[] = {{"cm55", 1, 0}};

/* Secure aliases (the core runs secure after the ROM; targets.md §2.2). */
static const struct sw_mem_region n657_regions[] = {
	{"itcm", 0x10000000u, 0x00040000u, SW_MEM_RAM, 0},
	{"dtcm", 0x30000000u, 0x00040000u, SW_MEM_RAM, 0},
	{"flexram-axisram1-2", 0x34000000u, 0x00200000u, SW_MEM_RAM, 0},
	{"peripherals", 0x40000000u, 0x30000000u, SW_MEM_MMIO, 0},
	{"xspi2-nor", 0x70000000u, 0x08000000u, SW_MEM_FLASH, 0x1000u},
	{"ppb", 0xE0000000u, 0x00100000u, SW_MEM_MMIO, 0},
};

/* The loader runs in AXISRAM1 (0x34000000); the boot ROM copies the FSBL
 * to AXISRAM2 at 0x34180400 (targets.md §2.4), above the work area. */
static const struct sw_loader_desc n657_loader = {
	.image = &sw_loader_n657_xspi,
	.work_base = 0x34000000u,
	.work_size = 512u * 1024u,
	.max_jobs = 1,
	.status_text = NULL,
};

const struct sw_target_desc sw_target_stm32n657 = {
	.name = "stm32n657",
	.aliases = n657_aliases,
	.summary = "STM32N657: Cortex-M55, boots from XSPI2 octal NOR (128 MiB at 0x70000000)",
	.dpidr = 0x6BA02477u,
	.targetid = 0x04860041u,
	.idcode_addr = N6_DBGMCU,
	.idcode_ap = 0,
	.idcode_mask = 0xFFFu,
	.idcode_value = 0x486u,
	.cores = n657_cores,
	.n_cores = 1,
	.regions = n657_regions,
	.n_regions = sizeof(n657_regions) / sizeof(n657_regions[0]),
	.csw_extra = 0,
	.attach = SW_ATTACH_NO_RESET,
	.hooks = &n657_hooks,
	.flash = &sw_flash_n657_xspi2,
	.loader = &n657_loader,
};
