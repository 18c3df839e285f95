/* Internals shared by probe_server.c (loop, handshakes) and
 * probe_server_ops.c (request handlers). */
#ifndef SW_REMOTE_PROBE_SERVER_PRIV_H
#define SW_REMOTE_PROBE_SERVER_PRIV_H

#include <stdbool.h>
#include <stdint.h>

#include "server/net/addr.h"
#include "server/net/outq.h"
#include "server/net/ratelog.h"
#include "server/remote/proto.h"
#include "server/remote/probe_server.h"

/* Deadlines (docs/remote-protocol.md "Deadlines"; issue #15): none is
 * reset by progress, so a trickling peer cannot stretch one. */
#define FIRST_BYTE_MS 2000   /* accept -> first byte of the ClientHello */
#define HANDSHAKE_MS 10000   /* accept -> handshake complete */
#define HELLO_MS 3000        /* handshake complete -> whole HELLO request */
#define MSG_MS 10000         /* a request's first byte -> its last */
#define REPLY_MS 10000       /* a reply the client takes none of for this long: dropped */
#define IDLE_MS 1800000      /* an active client silent for 30 min is dropped */
#define PER_ADDR_PENDING 4   /* handshakes in progress from one source address */

struct peer {
	struct sw_tls_conn *conn;
	char addr[SW_ADDR_TEXT];
	int64_t accepted_ms, deadline_ms;
	bool got_byte; /* the handshake has seen input (FIRST_BYTE_MS met) */
	bool fresh;    /* accepted in this loop: the poll results are not its own */
	bool closing;  /* told "busy"; draining until the peer closes */
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
	size_t rx_have;          /* bytes of the request being received */
	struct sw_rp_hdr rx_hdr; /* its header, once rx_have >= SW_RP_HDR */
	int64_t msg_deadline_ms, hello_deadline_ms, last_ms;
	struct sw_outq out;      /* the active client's reply (never a blocking send) */
	struct sw_swd_req *reqs;
	struct sw_ratelog rejects; /* failed-handshake log lines */
	struct sw_ctx peer_ctx; /* errors caused by peers; never the server's own */
};

/* Take what the active client sent without waiting; answer each request
 * that is complete (drops the client on error). */
void sw_ps_serve_one(struct sw_probe_server *ps);
/* Drop the active client if one of its deadlines has passed. */
void sw_ps_check_deadlines(struct sw_probe_server *ps, int64_t now_ms);
int64_t sw_ps_now_ms(void);
void sw_ps_drop_active(struct sw_probe_server *ps, const char *why);

#endif
