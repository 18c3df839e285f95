/* MIMXRT1062 QSPI NOR programming driven from the host through FlexSPI1's
 * IP-command interface (reference/targets.md §3.4; register use as in Black
 * Magic Probe's imxrt.c and NXP's fsl_flexspi). No code runs on the target.
 *
 * prepare() writes the LUT sequences this driver uses into fixed slots,
 * following the boot ROM's numbering: 1 read status, 3 write enable, 5 4 KiB
 * erase, 8 64 KiB erase, 9 page program, 13 SFDP read. They come from the
 * FCB at 0x60000000 when it defines them (the ROM booted from it, so its
 * command pads and address width are right for the part), else from the
 * NOR itself: its SFDP table (JESD216B BFPT: density, erase types, address
 * bytes), with 1-bit SDR commands. An FCB
 * with only the read sequence (Teensy 4.x and many minimal images) is
 * normal. Sequence 0 (the AHB/XIP read) is left alone unless
 * FlexSPI was off. Later calls only use the slots. */
#include "cortexm/core.h"
#include "targets/targets_priv.h"
#include "targets/regs/imxrt_flexspi.h"

#define FSPI_LUTKEY (FSPI + 0x018u)
#define FSPI_LUTCR (FSPI + 0x01Cu)
#define FSPI_FLSHA1CR0 (FSPI + 0x060u)
#define FSPI_FLSHCR2A1 (FSPI + 0x080u)
#define FSPI_LUT(seq) (FSPI + 0x200u + 16u * (seq))
#define MCR0_MDIS (1u << 1)
#define LUTKEY_VALUE 0x5AF05AF0u
#define LUTCR_LOCK 1u
#define LUTCR_UNLOCK 2u
#define FIFO_WMRK_128 (15u << 2) /* (15 + 1) x 64 bits: the whole 128-byte FIFO */

enum { SEQ_READ = 0, SEQ_RDSR = 1, SEQ_WREN = 3, SEQ_SE = 5, SEQ_BE = 8, SEQ_PP = 9, SEQ_SFDP = 13 };
enum { OP_STOP = 0x00, OP_CMD = 0x01, OP_RADDR = 0x02, OP_WRITE = 0x08, OP_READ = 0x09, OP_DUMMY = 0x0C };

#define INS(op, pads, arg) ((uint32_t)(((op) << 10) | ((pads) << 8) | (arg)))
#define LUTW(a, b) ((a) | ((b) << 16))
#define SMALL_ERASE 0x1000u
#define BIG_ERASE 0x10000u
#define FCB_TAG 0x42464346u /* "FCFB" */
/* Bounded polls (one probe round trip each, >= ~0.3 ms): 40000 outlast the
 * 2 s worst-case 64 KiB erase (perf.md §6) several times over. */
#define ERASE_POLLS 40000u
#define PROG_POLLS 4000u

static struct sw_ctx *ctx_of(struct sw_core *core)
{
	return sw_dap_ctx(sw_ap_dap(sw_core_ap(core)));
}

static int q_ipcmd(sw_ap *ap, uint32_t addr, unsigned seq, uint32_t size)
{
	const uint32_t ip[2] = {addr, ((uint32_t)seq << 16) | size};
	int r;

	if ((r = sw_mem_queue_write32(ap, FSPI_INTR, INTR_IPCMDDONE | INTR_IPCMDERR | INTR_IPCMDGE)) ||
	    (r = sw_mem_queue_write(ap, FSPI_IPCR0, ip, 8u)))
		return r;
	return sw_mem_queue_write32(ap, FSPI_IPCMD, 1);
}

static int check_intr(struct sw_core *core, uint32_t intr, const char *what, uint32_t addr)
{
	if (intr & (INTR_IPCMDERR | INTR_IPCMDGE))
		return sw_fail(ctx_of(core), SW_ERR_FLASH, "flexspi: %s at 0x%08x: IP command error (INTR=0x%08x)",
			       what, addr, intr);
	return SW_OK;
}

