/* RTT channels on TCP ports (see rtt_net.h). */
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
#include "server/rtt/rtt_net.h"

#define PENDING_MAX 65536u /* bytes buffered per client the socket did not take */
/* A viewer that takes nothing for this long is dropped: its full queue
 * would otherwise hold the channel's ring (and a blocking-mode target). */
#define STALL_NS 10000000000ull
/* Cortex-Debug's J-Link RTT source announces itself with this string
 * (clients.md §1.3); it is not data for the target. */
#define SEGGER_CFG "$$SEGGER_TELNET_ConfigStr="

struct rtt_client {
	int fd;
	bool fresh; /* nothing received yet: may carry the SEGGER config string */
	struct sw_outq out;
};

struct rtt_chan {
	int listen_fd;
	unsigned port;
	struct rtt_client cl[SW_RTT_CLIENTS];
};

struct sw_rtt_net {
	struct sw_ctx *ctx;
	struct sw_session *s;
	struct sw_rtt *rtt;
	struct sw_rtt_net_cfg cfg;
	struct sw_server_svc svc;
	struct rtt_chan ch[SW_RTT_MAX_CHANNELS];
	bool listen_failed[SW_RTT_MAX_CHANNELS];
	bool no_ports; /* J-Link argument mode: the telnet port serves instead */
	FILE *log;
	struct sw_ratelog refused_log;
	/* What each pollfd handed out by fds() stands for: channel, client
	 * index or -1 for the listener. */
	struct {
		uint8_t ch;
		int8_t client;
	} slot[SW_SERVER_SVC_FDS];
};

static uint64_t mono_ns(void *user)
{
	struct timespec ts;

	(void)user;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int mem_read(void *user, uint32_t addr, void *buf, size_t len)
{
	struct sw_rtt_net *n = user;

	return sw_core_mem_read(n->s->core, addr, buf, len);
}

static int mem_write(void *user, uint32_t addr, const void *buf, size_t len)
{
	struct sw_rtt_net *n = user;

	return sw_core_mem_write(n->s->core, addr, buf, len);
}

static int q_read_words(void *user, uint32_t addr, uint32_t *dst, size_t n)
{
	return sw_mem_queue_read_words(sw_core_ap(((struct sw_rtt_net *)user)->s->core), addr, dst, n);
}

static int q_write(void *user, uint32_t addr, const void *buf, size_t len)
{
	return sw_mem_queue_write(sw_core_ap(((struct sw_rtt_net *)user)->s->core), addr, buf, len);
}

static int q_run(void *user)
{
	return sw_mem_run(sw_core_ap(((struct sw_rtt_net *)user)->s->core));
}

static uint32_t swclk_hz(void *user)
{
	const struct sw_session *s = ((struct sw_rtt_net *)user)->s;

	return s->probe ? s->probe->freq_hz : 0;
}

static uint64_t clock_ns(void *user)
{
	struct sw_rtt_net *n = user;

	return n->cfg.clock_ns(n->cfg.clock_user);
}

/* Bytes the slowest client of the channel can still take. Without any
 * client the ring is left alone (the log only follows channel 0), so
 * output waits in the target until someone connects. */
static size_t up_room(void *user, unsigned ch)
{
	struct sw_rtt_net *n = user;
	size_t room = 0;
	bool any = false;

	for (unsigned i = 0; i < SW_RTT_CLIENTS; i++) {
		const struct rtt_client *c = &n->ch[ch].cl[i];
		if (c->fd < 0)
			continue;
		size_t r = sw_outq_room(&c->out);
		room = any && room < r ? room : r;
		any = true;
	}
	if (!any && ch == 0 && n->log)
		return PENDING_MAX;
	return room;
}

static void client_close(struct rtt_client *c)
{
	if (c->fd >= 0)
		close(c->fd);
	sw_outq_free(&c->out);
	*c = (struct rtt_client){.fd = -1};
}

static void client_send(struct sw_rtt_net *n, struct rtt_client *c, const uint8_t *data, size_t len)
{
	/* up_room bounds len, so only a failed socket ends up here */
	if (!sw_outq_put(&c->out, data, len)) {
		SW_LOG_I(n->ctx, "RTT: client left (%s)", strerror(errno));
		client_close(c);
	}
}

static void up_data(void *user, unsigned ch, const uint8_t *data, size_t len)
{
	struct sw_rtt_net *n = user;

	for (unsigned i = 0; i < SW_RTT_CLIENTS; i++)
		if (n->ch[ch].cl[i].fd >= 0)
			client_send(n, &n->ch[ch].cl[i], data, len);
	if (ch == 0 && n->log) {
		fwrite(data, 1, len, n->log);
		fflush(n->log);
	}
}

/* Same address as the gdb listener (IPv4 or IPv6), port base + ch. */
static int listen_on(struct sw_rtt_net *n, unsigned ch)
{
	struct sw_net_addr a;
	unsigned port = n->cfg.base_port + ch;
	char text[SW_ADDR_TEXT];
	int fd, one = 1, r;

	if (port > 65535)
		return sw_fail(n->ctx, SW_ERR_ARG, "RTT: channel %u: port %u is out of range", ch, port);
	if ((r = sw_net_addr_parse(n->ctx, n->cfg.listen, port, &a)))
		return r;
	sw_net_addr_set_port(&a, port);
	sw_net_addr_text(&a, text, sizeof(text));
	fd = socket(a.ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return sw_fail(n->ctx, SW_ERR_IO, "RTT: socket: %s", strerror(errno));
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&a.ss, a.len) || listen(fd, SW_LISTEN_BACKLOG)) {
		int e = errno;
		close(fd);
		return sw_fail(n->ctx, SW_ERR_IO, "RTT: cannot listen on %s: %s", text, strerror(e));
	}
	n->ch[ch].listen_fd = fd;
	n->ch[ch].port = port;
	/* stdout: the same place the gdb port is announced. */
	printf("swdbridge: RTT channel %u: port %s\n", ch, text);
	fflush(stdout);
	return SW_OK;
}

