/* J-Link driver on libjaylink 0.3.1. Wire facts: reference/jlink.md
 * (libjaylink device.c/target.c/swd.c; OpenOCD jlink.c for what a J-Link
 * accepts). SWD packets are built by the generic bit engine; this file only
 * moves bit arrays through jaylink_swd_io and manages the device. */
#include <arpa/inet.h>
#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libjaylink/libjaylink.h>

#include "probes/jlink.h"
#include "probes/swd_engine.h"
#include "sw/types.h"

/* OpenOCD's default SWD buffer when GET_FREE_MEMORY is missing (jlink.c). */
#define JL_DEFAULT_ARRAY_BYTES 2048u
/* jaylink_swd_io takes a u16 bit count; keep whole bytes. */
#define JL_MAX_BITS 65528u
/* Without GET_SPEEDS OpenOCD assumes 12 MHz (jlink.c). */
#define JL_DEFAULT_MAX_KHZ 12000u
#define JL_DEFAULT_KHZ 4000u
#define JL_TCP_PORT 19020u
#define JL_SWO_BUF 16384u /* probe-side SWO buffer requested at start */

struct jlink {
	struct sw_probe probe;
	struct jaylink_context *jctx;
	struct jaylink_device_handle *devh;
	struct sw_swd_engine *eng;
	struct sw_swd_backend be;
	uint8_t caps[JAYLINK_DEV_EXT_CAPS_SIZE];
	struct jaylink_speed speed; /* freq 0: GET_SPEEDS missing */
	uint32_t serial;
	size_t max_bits;
	uint8_t *raw; /* jaylink_swd_io input, before undoing the sampling lead */
	bool lost;    /* the first failed SWD I/O was reported; later ones stay quiet */
};

struct jl_sel {
	bool any;
	bool by_serial;
	bool by_ip;
	uint32_t serial;
	char ip[INET_ADDRSTRLEN];
};

/* ---- errors and logging ----------------------------------------------------- */

/* libjaylink reports a vanished TCP peer or USB device as ERR_IO (a receive
 * timeout too, reference/jlink.md §2), so both mean "probe lost". */
static int jl_err(int jr)
{
	switch (jr) {
	case JAYLINK_ERR_ARG: return SW_ERR_ARG;
	case JAYLINK_ERR_MALLOC: return SW_ERR_NOMEM;
	case JAYLINK_ERR_TIMEOUT: return SW_ERR_TIMEOUT;
	case JAYLINK_ERR_PROTO: return SW_ERR_PROTO;
	case JAYLINK_ERR_NOT_AVAILABLE:
	case JAYLINK_ERR_NOT_SUPPORTED:
	case JAYLINK_ERR_DEV_NOT_SUPPORTED: return SW_ERR_NOT_SUPPORTED;
	case JAYLINK_ERR_DEV_NO_MEMORY: return SW_ERR_NOMEM;
	default: return SW_ERR_IO;
	}
}

__attribute__((format(printf, 3, 0))) static int jl_log_cb(const struct jaylink_context *jctx,
							   enum jaylink_log_level level,
							   const char *fmt, va_list ap, void *user)
{
	struct sw_ctx *ctx = user;
	enum sw_log_level l = level <= JAYLINK_LOG_LEVEL_WARNING ? SW_LOG_DBG : SW_LOG_WIRE;
	char line[400];
	int n;

	(void)jctx;
	if (ctx->level < l)
		return 0;
	n = vsnprintf(line, sizeof(line), fmt, ap);
	sw_log(ctx, l, "libjaylink: %s", line);
	return n;
}

static int jl_ctx_new(struct sw_ctx *ctx, struct jaylink_context **out)
{
	int r = jaylink_init(out);

	if (r != JAYLINK_OK)
		return sw_fail(ctx, jl_err(r), "jlink: libjaylink init failed: %s",
			       jaylink_strerror(r));
	jaylink_log_set_callback(*out, jl_log_cb, ctx);
	jaylink_log_set_level(*out, ctx->level >= SW_LOG_WIRE ? JAYLINK_LOG_LEVEL_DEBUG
							      : JAYLINK_LOG_LEVEL_WARNING);
	return SW_OK;
}

