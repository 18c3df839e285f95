/* The probe-server loop: listeners, pending handshakes, one active client. */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "server/net/addr.h"
#include "server/remote/probe_server_priv.h"
#include "server/remote/rp_io.h"

#define LINGER_MS 2000
#define IDLE_MAX_NS 20000000ull

int64_t sw_ps_now_ms(void)
{
	return (int64_t)(sw_outq_now_ns() / 1000000u);
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int sw_probe_server_new(struct sw_ctx *ctx, const struct sw_probe_server_cfg *cfg, struct sw_probe_server **out)
{
	struct sw_probe_server *ps = calloc(1, sizeof(*ps));

	*out = NULL;
	if (!ps || !(ps->rx = malloc(SW_RP_BUF)) || !(ps->tx = malloc(SW_RP_BUF)) ||
	    !(ps->reqs = calloc(SW_RP_MAX_BATCH, sizeof(*ps->reqs)))) {
		sw_probe_server_free(ps);
		return sw_fail(ctx, SW_ERR_NOMEM, "probe-server: out of memory");
	}
	ps->ctx = ctx;
	ps->cfg = *cfg;
	sw_ctx_init(&ps->peer_ctx);
	ps->peer_ctx.level = SW_LOG_NONE;
	*out = ps;
	return SW_OK;
}

void sw_probe_server_free(struct sw_probe_server *ps)
{
	if (!ps)
		return;
	for (unsigned i = 0; i < ps->n_listen; i++)
		close(ps->lfd[i]);
	for (unsigned i = 0; i < SW_PROBE_SERVER_MAX_PENDING; i++)
		sw_tls_conn_free(ps->pending[i].conn);
	sw_tls_conn_free(ps->active.conn);
	sw_outq_free(&ps->out);
	free(ps->rx);
	free(ps->tx);
	free(ps->reqs);
	free(ps);
}

int sw_probe_server_listen(struct sw_probe_server *ps, const char *addr, char *text, size_t cap)
{
	struct sw_net_addr a;
	socklen_t len;
	int fd, one = 1, r;

	if (ps->n_listen == SW_PROBE_SERVER_MAX_LISTEN)
		return sw_fail(ps->ctx, SW_ERR_BUSY, "probe-server: at most %d --listen addresses",
			       SW_PROBE_SERVER_MAX_LISTEN);
	if ((r = sw_net_addr_parse(ps->ctx, addr, 2340, &a)))
		return r;
	/* The probe is as good as the target's debug port: never expose it
	 * unauthenticated beyond this machine. */
	if (!ps->cfg.tls && !sw_net_addr_is_loopback(&a))
		return sw_fail(ps->ctx, SW_ERR_ARG,
			       "refusing to listen on %s without credentials: give --psk-file F or --cert C --key K --ca CA (docs/remote-probe.md)",
			       addr);
	fd = socket(a.ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return sw_fail(ps->ctx, SW_ERR_IO, "socket: %s", strerror(errno));
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (a.ss.ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&a.ss, a.len) || listen(fd, SW_LISTEN_BACKLOG)) {
		int e = errno;
		close(fd);
		return sw_fail(ps->ctx, SW_ERR_IO, "cannot listen on %s: %s", addr, strerror(e));
	}
	len = sizeof(a.ss);
	getsockname(fd, (struct sockaddr *)&a.ss, &len);
	sw_net_addr_text(&a, text, cap);
	ps->lfd[ps->n_listen++] = fd;
	return SW_OK;
}

/* Failed handshakes: one line each, at most LOG_PER_WINDOW per window, so a
 * scanner or a flood cannot fill the log. */
static void log_reject(struct sw_probe_server *ps, const char *addr, const char *why)
{
	if (sw_ratelog_ok(&ps->rejects, ps->ctx, "failed handshakes"))
		SW_LOG_W(ps->ctx, "probe-server: rejected %s: %s", addr, why);
}

static void drop_pending(struct peer *p)
{
	sw_tls_conn_free(p->conn);
	p->conn = NULL;
}

/* Same source address: "ADDR:PORT" texts equal up to the last ':'. */
static bool same_host(const char *a, const char *b)
{
	const char *ca = strrchr(a, ':'), *cb = strrchr(b, ':');

	return ca && cb && ca - a == cb - b && !strncmp(a, b, (size_t)(ca - a));
}

/* Has the peer sent anything yet? Peeked, so it holds whatever mbedTLS has
 * not read, however poll() was set up when the slot changed hands. */
static void note_input(struct peer *p)
{
	char b;

	if (!p->got_byte && recv(sw_tls_conn_fd(p->conn), &b, 1, MSG_PEEK | MSG_DONTWAIT) > 0)
		p->got_byte = true;
}

/* Which of two handshakes to evict first: one that has sent nothing yet
 * (a real client sends its ClientHello at once), then the older. */
static bool evict_before(const struct peer *a, const struct peer *b)
{
	if (a->got_byte != b->got_byte)
		return !a->got_byte;
	return a->accepted_ms < b->accepted_ms;
}

/* A slot for a new handshake. Never refuse the newcomer (a full table of
 * idle connections would lock everyone out): take a free slot, else evict
 * a handshake of the same address once it has PER_ADDR_PENDING, else one
 * of all (silent ones first, then the oldest). */
static struct peer *pending_slot(struct sw_probe_server *ps, const char *addr)
{
	struct peer *free_slot = NULL, *oldest = NULL, *oldest_same = NULL, *victim;
	unsigned same = 0;

	for (unsigned i = 0; i < SW_PROBE_SERVER_MAX_PENDING; i++) {
		struct peer *p = &ps->pending[i];
		if (!p->conn) {
			free_slot = free_slot ? free_slot : p;
			continue;
		}
		note_input(p);
		if (!oldest || evict_before(p, oldest))
			oldest = p;
		if (same_host(p->addr, addr)) {
			same++;
			if (!oldest_same || evict_before(p, oldest_same))
				oldest_same = p;
		}
	}
	victim = same >= PER_ADDR_PENDING ? oldest_same : free_slot ? NULL : oldest;
	if (!victim)
		return free_slot;
	if (!victim->closing)
		log_reject(ps, victim->addr,
			   victim == oldest_same ? "evicted: too many handshakes from its address"
						 : "evicted: handshake table full");
	drop_pending(victim);
	return victim;
}

/* Returns false when nothing more waits on the listener. */
static bool accept_one(struct sw_probe_server *ps, int lfd)
{
	struct sockaddr_storage sa;
	socklen_t len = sizeof(sa);
	char addr[SW_ADDR_TEXT];
	int one = 1, fd = accept4(lfd, (struct sockaddr *)&sa, &len, SOCK_CLOEXEC | SOCK_NONBLOCK);
	struct peer *slot;

	if (fd < 0)
		return false;
	sw_net_sockaddr_text((const struct sockaddr *)&sa, addr, sizeof(addr));
	slot = pending_slot(ps, addr);
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (sw_tls_conn_new(&ps->peer_ctx, ps->cfg.tls, fd, &slot->conn))
		return true;
	snprintf(slot->addr, sizeof(slot->addr), "%s", addr);
	slot->accepted_ms = sw_ps_now_ms();
	slot->deadline_ms = slot->accepted_ms + HANDSHAKE_MS;
	slot->got_byte = false;
	slot->fresh = true;
	slot->closing = false;
	return true;
}

/* A second authenticated client: tell it who holds the probe, then close. */
static void refuse_busy(struct sw_probe_server *ps, struct peer *p)
{
	struct sw_rp_wr w = {ps->tx + SW_RP_HDR, SW_RP_MAX_PAYLOAD, 0, false};
	char msg[SW_RP_MAX_MSG];

	snprintf(msg, sizeof(msg), "probe busy (held by %s since %s)", ps->active.addr, ps->since);
	sw_rp_put_status(&w, SW_ERR_BUSY, msg);
	/* One attempt, never a wait: a small reply on a fresh connection. */
	sw_rp_hdr_put(ps->tx, SW_RP_REPLY | SW_RP_HELLO, (uint32_t)w.n);
	(void)sw_tls_conn_send(p->conn, ps->tx, SW_RP_HDR + w.n);
	sw_tls_conn_shutdown(p->conn);
	if (sw_ratelog_ok(&ps->rejects, ps->ctx, "failed handshakes"))
		SW_LOG_W(ps->ctx, "probe-server: %s refused: %s", p->addr, msg);
	p->closing = true;
	p->deadline_ms = sw_ps_now_ms() + LINGER_MS;
}

static void promote(struct sw_probe_server *ps, struct peer *p)
{
	time_t now = time(NULL);
	struct tm tm;

	if (ps->active.conn) {
		refuse_busy(ps, p);
		return;
	}
	ps->active = *p;
	p->conn = NULL;
	ps->hello_done = false;
	ps->rx_have = 0;
	ps->last_ms = sw_ps_now_ms();
	ps->hello_deadline_ms = ps->last_ms + HELLO_MS;
	sw_outq_init_fn(&ps->out, sw_tls_conn_send, ps->active.conn, SW_RP_BUF, (uint64_t)REPLY_MS * 1000000u);
	gmtime_r(&now, &tm);
	strftime(ps->since, sizeof(ps->since), "%Y-%m-%d %H:%M:%S UTC", &tm);
	SW_LOG_I(ps->ctx, "probe-server: client %s connected (%s)", ps->active.addr, sw_tls_conf_kind(ps->cfg.tls));
}

static void step_pending(struct sw_probe_server *ps, struct peer *p, short rev)
{
	int r;

	if (p->closing) {
		uint8_t junk[512];
		ssize_t n = (rev & (POLLIN | POLLHUP | POLLERR)) ? recv(sw_tls_conn_fd(p->conn), junk, sizeof(junk), MSG_DONTWAIT) : -1;
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && rev) || sw_ps_now_ms() > p->deadline_ms)
			drop_pending(p);
		return;
	}
	note_input(p);
	r = sw_tls_conn_handshake(p->conn);
	if (r == 0) {
		promote(ps, p);
		return;
	}
	if (r == 1 && !p->got_byte && sw_ps_now_ms() > p->accepted_ms + FIRST_BYTE_MS) {
		log_reject(ps, p->addr, "no ClientHello within 2 s");
		drop_pending(p);
		return;
	}
	if (r == 1 && sw_ps_now_ms() <= p->deadline_ms)
		return;
	log_reject(ps, p->addr, r == 1 ? "TLS handshake not complete within 10 s" : sw_errmsg(&ps->peer_ctx));
	drop_pending(p);
}