/* Read up to 8 bytes through sequence `seq` (one watermark, RFDR0/1). */
static int ip_read_small(struct sw_core *core, unsigned seq, uint32_t addr, uint32_t n, uint32_t out[2])
{
	sw_ap *ap = sw_core_ap(core);
	uint32_t intr = 0;
	int r;

	if ((r = sw_mem_queue_write32(ap, FSPI_IPRXFCR, 1u)) || (r = q_ipcmd(ap, addr, seq, n)) ||
	    (r = sw_mem_queue_read32(ap, FSPI_INTR, &intr)) ||
	    (r = sw_mem_queue_read32(ap, FSPI_RFDR, &out[0])) ||
	    (r = sw_mem_queue_read32(ap, FSPI_RFDR + 4, &out[1])) || (r = sw_dap_run(sw_ap_dap(ap))))
		return sw_fail(ctx_of(core), r, "flexspi: read: %s", sw_errmsg(ctx_of(core)));
	if (!(intr & INTR_IPCMDDONE))
		return sw_fail(ctx_of(core), SW_ERR_FLASH, "flexspi: IP read did not complete (INTR=0x%08x)", intr);
	return check_intr(core, intr, "read", addr);
}

static int read_status(struct sw_core *core, uint8_t *sr)
{
	uint32_t d[2] = {0, 0};
	int r = ip_read_small(core, SEQ_RDSR, 0, 1, d);

	*sr = (uint8_t)d[0];
	return r;
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
	return sw_fail(ctx_of(core), SW_ERR_TIMEOUT, "flexspi: %s at 0x%08x: NOR still busy (SR=0x%02x)",
		       what, addr, sr);
}

/* After IP programming the AHB RX buffers may hold old data; a software
 * reset drops them (fsl_flexspi_nor examples do the same). */
static int ahb_flush(struct sw_core *core)
{
	sw_ap *ap = sw_core_ap(core);
	uint32_t mcr0 = 0;
	int r = sw_mem_read32(ap, FSPI_MCR0, &mcr0);

	return r ? r : sw_mem_write32(ap, FSPI_MCR0, mcr0 | MCR0_SWRESET);
}

static int erase_one(struct sw_core *core, uint32_t off, unsigned seq)
{
	sw_ap *ap = sw_core_ap(core);
	uint32_t intr = 0;
	int r;

	if ((r = q_ipcmd(ap, 0, SEQ_WREN, 0)) || (r = q_ipcmd(ap, off, seq, 0)) ||
	    (r = sw_mem_queue_read32(ap, FSPI_INTR, &intr)) || (r = sw_dap_run(sw_ap_dap(ap))))
		return r;
	if ((r = check_intr(core, intr, "erase", off)))
		return r;
	return wait_ready(core, ERASE_POLLS, "erase", off);
}

/* 64 KiB erase (about 150 ms) for every aligned 64 KiB block inside the
 * range, 4 KiB erases (about 45 ms each) for the rest: 16 x 45 ms would be
 * 720 ms for a block (perf.md §3.2, §5c). */
static int rt_erase_range(struct sw_core *core, const struct sw_mem_region *rg, uint32_t addr, uint32_t len)
{
	uint32_t off = addr - rg->base, end = off + len;
	int r;

	while (off < end) {
		bool big = !(off & (BIG_ERASE - 1)) && end - off >= BIG_ERASE;
		if ((r = erase_one(core, off, big ? SEQ_BE : SEQ_SE)))
			return r;
		off += big ? BIG_ERASE : SMALL_ERASE;
	}
	return ahb_flush(core);
}

static int rt_erase_sector(struct sw_core *core, const struct sw_mem_region *rg, uint32_t addr)
{
	return rt_erase_range(core, rg, addr, rg->sector_size);
}

/* Queue one page. The first 128 bytes go into the TX FIFO before the
 * commands [unverified that silicon accepts a pre-filled FIFO; the RM's
 * flow fills it after the trigger], then: status read (how the previous
 * page ended), WREN, page program, last 128 bytes. Filling the FIFO takes
 * about 0.4 ms of wire at 4 MHz, longer than a typical 0.3 ms page program,
 * so pages can follow each other in one batch; a page whose status read
 * shows WIP may have been ignored by the busy NOR and is sent again. */
static int q_page(sw_ap *ap, uint32_t off, const uint8_t *buf, uint32_t *status)
{
	uint32_t words[PAGE / 4];
	int r;

	for (unsigned i = 0; i < PAGE / 4; i++)
		words[i] = buf[4 * i] | (uint32_t)buf[4 * i + 1] << 8 | (uint32_t)buf[4 * i + 2] << 16 |
			   (uint32_t)buf[4 * i + 3] << 24;
	if ((r = sw_mem_queue_write32(ap, FSPI_IPTXFCR, 1u | FIFO_WMRK_128)) ||
	    (r = sw_mem_queue_write(ap, FSPI_TFDR, words, 128u)) ||
	    (r = sw_mem_queue_write32(ap, FSPI_INTR, INTR_IPTXWE)) ||
	    (r = sw_mem_queue_write32(ap, FSPI_IPRXFCR, 1u)) || (r = q_ipcmd(ap, 0, SEQ_RDSR, 1)) ||
	    (r = sw_mem_queue_read32(ap, FSPI_RFDR, status)) || (r = q_ipcmd(ap, 0, SEQ_WREN, 0)) ||
	    (r = q_ipcmd(ap, off, SEQ_PP, PAGE)) || (r = sw_mem_queue_write(ap, FSPI_TFDR, words + 32, 128u)))
		return r;
	return sw_mem_queue_write32(ap, FSPI_INTR, INTR_IPTXWE);
}

