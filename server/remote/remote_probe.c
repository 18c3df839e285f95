/* Client side of the remote probe: struct sw_probe_ops over the wire. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <time.h>
#include <unistd.h>

#include "server/net/addr.h"
#include "server/remote/remote_probe.h"
#include "server/remote/rp_io.h"

#define CONNECT_MS 10000
#define CALL_MS 30000 /* a batch may hold flash-busy stalls on the far side */

struct remote_probe {
	struct sw_probe probe;
	struct sw_tls_conf *conf;
	struct sw_tls_conn *conn;
	uint32_t max_batch;
	uint8_t *tx, *rx;
	uint64_t lan_ns;
	bool dead;
	char peer[SW_ADDR_TEXT];
	char name[64];
};

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Send tx (payload len) as `type`, read the reply into rx; rd covers the
 * body after the status prologue. Returns the transport error, else the
 * remote status (with its message recorded). */
static int call(struct remote_probe *rp, uint8_t type, size_t len, struct sw_rp_rd *rd)
{
	struct sw_ctx *ctx = rp->probe.ctx;
	struct sw_rp_hdr h;
	char msg[SW_RP_MAX_MSG + 1];
	uint64_t t0 = mono_ns(), spent;
	int r, st;

	if (rp->dead)
		return sw_fail(ctx, SW_ERR_CLOSED, "remote probe %s: connection lost earlier", rp->peer);
	if ((r = sw_rp_send(rp->conn, type, rp->tx, len, CALL_MS)) ||
	    (r = sw_rp_recv(ctx, rp->conn, &h, rp->rx, CALL_MS))) {
		rp->dead = true;
		rp->probe.lost = true;
		return sw_fail(ctx, r, "remote probe %s: probe lost (%s)", rp->peer, sw_errmsg(ctx));
	}
	if (h.type != (SW_RP_REPLY | type)) {
		rp->dead = true;
		return sw_fail(ctx, SW_ERR_PROTO, "remote probe %s: reply type 0x%02x to request 0x%02x", rp->peer,
			       h.type, type);
	}
	*rd = (struct sw_rp_rd){rp->rx + SW_RP_HDR, h.len, 0, false};
	st = sw_rp_get_status(rd, msg, sizeof(msg));
	rp->probe.stats.round_trips++;
	rp->probe.stats.bytes_out += SW_RP_HDR + len;
	rp->probe.stats.bytes_in += SW_RP_HDR + h.len;
	spent = mono_ns() - t0;
	rp->lan_ns += spent;
	if (rd->bad)
		return sw_fail(ctx, SW_ERR_PROTO, "remote probe %s: malformed reply", rp->peer);
	if (st)
		return sw_fail(ctx, st, "remote probe %s: %s", rp->peer, msg[0] ? msg : sw_strerror(st));
	return SW_OK;
}

static struct sw_rp_wr tx_writer(struct remote_probe *rp)
{
	return (struct sw_rp_wr){rp->tx + SW_RP_HDR, SW_RP_MAX_PAYLOAD, 0, false};
}

static int rp_batch(struct remote_probe *rp, struct sw_swd_req *reqs, size_t n)
{
	struct sw_rp_wr w = tx_writer(rp);
	struct sw_rp_rd rd;
	uint32_t probe_us = 0;
	int r;

	sw_rp_batch_encode(&w, reqs, n);
	r = call(rp, SW_RP_BATCH, w.n, &rd);
	/* The body follows even on failure: it says which requests ran. */
	if (r && r != SW_ERR_SWD_WAIT && r != SW_ERR_SWD_FAULT && r != SW_ERR_SWD_PARITY &&
	    r != SW_ERR_SWD_NOACK && r != SW_ERR_SWD_PROTO)
		return r;
	int r2 = sw_rp_batch_reply_decode(rp->probe.ctx, &rd, reqs, n, &probe_us);
	/* The far side's probe time is not network time. */
	rp->lan_ns -= (uint64_t)probe_us * 1000u < rp->lan_ns ? (uint64_t)probe_us * 1000u : rp->lan_ns;
	rp->probe.stats.transactions += n;
	return r ? r : r2;
}