/* libjaylink sends on TCP without MSG_NOSIGNAL: a J-Link that goes away
 * mid-write would kill the process with SIGPIPE (reference/jlink.md §2). */
static void jl_ignore_sigpipe(struct sw_ctx *ctx)
{
	struct sigaction sa;

	if (sigaction(SIGPIPE, NULL, &sa) == 0 && sa.sa_handler == SIG_DFL) {
		signal(SIGPIPE, SIG_IGN);
		SW_LOG_D(ctx, "jlink: SIGPIPE ignored (libjaylink TCP sends without MSG_NOSIGNAL)");
	}
}

/* ---- discovery -------------------------------------------------------------- */

/* jaylink_discovery_scan clears the previous list, so scan each host
 * interface separately and collect references between scans. A failing USB
 * scan (no libusb access in a container) must not hide TCP probes. */
static int jl_scan(struct sw_ctx *ctx, struct jaylink_context *jctx, uint32_t hif,
		   struct jaylink_device ***devs, size_t *n)
{
	int r = jaylink_discovery_scan(jctx, hif);

	*devs = NULL;
	*n = 0;
	if (r != JAYLINK_OK) {
		SW_LOG_D(ctx, "jlink: %s discovery failed: %s", hif == JAYLINK_HIF_USB ? "USB" : "TCP",
			 jaylink_strerror(r));
		return r;
	}
	r = jaylink_get_devices(jctx, devs, n);
	if (r != JAYLINK_OK)
		return r;
	return JAYLINK_OK;
}

static void jl_info(struct jaylink_device *dev, struct sw_jlink_info *i)
{
	enum jaylink_host_interface hif = JAYLINK_HIF_USB;
	struct jaylink_hardware_version hw;

	memset(i, 0, sizeof(*i));
	jaylink_device_get_serial_number(dev, &i->serial);
	jaylink_device_get_host_interface(dev, &hif);
	i->tcp = hif == JAYLINK_HIF_TCP;
	if (i->tcp)
		jaylink_device_get_ipv4_address(dev, i->ipv4);
	if (jaylink_device_get_product_name(dev, i->product) != JAYLINK_OK)
		i->product[0] = 0;
	if (jaylink_device_get_nickname(dev, i->nickname) != JAYLINK_OK)
		i->nickname[0] = 0;
	if (jaylink_device_get_hardware_version(dev, &hw) == JAYLINK_OK) {
		i->hw_type = (uint32_t)hw.type;
		i->hw_major = hw.major;
		i->hw_minor = hw.minor;
		i->hw_rev = hw.revision;
	}
}

static void jl_info_firmware(struct jaylink_device *dev, struct sw_jlink_info *i)
{
	struct jaylink_device_handle *devh;
	char *fw = NULL;
	size_t len;

	if (jaylink_open(dev, &devh) != JAYLINK_OK)
		return;
	if (jaylink_get_firmware_version(devh, &fw, &len) == JAYLINK_OK && fw) {
		snprintf(i->firmware, sizeof(i->firmware), "%s", fw);
		free(fw);
	}
	jaylink_close(devh);
}

int sw_jlink_list(struct sw_ctx *ctx, unsigned flags, struct sw_jlink_info *out, size_t max,
		  size_t *count)
{
	static const uint32_t hifs[] = {JAYLINK_HIF_USB, JAYLINK_HIF_TCP};
	struct jaylink_context *jctx;
	int r = jl_ctx_new(ctx, &jctx);

	*count = 0;
	if (r != SW_OK)
		return r;
	jl_ignore_sigpipe(ctx);
	for (size_t h = 0; h < SW_ARRAY_LEN(hifs); h++) {
		struct jaylink_device **devs;
		size_t n;
		if (!(flags & (h ? SW_JLINK_LIST_TCP : SW_JLINK_LIST_USB)))
			continue;
		if (jl_scan(ctx, jctx, hifs[h], &devs, &n) != JAYLINK_OK)
			continue;
		for (size_t k = 0; k < n; k++, (*count)++) {
			if (*count >= max)
				continue;
			jl_info(devs[k], &out[*count]);
			if (flags & SW_JLINK_LIST_FIRMWARE)
				jl_info_firmware(devs[k], &out[*count]);
		}
		jaylink_free_devices(devs, true);
	}
	jaylink_exit(jctx);
	return SW_OK;
}

