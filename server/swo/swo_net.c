/* SWO capture and its TCP ports (see swo_net.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "server/net/addr.h"
#include "server/net/outq.h"
#include "server/net/ratelog.h"
#include "server/swo/itm.h"
#include "server/swo/swo_cfg.h"
#include "server/swo/swo_net.h"

#define SWO_CLIENTS 4
#define SWO_BUF 8192u
#define SWO_FAST_NS 2000000ull  /* read every 2 ms while bytes come */
#define SWO_IDLE_NS 20000000ull /* up to 20 ms when the pin is quiet */
#define PORT_TRIES 16
#define SWO_QUEUE (8 * SWO_BUF)      /* per client; beyond it a slow client loses bytes */
#define SWO_STALL_NS 10000000000ull /* a client that takes nothing for 10 s is dropped */

struct swo_port {
	int listen_fd;
	unsigned port;
	int cl[SWO_CLIENTS];
	struct sw_outq out[SWO_CLIENTS];
};

struct sw_swo_net {
	struct sw_ctx *ctx;
	struct sw_session *s;
	struct sw_swo_net_cfg cfg;
	struct sw_server_svc svc;
	struct swo_port raw, text;
	struct sw_itm_dec dec;
	struct sw_swo_status st;
	struct sw_ratelog refused_log;
	uint64_t next_ns, interval_ns;
	uint8_t buf[SWO_BUF], txt[SWO_BUF];
	struct {
		struct swo_port *p;
		int client; /* -1: listener */
	} slot[SW_SERVER_SVC_FDS];
};

