/* swdflash's RSP client against a scripted fake server on a loopback
 * socket (a thread): handshake and no-ack mode, binary escaping of
 * vFlashWrite, O-packet console output, E replies with the server's reason,
 * run-length encoded and escaped replies; plus the pure framing helpers. */
#include <netinet/in.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "client/lib/rsp_conn.h"
#include "sw/ctx.h"
#include "sw/hex.h"
#include "tests/test.h"

struct fake {
	int listen_fd, fd;
	unsigned port;
	bool noack;
	uint8_t got[1024]; /* unescaped vFlashWrite payload */
	size_t got_len;
	char pkt[4096];
};

static int rd(struct fake *f, char *c)
{
	return read(f->fd, c, 1) == 1 ? 0 : -1;
}

/* One packet into f->pkt (escapes left in place); skips acks. */
static int fake_read(struct fake *f)
{
	char c = 0, cs[2];
	size_t n = 0;

	do
		if (rd(f, &c))
			return -1;
	while (c != '$');
	while (!rd(f, &c) && c != '#' && n < sizeof(f->pkt) - 1)
		f->pkt[n++] = c;
	f->pkt[n] = 0;
	if (rd(f, &cs[0]) || rd(f, &cs[1]))
		return -1;
	if (!f->noack && write(f->fd, "+", 1) != 1)
		return -1;
	return (int)n;
}

static void fake_send(struct fake *f, const char *payload)
{
	uint8_t buf[4200];
	size_t n = sw_rsp_frame((const uint8_t *)payload, strlen(payload), buf, sizeof(buf));

	if (write(f->fd, buf, n) != (ssize_t)n)
		return;
	if (!f->noack) { /* the client acks our packet */
		char c;
		(void)rd(f, &c);
	}
}

static void fake_console(struct fake *f, const char *text)
{
	char hex[600] = "O";

	sw_hex_encode((const uint8_t *)text, strlen(text), hex + 1);
	fake_send(f, hex);
}

static void fake_answer(struct fake *f, int n)
{
	if (!strncmp(f->pkt, "qSupported", 10)) {
		fake_send(f, "PacketSize=200;QStartNoAckMode+");
	} else if (!strcmp(f->pkt, "QStartNoAckMode")) {
		fake_send(f, "OK");
		f->noack = true;
	} else if (!strncmp(f->pkt, "vFlashWrite:8000000:", 20)) {
		f->got_len = 0;
		for (int i = 20; i < n; i++)
			f->got[f->got_len++] = f->pkt[i] == '}' ? (uint8_t)(f->pkt[++i] ^ 0x20) : (uint8_t)f->pkt[i];
		fake_send(f, "OK");
	} else if (!strcmp(f->pkt, "qRcmd,626164")) { /* "bad": output, then an error */
		fake_console(f, "unknown monitor command 'bad'\n");
		fake_send(f, "E01");
	} else if (!strcmp(f->pkt, "qRcmd,6c6f6e67")) { /* "long": keep-alives, much output, then an error */
		char line[300];
		for (int i = 1; i <= 300; i++) {
			snprintf(line, sizeof(line), "monitor long: working (%d s)\n", i);
			fake_console(f, line);
		}
		memset(line, 'x', 249);
		line[249] = '\n';
		line[250] = 0;
		for (int i = 0; i < 20; i++) /* 5000 bytes: more than the client keeps */
			fake_console(f, line);
		fake_console(f, "flash erase failed: sector 3 did not erase\n");
		fake_send(f, "E01");
	} else if (!strncmp(f->pkt, "qRcmd,", 6)) {
		fake_console(f, "hello\n");
		fake_send(f, "OK");
	} else if (!strcmp(f->pkt, "vFlashDone")) {
		fake_send(f, "E.flash programming: target reset"); /* the reason in the reply */
	} else if (!strcmp(f->pkt, "vFlashErase:9000000,20000")) {
		fake_send(f, "E.vFlashErase: 0x09000000 is not in flash");
	} else if (!strncmp(f->pkt, "qCRC:", 5)) {
		fake_send(f, "C1234abcd");
	} else if (!strcmp(f->pkt, "m8000000,3")) {
		fake_send(f, "0*\""); /* run-length: "0" then 5 more */
	} else if (!strncmp(f->pkt, "qXfer:memory-map:read::0,", 25)) {
		fake_send(f, "la}]b"); /* escaped '}' */
	} else {
		fake_send(f, "");
	}
}

static void *fake_main(void *arg)
{
	struct fake *f = arg;
	int n;

	f->fd = accept(f->listen_fd, NULL, NULL);
	while (f->fd >= 0 && (n = fake_read(f)) >= 0)
		fake_answer(f, n);
	if (f->fd >= 0)
		close(f->fd);
	return NULL;
}

static int fake_start(struct fake *f, pthread_t *th)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(a);

	memset(f, 0, sizeof(*f));
	f->listen_fd = socket(AF_INET, SOCK_STREAM, 0);
	if (f->listen_fd < 0 || bind(f->listen_fd, (struct sockaddr *)&a, sizeof(a)) || listen(f->listen_fd, 1) ||
	    getsockname(f->listen_fd, (struct sockaddr *)&a, &len))
		return -1;
	f->port = ntohs(a.sin_port);
	return pthread_create(th, NULL, fake_main, f);
}