/* ---- selector --------------------------------------------------------------- */

static int jl_resolve(struct sw_ctx *ctx, const char *host, char *ip)
{
	struct addrinfo hints = {.ai_family = AF_INET, .ai_socktype = SOCK_STREAM}, *res;
	int r = getaddrinfo(host, NULL, &hints, &res);

	if (r != 0)
		return sw_fail(ctx, SW_ERR_NOT_FOUND, "jlink: cannot resolve '%s': %s", host,
			       gai_strerror(r));
	inet_ntop(AF_INET, &((struct sockaddr_in *)(void *)res->ai_addr)->sin_addr, ip,
		  INET_ADDRSTRLEN);
	freeaddrinfo(res);
	return SW_OK;
}

static int jl_parse_tcp(struct sw_ctx *ctx, const char *s, struct jl_sel *sel)
{
	char host[256];
	const char *colon = strchr(s, ':');
	size_t hl = colon ? (size_t)(colon - s) : strlen(s);

	if (hl == 0 || hl >= sizeof(host))
		return sw_fail(ctx, SW_ERR_ARG, "jlink: bad TCP address in 'tcp:%s'", s);
	memcpy(host, s, hl);
	host[hl] = 0;
	if (colon && strtoul(colon + 1, NULL, 10) != JL_TCP_PORT)
		return sw_fail(ctx, SW_ERR_NOT_SUPPORTED,
			       "jlink: libjaylink connects to TCP port %u only, not '%s'",
			       JL_TCP_PORT, colon + 1);
	sel->by_ip = true;
	return jl_resolve(ctx, host, sel->ip);
}

static int jl_parse_sel(struct sw_ctx *ctx, const char *s, struct jl_sel *sel)
{
	memset(sel, 0, sizeof(*sel));
	if (s && !strncmp(s, "jlink", 5))
		s += 5;
	if (s && *s == ':')
		s++;
	if (!s || !*s) {
		sel->any = true;
		return SW_OK;
	}
	if (!strncmp(s, "tcp:", 4))
		return jl_parse_tcp(ctx, s + 4, sel);
	if (jaylink_parse_serial_number(s, &sel->serial) != JAYLINK_OK)
		return sw_fail(ctx, SW_ERR_ARG, "jlink: bad selector '%s' (want SERIAL or tcp:HOST)",
			       s);
	sel->by_serial = true;
	return SW_OK;
}

static bool jl_match(struct jaylink_device *dev, const struct jl_sel *sel)
{
	struct sw_jlink_info i;

	jl_info(dev, &i);
	if (sel->by_serial)
		return i.serial == sel->serial;
	if (sel->by_ip)
		return i.tcp && !strcmp(i.ipv4, sel->ip);
	return true;
}

/* Find and open the selected device: USB first, then TCP (as OpenOCD does),
 * TCP only for a tcp: selector. */
static int jl_find_open(struct sw_ctx *ctx, struct jlink *j, const struct jl_sel *sel)
{
	static const uint32_t hifs[] = {JAYLINK_HIF_USB, JAYLINK_HIF_TCP};
	int last = JAYLINK_OK;

	for (size_t h = sel->by_ip ? 1 : 0; h < SW_ARRAY_LEN(hifs); h++) {
		struct jaylink_device **devs;
		size_t n;
		if (jl_scan(ctx, j->jctx, hifs[h], &devs, &n) != JAYLINK_OK)
			continue;
		for (size_t k = 0; k < n && !j->devh; k++) {
			if (!jl_match(devs[k], sel))
				continue;
			last = jaylink_open(devs[k], &j->devh);
			if (last == JAYLINK_OK)
				jaylink_device_get_serial_number(devs[k], &j->serial);
			else
				j->devh = NULL;
		}
		jaylink_free_devices(devs, true);
		if (j->devh)
			return SW_OK;
	}
	if (last != JAYLINK_OK)
		return sw_fail(ctx, jl_err(last), "jlink: cannot open the probe: %s",
			       jaylink_strerror(last));
	if (sel->by_serial)
		return sw_fail(ctx, SW_ERR_NOT_FOUND, "jlink: no J-Link with serial %u (USB or TCP)",
			       sel->serial);
	if (sel->by_ip)
		return sw_fail(ctx, SW_ERR_NOT_FOUND, "jlink: no J-Link answers discovery at %s",
			       sel->ip);
	return sw_fail(ctx, SW_ERR_NOT_FOUND, "jlink: no J-Link found (USB or TCP)");
}

