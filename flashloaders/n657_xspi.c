/* STM32N657 XSPI2 NOR loader (RM0486 XSPI; reference/targets.md §2.4):
 * indirect mode for erase and page program with 1-bit commands and 4-byte
 * addresses (WREN 06h, RDSR 05h, 4 KiB erase 21h, 64 KiB erase DCh, page
 * program 12h: MX66UW1G45G-class part), memory-mapped mode (as the boot ROM
 * or the application left it) for blank checks and CRCs. Like the host
 * driver (targets/stm32n657_xspi.c), it saves the memory-mapped set-up
 * before switching to indirect mode and puts it back afterwards. */
#include "common.h"
#include "../targets/regs/stm32_xspi.h"

#define SR_TEF (1u << 0)
#define DCR1_DEVSIZE_MASK (0x1Fu << 16)
#define NOR_BASE 0x70000000u
#define SMALL SWL_NOR_SECTOR
#define BIG SWL_NOR_BLOCK
#define SR_WIP 1u

struct mmap_cfg {
	uint32_t cr, ccr, tcr, ir, dcr1;
};

static void enter_indirect(struct mmap_cfg *m)
{
	m->cr = SWL_REG(XSPI_CR);
	m->ccr = SWL_REG(XSPI_CCR);
	m->tcr = SWL_REG(XSPI_TCR);
	m->ir = SWL_REG(XSPI_IR);
	m->dcr1 = SWL_REG(XSPI_DCR1);
	SWL_REG(XSPI_CR) = (m->cr & ~CR_FMODE_MASK) | CR_ABORT; /* leave memory-mapped mode */
	if (!(m->dcr1 & DCR1_DEVSIZE_MASK))
		SWL_REG(XSPI_DCR1) = DCR1_DEVSIZE_128M;
	SWL_REG(XSPI_TCR) = 0;
	SWL_REG(XSPI_CR) = CR_EN | CR_FMODE_IND_WRITE;
}

static void leave_indirect(const struct mmap_cfg *m)
{
	while (SWL_REG(XSPI_SR) & SR_BUSY)
		;
	if (!(m->cr & CR_EN))
		return; /* nothing was memory-mapped before */
	SWL_REG(XSPI_CR) = CR_EN | CR_ABORT;
	SWL_REG(XSPI_CCR) = m->ccr;
	SWL_REG(XSPI_TCR) = m->tcr;
	SWL_REG(XSPI_IR) = m->ir;
	SWL_REG(XSPI_CR) = m->cr;
}

static void wait_idle(void)
{
	while (SWL_REG(XSPI_SR) & SR_BUSY)
		;
}

/* Instruction only (WREN): writing IR starts it (no address, no data). */
static void cmd(uint32_t op)
{
	wait_idle();
	SWL_REG(XSPI_CR) = CR_EN | CR_FMODE_IND_WRITE;
	SWL_REG(XSPI_CCR) = CCR_IMODE_1;
	SWL_REG(XSPI_IR) = op;
	wait_idle();
}

/* Instruction + 4-byte address (+ data): writing AR starts it. */
static void cmd_addr(uint32_t op, uint32_t off, uint32_t data_len)
{
	wait_idle();
	SWL_REG(XSPI_CR) = CR_EN | CR_FMODE_IND_WRITE;
	SWL_REG(XSPI_CCR) = CCR_IMODE_1 | CCR_ADMODE_1 | CCR_ADSIZE_32 | (data_len ? CCR_DMODE_1 : 0u);
	if (data_len)
		SWL_REG(XSPI_DLR) = data_len - 1u;
	SWL_REG(XSPI_IR) = op;
	SWL_REG(XSPI_AR) = off;
}

static uint32_t read_status(void)
{
	wait_idle();
	SWL_REG(XSPI_FCR) = SR_TCF;
	SWL_REG(XSPI_CR) = CR_EN | CR_FMODE_IND_READ;
	SWL_REG(XSPI_CCR) = CCR_IMODE_1 | CCR_DMODE_1;
	SWL_REG(XSPI_DLR) = 0;
	SWL_REG(XSPI_IR) = 0x05u;
	return SWL_REG(XSPI_DR) & 0xFFu;
}

static uint32_t wait_ready(struct swl_params *p, uint32_t addr, uint32_t pause)
{
	uint32_t sr;

	while ((sr = read_status()) & SR_WIP)
		swl_pause(pause);
	if (SWL_REG(XSPI_SR) & SR_TEF) {
		p->err_addr = addr;
		p->err_status = SWL_REG(XSPI_SR);
		SWL_REG(XSPI_FCR) = SR_TEF;
		return SWL_ERR_FLASH;
	}
	return SWL_OK;
}

/* Dirty 4 KiB sectors of [addr, addr+size), read through the window
 * (memory-mapped mode, NOR idle). */
