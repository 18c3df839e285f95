/* SWO service of the server: sets the target up (swo_cfg.c), captures with
 * the probe's SWO functions, and serves two TCP ports: the raw stream (ITM
 * packets as the pin carried them; J-Link GDB Server's SWO port 2332, which
 * Cortex-Debug's swoConfig source "socket" decodes) and the decoded text of
 * ITM stimulus port 0 (next free port). Runs in the server's poll loop. */
#ifndef SW_SWO_NET_H
#define SW_SWO_NET_H

#include <stdint.h>

#include "server/net/server.h"
#include "targets/target.h"
#include "server/session.h"

#define SW_SWO_DEFAULT_PORT 2332u

struct sw_swo_net_cfg {
	const char *listen;     /* ADDR[:PORT] as for --listen; the port part is ignored */
	unsigned port;          /* raw stream; taken if free, else the next free one */
	const char *target;     /* target name, for the trace block layout */
	struct sw_target *const *t; /* the target (may be reopened by a probe reconnect) */
	uint64_t (*clock_ns)(void *user); /* NULL: CLOCK_MONOTONIC */
	void *clock_user;
};

struct sw_swo_status {
	bool running;
	uint32_t baud, clk, mask;
	unsigned raw_port, text_port;
	uint64_t bytes, text_bytes, packets, overflows;
};

struct sw_swo_net;

int sw_swo_net_new(struct sw_session *s, const struct sw_swo_net_cfg *cfg, struct sw_swo_net **out);
void sw_swo_net_free(struct sw_swo_net *n);
const struct sw_server_svc *sw_swo_net_svc(struct sw_swo_net *n);
/* Open the two ports now (J-Link argument mode: they must listen before
 * the readiness line); text_port 0 = the one after the raw port. */
int sw_swo_net_listen(struct sw_swo_net *n, unsigned text_port);
/* Configure the target, start capture, open the ports (once). */
int sw_swo_net_start(struct sw_swo_net *n, uint32_t baud, uint32_t clk, uint32_t mask);
int sw_swo_net_stop(struct sw_swo_net *n);
/* Program text for the text port too (J-Link's "terminal I/O" port carries
 * semihosting output beside the ITM text). */
void sw_swo_net_terminal(struct sw_swo_net *n, const char *text, size_t len);
void sw_swo_net_status(const struct sw_swo_net *n, struct sw_swo_status *st);

#endif
