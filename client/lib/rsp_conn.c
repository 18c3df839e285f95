/* RSP client transport: TCP, packet framing and checksums, acks and
 * no-ack mode, O-packet console output (GDB manual "Overview",
 * "Packet Acknowledgment", "Stop Reply Packets" for O). */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "client/lib/rsp_conn_priv.h"
#include "sw/hex.h"

#define DEFAULT_PACKET 0x3fff /* gdb's own default when qSupported says nothing */
#define MAX_PACKET 0x20000

size_t sw_rsp_frame(const uint8_t *in, size_t len, uint8_t *out, size_t cap)
{
	uint8_t sum = 0;

	if (cap < len + 4)
		return 0;
	out[0] = '$';
	for (size_t i = 0; i < len; i++) {
		out[1 + i] = in[i];
		sum = (uint8_t)(sum + in[i]);
	}
	out[len + 1] = '#';
	out[len + 2] = (uint8_t)"0123456789abcdef"[sum >> 4];
	out[len + 3] = (uint8_t)"0123456789abcdef"[sum & 15];
	return len + 4;
}

size_t sw_rsp_escape(const uint8_t *in, size_t len, uint8_t *out, size_t cap)
{
	size_t o = 0;

	for (size_t i = 0; i < len; i++) {
		bool esc = in[i] == '#' || in[i] == '$' || in[i] == '}' || in[i] == '*';
		if (o + (esc ? 2u : 1u) > cap)
			return 0;
		if (esc) {
			out[o++] = '}';
			out[o++] = in[i] ^ 0x20;
		} else {
			out[o++] = in[i];
		}
	}
	return o;
}

/* "X*N" repeats X a further N - 29 times (GDB manual "Overview"). */
size_t sw_rsp_unrle(const uint8_t *in, size_t len, uint8_t *out, size_t cap, bool *bad)
{
	size_t o = 0;

	*bad = false;
	for (size_t i = 0; i < len; i++) {
		if (in[i] == '*' && o > 0 && i + 1 < len && in[i + 1] >= 29) {
			size_t n = (size_t)(in[i + 1] - 29);
			if (o + n > cap)
				goto overflow;
			memset(out + o, out[o - 1], n);
			o += n;
			i++;
			continue;
		}
		if (o >= cap)
			goto overflow;
		out[o++] = in[i];
	}
	return o;
overflow:
	*bad = true;
	return 0;
}

