/* Keep-alive for long monitor commands (qRcmd).
 *
 * gdb waits remotetimeout (2 s by default, Cortex-Debug leaves it) for each
 * packet; a qRcmd reply that comes later is taken as the answer to the
 * NEXT packet and everything after is off by one. gdb's qRcmd loop
 * (remote.c, remote_target::rcmd) prints every O packet with
 * remote_console_output and reads again with a fresh timeout, so an O
 * line at least once per second keeps it waiting for as long as the
 * command runs (gdb manual "General Query Packets", qRcmd: "the target
 * may also respond with a number of intermediate Ooutput console output
 * packets"). O packets are legal only there (and while the target
 * runs): the hook is installed for the qRcmd alone. */
#ifndef SW_RSP_KEEPALIVE_H
#define SW_RSP_KEEPALIVE_H

#include <stdint.h>

struct rsp_client;

struct rsp_keepalive {
	struct rsp_client *c;
	char cmd[64];        /* the monitor command, for the line */
	uint64_t wall0;      /* CLOCK_MONOTONIC at the start */
	uint64_t wall_last;  /* ... at the last line (or the start) */
	uint64_t virt0;      /* the session clock at the start (virtual with the simulator) */
	uint64_t virt_next;  /* next whole second of the session clock to report */
	unsigned lines;      /* keep-alive lines sent */
};

/* Text of one line: "monitor CMD: working (N s)\n". */
#define RSP_KEEPALIVE_FMT "monitor %s: working (%llu s)\n"

/* Install the probe's busy hook for the monitor command cmd: from now on
 * every probe exchange (and every step of monitor sleep) may send gdb
 * "monitor CMD: working (N s)" once a second has passed by the wall
 * clock since the last line, or the session's clock (virtual with the
 * simulator, so the lines there do not depend on the host's speed) has
 * passed another whole second. N is the seconds since the command began
 * by the clock that sent the line (with the simulator, a line from the
 * wall clock may repeat an N of the virtual one on a slow host). */
void rsp_keepalive_begin(struct rsp_keepalive *k, struct rsp_client *c, const char *cmd);
/* Remove the hook (from the session's probe now: monitor probe reconnect
 * may have replaced the probe it was installed on, which then is gone). */
void rsp_keepalive_end(struct rsp_keepalive *k);

#endif