int sw_rtt_net_new(struct sw_session *s, const struct sw_rtt_net_cfg *cfg, struct sw_rtt_net **out)
{
	struct sw_rtt_net *n = calloc(1, sizeof(*n));
	struct sw_rtt_ops ops = {mem_read, mem_write, clock_ns, up_room, up_data, NULL,
				 q_read_words, q_write, q_run, swclk_hz};
	uint32_t addr, size;
	int r;

	if (!n)
		return sw_fail(s->ctx, SW_ERR_NOMEM, "RTT: out of memory");
	n->ctx = s->ctx;
	n->s = s;
	n->cfg = *cfg;
	if (!n->cfg.clock_ns)
		n->cfg.clock_ns = mono_ns;
	if (!n->cfg.listen)
		n->cfg.listen = "127.0.0.1";
	for (unsigned i = 0; i < SW_RTT_MAX_CHANNELS; i++) {
		n->ch[i].listen_fd = -1;
		for (unsigned j = 0; j < SW_RTT_CLIENTS; j++)
			n->ch[i].cl[j].fd = -1;
	}
	ops.user = n;
	if ((r = sw_rtt_new(s->ctx, &ops, &n->rtt))) {
		free(n);
		return r;
	}
	for (size_t i = 0; s->desc && i < s->desc->n_regions; i++)
		if (s->desc->regions[i].kind == SW_MEM_RAM &&
		    (r = sw_rtt_add_range(n->rtt, s->desc->regions[i].base, s->desc->regions[i].size)))
			goto fail;
	if (s->elf && !sw_elf_symbol(s->elf, "_SEGGER_RTT", &addr, &size))
		sw_rtt_set_elf_addr(n->rtt, addr);
	if (cfg->log_path && !(n->log = fopen(cfg->log_path, "a"))) {
		r = sw_fail(s->ctx, SW_ERR_IO, "--rtt-log %s: %s", cfg->log_path, strerror(errno));
		goto fail;
	}
	n->svc = (struct sw_server_svc){sw_rtt_net_fds, sw_rtt_net_run, n};
	s->rtt = n;
	*out = n;
	return SW_OK;
fail:
	sw_rtt_free(n->rtt);
	free(n);
	return r;
}

