/* A private swdbridge for one swdflash run: started on an ephemeral
 * loopback port (--port 0, the port read from its start-up line), stopped
 * with SIGTERM afterwards. */
#ifndef SW_CLIENT_SPAWN_H
#define SW_CLIENT_SPAWN_H

#include <stdbool.h>
#include <sys/types.h>

#include "sw/ctx.h"

struct sw_spawn {
	pid_t pid;
	int out_fd;    /* its stdout+stderr, read until the port line */
	unsigned port; /* bound GDB port */
	/* Its "swdbridge: probe ..." start-up line (which probe it chose, and
	 * whether that is the simulator), "" if it printed none. */
	char probe_line[256];
	bool sim;
};

/* Run `exe` with argv (argv[0] first, NULL-terminated) plus nothing else;
 * the caller includes "--port 0". Errors: SW_ERR_IO (cannot start),
 * SW_ERR_CLOSED (it exited; the message quotes its last line),
 * SW_ERR_TIMEOUT (no port line in time). */
int sw_spawn_server(struct sw_ctx *ctx, const char *exe, char *const argv[], int timeout_ms, struct sw_spawn *sp);
/* SIGTERM, wait (SIGKILL after 5 s). Safe on a zeroed struct. */
void sw_spawn_stop(struct sw_spawn *sp);

#endif
