/* XSPI model (see sim_xspi.h). A command is the CCR phases in order:
 * instruction (IR), address (AR, ADSIZE+1 bytes), dummy (TCR.DCYC), data
 * (DLR+1 bytes through DR). Indirect write starts when its last needed
 * register is written (IR, AR, or the first DR byte) and ends once DLR+1
 * bytes went out; indirect read runs at the IR/AR write and queues the data
 * for DR. TCF marks the end of the transfer. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "sim/sim_prefetch.h"
#include "sim/sim_xspi.h"

#define XSPI_CR 0x000u
#define XSPI_DCR1 0x008u
#define XSPI_DCR2 0x00Cu
#define XSPI_SR 0x020u
#define XSPI_FCR 0x024u
#define XSPI_DLR 0x040u
#define XSPI_AR 0x048u
#define XSPI_DR 0x050u
#define XSPI_CCR 0x100u
#define XSPI_TCR 0x108u
#define XSPI_IR 0x110u

#define CR_EN (1u << 0)
#define CR_ABORT (1u << 1)
#define CR_FMODE_SHIFT 28
#define FMODE_IND_WRITE 0u
#define FMODE_IND_READ 1u
#define FMODE_MMAP 3u
#define SR_TEF (1u << 0)
#define SR_TCF (1u << 1)
#define SR_FTF (1u << 2)
#define SR_BUSY (1u << 5)
#define CCR_IMODE(c) ((c) & 7u)
#define CCR_ADMODE(c) (((c) >> 8) & 7u)
#define CCR_ADSIZE(c) (((c) >> 12) & 3u)
#define CCR_DMODE(c) (((c) >> 24) & 7u)
#define CCR_IDTR (1u << 3)
#define CCR_ADDTR (1u << 11)
#define CCR_DDTR (1u << 27)
#define FIFO 64u
/* SPI bus clock [model]: 30 MHz, as the FlexSPI model (README "Known
 * limits"); a phase on n lines moves n bits per clock, 2n in DTR. */
#define SPI_HZ 30000000ull
#define CLK_PS (1000000000000ull / SPI_HZ)
#define RDBUF 4096u /* indirect read data held for DR [simplified: no FIFO stall] */

struct sim_xspi {
	struct sim_spinor *nor;
	uint32_t cr, dcr1, dcr2, sr, dlr, ar, ccr, tcr, ir;
	bool busy;       /* a transfer is open (indirect write waiting for data) */
	uint32_t left;   /* data bytes still to move */
	uint8_t rd[RDBUF];
	uint32_t rd_pos, rd_len;
	/* Bus time (RM0486 XSPI: BUSY stays set and TCF comes only once the
	 * command's phases have been clocked out on the bus). */
	uint64_t (*now_ns)(void *);
	void *clock;
	uint64_t busy_until_ps; /* the bus is busy with the command until then */
	bool tcf_pending;       /* TCF once busy_until_ps has passed */
	struct sim_prefetch mm; /* memory-mapped read stream (prefetch FIFO) */
};

static uint64_t now_ps(const struct sim_xspi *x)
{
	return x->now_ns ? x->now_ns(x->clock) * 1000u : 0;
}

/* Picoseconds of `bits` on a phase of CCR mode `mode` (1, 2, 4, 8 lines
 * for 1..4; RM0486 CCR IMODE/ADMODE/DMODE), doubled rate in DTR. */
static uint64_t phase_ps(uint32_t mode, bool dtr, uint64_t bits)
{
	uint64_t per;

	if (!mode)
		return 0;
	per = (mode >= 4 ? 8u : 1u << (mode - 1)) * (dtr ? 2u : 1u);
	return (bits + per - 1) / per * CLK_PS;
}

/* Instruction, address and dummy phases of the command in CCR/TCR. */
static uint64_t header_ps(const struct sim_xspi *x)
{
	uint32_t c = x->ccr;

	return phase_ps(CCR_IMODE(c), (c & CCR_IDTR) != 0, 8) +
	       phase_ps(CCR_ADMODE(c), (c & CCR_ADDTR) != 0, 8u * (CCR_ADSIZE(c) + 1u)) +
	       (x->tcr & 0x1Fu) * CLK_PS;
}

static uint64_t data_ps(const struct sim_xspi *x, uint64_t bytes)
{
	return phase_ps(CCR_DMODE(x->ccr), (x->ccr & CCR_DDTR) != 0, 8 * bytes);
}

/* The bus takes `ps` more after what it is busy with. */
static void bus_time(struct sim_xspi *x, uint64_t ps)
{
	uint64_t t = now_ps(x);

	if (x->busy_until_ps < t)
		x->busy_until_ps = t;
	x->busy_until_ps += ps;
}

