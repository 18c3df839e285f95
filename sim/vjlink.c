/* vjlink: the virtual J-Link's sockets (TCP server, UDP discovery, thread)
 * and its command interpreter. Wire format facts: reference/jlink.md §1-3
 * (libjaylink discovery_tcp.c, transport_tcp.c, device.c, target.c, swd.c). */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <netinet/udp.h>
#include <arpa/inet.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "sim/vjlink.h"
#include "sim/vjlink_swo.h"
#include "sw/types.h"

/* libjaylink 0.3.1 never closes its socket (jaylink_close leaks it), so a
 * client process that reopens accumulates idle connections. */
#define VJ_MAX_CONNS 32
#define VJ_MAX_REGS 16       /* JAYLINK_MAX_CONNECTIONS */
#define VJ_RX_MAX (5 + 2 * 8192 + 64) /* largest request: SWD_IO of 65535 bits */
#define VJ_TX_MAX (8192 + 1)
#define VJ_ADV_LEN 128       /* ADV_MESSAGE_SIZE */
#define VJ_REG_MIN_REPLY 76  /* REG_MIN_SIZE: libjaylink reads at least this much */

/* Opcodes (libjaylink device.c/target.c/swd.c/jtag.c CMD_*). */
#define CMD_CLIENT 0x07 /* TCP prefix before every command */
#define CMD_GET_VERSION 0x01
#define CMD_SET_SPEED 0x05
#define CMD_GET_HW_STATUS 0x07
#define CMD_SET_TARGET_POWER 0x08
#define CMD_REGISTER 0x09
#define CMD_GET_SPEEDS 0xC0
#define CMD_GET_HW_INFO 0xC1
#define CMD_GET_COUNTERS 0xC2
#define CMD_SELECT_TIF 0xC7
#define CMD_JTAG_IO_V2 0xCE
#define CMD_SWD_IO 0xCF /* also JTAG_IO_V3 when JTAG is selected */
#define CMD_GET_FREE_MEMORY 0xD4
#define CMD_CLEAR_RESET 0xDC
#define CMD_SET_RESET 0xDD
#define CMD_CLEAR_TRST 0xDE
#define CMD_SET_TRST 0xDF
#define CMD_GET_CAPS 0xE8
#define CMD_GET_EXT_CAPS 0xED
#define CMD_GET_HW_VERSION 0xF0
#define CMD_READ_CONFIG 0xF2
#define CMD_WRITE_CONFIG 0xF3

#define REG_SUB_REGISTER 0x64
#define TIF_SELECT_GET_AVAILABLE 0xFF
#define TIF_SELECT_GET_CURRENT 0xFE
#define TIF_JTAG 0u
#define TIF_SWD 1u
#define SWD_IO_ERR_NO_MEMORY 0x06

/* Caps bits 1 GET_HW_VERSION, 9 GET_SPEEDS, 11 GET_FREE_MEMORY, 13
 * SET_TARGET_POWER, 17 SELECT_TIF, 23 SWO, 27 REGISTER, 31 GET_EXT_CAPS
 * (libjaylink.h enum jaylink_device_capability); OpenOCD accepts this set. */
#define VJ_CAPS 0x88822A02u /* + 23 SWO (vjlink_swo.c) */
/* Hardware version, decimal packed type*1e6+major*1e4+minor*100+rev: a
 * J-Link (type 0) V11.00. */
#define VJ_HW_VERSION 110000u
/* GET_SPEEDS: 60 MHz base clock, minimum divider 4 -> 15 MHz SWCLK, the
 * J-Link BASE/EDU class (reference/perf.md §1.5). */
#define VJ_BASE_FREQ 60000000u
#define VJ_MIN_DIV 4u

static const char vj_firmware[] = "J-Link V11 compiled Nov 24 2026 (swdbridge vjlink)";

struct vj_reg {
	bool used;
	uint16_t handle;
	uint32_t pid;
	uint8_t hid[4];
	uint8_t iid, cid;
	uint32_t timestamp;
	int owner_fd;
};

struct vj_conn {
	int fd;
	size_t rx_len;
	uint8_t *rx;
};

