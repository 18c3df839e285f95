/* One gdb connection: framing state, acks, and the command dispatch that
 * turns packets into session/core calls. */
#ifndef SW_RSP_CLIENT_H
#define SW_RSP_CLIENT_H

#include <stdbool.h>
#include <stddef.h>

#include "server/gdb/rsp_packet.h"
#include "server/session.h"

struct rsp_client;

int rsp_client_new(struct sw_session *s, int fd, struct rsp_client **out);
void rsp_client_free(struct rsp_client *c);
int rsp_client_fd(const struct rsp_client *c);
/* Make a connection passive (liveWatch's second gdb, ARCHITECTURE.md §7):
 * it reads and writes memory, never halts, resumes or gets stop replies. */
void rsp_client_set_observer(struct rsp_client *c);
/* A connection that is only told why it cannot be served: every packet
 * is answered with E.<why> until gdb gives up and closes (closing at once
 * would reset the socket before gdb read the reason). */
void rsp_client_set_refused(struct rsp_client *c, const char *why);
/* Read (when nothing read is left) and handle input; returns false when
 * the connection should close. */
bool rsp_client_readable(struct rsp_client *c);
/* Poll for input only when this is true; has_input: bytes already read
 * wait for rsp_client_readable (output drained far enough). */
bool rsp_client_wants_input(const struct rsp_client *c);
bool rsp_client_has_input(const struct rsp_client *c);
/* Output waits for the socket: poll for POLLOUT, then call writable. */
bool rsp_client_output_pending(const struct rsp_client *c);
bool rsp_client_writable(struct rsp_client *c);
/* Why the connection must be dropped for its output (the socket failed,
 * or the peer took nothing for the deadline), or NULL. */
const char *rsp_client_stalled(const struct rsp_client *c);
/* While gdb waits for a stop reply: poll the core, reply when it halts.
 * Returns false when the connection should close. */
bool rsp_client_tick(struct rsp_client *c);
/* True while gdb waits for the target to stop. */
bool rsp_client_waiting(const struct rsp_client *c);
/* Milliseconds until rsp_client_tick wants to poll the core; -1: no poll pending. */
int rsp_client_poll_wait_ms(const struct rsp_client *c);

/* monitor.c: run one monitor command; output goes to sw_session_say().
 * Returns 0, or nonzero when the command failed (its output says why):
 * qRcmd then answers the output, then an error reply, so gdb scripts and
 * swdflash fail. Every handler below follows this. */
int rsp_monitor(struct sw_session *s, const char *cmd, bool *target_changed);
/* monitor flash ... (monitor_flash.c) */
int rsp_monitor_flash(struct sw_session *s, const char *arg, bool *target_changed);
/* monitor rtt ... (monitor_rtt.c) */
int rsp_monitor_rtt(struct sw_session *s, const char *arg);
/* J-Link GDB Server's vocabulary (monitor_jlink.c): returns 0, -1 (failed,
 * the console says why) or 1 (not a J-Link command: try ours). */
int rsp_monitor_jlink(struct sw_session *s, const char *cmd, const char *arg, bool *target_changed);
/* monitor swo ... and J-Link's "SWO EnableTarget" (monitor_swo.c) */
int rsp_monitor_swo(struct sw_session *s, const char *cmd, const char *arg);

#endif
