/* MPSSE model: FTDI AN_108 "Command Processor for MPSSE and MCU Host Bus
 * Emulation Modes" §3 (data shifting, pin set/read, clock divisor, H-type
 * clock commands, SEND_IMMEDIATE, bad-command answer 0xFA) driving the
 * simulated SWD wire. One MPSSE clock is one SWD cycle. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/mpsse.h"
#include "probes/ftdi.h"
#include "sw/types.h"

#define MP_RX_MAX (1u << 20) /* host->chip bytes that may wait for a split command */
#define MP_TX_MAX (1u << 20)
#define MP_BAD_CMD 0xFA

struct mpsse {
	struct sw_ctx *ctx;
	struct sim *sim;
	struct mpsse_wiring w;
	bool enabled;
	uint16_t data, dir;
	uint16_t divisor;
	bool div5, adaptive, three_phase, loopback;
	bool nrst_asserted;
	bool unflushed;
	uint8_t *rx;
	size_t rx_len;
	uint8_t *tx;
	size_t tx_head, tx_len;
	uint8_t *bits_dir, *bits_out, *bits_in; /* per-command wire buffers */
	struct mpsse_stats stats;
};

/* ---- pins and wire ------------------------------------------------------------ */

static bool mp_signal_driven(const struct mpsse *m, const struct mpsse_signal *s, bool *level)
{
	bool oe = true;

	if (s->oe == s->data && s->oe) /* open drain: OE is the pin direction */
		oe = ((m->dir & s->oe) != 0) != s->noe;
	else if (s->oe)
		oe = ((m->data & s->oe) != 0) != s->noe;
	if (!oe)
		return false;
	if (!s->data) { /* a buffer that only pulls low when enabled */
		*level = false;
		return true;
	}
	if (!(m->dir & s->data))
		return false;
	*level = ((m->data & s->data) != 0) != s->ndata;
	return true;
}

/* The host drives SWDIO when TDI is an output and, on buffered adapters,
 * the SWDIO buffer is enabled. */
static bool mp_host_drives(const struct mpsse *m)
{
	const struct mpsse_signal *oe = &m->w.swdio_oe;
	bool level;

	if (!(m->dir & m->w.swdio_out))
		return false;
	if (!oe->data && !oe->oe)
		return true;
	return mp_signal_driven(m, oe, &level) && level;
}

static void mp_update_nrst(struct mpsse *m)
{
	bool level = true, asserted;

	if (!m->w.nsrst.data && !m->w.nsrst.oe)
		return;
	asserted = mp_signal_driven(m, &m->w.nsrst, &level) && !level;
	if (asserted != m->nrst_asserted) {
		m->nrst_asserted = asserted;
		sim_set_nrst(m->sim, asserted);
		SW_LOG_D(m->ctx, "mpsse: nRESET %s", asserted ? "low" : "released");
	}
}

static void mp_update_clock(struct mpsse *m)
{
	struct sim_timing t;
	uint32_t base = m->div5 ? 12000000u : 60000000u;

	sim_get_timing(m->sim, &t);
	t.swclk_hz = base / (2u * ((uint32_t)m->divisor + 1u));
	sim_set_timing(m->sim, &t);
}

uint32_t mpsse_clock_hz(const struct mpsse *m)
{
	return (m->div5 ? 12000000u : 60000000u) / (2u * ((uint32_t)m->divisor + 1u));
}

bool mpsse_nrst_asserted(const struct mpsse *m)
{
	return m->nrst_asserted;
}

static void mp_tx(struct mpsse *m, uint8_t b)
{
	if (m->tx_head + m->tx_len >= MP_TX_MAX) { /* compact; drop if truly full */
		memmove(m->tx, m->tx + m->tx_head, m->tx_len);
		m->tx_head = 0;
		if (m->tx_len >= MP_TX_MAX)
			return;
	}
	m->tx[m->tx_head + m->tx_len++] = b;
	m->unflushed = true;
}

static unsigned mp_bit(const uint8_t *a, size_t k, bool msb)
{
	return msb ? (unsigned)(a[k / 8] >> (7 - k % 8)) & 1u : (unsigned)(a[k / 8] >> (k % 8)) & 1u;
}

static void mp_set_bit(uint8_t *a, size_t k, unsigned v)
{
	if (v)
		a[k / 8] |= (uint8_t)(1u << (k % 8));
	else
		a[k / 8] &= (uint8_t)~(1u << (k % 8));
}

