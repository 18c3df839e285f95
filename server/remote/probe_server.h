/* `swdbridge probe-server`: exports one probe to one remote client at a
 * time over TLS (PSK or mutual certificates), or plain TCP on loopback.
 * Single-threaded poll() loop: handshakes advance without blocking the
 * client being served; nothing a peer sends is parsed before its handshake
 * has completed; failed handshakes are logged with the peer address, at
 * most a few lines per window. */
#ifndef SW_REMOTE_PROBE_SERVER_H
#define SW_REMOTE_PROBE_SERVER_H

#include <signal.h>
#include <stdint.h>

#include "probes/probe.h"
#include "server/net/tls.h"

#define SW_PROBE_SERVER_MAX_LISTEN 4
#define SW_PROBE_SERVER_MAX_PENDING 8

struct sw_probe_server_cfg {
	struct sw_probe *probe;
	struct sw_tls_conf *tls; /* NULL: plain TCP (loopback listeners only) */
	/* Optional, for a simulated chip: let virtual time pass while the probe
	 * is idle, and read the virtual clock for STATS. */
	void (*idle)(void *user, uint64_t ns);
	uint64_t (*virtual_ns)(void *user);
	void *user;
	uint64_t lan_model_ns; /* charged through idle() per request: a modelled LAN round trip */
};

struct sw_probe_server;

int sw_probe_server_new(struct sw_ctx *ctx, const struct sw_probe_server_cfg *cfg, struct sw_probe_server **out);
/* addr "HOST:PORT" or "[V6]:PORT"; refuses a non-loopback address without TLS.
 * text receives the bound address ("10.0.0.2:2340"). */
int sw_probe_server_listen(struct sw_probe_server *ps, const char *addr, char *text, size_t cap);
int sw_probe_server_run(struct sw_probe_server *ps, volatile sig_atomic_t *stop);
void sw_probe_server_free(struct sw_probe_server *ps);

/* The `swdbridge probe-server ...` command line (argv[0] = "probe-server"). */
int sw_probe_server_main(int argc, char **argv, volatile sig_atomic_t *stop, void (*on_signal)(int));

#endif
