/* FTDI MPSSE SWD driver on libftdi1. MPSSE commands: FTDI AN_108 §3
 * (data shifting 0x19/0x1B out on -ve edge, 0x28/0x2A in on +ve edge, LSB
 * first; 0x80/0x82 pins; 0x86 divisor; 0x87 SEND_IMMEDIATE; 0x8A/0x8D/0x97
 * H-type clock set-up; 0x85 loopback off) and AN_135 (MPSSE sync with a bad
 * command). SWD packets come from the generic bit engine; this file turns a
 * dir/out bit batch into one command buffer and one read. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <ftdi.h>

#include "probes/ftdi.h"
#include "probes/swd_engine.h"
#include "sw/types.h"

#define FT_BASE_HZ_H 60000000u  /* H types with divide-by-5 off (AN_108 §3.8.1) */
#define FT_BASE_HZ_OLD 12000000u
#define FT_DEFAULT_HZ 4000000u
/* A batch is written whole before its answer is read, so the answer must fit
 * the chip's transmit buffer or the MPSSE stalls and the write never ends:
 * 4 KiB per channel on FT2232H/FT4232H, 1 KiB on FT232H (datasheets §
 * "Features"). A read transaction answers 5 bytes per 46 bits, so 16 Kbit
 * (~1.8 KiB back) and 8 Kbit (~0.9 KiB) respectively. */
#define FT_MAX_BITS 16384u
#define FT_MAX_BITS_232H 8192u
#define FT_READ_TIMEOUT_NS 2000000000ll
#define FT_LATENCY_MS 1 /* a safety net only: every read batch ends in 0x87 */

/* AN_108 opcodes used here. */
#define OP_BYTES_OUT 0x19 /* MPSSE_DO_WRITE | MPSSE_LSB | MPSSE_WRITE_NEG */
#define OP_BITS_OUT 0x1B  /* ... | MPSSE_BITMODE */
#define OP_BYTES_IN 0x28  /* MPSSE_DO_READ | MPSSE_LSB, sampled on +ve edge */
#define OP_BITS_IN 0x2A   /* ... | MPSSE_BITMODE */
#define OP_BAD_SYNC 0xAA  /* an invalid opcode: the chip echoes 0xFA 0xAA */
#define RESP_BAD_CMD 0xFA

struct ft_seg { /* one read command's place in the batch and the response */
	size_t bit, nbits, resp;
	bool bits_cmd;
};

struct ftdi_probe {
	struct sw_probe probe;
	struct ftdi_context *ftdi;
	const struct sw_ftdi_layout *lay;
	struct sw_swd_engine *eng;
	struct sw_swd_backend be;
	uint16_t data, dir;  /* pin image, ADBUS in bits 0-7, ACBUS in 8-15 */
	uint16_t sent_data, sent_dir;
	bool pins_valid;
	bool host_drives;    /* SWDIO direction last set */
	uint32_t base_hz;
	uint8_t *cmd;
	size_t cmd_len, cmd_cap;
	uint8_t *resp;
	struct ft_seg *segs;
	size_t nsegs;
	uint8_t *tmp;
};

static struct ftdi_probe *ft_of(struct sw_probe *p)
{
	return p->priv;
}

static int ft_err(struct ftdi_probe *f, const char *what, int r)
{
	return sw_fail(f->probe.ctx, SW_ERR_IO, "ftdi: %s failed (%d: %s)", what, r,
		       ftdi_get_error_string(f->ftdi));
}

/* A failed USB transfer on an open adapter means it is gone (unplugged,
 * reset): every later call fails until it is opened again. */
static int ft_lost(struct ftdi_probe *f, const char *what, int r)
{
	if (!f->probe.lost)
		SW_LOG_E(f->probe.ctx, "ftdi: probe lost (%s failed: %s); %s", what, ftdi_get_error_string(f->ftdi),
			 f->probe.reopen[0] ? "reopened by serial at the next gdb connection once it is back, or with 'monitor probe reconnect'"
					    : "type 'monitor probe reconnect' once it is back");
	f->probe.lost = true;
	return sw_fail(f->probe.ctx, SW_ERR_IO, "ftdi: probe lost (%s failed: %d: %s)", what, r,
		       ftdi_get_error_string(f->ftdi));
}