/* Clock n cycles. data (may be NULL) gives TDI per cycle in the command's bit
 * order; the sampled TDO values land in m->bits_in (LSB first). */
static void mp_clock(struct mpsse *m, const uint8_t *data, size_t n, bool msb)
{
	bool drive = mp_host_drives(m);
	unsigned tdi = (m->data & m->w.swdio_out) != 0;
	size_t nb = (n + 7) / 8, k;

	memset(m->bits_dir, drive ? 0xFF : 0x00, nb);
	memset(m->bits_in, 0, nb);
	for (k = 0; k < n; k++) {
		if (data)
			tdi = mp_bit(data, k, msb);
		mp_set_bit(m->bits_out, k, tdi);
	}
	if (data) /* TDI keeps the last bit shifted out */
		m->data = tdi ? (uint16_t)(m->data | m->w.swdio_out)
			      : (uint16_t)(m->data & ~m->w.swdio_out);
	m->stats.clocks += n;
	if (m->loopback) { /* TDI looped to TDO inside the chip, wire untouched */
		memcpy(m->bits_in, m->bits_out, nb);
		return;
	}
	sim_wire_io(m->sim, m->bits_dir, m->bits_out, m->bits_in, n);
	if (drive) /* TDO sees the line the host drives */
		memcpy(m->bits_in, m->bits_out, nb);
}

/* Queue sampled bits for the host in the command's bit order. Bit-mode
 * reads shift in from the top of the byte (AN_108 §3.3.x notes). */
static void mp_answer(struct mpsse *m, size_t n, bool msb, bool bitmode)
{
	size_t nb = (n + 7) / 8;

	for (size_t i = 0; i < nb; i++) {
		uint8_t b = 0;
		size_t cnt = (i + 1) * 8 <= n ? 8 : n - i * 8;
		for (size_t j = 0; j < cnt; j++) {
			unsigned v = mp_bit(m->bits_in, i * 8 + j, false);
			if (bitmode && !msb)
				b |= (uint8_t)(v << (8 - cnt + j));
			else if (msb)
				b |= (uint8_t)(v << (7 - j));
			else
				b |= (uint8_t)(v << j);
		}
		mp_tx(m, b);
	}
}

/* ---- command decoding ----------------------------------------------------------- */

/* Bytes of the command at p (n available): 0 = need more. */
static size_t mp_cmd_len(const uint8_t *p, size_t n)
{
	uint8_t op = p[0];

	if (op < 0x80 && (op & (MPSSE_DO_WRITE | MPSSE_DO_READ | MPSSE_WRITE_TMS))) {
		bool wr = op & (MPSSE_DO_WRITE | MPSSE_WRITE_TMS);
		if (op & MPSSE_BITMODE)
			return wr ? 3 : 2;
		if (n < 3)
			return 0;
		return 3 + (wr ? (size_t)sw_le16_get(p + 1) + 1 : 0);
	}
	switch (op) {
	case SET_BITS_LOW: case SET_BITS_HIGH: case TCK_DIVISOR: case CLK_BYTES:
	case DRIVE_OPEN_COLLECTOR:
		return 3;
	case CLK_BITS:
		return 2;
	default:
		return 1;
	}
}

/* Data shifting, opcodes 0x10-0x7F (AN_108 §3.3-3.5): bit 0 write on -ve
 * edge, 1 bit mode, 2 read on -ve edge, 3 LSB first, 4 write TDI, 5 read
 * TDO, 6 write TMS. SWD needs write on -ve and read on +ve; other edge
 * choices still clock, but are logged since a real target would misread. */