static int send_all(struct sw_rsp *c, const uint8_t *buf, size_t len)
{
	while (len) {
		ssize_t n = send(c->fd, buf, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return sw_fail(c->ctx, SW_ERR_IO, "server connection: send failed: %s", strerror(errno));
		buf += n;
		len -= (size_t)n;
	}
	return SW_OK;
}

/* Read more bytes from the socket, waiting at most the reply timeout. */
static int fill(struct sw_rsp *c)
{
	struct pollfd p = {.fd = c->fd, .events = POLLIN};
	int r;
	ssize_t n;

	if (c->rx_len == RSP_RX_CAP)
		return sw_fail(c->ctx, SW_ERR_PROTO, "server sent a packet larger than %u bytes", RSP_RX_CAP);
	do
		r = poll(&p, 1, c->timeout_ms);
	while (r < 0 && errno == EINTR);
	if (r == 0)
		return sw_fail(c->ctx, SW_ERR_TIMEOUT, "server did not answer within %d ms", c->timeout_ms);
	n = recv(c->fd, c->rx + c->rx_len, RSP_RX_CAP - c->rx_len, 0);
	if (n == 0)
		return sw_fail(c->ctx, SW_ERR_CLOSED, "server closed the connection");
	if (n < 0)
		return sw_fail(c->ctx, SW_ERR_IO, "server connection: receive failed: %s", strerror(errno));
	c->rx_len += (size_t)n;
	return SW_OK;
}

static void consume(struct sw_rsp *c, size_t n)
{
	memmove(c->rx, c->rx + n, c->rx_len - n);
	c->rx_len -= n;
}

/* Next byte that is not part of a packet: '+' / '-' (acks), or 0 when a
 * '$' is next. Stray bytes between packets are dropped. */
static int next_ack(struct sw_rsp *c, char *ack)
{
	int r;

	for (;;) {
		while (c->rx_len && c->rx[0] != '$' && c->rx[0] != '+' && c->rx[0] != '-')
			consume(c, 1);
		if (c->rx_len) {
			*ack = c->rx[0] == '$' ? 0 : (char)c->rx[0];
			if (*ack)
				consume(c, 1);
			return SW_OK;
		}
		if ((r = fill(c)))
			return r;
	}
}

/* Read one complete packet into c->pkt; acks it unless in no-ack mode. */
static int read_packet(struct sw_rsp *c)
{
	for (int tries = 0; tries < 3; tries++) {
		uint8_t *hash;
		char ack;
		int r;
		while (!(c->rx_len && c->rx[0] == '$')) {
			if ((r = next_ack(c, &ack)))
				return r;
		}
		while (!(hash = memchr(c->rx, '#', c->rx_len)) || (size_t)(hash - c->rx) + 3 > c->rx_len)
			if ((r = fill(c)))
				return r;
		size_t body = (size_t)(hash - c->rx) - 1, total = body + 4;
		uint8_t sum = 0;
		for (size_t i = 0; i < body; i++)
			sum = (uint8_t)(sum + c->rx[1 + i]);
		int hi = sw_hex_nibble(hash[1]), lo = sw_hex_nibble(hash[2]);
		bool good = hi >= 0 && lo >= 0 && (uint8_t)(hi << 4 | lo) == sum;
		bool bad_rle;
		if (good)
			c->pkt_len = sw_rsp_unrle(c->rx + 1, body, c->pkt, RSP_PKT_CAP, &bad_rle);
		consume(c, total);
		if (good && !bad_rle) {
			c->pkt[c->pkt_len] = 0;
			/* The packet is ours even if the ack cannot go out (a server
			 * that refuses us closes right after its "E." reply). */
			if (!c->noack && send(c->fd, "+", 1, MSG_NOSIGNAL) != 1)
				SW_LOG_D(c->ctx, "ack not sent: %s", strerror(errno));
			return SW_OK;
		}
		if (c->noack)
			return sw_fail(c->ctx, SW_ERR_PROTO, "server sent a packet with a bad checksum");
		if ((r = send_all(c, (const uint8_t *)"-", 1)))
			return r;
	}
	return sw_fail(c->ctx, SW_ERR_PROTO, "server sent three bad packets in a row");
}

bool sw_rsp_is_keepalive(const char *text)
{
	size_t n = strlen(text);

	/* "monitor CMD: working (N s)\n", one O packet each (swdbridge's
	 * server/gdb/rsp_keepalive.h). */
	return !strncmp(text, "monitor ", 8) && strstr(text, ": working (") && n > 4 &&
	       !strcmp(text + n - 4, " s)\n") && !strchr(text, '\n')[1];
}

/* Keep the newest text: the line that says why a command failed comes
 * last, after whatever a long command printed before. */
static void console_keep(struct sw_rsp *c, const char *text, size_t k)
{
	size_t cap = sizeof(c->console) - 1;

	if (k >= cap) {
		text += k - cap;
		k = cap;
	}
	if (c->console_len + k > cap) {
		size_t drop = c->console_len + k - cap;
		memmove(c->console, c->console + drop, c->console_len - drop);
		c->console_len -= drop;
	}
	memcpy(c->console + c->console_len, text, k);
	c->console_len += k;
	c->console[c->console_len] = 0;
}

static void console_add(struct sw_rsp *c, const char *hex)
{
	char text[512];
	size_t n = strlen(hex) / 2;
	bool first = true;

	while (n) {
		size_t k = n > sizeof(text) - 1 ? sizeof(text) - 1 : n;
		if (sw_hex_decode(hex, k, (uint8_t *)text))
			return;
		text[k] = 0;
		if (c->out)
			c->out(c->out_user, text);
		/* Keep-alive lines are progress, not output: never the
		 * "last line" quoted for a failure. */
		if (!(first && k == n && sw_rsp_is_keepalive(text)))
			console_keep(c, text, k);
		first = false;
		hex += 2 * k;
		n -= k;
	}
}

static int send_packet(struct sw_rsp *c, const uint8_t *pkt, size_t len)
{
	size_t n = sw_rsp_frame(pkt, len, c->tx, c->tx_cap);
	int r;

	if (!n)
		return sw_fail(c->ctx, SW_ERR_ARG, "packet of %zu bytes exceeds the server's PacketSize", len);
	for (int tries = 0; tries < 3; tries++) {
		char ack = 0;
		if ((r = send_all(c, c->tx, n)))
			return r;
		if (c->noack)
			return SW_OK;
		if ((r = next_ack(c, &ack)))
			return r;
		if (ack == '+' || ack == 0)
			return SW_OK; /* a reply without ack: some stubs skip it */
	}
	return sw_fail(c->ctx, SW_ERR_PROTO, "server rejected a packet three times");
}

int sw_rsp_transact(struct sw_rsp *c, const uint8_t *pkt, size_t len, const char **reply, size_t *rlen)
{
	int r;

	c->console_len = 0;
	c->console[0] = 0;
	if ((r = send_packet(c, pkt, len)))
		return r;
	for (;;) {
		if ((r = read_packet(c)))
			return r;
		/* "O" + hex is console output; a bare "OK" is a reply. */
		if (c->pkt[0] == 'O' && c->pkt_len > 1 && strcmp((char *)c->pkt, "OK") != 0) {
			console_add(c, (const char *)c->pkt + 1);
			continue;
		}
		break;
	}
	*reply = (const char *)c->pkt;
	if (rlen)
		*rlen = c->pkt_len;
	return SW_OK;
}

int sw_tcp_open(struct sw_ctx *ctx, const char *host, unsigned port, int *fd)
{
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *res = NULL;
	char svc[8];
	int e, one = 1, err = 0;

	snprintf(svc, sizeof(svc), "%u", port);
	if ((e = getaddrinfo(host, svc, &hints, &res)))
		return sw_fail(ctx, SW_ERR_IO, "cannot resolve %s: %s", host, gai_strerror(e));
	*fd = -1;
	for (struct addrinfo *a = res; a && *fd < 0; a = a->ai_next) {
		int s = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
		if (s < 0)
			continue;
		if (connect(s, a->ai_addr, a->ai_addrlen) == 0)
			*fd = s;
		else {
			err = errno;
			close(s);
		}
	}
	freeaddrinfo(res);
	if (*fd < 0)
		return sw_fail(ctx, SW_ERR_IO, "cannot connect to %s:%u: %s", host, port, strerror(err));
	setsockopt(*fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return SW_OK;
}

/* A server that refuses a client (swdbridge: another gdb holds the port)
 * sends "E.reason" and closes, possibly before our qSupported went out.
 * After a failed first exchange, look for that reply for a short while. */
static int refused(struct sw_rsp *c, int r)
{
	char msg[SW_ERRMSG_LEN];
	uint8_t *e, *hash;

	snprintf(msg, sizeof(msg), "%s", sw_errmsg(c->ctx));
	c->timeout_ms = 200;
	while (!((e = memmem(c->rx, c->rx_len, "$E.", 3)) && (hash = memchr(e, '#', c->rx_len - (size_t)(e - c->rx)))))
		if (c->rx_len == RSP_RX_CAP || fill(c))
			return sw_fail(c->ctx, r, "%s", msg);
	return sw_fail(c->ctx, SW_ERR_BUSY, "server refused the connection: %.*s", (int)(hash - e - 3), e + 3);
}

/* qSupported, then QStartNoAckMode if offered (GDB manual "General Query Packets"). */
static int handshake(struct sw_rsp *c)
{
	static const char q[] = "qSupported:swbreak+;hwbreak+;vContSupported+";
	const char *reply, *ps;
	int r;

	if ((r = sw_rsp_transact(c, (const uint8_t *)q, sizeof(q) - 1, &reply, NULL)))
		return refused(c, r);
	if (reply[0] == 'E' && reply[1] == '.')
		return sw_fail(c->ctx, SW_ERR_BUSY, "server refused the connection: %s", reply + 2);
	snprintf(c->features, sizeof(c->features), "%s", reply);
	c->packet_size = DEFAULT_PACKET;
	if ((ps = strstr(c->features, "PacketSize="))) {
		unsigned long v = strtoul(ps + 11, NULL, 16);
		if (v >= 64)
			c->packet_size = v > MAX_PACKET ? MAX_PACKET : v;
	}
	c->tx_cap = c->packet_size + 8;
	free(c->tx);
	free(c->scratch);
	c->tx = malloc(c->tx_cap);
	c->scratch = malloc(c->packet_size);
	if (!c->tx || !c->scratch)
		return sw_fail(c->ctx, SW_ERR_NOMEM, "out of memory");
	if (strstr(c->features, "QStartNoAckMode+")) {
		if ((r = sw_rsp_transact(c, (const uint8_t *)"QStartNoAckMode", 15, &reply, NULL)))
			return r;
		c->noack = !strcmp(reply, "OK");
	}
	return SW_OK;
}

int sw_rsp_connect(struct sw_ctx *ctx, const char *host, unsigned port, int timeout_ms, struct sw_rsp **out)
{
	struct sw_rsp *c = calloc(1, sizeof(*c));
	int r;

	*out = NULL;
	if (!c || !(c->rx = malloc(RSP_RX_CAP)) || !(c->pkt = malloc(RSP_PKT_CAP + 1)) ||
	    !(c->tx = malloc(DEFAULT_PACKET + 8))) {
		sw_rsp_close(c);
		return sw_fail(ctx, SW_ERR_NOMEM, "out of memory");
	}
	c->ctx = ctx;
	c->fd = -1;
	c->tx_cap = DEFAULT_PACKET + 8;
	c->timeout_ms = timeout_ms;
	if ((r = sw_tcp_open(ctx, host, port, &c->fd)) || (r = handshake(c))) {
		sw_rsp_close(c);
		return r;
	}
	*out = c;
	return SW_OK;
}

void sw_rsp_close(struct sw_rsp *c)
{
	if (!c)
		return;
	if (c->fd >= 0)
		close(c->fd);
	free(c->rx);
	free(c->pkt);
	free(c->tx);
	free(c->scratch);
	free(c);
}

void sw_rsp_set_output(struct sw_rsp *c, sw_rsp_output_fn fn, void *user)
{
	c->out = fn;
	c->out_user = user;
}

void sw_rsp_set_timeout(struct sw_rsp *c, int ms)
{
	c->timeout_ms = ms;
}

const char *sw_rsp_features(const struct sw_rsp *c)
{
	return c->features;
}

size_t sw_rsp_packet_size(const struct sw_rsp *c)
{
	return c->packet_size;
}

bool sw_rsp_noack(const struct sw_rsp *c)
{
	return c->noack;
}

const char *sw_rsp_console(const struct sw_rsp *c)
{
	return c->console;
}

struct sw_ctx *sw_rsp_ctx(const struct sw_rsp *c)
{
	return c->ctx;
}