void sw_rtt_net_free(struct sw_rtt_net *n)
{
	if (!n)
		return;
	for (unsigned i = 0; i < SW_RTT_MAX_CHANNELS; i++) {
		for (unsigned j = 0; j < SW_RTT_CLIENTS; j++)
			client_close(&n->ch[i].cl[j]);
		if (n->ch[i].listen_fd >= 0)
			close(n->ch[i].listen_fd);
	}
	if (n->log)
		fclose(n->log);
	if (n->s->rtt == n)
		n->s->rtt = NULL;
	sw_rtt_free(n->rtt);
	free(n);
}

const struct sw_server_svc *sw_rtt_net_svc(struct sw_rtt_net *n)
{
	return &n->svc;
}

struct sw_rtt *sw_rtt_net_engine(struct sw_rtt_net *n)
{
	return n->rtt;
}

unsigned sw_rtt_net_port(const struct sw_rtt_net *n, unsigned ch)
{
	return ch < SW_RTT_MAX_CHANNELS ? n->ch[ch].port : 0;
}

void sw_rtt_net_channel_ports(struct sw_rtt_net *n, bool on)
{
	n->no_ports = !on;
}

int sw_rtt_net_adopt(struct sw_rtt_net *n, unsigned ch, int fd, const uint8_t *data, size_t len)
{
	struct rtt_chan *c;

	if (ch >= SW_RTT_MAX_CHANNELS) {
		close(fd);
		return sw_fail(n->ctx, SW_ERR_ARG, "RTT: no channel %u (0..%u)", ch, SW_RTT_MAX_CHANNELS - 1u);
	}
	c = &n->ch[ch];
	for (unsigned i = 0; i < SW_RTT_CLIENTS; i++)
		if (c->cl[i].fd < 0) {
			c->cl[i] = (struct rtt_client){.fd = fd};
			sw_outq_init(&c->cl[i].out, fd, PENDING_MAX, STALL_NS);
			if (len)
				sw_rtt_down_push(n->rtt, ch, data, len);
			SW_LOG_I(n->ctx, "RTT: telnet client on channel %u", ch);
			return SW_OK;
		}
	close(fd);
	return sw_fail(n->ctx, SW_ERR_BUSY, "RTT: channel %u has %d clients already", ch, SW_RTT_CLIENTS);
}

unsigned sw_rtt_net_fds(void *user, struct pollfd *pfd, unsigned max, uint64_t *wake_ns)
{
	struct sw_rtt_net *n = user;
	unsigned k = 0;
	uint64_t next = sw_rtt_next_ns(n->rtt), now;

	if (max > SW_SERVER_SVC_FDS)
		max = SW_SERVER_SVC_FDS;
	for (unsigned c = 0; c < SW_RTT_MAX_CHANNELS; c++) {
		struct rtt_chan *ch = &n->ch[c];
		if (k == max)
			continue;
		/* Without a listener (J-Link mode) a channel may still have
		 * clients the telnet port handed over. */
		if (ch->listen_fd >= 0) {
			n->slot[k].ch = (uint8_t)c;
			n->slot[k].client = -1;
			pfd[k++] = (struct pollfd){ch->listen_fd, POLLIN, 0};
		}
		for (unsigned i = 0; i < SW_RTT_CLIENTS && k < max; i++) {
			const struct rtt_client *cl = &ch->cl[i];
			short ev = 0;
			if (cl->fd < 0)
				continue;
			/* Stop reading while the down queue is full: TCP pushes back. */
			if (sw_rtt_down_room(n->rtt, c))
				ev |= POLLIN;
			if (sw_outq_len(&cl->out))
				ev |= POLLOUT;
			n->slot[k].ch = (uint8_t)c;
			n->slot[k].client = (int8_t)i;
			pfd[k++] = (struct pollfd){cl->fd, ev, 0};
		}
	}
	if (next != UINT64_MAX) {
		now = clock_ns(n);
		next = next > now ? next - now : 0;
		if (next < *wake_ns)
			*wake_ns = next;
	}
	return k;
}

