/* Listen/connect addresses: "ADDR[:PORT]" parsing for IPv4 and IPv6
 * ("127.0.0.1:2331", "[::1]:2331", "::", "0.0.0.0"), loopback tests, and
 * the text printed when a server listens beyond loopback: every address a
 * client can use, the WSL2 hint and a Cortex-Debug "external" snippet. */
#ifndef SW_NET_ADDR_H
#define SW_NET_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#include "sw/ctx.h"

#define SW_ADDR_TEXT 64 /* "[ipv6%scope]:65535" fits */

struct sw_net_addr {
	struct sockaddr_storage ss;
	socklen_t len;
	bool has_port; /* the text carried ":PORT" */
	char host[48]; /* numeric host, without brackets */
};

/* Parse "ADDR[:PORT]"; an IPv6 address with a port needs brackets. The
 * port (if absent: default_port) is stored in the sockaddr. */
int sw_net_addr_parse(struct sw_ctx *ctx, const char *text, unsigned default_port, struct sw_net_addr *out);
/* Like parse, but HOST may also be a name (resolved with getaddrinfo). */
int sw_net_addr_resolve(struct sw_ctx *ctx, const char *text, unsigned default_port, struct sw_net_addr *out);
unsigned sw_net_addr_port(const struct sw_net_addr *a);
void sw_net_addr_set_port(struct sw_net_addr *a, unsigned port);
bool sw_net_addr_is_loopback(const struct sw_net_addr *a);
bool sw_net_addr_is_any(const struct sw_net_addr *a);
/* "1.2.3.4:2331" or "[::1]:2331" */
void sw_net_sockaddr_text(const struct sockaddr *sa, char *buf, size_t cap);
void sw_net_addr_text(const struct sw_net_addr *a, char *buf, size_t cap);

/* The user-facing text for a non-loopback listener on `a` (port included):
 * client addresses (all interfaces for a wildcard address), the WSL2
 * localhost-forwarding hint for a debugger on Windows, and a launch.json snippet. Returns the length written
 * (truncated to cap-1). */
size_t sw_net_listen_hints(const struct sw_net_addr *a, const char *what, char *buf, size_t cap);

#endif
