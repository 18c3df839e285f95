/* Address parsing and the "how to connect" text for non-loopback listeners. */
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/net/addr.h"

/* Split "ADDR[:PORT]" / "[V6]:PORT" / "V6" into host and port text. */
static int split(struct sw_ctx *ctx, const char *text, char *host, size_t cap, const char **port)
{
	const char *colon = strrchr(text, ':');
	size_t n;

	*port = NULL;
	if (text[0] == '[') {
		const char *end = strchr(text, ']');
		if (!end || (end[1] && end[1] != ':'))
			return sw_fail(ctx, SW_ERR_ARG, "'%s': expected [IPV6] or [IPV6]:PORT", text);
		n = (size_t)(end - text - 1);
		if (n >= cap)
			return sw_fail(ctx, SW_ERR_ARG, "'%s': address too long", text);
		memcpy(host, text + 1, n);
		host[n] = 0;
		*port = end[1] ? end + 2 : NULL;
		return SW_OK;
	}
	/* More than one colon without brackets: a bare IPv6 address, no port. */
	if (colon && strchr(text, ':') != colon)
		colon = NULL;
	n = colon ? (size_t)(colon - text) : strlen(text);
	if (n >= cap || n == 0)
		return sw_fail(ctx, SW_ERR_ARG, "'%s': bad address", text);
	memcpy(host, text, n);
	host[n] = 0;
	*port = colon ? colon + 1 : NULL;
	return SW_OK;
}

static int parse_port(struct sw_ctx *ctx, const char *text, const char *p, unsigned *port)
{
	char *end;
	long v = strtol(p, &end, 10);

	if (!*p || *end || v < 0 || v > 65535)
		return sw_fail(ctx, SW_ERR_ARG, "'%s': '%s' is not a port number", text, p);
	*port = (unsigned)v;
	return SW_OK;
}

static int fill(struct sw_ctx *ctx, const char *text, const char *host, unsigned port, bool resolve,
		struct sw_net_addr *out)
{
	struct addrinfo hints = {0}, *res = NULL;
	char pstr[8];
	int e;

	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = resolve ? 0 : AI_NUMERICHOST;
	snprintf(pstr, sizeof(pstr), "%u", port);
	e = getaddrinfo(host, pstr, &hints, &res);
	if (e || !res) {
		return sw_fail(ctx, SW_ERR_ARG, "'%s': %s", text,
			       resolve ? gai_strerror(e) : "not an IPv4 or IPv6 address");
	}
	memcpy(&out->ss, res->ai_addr, res->ai_addrlen);
	out->len = res->ai_addrlen;
	freeaddrinfo(res);
	return SW_OK;
}

static int parse_common(struct sw_ctx *ctx, const char *text, unsigned default_port, bool resolve,
			struct sw_net_addr *out)
{
	const char *p;
	unsigned port = default_port;
	int r;

	memset(out, 0, sizeof(*out));
	if ((r = split(ctx, text, out->host, sizeof(out->host), &p)))
		return r;
	if (p && (r = parse_port(ctx, text, p, &port)))
		return r;
	out->has_port = p != NULL;
	return fill(ctx, text, out->host, port, resolve, out);
}

int sw_net_addr_parse(struct sw_ctx *ctx, const char *text, unsigned default_port, struct sw_net_addr *out)
{
	return parse_common(ctx, text, default_port, false, out);
}

int sw_net_addr_resolve(struct sw_ctx *ctx, const char *text, unsigned default_port, struct sw_net_addr *out)
{
	return parse_common(ctx, text, default_port, true, out);
}

unsigned sw_net_addr_port(const struct sw_net_addr *a)
{
	if (a->ss.ss_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)&a->ss)->sin6_port);
	return ntohs(((const struct sockaddr_in *)&a->ss)->sin_port);
}

void sw_net_addr_set_port(struct sw_net_addr *a, unsigned port)
{
	if (a->ss.ss_family == AF_INET6)
		((struct sockaddr_in6 *)&a->ss)->sin6_port = htons((uint16_t)port);
	else
		((struct sockaddr_in *)&a->ss)->sin_port = htons((uint16_t)port);
}

bool sw_net_addr_is_loopback(const struct sw_net_addr *a)
{
	if (a->ss.ss_family == AF_INET6) {
		const struct in6_addr *x = &((const struct sockaddr_in6 *)&a->ss)->sin6_addr;
		if (IN6_IS_ADDR_V4MAPPED(x))
			return x->s6_addr[12] == 127;
		return IN6_IS_ADDR_LOOPBACK(x);
	}
	/* 127.0.0.0/8 is loopback (RFC 1122 3.2.1.3). */
	return (ntohl(((const struct sockaddr_in *)&a->ss)->sin_addr.s_addr) >> 24) == 127;
}