/* ---- command buffer ------------------------------------------------------- */

static void ft_put(struct ftdi_probe *f, uint8_t b)
{
	if (f->cmd_len < f->cmd_cap)
		f->cmd[f->cmd_len] = b;
	f->cmd_len++; /* overflow is caught before sending */
}

/* Emit SET_BITS_LOW/HIGH for whatever part of the pin image changed. */
static void ft_put_pins(struct ftdi_probe *f)
{
	if (!f->pins_valid || (uint8_t)f->data != (uint8_t)f->sent_data ||
	    (uint8_t)f->dir != (uint8_t)f->sent_dir) {
		ft_put(f, SET_BITS_LOW);
		ft_put(f, (uint8_t)f->data);
		ft_put(f, (uint8_t)f->dir);
	}
	if (!f->pins_valid || (f->data >> 8) != (f->sent_data >> 8) ||
	    (f->dir >> 8) != (f->sent_dir >> 8)) {
		ft_put(f, SET_BITS_HIGH);
		ft_put(f, (uint8_t)(f->data >> 8));
		ft_put(f, (uint8_t)(f->dir >> 8));
	}
	f->sent_data = f->data;
	f->sent_dir = f->dir;
	f->pins_valid = true;
}

/* Turn SWDIO around. Buffered adapters switch their SWDIO_OE signal; with a
 * resistor between TDI and SWDIO the TDI pin itself becomes an input, so the
 * target never fights the adapter (swd-resistor-hack.cfg wiring). */
static void ft_swdio_drive(struct ftdi_probe *f, bool drive)
{
	if (f->pins_valid && f->host_drives == drive)
		return;
	if (f->lay->swdio_oe.data || f->lay->swdio_oe.oe)
		sw_ftdi_signal_apply(&f->lay->swdio_oe, drive ? '1' : '0', &f->data, &f->dir);
	else if (drive)
		f->dir |= SW_FTDI_TDI;
	else
		f->dir &= (uint16_t)~SW_FTDI_TDI;
	f->host_drives = drive;
	ft_put_pins(f);
}

static int ft_send(struct ftdi_probe *f)
{
	int r;

	if (f->cmd_len > f->cmd_cap)
		return sw_fail(f->probe.ctx, SW_ERR_NOMEM, "ftdi: command buffer overflow");
	if (!f->cmd_len)
		return SW_OK;
	r = ftdi_write_data(f->ftdi, f->cmd, (int)f->cmd_len);
	f->cmd_len = 0;
	if (r < 0)
		return ft_lost(f, "write", r);
	return SW_OK;
}

static int64_t ft_now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000000000ll + t.tv_nsec;
}

/* libftdi returns whatever arrived so far; loop until n bytes or timeout. */
static int ft_read(struct ftdi_probe *f, uint8_t *buf, size_t n)
{
	int64_t deadline = ft_now_ns() + FT_READ_TIMEOUT_NS;
	size_t got = 0;

	while (got < n) {
		int r = ftdi_read_data(f->ftdi, buf + got, (int)(n - got));
		if (r < 0)
			return ft_lost(f, "read", r);
		got += (size_t)r;
		if (got < n && ft_now_ns() > deadline)
			return sw_fail(f->probe.ctx, SW_ERR_TIMEOUT,
				       "ftdi: %zu of %zu response bytes after 2 s", got, n);
	}
	return SW_OK;
}

/* ---- the SWD backend --------------------------------------------------------- */

static unsigned ft_bit(const uint8_t *a, size_t k)
{
	return (unsigned)(a[k / 8] >> (k % 8)) & 1u;
}

static void ft_set_bit(uint8_t *a, size_t k, unsigned v)
{
	if (v)
		a[k / 8] |= (uint8_t)(1u << (k % 8));
	else
		a[k / 8] &= (uint8_t)~(1u << (k % 8));
}