struct vjlink {
	struct sw_ctx *ctx;
	struct sim *sim;
	struct vjlink_cfg cfg;
	struct in_addr addr;
	char ip[INET_ADDRSTRLEN];
	int listen_fd, udp_fd, raw_fd, reply_fd;
	int pipe_rd, pipe_wr;
	struct vj_conn conns[VJ_MAX_CONNS];
	struct vj_reg regs[VJ_MAX_REGS];
	uint16_t next_handle;
	unsigned tif;
	bool nrst_released;
	uint16_t speed_khz;
	struct timespec t0;
	uint8_t tx[VJ_TX_MAX + VJ_REG_MIN_REPLY + 512];
	uint8_t *line; /* scratch: the simulated line, one bit per cycle */
	struct vjlink_stats stats;
	pthread_t thread;
	bool thread_running;
	struct vj_swo *swo;
};

const char *vjlink_firmware_string(void)
{
	return vj_firmware;
}

void vjlink_cfg_init(struct vjlink_cfg *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->serial = 123456;
	cfg->ip = "127.0.0.1";
	cfg->port = VJLINK_PORT;
	cfg->discovery = VJLINK_DISC_UDP;
	cfg->product = "J-Link";
	cfg->nickname = "vjlink";
	/* Free memory that gives OpenOCD's jlink.c (min(2048, (free-16)/2)) and
	 * our driver the same 2048-byte bit arrays, 16384 bits per SWD I/O: the
	 * buffer OpenOCD and libjaylink assume of a J-Link (reference/jlink.md,
	 * "SWD queueing and batching"). */
	cfg->free_mem = 16 + 2 * 2048;
	cfg->vtref_mv = 3300;
}

static uint32_t vj_ms(const struct vjlink *v)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint32_t)((t.tv_sec - v->t0.tv_sec) * 1000 + (t.tv_nsec - v->t0.tv_nsec) / 1000000);
}

/* ---- command lengths ------------------------------------------------------ */

/* Bytes of the request starting at p (CMD_CLIENT prefix included): 0 if more
 * bytes are needed to tell, -1 if the opcode is unknown. The TCP stream has
 * no framing, so the length follows from the opcode (reference/jlink.md §2). */
static long vj_cmd_len(const uint8_t *p, size_t n)
{
	if (n < 2)
		return 0;
	if (p[0] != CMD_CLIENT)
		return -1;
	switch (p[1]) {
	case CMD_GET_VERSION: case CMD_GET_HW_STATUS: case CMD_GET_SPEEDS:
	case CMD_GET_FREE_MEMORY: case CMD_CLEAR_RESET: case CMD_SET_RESET:
	case CMD_CLEAR_TRST: case CMD_SET_TRST: case CMD_GET_CAPS:
	case CMD_GET_EXT_CAPS: case CMD_GET_HW_VERSION: case CMD_READ_CONFIG:
		return 2;
	case CMD_SELECT_TIF: case CMD_SET_TARGET_POWER:
		return 3;
	case CMD_SET_SPEED:
		return 4;
	case CMD_GET_HW_INFO: case CMD_GET_COUNTERS:
		return 6;
	case CMD_REGISTER:
		return 15; /* 09 sub pid[4] hid[4] iid cid handle[2] */
	case CMD_WRITE_CONFIG:
		return 2 + 256;
	case VJ_CMD_SWO:
		return vj_swo_cmd_len(p, n);
	case CMD_SWD_IO: case CMD_JTAG_IO_V2:
		if (n < 5)
			return 0;
		/* op, 00, u16 nbits, dir/tms[n], out/tdi[n] */
		return 5 + 2 * (long)((sw_le16_get(p + 3) + 7u) / 8u);
	default:
		return -1;
	}
}

/* ---- command handlers ----------------------------------------------------- */

/* 0xCF in SWD mode: clock the bits through the simulated wire. A J-Link's
 * in[] leads an ideal trace by one cycle (it samples on the falling edge;
 * reference/jlink.md §3: the first input bit after a request holds ACK[0]),
 * so in[k] = line(k+1) and the last bit repeats line(last). */