static int rp_transfer(struct sw_probe *p, struct sw_swd_req *reqs, size_t n)
{
	struct remote_probe *rp = p->priv;
	int r = SW_OK;

	for (size_t i = 0; i < n; i++)
		reqs[i].ack = 0;
	for (size_t off = 0; off < n && !r; off += rp->max_batch) {
		size_t k = n - off < rp->max_batch ? n - off : rp->max_batch;
		r = rp_batch(rp, reqs + off, k);
	}
	return r;
}

static int rp_sequence(struct sw_probe *p, const uint8_t *bits, size_t nbits)
{
	struct remote_probe *rp = p->priv;
	struct sw_rp_wr w = tx_writer(rp);
	struct sw_rp_rd rd;

	if (nbits == 0 || nbits > SW_RP_MAX_SWJ_BITS)
		return sw_fail(p->ctx, SW_ERR_ARG, "remote: line sequence of %zu bits (max %u)", nbits,
			       SW_RP_MAX_SWJ_BITS);
	sw_rp_put32(&w, (uint32_t)nbits);
	sw_rp_putbytes(&w, bits, (nbits + 7) / 8);
	return call(rp, SW_RP_SWJ, w.n, &rd);
}

static int rp_freq(struct sw_probe *p, uint32_t hz, uint32_t *actual)
{
	struct remote_probe *rp = p->priv;
	struct sw_rp_wr w = tx_writer(rp);
	struct sw_rp_rd rd;
	int r;

	sw_rp_put32(&w, hz);
	if ((r = call(rp, SW_RP_FREQ, w.n, &rd)))
		return r;
	*actual = sw_rp_u32(&rd);
	p->freq_hz = *actual;
	return rd.bad ? sw_fail(p->ctx, SW_ERR_PROTO, "remote: short FREQ reply") : SW_OK;
}

static int rp_nrst(struct sw_probe *p, bool asserted)
{
	struct remote_probe *rp = p->priv;
	struct sw_rp_wr w = tx_writer(rp);
	struct sw_rp_rd rd;

	sw_rp_put8(&w, asserted ? 1 : 0);
	return call(rp, SW_RP_NRST, w.n, &rd);
}

static int rp_voltage(struct sw_probe *p, uint32_t *mv)
{
	struct remote_probe *rp = p->priv;
	struct sw_rp_rd rd;
	int r;

	if ((r = call(rp, SW_RP_VOLTAGE, 0, &rd)))
		return r;
	*mv = sw_rp_u32(&rd);
	return rd.bad ? sw_fail(p->ctx, SW_ERR_PROTO, "remote: short VOLTAGE reply") : SW_OK;
}

int sw_remote_probe_stats(struct sw_probe *p, struct sw_remote_stats *st)
{
	struct remote_probe *rp = p->priv;
	struct sw_rp_rd rd;
	uint64_t *f[] = {&st->probe.swd_cycles, &st->probe.transactions, &st->probe.round_trips,
			 &st->probe.bytes_out,  &st->probe.bytes_in,     &st->probe.waits,
			 &st->probe.faults,     &st->probe.parity_errors, &st->virtual_ns};
	int r;

	memset(st, 0, sizeof(*st));
	if (!p || !p->ops || strcmp(p->ops->name, "remote"))
		return SW_ERR_NOT_SUPPORTED;
	if ((r = call(rp, SW_RP_STATS, 0, &rd)))
		return r;
	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		*f[i] = sw_rp_u64(&rd);
	st->lan_ns = rp->lan_ns;
	st->lan_round_trips = p->stats.round_trips;
	return rd.bad ? sw_fail(p->ctx, SW_ERR_PROTO, "remote: short STATS reply") : SW_OK;
}

static void rp_close(struct sw_probe *p)
{
	struct remote_probe *rp = p->priv;

	sw_tls_conn_free(rp->conn);
	sw_tls_conf_free(rp->conf);
	free(rp->tx);
	free(rp->rx);
	free(rp);
}

static const struct sw_probe_ops remote_ops = {
	.name = "remote",
	.swd_transfer = rp_transfer,
	.swj_sequence = rp_sequence,
	.set_freq_hz = rp_freq,
	.set_nrst = rp_nrst,
	.target_voltage_mv = rp_voltage,
	.close = rp_close,
};