void sw_ps_drop_active(struct sw_probe_server *ps, const char *why)
{
	sw_log(ps->ctx, strncmp(why, "dropped", 7) ? SW_LOG_INFO : SW_LOG_WARN, "probe-server: client %s %s",
	       ps->active.addr, why);
	sw_tls_conn_free(ps->active.conn);
	sw_outq_free(&ps->out);
	ps->active.conn = NULL;
}

/* Build the poll set: listeners, pending peers, then the active client. */
static unsigned poll_set(struct sw_probe_server *ps, struct pollfd *pfd)
{
	unsigned n = 0;

	for (unsigned i = 0; i < ps->n_listen; i++)
		pfd[n++] = (struct pollfd){ps->lfd[i], POLLIN, 0};
	for (unsigned i = 0; i < SW_PROBE_SERVER_MAX_PENDING; i++)
		pfd[n++] = (struct pollfd){ps->pending[i].conn ? sw_tls_conn_fd(ps->pending[i].conn) : -1, POLLIN, 0};
	/* A reply waiting for the client: no new request is read meanwhile. */
	pfd[n++] = (struct pollfd){ps->active.conn ? sw_tls_conn_fd(ps->active.conn) : -1,
				   sw_outq_len(&ps->out) ? POLLOUT : POLLIN, 0};
	return n;
}