static size_t vj_swd_io(struct vjlink *v, const uint8_t *p)
{
	size_t nbits = sw_le16_get(p + 3), nb = (nbits + 7) / 8, k;
	const uint8_t *dir = p + 5, *out = p + 5 + nb;
	uint8_t *in = v->tx;

	memset(in, 0, nb + 1);
	if (nb * 2 > v->cfg.free_mem - 16) {
		in[nb] = SWD_IO_ERR_NO_MEMORY;
		return nb + 1;
	}
	v->stats.swd_io++;
	v->stats.swd_bits += nbits;
	if (v->tif != TIF_SWD) {
		/* JTAG I/O v3 on a board without JTAG: TDO floats high. */
		memset(in, 0xFF, nb);
		return nb + 1;
	}
	memset(v->line, 0, nb);
	if (nbits && sim_wire_io(v->sim, dir, out, v->line, nbits) != SW_OK)
		SW_LOG_W(v->ctx, "vjlink: sim_wire_io failed: %s", sw_errmsg(v->ctx));
	for (k = 0; k < nbits; k++) {
		unsigned drv = (unsigned)(dir[k / 8] >> (k % 8)) & 1u;
		if (drv) /* the host drives: the line is what it sends */
			v->line[k / 8] = (uint8_t)((v->line[k / 8] & ~(1u << (k % 8))) |
						   (out[k / 8] & (1u << (k % 8))));
	}
	for (k = 0; k < nbits; k++) {
		size_t src = k + 1 < nbits ? k + 1 : k;
		if ((unsigned)(v->line[src / 8] >> (src % 8)) & 1u)
			in[k / 8] |= (uint8_t)(1u << (k % 8));
	}
	in[nb] = 0; /* status OK: SWD errors show only in the ACK bits */
	return nb + 1;
}

static void vj_drop_regs_of(struct vjlink *v, int fd)
{
	for (size_t i = 0; i < VJ_MAX_REGS; i++)
		if (v->regs[i].used && v->regs[i].owner_fd == fd)
			v->regs[i].used = false;
}

/* 0x09 register/unregister; reply is the connection table
 * (libjaylink device.c parse_conn_table): handle, num, entry size 16, info
 * size, then 16-byte entries, padded to at least 76 bytes. */
static size_t vj_register(struct vjlink *v, const uint8_t *p, int fd)
{
	uint16_t handle = sw_le16_get(p + 13);
	struct vj_reg *r = NULL;
	uint8_t *o = v->tx;
	size_t i, num = 0, len;

	for (i = 0; i < VJ_MAX_REGS; i++)
		if (v->regs[i].used && handle && v->regs[i].handle == handle)
			r = &v->regs[i];
	if (p[2] == REG_SUB_REGISTER) {
		for (i = 0; !r && i < VJ_MAX_REGS; i++)
			if (!v->regs[i].used) {
				r = &v->regs[i];
				r->used = true;
				r->handle = v->next_handle++;
				if (!v->next_handle)
					v->next_handle = 1;
			}
		if (r) {
			r->pid = sw_le32_get(p + 3);
			memcpy(r->hid, p + 7, 4);
			r->iid = p[11];
			r->cid = p[12];
			r->timestamp = vj_ms(v);
			r->owner_fd = fd;
			handle = r->handle;
		}
	} else if (r) {
		r->used = false;
	}
	memset(o, 0, VJ_REG_MIN_REPLY + 16 * VJ_MAX_REGS);
	for (i = 0; i < VJ_MAX_REGS; i++) {
		uint8_t *e = o + 8 + 16 * num;
		if (!v->regs[i].used)
			continue;
		sw_le32_put(e, v->regs[i].pid);
		memcpy(e + 4, v->regs[i].hid, 4);
		e[8] = v->regs[i].iid;
		e[9] = v->regs[i].cid;
		sw_le16_put(e + 10, v->regs[i].handle);
		sw_le32_put(e + 12, v->regs[i].timestamp);
		num++;
	}
	sw_le16_put(o, handle);
	sw_le16_put(o + 2, (uint16_t)num);
	sw_le16_put(o + 4, 16);
	sw_le16_put(o + 6, 0);
	len = 8 + 16 * num;
	return len < VJ_REG_MIN_REPLY ? VJ_REG_MIN_REPLY : len;
}

