/* The passive gdb connection (ARCHITECTURE.md §7, "Several gdb connections
 * per core"): Cortex-Debug's liveWatch starts a second gdb with
 * `set remote interrupt-on-connect off` that only reads memory while the
 * first gdb's `continue` is pending (reference/cortex-debug-jlink.md §3).
 * It gets memory access between the controller's polls; everything that
 * would halt, resume, step or change breakpoints belongs to the
 * controlling gdb and is refused with a reason. */
#include <string.h>

#include "server/gdb/rsp_client_priv.h"
#include "server/gdb/rsp_xml.h"

void rsp_client_set_observer(struct rsp_client *c)
{
	c->observer = true;
}

/* Registers cannot be read while the core runs (DCRSR needs Debug state,
 * ARMv7-M C1.6.3): report them unavailable ('x', gdb manual "Packets", g). */
static void regs_unavailable(struct rsp_client *c, size_t bytes)
{
	if (bytes * 2 >= sizeof(c->reply))
		bytes = sizeof(c->reply) / 2 - 1;
	memset(c->reply, 'x', bytes * 2);
	rsp_send_bin(c, c->reply, bytes * 2);
}

static size_t g_bytes(struct rsp_client *c)
{
	unsigned regs[SW_REG_COUNT];
	size_t n = rsp_core_regs(sw_core_get_info(c->s->core), regs, SW_REG_COUNT), bytes = 0;

	for (size_t i = 0; i < n; i++)
		bytes += sw_reg_table()[regs[i]].bits / 8;
	return bytes;
}

static bool halted(struct rsp_client *c)
{
	struct sw_core_state st;

	return !sw_core_poll(c->s->core, &st) && st.halted;
}

bool rsp_observer_dispatch(struct rsp_client *c, const char *s)
{
	switch (s[0]) {
	case '?':
		/* The state as it is: never halt for this connection. A running
		 * core is reported as stopped with signal 0, the least gdb accepts
		 * in all-stop mode; its registers then read as unavailable. */
		rsp_send_str(c, halted(c) ? "T05thread:1;" : "T00thread:1;");
		return true;
	case 'g':
		if (halted(c))
			return false;
		regs_unavailable(c, g_bytes(c));
		return true;
	case 'p':
		if (halted(c))
			return false;
		regs_unavailable(c, 4);
		return true;
	case 'D':
	case 'k':
		/* Leaving touches nothing: no resume, no halt (reference §3). */
		if (s[0] == 'D')
			rsp_send_str(c, "OK");
		c->closing = true;
		return true;
	case 'c': case 's': case 'C': case 'S': case 'G': case 'P': case 'Z': case 'z':
		rsp_send_str(c, "E.this gdb connection is passive (a second gdb, e.g. live watch): only the first gdb may run, stop, step, set breakpoints or write registers");
		return true;
	default:
		break;
	}
	if (!strncmp(s, "vCont;", 6) || !strcmp(s, "vCtrlC") || !strncmp(s, "vFlash", 6) || !strncmp(s, "qRcmd,", 6) ||
	    !strncmp(s, "vKill", 5)) {
		rsp_send_str(c, "E.this gdb connection is passive (a second gdb, e.g. live watch): run control, flash and monitor commands belong to the first gdb");
		return true;
	}
	return false;
}
