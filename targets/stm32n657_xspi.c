/* STM32N657 XSPI2 NOR programming driven from the host in indirect mode
 * (reference/targets.md §2.4 register offsets; RM0486 XSPI). The NOR is
 * driven with 1-bit SPI commands and 4-byte addresses (MX66UW1G45G-class,
 * 128 MiB): WREN 06h, RDSR 05h, 4 KiB erase 21h, 64 KiB erase DCh, page
 * program 12h. Each operation saves the memory-mapped configuration the
 * boot ROM or the application left, works in indirect mode, and restores
 * memory-mapped mode so reads at 0x70000000 and XIP keep working.
 * Programming an image at the boot address without the STM32 FSBL header
 * ("STM2") draws a warning: the boot ROM will not start it (§2.4).
 * On a blank board the ROM booted nothing and left XSPI2/XSPIM unclocked
 * and XSPI2 disabled: prepare clocks them and maps the NOR with 1-bit
 * READ (13h), as the ROM does, so blank checks and CRCs can read the
 * window [not done: the I/O supply (PWR_SVMCR3) and XSPIM port mux, which
 * the simulator does not model]. */
#include <string.h>

#include "cortexm/core.h"
#include "targets/targets_priv.h"
#include "targets/regs/stm32_xspi.h"

#define BIG_ERASE 0x10000u
#define SMALL_ERASE 0x1000u
#define ERASE_POLLS 40000u
#define PROG_POLLS 4000u

struct mmap_cfg {
	uint32_t cr, ccr, tcr, ir, dcr1;
};

static struct sw_ctx *ctx_of(struct sw_core *core)
{
	return sw_dap_ctx(sw_ap_dap(sw_core_ap(core)));
}

static int enter_indirect(struct sw_core *core, struct mmap_cfg *m)
{
	sw_ap *ap = sw_core_ap(core);
	int r;

	if ((r = sw_mem_queue_read32(ap, XSPI_CR, &m->cr)) || (r = sw_mem_queue_read32(ap, XSPI_CCR, &m->ccr)) ||
	    (r = sw_mem_queue_read32(ap, XSPI_TCR, &m->tcr)) || (r = sw_mem_queue_read32(ap, XSPI_IR, &m->ir)) ||
	    (r = sw_mem_queue_read32(ap, XSPI_DCR1, &m->dcr1)) || (r = sw_dap_run(sw_ap_dap(ap))))
		return r;
	/* Leave memory-mapped mode (ABORT), size the device if nobody did. */
	if ((r = sw_mem_queue_write32(ap, XSPI_CR, (m->cr & ~CR_FMODE_MASK) | CR_ABORT)) ||
	    (!(m->dcr1 & (0x1Fu << 16)) && (r = sw_mem_queue_write32(ap, XSPI_DCR1, DCR1_DEVSIZE_128M))) ||
	    (r = sw_mem_queue_write32(ap, XSPI_TCR, 0)) ||
	    (r = sw_mem_queue_write32(ap, XSPI_CR, CR_EN | CR_FMODE_IND_WRITE)))
		return r;
	return sw_dap_run(sw_ap_dap(ap));
}

static int leave_indirect(struct sw_core *core, const struct mmap_cfg *m, int rc)
{
	sw_ap *ap = sw_core_ap(core);
	int r;

	if (!(m->cr & CR_EN))
		return rc; /* nothing was memory-mapped before */
	if ((r = sw_mem_queue_write32(ap, XSPI_CR, CR_EN | CR_ABORT)) || (r = sw_mem_queue_write32(ap, XSPI_CCR, m->ccr)) ||
	    (r = sw_mem_queue_write32(ap, XSPI_TCR, m->tcr)) || (r = sw_mem_queue_write32(ap, XSPI_IR, m->ir)) ||
	    (r = sw_mem_queue_write32(ap, XSPI_CR, m->cr)) || (r = sw_dap_run(sw_ap_dap(ap))))
		return rc ? rc : r;
	return rc;
}