int sw_probe_server_run(struct sw_probe_server *ps, volatile sig_atomic_t *stop)
{
	struct pollfd pfd[SW_PROBE_SERVER_MAX_LISTEN + SW_PROBE_SERVER_MAX_PENDING + 1];

	while (!*stop) {
		unsigned n = poll_set(ps, pfd), k = 0;
		bool buffered = ps->active.conn && !sw_outq_len(&ps->out) && sw_tls_conn_pending(ps->active.conn);
		uint64_t t0 = mono_ns(), idle;

		/* Short waits while a sim runs, so its firmware keeps time. */
		if (poll(pfd, n, buffered ? 0 : ps->cfg.idle ? 5 : 100) < 0 && errno != EINTR)
			return sw_fail(ps->ctx, SW_ERR_IO, "poll: %s", strerror(errno));
		idle = mono_ns() - t0;
		if (ps->cfg.idle)
			ps->cfg.idle(ps->cfg.user, idle > IDLE_MAX_NS ? IDLE_MAX_NS : idle);
		for (unsigned i = 0; i < ps->n_listen; i++, k++)
			if (pfd[k].revents & POLLIN)
				for (unsigned a = 0; a < SW_PROBE_SERVER_MAX_PENDING; a++)
					if (!accept_one(ps, ps->lfd[i]))
						break;
		for (unsigned i = 0; i < SW_PROBE_SERVER_MAX_PENDING; i++, k++) {
			struct peer *p = &ps->pending[i];
			if (p->conn)
				step_pending(ps, p, p->fresh ? 0 : pfd[k].revents);
			p->fresh = false;
		}
		if (ps->active.conn && (pfd[k].revents & POLLOUT) && !sw_outq_flush(&ps->out))
			sw_ps_drop_active(ps, "dropped: its socket failed while taking a reply");
		if (ps->active.conn && !sw_outq_len(&ps->out) &&
		    (buffered || (pfd[k].revents & (POLLIN | POLLHUP | POLLERR))))
			sw_ps_serve_one(ps);
		if (ps->active.conn)
			sw_ps_check_deadlines(ps, sw_ps_now_ms());
	}
	return SW_OK;
}
