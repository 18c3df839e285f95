/* The single-threaded poll() loop: one TCP listener per core session, one
 * gdb client per listener, and a tick that lets simulated time pass. */
#ifndef SW_SERVER_H
#define SW_SERVER_H

#include <poll.h>
#include <stdbool.h>
#include <signal.h>
#include <stdint.h>

#include "server/net/ratelog.h"
#include "server/session.h"

#define SW_SERVER_MAX_PORTS 4
#define SW_SERVER_MAX_SVCS 6 /* RTT per core, SWO, late cores, the RTT telnet port */
#define SW_SERVER_SVC_FDS 64 /* pollfds for all services together */
#define SW_SERVER_MAX_LISTEN 4 /* --listen addresses per core session */

struct rsp_client;

struct sw_server_port {
	struct sw_session *session;
	int listen_fd;
	unsigned port;
	struct rsp_client *client;   /* the controlling gdb */
	struct rsp_client *observer; /* a passive second gdb (liveWatch), rsp_observer.c */
	struct rsp_client *refused;  /* a further gdb being told why it is refused */
	/* Further listeners (other --listen addresses) for the same session;
	 * they share the one-client slot above. */
	int more_fds[SW_SERVER_MAX_LISTEN - 1];
	unsigned n_more;
};

/* A further service of the loop (RTT): fds() adds its pollfds (at most
 * max) and may lower *wake_ns, the time in ns until it needs to run;
 * run() gets its pollfds back after the gdb clients were served, so it
 * never runs in the middle of a gdb packet. */
struct sw_server_svc {
	unsigned (*fds)(void *user, struct pollfd *pfd, unsigned max, uint64_t *wake_ns);
	void (*run)(void *user, const struct pollfd *pfd, unsigned n);
	void *user;
};

struct sw_server {
	struct sw_ctx *ctx;
	struct sw_server_port ports[SW_SERVER_MAX_PORTS];
	unsigned n;
	/* Called every loop with the wall time elapsed (the simulator advances). */
	void (*tick)(void *user, uint64_t ns);
	void *tick_user;
	const struct sw_server_svc *svcs[SW_SERVER_MAX_SVCS];
	unsigned n_svcs;
	bool singlerun;   /* J-Link's -singlerun: return once the last gdb has left */
	bool had_client;
	struct sw_ratelog refused_log; /* "refused a second gdb" lines */
	uint64_t reconnect_ns;         /* last automatic reconnect attempt of a lost probe */
};

void sw_server_init(struct sw_server *srv, struct sw_ctx *ctx);
/* Listen on addr:port (port 0 = ephemeral); *bound receives the port.
 * addr is IPv4 or IPv6 text ("::1", no brackets). Calling it again for the
 * same session adds a listener that shares the session's one-gdb slot. */
int sw_server_listen(struct sw_server *srv, struct sw_session *s, const char *addr, unsigned port,
		     unsigned *bound);
/* Serve until *stop becomes non-zero. */
int sw_server_run(struct sw_server *srv, volatile sig_atomic_t *stop);
void sw_server_close(struct sw_server *srv);
int sw_server_add_svc(struct sw_server *srv, const struct sw_server_svc *svc);
/* SIGINT/SIGTERM call on_signal without SA_RESTART, so a blocking call
 * returns EINTR and the loop sees the stop flag; SIGPIPE is ignored. */
void sw_server_catch_signals(void (*on_signal)(int));

#endif