/* ---- SWD backend -------------------------------------------------------------- */

size_t sw_jlink_max_bits(uint32_t free_mem)
{
	/* OpenOCD sizes each bit array (direction, out, in) as (free-16)/2
	 * bytes of the probe's free memory (jlink.c); keep the same margin,
	 * but not its 2048-byte cap: a bigger buffer means fewer round trips. */
	size_t bytes = free_mem ? (free_mem > 16 ? (free_mem - 16) / 2 : 0) : JL_DEFAULT_ARRAY_BYTES;
	size_t bits = bytes * 8;

	return bits > JL_MAX_BITS ? JL_MAX_BITS : bits;
}

static void jl_get_bit(const uint8_t *a, size_t k, unsigned *b)
{
	*b = (unsigned)(a[k / 8] >> (k % 8)) & 1u;
}

/* One jaylink_swd_io round trip. A J-Link's in[] leads an ideal bit-banged
 * trace by one cycle (it samples on the falling edge: OpenOCD jlink.c reads
 * ACK right after the request byte, probe-rs says the same), while the bit
 * engine expects the ideal trace, so shift it back: ideal[k] = raw[k-1]. */
static int jl_io(void *user, const uint8_t *dir, const uint8_t *out, uint8_t *in, size_t nbits)
{
	struct jlink *j = user;
	size_t nb = (nbits + 7) / 8;
	unsigned b;
	int r;

	if (nbits == 0)
		return SW_OK;
	r = jaylink_swd_io(j->devh, dir, out, j->raw, (uint16_t)nbits);
	if (r != JAYLINK_OK) {
		/* Unplugged (or vjlink gone): say so once, in one line; every
		 * later command fails the same way until the probe is opened
		 * again (by serial: the next gdb connection, or `monitor probe
		 * reconnect`). */
		if (!j->lost)
			SW_LOG_E(j->probe.ctx,
				 "jlink %u: probe lost (%s); reopened by serial at the next gdb connection once it is back, or with 'monitor probe reconnect'",
				 j->serial, jaylink_strerror(r));
		j->lost = true;
		j->probe.lost = true;
		return sw_fail(j->probe.ctx, jl_err(r), "jlink: probe lost (SWD I/O of %zu bits: %s)",
			       nbits, jaylink_strerror(r));
	}
	if (!in)
		return SW_OK;
	memset(in, 0, nb);
	jl_get_bit(dir, 0, &b);
	if (b)
		jl_get_bit(out, 0, &b);
	else
		b = 1; /* not observable: an undriven line reads high */
	in[0] = (uint8_t)b;
	for (size_t k = 1; k < nbits; k++) {
		jl_get_bit(j->raw, k - 1, &b);
		in[k / 8] |= (uint8_t)(b << (k % 8));
	}
	return SW_OK;
}

/* 0xCF request: 4 header bytes + direction + out; reply: in + status. */
static void jl_cost(void *user, size_t nbits, size_t *bytes_out, size_t *bytes_in)
{
	size_t nb = (nbits + 7) / 8;

	(void)user;
	*bytes_out = 4 + 2 * nb;
	*bytes_in = nb + 1;
}

/* ---- probe ops ---------------------------------------------------------------- */

static struct jlink *jl_of(struct sw_probe *p)
{
	return p->priv;
}

static int jl_swd_transfer(struct sw_probe *p, struct sw_swd_req *reqs, size_t n)
{
	return sw_swd_engine_transfer(jl_of(p)->eng, reqs, n);
}

