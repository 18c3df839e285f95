/* J-Link-style RTT telnet port (rtt_telnet.h). A new client waits here
 * until its config string is complete, it sent something else, or 100 ms
 * passed; then rtt_net.c serves it as a client of the chosen channel. */
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
#include "server/rtt/rtt_telnet.h"

#define CFG_PREFIX "$$SEGGER_TELNET_ConfigStr="
#define CFG_MAX 512

struct pending {
	int fd;
	uint64_t since_ns;
	size_t len;
	uint8_t buf[CFG_MAX];
};

struct sw_rtt_telnet {
	struct sw_ctx *ctx;
	struct sw_rtt_net *rtt;
	int listen_fd;
	unsigned port;
	struct pending p[SW_RTT_TELNET_PENDING];
	struct sw_server_svc svc;
};

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int num(const char *s, size_t n, uint32_t *v)
{
	char tmp[24], *end;
	unsigned long long x;

	while (n && (*s == ' ' || *s == '\t')) {
		s++;
		n--;
	}
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	if (!n || n >= sizeof(tmp))
		return -1;
	memcpy(tmp, s, n);
	tmp[n] = 0;
	x = strtoull(tmp, &end, 0);
	if (*end || x > 0xFFFFFFFFull)
		return -1;
	*v = (uint32_t)x;
	return 0;
}

/* "A S, A S, ..." (address and size in C syntax). */
static int ranges(const char *s, size_t n, struct sw_rtt_telnet_cfg *out)
{
	while (n) {
		size_t item = 0, sp;
		while (item < n && s[item] != ',')
			item++;
		while (item && *s == ' ') {
			s++;
			n--;
			item--;
		}
		for (sp = 0; sp < item && s[sp] != ' '; sp++)
			;
		if (out->n_ranges == SW_RTT_MAX_RANGES || sp == item ||
		    num(s, sp, &out->range_base[out->n_ranges]) ||
		    num(s + sp, item - sp, &out->range_size[out->n_ranges]))
			return -1;
		out->n_ranges++;
		s += item;
		n -= item;
		if (n) { /* the comma */
			s++;
			n--;
		}
	}
	return 0;
}

int sw_rtt_telnet_parse(const char *text, size_t len, struct sw_rtt_telnet_cfg *out)
{
	memset(out, 0, sizeof(*out));
	while (len) {
		const char *key = text, *val;
		size_t klen = 0, vlen = 0;
		uint32_t v;
		while (klen < len && key[klen] != ';')
			klen++;
		if (klen == len)
			return -1; /* a key without a value */
		val = key + klen + 1;
		/* SetRTTSearchRanges' value runs to the end (it has no ';'). */
		while (klen + 1 + vlen < len && val[vlen] != ';')
			vlen++;
		if (klen == 5 && !memcmp(key, "RTTCh", 5)) {
			if (num(val, vlen, &v) || v >= SW_RTT_MAX_CHANNELS)
				return -1;
			out->channel = v;
		} else if (klen == 10 && !memcmp(key, "SetRTTAddr", 10)) {
			if (num(val, vlen, &out->addr))
				return -1;
			out->has_addr = true;
		} else if (klen == 18 && !memcmp(key, "SetRTTSearchRanges", 18)) {
			if (ranges(val, vlen, out))
				return -1;
		} else {
			return -1;
		}
		text = val + vlen;
		len -= klen + 1 + vlen;
		if (len) { /* the ';' before the next key */
			text++;
			len--;
		}
	}
	return 0;
}

int sw_rtt_telnet_new(struct sw_ctx *ctx, struct sw_rtt_net *rtt, const char *listen_addr, unsigned port,
		      struct sw_rtt_telnet **out)
{
	struct sw_rtt_telnet *t = calloc(1, sizeof(*t));
	struct sw_net_addr a;
	char text[SW_ADDR_TEXT];
	int one = 1, r;