/* Host-driven run: whole bytes with 0x19, the rest with 0x1B. */
static void ft_put_out(struct ftdi_probe *f, const uint8_t *out, size_t k, size_t n)
{
	size_t nb = n / 8, rem = n % 8, i;

	memset(f->tmp, 0, nb + 1);
	for (i = 0; i < n; i++)
		ft_set_bit(f->tmp, i, ft_bit(out, k + i));
	if (nb) {
		ft_put(f, OP_BYTES_OUT);
		ft_put(f, (uint8_t)(nb - 1));
		ft_put(f, (uint8_t)((nb - 1) >> 8));
		for (i = 0; i < nb; i++)
			ft_put(f, f->tmp[i]);
	}
	if (rem) {
		ft_put(f, OP_BITS_OUT);
		ft_put(f, (uint8_t)(rem - 1));
		ft_put(f, f->tmp[nb]);
	}
}

/* Sampled run: 0x28 for whole bytes, 0x2A for the rest; note where each
 * answer lands. */
static size_t ft_put_in(struct ftdi_probe *f, size_t k, size_t n, size_t resp)
{
	size_t nb = n / 8, rem = n % 8;

	if (nb) {
		ft_put(f, OP_BYTES_IN);
		ft_put(f, (uint8_t)(nb - 1));
		ft_put(f, (uint8_t)((nb - 1) >> 8));
		f->segs[f->nsegs++] = (struct ft_seg){.bit = k, .nbits = nb * 8, .resp = resp};
		resp += nb;
	}
	if (rem) {
		ft_put(f, OP_BITS_IN);
		ft_put(f, (uint8_t)(rem - 1));
		f->segs[f->nsegs++] =
			(struct ft_seg){.bit = k + nb * 8, .nbits = rem, .resp = resp, .bits_cmd = true};
		resp++;
	}
	return resp;
}

/* LSB-first bit reads arrive in the top bits of the byte (AN_108 §3.3:
 * the data shifts in from the MSB end). */
static void ft_unpack(struct ftdi_probe *f, uint8_t *in)
{
	for (size_t s = 0; s < f->nsegs; s++) {
		const struct ft_seg *g = &f->segs[s];
		for (size_t i = 0; i < g->nbits; i++) {
			unsigned v = g->bits_cmd ? (unsigned)(f->resp[g->resp] >> (8 - g->nbits + i)) & 1u
						 : ft_bit(f->resp + g->resp, i);
			ft_set_bit(in, g->bit + i, v);
		}
	}
}

static int ft_io(void *user, const uint8_t *dir, const uint8_t *out, uint8_t *in, size_t nbits)
{
	struct ftdi_probe *f = user;
	size_t k = 0, resp = 0;
	int r;

	f->cmd_len = 0;
	f->nsegs = 0;
	while (k < nbits) {
		unsigned d = ft_bit(dir, k);
		size_t n = 1;
		while (k + n < nbits && ft_bit(dir, k + n) == d)
			n++;
		ft_swdio_drive(f, d != 0);
		if (d)
			ft_put_out(f, out, k, n);
		else
			resp = ft_put_in(f, k, n, resp);
		k += n;
	}
	if (resp)
		ft_put(f, SEND_IMMEDIATE); /* flush now, not at the latency timer */
	r = ft_send(f);
	if (r == SW_OK && resp)
		r = ft_read(f, f->resp, resp);
	if (r != SW_OK)
		return r;
	if (in) {
		for (k = 0; k < nbits; k++) /* driven bits read back as driven */
			ft_set_bit(in, k, ft_bit(dir, k) ? ft_bit(out, k) : 1u);
		ft_unpack(f, in);
	}
	return SW_OK;
}

/* Estimate for the stats: data bytes plus about one 3-byte header per
 * direction change (two per 46-bit transaction). */
static void ft_cost(void *user, size_t nbits, size_t *bytes_out, size_t *bytes_in)
{
	size_t turns = 2 * (nbits / 46 + 1);

	(void)user;
	*bytes_out = (nbits + 7) / 8 + 6 * turns + 1;
	*bytes_in = (nbits + 7) / 8;
}

/* ---- probe ops -------------------------------------------------------------- */

