/* TLS 1.2+ over a TCP socket through mbedTLS, with a pre-shared key or
 * mutual X.509 certificates, or plain TCP when no credentials are given
 * (allowed on loopback only; the callers enforce that).
 *
 * Sockets are non-blocking: handshakes advance step by step inside a poll()
 * loop, and the whole-message helpers wait with a deadline. */
#ifndef SW_NET_TLS_H
#define SW_NET_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "sw/ctx.h"

struct sw_tls_creds {
	const char *psk_file; /* one line "IDENTITY:HEXKEY" (>= 16 key bytes) */
	const char *cert, *key, *ca; /* PEM: own certificate, its key, the peer's CA */
};

bool sw_tls_creds_given(const struct sw_tls_creds *c);
/* Refuse key files readable or writable by group/others, and non-files. */
int sw_tls_check_key_file(struct sw_ctx *ctx, const char *path);

struct sw_tls_conf;
struct sw_tls_conn;

/* Load credentials (checking key file permissions) and build a client or
 * server configuration. With no credentials *out is NULL (plain TCP). */
int sw_tls_conf_new(struct sw_ctx *ctx, const struct sw_tls_creds *c, bool server, struct sw_tls_conf **out);
void sw_tls_conf_free(struct sw_tls_conf *conf);
/* "TLS-PSK", "mutual TLS" or "plain TCP" */
const char *sw_tls_conf_kind(const struct sw_tls_conf *conf);

/* Wrap a connected socket (made non-blocking here); conf NULL = plain. The
 * connection owns fd from then on. */
int sw_tls_conn_new(struct sw_ctx *ctx, struct sw_tls_conf *conf, int fd, struct sw_tls_conn **out);
void sw_tls_conn_free(struct sw_tls_conn *c);
int sw_tls_conn_fd(const struct sw_tls_conn *c);
/* One handshake step: SW_OK when done, 1 while in progress (wait for the
 * fd to become readable/writable), or an error with a one-line reason. */
int sw_tls_conn_handshake(struct sw_tls_conn *c);
/* Run the handshake to completion within timeout_ms. */
int sw_tls_conn_handshake_wait(struct sw_tls_conn *c, int timeout_ms);
/* Whole-buffer I/O, failing when the whole buffer has not moved within
 * timeout_ms. A clean close by the peer gives SW_ERR_CLOSED. */
int sw_tls_conn_read(struct sw_tls_conn *c, void *buf, size_t n, int timeout_ms);
int sw_tls_conn_write(struct sw_tls_conn *c, const void *buf, size_t n, int timeout_ms);
/* One attempt that never waits: bytes moved, 0 if the socket (or TLS)
 * would block, or a negative error (SW_ERR_CLOSED for a clean close). After
 * 0 from send, call again with the same bytes (mbedTLS's rule). send takes
 * a void * so it can serve as a struct sw_outq's send function. */
ssize_t sw_tls_conn_recv(struct sw_tls_conn *c, void *buf, size_t n);
ssize_t sw_tls_conn_send(void *conn, const void *buf, size_t n);
/* Say goodbye (TLS close_notify) and half-close: the peer can still read
 * what was sent, and the caller drains input until it closes. */
void sw_tls_conn_shutdown(struct sw_tls_conn *c);
/* Decrypted bytes already buffered (poll() would not report them). */
bool sw_tls_conn_pending(const struct sw_tls_conn *c);

#endif
