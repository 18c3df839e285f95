/* FlexSPI model (see sim_flexspi.h). An IP command runs its LUT sequence
 * against the NOR at once, pausing only where the hardware would: a READ
 * with the RX FIFO full, or a WRITE with the TX FIFO empty. Software pops
 * and pushes watermark-sized chunks with INTR.IPRXWA / INTR.IPTXWE, as the
 * MCUXpresso fsl_flexspi driver and Black Magic Probe's imxrt.c do. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "sim/sim_flexspi.h"
#include "sim/sim_prefetch.h"

/* Register offsets (reference/targets.md §3.4). */
#define FSPI_MCR0 0x000u
#define FSPI_MCR1 0x004u
#define FSPI_MCR2 0x008u
#define FSPI_AHBCR 0x00Cu
#define FSPI_INTEN 0x010u
#define FSPI_INTR 0x014u
#define FSPI_LUTKEY 0x018u
#define FSPI_LUTCR 0x01Cu
#define FSPI_FLSHA1CR0 0x060u
#define FSPI_FLSHCR1A1 0x070u
#define FSPI_FLSHCR2A1 0x080u
#define FSPI_IPCR0 0x0A0u
#define FSPI_IPCR1 0x0A4u
#define FSPI_IPCMD 0x0B0u
#define FSPI_IPRXFCR 0x0B8u
#define FSPI_IPTXFCR 0x0BCu
#define FSPI_STS0 0x0E0u
#define FSPI_STS1 0x0E4u
#define FSPI_IPRXFSTS 0x0F0u
#define FSPI_IPTXFSTS 0x0F4u
#define FSPI_RFDR 0x100u
#define FSPI_TFDR 0x180u
#define FSPI_LUT 0x200u
#define FSPI_LUT_END 0x300u

#define MCR0_SWRESET (1u << 0)
#define MCR0_MDIS (1u << 1)
#define INTR_IPCMDDONE (1u << 0)
#define INTR_IPCMDGE (1u << 1)
#define INTR_IPCMDERR (1u << 3)
#define INTR_IPRXWA (1u << 5)
#define INTR_IPTXWE (1u << 6)
#define INTR_W1C 0x0F9Fu /* everything but IPRXWA / IPTXWE */
#define LUTKEY_VALUE 0x5AF05AF0u
#define LUTCR_LOCK (1u << 0)
#define LUTCR_UNLOCK (1u << 1)

/* LUT instruction opcodes (RT1060 RM, FlexSPI "Instruction set"). */
enum {
	I_STOP = 0x00, I_CMD_SDR = 0x01, I_RADDR_SDR = 0x02, I_CADDR_SDR = 0x03,
	I_MODE1_SDR = 0x04, I_MODE2_SDR = 0x05, I_MODE4_SDR = 0x06, I_MODE8_SDR = 0x07,
	I_WRITE_SDR = 0x08, I_READ_SDR = 0x09, I_DUMMY_SDR = 0x0C, I_JMP_ON_CS = 0x1F,
	I_CMD_DDR = 0x21, I_RADDR_DDR = 0x22, I_MODE8_DDR = 0x27, I_WRITE_DDR = 0x28,
	I_READ_DDR = 0x29, I_DUMMY_DDR = 0x2C,
};

/* SPI bus clock [model]: 30 MHz, the boot ROM's safe serial clock (FCB
 * serialClkFreq = 1, i.MX RT1060 RM "FlexSPI NOR boot"); data moves at
 * 1 << pads bits per clock, twice that in DDR. */
#define SPI_HZ 30000000ull
#define AHB_LINE 1024u /* AHB RX buffer line kept between reads [model] */