#define BATCH_PAGES 16u

/* Up to BATCH_PAGES pages in one batch; *redo gets a bit per page the NOR
 * may have ignored. */
static int program_batch(struct sw_core *core, uint32_t off, const uint8_t *buf, unsigned n, uint32_t *redo)
{
	sw_ap *ap = sw_core_ap(core);
	uint32_t st[BATCH_PAGES], intr = 0;
	int r = SW_OK;

	for (unsigned p = 0; p < n && !r; p++)
		r = q_page(ap, off + p * PAGE, buf + p * PAGE, &st[p]);
	if (r || (r = sw_mem_queue_read32(ap, FSPI_INTR, &intr)) || (r = sw_dap_run(sw_ap_dap(ap))) ||
	    (r = check_intr(core, intr, "program", off)))
		return r;
	*redo = 0;
	for (unsigned p = 0; p < n; p++)
		if (st[p] & 1u)
			*redo |= 1u << p;
	return SW_OK;
}

static int rt_program(struct sw_core *core, const struct sw_mem_region *rg, uint32_t addr, const uint8_t *buf,
		      size_t len)
{
	uint32_t off = addr - rg->base, redo = 0;
	int r;

	for (size_t done = 0; done < len;) {
		unsigned n = (unsigned)((len - done) / PAGE < BATCH_PAGES ? (len - done) / PAGE : BATCH_PAGES);
		if ((r = program_batch(core, off, buf + done, n, &redo)))
			return r;
		for (unsigned p = 0; p < n; p++) { /* resend pages the busy NOR may have dropped */
			for (uint32_t again = redo & (1u << p); again;) {
				if ((r = wait_ready(core, PROG_POLLS, "program", off + p * PAGE)) ||
				    (r = program_batch(core, off + p * PAGE, buf + done + p * PAGE, 1, &again)))
					return r;
			}
		}
		done += (size_t)n * PAGE;
		off += n * PAGE;
	}
	if ((r = wait_ready(core, PROG_POLLS, "program", addr)))
		return r;
	return ahb_flush(core);
}

/* --- LUT set-up -------------------------------------------------------- */

struct lut_plan {
	uint32_t seq[16][4];
	bool use[16];
};

static void set_seq(struct lut_plan *p, unsigned seq, uint32_t w0, uint32_t w1)
{
	p->seq[seq][0] = w0;
	p->seq[seq][1] = w1;
	p->seq[seq][2] = p->seq[seq][3] = 0;
	p->use[seq] = true;
}

/* Clone an erase sequence with another opcode (same pads and address). */
static void clone_with_opcode(struct lut_plan *p, unsigned dst, const uint32_t *src, uint8_t opcode)
{
	for (unsigned i = 0; i < 4; i++)
		p->seq[dst][i] = src[i];
	p->seq[dst][0] = (p->seq[dst][0] & 0xFFFFFF00u) | opcode;
	p->use[dst] = true;
}

static unsigned erase_size_of(uint8_t opcode)
{
	return opcode == 0x20 || opcode == 0x21 ? SMALL_ERASE : opcode == 0xD8 || opcode == 0xDC ? BIG_ERASE : 0;
}

/* FCB LUT (64 words at FCB+0x80): the ROM's sequences 1, 3, 5, 9. Many
 * images (Teensy 4.x, Arduino-style and minimal SDK ones) define only
 * sequence 0, all the boot ROM needs: then SW_ERR_NOT_FOUND, and the
 * caller takes the sequences from the NOR itself. */
