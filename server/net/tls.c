/* mbedTLS glue: credentials, configurations, non-blocking connections. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/error.h>
#include <mbedtls/net_sockets.h>
#include <mbedtls/pk.h>
#include <mbedtls/platform_util.h>
#include <mbedtls/ssl.h>
#include <mbedtls/x509_crt.h>

#include "server/net/tls.h"

#define PSK_MAX 64
#define PSK_MIN 16 /* 128 bits */
#define PSK_ID_MAX 64

/* Forward-secret suites only (RFC 5489 ECDHE-PSK, RFC 7905 ChaCha20);
 * the certificate suites keep mbedTLS's TLS 1.2 defaults. */
static const int psk_suites[] = {
	MBEDTLS_TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256,
	MBEDTLS_TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA256,
	MBEDTLS_TLS_DHE_PSK_WITH_AES_128_GCM_SHA256,
	0,
};

struct sw_tls_conf {
	struct sw_ctx *ctx;
	mbedtls_ssl_config ssl;
	mbedtls_entropy_context entropy;
	mbedtls_ctr_drbg_context drbg;
	mbedtls_x509_crt cert, ca;
	mbedtls_pk_context key;
	unsigned char psk[PSK_MAX];
	size_t psk_len;
	bool psk_mode;
};

struct sw_tls_conn {
	struct sw_ctx *ctx;
	struct sw_tls_conf *conf; /* NULL: plain TCP */
	mbedtls_ssl_context ssl;
	int fd;
	bool done;
};

bool sw_tls_creds_given(const struct sw_tls_creds *c)
{
	return c && (c->psk_file || c->cert || c->key || c->ca);
}