struct sim_flexspi {
	struct sim_spinor *nor;
	uint32_t nor_size;
	uint64_t (*now_ns)(void *);
	void (*stall_until)(void *, uint64_t);
	void *clock;
	uint64_t spi_clocks;  /* bus clocks of the instructions run but not yet timed */
	uint64_t busy_until;  /* the IP command's last clock */
	bool done_pending;    /* sequence finished, IPCMDDONE once busy_until passes */
	bool ahb_valid;
	uint32_t ahb_addr;
	/* The core's AHB master has its own RX buffer (AHBRXBUFnCR0.MSTRID
	 * assigns the buffers per master), so its fetch stream is separate
	 * from the debugger's line above. */
	struct sim_prefetch core_buf;
	uint64_t core_cmd_ps, core_byte_ps; /* timing of the AHB read sequence */
	bool core_timing_valid;
	uint8_t ahb_line[AHB_LINE];
	uint32_t mcr0, mcr1, mcr2, ahbcr, inten, intr, lutcr, flsh_cr0[4], flshcr1[4], flshcr2[4];
	uint32_t ipcr0, ipcr1, iprxfcr, iptxfcr, sts1, misc[0x60 / 4];
	bool key_ok;
	uint32_t lut[64];
	uint8_t rx[SIM_FLEXSPI_FIFO], tx[SIM_FLEXSPI_FIFO], tfdr[SIM_FLEXSPI_FIFO];
	uint32_t rx_fill, tx_fill, rx_count, tx_count;
	/* the IP command in progress */
	bool running, cs;
	unsigned cur_pads;    /* pads and DDR of the data instruction being run */
	bool cur_ddr;
	unsigned seq, seq_left, pc;
	uint32_t left; /* data bytes still to move */
	uint32_t addr;
};

void sim_flexspi_reset(struct sim_flexspi *x)
{
	x->mcr0 = 0xFFFF80C2u; /* MDIS set: the module is off until software enables it */
	x->mcr1 = 0xFFFFFFFFu;
	x->mcr2 = 0x200081F7u;
	x->ahbcr = 0x18u;
	x->inten = x->intr = x->sts1 = 0;
	x->lutcr = LUTCR_UNLOCK;
	for (unsigned i = 0; i < 4; i++) {
		x->flsh_cr0[i] = 0x00010000u;
		x->flshcr1[i] = 0x63u;
		x->flshcr2[i] = 0;
	}
	x->ipcr0 = x->ipcr1 = x->iprxfcr = x->iptxfcr = 0;
	memset(x->misc, 0, sizeof(x->misc));
	memset(x->lut, 0, sizeof(x->lut));
	x->key_ok = false;
	x->rx_fill = x->tx_fill = x->rx_count = x->tx_count = 0;
	if (x->cs)
		sim_spinor_end(x->nor);
	x->running = x->cs = false;
	x->done_pending = false;
	x->spi_clocks = 0;
	x->ahb_valid = false;
	sim_prefetch_flush(&x->core_buf);
	x->core_timing_valid = false;
}

void sim_flexspi_set_clock(struct sim_flexspi *x, uint64_t (*now_ns)(void *), void (*stall_until)(void *, uint64_t),
			   void *clock)
{
	x->now_ns = now_ns;
	x->stall_until = stall_until;
	x->clock = clock;
}

static uint64_t fs_now(const struct sim_flexspi *x)
{
	return x->now_ns ? x->now_ns(x->clock) : 0;
}

/* Clocks to shift `bits` over 2^pads lines (DDR: two per clock). */
static void charge(struct sim_flexspi *x, uint64_t bits, unsigned pads, bool ddr)
{
	uint64_t per = (1u << pads) * (ddr ? 2u : 1u);

	x->spi_clocks += (bits + per - 1) / per;
}

/* The instructions run so far took their clocks after the previous ones. */
static void settle_time(struct sim_flexspi *x)
{
	uint64_t t = fs_now(x);

	if (x->busy_until < t)
		x->busy_until = t;
	x->busy_until += x->spi_clocks * 1000000000ull / SPI_HZ;
	x->spi_clocks = 0;
}

/* IPCMDDONE is raised once the bus time of the finished sequence passed. */
static void update_done(struct sim_flexspi *x)
{
	if (x->done_pending && fs_now(x) >= x->busy_until) {
		x->done_pending = false;
		x->intr |= INTR_IPCMDDONE;
	}
}