static void mp_shift(struct mpsse *m, const uint8_t *p)
{
	uint8_t op = p[0];
	bool bitmode = op & MPSSE_BITMODE, msb = !(op & MPSSE_LSB);
	bool rd = op & MPSSE_DO_READ, tms = op & MPSSE_WRITE_TMS;
	size_t n = bitmode ? (size_t)p[1] + 1 : ((size_t)sw_le16_get(p + 1) + 1) * 8;
	const uint8_t *data = NULL;

	if ((op & MPSSE_DO_WRITE) && !tms)
		data = p + (bitmode ? 2 : 3);
	if (((op & MPSSE_DO_WRITE) && !(op & MPSSE_WRITE_NEG)) || (rd && (op & MPSSE_READ_NEG)))
		SW_LOG_D(m->ctx, "mpsse: opcode 0x%02x uses SWD-unsafe clock edges", op);
	if (tms) { /* TMS is not wired for SWD: clock only, TDI holds (bit 7 of the byte) */
		unsigned tdi = p[2] >> 7;
		m->data = tdi ? (uint16_t)(m->data | m->w.swdio_out)
			      : (uint16_t)(m->data & ~m->w.swdio_out);
		n = (size_t)(p[1] & 7u) + 1;
	}
	mp_clock(m, data, n, msb);
	if (rd)
		mp_answer(m, n, msb, bitmode);
}

/* Input pins read back as their line level: TDO follows SWDIO, other inputs
 * sit at the FTDI's internal pull-ups. */
static uint8_t mp_pins(const struct mpsse *m, bool high)
{
	uint16_t v = (uint16_t)((m->data & m->dir) | (uint16_t)~m->dir);

	return (uint8_t)(high ? v >> 8 : v);
}

static void mp_exec(struct mpsse *m, const uint8_t *p)
{
	uint8_t op = p[0];

	m->stats.commands++;
	if (op < 0x80 && (op & (MPSSE_DO_WRITE | MPSSE_DO_READ | MPSSE_WRITE_TMS))) {
		if (!m->adaptive) /* no RTCK wired: adaptive clocking would hang */
			mp_shift(m, p);
		return;
	}
	switch (op) {
	case SET_BITS_LOW:
	case SET_BITS_HIGH: {
		unsigned sh = op == SET_BITS_HIGH ? 8 : 0;
		uint16_t mask = (uint16_t)(0xFFu << sh);
		m->data = (uint16_t)((m->data & ~mask) | (p[1] << sh));
		m->dir = (uint16_t)((m->dir & ~mask) | (p[2] << sh));
		mp_update_nrst(m);
		break;
	}
	case GET_BITS_LOW: case GET_BITS_HIGH:
		mp_tx(m, mp_pins(m, op == GET_BITS_HIGH));
		break;
	case LOOPBACK_START: case LOOPBACK_END:
		m->loopback = op == LOOPBACK_START;
		break;
	case TCK_DIVISOR:
		m->divisor = sw_le16_get(p + 1);
		mp_update_clock(m);
		break;
	case SEND_IMMEDIATE:
		m->unflushed = false;
		m->stats.send_immediates++;
		break;
	case DIS_DIV_5: case EN_DIV_5:
		m->div5 = op == EN_DIV_5;
		mp_update_clock(m);
		break;
	case EN_3_PHASE: case DIS_3_PHASE:
		m->three_phase = op == EN_3_PHASE;
		break;
	case EN_ADAPTIVE: case DIS_ADAPTIVE:
		m->adaptive = op == EN_ADAPTIVE;
		break;
	case CLK_BITS: case CLK_BYTES:
		mp_clock(m, NULL, op == CLK_BITS ? (size_t)p[1] + 1 : ((size_t)sw_le16_get(p + 1) + 1) * 8,
			 false);
		break;
	case DRIVE_OPEN_COLLECTOR:
		break;
	default: /* AN_108 §3.1: "Bad Command" answer, then carry on */
		m->stats.bad_commands++;
		mp_tx(m, MP_BAD_CMD);
		mp_tx(m, op);
		break;
	}
}

void mpsse_write(struct mpsse *m, const uint8_t *buf, size_t len)
{
	size_t off = 0;

	if (!m->enabled)
		return; /* UART mode: the bytes go out of TXD, not to the MPSSE */
	if (m->rx_len + len > MP_RX_MAX) {
		SW_LOG_W(m->ctx, "mpsse: host overran the command buffer");
		len = MP_RX_MAX - m->rx_len;
	}
	memcpy(m->rx + m->rx_len, buf, len);
	m->rx_len += len;
	while (off < m->rx_len) {
		size_t n = mp_cmd_len(m->rx + off, m->rx_len - off);
		if (n == 0 || n > m->rx_len - off)
			break;
		mp_exec(m, m->rx + off);
		off += n;
	}
	memmove(m->rx, m->rx + off, m->rx_len - off);
	m->rx_len -= off;
}