static uint64_t mono_ns(void *user)
{
	struct timespec ts;

	(void)user;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void port_init(struct swo_port *p)
{
	p->listen_fd = -1;
	p->port = 0;
	for (int i = 0; i < SWO_CLIENTS; i++)
		p->cl[i] = -1;
}

static void port_close(struct swo_port *p)
{
	for (int i = 0; i < SWO_CLIENTS; i++)
		if (p->cl[i] >= 0) {
			close(p->cl[i]);
			sw_outq_free(&p->out[i]);
		}
	if (p->listen_fd >= 0)
		close(p->listen_fd);
	port_init(p);
}

/* Listen on the first free port from `from` (a multi-core target may hold
 * 2332 for a gdb port). */
static int port_open(struct sw_swo_net *n, struct swo_port *p, unsigned from)
{
	struct sw_net_addr a;
	int r;

	if ((r = sw_net_addr_parse(n->ctx, n->cfg.listen, from, &a)))
		return r;
	for (unsigned port = from; port < from + PORT_TRIES && port <= 65535; port++) {
		int fd, one = 1;
		sw_net_addr_set_port(&a, port);
		fd = socket(a.ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
		if (fd < 0)
			return sw_fail(n->ctx, SW_ERR_IO, "SWO: socket: %s", strerror(errno));
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (!bind(fd, (struct sockaddr *)&a.ss, a.len) && !listen(fd, SW_LISTEN_BACKLOG)) {
			p->listen_fd = fd;
			p->port = port;
			return SW_OK;
		}
		close(fd);
	}
	return sw_fail(n->ctx, SW_ERR_IO, "SWO: no free port in %u..%u", from, from + PORT_TRIES - 1);
}

int sw_swo_net_new(struct sw_session *s, const struct sw_swo_net_cfg *cfg, struct sw_swo_net **out)
{
	struct sw_swo_net *n = calloc(1, sizeof(*n));

	if (!n)
		return sw_fail(s->ctx, SW_ERR_NOMEM, "SWO: out of memory");
	n->ctx = s->ctx;
	n->s = s;
	n->cfg = *cfg;
	if (!n->cfg.clock_ns)
		n->cfg.clock_ns = mono_ns;
	if (!n->cfg.listen)
		n->cfg.listen = "127.0.0.1";
	if (!n->cfg.port)
		n->cfg.port = SW_SWO_DEFAULT_PORT;
	port_init(&n->raw);
	port_init(&n->text);
	sw_itm_init(&n->dec);
	n->svc = (struct sw_server_svc){NULL, NULL, n};
	*out = n;
	return SW_OK;
}

void sw_swo_net_free(struct sw_swo_net *n)
{
	if (!n)
		return;
	if (n->st.running)
		sw_swo_net_stop(n);
	port_close(&n->raw);
	port_close(&n->text);
	free(n);
}

int sw_swo_net_listen(struct sw_swo_net *n, unsigned text_port)
{
	int r;

	if (n->raw.port)
		return SW_OK;
	if ((r = port_open(n, &n->raw, n->cfg.port)) ||
	    (r = port_open(n, &n->text, text_port ? text_port : n->raw.port + 1)))
		return r;
	if (n->raw.port != n->cfg.port)
		return sw_fail(n->ctx, SW_ERR_IO, "SWO: port %u is taken", n->cfg.port);
	return SW_OK;
}

int sw_swo_net_start(struct sw_swo_net *n, uint32_t baud, uint32_t clk, uint32_t mask)
{
	const struct sw_swo_layout *l = sw_swo_layout_for(n->cfg.target);
	struct sw_probe *p = n->s->probe;
	sw_ap *trace_ap = NULL;
	uint32_t actual = 0, got = 0;
	int r;

	if (!p->ops->swo_start)
		return sw_fail(n->ctx, SW_ERR_NOT_SUPPORTED, "SWO: probe %s cannot capture SWO", p->ops->name);
	/* The trace AP is opened for the set-up only: a probe reconnect
	 * replaces the DAP under us. */
	if (l->trace_ap >= 0) {
		if (!n->cfg.t || !*n->cfg.t)
			return sw_fail(n->ctx, SW_ERR_NOT_FOUND, "SWO: no DAP to reach the trace AP");
		if ((r = sw_ap_open(sw_target_dap(*n->cfg.t), (sw_ap_addr)l->trace_ap, &trace_ap)))
			return r;
		/* APB-AP of a SoC-400: keep DbgSwEnable (targets.md §1.1). */
		sw_ap_set_csw_extra(trace_ap, 0x80000000u);
	}
	r = sw_swo_configure(n->ctx, sw_core_ap(n->s->core), trace_ap, l, clk, baud, mask, &actual);
	if (trace_ap)
		sw_ap_close(trace_ap);
	if (r || (r = p->ops->swo_start(p, actual, &got)))
		return r;
	if (!n->raw.port && ((r = port_open(n, &n->raw, n->cfg.port)) ||
			     (r = port_open(n, &n->text, n->raw.port + 1))))
		return r;
	if (n->st.raw_port != n->raw.port) {
		struct sw_net_addr a;
		char raw[SW_ADDR_TEXT] = "?", text[SW_ADDR_TEXT] = "?";
		if (!sw_net_addr_parse(n->ctx, n->cfg.listen, n->raw.port, &a)) {
			sw_net_addr_set_port(&a, n->raw.port);
			sw_net_addr_text(&a, raw, sizeof(raw));
			sw_net_addr_set_port(&a, n->text.port);
			sw_net_addr_text(&a, text, sizeof(text));
		}
		printf("swdbridge: SWO raw ITM stream on port %s%s, ITM port 0 text on %s\n", raw,
		       n->raw.port != n->cfg.port ? " (the usual port was taken)" : "", text);
		fflush(stdout);
	}
	n->st.running = true;
	n->st.baud = got;
	n->st.clk = clk;
	n->st.mask = mask;
	n->st.raw_port = n->raw.port;
	n->st.text_port = n->text.port;
	n->interval_ns = SWO_FAST_NS;
	n->next_ns = 0;
	return SW_OK;
}

int sw_swo_net_stop(struct sw_swo_net *n)
{
	struct sw_probe *p = n->s->probe;

	n->st.running = false;
	return p->ops->swo_stop ? p->ops->swo_stop(p) : SW_OK;
}

void sw_swo_net_status(const struct sw_swo_net *n, struct sw_swo_status *st)
{
	*st = n->st;
	st->packets = n->dec.packets;
	st->overflows = n->dec.overflows;
}

static unsigned add_port(struct sw_swo_net *n, struct swo_port *p, struct pollfd *pfd, unsigned k,
			 unsigned max)
{
	if (p->listen_fd < 0 || k >= max)
		return k;
	n->slot[k].p = p;
	n->slot[k].client = -1;
	pfd[k++] = (struct pollfd){p->listen_fd, POLLIN, 0};
	for (int i = 0; i < SWO_CLIENTS && k < max; i++)
		if (p->cl[i] >= 0) {
			n->slot[k].p = p;
			n->slot[k].client = i;
			pfd[k++] = (struct pollfd){p->cl[i], (short)(POLLIN | (sw_outq_len(&p->out[i]) ? POLLOUT : 0)), 0};
		}
	return k;
}

static unsigned swo_fds(void *user, struct pollfd *pfd, unsigned max, uint64_t *wake_ns)
{
	struct sw_swo_net *n = user;
	unsigned k = 0;

	if (max > SW_SERVER_SVC_FDS)
		max = SW_SERVER_SVC_FDS;
	k = add_port(n, &n->raw, pfd, k, max);
	k = add_port(n, &n->text, pfd, k, max);
	if (n->st.running) {
		uint64_t now = n->cfg.clock_ns(n->cfg.clock_user);
		uint64_t w = n->next_ns > now ? n->next_ns - now : 0;
		if (w < *wake_ns)
			*wake_ns = w;
	}
	return k;
}

static void client_close(struct swo_port *p, int i)
{
	close(p->cl[i]);
	sw_outq_free(&p->out[i]);
	p->cl[i] = -1;
}

static void fan_out(struct swo_port *p, const uint8_t *b, size_t len)
{
	for (int i = 0; i < SWO_CLIENTS && len; i++)
		if (p->cl[i] >= 0 && len <= sw_outq_room(&p->out[i]) && !sw_outq_put(&p->out[i], b, len))
			client_close(p, i);
}

void sw_swo_net_terminal(struct sw_swo_net *n, const char *text, size_t len)
{
	fan_out(&n->text, (const uint8_t *)text, len);
}

/* Drop clients whose socket failed or that took nothing for the deadline. */
static void reap(struct sw_swo_net *n, struct swo_port *p)
{
	for (int i = 0; i < SWO_CLIENTS; i++)
		if (p->cl[i] >= 0 && sw_outq_stalled(&p->out[i])) {
			SW_LOG_W(n->ctx, "SWO: port %u: dropped a client that read nothing for %llu s", p->port,
				 SWO_STALL_NS / 1000000000ull);
			client_close(p, i);
		}
}

/* Read what the probe captured; SWO is a live stream, so a slow client
 * loses bytes rather than stalling the loop. */
static void capture(struct sw_swo_net *n)
{
	struct sw_probe *p = n->s->probe;
	size_t len = 0, t;
	uint64_t now = n->cfg.clock_ns(n->cfg.clock_user);

	if (!n->st.running || now < n->next_ns)
		return;
	if (p->ops->swo_read(p, n->buf, sizeof(n->buf), &len)) {
		SW_LOG_W(n->ctx, "SWO: capture stopped: %s", sw_errmsg(n->ctx));
		n->st.running = false;
		return;
	}
	n->interval_ns = len ? SWO_FAST_NS : (n->interval_ns * 2 > SWO_IDLE_NS ? SWO_IDLE_NS : n->interval_ns * 2);
	n->next_ns = n->cfg.clock_ns(n->cfg.clock_user) + n->interval_ns;
	if (!len)
		return;
	n->st.bytes += len;
	fan_out(&n->raw, n->buf, len);
	t = sw_itm_feed(&n->dec, n->buf, len, 0, n->txt, sizeof(n->txt));
	n->st.text_bytes += t;
	fan_out(&n->text, n->txt, t);
}

static void swo_run(void *user, const struct pollfd *pfd, unsigned k)
{
	struct sw_swo_net *n = user;

	for (unsigned i = 0; i < k && i < SW_SERVER_SVC_FDS; i++) {
		struct swo_port *p = n->slot[i].p;
		int c = n->slot[i].client;
		if (!pfd[i].revents)
			continue;
		if (c < 0) {
			int fd = accept4(p->listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK), one = 1;
			int j = 0;
			if (fd < 0)
				continue;
			while (j < SWO_CLIENTS && p->cl[j] >= 0)
				j++;
			if (j == SWO_CLIENTS) {
				if (sw_ratelog_ok(&n->refused_log, n->ctx, "refused SWO connections"))
					SW_LOG_W(n->ctx, "SWO: port %u: more than %d clients, refused", p->port,
						 SWO_CLIENTS);
				close(fd);
				continue;
			}
			setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
			p->cl[j] = fd;
			sw_outq_init(&p->out[j], fd, SWO_QUEUE, SWO_STALL_NS);
			SW_LOG_I(n->ctx, "SWO: client on port %u", p->port);
		} else if (p->cl[c] == pfd[i].fd) {
			char junk[256];
			if ((pfd[i].revents & POLLOUT) && !sw_outq_flush(&p->out[c])) {
				client_close(p, c);
				continue;
			}
			if (!(pfd[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			ssize_t r = recv(p->cl[c], junk, sizeof(junk), 0); /* input is ignored */
			if (r == 0 || (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK))
				client_close(p, c);
		}
	}
	reap(n, &n->raw);
	reap(n, &n->text);
	capture(n);
}

const struct sw_server_svc *sw_swo_net_svc(struct sw_swo_net *n)
{
	n->svc = (struct sw_server_svc){swo_fds, swo_run, n};
	return &n->svc;
}