int sim_flexspi_new(struct sim_spinor *nor, uint32_t nor_size, struct sim_flexspi **out)
{
	struct sim_flexspi *x = calloc(1, sizeof(*x));

	*out = x;
	if (!x)
		return -1;
	x->nor = nor;
	x->nor_size = nor_size;
	/* 1 KiB of AHB RX buffer (i.MX RT1060 RM FlexSPI "AHB RX Data
	 * Buffer"): prefetch fills it ahead of the reads and it keeps the
	 * last KiB it received [model: one buffer for the core's master]. */
	x->core_buf.ahead = x->core_buf.keep = AHB_LINE;
	sim_flexspi_reset(x);
	return 0;
}

void sim_flexspi_free(struct sim_flexspi *x)
{
	free(x);
}

static uint32_t le32(const uint8_t *p)
{
	return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

int sim_flexspi_boot_config(struct sim_flexspi *x, const uint8_t *fcb)
{
	if (le32(fcb) != 0x42464346u) /* "FCFB" */
		return -1;
	x->mcr0 = (x->mcr0 & ~(MCR0_MDIS | (3u << 4))) | ((uint32_t)(fcb[0x0C] & 3u) << 4);
	x->flsh_cr0[0] = le32(fcb + 0x50) / 1024u;
	x->flshcr2[0] = 0; /* AHB reads use sequence 0 */
	for (unsigned i = 0; i < 64; i++)
		x->lut[i] = le32(fcb + 0x80 + 4 * i);
	x->ahbcr |= 0x20u; /* prefetch on, as the ROM leaves it for XIP [unverified] */
	x->core_timing_valid = false;
	return 0;
}

static uint32_t wm_bytes(uint32_t fcr)
{
	uint32_t n = (((fcr >> 2) & 0x1Fu) + 1u) * 8u;

	return n > SIM_FLEXSPI_FIFO ? SIM_FLEXSPI_FIFO : n;
}

static uint16_t instr(const struct sim_flexspi *x, unsigned seq, unsigned pc)
{
	uint32_t w = x->lut[(seq & 15u) * 4 + pc / 2];

	return (uint16_t)(pc & 1u ? w >> 16 : w);
}

static void ensure_cs(struct sim_flexspi *x)
{
	if (!x->cs) {
		sim_spinor_begin(x->nor, 0x00); /* no command shifted: the device ignores us */
		x->cs = true;
	}
}

/* Data phases: true when the phase is finished. */
static bool do_read(struct sim_flexspi *x)
{
	uint32_t n = SIM_FLEXSPI_FIFO - x->rx_fill;

	if (n > x->left)
		n = x->left;
	ensure_cs(x);
	charge(x, 8ull * n, x->cur_pads, x->cur_ddr);
	sim_spinor_read(x->nor, x->rx + x->rx_fill, n);
	x->rx_fill += n;
	x->rx_count += n;
	x->left -= n;
	return x->left == 0;
}

static bool do_write(struct sim_flexspi *x)
{
	uint32_t n = x->tx_fill < x->left ? x->tx_fill : x->left;

	ensure_cs(x);
	charge(x, 8ull * n, x->cur_pads, x->cur_ddr);
	sim_spinor_write(x->nor, x->tx, n);
	memmove(x->tx, x->tx + n, x->tx_fill - n);
	x->tx_fill -= n;
	x->tx_count += n;
	x->left -= n;
	return x->left == 0;
}

static void end_seq(struct sim_flexspi *x)
{
	if (x->cs)
		sim_spinor_end(x->nor);
	x->cs = false;
	x->pc = 0;
	if (--x->seq_left) {
		x->seq = (x->seq + 1) & 15u;
		return;
	}
	x->running = false;
	x->done_pending = true; /* IPCMDDONE when its bus time is over (update_done) */
}

/* One instruction; returns false when the sequence must wait for FIFO space or data. */
static bool step(struct sim_flexspi *x)
{
	uint16_t in = instr(x, x->seq, x->pc);
	unsigned op = in >> 10, pads = (in >> 8) & 3u, operand = in & 0xFFu;
	bool ddr = (op & 0x20u) != 0;

	x->cur_pads = pads;
	x->cur_ddr = ddr;
	switch (op) {
	case I_CMD_SDR: case I_CMD_DDR: charge(x, 8, pads, ddr); break;
	case I_RADDR_SDR: case I_RADDR_DDR: charge(x, operand, pads, ddr); break;
	case I_DUMMY_SDR: case I_DUMMY_DDR: x->spi_clocks += operand; break;
	default: break;
	}
	switch (op) {
	case I_STOP: case I_JMP_ON_CS:
		end_seq(x);
		return true;
	case I_CMD_SDR: case I_CMD_DDR:
		if (x->cs) /* a second command byte (octal DTR): not in this NOR's command set */
			sim_spinor_begin(x->nor, 0x00);
		else
			sim_spinor_begin(x->nor, (uint8_t)operand);
		x->cs = true;
		break;
	case I_RADDR_SDR: case I_RADDR_DDR:
		ensure_cs(x);
		sim_spinor_addr(x->nor, x->addr, operand / 8u);
		break;
	case I_MODE1_SDR: case I_MODE2_SDR: case I_MODE4_SDR: case I_MODE8_SDR: case I_MODE8_DDR: {
		unsigned bits = op == I_MODE1_SDR ? 1u : op == I_MODE2_SDR ? 2u : op == I_MODE4_SDR ? 4u : 8u;
		ensure_cs(x);
		sim_spinor_dummy(x->nor, (bits + (1u << pads) - 1u) >> pads); /* mode bits take clocks */
		break;
	}
	case I_DUMMY_SDR: case I_DUMMY_DDR:
		ensure_cs(x);
		sim_spinor_dummy(x->nor, operand);
		break;
	case I_READ_SDR: case I_READ_DDR:
		if (!do_read(x))
			return false;
		break;
	case I_WRITE_SDR: case I_WRITE_DDR:
		if (!do_write(x))
			return false;
		break;
	case I_CADDR_SDR:
		break; /* column address: HyperBus only; no NOR here uses it */
	default:
		x->intr |= INTR_IPCMDERR; /* unknown instruction */
		x->sts1 = 0x0Fu << 16;
		end_seq(x);
		x->seq_left = 0;
		return true;
	}
	if (++x->pc == 8)
		end_seq(x);
	return true;
}

static void run(struct sim_flexspi *x)
{
	while (x->running && step(x))
		;
	settle_time(x);
}

static void ipcmd_trigger(struct sim_flexspi *x)
{
	if (x->mcr0 & MCR0_MDIS)
		return; /* module disabled: nothing is clocked */
	update_done(x);
	if (x->running || x->done_pending) {
		x->intr |= INTR_IPCMDGE; /* a command is still on the bus */
		return;
	}
	if (x->ipcr0 >= x->flsh_cr0[0] * 1024u) {
		x->intr |= INTR_IPCMDERR; /* address in no flash's range */
		x->sts1 = 0x1u << 16;
		return;
	}
	x->running = true;
	x->cs = false;
	x->seq = (x->ipcr1 >> 16) & 15u;
	x->seq_left = ((x->ipcr1 >> 24) & 7u) + 1u;
	x->pc = 0;
	x->left = x->ipcr1 & 0xFFFFu;
	x->addr = x->ipcr0;
	run(x);
}

static uint32_t intr_value(struct sim_flexspi *x)
{
	uint32_t v;

	update_done(x);
	v = x->intr;

	if (x->rx_fill >= wm_bytes(x->iprxfcr))
		v |= INTR_IPRXWA;
	if (SIM_FLEXSPI_FIFO - x->tx_fill >= wm_bytes(x->iptxfcr))
		v |= INTR_IPTXWE;
	return v;
}

static uint32_t reg_value(struct sim_flexspi *x, uint32_t off)
{
	if (off >= FSPI_LUT && off < FSPI_LUT_END)
		return x->lut[(off - FSPI_LUT) / 4];
	if (off >= FSPI_RFDR && off < FSPI_TFDR) /* the FIFO head; a partly filled entry reads as stored */
		return le32(x->rx + (off - FSPI_RFDR));
	if (off >= FSPI_TFDR && off < FSPI_LUT)
		return 0; /* write-only */
	if (off >= FSPI_FLSHA1CR0 && off < FSPI_FLSHA1CR0 + 16)
		return x->flsh_cr0[(off - FSPI_FLSHA1CR0) / 4];
	if (off >= FSPI_FLSHCR1A1 && off < FSPI_FLSHCR1A1 + 16)
		return x->flshcr1[(off - FSPI_FLSHCR1A1) / 4];
	if (off >= FSPI_FLSHCR2A1 && off < FSPI_FLSHCR2A1 + 16)
		return x->flshcr2[(off - FSPI_FLSHCR2A1) / 4];
	switch (off) {
	case FSPI_MCR0: return x->mcr0;
	case FSPI_MCR1: return x->mcr1;
	case FSPI_MCR2: return x->mcr2;
	case FSPI_AHBCR: return x->ahbcr;
	case FSPI_INTEN: return x->inten;
	case FSPI_INTR: return intr_value(x);
	case FSPI_LUTKEY: return LUTKEY_VALUE;
	case FSPI_LUTCR: return x->lutcr;
	case FSPI_IPCR0: return x->ipcr0;
	case FSPI_IPCR1: return x->ipcr1;
	case FSPI_IPRXFCR: return x->iprxfcr;
	case FSPI_IPTXFCR: return x->iptxfcr;
	case FSPI_STS0: update_done(x); return x->running || x->done_pending ? 0x2u : 0x3u; /* SEQIDLE | ARBIDLE */
	case FSPI_STS1: return x->sts1;
	case FSPI_IPRXFSTS: return (x->rx_fill / 8u) | ((x->rx_count / 8u) << 16);
	case FSPI_IPTXFSTS: return (x->tx_fill / 8u) | ((x->tx_count / 8u) << 16);
	default:
		if (off >= 0x20 && off < 0x60) /* AHB RX buffer control: plain storage */
			return x->misc[(off - 0x20) / 4];
		return 0;
	}
}

int sim_flexspi_reg_read(void *opaque, uint32_t off, unsigned size, uint32_t *val)
{
	uint32_t v = reg_value(opaque, off & ~3u);

	*val = size == 4 ? v : (v >> (8 * (off & 3u))) & (size == 1 ? 0xFFu : 0xFFFFu);
	return 0;
}

static void intr_write(struct sim_flexspi *x, uint32_t v)
{
	x->intr &= ~(v & INTR_W1C);
	if ((v & INTR_IPRXWA) && x->rx_fill) { /* pop one watermark of data */
		uint32_t n = wm_bytes(x->iprxfcr);
		if (n > x->rx_fill)
			n = x->rx_fill;
		memmove(x->rx, x->rx + n, x->rx_fill - n);
		x->rx_fill -= n;
	}
	if (v & INTR_IPTXWE) { /* push one watermark of TFDR data */
		uint32_t n = wm_bytes(x->iptxfcr);
		if (x->tx_fill + n <= SIM_FLEXSPI_FIFO) {
			memcpy(x->tx + x->tx_fill, x->tfdr, n);
			x->tx_fill += n;
		}
	}
	run(x);
}

static void lut_write(struct sim_flexspi *x, uint32_t off, uint32_t v)
{
	if (x->lutcr & LUTCR_LOCK)
		return; /* locked LUT: writes are ignored */
	x->lut[(off - FSPI_LUT) / 4] = v;
}

static void lutcr_write(struct sim_flexspi *x, uint32_t v)
{
	if (!x->key_ok)
		return; /* LUTCR only changes right after the key is written */
	if ((v & 3u) == LUTCR_LOCK || (v & 3u) == LUTCR_UNLOCK)
		x->lutcr = v & 3u;
	x->key_ok = false;
}

static void ctrl_write(struct sim_flexspi *x, uint32_t off, uint32_t v)
{
	switch (off) {
	case FSPI_MCR0:
		x->mcr0 = v & ~MCR0_SWRESET;
		if (v & MCR0_SWRESET) { /* software reset: FIFOs, state machines and AHB buffers, not registers */
			x->rx_fill = x->tx_fill = 0;
			if (x->cs)
				sim_spinor_end(x->nor);
			x->running = x->cs = x->done_pending = false;
			x->ahb_valid = false;
			sim_prefetch_flush(&x->core_buf);
		}
		break;
	case FSPI_MCR1: x->mcr1 = v; break;
	case FSPI_MCR2: x->mcr2 = v; break;
	case FSPI_AHBCR:
		if (v & 0x2u) { /* CLRAHBRXBUF: drop the AHB RX buffers (self-clearing) */
			x->ahb_valid = false;
			sim_prefetch_flush(&x->core_buf);
		}
		x->ahbcr = v & ~0x2u;
		break;
	case FSPI_INTEN: x->inten = v; break;
	case FSPI_INTR: intr_write(x, v); break;
	case FSPI_LUTKEY: x->key_ok = v == LUTKEY_VALUE; break;
	case FSPI_LUTCR: lutcr_write(x, v); break;
	case FSPI_IPCR0: x->ipcr0 = v; break;
	case FSPI_IPCR1: x->ipcr1 = v & 0x87FFFFFFu; break;
	case FSPI_IPCMD:
		if (v & 1u)
			ipcmd_trigger(x);
		break;
	case FSPI_IPRXFCR:
		if (v & 1u) {
			x->rx_fill = 0;
			memset(x->rx, 0, sizeof(x->rx));
		}
		x->iprxfcr = v & ~1u;
		break;
	case FSPI_IPTXFCR:
		if (v & 1u)
			x->tx_fill = 0;
		x->iptxfcr = v & ~1u;
		break;
	default:
		if (off >= 0x20 && off < 0x60)
			x->misc[(off - 0x20) / 4] = v;
		break;
	}
}

int sim_flexspi_reg_write(void *opaque, uint32_t off, unsigned size, uint32_t v)
{
	struct sim_flexspi *x = opaque;

	if (size != 4)
		return -1; /* registers are 32-bit only [model: bus error] */
	if (off != FSPI_LUTKEY && off != FSPI_LUTCR)
		x->key_ok = false;
	x->core_timing_valid = false; /* LUT, FLSHA1CR2.ARDSEQID, MCR0 may change it */
	if (off >= FSPI_LUT && off < FSPI_LUT_END)
		lut_write(x, off, v);
	else if (off >= FSPI_TFDR && off < FSPI_LUT)
		memcpy(x->tfdr + (off - FSPI_TFDR), (uint8_t[4]){(uint8_t)v, (uint8_t)(v >> 8),
			(uint8_t)(v >> 16), (uint8_t)(v >> 24)}, 4);
	else if (off >= FSPI_FLSHA1CR0 && off < FSPI_FLSHA1CR0 + 16)
		x->flsh_cr0[(off - FSPI_FLSHA1CR0) / 4] = v & 0x7FFFFFu;
	else if (off >= FSPI_FLSHCR1A1 && off < FSPI_FLSHCR1A1 + 16)
		x->flshcr1[(off - FSPI_FLSHCR1A1) / 4] = v;
	else if (off >= FSPI_FLSHCR2A1 && off < FSPI_FLSHCR2A1 + 16)
		x->flshcr2[(off - FSPI_FLSHCR2A1) / 4] = v & ~(1u << 31); /* CLRINSTRPTR self-clears */
	else
		ctrl_write(x, off, v);
	return 0;
}

/* AHB read by a bus master other than the core (the debugger's AP): a hit
 * in the RX buffer returns what it holds, even if IP commands changed the
 * NOR since (stale until MCR0.SWRESET or AHBCR.CLRAHBRXBUF, as the RT1060
 * RM and fsl_flexspi_nor's FLEXSPI_SoftwareReset after programming say); a
 * miss costs the read command on the bus before the first word (quad
 * output read: 8 + 24/4 address + 6 dummy + 8 data clocks [model]) and
 * fills the line. While the NOR is busy it ignores the read command and
 * the data lines float high (datasheets: only RDSR is accepted while WIP). */
int sim_flexspi_ahb_read(void *opaque, uint32_t off, unsigned size, uint32_t *val)
{
	struct sim_flexspi *x = opaque;
	uint32_t line = off & ~(AHB_LINE - 1u), v = 0;

	if (sim_spinor_status(x->nor) & 1u) {
		*val = size == 4 ? 0xFFFFFFFFu : (1u << (8 * size)) - 1u;
		return 1;
	}
	if (!x->ahb_valid || x->ahb_addr != line || !(x->ahbcr & 0x20u)) {
		/* No prefetch (AHBCR.PREFETCHEN 0): every read goes to the NOR. */
		if (x->stall_until)
			x->stall_until(x->clock, fs_now(x) + 28ull * 1000000000ull / SPI_HZ);
		if (!(x->ahbcr & 0x20u))
			return 0;
		sim_spinor_peek(x->nor, line, x->ahb_line, AHB_LINE);
		x->ahb_addr = line;
		x->ahb_valid = true;
	}
	for (unsigned i = 0; i < size; i++)
		v |= (uint32_t)x->ahb_line[(off - line) + i] << (8 * i);
	*val = v;
	return 1;
}

/* Timing of the AHB read sequence (FLSHA1CR2.ARDSEQID, RT1060 RM FlexSPI
 * "Flash access by AHB command"): clocks of its instructions before READ,
 * and a data byte's time at READ's pads (x2 in DDR), at the SPI clock.
 * Without a READ in the sequence: quad output read, 28 clocks, as above. */
static void ard_timing(struct sim_flexspi *x)
{
	uint64_t clk_ps = 1000000000000ull / SPI_HZ, clocks = 0;
	unsigned seq = x->flshcr2[0] & 15u;

	x->core_cmd_ps = 20ull * clk_ps;
	x->core_byte_ps = 2ull * clk_ps;
	x->core_timing_valid = true;
	for (unsigned pc = 0; pc < 8; pc++) {
		uint16_t in = instr(x, seq, pc);
		unsigned op = in >> 10, pads = (in >> 8) & 3u, operand = in & 0xFFu;
		uint64_t per = (1u << pads) * ((op & 0x20u) ? 2u : 1u);

		switch (op) {
		case I_CMD_SDR: case I_CMD_DDR: clocks += (8 + per - 1) / per; break;
		case I_RADDR_SDR: case I_RADDR_DDR: clocks += (operand + per - 1) / per; break;
		case I_MODE1_SDR: case I_MODE2_SDR: case I_MODE4_SDR: case I_MODE8_SDR:
		case I_MODE8_DDR: clocks += (8 + per - 1) / per; break;
		case I_DUMMY_SDR: case I_DUMMY_DDR: clocks += operand; break;
		case I_READ_SDR: case I_READ_DDR:
			x->core_cmd_ps = clocks * clk_ps;
			x->core_byte_ps = 8ull * clk_ps / per;
			return;
		default: return; /* STOP or no read: keep the default */
		}
	}
}

/* The core fetches from the AHB window (fetch gate): a hit in its RX
 * buffer waits only for data still being clocked in; a miss issues the
 * AHB read sequence (sim_prefetch.c). The data itself comes from the
 * array [simplified: a fetch sees neither a stale buffer nor a busy NOR].
 * Without AHBCR.PREFETCHEN every fetch is its own command. */
uint64_t sim_flexspi_fetch(void *opaque, uint32_t off, unsigned size)
{
	struct sim_flexspi *x = opaque;

	if (x->mcr0 & MCR0_MDIS)
		return 0; /* module off: no window to time [simplified] */
	if (!x->core_timing_valid)
		ard_timing(x);
	if (!(x->ahbcr & 0x20u))
		sim_prefetch_flush(&x->core_buf);
	return sim_prefetch_fetch(&x->core_buf, off, size, fs_now(x), x->core_cmd_ps, x->core_byte_ps);
}

uint64_t sim_flexspi_fetch_commands(const struct sim_flexspi *x)
{
	return x->core_buf.commands;
}
