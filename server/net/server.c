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
#include "server/net/server.h"

#define TICK_MAX_NS 20000000ull /* never advance simulated time more than 20 ms per loop */

void sw_server_init(struct sw_server *srv, struct sw_ctx *ctx)
{
	memset(srv, 0, sizeof(*srv));
	srv->ctx = ctx;
}

int sw_server_listen(struct sw_server *srv, struct sw_session *s, const char *addr, unsigned port,
		     unsigned *bound)
{
	struct sockaddr_in sa = {0};
	socklen_t len = sizeof(sa);
	int fd, one = 1;

	if (srv->n == SW_SERVER_MAX_PORTS)
		return sw_fail(srv->ctx, SW_ERR_BUSY, "server: too many ports");
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, addr, &sa.sin_addr) != 1)
		return sw_fail(srv->ctx, SW_ERR_ARG, "--listen: '%s' is not an IPv4 address", addr);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return sw_fail(srv->ctx, SW_ERR_IO, "socket: %s", strerror(errno));
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(fd, 4)) {
		int e = errno;
		close(fd);
		return sw_fail(srv->ctx, SW_ERR_IO, "cannot listen on %s:%u: %s", addr, port, strerror(e));
	}
	getsockname(fd, (struct sockaddr *)&sa, &len);
	srv->ports[srv->n] = (struct sw_server_port){s, fd, ntohs(sa.sin_port), NULL};
	srv->n++;
	*bound = ntohs(sa.sin_port);
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

static void accept_on(struct sw_server *srv, struct sw_server_port *p)
{
	struct sockaddr_in peer;
	socklen_t len = sizeof(peer);
	char ip[INET_ADDRSTRLEN] = "?";
	int one = 1;
	int fd = accept4(p->listen_fd, (struct sockaddr *)&peer, &len, SOCK_CLOEXEC);

	if (fd < 0)
		return;
	if (p->client && client_gone(p))
		drop(srv, p);
	if (p->client) {
		refuse(srv, p, fd);
		return;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	inet_ntop(AF_INET, &peer.sin_addr, ip, sizeof(ip));
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
	struct pollfd pfd[2 * SW_SERVER_MAX_PORTS + SW_SERVER_SVC_FDS];
	unsigned svc_at[SW_SERVER_MAX_SVCS], svc_n[SW_SERVER_MAX_SVCS];
	uint64_t last = now_ns();

	while (!*stop) {
		unsigned n = 0;
		bool waiting = false;
		uint64_t wake = UINT64_MAX;

		for (unsigned i = 0; i < srv->n; i++) {
			pfd[n++] = (struct pollfd){srv->ports[i].listen_fd, POLLIN, 0};
			if (srv->ports[i].client) {
				pfd[n++] = (struct pollfd){rsp_client_fd(srv->ports[i].client), POLLIN, 0};
				waiting |= rsp_client_waiting(srv->ports[i].client);
			}
		}
		for (unsigned i = 0; i < srv->n_svcs; i++) {
			const struct sw_server_svc *v = srv->svcs[i];
			svc_at[i] = n;
			svc_n[i] = v->fds(v->user, pfd + n, 2 * SW_SERVER_MAX_PORTS + SW_SERVER_SVC_FDS - n, &wake);
			n += svc_n[i];
		}
		/* Poll the core every millisecond while gdb waits for a stop. */
		unsigned timeout = waiting ? 1 : 5;
		if (wake < 1000000ull * timeout)
			timeout = (unsigned)((wake + 999999u) / 1000000u);
		if (poll(pfd, n, (int)timeout) < 0 && errno != EINTR)
			return sw_fail(srv->ctx, SW_ERR_IO, "poll: %s", strerror(errno));
		n = 0;
		for (unsigned i = 0; i < srv->n; i++) {
			struct sw_server_port *p = &srv->ports[i];
			short lrev = pfd[n++].revents;
			if (p->client) {
				short crev = pfd[n++].revents;
				if ((crev & (POLLIN | POLLHUP | POLLERR)) && !rsp_client_readable(p->client))
					drop(srv, p);
			}
			if (lrev & POLLIN)
				accept_on(srv, p);
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
	}
	srv->n = 0;
}
