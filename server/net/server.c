#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "server/gdb/rsp_client.h"
#include "server/gdb/rsp_packet.h"
#include "server/net/addr.h"
#include "server/net/outq.h"
#include "server/net/ratelog.h"
#include "server/net/server.h"

#define TICK_MAX_NS 20000000ull /* never advance simulated time more than 20 ms per loop */
#define ACCEPT_PER_LOOP 32     /* a burst of connects is taken in a few loops */
#define RECONNECT_EVERY_NS 250000000ull /* opening a lost probe blocks (discovery, ~20 ms): at most 4 tries a second */

void sw_server_init(struct sw_server *srv, struct sw_ctx *ctx)
{
	memset(srv, 0, sizeof(*srv));
	srv->ctx = ctx;
}

/* Open a listening TCP socket on a (IPv4 or IPv6); *fd and *bound out. */
static int open_listener(struct sw_ctx *ctx, struct sw_net_addr *a, int *fd_out, unsigned *bound)
{
	char t[SW_ADDR_TEXT];
	socklen_t len = a->len;
	int fd, one = 1;

	fd = socket(a->ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return sw_fail(ctx, SW_ERR_IO, "socket: %s", strerror(errno));
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	/* "::" then means IPv6 only, so "0.0.0.0" may be listed beside it. */
	if (a->ss.ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&a->ss, a->len) || listen(fd, SW_LISTEN_BACKLOG)) {
		int e = errno;
		close(fd);
		sw_net_addr_text(a, t, sizeof(t));
		return sw_fail(ctx, SW_ERR_IO, "cannot listen on %s: %s", t, strerror(e));
	}
	getsockname(fd, (struct sockaddr *)&a->ss, &len);
	*bound = sw_net_addr_port(a);
	*fd_out = fd;
	return SW_OK;
}

int sw_server_listen(struct sw_server *srv, struct sw_session *s, const char *addr, unsigned port,
		     unsigned *bound)
{
	struct sw_net_addr a;
	struct sw_server_port *p = NULL;
	int fd = -1, r;

	for (unsigned i = 0; i < srv->n; i++)
		if (srv->ports[i].session == s)
			p = &srv->ports[i];
	if (!p && srv->n == SW_SERVER_MAX_PORTS)
		return sw_fail(srv->ctx, SW_ERR_BUSY, "server: too many ports");
	if (p && p->n_more == SW_SERVER_MAX_LISTEN - 1)
		return sw_fail(srv->ctx, SW_ERR_BUSY, "server: at most %d --listen addresses", SW_SERVER_MAX_LISTEN);
	if ((r = sw_net_addr_parse(srv->ctx, addr, port, &a)) || (r = open_listener(srv->ctx, &a, &fd, bound)))
		return r;
	if (p) {
		p->more_fds[p->n_more++] = fd;
		return SW_OK;
	}
	srv->ports[srv->n] = (struct sw_server_port){.session = s, .listen_fd = fd, .port = *bound, .more_fds = {-1, -1, -1}};
	srv->n++;
	s->port = *bound;
	return SW_OK;
}

/* A third gdb on a core port is told why at once (an E.reason packet
 * before it asks anything), then, in the one "refused" slot, again in reply
 * to each of its packets until it closes: closing at once would reset the
 * socket under gdb's first packet and gdb would print "Connection reset by
 * peer" instead of the reason. Any more at the same time are closed right
 * after the E packet. */
static void refuse(struct sw_server *srv, struct sw_server_port *p, int fd)
{
	char msg[160];
	uint8_t pkt[200];
	size_t n;

	snprintf(msg, sizeof(msg), "E.port %u: another gdb is already connected to core %s (and a passive one)",
		 p->port, p->session->core_name ? p->session->core_name : "0");
	n = rsp_frame((const uint8_t *)msg, strlen(msg), pkt, sizeof(pkt));
	/* A fresh socket takes 200 bytes at once; never wait for this peer. */
	if (send(fd, pkt, n, MSG_DONTWAIT | MSG_NOSIGNAL) < 0)
		SW_LOG_D(srv->ctx, "refuse: %s", strerror(errno));
	if (sw_ratelog_ok(&srv->refused_log, srv->ctx, "refused gdb connections"))
		SW_LOG_W(srv->ctx, "port %u: refused a further gdb connection (a controlling and a passive one are connected)",
			 p->port);
	if (!p->refused && !rsp_client_new(p->session, fd, &p->refused)) {
		rsp_client_set_refused(p->refused, msg + 2);
		return;
	}
	close(fd);
}

static void drop(struct sw_server *srv, struct sw_server_port *p, struct rsp_client **slot);

/* True if a client has already hung up (its close not yet seen by the
 * loop): then a new gdb may take its place. */
