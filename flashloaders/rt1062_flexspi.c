/* MIMXRT1062 QSPI NOR loader: FlexSPI1 IP commands (i.MX RT1060 RM ch. 27
 * "FlexSPI": IPCR0/IPCR1/IPCMD, TX FIFO pushed per watermark with
 * INTR.IPTXWE, RX popped with INTR.IPRXWA). The host's prepare() hook has
 * already written the LUT sequences this loader uses (the boot ROM's slot
 * numbers: 1 read status, 3 write enable, 5 4 KiB erase, 8 64 KiB erase,
 * 9 page program), from the FCB when it defines them, else (no FCB, or
 * one whose LUT holds only the boot ROM's read sequence) from the NOR's
 * SFDP table.
 *
 * Program: each aligned 64 KiB block the job covers is erased with one
 * block erase (about 150 ms against 16 x 45 ms, perf.md §3.2), the rest in
 * 4 KiB sectors, each only if not blank, just before programming reaches
 * it; 256-byte pages follow from the ring as the host streams it. */
#include "common.h"
#include "../targets/regs/imxrt_flexspi.h"

#define INTR_IPRXWA (1u << 5)
#define FIFO_CLR 1u
#define TXWMRK_128 (15u << 2) /* (15 + 1) x 64 bits */
#define NOR_BASE 0x60000000u /* FlexSPI1 AMBA window (RM memory map) */
#define SEQ_RDSR 1u
#define SEQ_WREN 3u
#define SEQ_SE 5u
#define SEQ_BE 8u
#define SEQ_PP 9u
#define SMALL SWL_NOR_SECTOR
#define BIG SWL_NOR_BLOCK
#define SR_WIP 1u

/* Run one IP command; returns the INTR error bits (0 = done). */
static uint32_t ipcmd(uint32_t off, uint32_t seq, uint32_t size)
{
	uint32_t intr;

	SWL_REG(FSPI_INTR) = INTR_IPCMDDONE | INTR_IPCMDERR | INTR_IPCMDGE;
	SWL_REG(FSPI_IPCR0) = off;
	SWL_REG(FSPI_IPCR1) = (seq << 16) | size;
	SWL_REG(FSPI_IPCMD) = 1u;
	while (!((intr = SWL_REG(FSPI_INTR)) & (INTR_IPCMDDONE | INTR_IPCMDERR | INTR_IPCMDGE)))
		;
	return intr & (INTR_IPCMDERR | INTR_IPCMDGE);
}

static uint32_t read_status(uint32_t *sr)
{
	uint32_t e;

	SWL_REG(FSPI_IPRXFCR) = FIFO_CLR;
	e = ipcmd(0, SEQ_RDSR, 1);
	*sr = SWL_REG(FSPI_RFDR) & 0xFFu;
	SWL_REG(FSPI_INTR) = INTR_IPRXWA; /* pop it */
	return e;
}

static uint32_t fail(struct swl_params *p, uint32_t addr, uint32_t status)
{
	p->err_addr = addr;
	p->err_status = status;
	return SWL_ERR_FLASH;
}

/* Wait for the NOR's write-in-progress bit to drop. */
static uint32_t wait_ready(struct swl_params *p, uint32_t addr, uint32_t pause)
{
	uint32_t sr = SR_WIP, e;

	while (sr & SR_WIP) {
		if ((e = read_status(&sr)))
			return fail(p, addr, e);
		if (sr & SR_WIP)
			swl_pause(pause);
	}
	return SWL_OK;
}

/* AHB reads may hit FlexSPI's prefetch buffers filled before the change:
 * a software reset drops them (MCR0.SWRESET self-clears; configuration
 * registers are kept, RM 27.5.x "Software reset"). */
static void ahb_flush(void)
{
	SWL_REG(FSPI_MCR0) |= MCR0_SWRESET;
	while (SWL_REG(FSPI_MCR0) & MCR0_SWRESET)
		;
}

static uint32_t erase_cmd(struct swl_params *p, uint32_t addr, uint32_t seq)
{
	uint32_t e, r;

	if ((r = wait_ready(p, addr, 64)) != SWL_OK)
		return r;
	if ((e = ipcmd(0, SEQ_WREN, 0)) || (e = ipcmd(addr - NOR_BASE, seq, 0)))
		return fail(p, addr, e);
	return SWL_OK;
}

/* Erase [addr, addr+size) (4 KiB or an aligned 64 KiB block) where it is
 * not blank, choosing the cheaper way (typical 45 ms per 4 KiB sector and
 * 150 ms per block, perf.md §3.2): up to three dirty sectors one by one,
 * more as one block erase. *sectors gets the 4 KiB sectors erased. The NOR
 * must be idle first: a busy NOR ignores the reads of the blank check. */