bool sw_net_addr_is_any(const struct sw_net_addr *a)
{
	if (a->ss.ss_family == AF_INET6)
		return IN6_IS_ADDR_UNSPECIFIED(&((const struct sockaddr_in6 *)&a->ss)->sin6_addr);
	return ((const struct sockaddr_in *)&a->ss)->sin_addr.s_addr == htonl(INADDR_ANY);
}

void sw_net_sockaddr_text(const struct sockaddr *sa, char *buf, size_t cap)
{
	char ip[INET6_ADDRSTRLEN] = "?";

	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;
		inet_ntop(AF_INET6, &s6->sin6_addr, ip, sizeof(ip));
		snprintf(buf, cap, "[%s]:%u", ip, ntohs(s6->sin6_port));
	} else {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)sa;
		inet_ntop(AF_INET, &s4->sin_addr, ip, sizeof(ip));
		snprintf(buf, cap, "%s:%u", ip, ntohs(s4->sin_port));
	}
}

void sw_net_addr_text(const struct sw_net_addr *a, char *buf, size_t cap)
{
	sw_net_sockaddr_text((const struct sockaddr *)&a->ss, buf, cap);
}

struct out {
	char *buf;
	size_t cap, n;
};

SW_PRINTF(2, 3) static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int k;

	if (o->n + 1 >= o->cap)
		return;
	va_start(ap, fmt);
	k = vsnprintf(o->buf + o->n, o->cap - o->n, fmt, ap);
	va_end(ap);
	if (k > 0)
		o->n = o->n + (size_t)k >= o->cap ? o->cap - 1 : o->n + (size_t)k;
}

/* For a wildcard listener: every interface address of the same family
 * (our IPv6 listeners set IPV6_V6ONLY, so "::" does not take IPv4). */
static void list_interfaces(struct out *o, const struct sw_net_addr *a, unsigned port, char *first, size_t cap)
{
	struct ifaddrs *ifs = NULL;
	bool v6 = a->ss.ss_family == AF_INET6;

	if (getifaddrs(&ifs))
		return;
	for (const struct ifaddrs *i = ifs; i; i = i->ifa_next) {
		char t[SW_ADDR_TEXT];
		struct sockaddr_storage ss;
		if (!i->ifa_addr || (i->ifa_addr->sa_family != AF_INET && i->ifa_addr->sa_family != AF_INET6))
			continue;
		if ((i->ifa_addr->sa_family == AF_INET6) != v6)
			continue;
		memcpy(&ss, i->ifa_addr, i->ifa_addr->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6)
									   : sizeof(struct sockaddr_in));
		if (ss.ss_family == AF_INET6) {
			struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
			if (IN6_IS_ADDR_LINKLOCAL(&s6->sin6_addr))
				continue; /* needs a %scope; rarely what a user wants */
			s6->sin6_port = htons((uint16_t)port);
		} else {
			((struct sockaddr_in *)&ss)->sin_port = htons((uint16_t)port);
		}
		sw_net_sockaddr_text((const struct sockaddr *)&ss, t, sizeof(t));
		put(o, "    %-28s (%s)\n", t, i->ifa_name);
		if (!first[0] && !(i->ifa_flags & IFF_LOOPBACK))
			snprintf(first, cap, "%s", t);
	}
	freeifaddrs(ifs);
}

size_t sw_net_listen_hints(const struct sw_net_addr *a, const char *what, char *buf, size_t cap)
{
	struct out o = {buf, cap, 0};
	char self[SW_ADDR_TEXT], first[SW_ADDR_TEXT] = "";
	unsigned port = sw_net_addr_port(a);

	if (cap)
		buf[0] = 0;
	sw_net_addr_text(a, self, sizeof(self));
	put(&o, "  %s listens on %s beyond loopback; clients can use:\n", what, self);
	if (sw_net_addr_is_any(a))
		list_interfaces(&o, a, port, first, sizeof(first));
	else
		put(&o, "    %s\n", self), snprintf(first, sizeof(first), "%s", self);
	if (!first[0])
		snprintf(first, sizeof(first), "%s", self);
	/* There is no Windows build: the Windows side is a gdb or VS Code
	 * reaching this server in WSL2 through its localhost forwarding. */
	put(&o, "  from Windows, when this runs in WSL2: localhost:%u (WSL forwards listening ports to\n"
		"    Windows; docs/wsl.md)\n",
	    port);
	put(&o, "  Cortex-Debug launch.json configuration (docs/cortex-debug.md):\n"
		"    {\n"
		"      \"name\": \"swdbridge %s\",\n"
		"      \"type\": \"cortex-debug\",\n"
		"      \"request\": \"launch\",\n"
		"      \"servertype\": \"external\",\n"
		"      \"gdbTarget\": \"%s\",\n"
		"      \"gdbPath\": \"gdb-multiarch\",\n"
		"      \"executable\": \"${workspaceFolder}/build/firmware.elf\",\n"
		"      \"cwd\": \"${workspaceFolder}\"\n"
		"    }\n",
	    what, first);
	return o.n;
}