static bool bus_busy(const struct sim_xspi *x)
{
	return x->busy || now_ps(x) < x->busy_until_ps;
}

void sim_xspi_set_clock(struct sim_xspi *x, uint64_t (*now_ns)(void *), void *clock)
{
	x->now_ns = now_ns;
	x->clock = clock;
}

int sim_xspi_new(struct sim_spinor *nor, struct sim_xspi **out)
{
	struct sim_xspi *x = calloc(1, sizeof(*x));

	*out = x;
	if (!x)
		return -1;
	x->nor = nor;
	x->mm.ahead = FIFO; /* 64-byte FIFO prefetching ahead; a FIFO keeps nothing behind */
	sim_xspi_reset(x);
	return 0;
}

void sim_xspi_free(struct sim_xspi *x)
{
	free(x);
}

void sim_xspi_reset(struct sim_xspi *x)
{
	if (x->busy)
		sim_spinor_end(x->nor);
	x->cr = x->dcr1 = x->dcr2 = x->sr = x->dlr = x->ar = x->ccr = x->tcr = x->ir = 0;
	x->busy = false;
	x->left = x->rd_pos = x->rd_len = 0;
	x->busy_until_ps = 0;
	x->tcf_pending = false;
	sim_prefetch_flush(&x->mm);
}

void sim_xspi_boot_config(struct sim_xspi *x, uint32_t nor_size)
{
	unsigned devsize = 0;

	while ((2u << devsize) < nor_size)
		devsize++;
	x->dcr1 = devsize << 16;
	x->ccr = 1u | (1u << 8) | ((nor_size > (16u << 20) ? 3u : 2u) << 12) | (1u << 24);
	x->ir = nor_size > (16u << 20) ? 0x13u : 0x03u;
	x->cr = CR_EN | (FMODE_MMAP << CR_FMODE_SHIFT);
}

uint32_t sim_xspi_cr(const struct sim_xspi *x)
{
	return x->cr;
}

static unsigned fmode(const struct sim_xspi *x)
{
	return (x->cr >> CR_FMODE_SHIFT) & 3u;
}

static void finish(struct sim_xspi *x)
{
	sim_spinor_end(x->nor);
	x->busy = false;
	x->tcf_pending = true; /* TCF when the bus time is over (update_tcf) */
}

static void update_tcf(struct sim_xspi *x)
{
	if (x->tcf_pending && now_ps(x) >= x->busy_until_ps) {
		x->tcf_pending = false;
		x->sr |= SR_TCF;
	}
}

/* Shift instruction, address and dummy phases; data follows. */
static void start(struct sim_xspi *x)
{
	if (!(x->cr & CR_EN) || bus_busy(x))
		return;
	x->sr &= ~SR_TCF;
	x->tcf_pending = false;
	bus_time(x, header_ps(x));
	sim_spinor_begin(x->nor, CCR_IMODE(x->ccr) ? (uint8_t)x->ir : 0x00);
	if (CCR_ADMODE(x->ccr))
		sim_spinor_addr(x->nor, x->ar, CCR_ADSIZE(x->ccr) + 1u);
	if (x->tcr & 0x1Fu)
		sim_spinor_dummy(x->nor, x->tcr & 0x1Fu);
	x->busy = true;
	x->left = CCR_DMODE(x->ccr) ? x->dlr + 1u : 0;
	if (fmode(x) == FMODE_IND_READ && x->left) {
		uint32_t n = x->left < RDBUF ? x->left : RDBUF;
		sim_spinor_read(x->nor, x->rd, n);
		bus_time(x, data_ps(x, x->left));
		x->rd_pos = 0;
		x->rd_len = n;
		x->left = 0;
	}
	if (!x->left)
		finish(x);
}

static uint32_t sr_value(struct sim_xspi *x)
{
	uint32_t v;

	update_tcf(x);
	v = x->sr & (SR_TEF | SR_TCF);
	uint32_t level = 0;

	if (fmode(x) == FMODE_IND_READ)
		level = x->rd_len - x->rd_pos > FIFO ? FIFO : x->rd_len - x->rd_pos;
	if (x->busy)
		v |= SR_BUSY | SR_FTF; /* indirect write: room in the FIFO */
	else if (level)
		v |= SR_FTF;
	if (now_ps(x) < x->busy_until_ps)
		v |= SR_BUSY; /* phases still being clocked out */
	return v | (level << 8);
}