static bool client_gone(struct rsp_client *c)
{
	char b;
	ssize_t n = recv(rsp_client_fd(c), &b, 1, MSG_PEEK | MSG_DONTWAIT);

	return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
}

/* A new gdb connection to a session whose probe was lost: open the same
 * probe again (J-Link by serial...) so that, once it is back, the next
 * deploy or debug session works without `monitor probe reconnect`. */
static void reconnect_lost_probe(struct sw_server *srv, struct sw_session *s)
{
	uint64_t t = sw_outq_now_ns();

	if (!s->probe || !s->probe->lost || !s->probe->reopen[0] || !s->reconnect ||
	    (srv->reconnect_ns && t - srv->reconnect_ns < RECONNECT_EVERY_NS))
		return;
	srv->reconnect_ns = t;
	if (s->reconnect(s->reconnect_user, s))
		SW_LOG_W(srv->ctx, "probe still lost: %s", sw_errmsg(srv->ctx));
	else
		SW_LOG_I(srv->ctx, "probe lost earlier: reconnected automatically");
}

/* Returns false when nothing more waits on the listener. */
static bool accept_on(struct sw_server *srv, struct sw_server_port *p, int lfd)
{
	struct sockaddr_storage peer;
	socklen_t len = sizeof(peer);
	char ip[SW_ADDR_TEXT] = "?";
	int one = 1;
	int fd = accept4(lfd, (struct sockaddr *)&peer, &len, SOCK_CLOEXEC | SOCK_NONBLOCK);

	if (fd < 0)
		return false;
	if (p->client && client_gone(p->client))
		drop(srv, p, &p->client);
	if (p->observer && client_gone(p->observer))
		drop(srv, p, &p->observer);
	/* The first gdb controls the core; a second one only watches
	 * (liveWatch, ARCHITECTURE.md §7). */
	struct rsp_client **slot = !p->client ? &p->client : !p->observer ? &p->observer : NULL;
	if (!slot) {
		refuse(srv, p, fd);
		return true;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	sw_net_sockaddr_text((const struct sockaddr *)&peer, ip, sizeof(ip));
	if (rsp_client_new(p->session, fd, slot)) {
		close(fd);
		return true;
	}
	if (slot == &p->observer)
		rsp_client_set_observer(p->observer);
	srv->had_client = true;
	SW_LOG_I(srv->ctx, "gdb connected from %s to port %u%s", ip, p->port,
		 slot == &p->observer ? " (passive: reads and writes memory, never halts or resumes)" : "");
	reconnect_lost_probe(srv, p->session);
	return true;
}


static void drop(struct sw_server *srv, struct sw_server_port *p, struct rsp_client **slot)
{
	(void)rsp_client_writable(*slot); /* a last reply (detach's OK) if the socket takes it now */
	rsp_client_free(*slot);
	*slot = NULL;
	if (slot != &p->refused)
		SW_LOG_I(srv->ctx, "gdb disconnected from port %u%s", p->port,
			 slot == &p->observer ? " (passive)" : "");
}

/* -singlerun: true once a gdb has been and no gdb is left. */
static bool last_gone(const struct sw_server *srv)
{
	if (!srv->singlerun || !srv->had_client)
		return false;
	for (unsigned i = 0; i < srv->n; i++)
		if (srv->ports[i].client || srv->ports[i].observer)
			return false;
	return true;
}

/* Output first (it may make room for parsing), then input; a gdb whose
 * output has stalled is dropped with one line. */
static void serve_client(struct sw_server *srv, struct sw_server_port *p, struct rsp_client **slot, short rev)
{
	const char *why;

	if ((rev & POLLOUT) && !rsp_client_writable(*slot)) {
		drop(srv, p, slot);
		return;
	}
	if (((rev & (POLLIN | POLLHUP | POLLERR)) || rsp_client_has_input(*slot)) && !rsp_client_readable(*slot)) {
		drop(srv, p, slot);
		return;
	}
	if ((why = rsp_client_stalled(*slot))) {
		SW_LOG_W(srv->ctx, "port %u: dropped the gdb connection: %s", p->port, why);
		drop(srv, p, slot);
	}
}

/* The connections of a port: controller, passive observer, refused one. */
#define PORT_SLOTS 3
static void port_slots(struct sw_server_port *p, struct rsp_client **slots[PORT_SLOTS])
{
	slots[0] = &p->client;
	slots[1] = &p->observer;
	slots[2] = &p->refused;
}

int sw_server_add_svc(struct sw_server *srv, const struct sw_server_svc *svc)
{
	if (srv->n_svcs == SW_SERVER_MAX_SVCS)
		return sw_fail(srv->ctx, SW_ERR_BUSY, "server: too many services");
	srv->svcs[srv->n_svcs++] = svc;
	return SW_OK;
}

int sw_server_run(struct sw_server *srv, volatile sig_atomic_t *stop)
{
	struct pollfd pfd[(SW_SERVER_MAX_LISTEN + 1) * SW_SERVER_MAX_PORTS + SW_SERVER_SVC_FDS];
	unsigned svc_at[SW_SERVER_MAX_SVCS], svc_n[SW_SERVER_MAX_SVCS];
	uint64_t last = sw_outq_now_ns();

	while (!*stop) {
		unsigned n = 0;
		/* Sleep until something is due: a core poll a gdb connection
		 * wants (every millisecond at first, less often as a run goes
		 * on quietly), buffered input, a service's timer; with the
		 * simulator, every 5 ms so simulated time passes. Otherwise at
		 * most 50 ms (output deadlines), so an idle server costs
		 * nothing measurable (issue #20). */
		unsigned timeout = srv->tick ? 5 : 50;
		uint64_t wake = UINT64_MAX;

		for (unsigned i = 0; i < srv->n; i++) {
			pfd[n++] = (struct pollfd){srv->ports[i].listen_fd, POLLIN, 0};
			for (unsigned k = 0; k < srv->ports[i].n_more; k++)
				pfd[n++] = (struct pollfd){srv->ports[i].more_fds[k], POLLIN, 0};
			struct rsp_client **slots[PORT_SLOTS];
			port_slots(&srv->ports[i], slots);
			for (unsigned k = 0; k < PORT_SLOTS; k++) {
				struct rsp_client *c = *slots[k];
				if (!c)
					continue;
				short ev = (short)((rsp_client_wants_input(c) ? POLLIN : 0) |
						   (rsp_client_output_pending(c) ? POLLOUT : 0));
				pfd[n++] = (struct pollfd){rsp_client_fd(c), ev, 0};
				int w = rsp_client_has_input(c) ? 1 : rsp_client_poll_wait_ms(c);
				if (w >= 0 && (unsigned)w < timeout)
					timeout = (unsigned)w;
			}
		}
		for (unsigned i = 0; i < srv->n_svcs; i++) {
			const struct sw_server_svc *v = srv->svcs[i];
			svc_at[i] = n;
			svc_n[i] = v->fds(v->user, pfd + n, (unsigned)(sizeof(pfd) / sizeof(pfd[0])) - n, &wake);
			n += svc_n[i];
		}
		if (wake < 1000000ull * timeout)
			timeout = (unsigned)((wake + 999999u) / 1000000u);
		if (poll(pfd, n, (int)timeout) < 0 && errno != EINTR)
			return sw_fail(srv->ctx, SW_ERR_IO, "poll: %s", strerror(errno));
		n = 0;
		for (unsigned i = 0; i < srv->n; i++) {
			struct sw_server_port *p = &srv->ports[i];
			unsigned l0 = n;
			n += 1 + p->n_more;
			struct rsp_client **slots[PORT_SLOTS];
			port_slots(p, slots);
			/* The same slots as above: none was filled or emptied since. */
			for (unsigned k = 0; k < PORT_SLOTS; k++)
				if (*slots[k]) {
					short crev = pfd[n++].revents;
					serve_client(srv, p, slots[k], crev);
				}
			for (unsigned k = 0; k <= p->n_more; k++)
				if (pfd[l0 + k].revents & POLLIN)
					for (unsigned a = 0; a < ACCEPT_PER_LOOP; a++)
						if (!accept_on(srv, p, k ? p->more_fds[k - 1] : p->listen_fd))
							break;
		}
		uint64_t t = sw_outq_now_ns();
		if (srv->tick)
			srv->tick(srv->tick_user, t - last > TICK_MAX_NS ? TICK_MAX_NS : t - last);
		last = t;
		for (unsigned i = 0; i < srv->n; i++) {
			struct sw_server_port *p = &srv->ports[i];
			if (p->client && !rsp_client_tick(p->client))
				drop(srv, p, &p->client);
		}
		if (last_gone(srv)) {
			SW_LOG_I(srv->ctx, "single run: the last gdb left");
			break;
		}
		for (unsigned i = 0; i < srv->n_svcs; i++)
			srv->svcs[i]->run(srv->svcs[i]->user, pfd + svc_at[i], svc_n[i]);
	}
	return SW_OK;
}

void sw_server_close(struct sw_server *srv)
{
	for (unsigned i = 0; i < srv->n; i++) {
		struct rsp_client **slots[PORT_SLOTS];
		port_slots(&srv->ports[i], slots);
		for (unsigned k = 0; k < PORT_SLOTS; k++)
			if (*slots[k])
				rsp_client_free(*slots[k]);
		close(srv->ports[i].listen_fd);
		for (unsigned k = 0; k < srv->ports[i].n_more; k++)
			close(srv->ports[i].more_fds[k]);
	}
	srv->n = 0;
}

void sw_server_catch_signals(void (*on_signal)(int))
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal; /* no SA_RESTART: see server.h */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
}
