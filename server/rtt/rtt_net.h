/* RTT over TCP: one port per channel (base + channel number, base 19021 as
 * J-Link's RTT telnet port), raw bytes both ways: up channel N goes to every
 * client of port N, what a client sends goes to down channel N. Ports open
 * as channels are discovered. Runs inside the server's poll loop, between
 * gdb packets, through the session's core (the same MEM-AP handle). */
#ifndef SW_RTT_NET_H
#define SW_RTT_NET_H

#include <poll.h>
#include <stdbool.h>
#include <stdint.h>

#include "server/net/server.h"
#include "server/rtt/rtt.h"
#include "server/session.h"

#define SW_RTT_DEFAULT_PORT 19021u
#define SW_RTT_CLIENTS 4 /* per channel */

struct sw_rtt_net_cfg {
	const char *listen;     /* ADDR[:PORT] as for --listen (IPv4/IPv6); the port part is ignored */
	unsigned base_port;     /* channel N on base_port + N */
	const char *log_path;   /* up channel 0 is appended here too (NULL: no log) */
	uint64_t (*clock_ns)(void *user); /* NULL: CLOCK_MONOTONIC */
	void *clock_user;
};

struct sw_rtt_net;

/* Create the RTT service of a session (not started): RAM ranges from the
 * target description, the ELF symbol _SEGGER_RTT when the session has an
 * ELF. Sets s->rtt. Register it with sw_server_add_svc(srv, sw_rtt_net_svc()). */
int sw_rtt_net_new(struct sw_session *s, const struct sw_rtt_net_cfg *cfg, struct sw_rtt_net **out);
void sw_rtt_net_free(struct sw_rtt_net *n);
const struct sw_server_svc *sw_rtt_net_svc(struct sw_rtt_net *n);
struct sw_rtt *sw_rtt_net_engine(struct sw_rtt_net *n);
/* Port of channel ch (0 if not listening yet). */
unsigned sw_rtt_net_port(const struct sw_rtt_net *n, unsigned ch);
/* J-Link argument mode: no per-channel ports (its one RTT telnet port,
 * rtt_telnet.h, hands its clients over with sw_rtt_net_adopt). */
void sw_rtt_net_channel_ports(struct sw_rtt_net *n, bool on);
/* Serve an accepted socket as a client of channel ch; data = bytes it sent
 * already (for the down channel). Closes fd when there is no room. */
int sw_rtt_net_adopt(struct sw_rtt_net *n, unsigned ch, int fd, const uint8_t *data, size_t len);
/* The poll loop's two halves (also used by tests without a server). */
unsigned sw_rtt_net_fds(void *user, struct pollfd *pfd, unsigned max, uint64_t *wake_ns);
void sw_rtt_net_run(void *user, const struct pollfd *pfd, unsigned n);

#endif