static int plan_from_fcb(const uint32_t *lut, struct lut_plan *p)
{
	const uint32_t *se = lut + 4 * SEQ_SE;
	uint8_t op = (uint8_t)se[0];
	bool addr32 = ((se[0] >> 16) & 0xFFu) == 32;

	if (!lut[4 * SEQ_RDSR] || !lut[4 * SEQ_WREN] || !se[0] || !lut[4 * SEQ_PP] || !erase_size_of(op))
		return SW_ERR_NOT_FOUND;
	for (unsigned s = 0; s < 16; s++)
		if (s == SEQ_RDSR || s == SEQ_WREN || s == SEQ_PP) {
			for (unsigned i = 0; i < 4; i++)
				p->seq[s][i] = lut[4 * s + i];
			p->use[s] = true;
		}
	clone_with_opcode(p, SEQ_SE, se, addr32 ? 0x21 : 0x20);
	clone_with_opcode(p, SEQ_BE, se, addr32 ? 0xDC : 0xD8);
	return SW_OK;
}

static int sfdp_read(struct sw_core *core, uint32_t addr, uint32_t out[2])
{
	return ip_read_small(core, SEQ_SFDP, addr, 8, out);
}

/* JESD216B: header "SFDP", first parameter header = the BFPT (length in
 * dwords at byte 3, pointer in bytes 4-6). BFPT dword 1 bits 18:17 address
 * bytes, dword 2 density, dwords 8-9 erase types (size exponent, opcode). */
static int write_lut(struct sw_core *core, const struct lut_plan *p, uint32_t lutcr);

/* The 1-bit SDR sequences every SPI NOR understands (JESD216B BFPT
 * defaults): 05h status, 06h write enable, 02h/12h page program, 03h/13h
 * read, the given erase opcodes; 4-byte-address opcodes with abytes 4. */
static void plan_standard(struct lut_plan *p, unsigned abytes, uint8_t op4k, uint8_t op64k, bool set_read)
{
	uint32_t ra = INS(OP_RADDR, 0, abytes * 8);

	if (abytes == 4) { /* the 4-byte-address opcodes of the same operations */
		op4k = 0x21;
		op64k = 0xDC;
	}
	set_seq(p, SEQ_RDSR, LUTW(INS(OP_CMD, 0, 0x05), INS(OP_READ, 0, 1)), 0);
	set_seq(p, SEQ_WREN, LUTW(INS(OP_CMD, 0, 0x06), INS(OP_STOP, 0, 0)), 0);
	set_seq(p, SEQ_SE, LUTW(INS(OP_CMD, 0, op4k), ra), 0);
	set_seq(p, SEQ_BE, LUTW(INS(OP_CMD, 0, op64k), ra), 0);
	set_seq(p, SEQ_PP, LUTW(INS(OP_CMD, 0, abytes == 4 ? 0x12 : 0x02), ra), LUTW(INS(OP_WRITE, 0, 4), 0));
	if (set_read)
		set_seq(p, SEQ_READ, LUTW(INS(OP_CMD, 0, abytes == 4 ? 0x13 : 0x03), ra), LUTW(INS(OP_READ, 0, 4), 0));
}

/* Sequences from the NOR itself: its SFDP table (JESD216B). */
static int plan_from_sfdp(struct sw_core *core, bool set_read, uint32_t lutcr, struct lut_plan *p,
			  uint32_t *size_out)
{
	struct lut_plan sfdp = {0};
	uint32_t h[2], ph[2], d12[2], d89[2];
	uint8_t op4k = 0, op64k = 0;
	int r;

	set_seq(&sfdp, SEQ_SFDP, LUTW(INS(OP_CMD, 0, 0x5A), INS(OP_RADDR, 0, 24)),
		LUTW(INS(OP_DUMMY, 0, 8), INS(OP_READ, 0, 4)));
	if ((r = write_lut(core, &sfdp, lutcr)) ||
	    (r = sfdp_read(core, 0, h)) || (r = sfdp_read(core, 8, ph)))
		return r;
	if (h[0] != 0x50444653u)
		return sw_fail(ctx_of(core), SW_ERR_FLASH,
			       "flexspi: no program/erase sequences in an FCB and no SFDP table on the NOR (read 0x%08x): "
			       "is a JESD216 serial NOR on FlexSPI1 port A?",
			       h[0]);
	uint32_t ptp = ph[1] & 0xFFFFFFu;
	if ((r = sfdp_read(core, ptp, d12)) || (r = sfdp_read(core, ptp + 28, d89)))
		return r;
	for (unsigned i = 0; i < 4; i++) {
		uint32_t e = i < 2 ? d89[0] >> (16 * i) : d89[1] >> (16 * (i - 2));
		if ((e & 0xFFu) == 12)
			op4k = (uint8_t)(e >> 8);
		else if ((e & 0xFFu) == 16)
			op64k = (uint8_t)(e >> 8);
	}
	uint32_t bits = d12[1] & 0x80000000u ? 0 : d12[1] + 1;
	unsigned abytes = ((d12[0] >> 17) & 3u) == 2 || (((d12[0] >> 17) & 3u) == 1 && bits > 128u << 20) ? 4 : 3;
	if (!op4k || !op64k || !bits)
		return sw_fail(ctx_of(core), SW_ERR_FLASH,
			       "flexspi: SFDP lacks 4 KiB/64 KiB erase types or density (0x%02x 0x%02x)", op4k, op64k);
	*size_out = bits / 8;
	plan_standard(p, abytes, op4k, op64k, set_read);
	return SW_OK;
}

