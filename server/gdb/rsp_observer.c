/* The passive gdb connection (ARCHITECTURE.md §7, "Several gdb connections
 * per core"): Cortex-Debug's liveWatch starts a second gdb with
 * `set remote interrupt-on-connect off` that only reads memory while the
 * first gdb's `continue` is pending (reference/cortex-debug-jlink.md §3).
 * It gets memory access between the controller's polls; everything that
 * would halt, resume, step or change breakpoints belongs to the
 * controlling gdb and is refused with a reason. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/gdb/rsp_client_priv.h"
#include "server/gdb/rsp_xml.h"

void rsp_client_set_observer(struct rsp_client *c)
{
	c->observer = true;
}

/* DWT_PCSR (ARMv7-M ARM C1.8, "PC sampling"): the PC of the running code,
 * read without halting; 0xFFFFFFFF when none is available. */
#define DWT_PCSR 0xE000101Cu

static bool pc_sample(struct rsp_client *c, uint32_t *pc)
{
	return !sw_core_mem_read(c->s->core, DWT_PCSR, pc, 4) && *pc != 0xFFFFFFFFu;
}

static void put_le32(char *out, uint32_t v)
{
	static const char hex[] = "0123456789abcdef";

	for (unsigned i = 0; i < 4; i++) {
		out[2 * i] = hex[(v >> (8 * i + 4)) & 0xFu];
		out[2 * i + 1] = hex[(v >> (8 * i)) & 0xFu];
	}
}

/* Other registers cannot be read while the core runs (DCRSR needs Debug
 * state, ARMv7-M C1.6.3): they are reported unavailable ('x', gdb manual
 * "Packets", g); the PC is the DWT sample when there is one. */
static void regs_running(struct rsp_client *c, int only)
{
	unsigned regs[SW_REG_COUNT];
	size_t n = rsp_core_regs(sw_core_get_info(c->s->core), regs, SW_REG_COUNT), len = 0;
	uint32_t pc;
	bool have_pc = pc_sample(c, &pc);

	for (size_t i = 0; i < n; i++) {
		size_t bytes = sw_reg_table()[regs[i]].bits / 8;
		if (only >= 0 && regs[i] != (unsigned)only)
			continue;
		if (len + 2 * bytes >= sizeof(c->reply))
			break;
		if (regs[i] == SW_REG_PC && have_pc)
			put_le32(c->reply + len, pc);
		else
			memset(c->reply + len, 'x', 2 * bytes);
		len += 2 * bytes;
	}
	if (!len) {
		rsp_send_err(c, 1);
		return;
	}
	rsp_send_bin(c, c->reply, len);
}

/* DHCSR.S_HALT read as plain memory (ARMv7-M C1.6.2), not through
 * sw_core_poll: a poll takes a fresh halt's events (watchpoint hit, halt
 * reason) that belong to the controlling gdb's stop reply. */
#define DHCSR 0xE000EDF0u
#define DHCSR_S_HALT (1u << 17)

static bool halted(struct rsp_client *c)
{
	uint32_t v;

	return !sw_core_mem_read(c->s->core, DHCSR, &v, 4) && (v & DHCSR_S_HALT);
}

bool rsp_observer_dispatch(struct rsp_client *c, const char *s)
{
	switch (s[0]) {
	case '?':
		/* The state as it is: never halt for this connection. A running
		 * core is reported as stopped with signal 0, the least gdb accepts
		 * in all-stop mode; its registers then read as unavailable. */
		if (halted(c)) {
			rsp_send_str(c, "T05thread:1;");
		} else {
			uint32_t pc;
			char r[40] = "T00thread:1;";
			if (pc_sample(c, &pc)) {
				memcpy(r + 12, "0f:", 3);
				put_le32(r + 15, pc);
				r[23] = ';';
			}
			rsp_send_str(c, r);
		}
		return true;
	case 'g':
		if (halted(c))
			return false;
		regs_running(c, -1);
		return true;
	case 'p': {
		char *end;
		unsigned long regno = strtoul(s + 1, &end, 16);
		if (halted(c))
			return false;
		regs_running(c, *end || regno >= SW_REG_COUNT ? -2 : (int)regno);
		return true;
	}
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

void rsp_client_set_refused(struct rsp_client *c, const char *why)
{
	snprintf(c->refused, sizeof(c->refused), "E.%s", why);
}

void rsp_refused_dispatch(struct rsp_client *c)
{
	rsp_send_str(c, c->refused);
}
