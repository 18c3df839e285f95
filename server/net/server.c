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
#include "server/net/server.h"

#define TICK_MAX_NS 20000000ull /* never advance simulated time more than 20 ms per loop */

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

	fd = socket(a->ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return sw_fail(ctx, SW_ERR_IO, "socket: %s", strerror(errno));
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	/* "::" then means IPv6 only, so "0.0.0.0" may be listed beside it. */
	if (a->ss.ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&a->ss, a->len) || listen(fd, 4)) {
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
	srv->ports[srv->n] = (struct sw_server_port){s, fd, *bound, NULL, {-1, -1, -1}, 0};
	srv->n++;
	s->port = *bound;
	return SW_OK;
}

/* A second gdb on a core port gets a clear error instead of a hung socket. */
static void refuse(struct sw_server *srv, struct sw_server_port *p, int fd)
{
	char msg[128];
	uint8_t pkt[160];
	size_t n;

	snprintf(msg, sizeof(msg), "E.port %u: another gdb is already connected to core %s", p->port,
		 p->session->core_name ? p->session->core_name : "0");
	n = rsp_frame((const uint8_t *)msg, strlen(msg), pkt, sizeof(pkt));
	if (write(fd, pkt, n) < 0)
		SW_LOG_D(srv->ctx, "refuse: %s", strerror(errno));
	SW_LOG_W(srv->ctx, "port %u: refused a second gdb connection", p->port);
	close(fd);
}

static void drop(struct sw_server *srv, struct sw_server_port *p);

/* True if the current client has already hung up (its close not yet seen by
 * the loop): then a new gdb may take the port. */
static bool client_gone(struct sw_server_port *p)
{
	char b;
	ssize_t n = recv(rsp_client_fd(p->client), &b, 1, MSG_PEEK | MSG_DONTWAIT);

	return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
}

static void accept_on(struct sw_server *srv, struct sw_server_port *p, int lfd)
{
	struct sockaddr_storage peer;
	socklen_t len = sizeof(peer);
	char ip[SW_ADDR_TEXT] = "?";
	int one = 1;
	int fd = accept4(lfd, (struct sockaddr *)&peer, &len, SOCK_CLOEXEC);

	if (fd < 0)
		return;
	if (p->client && client_gone(p))
		drop(srv, p);
	if (p->client) {
		refuse(srv, p, fd);
		return;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	sw_net_sockaddr_text((const struct sockaddr *)&peer, ip, sizeof(ip));
	if (rsp_client_new(p->session, fd, &p->client)) {
		close(fd);
		return;
	}
	SW_LOG_I(srv->ctx, "gdb connected from %s to port %u", ip, p->port);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void drop(struct sw_server *srv, struct sw_server_port *p)
{
	rsp_client_free(p->client);
	p->client = NULL;
	SW_LOG_I(srv->ctx, "gdb disconnected from port %u", p->port);
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
	uint64_t last = now_ns();

	while (!*stop) {
		unsigned n = 0;
		bool waiting = false;
		uint64_t wake = UINT64_MAX;

		for (unsigned i = 0; i < srv->n; i++) {
			pfd[n++] = (struct pollfd){srv->ports[i].listen_fd, POLLIN, 0};
			for (unsigned k = 0; k < srv->ports[i].n_more; k++)
				pfd[n++] = (struct pollfd){srv->ports[i].more_fds[k], POLLIN, 0};
			if (srv->ports[i].client) {
				pfd[n++] = (struct pollfd){rsp_client_fd(srv->ports[i].client), POLLIN, 0};
				waiting |= rsp_client_waiting(srv->ports[i].client);
			}
		}
		for (unsigned i = 0; i < srv->n_svcs; i++) {
			const struct sw_server_svc *v = srv->svcs[i];
			svc_at[i] = n;
			svc_n[i] = v->fds(v->user, pfd + n, (unsigned)(sizeof(pfd) / sizeof(pfd[0])) - n, &wake);
			n += svc_n[i];
		}
		/* Wake when a gdb connection wants the core polled (every
		 * millisecond at first, less often as the run goes on quietly). */
		unsigned timeout = 5;
		for (unsigned i = 0; waiting && i < srv->n; i++) {
			int w = srv->ports[i].client ? rsp_client_poll_wait_ms(srv->ports[i].client) : -1;
			if (w >= 0 && (unsigned)w < timeout)
				timeout = (unsigned)w;
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
			if (p->client) {
				short crev = pfd[n++].revents;
				if ((crev & (POLLIN | POLLHUP | POLLERR)) && !rsp_client_readable(p->client))
					drop(srv, p);
			}
			for (unsigned k = 0; k <= p->n_more; k++)
				if (pfd[l0 + k].revents & POLLIN)
					accept_on(srv, p, k ? p->more_fds[k - 1] : p->listen_fd);
		}
		uint64_t t = now_ns();
		if (srv->tick)
			srv->tick(srv->tick_user, t - last > TICK_MAX_NS ? TICK_MAX_NS : t - last);
		last = t;
		for (unsigned i = 0; i < srv->n; i++) {
			struct sw_server_port *p = &srv->ports[i];
			if (p->client && !rsp_client_tick(p->client))
				drop(srv, p);
		}
		for (unsigned i = 0; i < srv->n_svcs; i++)
			srv->svcs[i]->run(srv->svcs[i]->user, pfd + svc_at[i], svc_n[i]);
	}
	return SW_OK;
}

void sw_server_close(struct sw_server *srv)
{
	for (unsigned i = 0; i < srv->n; i++) {
		if (srv->ports[i].client)
			rsp_client_free(srv->ports[i].client);
		close(srv->ports[i].listen_fd);
		for (unsigned k = 0; k < srv->ports[i].n_more; k++)
			close(srv->ports[i].more_fds[k]);
	}
	srv->n = 0;
}