static int jl_swj_sequence(struct sw_probe *p, const uint8_t *bits, size_t nbits)
{
	return sw_swd_engine_sequence(jl_of(p)->eng, bits, nbits);
}

static uint32_t jl_max_khz(const struct jlink *j)
{
	if (!j->speed.freq || !j->speed.div)
		return JL_DEFAULT_MAX_KHZ;
	return j->speed.freq / j->speed.div / 1000u;
}

/* SET_SPEED takes kHz; the probe divides its base clock by an integer
 * (GET_SPEEDS: base, minimum divider), so report base/ceil(base/f). */
static int jl_set_freq(struct sw_probe *p, uint32_t hz, uint32_t *actual_hz)
{
	struct jlink *j = jl_of(p);
	uint32_t khz = hz / 1000u, max = jl_max_khz(j);
	int r;

	if (khz == 0)
		khz = 1;
	if (khz > max) {
		SW_LOG_D(p->ctx, "jlink: %u kHz reduced to the probe's %u kHz", khz, max);
		khz = max;
	}
	r = jaylink_set_speed(j->devh, (uint16_t)(khz > 0xFFFEu ? 0xFFFEu : khz));
	if (r != JAYLINK_OK)
		return sw_fail(p->ctx, jl_err(r), "jlink: set speed %u kHz: %s", khz,
			       jaylink_strerror(r));
	*actual_hz = khz * 1000u;
	if (j->speed.freq) {
		uint32_t div = (j->speed.freq + *actual_hz - 1) / *actual_hz;
		*actual_hz = j->speed.freq / (div < j->speed.div ? j->speed.div : div);
	}
	p->freq_hz = *actual_hz;
	return SW_OK;
}

/* nRESET: CLEAR_RESET drives it low (asserted), SET_RESET releases it. */
static int jl_set_nrst(struct sw_probe *p, bool asserted)
{
	struct jlink *j = jl_of(p);
	int r = asserted ? jaylink_clear_reset(j->devh) : jaylink_set_reset(j->devh);

	if (r != JAYLINK_OK)
		return sw_fail(p->ctx, jl_err(r), "jlink: %s nRST: %s",
			       asserted ? "assert" : "release", jaylink_strerror(r));
	return SW_OK;
}

static int jl_voltage(struct sw_probe *p, uint32_t *mv)
{
	struct jaylink_hardware_status st;
	int r = jaylink_get_hardware_status(jl_of(p)->devh, &st);

	if (r != JAYLINK_OK)
		return sw_fail(p->ctx, jl_err(r), "jlink: read hardware status: %s",
			       jaylink_strerror(r));
	*mv = st.target_voltage;
	return SW_OK;
}

/* ---- SWO (libjaylink swo.c; reference/jlink.md §3) --------------------------- */

/* The probe's UART runs at base / div; pick the divider nearest the
 * target's rate and insist on UART tolerance (3 %). */
static int jl_swo_start(struct sw_probe *p, uint32_t baud, uint32_t *actual)
{
	struct jlink *j = jl_of(p);
	struct jaylink_swo_speed sp;
	uint64_t div, rate, err;
	int r;

	if (!jaylink_has_cap(j->caps, JAYLINK_DEV_CAP_SWO))
		return sw_fail(p->ctx, SW_ERR_NOT_SUPPORTED, "jlink: this probe has no SWO capture");
	if (!baud)
		return sw_fail(p->ctx, SW_ERR_ARG, "jlink: SWO baud rate 0");
	r = jaylink_swo_get_speeds(j->devh, JAYLINK_SWO_MODE_UART, &sp);
	if (r != JAYLINK_OK)
		return sw_fail(p->ctx, jl_err(r), "jlink: SWO speeds: %s", jaylink_strerror(r));
	div = ((uint64_t)sp.freq + baud / 2) / baud;
	if (div < sp.min_div)
		div = sp.min_div;
	if (div > sp.max_div)
		div = sp.max_div;
	rate = div ? sp.freq / div : 0;
	err = rate > baud ? rate - baud : baud - rate;
	if (!rate || err * 100u > 3u * (uint64_t)baud)
		return sw_fail(p->ctx, SW_ERR_ARG, "jlink: SWO at %u baud is out of reach (%u Hz / %u..%u)", baud,
			       sp.freq, sp.min_div, sp.max_div);
	jaylink_swo_stop(j->devh); /* a capture left running by an earlier session */
	r = jaylink_swo_start(j->devh, JAYLINK_SWO_MODE_UART, (uint32_t)rate, JL_SWO_BUF);
	if (r != JAYLINK_OK)
		return sw_fail(p->ctx, jl_err(r), "jlink: SWO start at %llu baud: %s", (unsigned long long)rate,
			       jaylink_strerror(r));
	*actual = (uint32_t)rate;
	p->stats.round_trips += 3;
	return SW_OK;
}