static uint32_t dirty_mask(uint32_t addr, uint32_t size, uint32_t *count)
{
	uint32_t mask = 0;

	*count = 0;
	for (uint32_t i = 0; i < size / SMALL; i++)
		if (!swl_all_ones((const uint32_t *)(addr + i * SMALL), SMALL / 4u)) {
			mask |= 1u << i;
			*count += 1;
		}
	return mask;
}

/* In indirect mode: erase the dirty parts (block erase when more than
 * three of its sectors hold data: 150 vs 45 ms each, perf.md §3.2). */
static uint32_t erase_unit(struct swl_params *p, uint32_t addr, uint32_t size, uint32_t mask, uint32_t n,
			   uint32_t *sectors)
{
	uint32_t r = SWL_OK;

	*sectors = 0;
	if (size == BIG && n > 3u) {
		cmd(0x06u);
		cmd_addr(0xDCu, addr - NOR_BASE, 0);
		*sectors = BIG / SMALL;
		return wait_ready(p, addr, 640);
	}
	for (uint32_t i = 0; i < size / SMALL && r == SWL_OK; i++)
		if (mask & (1u << i)) {
			cmd(0x06u);
			cmd_addr(0x21u, addr + i * SMALL - NOR_BASE, 0);
			*sectors += 1;
			r = wait_ready(p, addr + i * SMALL, 640);
		}
	return r;
}

static uint32_t page(struct swl_params *p, uint32_t addr, const uint32_t *src)
{
	cmd(0x06u);
	cmd_addr(0x12u, addr - NOR_BASE, PAGE);
	for (uint32_t i = 0; i < PAGE / 4u; i++)
		SWL_REG(XSPI_DR) = src[i]; /* the bus waits while the FIFO is full */
	return wait_ready(p, addr, 16);
}

/* One erase unit of the job: blank check mapped, erase and its pages in
 * indirect mode as the ring fills. */
static uint32_t program_unit(struct swl_params *p, struct swl_job *j, uint32_t addr, uint32_t size)
{
	struct mmap_cfg m;
	uint32_t n, mask = dirty_mask(addr, size, &n), sectors, r;

	enter_indirect(&m);
	r = erase_unit(p, addr, size, mask, n, &sectors);
	j->erased += sectors;
	for (uint32_t a = addr; a < addr + size && r == SWL_OK;) {
		if ((uint32_t)(j->wp - j->rp) < PAGE) {
			swl_pause(32); /* the host has not sent this page yet */
			continue;
		}
		const uint32_t *src = (const uint32_t *)(j->ring_base + j->rp % j->ring_size);
		if (!swl_all_ones(src, PAGE / 4u))
			r = page(p, a, src);
		a += PAGE;
		j->rp += PAGE;
	}
	leave_indirect(&m);
	return r;
}

uint32_t swl_program(struct swl_params *p)
{
	struct swl_job *j = &p->job[0];
	uint32_t r = swl_check(p), end = j->addr + j->len;

	if (r != SWL_OK || p->n_jobs != 1 || j->addr % SMALL || j->len % SMALL || j->ring_size % PAGE)
		return p->status = r != SWL_OK ? r : SWL_ERR_ARG;
	for (uint32_t a = j->addr, v = j->addr; a < end && r == SWL_OK;) {
		uint32_t u = swl_nor_unit(a, end);
		r = program_unit(p, j, a, u);
		a += u;
		/* Back in memory-mapped mode: read the sectors now complete back
		 * by CRC while the host streams the next unit. */
		for (; r == SWL_OK && j->crc_out && v + p->sector_size <= a; v += p->sector_size)
			swl_verify_sector(p, j, v);
	}
	return p->status = r;
}

uint32_t swl_erase(struct swl_params *p)
{
	struct swl_range *rg = (struct swl_range *)p->ranges;
	uint32_t r = swl_check(p), n, mask, sectors;
	struct mmap_cfg m;

	for (uint32_t i = 0; i < p->n_ranges && r == SWL_OK; i++) {
		for (uint32_t a = rg[i].addr, end = a + rg[i].len; a < end && r == SWL_OK;) {
			uint32_t u = swl_nor_unit(a, end);
			mask = dirty_mask(a, u, &n);
			if (n) {
				enter_indirect(&m);
				r = erase_unit(p, a, u, mask, n, &sectors);
				leave_indirect(&m);
			}
			a += u;
		}
		p->progress = i + 1;
	}
	return p->status = r;
}

uint32_t swl_crc(struct swl_params *p)
{
	uint32_t r = swl_check(p);

	return p->status = r != SWL_OK ? r : swl_crc_ranges(p);
}

uint32_t swl_uninit(struct swl_params *p)
{
	swl_caches_restore(p);
	return p->status = SWL_OK;
}