int sim_xspi_reg_read(void *opaque, uint32_t off, unsigned size, uint32_t *val)
{
	struct sim_xspi *x = opaque;
	uint32_t v = 0;

	switch (off & ~3u) {
	case XSPI_CR: v = x->cr; break;
	case XSPI_DCR1: v = x->dcr1; break;
	case XSPI_DCR2: v = x->dcr2; break;
	case XSPI_SR: v = sr_value(x); break;
	case XSPI_DLR: v = x->dlr; break;
	case XSPI_AR: v = x->ar; break;
	case XSPI_CCR: v = x->ccr; break;
	case XSPI_TCR: v = x->tcr; break;
	case XSPI_IR: v = x->ir; break;
	case XSPI_DR:
		for (unsigned i = 0; i < size && x->rd_pos < x->rd_len; i++)
			v |= (uint32_t)x->rd[x->rd_pos++] << (8 * i);
		*val = v;
		return 0;
	default: break;
	}
	*val = size == 4 ? v : (v >> (8 * (off & 3u))) & (size == 1 ? 0xFFu : 0xFFFFu);
	return 0;
}

static void dr_write(struct sim_xspi *x, unsigned size, uint32_t val)
{
	uint8_t b[4];

	if (fmode(x) != FMODE_IND_WRITE)
		return;
	if (!x->busy)
		start(x); /* data phase present: the command starts with the first data */
	if (!x->busy)
		return;
	for (unsigned i = 0; i < size; i++)
		b[i] = (uint8_t)(val >> (8 * i));
	if (size > x->left)
		size = x->left;
	sim_spinor_write(x->nor, b, size);
	bus_time(x, data_ps(x, size));
	x->left -= size;
	if (!x->left)
		finish(x);
}

int sim_xspi_reg_write(void *opaque, uint32_t off, unsigned size, uint32_t val)
{
	struct sim_xspi *x = opaque;
	bool setup = off == XSPI_CCR || off == XSPI_TCR || off == XSPI_IR || off == XSPI_DLR || off == XSPI_AR ||
		     off == XSPI_DCR1;

	if (off == XSPI_DR) {
		dr_write(x, size, val);
		return 0;
	}
	if (size != 4)
		return -1;
	if (setup && bus_busy(x))
		return 0; /* registers are write-protected while BUSY (RM0486) */
	switch (off) {
	case XSPI_CR:
		if (val & CR_ABORT) {
			if (x->busy)
				sim_spinor_end(x->nor);
			x->busy = false;
			x->rd_len = x->rd_pos = 0;
			x->busy_until_ps = 0; /* ABORT ends the command at once */
			x->tcf_pending = false;
			val &= ~CR_ABORT;
		}
		if (((val >> CR_FMODE_SHIFT) & 3u) != fmode(x))
			sim_prefetch_flush(&x->mm); /* entering memory-mapped mode: a new stream */
		x->cr = val;
		break;
	case XSPI_DCR1: x->dcr1 = val; break;
	case XSPI_DCR2: x->dcr2 = val; break;
	case XSPI_FCR: x->sr &= ~(val & (SR_TEF | SR_TCF)); break;
	case XSPI_DLR: x->dlr = val; break;
	case XSPI_CCR: x->ccr = val; break;
	case XSPI_TCR: x->tcr = val; break;
	case XSPI_IR:
		x->ir = val;
		/* IR starts the command when no address phase follows, unless an
		 * indirect write still waits for its data */
		if (!CCR_ADMODE(x->ccr) && fmode(x) != FMODE_MMAP &&
		    !(fmode(x) == FMODE_IND_WRITE && CCR_DMODE(x->ccr)))
			start(x);
		break;
	case XSPI_AR:
		x->ar = val;
		if (CCR_ADMODE(x->ccr) && fmode(x) != FMODE_MMAP &&
		    !(fmode(x) == FMODE_IND_WRITE && CCR_DMODE(x->ccr)))
			start(x);
		break;
	default: break;
	}
	return 0;
}

/* The core fetches from the memory-mapped window (fetch gate): the read
 * command is the one in CCR/TCR/IR; the XSPI keeps prefetching into its
 * 64-byte FIFO while the accesses stay sequential, and a jump elsewhere
 * ends it and sends a new command (RM0486 XSPI memory-mapped mode). */
uint64_t sim_xspi_fetch(void *opaque, uint32_t off, unsigned size)
{
	struct sim_xspi *x = opaque;

	if (fmode(x) != FMODE_MMAP || !(x->cr & CR_EN))
		return 0;
	return sim_prefetch_fetch(&x->mm, off, size, now_ps(x) / 1000u, header_ps(x), data_ps(x, 1));
}

uint64_t sim_xspi_fetch_commands(const struct sim_xspi *x)
{
	return x->mm.commands;
}