uint16_t sw_ftdi_divisor(uint32_t hz, uint32_t *actual_hz)
{
	uint32_t div;

	if (hz == 0)
		hz = 1;
	/* f = 60 MHz / (2 * (1 + div)) (AN_108 §3.8.2, H types, /5 off) */
	div = (FT_BASE_HZ_H / 2 + hz - 1) / hz;
	div = div ? div - 1 : 0;
	if (div > 0xFFFF)
		div = 0xFFFF;
	*actual_hz = FT_BASE_HZ_H / (2 * (div + 1));
	return (uint16_t)div;
}

static int ft_set_freq(struct sw_probe *p, uint32_t hz, uint32_t *actual_hz)
{
	struct ftdi_probe *f = ft_of(p);
	uint16_t div = sw_ftdi_divisor(hz, actual_hz);

	if (f->base_hz != FT_BASE_HZ_H) { /* FT2232C/D: 12 MHz base */
		uint32_t d = (f->base_hz / 2 + (hz ? hz : 1) - 1) / (hz ? hz : 1);
		div = (uint16_t)(d ? (d - 1 > 0xFFFF ? 0xFFFF : d - 1) : 0);
		*actual_hz = f->base_hz / (2 * ((uint32_t)div + 1));
	}
	f->cmd_len = 0;
	ft_put(f, TCK_DIVISOR);
	ft_put(f, (uint8_t)div);
	ft_put(f, (uint8_t)(div >> 8));
	p->freq_hz = *actual_hz;
	return ft_send(f);
}

static int ft_set_nrst(struct sw_probe *p, bool asserted)
{
	struct ftdi_probe *f = ft_of(p);

	if (!f->lay->nsrst.data && !f->lay->nsrst.oe)
		return sw_fail(p->ctx, SW_ERR_NOT_SUPPORTED, "ftdi: layout %s has no nRST pin",
			       f->lay->name);
	/* Open drain: '0' pulls nRESET low, 'z' lets the board's pull-up win. */
	sw_ftdi_signal_apply(&f->lay->nsrst, asserted ? '0' : 'z', &f->data, &f->dir);
	f->cmd_len = 0;
	ft_put_pins(f);
	return ft_send(f);
}

static int ft_swd_transfer(struct sw_probe *p, struct sw_swd_req *reqs, size_t n)
{
	return sw_swd_engine_transfer(ft_of(p)->eng, reqs, n);
}

static int ft_swj_sequence(struct sw_probe *p, const uint8_t *bits, size_t nbits)
{
	return sw_swd_engine_sequence(ft_of(p)->eng, bits, nbits);
}

static void ft_free(struct ftdi_probe *f)
{
	sw_swd_engine_free(f->eng);
	if (f->ftdi) {
		ftdi_set_bitmode(f->ftdi, 0, BITMODE_RESET);
		ftdi_usb_close(f->ftdi);
		ftdi_free(f->ftdi);
	}
	free(f->cmd);
	free(f->resp);
	free(f->segs);
	free(f->tmp);
	free(f);
}

static void ft_close(struct sw_probe *p)
{
	ft_free(ft_of(p));
}

static const struct sw_probe_ops ft_ops = {
	.name = "ftdi",
	.swd_transfer = ft_swd_transfer,
	.swj_sequence = ft_swj_sequence,
	.set_freq_hz = ft_set_freq,
	.set_nrst = ft_set_nrst,
	.target_voltage_mv = NULL, /* MPSSE adapters cannot measure VTref */
	.close = ft_close,
};

/* ---- open --------------------------------------------------------------------- */

struct ft_sel {
	int vid, pid;
	char serial[64];
};

static int ft_parse_sel(struct sw_ctx *ctx, const char *s, const struct sw_ftdi_layout *lay,
			struct ft_sel *sel)
{
	unsigned vid, pid;
	int n = 0;

	memset(sel, 0, sizeof(*sel));
	sel->vid = lay->vid;
	sel->pid = lay->pid;
	if (s && !strncmp(s, "ftdi", 4))
		s += 4;
	if (!s || !*s)
		return SW_OK;
	if (sscanf(s, ":%x:%x%n", &vid, &pid, &n) != 2 || vid > 0xFFFF || pid > 0xFFFF ||
	    (s[n] && s[n] != ':'))
		return sw_fail(ctx, SW_ERR_ARG, "ftdi: bad selector 'ftdi%s' (want ftdi:VID:PID[:SERIAL])",
			       s);
	sel->vid = (int)vid;
	sel->pid = (int)pid;
	if (s[n] == ':')
		snprintf(sel->serial, sizeof(sel->serial), "%s", s + n + 1);
	return SW_OK;
}

