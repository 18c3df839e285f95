/* Fault stops explained: what faulted and where, on the server log and
 * gdb's console (issue #14 item 8). The decoding is cortexm/fault.c's. */
#include <stdio.h>

#include "server/gdb/rsp_client_priv.h"

/* A fault stop (vector catch on a fault, or lockup): one line on the server
 * log and on gdb's console saying what faulted and where; the signal gdb
 * shows: SIGSEGV for HardFault/MemManage/lockup, SIGBUS for BusFault,
 * SIGILL for UsageFault (gdb's numbering), as pyOCD reports them. */
int rsp_report_fault(struct rsp_client *c, const struct sw_core_state *st)
{
	struct sw_fault_info f;
	char why[400];

	if (st->reason == SW_HALT_VCATCH && (st->ipsr < 3 || st->ipsr > 7)) {
		sw_session_say(c->s, "swdbridge: halted by vector catch (IPSR %u)", st->ipsr);
		return 5;
	}
	if (sw_core_fault_info(c->s->core, st, &f)) {
		SW_LOG_W(c->s->ctx, "%s", sw_errmsg(c->s->ctx));
		snprintf(why, sizeof(why), "%s (fault status unreadable)",
			 st->reason == SW_HALT_LOCKUP ? "core locked up" : "fault");
	} else {
		sw_fault_decode(&f, why, sizeof(why));
	}
	SW_LOG_W(c->s->ctx, "core %s: %s", c->s->core_name ? c->s->core_name : "", why);
	if (st->reason == SW_HALT_VCATCH)
		sw_session_say(c->s, "swdbridge: halted by vector catch: %s", why);
	else
		sw_session_say(c->s, "swdbridge: %s", why);
	return st->reason == SW_HALT_LOCKUP ? 11 : st->ipsr == 5 ? 10 : st->ipsr == 6 ? 4 : 11;
}
