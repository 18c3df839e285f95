/* Internals shared by probe_server.c (loop, handshakes) and
 * probe_server_ops.c (request handlers). */
#ifndef SW_REMOTE_PROBE_SERVER_PRIV_H
#define SW_REMOTE_PROBE_SERVER_PRIV_H

#include <stdbool.h>
#include <stdint.h>

#include "server/net/addr.h"
#include "server/remote/probe_server.h"

#define HANDSHAKE_MS 10000
#define MSG_MS 10000 /* a started message must complete within this */

struct peer {
	struct sw_tls_conn *conn;
	char addr[SW_ADDR_TEXT];
	int64_t deadline_ms;
	bool closing; /* told "busy"; draining until the peer closes */
};

struct sw_probe_server {
	struct sw_ctx *ctx;
	struct sw_probe_server_cfg cfg;
	int lfd[SW_PROBE_SERVER_MAX_LISTEN];
	unsigned n_listen;
	struct peer pending[SW_PROBE_SERVER_MAX_PENDING];
	struct peer active;
	bool hello_done;
	char since[40];
	uint8_t *rx, *tx;
	struct sw_swd_req *reqs;
	int64_t log_window_ms;
	unsigned log_count, log_suppressed;
	struct sw_ctx peer_ctx; /* errors caused by peers; never the server's own */
};

/* Read and answer one request from the active client (drops it on error). */
void sw_ps_serve_one(struct sw_probe_server *ps);
void sw_ps_drop_active(struct sw_probe_server *ps, const char *why);

#endif