int sw_tls_check_key_file(struct sw_ctx *ctx, const char *path)
{
	struct stat st;

	if (stat(path, &st))
		return sw_fail(ctx, SW_ERR_NOT_FOUND, "key file %s: %s", path, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return sw_fail(ctx, SW_ERR_ARG, "key file %s: not a regular file", path);
	if (st.st_mode & 077)
		return sw_fail(ctx, SW_ERR_ARG,
			       "key file %s has mode %04o: group/others may access it; run chmod 600 %s", path,
			       (unsigned)(st.st_mode & 07777), path);
	return SW_OK;
}

static int hexval(int ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* "IDENTITY:HEXKEY" on the first line; '#' lines are comments. */
static int load_psk(struct sw_tls_conf *cf, const char *path, char *id, size_t idcap)
{
	char line[512];
	FILE *f;
	int r = SW_ERR_ARG;

	if ((r = sw_tls_check_key_file(cf->ctx, path)))
		return r;
	if (!(f = fopen(path, "r")))
		return sw_fail(cf->ctx, SW_ERR_IO, "psk file %s: %s", path, strerror(errno));
	r = sw_fail(cf->ctx, SW_ERR_ARG, "psk file %s: expected a line IDENTITY:HEXKEY", path);
	while (fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':'), *h;
		size_t n = 0;
		if (line[0] == '#' || line[0] == '\n' || !colon)
			continue;
		*colon = 0;
		size_t idlen = strlen(line);
		if (!idlen || idlen >= idcap)
			break;
		memcpy(id, line, idlen + 1);
		for (h = colon + 1; hexval(h[0]) >= 0 && hexval(h[1]) >= 0 && n < PSK_MAX; h += 2)
			cf->psk[n++] = (unsigned char)(hexval(h[0]) << 4 | hexval(h[1]));
		if (*h && *h != '\n' && *h != '\r') {
			r = sw_fail(cf->ctx, SW_ERR_ARG, "psk file %s: key must be an even number of hex digits (at most %d bytes)",
				    path, PSK_MAX);
			break;
		}
		if (n < PSK_MIN) {
			r = sw_fail(cf->ctx, SW_ERR_ARG, "psk file %s: key has %zu bytes, need at least %d (openssl rand -hex 32)",
				    path, n, PSK_MIN);
			break;
		}
		cf->psk_len = n;
		r = SW_OK;
		break;
	}
	mbedtls_platform_zeroize(line, sizeof(line));
	fclose(f);
	return r;
}

static int tls_fail(struct sw_ctx *ctx, int e, const char *what)
{
	char buf[160];

	mbedtls_strerror(e, buf, sizeof(buf));
	return sw_fail(ctx, SW_ERR_ARG, "%s: %s", what, buf);
}

static int load_certs(struct sw_tls_conf *cf, const struct sw_tls_creds *c)
{
	int e, r;

	if (!c->cert || !c->key || !c->ca)
		return sw_fail(cf->ctx, SW_ERR_ARG, "certificates need all of --cert, --key and --ca");
	if ((r = sw_tls_check_key_file(cf->ctx, c->key)))
		return r;
	if ((e = mbedtls_x509_crt_parse_file(&cf->cert, c->cert)))
		return tls_fail(cf->ctx, e, c->cert);
	if ((e = mbedtls_x509_crt_parse_file(&cf->ca, c->ca)))
		return tls_fail(cf->ctx, e, c->ca);
	if ((e = mbedtls_pk_parse_keyfile(&cf->key, c->key, NULL)))
		return tls_fail(cf->ctx, e, c->key);
	if ((e = mbedtls_ssl_conf_own_cert(&cf->ssl, &cf->cert, &cf->key)))
		return tls_fail(cf->ctx, e, "own certificate");
	mbedtls_ssl_conf_ca_chain(&cf->ssl, &cf->ca, NULL);
	/* Mutual: each side requires the other's certificate, chained to --ca. */
	mbedtls_ssl_conf_authmode(&cf->ssl, MBEDTLS_SSL_VERIFY_REQUIRED);
	return SW_OK;
}

static int setup(struct sw_tls_conf *cf, const struct sw_tls_creds *c, bool server)
{
	static const char pers[] = "swdbridge";
	char id[PSK_ID_MAX + 1];
	int e, r;

	if (c->psk_file && (c->cert || c->key || c->ca))
		return sw_fail(cf->ctx, SW_ERR_ARG, "give either --psk-file or --cert/--key/--ca, not both");
	if ((e = mbedtls_ctr_drbg_seed(&cf->drbg, mbedtls_entropy_func, &cf->entropy, (const unsigned char *)pers,
				       sizeof(pers) - 1)))
		return tls_fail(cf->ctx, e, "TLS random generator");
	if ((e = mbedtls_ssl_config_defaults(&cf->ssl, server ? MBEDTLS_SSL_IS_SERVER : MBEDTLS_SSL_IS_CLIENT,
					     MBEDTLS_SSL_TRANSPORT_STREAM, MBEDTLS_SSL_PRESET_DEFAULT)))
		return tls_fail(cf->ctx, e, "TLS configuration");
	mbedtls_ssl_conf_rng(&cf->ssl, mbedtls_ctr_drbg_random, &cf->drbg);
	/* TLS 1.2 is the floor (RFC 8996 deprecates 1.0 and 1.1). */
	mbedtls_ssl_conf_min_version(&cf->ssl, MBEDTLS_SSL_MAJOR_VERSION_3, MBEDTLS_SSL_MINOR_VERSION_3);
	if (!c->psk_file)
		return load_certs(cf, c);
	if ((r = load_psk(cf, c->psk_file, id, sizeof(id))))
		return r;
	cf->psk_mode = true;
	mbedtls_ssl_conf_ciphersuites(&cf->ssl, psk_suites);
	/* On the server this is also the only identity accepted. */
	if ((e = mbedtls_ssl_conf_psk(&cf->ssl, cf->psk, cf->psk_len, (const unsigned char *)id, strlen(id))))
		return tls_fail(cf->ctx, e, "PSK");
	mbedtls_platform_zeroize(cf->psk, sizeof(cf->psk));
	return SW_OK;
}

int sw_tls_conf_new(struct sw_ctx *ctx, const struct sw_tls_creds *c, bool server, struct sw_tls_conf **out)
{
	struct sw_tls_conf *cf;
	int r;

	*out = NULL;
	if (!sw_tls_creds_given(c))
		return SW_OK;
	if (!(cf = calloc(1, sizeof(*cf))))
		return sw_fail(ctx, SW_ERR_NOMEM, "TLS: out of memory");
	cf->ctx = ctx;
	mbedtls_ssl_config_init(&cf->ssl);
	mbedtls_entropy_init(&cf->entropy);
	mbedtls_ctr_drbg_init(&cf->drbg);
	mbedtls_x509_crt_init(&cf->cert);
	mbedtls_x509_crt_init(&cf->ca);
	mbedtls_pk_init(&cf->key);
	if ((r = setup(cf, c, server))) {
		sw_tls_conf_free(cf);
		return r;
	}
	*out = cf;
	return SW_OK;
}

void sw_tls_conf_free(struct sw_tls_conf *cf)
{
	if (!cf)
		return;
	mbedtls_ssl_config_free(&cf->ssl);
	mbedtls_ctr_drbg_free(&cf->drbg);
	mbedtls_entropy_free(&cf->entropy);
	mbedtls_x509_crt_free(&cf->cert);
	mbedtls_x509_crt_free(&cf->ca);
	mbedtls_pk_free(&cf->key);
	mbedtls_platform_zeroize(cf, sizeof(*cf));
	free(cf);
}

const char *sw_tls_conf_kind(const struct sw_tls_conf *cf)
{
	return !cf ? "plain TCP" : cf->psk_mode ? "TLS-PSK" : "mutual TLS";
}

static int bio_send(void *user, const unsigned char *buf, size_t len)
{
	struct sw_tls_conn *c = user;
	ssize_t n = send(c->fd, buf, len, MSG_NOSIGNAL);

	if (n >= 0)
		return (int)n;
	if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
		return MBEDTLS_ERR_SSL_WANT_WRITE;
	return MBEDTLS_ERR_NET_SEND_FAILED;
}

static int bio_recv(void *user, unsigned char *buf, size_t len)
{
	struct sw_tls_conn *c = user;
	ssize_t n = recv(c->fd, buf, len, 0);

	if (n >= 0)
		return (int)n; /* 0: the peer closed */
	if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
		return MBEDTLS_ERR_SSL_WANT_READ;
	return MBEDTLS_ERR_NET_RECV_FAILED;
}

int sw_tls_conn_new(struct sw_ctx *ctx, struct sw_tls_conf *conf, int fd, struct sw_tls_conn **out)
{
	struct sw_tls_conn *c = calloc(1, sizeof(*c));
	int e;

	*out = NULL;
	if (!c) {
		close(fd);
		return sw_fail(ctx, SW_ERR_NOMEM, "TLS: out of memory");
	}
	c->ctx = ctx;
	c->conf = conf;
	c->fd = fd;
	c->done = conf == NULL;
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	mbedtls_ssl_init(&c->ssl);
	if (conf) {
		if ((e = mbedtls_ssl_setup(&c->ssl, &conf->ssl))) {
			sw_tls_conn_free(c);
			return tls_fail(ctx, e, "TLS session");
		}
		mbedtls_ssl_set_bio(&c->ssl, c, bio_send, bio_recv, NULL);
	}
	*out = c;
	return SW_OK;
}

void sw_tls_conn_free(struct sw_tls_conn *c)
{
	if (!c)
		return;
	if (c->conf && c->done)
		mbedtls_ssl_close_notify(&c->ssl);
	mbedtls_ssl_free(&c->ssl);
	close(c->fd);
	free(c);
}

int sw_tls_conn_fd(const struct sw_tls_conn *c)
{
	return c->fd;
}

int sw_tls_conn_handshake(struct sw_tls_conn *c)
{
	int e;
	uint32_t flags;
	char why[200];

	if (c->done)
		return SW_OK;
	e = mbedtls_ssl_handshake(&c->ssl);
	if (e == MBEDTLS_ERR_SSL_WANT_READ || e == MBEDTLS_ERR_SSL_WANT_WRITE)
		return 1;
	if (!e) {
		c->done = true;
		return SW_OK;
	}
	flags = mbedtls_ssl_get_verify_result(&c->ssl);
	if (flags && flags != (uint32_t)-1) {
		mbedtls_x509_crt_verify_info(why, sizeof(why), "", flags);
		why[strcspn(why, "\n")] = 0;
		return sw_fail_quiet(c->ctx, SW_ERR_PROTO, "TLS handshake: certificate rejected: %s", why);
	}
	mbedtls_strerror(e, why, sizeof(why));
	/* The usual causes, said plainly next to mbedTLS's text. */
	return sw_fail_quiet(c->ctx, SW_ERR_PROTO, "TLS handshake: %s%s", why,
			     e == MBEDTLS_ERR_SSL_BAD_HS_FINISHED || e == MBEDTLS_ERR_SSL_INVALID_MAC
				     ? " (wrong pre-shared key?)"
			     : e == MBEDTLS_ERR_SSL_FATAL_ALERT_MESSAGE ? " (the peer rejected our key or certificate)"
			     : e == MBEDTLS_ERR_SSL_INVALID_RECORD || e == MBEDTLS_ERR_SSL_BAD_HS_CLIENT_HELLO
				     ? " (not a TLS client, or no common cipher suite)"
				     : "");
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int wait_fd(struct sw_tls_conn *c, short ev, int64_t deadline)
{
	struct pollfd p = {c->fd, ev, 0};
	int64_t left = deadline - now_ms();

	if (left <= 0)
		return sw_fail_quiet(c->ctx, SW_ERR_TIMEOUT, "connection timed out");
	if (poll(&p, 1, (int)left) < 0 && errno != EINTR)
		return sw_fail(c->ctx, SW_ERR_IO, "poll: %s", strerror(errno));
	return SW_OK;
}

int sw_tls_conn_handshake_wait(struct sw_tls_conn *c, int timeout_ms)
{
	int64_t deadline = now_ms() + timeout_ms;
	int r;

	while ((r = sw_tls_conn_handshake(c)) == 1)
		if ((r = wait_fd(c, POLLIN | POLLOUT, deadline)))
			return r;
	return r;
}

/* One read or write attempt: bytes moved, 0 = would block, <0 = error. */
static int io_once(struct sw_tls_conn *c, void *buf, size_t n, bool wr)
{
	ssize_t k;
	int e;

	if (!c->conf) {
		k = wr ? send(c->fd, buf, n, MSG_NOSIGNAL) : recv(c->fd, buf, n, 0);
		if (k > 0)
			return (int)k;
		if (k == 0)
			return sw_fail_quiet(c->ctx, SW_ERR_CLOSED, "peer closed the connection");
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			return 0;
		return sw_fail_quiet(c->ctx, SW_ERR_IO, "socket: %s", strerror(errno));
	}
	e = wr ? mbedtls_ssl_write(&c->ssl, buf, n) : mbedtls_ssl_read(&c->ssl, buf, n);
	if (e > 0)
		return e;
	if (e == MBEDTLS_ERR_SSL_WANT_READ || e == MBEDTLS_ERR_SSL_WANT_WRITE)
		return 0;
	if (e == 0 || e == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY)
		return sw_fail_quiet(c->ctx, SW_ERR_CLOSED, "peer closed the connection");
	char why[160];
	mbedtls_strerror(e, why, sizeof(why));
	return sw_fail_quiet(c->ctx, SW_ERR_IO, "TLS: %s", why);
}

static int xfer(struct sw_tls_conn *c, void *buf, size_t n, int timeout_ms, bool wr)
{
	uint8_t *p = buf;
	size_t done = 0;
	int64_t deadline = now_ms() + timeout_ms;

	if (n > INT32_MAX)
		return sw_fail(c->ctx, SW_ERR_ARG, "I/O too large");
	while (done < n) {
		int k = io_once(c, p + done, n - done, wr);
		if (k < 0)
			return k;
		if (k > 0) {
			/* The deadline covers the whole buffer, not each byte: a
			 * trickling peer cannot stretch it (issue #15). */
			done += (size_t)k;
			continue;
		}
		if ((k = wait_fd(c, wr ? POLLOUT : POLLIN, deadline)))
			return k;
	}
	return SW_OK;
}

ssize_t sw_tls_conn_recv(struct sw_tls_conn *c, void *buf, size_t n)
{
	return n > INT32_MAX ? sw_fail(c->ctx, SW_ERR_ARG, "I/O too large") : io_once(c, buf, n, false);
}

ssize_t sw_tls_conn_send(void *conn, const void *buf, size_t n)
{
	struct sw_tls_conn *c = conn;
	union {
		const void *c;
		void *m;
	} u = {buf};

	return n > INT32_MAX ? sw_fail(c->ctx, SW_ERR_ARG, "I/O too large") : io_once(c, u.m, n, true);
}

int sw_tls_conn_read(struct sw_tls_conn *c, void *buf, size_t n, int timeout_ms)
{
	return xfer(c, buf, n, timeout_ms, false);
}

int sw_tls_conn_write(struct sw_tls_conn *c, const void *buf, size_t n, int timeout_ms)
{
	/* Writes never modify buf; one helper serves both directions. */
	union {
		const void *c;
		void *m;
	} u = {buf};

	return xfer(c, u.m, n, timeout_ms, true);
}

void sw_tls_conn_shutdown(struct sw_tls_conn *c)
{
	if (c->conf && c->done)
		mbedtls_ssl_close_notify(&c->ssl);
	c->done = false; /* no second close_notify from sw_tls_conn_free */
	shutdown(c->fd, SHUT_WR);
}

bool sw_tls_conn_pending(const struct sw_tls_conn *c)
{
	return c->conf && mbedtls_ssl_get_bytes_avail(&c->ssl) > 0;
}
