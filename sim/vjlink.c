/* vjlink: the virtual J-Link's sockets (TCP server, UDP discovery, thread).
 * Wire format facts: reference/jlink.md §1-3 (libjaylink discovery_tcp.c,
 * transport_tcp.c); the command interpreter is vjlink_cmd.c. */
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

#include "sim/vjlink_priv.h"
#include "sw/types.h"

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