static size_t vj_select_tif(struct vjlink *v, const uint8_t *p)
{
	uint32_t prev = v->tif;

	if (p[2] == TIF_SELECT_GET_AVAILABLE) {
		sw_le32_put(v->tx, (1u << TIF_JTAG) | (1u << TIF_SWD));
	} else if (p[2] == TIF_SELECT_GET_CURRENT) {
		sw_le32_put(v->tx, v->tif);
	} else {
		if (p[2] == TIF_JTAG || p[2] == TIF_SWD)
			v->tif = p[2];
		sw_le32_put(v->tx, prev);
	}
	return 4;
}

static void vj_set_speed(struct vjlink *v, uint16_t khz)
{
	struct sim_timing t;
	uint32_t max_khz = VJ_BASE_FREQ / VJ_MIN_DIV / 1000u;

	v->speed_khz = khz;
	if (khz == 0xFFFF || khz == 0) /* adaptive: keep the current model clock */
		return;
	sim_get_timing(v->sim, &t);
	t.swclk_hz = (khz > max_khz ? max_khz : khz) * 1000u;
	sim_set_timing(v->sim, &t);
}

static size_t vj_hw_status(struct vjlink *v)
{
	memset(v->tx, 0, 8);
	sw_le16_put(v->tx, v->cfg.vtref_mv);
	v->tx[2] = 1;                       /* TCK idles high */
	v->tx[3] = 1;                       /* TDI */
	v->tx[4] = 1;                       /* TDO pulled up */
	v->tx[5] = 1;                       /* TMS / SWDIO pulled up */
	v->tx[6] = v->nrst_released ? 1 : 0; /* TRES = nRESET */
	v->tx[7] = 1;                       /* TRST */
	return 8;
}

/* Execute one complete request; returns the reply length in v->tx. */
static size_t vj_exec(struct vjlink *v, const uint8_t *p, int fd)
{
	size_t n;

	switch (p[1]) {
	case CMD_GET_VERSION:
		n = sizeof(vj_firmware); /* NUL counted: the library overwrites byte L-1 */
		sw_le16_put(v->tx, (uint16_t)n);
		memcpy(v->tx + 2, vj_firmware, n);
		return n + 2;
	case CMD_GET_CAPS:
		sw_le32_put(v->tx, VJ_CAPS);
		return 4;
	case CMD_GET_EXT_CAPS: /* bytes 0-3 repeat the basic caps */
		memset(v->tx, 0, 32);
		sw_le32_put(v->tx, VJ_CAPS);
		return 32;
	case CMD_GET_HW_VERSION:
		sw_le32_put(v->tx, VJ_HW_VERSION);
		return 4;
	case CMD_GET_HW_STATUS:
		return vj_hw_status(v);
	case CMD_GET_FREE_MEMORY:
		sw_le32_put(v->tx, v->cfg.free_mem);
		return 4;
	case CMD_GET_SPEEDS:
		sw_le32_put(v->tx, VJ_BASE_FREQ);
		sw_le16_put(v->tx + 4, VJ_MIN_DIV);
		return 6;
	case CMD_SET_SPEED:
		vj_set_speed(v, sw_le16_get(p + 2));
		return 0;
	case CMD_SELECT_TIF:
		return vj_select_tif(v, p);
	case CMD_SWD_IO:
		return vj_swd_io(v, p);
	case VJ_CMD_SWO:
		return vj_swo_exec(v->swo, v->sim, p, (size_t)vj_cmd_len(p, VJ_RX_MAX), v->tx, sizeof(v->tx));
	case CMD_JTAG_IO_V2:
		n = (sw_le16_get(p + 3) + 7u) / 8u;
		memset(v->tx, 0xFF, n);
		return n;
	case CMD_CLEAR_RESET: /* nRESET low: reset asserted */
	case CMD_SET_RESET:
		v->nrst_released = p[1] == CMD_SET_RESET;
		sim_set_nrst(v->sim, !v->nrst_released);
		return 0;
	case CMD_REGISTER:
		return vj_register(v, p, fd);
	case CMD_GET_HW_INFO:
	case CMD_GET_COUNTERS:
		n = 4u * (size_t)__builtin_popcount(sw_le32_get(p + 2));
		memset(v->tx, 0, n);
		return n;
	case CMD_READ_CONFIG:
		memset(v->tx, 0xFF, 256);
		return 256;
	default: /* TRST, target power, write config: accepted, no reply */
		return 0;
	}
}

