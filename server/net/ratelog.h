/* Connection-event log lines (refused, rejected, dropped) at most `burst`
 * per window, then one line saying how many were not logged: a flood of
 * connections cannot fill the log (issue #15). */
#ifndef SW_NET_RATELOG_H
#define SW_NET_RATELOG_H

#include <stdbool.h>
#include <stdint.h>

#include "sw/ctx.h"

#define SW_LISTEN_BACKLOG 1024 /* a burst of connects waits in the kernel, not for a SYN retry */

struct sw_ratelog {
	uint64_t window_start_ns;
	unsigned count, suppressed;
};

/* True if this event may be logged now. When a new window opens after
 * suppressed events, `what` ("refused gdb connections") is logged first
 * as "N more WHAT were not logged". */
bool sw_ratelog_ok(struct sw_ratelog *r, struct sw_ctx *ctx, const char *what);

#endif
