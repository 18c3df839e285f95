/* monitor rtt start|stop|status|address ADDR: the session's RTT service
 * (server/rtt/). A forced poll right after start/address lets the reply
 * say at once whether the control block was found. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/gdb/rsp_client.h"
#include "server/rtt/rtt_net.h"

static const char *const state_names[] = {"stopped", "searching", "found"};
static const char *const mode_names[] = {"skip", "trim", "block", "block"};

static void status(struct sw_session *s, struct sw_rtt_net *n)
{
	struct sw_rtt_status st;

	sw_rtt_get_status(sw_rtt_net_engine(n), &st);
	if (st.state != SW_RTT_FOUND) {
		/* What was searched, so "not found" says where (swdflash deploy
		 * --rtt reports it: no control block after a whole RAM scan). */
		char where[96] = "";
		if (st.has_user)
			snprintf(where, sizeof(where), "; only at 0x%08x (monitor rtt address)", st.user_addr);
		else if (st.has_elf)
			snprintf(where, sizeof(where), "; none at the ELF's _SEGGER_RTT 0x%08x", st.elf_addr);
		sw_session_say(s, "RTT: %s (%llu polls, RAM scanned %llu times%s)", state_names[st.state],
			       (unsigned long long)st.polls, (unsigned long long)st.scans, where);
		return;
	}
	sw_session_say(s, "RTT: control block at 0x%08x (%s), %u up, %u down; poll every %.1f ms; found %llu time(s), re-initialised %llu time(s)",
		       st.addr, st.source, st.n_up, st.n_down, (double)st.interval_ns / 1e6,
		       (unsigned long long)st.found_count, (unsigned long long)st.reinits);
	for (unsigned c = 0; c < st.n_up || c < st.n_down; c++) {
		char down[64] = "no down ring";
		if (c < st.n_down)
			snprintf(down, sizeof(down), "down %u B (%s), %llu B sent", st.down_size[c],
				 mode_names[st.down_mode[c] & 3u], (unsigned long long)st.bytes_down[c]);
		sw_session_say(s, "  channel %u: port %u, up %u B, %llu B read; %s", c, sw_rtt_net_port(n, c),
			       c < st.n_up ? st.up_size[c] : 0, (unsigned long long)st.bytes_up[c], down);
	}
	if (st.dropped_down)
		sw_session_say(s, "  %llu down bytes dropped (skip/trim rings full)",
			       (unsigned long long)st.dropped_down);
}

static int parse_addr(struct sw_session *s, const char *arg, uint32_t *addr)
{
	char *end;
	unsigned long v = strtoul(arg, &end, 0);
	uint32_t size;

	if (*arg && !*end && v <= 0xFFFFFFFFul) {
		*addr = (uint32_t)v;
		return 0;
	}
	if (*arg && s->elf && !sw_elf_symbol(s->elf, arg, addr, &size))
		return 0;
	sw_session_say(s, "rtt address: give an address (C syntax) or a symbol of the ELF");
	return -1;
}

/* The firmware was rebuilt since the server read its ELF (same path, new
 * file): read it again, so `rtt address _SEGGER_RTT` and the search use
 * the new build's address, not the old one. */
static void refresh_elf(struct sw_session *s, struct sw_rtt_net *n)
{
	uint32_t addr, size;
	int r;

	if (!s->elf || !(r = sw_elf_refresh(s->ctx, s->elf)))
		return;
	if (r < 0) {
		sw_session_say(s, "rtt: the ELF changed on disk but cannot be read again (%s); keeping the old one",
			       sw_errmsg(s->ctx));
		return;
	}
	if (!sw_elf_symbol(s->elf, "_SEGGER_RTT", &addr, &size)) {
		sw_rtt_set_elf_addr(sw_rtt_net_engine(n), addr);
		sw_session_say(s, "rtt: the ELF was rebuilt; _SEGGER_RTT now at 0x%08x", addr);
	} else {
		sw_rtt_clear_elf_addr(sw_rtt_net_engine(n));
		sw_session_say(s, "rtt: the ELF was rebuilt and has no _SEGGER_RTT; RAM is scanned");
	}
}

int rsp_monitor_rtt(struct sw_session *s, const char *arg)
{
	struct sw_rtt_net *n = s->rtt;
	char verb[16] = "", rest[96] = "";
	uint32_t addr;

	if (!n) {
		sw_session_say(s, "rtt: not available in this session");
		return -1;
	}
	refresh_elf(s, n);
	sscanf(arg, "%15s %95s", verb, rest);
	if (!strcmp(verb, "start") || !strcmp(verb, "address")) {
		if (!strcmp(verb, "address")) {
			if (parse_addr(s, rest, &addr))
				return -1;
			sw_rtt_set_user_addr(sw_rtt_net_engine(n), addr);
		}
		sw_rtt_start(sw_rtt_net_engine(n));
		sw_rtt_poll(sw_rtt_net_engine(n), true);
		status(s, n);
	} else if (!strcmp(verb, "stop")) {
		sw_rtt_stop(sw_rtt_net_engine(n));
		sw_session_say(s, "RTT: stopped (ports stay open)");
	} else if (!strcmp(verb, "status") || !verb[0]) {
		status(s, n);
	} else {
		sw_session_say(s, "usage: monitor rtt start|stop|status|address ADDR");
		return -1;
	}
	return 0;
}