/* ---- sockets -------------------------------------------------------------- */

static int vj_send_all(int fd, const uint8_t *buf, size_t len)
{
	while (len) {
		ssize_t r = send(fd, buf, len, MSG_NOSIGNAL);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && errno == EAGAIN) { /* client sockets are non-blocking */
			struct pollfd pf = {.fd = fd, .events = POLLOUT};
			if (poll(&pf, 1, 5000) <= 0)
				return -1;
			continue;
		}
		if (r <= 0)
			return -1;
		buf += r;
		len -= (size_t)r;
	}
	return 0;
}

static void vj_close_conn(struct vjlink *v, struct vj_conn *c)
{
	vj_drop_regs_of(v, c->fd);
	close(c->fd);
	c->fd = -1;
	c->rx_len = 0;
	free(c->rx);
	c->rx = NULL;
}

/* Consume every complete request in c->rx. Returns -1 to drop the client. */
static int vj_process(struct vjlink *v, struct vj_conn *c)
{
	size_t off = 0;

	for (;;) {
		long len = vj_cmd_len(c->rx + off, c->rx_len - off);
		size_t rlen;

		if (len < 0) {
			SW_LOG_W(v->ctx, "vjlink: unknown command 0x%02x 0x%02x, dropping client",
				 c->rx[off], c->rx_len - off > 1 ? c->rx[off + 1] : 0);
			return -1;
		}
		if (len == 0 || (size_t)len > c->rx_len - off)
			break;
		rlen = vj_exec(v, c->rx + off, c->fd);
		SW_LOG_WIRE(v->ctx, "vjlink: cmd 0x%02x, %ld bytes in, %zu out", c->rx[off + 1],
			    len, rlen);
		v->stats.commands++;
		/* USB payload sizes: the TCP prefix byte is not part of the command. */
		sim_round_trip(v->sim, (size_t)len - 1, rlen);
		if (rlen && vj_send_all(c->fd, v->tx, rlen) < 0)
			return -1;
		off += (size_t)len;
	}
	memmove(c->rx, c->rx + off, c->rx_len - off);
	c->rx_len -= off;
	return 0;
}