/* Non-blocking connect bounded by CONNECT_MS. */
static int dial(struct sw_ctx *ctx, const struct sw_net_addr *a, const char *text, int *out)
{
	int fd = socket(a->ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0), one = 1, err = 0;
	struct pollfd pf;
	socklen_t el = sizeof(err);

	if (fd < 0)
		return sw_fail(ctx, SW_ERR_IO, "socket: %s", strerror(errno));
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, (const struct sockaddr *)&a->ss, a->len) && errno != EINPROGRESS) {
		err = errno;
	} else {
		pf = (struct pollfd){fd, POLLOUT, 0};
		if (poll(&pf, 1, CONNECT_MS) <= 0)
			err = ETIMEDOUT;
		else
			getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el);
	}
	if (err) {
		close(fd);
		return sw_fail(ctx, SW_ERR_IO, "remote probe %s: connect: %s", text, strerror(err));
	}
	*out = fd;
	return SW_OK;
}

static int hello(struct remote_probe *rp)
{
	struct sw_rp_wr w = tx_writer(rp);
	struct sw_rp_rd rd;
	uint16_t major, minor;
	uint8_t nl;
	int r;

	sw_rp_put32(&w, SW_RP_MAGIC);
	sw_rp_put16(&w, SW_RP_VERSION_MAJOR);
	sw_rp_put16(&w, SW_RP_VERSION_MINOR);
	if ((r = call(rp, SW_RP_HELLO, w.n, &rd)))
		return r;
	major = sw_rp_u16(&rd);
	minor = sw_rp_u16(&rd);
	rp->max_batch = sw_rp_u32(&rd);
	rp->probe.freq_hz = sw_rp_u32(&rd);
	nl = sw_rp_u8(&rd);
	for (size_t i = 0; i < nl && i + 1 < sizeof(rp->name); i++)
		rp->name[i] = (char)sw_rp_u8(&rd);
	if (rd.bad || major != SW_RP_VERSION_MAJOR || !rp->max_batch || rp->max_batch > SW_RP_MAX_BATCH)
		return sw_fail(rp->probe.ctx, SW_ERR_PROTO, "remote probe %s: incompatible server (protocol %u.%u)",
			       rp->peer, major, minor);
	return SW_OK;
}

int sw_remote_probe_open(struct sw_ctx *ctx, const char *hostport, const struct sw_tls_creds *creds,
			 struct sw_probe **out)
{
	struct remote_probe *rp = calloc(1, sizeof(*rp));
	struct sw_net_addr a;
	int fd = -1, r;

	*out = NULL;
	if (!rp || !(rp->tx = malloc(SW_RP_BUF)) || !(rp->rx = malloc(SW_RP_BUF))) {
		if (rp)
			free(rp->tx);
		free(rp);
		return sw_fail(ctx, SW_ERR_NOMEM, "remote probe: out of memory");
	}
	rp->probe = (struct sw_probe){.ops = &remote_ops, .ctx = ctx, .priv = rp};
	snprintf(rp->peer, sizeof(rp->peer), "%s", hostport);
	snprintf(rp->probe.reopen, sizeof(rp->probe.reopen), "remote://%.50s", hostport);
	if (!(r = sw_net_addr_resolve(ctx, hostport, SW_REMOTE_DEFAULT_PORT, &a)) &&
	    !(r = sw_tls_conf_new(ctx, creds, false, &rp->conf)) && !(r = dial(ctx, &a, hostport, &fd)) &&
	    !(r = sw_tls_conn_new(ctx, rp->conf, fd, &rp->conn))) {
		if ((r = sw_tls_conn_handshake_wait(rp->conn, CONNECT_MS)))
			r = sw_fail(ctx, r, "remote probe %s: %s", hostport, sw_errmsg(ctx));
		else if ((r = hello(rp)) && !rp->conf && (r == SW_ERR_CLOSED || r == SW_ERR_IO))
			r = sw_fail(ctx, r, "%s (does the probe-server require TLS? give --psk-file or --cert/--key/--ca)",
				    sw_errmsg(ctx));
	}
	if (r) {
		rp_close(&rp->probe);
		return r;
	}
	SW_LOG_I(ctx, "remote probe %s: %s over %s, protocol %u.%u", hostport, rp->name,
		 sw_tls_conf_kind(rp->conf), SW_RP_VERSION_MAJOR, SW_RP_VERSION_MINOR);
	*out = &rp->probe;
	return SW_OK;
}