static int write_lut(struct sw_core *core, const struct lut_plan *p, uint32_t lutcr)
{
	sw_ap *ap = sw_core_ap(core);
	int r = SW_OK;

	if (lutcr & LUTCR_LOCK) {
		if (!(r = sw_mem_queue_write32(ap, FSPI_LUTKEY, LUTKEY_VALUE)))
			r = sw_mem_queue_write32(ap, FSPI_LUTCR, LUTCR_UNLOCK);
	}
	for (unsigned s = 0; s < 16 && !r; s++)
		if (p->use[s])
			r = sw_mem_queue_write(ap, FSPI_LUT(s), p->seq[s], 16u);
	if (!r && (lutcr & LUTCR_LOCK) && !(r = sw_mem_queue_write32(ap, FSPI_LUTKEY, LUTKEY_VALUE)))
		r = sw_mem_queue_write32(ap, FSPI_LUTCR, LUTCR_LOCK);
	return r ? r : sw_dap_run(sw_ap_dap(ap));
}

/* FlexSPI was off (no XIP boot): enable it, size flash A1 for the region
 * and point AHB reads at sequence 0. Clocks are left as they are. */
static int enable_fspi(struct sw_core *core, const struct sw_mem_region *rg, uint32_t mcr0)
{
	sw_ap *ap = sw_core_ap(core);
	int r;

	if ((r = sw_mem_queue_write32(ap, FSPI_MCR0, mcr0 & ~MCR0_MDIS)) ||
	    (r = sw_mem_queue_write32(ap, FSPI_FLSHA1CR0, rg->size / 1024u)) ||
	    (r = sw_mem_queue_write32(ap, FSPI_FLSHCR2A1, 0)))
		return r;
	return sw_dap_run(sw_ap_dap(ap));
}

static int rt_prepare(struct sw_core *core, const struct sw_mem_region *rg)
{
	sw_ap *ap = sw_core_ap(core);
	struct lut_plan p = {0};
	uint32_t mcr0 = 0, lutcr = 0, tag = 0, lut[64], size = 0;
	bool fcb = false, was_off;
	int r;

	if ((r = sw_mem_queue_read32(ap, FSPI_MCR0, &mcr0)) || (r = sw_mem_queue_read32(ap, FSPI_LUTCR, &lutcr)) ||
	    (r = sw_dap_run(sw_ap_dap(ap))))
		return r;
	was_off = mcr0 & MCR0_MDIS;
	if (!was_off && !(r = sw_mem_read32(ap, rg->base, &tag)) && tag == FCB_TAG &&
	    !(r = sw_mem_read(ap, rg->base + 0x80u, lut, sizeof(lut))))
		fcb = true;
	if (r)
		return r;
	if (fcb && !plan_from_fcb(lut, &p)) {
		SW_LOG_I(ctx_of(core), "flexspi: LUT from the FCB at 0x%08x", rg->base);
	} else {
		/* The FCB is the boot ROM's; what it lacks, the NOR tells. The image
		 * in the NOR never decides whether it can be erased. */
		if ((was_off && (r = enable_fspi(core, rg, mcr0))) ||
		    (r = plan_from_sfdp(core, was_off, lutcr, &p, &size)))
			return r;
		SW_LOG_I(ctx_of(core), "flexspi: %s; LUT from SFDP (%u KiB NOR)",
			 fcb ? "the FCB's LUT lacks program/erase sequences (normal: it is for the boot ROM)" : "no FCB",
			 size / 1024u);
	}
	return write_lut(core, &p, lutcr);
}

const struct sw_flash_ops sw_flash_rt1062_flexspi = {
	.erase_sector = rt_erase_sector,
	.program = rt_program,
	.program_unit = PAGE,
	.erased_value = 0xFF,
	.prepare = rt_prepare,
	.erase_range = rt_erase_range,
};