size_t mpsse_read(struct mpsse *m, uint8_t *buf, size_t max)
{
	size_t n = m->tx_len < max ? m->tx_len : max;

	memcpy(buf, m->tx + m->tx_head, n);
	m->tx_head += n;
	m->tx_len -= n;
	if (!m->tx_len)
		m->tx_head = 0;
	return n;
}

size_t mpsse_pending(const struct mpsse *m)
{
	return m->tx_len;
}

bool mpsse_take_unflushed(struct mpsse *m)
{
	bool u = m->unflushed && m->tx_len;

	m->unflushed = false;
	if (u)
		m->stats.latency_waits++;
	return u;
}

void mpsse_get_stats(const struct mpsse *m, struct mpsse_stats *s)
{
	*s = m->stats;
}

void mpsse_reset(struct mpsse *m)
{
	m->enabled = false;
	m->data = 0;
	m->dir = 0;
	m->divisor = 0;
	m->div5 = true; /* power-on: 12 MHz master clock (AN_108 §3.8) */
	m->adaptive = m->three_phase = m->loopback = false;
	m->rx_len = m->tx_len = m->tx_head = 0;
	m->unflushed = false;
	mp_update_nrst(m);
}

void mpsse_enable(struct mpsse *m, bool on)
{
	m->enabled = on;
}

int mpsse_new(struct sw_ctx *ctx, struct sim *sim, const struct mpsse_wiring *w,
	      struct mpsse **out)
{
	struct mpsse *m = calloc(1, sizeof(*m));
	size_t bits = 65536 * 8 / 8 + 8; /* one byte command clocks up to 64 Ki bytes */

	*out = NULL;
	if (!m)
		return sw_fail(ctx, SW_ERR_NOMEM, "mpsse: out of memory");
	m->ctx = ctx;
	m->sim = sim;
	m->w = *w;
	m->rx = malloc(MP_RX_MAX);
	m->tx = malloc(MP_TX_MAX);
	m->bits_dir = malloc(bits);
	m->bits_out = malloc(bits);
	m->bits_in = malloc(bits);
	if (!m->rx || !m->tx || !m->bits_dir || !m->bits_out || !m->bits_in) {
		mpsse_free(m);
		return sw_fail(ctx, SW_ERR_NOMEM, "mpsse: out of memory");
	}
	mpsse_reset(m);
	/* An FT2232H/FT232H is costed as one (reference/perf.md §6: 0.3 ms per
	 * flush with SEND_IMMEDIATE), not as a J-Link; the SWCLK follows the
	 * divisor the driver programs (mp_update_clock). */
	{
		struct sim_timing t = sim_timing_ftdi_hs, cur;
		sim_get_timing(sim, &cur);
		t.swclk_hz = cur.swclk_hz;
		sim_set_timing(sim, &t);
	}
	*out = m;
	return SW_OK;
}

void mpsse_free(struct mpsse *m)
{
	if (!m)
		return;
	free(m->rx);
	free(m->tx);
	free(m->bits_dir);
	free(m->bits_out);
	free(m->bits_in);
	free(m);
}

/* ---- libftdi1 replacement: a simulated adapter on a simulated board --------- */

struct mp_shim {
	struct ftdi_context ftdi; /* first: the pointer the driver holds */
	struct sw_ctx ctx;
	struct mpsse *m;
	struct sim *sim;
	bool own_sim;
	const char *layout;
	unsigned latency_ms;
	/* The handle saw its device unplugged: libusb fails every later
	 * transfer on it (LIBUSB_ERROR_NO_DEVICE), even once the device is
	 * back, since a replugged device is a new one to open. */
	bool gone;
};

static struct mp_shim *mp_shim_of(struct ftdi_context *ftdi)
{
	return (struct mp_shim *)(void *)ftdi;
}

static int mp_shim_fail(struct ftdi_context *ftdi, int code, const char *msg)
{
	ftdi->error_str = msg;
	return code;
}

/* The model's one adapter, as libftdi reports it (ftdi_usb_get_strings). */
#define MP_SERIAL "MPSSE0001"

/* Unplugged while the file named by SW_MPSSE_UNPLUGGED exists (a test's
 * way to pull the USB cable): the device is off the bus, so it is not
 * found or opened, and transfers on an open handle fail as libusb's do on
 * a vanished device (libftdi: -1 "usb bulk write/read failed"). */