static int jl_swo_read(struct sw_probe *p, uint8_t *buf, size_t max, size_t *len)
{
	uint32_t n = max > UINT32_MAX ? UINT32_MAX : (uint32_t)max;
	int r = jaylink_swo_read(jl_of(p)->devh, buf, &n);

	*len = 0;
	p->stats.round_trips++;
	if (r != JAYLINK_OK)
		return sw_fail(p->ctx, jl_err(r), "jlink: SWO read: %s", jaylink_strerror(r));
	*len = n;
	return SW_OK;
}

static int jl_swo_stop(struct sw_probe *p)
{
	int r = jaylink_swo_stop(jl_of(p)->devh);

	p->stats.round_trips++;
	if (r != JAYLINK_OK)
		return sw_fail(p->ctx, jl_err(r), "jlink: SWO stop: %s", jaylink_strerror(r));
	return SW_OK;
}

static void jl_free(struct jlink *j)
{
	sw_swd_engine_free(j->eng);
	/* libjaylink 0.3.1 leaves a TCP socket open here (reference/jlink.md §2). */
	if (j->devh)
		jaylink_close(j->devh);
	if (j->jctx)
		jaylink_exit(j->jctx);
	free(j->raw);
	free(j);
}

static void jl_close(struct sw_probe *p)
{
	jl_free(jl_of(p));
}

static const struct sw_probe_ops jl_ops = {
	.name = "jlink",
	.swd_transfer = jl_swd_transfer,
	.swj_sequence = jl_swj_sequence,
	.set_freq_hz = jl_set_freq,
	.set_nrst = jl_set_nrst,
	.target_voltage_mv = jl_voltage,
	.close = jl_close,
	.swo_start = jl_swo_start,
	.swo_read = jl_swo_read,
	.swo_stop = jl_swo_stop,
};

/* ---- open --------------------------------------------------------------------- */

static int jl_read_caps(struct sw_ctx *ctx, struct jlink *j)
{
	int r = jaylink_get_caps(j->devh, j->caps);

	if (r == JAYLINK_OK && jaylink_has_cap(j->caps, JAYLINK_DEV_CAP_GET_EXT_CAPS))
		r = jaylink_get_extended_caps(j->devh, j->caps);
	if (r != JAYLINK_OK)
		return sw_fail(ctx, jl_err(r), "jlink: read capabilities: %s", jaylink_strerror(r));
	return SW_OK;
}

/* SWD needs SELECT_TIF with the SWD bit in the available mask (OpenOCD
 * jlink.c: "Device supports JTAG transport only" otherwise). */
static int jl_select_swd(struct sw_ctx *ctx, struct jlink *j)
{
	enum jaylink_target_interface prev;
	uint32_t avail = 0;
	int r;

	if (!jaylink_has_cap(j->caps, JAYLINK_DEV_CAP_SELECT_TIF))
		return sw_fail(ctx, SW_ERR_NOT_SUPPORTED, "jlink: probe supports JTAG only");
	r = jaylink_get_available_interfaces(j->devh, &avail);
	if (r == JAYLINK_OK && !(avail & (1u << JAYLINK_TIF_SWD)))
		return sw_fail(ctx, SW_ERR_NOT_SUPPORTED, "jlink: probe has no SWD interface");
	if (r == JAYLINK_OK)
		r = jaylink_select_interface(j->devh, JAYLINK_TIF_SWD, &prev);
	if (r != JAYLINK_OK)
		return sw_fail(ctx, jl_err(r), "jlink: select SWD: %s", jaylink_strerror(r));
	return SW_OK;
}