static int ft_alloc(struct ftdi_probe *f)
{
	f->cmd_cap = FT_MAX_BITS * 10 + 64;
	f->cmd = malloc(f->cmd_cap);
	f->resp = malloc(FT_MAX_BITS + 16);
	f->segs = calloc(2 * FT_MAX_BITS + 2, sizeof(*f->segs));
	f->tmp = malloc(FT_MAX_BITS / 8 + 2);
	return f->cmd && f->resp && f->segs && f->tmp ? SW_OK : SW_ERR_NOMEM;
}

static int ft_usb_open(struct sw_ctx *ctx, struct ftdi_probe *f, const struct ft_sel *sel)
{
	int r;

	f->ftdi = ftdi_new();
	if (!f->ftdi)
		return sw_fail(ctx, SW_ERR_NOMEM, "ftdi: ftdi_new failed");
	r = ftdi_set_interface(f->ftdi, f->lay->channel == 2 ? INTERFACE_B : INTERFACE_A);
	if (r < 0)
		return ft_err(f, "select channel", r);
	r = ftdi_usb_open_desc_index(f->ftdi, sel->vid, sel->pid, NULL,
				     sel->serial[0] ? sel->serial : NULL, 0);
	if (r < 0)
		return sw_fail(ctx, SW_ERR_NOT_FOUND, "ftdi: no adapter %04x:%04x%s%s (%s)", sel->vid,
			       sel->pid, sel->serial[0] ? " serial " : "", sel->serial,
			       ftdi_get_error_string(f->ftdi));
	if ((r = ftdi_usb_reset(f->ftdi)) < 0)
		return ft_err(f, "reset", r);
	if ((r = ftdi_set_latency_timer(f->ftdi, FT_LATENCY_MS)) < 0)
		return ft_err(f, "latency timer", r);
	if ((r = ftdi_set_bitmode(f->ftdi, 0, BITMODE_RESET)) < 0 ||
	    (r = ftdi_set_bitmode(f->ftdi, 0, BITMODE_MPSSE)) < 0)
		return ft_err(f, "MPSSE mode", r);
	if ((r = ftdi_tcioflush(f->ftdi)) < 0)
		return ft_err(f, "flush", r);
	return SW_OK;
}

/* AN_135 §4.2: an invalid opcode makes the MPSSE answer 0xFA and the
 * opcode, which proves it is in sync with the command stream. */
static int ft_sync(struct ftdi_probe *f)
{
	uint8_t ans[2];
	int r;

	f->cmd_len = 0;
	ft_put(f, OP_BAD_SYNC);
	ft_put(f, SEND_IMMEDIATE);
	r = ft_send(f);
	if (r == SW_OK)
		r = ft_read(f, ans, 2);
	if (r != SW_OK)
		return r;
	if (ans[0] != RESP_BAD_CMD || ans[1] != OP_BAD_SYNC)
		return sw_fail(f->probe.ctx, SW_ERR_PROTO, "ftdi: MPSSE out of sync (%02x %02x)",
			       ans[0], ans[1]);
	return SW_OK;
}

/* Clock set-up (AN_108 §3.8): 60 MHz master clock, no adaptive clocking,
 * two-phase clocking, loopback off; then the layout's pins with SWD_EN on. */