static uint32_t erase(struct swl_params *p, uint32_t addr, uint32_t size, uint32_t *sectors)
{
	uint32_t dirty = 0, mask = 0, r;

	*sectors = 0;
	if ((r = wait_ready(p, addr, 64)) != SWL_OK)
		return r;
	ahb_flush();
	/* Scan everything before the first erase makes the NOR busy. */
	for (uint32_t i = 0; i < size / SMALL; i++)
		if (!swl_all_ones((const uint32_t *)(addr + i * SMALL), SMALL / 4u)) {
			mask |= 1u << i;
			dirty++;
		}
	if (!dirty)
		return SWL_OK;
	if (size == BIG && dirty > 3u) {
		*sectors = BIG / SMALL;
		return erase_cmd(p, addr, SEQ_BE);
	}
	for (uint32_t i = 0; i < size / SMALL && r == SWL_OK; i++)
		if (mask & (1u << i)) {
			r = erase_cmd(p, addr + i * SMALL, SEQ_SE);
			*sectors += 1;
		}
	return r;
}

/* One page from the ring: WREN, then the page program with the TX FIFO
 * fed 128 bytes at a time as the watermark allows. */
static uint32_t page(struct swl_params *p, uint32_t addr, const uint32_t *src)
{
	uint32_t e, r;

	if ((r = wait_ready(p, addr, 16)) != SWL_OK)
		return r;
	if ((e = ipcmd(0, SEQ_WREN, 0)))
		return fail(p, addr, e);
	SWL_REG(FSPI_IPTXFCR) = FIFO_CLR | TXWMRK_128;
	SWL_REG(FSPI_INTR) = INTR_IPCMDDONE | INTR_IPCMDERR | INTR_IPCMDGE;
	SWL_REG(FSPI_IPCR0) = addr - NOR_BASE;
	SWL_REG(FSPI_IPCR1) = (SEQ_PP << 16) | PAGE;
	SWL_REG(FSPI_IPCMD) = 1u;
	for (uint32_t half = 0; half < 2; half++) {
		while (!(SWL_REG(FSPI_INTR) & INTR_IPTXWE))
			;
		for (uint32_t i = 0; i < 32; i++)
			SWL_REG(FSPI_TFDR + 4u * i) = src[32u * half + i];
		SWL_REG(FSPI_INTR) = INTR_IPTXWE; /* push one watermark */
	}
	while (!((e = SWL_REG(FSPI_INTR)) & (INTR_IPCMDDONE | INTR_IPCMDERR | INTR_IPCMDGE)))
		;
	return (e & (INTR_IPCMDERR | INTR_IPCMDGE)) ? fail(p, addr, e) : SWL_OK;
}

uint32_t swl_program(struct swl_params *p)
{
	struct swl_job *j = &p->job[0];
	uint32_t r = swl_check(p), next, ready, end, n;

	if (r != SWL_OK || p->n_jobs != 1 || j->addr % SMALL || j->len % SMALL || j->ring_size % PAGE)
		return p->status = r != SWL_OK ? r : SWL_ERR_ARG;
	next = ready = j->addr;
	end = j->addr + j->len;
	while (next < end) {
		if (next >= ready) {
			uint32_t u = swl_nor_unit(ready, end);
			if ((r = erase(p, ready, u, &n)) != SWL_OK)
				return p->status = r;
			j->erased += n; /* in 4 KiB sectors */
			ready += u;
			continue;
		}
		if ((uint32_t)(j->wp - j->rp) < PAGE) {
			swl_pause(32); /* the host has not sent this page yet */
			continue;
		}
		const uint32_t *src = (const uint32_t *)(j->ring_base + j->rp % j->ring_size);
		if (!swl_all_ones(src, PAGE / 4u) && (r = page(p, next, src)) != SWL_OK)
			return p->status = r;
		next += PAGE;
		j->rp += PAGE;
		/* A sector complete: once the NOR is ready read it back through
		 * the AHB map (prefetch buffer flushed) by CRC, while the host
		 * streams the next one. */
		if (j->crc_out && (next - j->addr) % p->sector_size == 0) {
			if ((r = wait_ready(p, next - PAGE, 16)) != SWL_OK)
				return p->status = r;
			ahb_flush();
			swl_verify_sector(p, j, next - p->sector_size);
		}
	}
	r = wait_ready(p, end, 16);
	ahb_flush();
	return p->status = r;
}

uint32_t swl_erase(struct swl_params *p)
{
	struct swl_range *rg = (struct swl_range *)p->ranges;
	uint32_t r = swl_check(p), n;

	for (uint32_t i = 0; i < p->n_ranges && r == SWL_OK; i++) {
		for (uint32_t a = rg[i].addr, end = a + rg[i].len; a < end && r == SWL_OK;) {
			uint32_t u = swl_nor_unit(a, end);
			if ((r = erase(p, a, u, &n)) == SWL_OK)
				r = wait_ready(p, a, 640);
			a += u;
		}
		p->progress = i + 1;
	}
	ahb_flush();
	return p->status = r;
}

uint32_t swl_crc(struct swl_params *p)
{
	uint32_t r = swl_check(p);

	if (r == SWL_OK)
		ahb_flush(); /* read what the NOR holds, not a stale prefetch */
	return p->status = r != SWL_OK ? r : swl_crc_ranges(p);
}

uint32_t swl_uninit(struct swl_params *p)
{
	swl_caches_restore(p);
	return p->status = SWL_OK;
}
