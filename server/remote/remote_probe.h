/* The "remote" probe driver: a struct sw_probe_ops whose every call is one
 * request/reply exchange with `swdbridge probe-server` over TLS (or plain
 * TCP on loopback). A whole swd_transfer() batch travels in one message, so
 * one LAN round trip carries one ADI queue run (docs/remote-protocol.md).
 *
 * It lives in server/remote/ rather than probes/ because it needs the TLS
 * layer (server/net/) and shares the wire format with the probe-server;
 * probes/ stays free of sockets and TLS. */
#ifndef SW_REMOTE_PROBE_H
#define SW_REMOTE_PROBE_H

#include "probes/probe.h"
#include "server/net/tls.h"

#define SW_REMOTE_DEFAULT_PORT 2340

/* hostport: "HOST[:PORT]" or "[V6]:PORT". Connects, authenticates and
 * exchanges HELLO; a busy probe fails with the server's message. */
int sw_remote_probe_open(struct sw_ctx *ctx, const char *hostport, const struct sw_tls_creds *creds,
			 struct sw_probe **out);

/* What the far side reports: its probe's counters, and the simulator's
 * virtual clock when it drives a sim (0 otherwise). */
struct sw_remote_stats {
	struct sw_probe_stats probe; /* the probe-server's probe */
	uint64_t virtual_ns;
	uint64_t lan_ns;             /* wall time of our round trips minus the server's probe time */
	uint64_t lan_round_trips;
};
int sw_remote_probe_stats(struct sw_probe *p, struct sw_remote_stats *st);

#endif