static void accept_client(struct sw_rtt_net *n, unsigned c)
{
	struct rtt_chan *ch = &n->ch[c];
	int one = 1, fd = accept4(ch->listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);

	if (fd < 0)
		return;
	for (unsigned i = 0; i < SW_RTT_CLIENTS; i++)
		if (ch->cl[i].fd < 0) {
			setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
			ch->cl[i] = (struct rtt_client){.fd = fd, .fresh = true};
			sw_outq_init(&ch->cl[i].out, fd, PENDING_MAX, STALL_NS);
			SW_LOG_I(n->ctx, "RTT: client on channel %u (port %u)", c, ch->port);
			return;
		}
	if (sw_ratelog_ok(&n->refused_log, n->ctx, "refused RTT connections"))
		SW_LOG_W(n->ctx, "RTT: port %u: more than %d clients, refused", ch->port, SW_RTT_CLIENTS);
	close(fd);
}

/* Strip "$$SEGGER_TELNET_ConfigStr=...$$" from a client's first bytes. */
static size_t strip_config(uint8_t *b, size_t len)
{
	const size_t pre = sizeof(SEGGER_CFG) - 1;

	if (len < pre || memcmp(b, SEGGER_CFG, pre))
		return len;
	for (size_t i = pre; i + 1 < len; i++)
		if (b[i] == '$' && b[i + 1] == '$') {
			memmove(b, b + i + 2, len - i - 2);
			return len - i - 2;
		}
	return 0;
}

static void client_io(struct sw_rtt_net *n, unsigned c, struct rtt_client *cl, short rev)
{
	uint8_t buf[SW_RTT_DOWN_QUEUE];

	if (rev & POLLOUT && !sw_outq_flush(&cl->out)) {
		SW_LOG_I(n->ctx, "RTT: client left channel %u", c);
		client_close(cl);
		return;
	}
	if (!(rev & (POLLIN | POLLHUP | POLLERR)))
		return;
	size_t room = sw_rtt_down_room(n->rtt, c);
	ssize_t r = recv(cl->fd, buf, room < sizeof(buf) ? room : sizeof(buf), 0);
	if (r == 0 || (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
		SW_LOG_I(n->ctx, "RTT: client left channel %u", c);
		client_close(cl);
		return;
	}
	if (r <= 0)
		return;
	size_t len = (size_t)r;
	if (cl->fresh)
		len = strip_config(buf, len);
	cl->fresh = false;
	if (len)
		sw_rtt_down_push(n->rtt, c, buf, len);
}

void sw_rtt_net_run(void *user, const struct pollfd *pfd, unsigned k)
{
	struct sw_rtt_net *n = user;
	struct sw_rtt_status st;

	for (unsigned i = 0; i < k && i < SW_SERVER_SVC_FDS; i++) {
		unsigned c = n->slot[i].ch;
		if (!pfd[i].revents)
			continue;
		if (n->slot[i].client < 0)
			accept_client(n, c);
		else if (n->ch[c].cl[n->slot[i].client].fd == pfd[i].fd)
			client_io(n, c, &n->ch[c].cl[n->slot[i].client], pfd[i].revents);
	}
	for (unsigned c = 0; c < SW_RTT_MAX_CHANNELS; c++)
		for (unsigned i = 0; i < SW_RTT_CLIENTS; i++)
			if (n->ch[c].cl[i].fd >= 0 && sw_outq_stalled(&n->ch[c].cl[i].out)) {
				SW_LOG_W(n->ctx, "RTT: channel %u: dropped a client that read nothing for %llu s", c,
					 STALL_NS / 1000000000ull);
				client_close(&n->ch[c].cl[i]);
			}
	sw_rtt_poll(n->rtt, false);
	sw_rtt_get_status(n->rtt, &st);
	for (unsigned c = 0; c < st.n_up || c < st.n_down; c++)
		if (!n->no_ports && n->ch[c].listen_fd < 0 && !n->listen_failed[c] && listen_on(n, c)) {
			SW_LOG_W(n->ctx, "%s", sw_errmsg(n->ctx));
			n->listen_failed[c] = true;
		}
}
