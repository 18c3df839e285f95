/* libFuzzer target: probe-server's side of the TLS handshake (server/net/
 * tls.c over mbedTLS) fed a hostile client's bytes, before any credential
 * check could have passed: TLS-PSK and mutual-TLS configurations as
 * probe-server builds them. The first input byte picks the configuration;
 * the rest is what the peer sends, in the pieces a socket delivers. Seeds
 * are real first flights of swdbridge's remote-probe client, recorded at
 * build time (tests/fuzz/record_tls_seeds.py). */
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "server/net/tls.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct confs {
	struct sw_ctx ctx;
	struct sw_tls_conf *conf[2]; /* PSK, mutual TLS */
};

static struct confs *confs_get(void)
{
	static struct confs *c; /* fuzz harness only: built once per run */
	struct sw_tls_creds psk = {.psk_file = FUZZ_TLS_DIR "/psk"};
	struct sw_tls_creds mtls = {.cert = FUZZ_TLS_DIR "/server.crt", .key = FUZZ_TLS_DIR "/server.key",
				    .ca = FUZZ_TLS_DIR "/ca.crt"};

	if (c)
		return c;
	c = calloc(1, sizeof(*c));
	if (!c)
		abort();
	sw_ctx_init(&c->ctx);
	c->ctx.level = SW_LOG_NONE;
	if (sw_tls_conf_new(&c->ctx, &psk, true, &c->conf[0]) ||
	    sw_tls_conf_new(&c->ctx, &mtls, true, &c->conf[1]))
		abort();
	return c;
}

static void drain(int fd)
{
	uint8_t sink[16384];

	while (read(fd, sink, sizeof(sink)) > 0)
		;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct confs *c = confs_get();
	struct sw_tls_conn *conn = NULL;
	size_t off = 1;
	int sv[2], r = 1;

	if (size < 1 || size > 65536)
		return 0;
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		abort();
	fcntl(sv[1], F_SETFL, O_NONBLOCK);
	if (sw_tls_conn_new(&c->ctx, c->conf[data[0] & 1], sv[0], &conn))
		abort();
	/* Deliver the bytes in pieces (the piece size from the data), stepping
	 * the handshake after each, as probe-server's poll loop does. */
	while (r == 1 && off < size) {
		size_t n = 1 + (size_t)(data[off - 1] % 251u) * 8u;
		if (n > size - off)
			n = size - off;
		if (write(sv[1], data + off, n) != (ssize_t)n)
			break;
		off += n;
		r = sw_tls_conn_handshake(conn);
		drain(sv[1]);
	}
	if (r == 1)
		r = sw_tls_conn_handshake(conn);
	sw_tls_conn_free(conn); /* closes sv[0] */
	close(sv[1]);
	return 0;
}