static bool mp_unplugged_now(void)
{
	const char *path = getenv("SW_MPSSE_UNPLUGGED");
	FILE *f;

	if (!path || !*path || !(f = fopen(path, "r")))
		return false;
	fclose(f);
	return true;
}

/* For transfers on an open handle: a handle that saw the unplug stays dead. */
static bool mp_handle_gone(struct mp_shim *s)
{
	if (!s->gone && mp_unplugged_now())
		s->gone = true;
	return s->gone;
}

static void mp_wiring_from_layout(const struct sw_ftdi_layout *l, struct mpsse_wiring *w)
{
	memset(w, 0, sizeof(*w));
	w->swclk = SW_FTDI_TCK;
	w->swdio_out = SW_FTDI_TDI;
	w->swdio_in = SW_FTDI_TDO;
	w->swdio_oe = (struct mpsse_signal){l->swdio_oe.data, l->swdio_oe.oe, l->swdio_oe.ndata,
					    l->swdio_oe.noe};
	w->nsrst = (struct mpsse_signal){l->nsrst.data, l->nsrst.oe, l->nsrst.ndata, l->nsrst.noe};
}

static const struct sw_ftdi_layout *mp_layout_for(const char *name, int vid, int pid)
{
	size_t n;
	const struct sw_ftdi_layout *t = sw_ftdi_layouts(&n);

	if (name)
		return sw_ftdi_layout_find(name);
	for (size_t i = 0; i < n; i++)
		if (t[i].vid == vid && t[i].pid == pid)
			return &t[i];
	return NULL;
}

int mpsse_ftdi_attach(struct ftdi_context *ftdi, struct sim *sim, const char *layout)
{
	struct mp_shim *s = mp_shim_of(ftdi);

	s->sim = sim;
	s->own_sim = false;
	s->layout = layout;
	return 0;
}

struct mpsse *mpsse_ftdi_model(struct ftdi_context *ftdi)
{
	return mp_shim_of(ftdi)->m;
}

struct ftdi_context *mpsse_ftdi_new(void)
{
	struct mp_shim *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	sw_ctx_init(&s->ctx);
	s->ctx.level = SW_LOG_WARN;
	s->ftdi.type = TYPE_2232H;
	s->ftdi.interface = 0;
	s->ftdi.usb_read_timeout = 5000;
	s->ftdi.usb_write_timeout = 5000;
	s->latency_ms = 16; /* FTDI power-on default */
	s->ftdi.error_str = "";
	return &s->ftdi;
}

int mpsse_ftdi_usb_close(struct ftdi_context *ftdi)
{
	struct mp_shim *s = mp_shim_of(ftdi);

	mpsse_free(s->m);
	s->m = NULL;
	if (s->own_sim)
		sim_free(s->sim);
	if (s->own_sim)
		s->sim = NULL;
	s->own_sim = false;
	return 0;
}

void mpsse_ftdi_free(struct ftdi_context *ftdi)
{
	if (!ftdi)
		return;
	mpsse_ftdi_usb_close(ftdi);
	free(mp_shim_of(ftdi));
}

int mpsse_ftdi_set_interface(struct ftdi_context *ftdi, enum ftdi_interface iface)
{
	if (iface > INTERFACE_D)
		return mp_shim_fail(ftdi, -1, "unknown interface");
	ftdi->interface = iface == INTERFACE_ANY ? 0 : (int)iface - 1;
	return 0;
}

static int mp_shim_make_sim(struct mp_shim *s)
{
	const char *chip = getenv("SW_MPSSE_CHIP"), *elf = getenv("SW_MPSSE_LOAD");

	if (s->sim)
		return 0;
	if (sim_new(&s->ctx, chip ? chip : "stm32h743", &s->sim) != SW_OK)
		return -1;
	if (elf && sim_load_elf(s->sim, elf) != SW_OK) {
		sim_free(s->sim);
		s->sim = NULL;
		return -1;
	}
	sim_power_on_reset(s->sim);
	s->own_sim = true;
	return 0;
}