/* Instruction-only command (WREN) in indirect-write mode. */
static int q_cmd(sw_ap *ap, uint8_t op)
{
	int r;

	if ((r = sw_mem_queue_write32(ap, XSPI_CR, CR_EN | CR_FMODE_IND_WRITE)) ||
	    (r = sw_mem_queue_write32(ap, XSPI_CCR, CCR_IMODE_1)))
		return r;
	return sw_mem_queue_write32(ap, XSPI_IR, op);
}

/* Command with a 4-byte address and optional data length (erase, program). */
static int q_cmd_addr(sw_ap *ap, uint8_t op, uint32_t addr, uint32_t data_len)
{
	int r;

	if ((r = sw_mem_queue_write32(ap, XSPI_CCR, CCR_IMODE_1 | CCR_ADMODE_1 | CCR_ADSIZE_32 |
						       (data_len ? CCR_DMODE_1 : 0))) ||
	    (data_len && (r = sw_mem_queue_write32(ap, XSPI_DLR, data_len - 1))) ||
	    (r = sw_mem_queue_write32(ap, XSPI_IR, op)))
		return r;
	return sw_mem_queue_write32(ap, XSPI_AR, addr);
}

static int read_status(struct sw_core *core, uint8_t *sr)
{
	sw_ap *ap = sw_core_ap(core);
	uint32_t v = 0;
	int r;

	if ((r = sw_mem_queue_write32(ap, XSPI_FCR, SR_TCF)) ||
	    (r = sw_mem_queue_write32(ap, XSPI_CR, CR_EN | CR_FMODE_IND_READ)) ||
	    (r = sw_mem_queue_write32(ap, XSPI_CCR, CCR_IMODE_1 | CCR_DMODE_1)) ||
	    (r = sw_mem_queue_write32(ap, XSPI_DLR, 0)) || (r = sw_mem_queue_write32(ap, XSPI_IR, 0x05)) ||
	    (r = sw_mem_queue_read32(ap, XSPI_DR, &v)) || (r = sw_dap_run(sw_ap_dap(ap))))
		return r;
	*sr = (uint8_t)v;
	return SW_OK;
}

static int wait_ready(struct sw_core *core, unsigned polls, const char *what, uint32_t addr)
{
	uint8_t sr = 0xFF;
	int r;

	for (unsigned i = 0; i < polls; i++) {
		if ((r = read_status(core, &sr)))
			return r;
		if (!(sr & 1u))
			return SW_OK;
	}
	return sw_fail(ctx_of(core), SW_ERR_TIMEOUT, "xspi2: %s at 0x%08x: NOR still busy (SR=0x%02x)", what,
		       addr, sr);
}

static int erase_one(struct sw_core *core, uint32_t off, bool big)
{
	sw_ap *ap = sw_core_ap(core);
	int r;

	if ((r = q_cmd(ap, 0x06)) || (r = q_cmd_addr(ap, big ? 0xDC : 0x21, off, 0)) ||
	    (r = sw_dap_run(sw_ap_dap(ap))))
		return r;
	return wait_ready(core, ERASE_POLLS, "erase", off);
}

/* 64 KiB erases for aligned blocks inside the range, 4 KiB for the rest. */
static int n6_erase_range(struct sw_core *core, const struct sw_mem_region *rg, uint32_t addr, uint32_t len)
{
	struct mmap_cfg m;
	uint32_t off = addr - rg->base, end = off + len;
	int r = enter_indirect(core, &m);

	while (!r && off < end) {
		bool big = !(off & (BIG_ERASE - 1)) && end - off >= BIG_ERASE;
		r = erase_one(core, off, big);
		off += big ? BIG_ERASE : SMALL_ERASE;
	}
	return leave_indirect(core, &m, r);
}

static int n6_erase_sector(struct sw_core *core, const struct sw_mem_region *rg, uint32_t addr)
{
	return n6_erase_range(core, rg, addr, rg->sector_size);
}

static int program_page(struct sw_core *core, uint32_t off, const uint8_t *buf)
{
	sw_ap *ap = sw_core_ap(core);
	int r;

	if ((r = q_cmd(ap, 0x06)) || (r = q_cmd_addr(ap, 0x12, off, PAGE)))
		return r;
	/* DR does not auto-increment: one TAR + DRW per word */
	for (unsigned i = 0; i < PAGE && !r; i += 4)
		r = sw_mem_queue_write32(ap, XSPI_DR, buf[i] | (uint32_t)buf[i + 1] << 8 |
							    (uint32_t)buf[i + 2] << 16 | (uint32_t)buf[i + 3] << 24);
	if (r || (r = sw_dap_run(sw_ap_dap(ap))))
		return r;
	return wait_ready(core, PROG_POLLS, "program", off);
}