static void vj_read_conn(struct vjlink *v, struct vj_conn *c)
{
	int one = 1;
	ssize_t r;

	/* Linux clears QUICKACK after use; without it each reply-less command
	 * stalls ~40 ms on delayed ACK vs the client's Nagle (jlink.md §2). */
	setsockopt(c->fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof(one));
	r = recv(c->fd, c->rx + c->rx_len, VJ_RX_MAX - c->rx_len, 0);
	if (r < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (r <= 0) {
		SW_LOG_D(v->ctx, "vjlink: client closed");
		vj_close_conn(v, c);
		return;
	}
	c->rx_len += (size_t)r;
	if (vj_process(v, c) < 0)
		vj_close_conn(v, c);
}

/* Server hello (libjaylink transport_tcp.c handle_server_hello): status 0,
 * u16 protocol version, name length, name. 0xFE means "no free slot". */
static void vj_accept(struct vjlink *v)
{
	static const uint8_t hello[] = {0x00, 0x01, 0x00, 6, 'J', '-', 'L', 'i', 'n', 'k'};
	static const uint8_t full[] = {0xFE, 0x01, 0x00, 0};
	int one = 1, fd = accept4(v->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	struct vj_conn *c = NULL;

	if (fd < 0)
		return;
	for (size_t i = 0; i < VJ_MAX_CONNS; i++)
		if (v->conns[i].fd < 0) {
			c = &v->conns[i];
			break;
		}
	if (c && !(c->rx = malloc(VJ_RX_MAX)))
		c = NULL;
	if (!c) {
		SW_LOG_W(v->ctx, "vjlink: too many connections, refusing one");
		(void)vj_send_all(fd, full, sizeof(full));
		close(fd);
		return;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	c->fd = fd;
	c->rx_len = 0;
	v->stats.connections++;
	SW_LOG_D(v->ctx, "vjlink: client connected");
	if (vj_send_all(fd, hello, sizeof(hello)) < 0)
		vj_close_conn(v, c);
}

/* Advertisement (libjaylink discovery_tcp.c parse_adv_message): "Found",
 * IPv4 at 16, MAC at 32, serial at 48, hw version at 52, product at 64,
 * nickname at 96; exactly 128 bytes. */
static void vj_advertise(struct vjlink *v, const struct sockaddr_in *to)
{
	uint8_t adv[VJ_ADV_LEN];
	int fd = v->reply_fd;

	memset(adv, 0, sizeof(adv));
	memcpy(adv, "Found", 5);
	memcpy(adv + 16, &v->addr.s_addr, 4);
	adv[32] = 0x02; /* locally administered MAC derived from the serial */
	sw_le32_put(adv + 34, v->cfg.serial);
	sw_le32_put(adv + 48, v->cfg.serial);
	sw_le32_put(adv + 52, VJ_HW_VERSION);
	strncpy((char *)adv + 64, v->cfg.product, 31);
	strncpy((char *)adv + 96, v->cfg.nickname, 31);
	if (sendto(fd, adv, sizeof(adv), 0, (const struct sockaddr *)to, sizeof(*to)) < 0)
		SW_LOG_W(v->ctx, "vjlink: advertisement to %s failed: %s", inet_ntoa(to->sin_addr),
			 strerror(errno));
	else
		v->stats.discoveries++;
}

static bool vj_is_discover(const uint8_t *p, size_t n)
{
	return n >= 8 && memcmp(p, "Discover", 8) == 0;
}

static void vj_read_udp(struct vjlink *v)
{
	uint8_t buf[256];
	struct sockaddr_in from;
	socklen_t fl = sizeof(from);
	ssize_t r = recvfrom(v->udp_fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl);

	if (r > 0 && vj_is_discover(buf, (size_t)r))
		vj_advertise(v, &from);
}

/* Raw mode: every UDP datagram arriving in the netns, IP header included. */
static void vj_read_raw(struct vjlink *v)
{
	uint8_t buf[2048];
	ssize_t r = recv(v->raw_fd, buf, sizeof(buf), 0);
	struct sockaddr_in to;
	size_t ihl;

	if (r < 20)
		return;
	ihl = (size_t)(buf[0] & 0x0F) * 4;
	if (buf[9] != IPPROTO_UDP || (size_t)r < ihl + 8)
		return;
	if (((unsigned)buf[ihl + 2] << 8 | buf[ihl + 3]) != VJLINK_PORT)
		return;
	if (!vj_is_discover(buf + ihl + 8, (size_t)r - ihl - 8))
		return;
	memset(&to, 0, sizeof(to));
	to.sin_family = AF_INET;
	memcpy(&to.sin_addr.s_addr, buf + 12, 4);
	memcpy(&to.sin_port, buf + ihl, 2);
	if (to.sin_addr.s_addr == htonl(INADDR_ANY))
		to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	vj_advertise(v, &to);
}

/* ---- the poll loop ---------------------------------------------------------- */

void vjlink_drop_clients(struct vjlink *v)
{
	if (v->thread_running) { /* the loop thread owns the sockets */
		(void)!write(v->pipe_wr, "d", 1);
		return;
	}
	for (size_t i = 0; i < VJ_MAX_CONNS; i++)
		if (v->conns[i].fd >= 0)
			vj_close_conn(v, &v->conns[i]);
}

/* Returns 1 when a stop was requested through the pipe. */
static int vj_read_pipe(struct vjlink *v)
{
	char buf[16];
	ssize_t r = read(v->pipe_rd, buf, sizeof(buf));
	int stop = 0;

	for (ssize_t i = 0; i < r; i++) {
		if (buf[i] == 'q')
			stop = 1;
		else if (buf[i] == 'd')
			for (size_t k = 0; k < VJ_MAX_CONNS; k++)
				if (v->conns[k].fd >= 0)
					vj_close_conn(v, &v->conns[k]);
	}
	return stop;
}

/* One poll() round over pipe, stop_fd, listener, discovery and clients.
 * Returns 1 on stop, 0 otherwise, or an error code. */
static int vj_poll_once(struct vjlink *v, int timeout_ms, int stop_fd)
{
	struct pollfd pf[5 + VJ_MAX_CONNS];
	int idx[VJ_MAX_CONNS];
	nfds_t n = 0, i;
	int r;

	pf[n++] = (struct pollfd){.fd = v->pipe_rd, .events = POLLIN};
	pf[n++] = (struct pollfd){.fd = stop_fd, .events = POLLIN};
	pf[n++] = (struct pollfd){.fd = v->listen_fd, .events = POLLIN};
	pf[n++] = (struct pollfd){.fd = v->udp_fd, .events = POLLIN};
	pf[n++] = (struct pollfd){.fd = v->raw_fd, .events = POLLIN};
	for (int k = 0; k < VJ_MAX_CONNS; k++) {
		idx[k] = -1;
		if (v->conns[k].fd >= 0) {
			idx[k] = (int)n;
			pf[n++] = (struct pollfd){.fd = v->conns[k].fd, .events = POLLIN};
		}
	}
	r = poll(pf, n, timeout_ms);
	if (r < 0)
		return errno == EINTR ? 0 : sw_fail(v->ctx, SW_ERR_IO, "vjlink: poll: %s", strerror(errno));
	if (pf[0].revents && vj_read_pipe(v))
		return 1;
	if (pf[1].revents)
		return 1;
	if (pf[2].revents & POLLIN)
		vj_accept(v);
	if (pf[3].revents & POLLIN)
		vj_read_udp(v);
	if (pf[4].revents & POLLIN)
		vj_read_raw(v);
	for (int k = 0; k < VJ_MAX_CONNS; k++) {
		i = idx[k] < 0 ? 0 : (nfds_t)idx[k];
		if (idx[k] >= 0 && v->conns[k].fd >= 0 && pf[i].revents)
			vj_read_conn(v, &v->conns[k]);
	}
	return 0;
}

int vjlink_poll(struct vjlink *v, int timeout_ms)
{
	int r = vj_poll_once(v, timeout_ms, -1);

	return r < 0 ? r : SW_OK;
}

int vjlink_run(struct vjlink *v, int stop_fd)
{
	for (;;) {
		int r = vj_poll_once(v, -1, stop_fd);
		if (r < 0)
			return r;
		if (r == 1)
			return SW_OK;
	}
}

static void *vj_thread(void *arg)
{
	(void)vjlink_run(arg, -1);
	return NULL;
}

int vjlink_start(struct vjlink *v)
{
	if (v->thread_running)
		return SW_OK;
	if (pthread_create(&v->thread, NULL, vj_thread, v) != 0)
		return sw_fail(v->ctx, SW_ERR_IO, "vjlink: cannot start thread");
	v->thread_running = true;
	return SW_OK;
}

void vjlink_stop(struct vjlink *v)
{
	if (!v->thread_running)
		return;
	(void)!write(v->pipe_wr, "q", 1);
	pthread_join(v->thread, NULL);
	v->thread_running = false;
}

void vjlink_get_stats(const struct vjlink *v, struct vjlink_stats *s)
{
	*s = v->stats;
}

/* ---- set-up ----------------------------------------------------------------- */

static int vj_open_tcp(struct vjlink *v)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(v->cfg.port)};
	int one = 1;

	a.sin_addr = v->addr;
	v->listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (v->listen_fd < 0)
		return sw_fail(v->ctx, SW_ERR_IO, "vjlink: socket: %s", strerror(errno));
	setsockopt(v->listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(v->listen_fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    listen(v->listen_fd, 8) < 0)
		return sw_fail(v->ctx, SW_ERR_IO, "vjlink: cannot listen on %s:%u: %s", v->ip,
			       v->cfg.port, strerror(errno));
	return SW_OK;
}

static int vj_open_discovery(struct vjlink *v)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(VJLINK_PORT)};
	int one = 1;

	v->reply_fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (v->reply_fd < 0)
		return sw_fail(v->ctx, SW_ERR_IO, "vjlink: socket: %s", strerror(errno));
	if (v->cfg.discovery == VJLINK_DISC_UDP) {
		v->udp_fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (v->udp_fd < 0)
			return sw_fail(v->ctx, SW_ERR_IO, "vjlink: socket: %s", strerror(errno));
		setsockopt(v->udp_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		a.sin_addr.s_addr = htonl(INADDR_ANY); /* broadcasts arrive on ANY only */
		if (bind(v->udp_fd, (struct sockaddr *)&a, sizeof(a)) < 0)
			return sw_fail(v->ctx, SW_ERR_IO, "vjlink: cannot bind UDP %u: %s",
				       VJLINK_PORT, strerror(errno));
	} else if (v->cfg.discovery == VJLINK_DISC_RAW) {
		v->raw_fd = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_UDP);
		if (v->raw_fd < 0)
			return sw_fail(v->ctx, SW_ERR_IO, "vjlink: raw UDP socket: %s",
				       strerror(errno));
	}
	return SW_OK;
}