int mpsse_ftdi_usb_open_desc_index(struct ftdi_context *ftdi, int vendor, int product,
				   const char *description, const char *serial,
				   unsigned int index)
{
	struct mp_shim *s = mp_shim_of(ftdi);
	const char *name = s->layout ? s->layout : getenv("SW_MPSSE_LAYOUT");
	const struct sw_ftdi_layout *l = mp_layout_for(name, vendor, product);
	struct mpsse_wiring w;

	(void)description;
	/* libftdi opens only a device whose serial string matches, if given. */
	if (!l || index != 0 || l->vid != vendor || l->pid != product || mp_unplugged_now() ||
	    (serial && strcmp(serial, MP_SERIAL) != 0))
		return mp_shim_fail(ftdi, -3, "device not found");
	if (mp_shim_make_sim(s) != 0)
		return mp_shim_fail(ftdi, -4, "unable to open device");
	ftdi->type = product == 0x6014 ? TYPE_232H : product == 0x6011 ? TYPE_4232H : TYPE_2232H;
	mp_wiring_from_layout(l, &w);
	mpsse_free(s->m);
	if (mpsse_new(&s->ctx, s->sim, &w, &s->m) != SW_OK)
		return mp_shim_fail(ftdi, -4, "unable to open device");
	s->gone = false;
	return 0;
}

int mpsse_ftdi_usb_reset(struct ftdi_context *ftdi)
{
	struct mp_shim *s = mp_shim_of(ftdi);

	if (!s->m)
		return mp_shim_fail(ftdi, -2, "USB device unavailable");
	mpsse_reset(s->m);
	return 0;
}

int mpsse_ftdi_set_latency_timer(struct ftdi_context *ftdi, unsigned char latency)
{
	if (latency < 1)
		return mp_shim_fail(ftdi, -1, "latency out of range. Only valid for 1-255");
	mp_shim_of(ftdi)->latency_ms = latency;
	return 0;
}

int mpsse_ftdi_set_bitmode(struct ftdi_context *ftdi, unsigned char bitmask, unsigned char mode)
{
	struct mp_shim *s = mp_shim_of(ftdi);

	(void)bitmask;
	if (!s->m)
		return mp_shim_fail(ftdi, -2, "USB device unavailable");
	/* MPSSE exists on channels A and B of the 2232H/4232H, and the 232H. */
	if (mode == BITMODE_MPSSE && (ftdi->interface > 1 ||
				      (ftdi->type == TYPE_232H && ftdi->interface != 0)))
		return mp_shim_fail(ftdi, -1, "MPSSE not available on this channel");
	mpsse_enable(s->m, mode == BITMODE_MPSSE);
	return 0;
}

int mpsse_ftdi_tcioflush(struct ftdi_context *ftdi)
{
	struct mp_shim *s = mp_shim_of(ftdi);
	uint8_t junk[256];

	if (!s->m)
		return mp_shim_fail(ftdi, -3, "USB device unavailable");
	while (mpsse_read(s->m, junk, sizeof(junk)))
		;
	return 0;
}

/* One bulk OUT transfer and the answer it provokes: one round trip. */
int mpsse_ftdi_write_data(struct ftdi_context *ftdi, const unsigned char *buf, int size)
{
	struct mp_shim *s = mp_shim_of(ftdi);
	size_t before;

	if (!s->m)
		return mp_shim_fail(ftdi, -666, "USB device unavailable");
	if (mp_handle_gone(s))
		return mp_shim_fail(ftdi, -1, "usb bulk write failed");
	if (size <= 0)
		return 0;
	before = mpsse_pending(s->m);
	mpsse_write(s->m, buf, (size_t)size);
	sim_round_trip(s->sim, (size_t)size, mpsse_pending(s->m) - before);
	return size;
}

int mpsse_ftdi_read_data(struct ftdi_context *ftdi, unsigned char *buf, int size)
{
	struct mp_shim *s = mp_shim_of(ftdi);

	if (!s->m)
		return mp_shim_fail(ftdi, -666, "USB device unavailable");
	if (mp_handle_gone(s))
		return mp_shim_fail(ftdi, -1, "usb bulk read failed");
	if (size <= 0)
		return 0;
	/* Without SEND_IMMEDIATE the chip holds short answers until its
	 * latency timer fires (FTDI AN232B-04). */
	if (mpsse_take_unflushed(s->m))
		sim_advance_ns(s->sim, (uint64_t)s->latency_ms * 1000000u);
	return (int)mpsse_read(s->m, buf, (size_t)size);
}

const char *mpsse_ftdi_get_error_string(struct ftdi_context *ftdi)
{
	return ftdi->error_str;
}