static int ft_mpsse_setup(struct ftdi_probe *f)
{
	enum ftdi_chip_type t = f->ftdi->type;
	bool h = t == TYPE_2232H || t == TYPE_4232H || t == TYPE_232H;
	uint32_t hz;
	int r;

	f->base_hz = h ? FT_BASE_HZ_H : FT_BASE_HZ_OLD;
	f->cmd_len = 0;
	if (h) {
		ft_put(f, DIS_DIV_5);
		ft_put(f, DIS_ADAPTIVE);
		ft_put(f, DIS_3_PHASE);
	}
	ft_put(f, LOOPBACK_END);
	f->data = f->lay->init_data;
	f->dir = (uint16_t)(f->lay->init_dir | SW_FTDI_TCK | SW_FTDI_TDI);
	f->dir &= (uint16_t)~SW_FTDI_TDO;
	f->data &= (uint16_t)~SW_FTDI_TCK; /* SWCLK idles low between commands */
	if (f->lay->swd_en.data || f->lay->swd_en.oe)
		sw_ftdi_signal_apply(&f->lay->swd_en, '1', &f->data, &f->dir);
	if (f->lay->nsrst.data || f->lay->nsrst.oe)
		sw_ftdi_signal_apply(&f->lay->nsrst, 'z', &f->data, &f->dir);
	f->pins_valid = false;
	ft_swdio_drive(f, true);
	r = ft_send(f);
	if (r == SW_OK)
		r = ft_sync(f);
	if (r == SW_OK)
		r = ft_set_freq(&f->probe, FT_DEFAULT_HZ, &hz);
	return r;
}

/* A selector that finds this very adapter again after an unplug: by its
 * USB serial string (libftdi compares it on open), given or, when it is
 * the only adapter with this VID:PID, read from it. Without one the
 * adapter is never reopened by itself (another one could answer). */
static void ft_set_reopen(struct sw_ctx *ctx, struct ftdi_probe *f, const struct ft_sel *sel)
{
	struct sw_ftdi_found found[8];
	const char *serial = sel->serial;
	size_t n = 0, same = 0, at = 0;

	if (!serial[0] && !sw_ftdi_list(ctx, found, 8, &n)) {
		for (size_t i = 0; i < n && i < 8; i++)
			if (found[i].vid == sel->vid && found[i].pid == sel->pid) {
				same++;
				at = i;
			}
		if (same == 1 && n <= 8)
			serial = found[at].serial;
	}
	/* FTDI serials are short (EEPROM strings); a longer one is not used. */
	if (serial[0] && strlen(serial) <= 40)
		snprintf(f->probe.reopen, sizeof(f->probe.reopen), "ftdi:%04x:%04x:%.40s", (unsigned)(uint16_t)sel->vid,
			 (unsigned)(uint16_t)sel->pid, serial);
}

int sw_ftdi_open(struct sw_ctx *ctx, const char *selector, const char *layout,
		 struct sw_probe **out)
{
	const struct sw_ftdi_layout *lay = sw_ftdi_layout_find(layout ? layout : "ft232h");
	struct ftdi_probe *f;
	struct ft_sel sel;
	int r;

	*out = NULL;
	if (!lay)
		return sw_fail(ctx, SW_ERR_NOT_FOUND, "ftdi: unknown layout '%s'", layout);
	r = ft_parse_sel(ctx, selector, lay, &sel);
	if (r != SW_OK)
		return r;
	f = calloc(1, sizeof(*f));
	if (!f)
		return sw_fail(ctx, SW_ERR_NOMEM, "ftdi: out of memory");
	f->probe.ops = &ft_ops;
	f->probe.ctx = ctx;
	f->probe.priv = f;
	f->lay = lay;
	r = ft_alloc(f);
	if (r != SW_OK)
		r = sw_fail(ctx, r, "ftdi: out of memory");
	if (r == SW_OK) {
		ft_set_reopen(ctx, f, &sel); /* listing first: it opens adapters to read their strings */
		r = ft_usb_open(ctx, f, &sel);
	}
	if (r == SW_OK)
		r = ft_mpsse_setup(f);
	if (r == SW_OK) {
		f->be = (struct sw_swd_backend){
			.user = f, .io = ft_io, .cost = ft_cost,
			.max_bits = f->ftdi->type == TYPE_232H ? FT_MAX_BITS_232H : FT_MAX_BITS};
		r = sw_swd_engine_new(ctx, &f->be, &f->probe.stats, &f->eng);
	}
	if (r != SW_OK) {
		ft_free(f);
		return r;
	}
	SW_LOG_I(ctx, "ftdi: %04x:%04x channel %c, layout %s, %u Hz SWCLK", sel.vid, sel.pid,
		 lay->channel == 2 ? 'B' : 'A', lay->name, f->probe.freq_hz);
	*out = &f->probe;
	return SW_OK;
}