static int jl_read_limits(struct sw_ctx *ctx, struct jlink *j)
{
	uint32_t free_mem = 0;
	int r = JAYLINK_OK;

	if (jaylink_has_cap(j->caps, JAYLINK_DEV_CAP_GET_FREE_MEMORY))
		r = jaylink_get_free_memory(j->devh, &free_mem);
	if (r == JAYLINK_OK && jaylink_has_cap(j->caps, JAYLINK_DEV_CAP_GET_SPEEDS))
		r = jaylink_get_speeds(j->devh, &j->speed);
	if (r != JAYLINK_OK)
		return sw_fail(ctx, jl_err(r), "jlink: read probe limits: %s", jaylink_strerror(r));
	j->max_bits = sw_jlink_max_bits(free_mem);
	if (j->max_bits < 64)
		return sw_fail(ctx, SW_ERR_NOMEM, "jlink: probe has only %u bytes free", free_mem);
	j->raw = malloc(j->max_bits / 8 + 1);
	if (!j->raw)
		return sw_fail(ctx, SW_ERR_NOMEM, "jlink: out of memory");
	SW_LOG_D(ctx, "jlink: %u bytes free -> %zu bits per SWD I/O, max %u kHz", free_mem,
		 j->max_bits, jl_max_khz(j));
	return SW_OK;
}

static void jl_log_identity(struct sw_ctx *ctx, struct jlink *j)
{
	uint32_t mv = 0;
	char *fw = NULL;
	size_t len;

	if (jaylink_get_firmware_version(j->devh, &fw, &len) == JAYLINK_OK && fw) {
		SW_LOG_I(ctx, "jlink: serial %u, firmware \"%s\"", j->serial, fw);
		free(fw);
	}
	if (jl_voltage(&j->probe, &mv) == SW_OK) {
		SW_LOG_I(ctx, "jlink: VTref %u.%03u V", mv / 1000, mv % 1000);
		if (mv < 1000)
			SW_LOG_W(ctx, "jlink: target voltage %u mV looks unpowered", mv);
	}
}

static int jl_setup(struct sw_ctx *ctx, struct jlink *j)
{
	uint32_t hz;
	int r;

	jl_log_identity(ctx, j);
	r = jl_read_caps(ctx, j);
	if (r == SW_OK)
		r = jl_read_limits(ctx, j);
	if (r == SW_OK)
		r = jl_select_swd(ctx, j);
	if (r != SW_OK)
		return r;
	j->be = (struct sw_swd_backend){
		.user = j, .io = jl_io, .max_bits = j->max_bits, .cost = jl_cost};
	r = sw_swd_engine_new(ctx, &j->be, &j->probe.stats, &j->eng);
	if (r == SW_OK)
		r = jl_set_freq(&j->probe, JL_DEFAULT_KHZ * 1000u, &hz);
	return r;
}

int sw_jlink_open(struct sw_ctx *ctx, const char *selector, struct sw_probe **out)
{
	struct jl_sel sel;
	struct jlink *j;
	int r;

	*out = NULL;
	r = jl_parse_sel(ctx, selector, &sel);
	if (r != SW_OK)
		return r;
	j = calloc(1, sizeof(*j));
	if (!j)
		return sw_fail(ctx, SW_ERR_NOMEM, "jlink: out of memory");
	j->probe.ops = &jl_ops;
	j->probe.ctx = ctx;
	j->probe.priv = j;
	jl_ignore_sigpipe(ctx);
	r = jl_ctx_new(ctx, &j->jctx);
	if (r == SW_OK)
		r = jl_find_open(ctx, j, &sel);
	if (r == SW_OK)
		r = jl_setup(ctx, j);
	/* Found again by its serial number, whichever way it was selected. */
	snprintf(j->probe.reopen, sizeof(j->probe.reopen), "jlink:%u", j->serial);
	if (r != SW_OK) {
		jl_free(j);
		return r;
	}
	*out = &j->probe;
	return SW_OK;
}