	if (!t)
		return sw_fail(ctx, SW_ERR_NOMEM, "RTT telnet: out of memory");
	t->ctx = ctx;
	t->rtt = rtt;
	for (unsigned i = 0; i < SW_RTT_TELNET_PENDING; i++)
		t->p[i].fd = -1;
	if ((r = sw_net_addr_parse(ctx, listen_addr ? listen_addr : "127.0.0.1", port, &a))) {
		free(t);
		return r;
	}
	sw_net_addr_set_port(&a, port);
	sw_net_addr_text(&a, text, sizeof(text));
	t->listen_fd = socket(a.ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (t->listen_fd < 0) {
		free(t);
		return sw_fail(ctx, SW_ERR_IO, "RTT telnet: socket: %s", strerror(errno));
	}
	setsockopt(t->listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(t->listen_fd, (struct sockaddr *)&a.ss, a.len) || listen(t->listen_fd, 4)) {
		int e = errno;
		close(t->listen_fd);
		free(t);
		return sw_fail(ctx, SW_ERR_IO, "RTT telnet: cannot listen on %s: %s", text, strerror(e));
	}
	t->port = port;
	sw_rtt_net_channel_ports(rtt, false);
	printf("swdbridge: RTT telnet port %s (J-Link style: $$SEGGER_TELNET_ConfigStr=RTTCh;N$$ picks the channel)\n",
	       text);
	*out = t;
	return SW_OK;
}

static void pending_close(struct pending *p)
{
	if (p->fd >= 0)
		close(p->fd);
	p->fd = -1;
	p->len = 0;
}

void sw_rtt_telnet_free(struct sw_rtt_telnet *t)
{
	if (!t)
		return;
	for (unsigned i = 0; i < SW_RTT_TELNET_PENDING; i++)
		pending_close(&t->p[i]);
	close(t->listen_fd);
	free(t);
}

static unsigned telnet_fds(void *user, struct pollfd *pfd, unsigned max, uint64_t *wake_ns)
{
	struct sw_rtt_telnet *t = user;
	unsigned k = 0;
	uint64_t now = mono_ns();

	if (!max)
		return 0;
	pfd[k++] = (struct pollfd){t->listen_fd, POLLIN, 0};
	for (unsigned i = 0; i < SW_RTT_TELNET_PENDING && k < max; i++) {
		if (t->p[i].fd < 0)
			continue;
		pfd[k++] = (struct pollfd){t->p[i].fd, POLLIN, 0};
		uint64_t due = t->p[i].since_ns + SW_RTT_TELNET_WAIT_NS;
		uint64_t left = due > now ? due - now : 0;
		if (left < *wake_ns)
			*wake_ns = left;
	}
	return k;
}

/* Hand a client to rtt_net: channel and settings from its config string
 * (if any), the bytes after it go to the down channel. */
static void hand_over(struct sw_rtt_telnet *t, struct pending *p)
{
	const size_t pre = sizeof(CFG_PREFIX) - 1;
	struct sw_rtt_telnet_cfg cfg = {0};
	struct sw_rtt *e = sw_rtt_net_engine(t->rtt);
	size_t skip = 0;
	int fd = p->fd;

	if (p->len >= pre && !memcmp(p->buf, CFG_PREFIX, pre)) {
		uint8_t *end = memmem(p->buf + pre, p->len - pre, "$$", 2);
		if (end && !sw_rtt_telnet_parse((const char *)p->buf + pre, (size_t)(end - p->buf) - pre, &cfg)) {
			skip = (size_t)(end - p->buf) + 2;
		} else {
			SW_LOG_W(t->ctx, "RTT telnet: bad config string '%.*s'; serving channel 0", (int)p->len, p->buf);
			skip = end ? (size_t)(end - p->buf) + 2 : p->len;
			memset(&cfg, 0, sizeof(cfg));
		}
	}
	if (cfg.n_ranges) {
		sw_rtt_clear_ranges(e);
		for (unsigned i = 0; i < cfg.n_ranges; i++)
			if (sw_rtt_add_range(e, cfg.range_base[i], cfg.range_size[i]))
				SW_LOG_W(t->ctx, "RTT telnet: %s", sw_errmsg(t->ctx));
	}
	if (cfg.has_addr)
		sw_rtt_set_user_addr(e, cfg.addr);
	/* J-Link looks for the control block once a client wants RTT. */
	sw_rtt_start(e);
	p->fd = -1;
	if (sw_rtt_net_adopt(t->rtt, cfg.channel, fd, p->buf + skip, p->len - skip))
		SW_LOG_W(t->ctx, "%s", sw_errmsg(t->ctx));
	pending_close(p);
}

static void telnet_accept(struct sw_rtt_telnet *t)
{
	int one = 1, fd = accept4(t->listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);

	if (fd < 0)
		return;
	for (unsigned i = 0; i < SW_RTT_TELNET_PENDING; i++)
		if (t->p[i].fd < 0) {
			setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
			t->p[i] = (struct pending){.fd = fd, .since_ns = mono_ns()};
			return;
		}
	SW_LOG_W(t->ctx, "RTT telnet: too many clients connecting at once; refused");
	close(fd);
}

/* True while the bytes so far may still become a complete config string. */
static bool config_pending(const struct pending *p)
{
	const size_t pre = sizeof(CFG_PREFIX) - 1;

	if (memcmp(p->buf, CFG_PREFIX, p->len < pre ? p->len : pre))
		return false;
	return p->len < pre || !memmem(p->buf + pre, p->len - pre, "$$", 2);
}

static void telnet_run(void *user, const struct pollfd *pfd, unsigned n)
{
	struct sw_rtt_telnet *t = user;
	uint64_t now = mono_ns();

	for (unsigned k = 1; k < n; k++) {
		struct pending *p = NULL;
		for (unsigned i = 0; i < SW_RTT_TELNET_PENDING; i++)
			if (t->p[i].fd == pfd[k].fd)
				p = &t->p[i];
		if (!p || !(pfd[k].revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		ssize_t r = recv(p->fd, p->buf + p->len, sizeof(p->buf) - p->len, 0);
		if (r == 0 || (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
			pending_close(p);
			continue;
		}
		if (r > 0)
			p->len += (size_t)r;
		if (!config_pending(p) || p->len == sizeof(p->buf))
			hand_over(t, p);
	}
	for (unsigned i = 0; i < SW_RTT_TELNET_PENDING; i++)
		if (t->p[i].fd >= 0 && now - t->p[i].since_ns >= SW_RTT_TELNET_WAIT_NS)
			hand_over(t, &t->p[i]);
	if (n && (pfd[0].revents & POLLIN))
		telnet_accept(t);
}

const struct sw_server_svc *sw_rtt_telnet_svc(struct sw_rtt_telnet *t)
{
	t->svc = (struct sw_server_svc){telnet_fds, telnet_run, t};
	return &t->svc;
}