static void check_fsbl_header(struct sw_core *core, const struct sw_mem_region *rg, uint32_t addr,
			      const uint8_t *buf, size_t len)
{
	if (addr != rg->base || len < 4 || !memcmp(buf, "STM2", 4))
		return;
	SW_LOG_W(ctx_of(core),
		 "stm32n657: the image at the boot address 0x%08x has no STM32 FSBL header (\"STM2\" magic); "
		 "the boot ROM will not start it (sign it with STM32_SigningTool_CLI -t fsbl -hv 2.3 -align)",
		 addr);
}

static int n6_program(struct sw_core *core, const struct sw_mem_region *rg, uint32_t addr, const uint8_t *buf,
		      size_t len)
{
	struct mmap_cfg m;
	uint32_t off = addr - rg->base;
	int r;

	check_fsbl_header(core, rg, addr, buf, len);
	r = enter_indirect(core, &m);
	for (size_t done = 0; !r && done < len; done += PAGE)
		r = program_page(core, off + (uint32_t)done, buf + done);
	return leave_indirect(core, &m, r);
}

/* Before any erase, program or CRC (host or loader): clocks on, and the
 * window memory-mapped unless it already is (whatever mode the ROM or the
 * application chose is kept). */
static int n6_prepare(struct sw_core *core, const struct sw_mem_region *rg)
{
	sw_ap *ap = sw_core_ap(core);
	uint32_t en = 0, cr = 0, dcr1 = 0, clocks = RCC_AHB5ENR_XSPI2EN | RCC_AHB5ENR_XSPIMEN;
	int r;

	(void)rg;
	if ((r = sw_mem_read32(ap, RCC_AHB5ENR, &en)))
		return r;
	if ((en & clocks) != clocks &&
	    ((r = sw_mem_write32(ap, RCC_AHB5ENSR, clocks)) || (r = sw_mem_read32(ap, RCC_AHB5ENR, &en))))
		return r;
	if ((en & clocks) != clocks)
		return sw_fail(ctx_of(core), SW_ERR_TARGET_STATE,
			       "stm32n657: XSPI2/XSPIM clocks stay off (RCC_AHB5ENR=0x%08x)", en);
	if ((r = sw_mem_queue_read32(ap, XSPI_CR, &cr)) || (r = sw_mem_queue_read32(ap, XSPI_DCR1, &dcr1)) ||
	    (r = sw_dap_run(sw_ap_dap(ap))))
		return r;
	if ((cr & (CR_EN | CR_FMODE_MASK)) == (CR_EN | CR_FMODE_MMAP))
		return SW_OK;
	if ((r = sw_mem_queue_write32(ap, XSPI_CR, CR_ABORT)) ||
	    (!(dcr1 & (0x1Fu << 16)) && (r = sw_mem_queue_write32(ap, XSPI_DCR1, DCR1_DEVSIZE_128M))) ||
	    (r = sw_mem_queue_write32(ap, XSPI_TCR, 0)) ||
	    (r = sw_mem_queue_write32(ap, XSPI_CCR, CCR_IMODE_1 | CCR_ADMODE_1 | CCR_ADSIZE_32 | CCR_DMODE_1)) ||
	    (r = sw_mem_queue_write32(ap, XSPI_IR, 0x13)) ||
	    (r = sw_mem_queue_write32(ap, XSPI_CR, CR_EN | CR_FMODE_MMAP)))
		return r;
	return sw_dap_run(sw_ap_dap(ap));
}

const struct sw_flash_ops sw_flash_n657_xspi2 = {
	.erase_sector = n6_erase_sector,
	.program = n6_program,
	.program_unit = PAGE,
	.erased_value = 0xFF,
	.prepare = n6_prepare,
	.erase_range = n6_erase_range,
	.check_image = check_fsbl_header,
};