int mpsse_ftdi_usb_find_all(struct ftdi_context *ftdi, struct ftdi_device_list **devlist, int vendor,
			    int product)
{
	const char *name = getenv("SW_MPSSE_LAYOUT");
	const struct sw_ftdi_layout *l = sw_ftdi_layout_find(name ? name : "ft232h");

	(void)ftdi;
	*devlist = NULL;
	if (!getenv("SW_MPSSE_CHIP") || !l || l->vid != vendor || l->pid != product || mp_unplugged_now())
		return 0;
	*devlist = calloc(1, sizeof(**devlist));
	return *devlist ? 1 : -3;
}

int mpsse_ftdi_usb_get_strings(struct ftdi_context *ftdi, struct libusb_device *dev, char *manufacturer,
			       int mnf_len, char *description, int desc_len, char *serial, int serial_len)
{
	(void)ftdi;
	(void)dev;
	snprintf(manufacturer, (size_t)mnf_len, "FTDI");
	snprintf(description, (size_t)desc_len, "MPSSE model (simulated)");
	snprintf(serial, (size_t)serial_len, "%s", MP_SERIAL);
	return 0;
}

void mpsse_ftdi_list_free(struct ftdi_device_list **devlist)
{
	while (*devlist) {
		struct ftdi_device_list *next = (*devlist)->next;
		free(*devlist);
		*devlist = next;
	}
}

/* --wrap entry points (see sim/mpsse.h). */
struct ftdi_context *__wrap_ftdi_new(void)
{
	return mpsse_ftdi_new();
}

void __wrap_ftdi_free(struct ftdi_context *ftdi)
{
	mpsse_ftdi_free(ftdi);
}

int __wrap_ftdi_set_interface(struct ftdi_context *ftdi, enum ftdi_interface iface)
{
	return mpsse_ftdi_set_interface(ftdi, iface);
}

int __wrap_ftdi_usb_open_desc_index(struct ftdi_context *ftdi, int vendor, int product,
				     const char *description, const char *serial, unsigned int index)
{
	return mpsse_ftdi_usb_open_desc_index(ftdi, vendor, product, description, serial, index);
}

int __wrap_ftdi_usb_close(struct ftdi_context *ftdi)
{
	return mpsse_ftdi_usb_close(ftdi);
}

int __wrap_ftdi_usb_reset(struct ftdi_context *ftdi)
{
	return mpsse_ftdi_usb_reset(ftdi);
}

int __wrap_ftdi_set_latency_timer(struct ftdi_context *ftdi, unsigned char latency)
{
	return mpsse_ftdi_set_latency_timer(ftdi, latency);
}

int __wrap_ftdi_set_bitmode(struct ftdi_context *ftdi, unsigned char bitmask, unsigned char mode)
{
	return mpsse_ftdi_set_bitmode(ftdi, bitmask, mode);
}

int __wrap_ftdi_tcioflush(struct ftdi_context *ftdi)
{
	return mpsse_ftdi_tcioflush(ftdi);
}

int __wrap_ftdi_write_data(struct ftdi_context *ftdi, const unsigned char *buf, int size)
{
	return mpsse_ftdi_write_data(ftdi, buf, size);
}

int __wrap_ftdi_read_data(struct ftdi_context *ftdi, unsigned char *buf, int size)
{
	return mpsse_ftdi_read_data(ftdi, buf, size);
}

const char *__wrap_ftdi_get_error_string(struct ftdi_context *ftdi)
{
	return mpsse_ftdi_get_error_string(ftdi);
}

int __wrap_ftdi_usb_find_all(struct ftdi_context *ftdi, struct ftdi_device_list **devlist, int vendor,
			     int product)
{
	return mpsse_ftdi_usb_find_all(ftdi, devlist, vendor, product);
}

int __wrap_ftdi_usb_get_strings(struct ftdi_context *ftdi, struct libusb_device *dev, char *manufacturer,
				int mnf_len, char *description, int desc_len, char *serial, int serial_len)
{
	return mpsse_ftdi_usb_get_strings(ftdi, dev, manufacturer, mnf_len, description, desc_len, serial,
					  serial_len);
}

void __wrap_ftdi_list_free(struct ftdi_device_list **devlist)
{
	mpsse_ftdi_list_free(devlist);
}