static int vj_open(struct vjlink *v)
{
	int p[2], r;

	if (inet_pton(AF_INET, v->cfg.ip, &v->addr) != 1)
		return sw_fail(v->ctx, SW_ERR_ARG, "vjlink: bad IPv4 address '%s'", v->cfg.ip);
	inet_ntop(AF_INET, &v->addr, v->ip, sizeof(v->ip));
	if (pipe2(p, O_CLOEXEC | O_NONBLOCK) < 0)
		return sw_fail(v->ctx, SW_ERR_IO, "vjlink: pipe: %s", strerror(errno));
	v->pipe_rd = p[0];
	v->pipe_wr = p[1];
	r = vj_open_tcp(v);
	if (r == SW_OK)
		r = vj_open_discovery(v);
	return r;
}

int vjlink_new(struct sw_ctx *ctx, struct sim *sim, const struct vjlink_cfg *cfg,
	       struct vjlink **out)
{
	struct vjlink *v;
	int r;

	*out = NULL;
	if (!sim || !cfg || !cfg->ip || cfg->free_mem < 16 + 2)
		return sw_fail(ctx, SW_ERR_ARG, "vjlink: bad configuration");
	v = calloc(1, sizeof(*v));
	if (!v)
		return sw_fail(ctx, SW_ERR_NOMEM, "vjlink: out of memory");
	v->ctx = ctx;
	v->sim = sim;
	v->cfg = *cfg;
	if (!v->cfg.product)
		v->cfg.product = "J-Link";
	if (!v->cfg.nickname)
		v->cfg.nickname = "";
	v->listen_fd = v->udp_fd = v->raw_fd = v->reply_fd = v->pipe_rd = v->pipe_wr = -1;
	for (size_t i = 0; i < VJ_MAX_CONNS; i++)
		v->conns[i].fd = -1;
	v->next_handle = 1;
	v->tif = TIF_JTAG; /* a J-Link powers up with JTAG selected */
	v->nrst_released = true;
	clock_gettime(CLOCK_MONOTONIC, &v->t0);
	v->line = malloc(8192 + 1);
	v->swo = calloc(1, sizeof(*v->swo));
	if (!v->line || !v->swo) {
		vjlink_free(v);
		return sw_fail(ctx, SW_ERR_NOMEM, "vjlink: out of memory");
	}
	r = vj_open(v);
	if (r != SW_OK) {
		vjlink_free(v);
		return r;
	}
	SW_LOG_I(ctx, "vjlink: serial %u listening on %s:%u", v->cfg.serial, v->ip, v->cfg.port);
	*out = v;
	return SW_OK;
}

static void vj_close_fd(int fd)
{
	if (fd >= 0)
		close(fd);
}

void vjlink_free(struct vjlink *v)
{
	if (!v)
		return;
	vjlink_stop(v);
	for (size_t i = 0; i < VJ_MAX_CONNS; i++) {
		vj_close_fd(v->conns[i].fd);
		free(v->conns[i].rx);
	}
	vj_close_fd(v->listen_fd);
	vj_close_fd(v->udp_fd);
	vj_close_fd(v->raw_fd);
	vj_close_fd(v->reply_fd);
	vj_close_fd(v->pipe_rd);
	vj_close_fd(v->pipe_wr);
	free(v->line);
	free(v->swo);
	free(v);
}