static void test_framing(void)
{
	uint8_t out[64], back[64];
	bool bad;
	size_t n;

	n = sw_rsp_frame((const uint8_t *)"OK", 2, out, sizeof(out));
	CHECK(n == 6 && !memcmp(out, "$OK#9a", 6));
	n = sw_rsp_escape((const uint8_t *)"a#$}*b", 6, out, sizeof(out));
	CHECK(n == 10 && !memcmp(out, "a}\x03}\x04}]}\x0a" "b", 10));
	CHECK_EQ_U(sw_rsp_escape((const uint8_t *)"####", 4, out, 7), 0);
	n = sw_rsp_unrle((const uint8_t *)"x* y", 4, back, sizeof(back), &bad);
	CHECK(!bad && n == 5 && !memcmp(back, "xxxxy", 5));
	n = sw_rsp_unrle((const uint8_t *)"x*~", 3, back, 8, &bad);
	CHECK(bad && n == 0);
}

static void on_out(void *user, const char *text)
{
	strncat(user, text, 63 - strlen(user));
}

struct seen {
	unsigned keepalives, other;
};

static void on_count(void *user, const char *text)
{
	struct seen *n = user;

	if (sw_rsp_is_keepalive(text))
		n->keepalives++;
	else
		n->other++;
}

static void test_keepalive_helper(void)
{
	CHECK(sw_rsp_is_keepalive("monitor flash erase all: working (12 s)\n"));
	CHECK(!sw_rsp_is_keepalive("monitor flash erase all: working (12 s)\nmore\n"));
	CHECK(!sw_rsp_is_keepalive("flash: 3 sectors erased\n"));
	CHECK(!sw_rsp_is_keepalive("monitor x: working (1 s)")); /* a line, or nothing */
}

/* A long monitor command: 300 keep-alive lines and 5000 bytes of output
 * come before the line that says why it failed; that line must still be
 * the error message (it used to fall off the end of a 4 KiB buffer that
 * kept the oldest text). */
static void test_long_monitor(void)
{
	struct sw_ctx ctx;
	struct fake f;
	pthread_t th;
	struct sw_rsp *c = NULL;
	struct seen seen = {0, 0};

	sw_ctx_init(&ctx);
	ctx.level = SW_LOG_NONE;
	CHECK(fake_start(&f, &th) == 0);
	CHECK_OK(sw_rsp_connect(&ctx, "127.0.0.1", f.port, 5000, &c));
	if (!c)
		return;
	sw_rsp_set_output(c, on_count, &seen);
	CHECK(sw_rsp_monitor(c, "long") == SW_ERR_TARGET_STATE);
	CHECK_MSG(strstr(sw_errmsg(&ctx), "sector 3 did not erase") != NULL, "%s", sw_errmsg(&ctx));
	CHECK_EQ_U(seen.keepalives, 300);
	CHECK(strstr(sw_rsp_console(c), "working (") == NULL);
	sw_rsp_close(c);
	pthread_join(th, NULL);
	close(f.listen_fd);
}

static void test_against_fake(void)
{
	struct sw_ctx ctx;
	struct fake f;
	pthread_t th;
	struct sw_rsp *c = NULL;
	uint8_t data[200], mem[3] = {1, 1, 1};
	char out[64] = "", *xml = NULL;
	uint32_t crc = 0;

	sw_ctx_init(&ctx);
	ctx.level = SW_LOG_NONE;
	CHECK(fake_start(&f, &th) == 0);
	CHECK_OK(sw_rsp_connect(&ctx, "127.0.0.1", f.port, 5000, &c));
	if (!c)
		return;
	CHECK(sw_rsp_noack(c));
	CHECK_EQ_U(sw_rsp_packet_size(c), 0x200);
	CHECK(sw_rsp_write_max(c) >= sizeof(data));
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)"#$}*x"[i % 5];
	CHECK_OK(sw_rsp_flash_write(c, 0x08000000, data, sizeof(data)));
	CHECK(f.got_len == sizeof(data) && !memcmp(f.got, data, sizeof(data)));
	sw_rsp_set_output(c, on_out, out);
	CHECK_OK(sw_rsp_monitor(c, "reset run"));
	CHECK(!strcmp(out, "hello\n"));
	CHECK(sw_rsp_monitor(c, "bad") == SW_ERR_TARGET_STATE); /* swdflash exits 6 */
	CHECK_MSG(strstr(sw_errmsg(&ctx), "unknown monitor command 'bad'") != NULL, "%s", sw_errmsg(&ctx));
	CHECK(sw_rsp_flash_done(c) == SW_ERR_FLASH);
	CHECK_MSG(!strcmp(sw_errmsg(&ctx), "flash programming: target reset"), "%s", sw_errmsg(&ctx));
	CHECK(sw_rsp_flash_erase(c, 0x09000000, 0x20000) == SW_ERR_FLASH);
	CHECK_MSG(!strcmp(sw_errmsg(&ctx), "flash erase: 0x09000000 is not in flash"), "%s", sw_errmsg(&ctx));
	CHECK_OK(sw_rsp_crc(c, 0x08000000, 0x100, &crc));
	CHECK_EQ_U(crc, 0x1234abcd);
	CHECK_OK(sw_rsp_read_mem(c, 0x08000000, mem, 3));
	CHECK(mem[0] == 0 && mem[1] == 0 && mem[2] == 0);
	CHECK_OK(sw_rsp_xfer_read(c, "memory-map", "", &xml, NULL));
	CHECK(xml && !strcmp(xml, "a}b"));
	free(xml);
	CHECK(sw_rsp_flash_erase(c, 0x08000000, 0x20000) == SW_ERR_NOT_SUPPORTED); /* "" reply */
	sw_rsp_close(c);
	pthread_join(th, NULL);
	close(f.listen_fd);
}

int main(void)
{
	RUN_TEST(test_framing);
	RUN_TEST(test_against_fake);
	RUN_TEST(test_keepalive_helper);
	RUN_TEST(test_long_monitor);
	return TEST_MAIN_END();
}
