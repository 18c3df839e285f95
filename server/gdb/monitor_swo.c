/* monitor swo start [BAUD [CLK_HZ [MASK]]] | stop | status, and the J-Link
 * GDB Server spelling "SWO ..." reaches monitor_jlink.c first. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/gdb/rsp_client.h"
#include "server/swo/swo_cfg.h"
#include "server/swo/swo_net.h"

static int start(struct sw_session *s, unsigned long baud, unsigned long clk, unsigned long mask)
{
	struct sw_swo_status st;

	if (!baud || baud > 0xFFFFFFFFul || !clk || clk > 0xFFFFFFFFul || mask > 0xFFFFFFFFul) {
		sw_session_say(s, "swo: bad baud rate, clock or port mask");
		return -1;
	}
	if (sw_swo_net_start(s->swo, (uint32_t)baud, (uint32_t)clk, (uint32_t)mask)) {
		sw_session_say(s, "swo: %s", sw_errmsg(s->ctx));
		return -1;
	}
	sw_swo_net_status(s->swo, &st);
	sw_session_say(s, "SWO: capturing at %u baud (trace clock %u Hz), ITM ports 0x%08x; raw on port %u, port 0 text on port %u",
		       st.baud, st.clk, st.mask, st.raw_port, st.text_port);
	return 0;
}

int rsp_monitor_swo(struct sw_session *s, const char *cmd, const char *arg)
{
	char verb[24] = "";
	unsigned long a = 0, b = 0, c = 0;
	struct sw_swo_status st;
	int n;

	if (!s->swo) {
		sw_session_say(s, "swo: not available on this core");
		return -1;
	}
	(void)cmd; /* J-Link's "SWO EnableTarget" is in monitor_jlink.c */
	n = sscanf(arg, "%23s %li %li %li", verb, &a, &b, &c);
	if (!strcmp(verb, "start"))
		return start(s, n >= 2 ? a : SW_SWO_DEFAULT_BAUD, n >= 3 ? b : SW_SWO_DEFAULT_CLK, n >= 4 ? c : 1u);
	if (!strcmp(verb, "stop")) {
		sw_swo_net_stop(s->swo);
		sw_session_say(s, "SWO: stopped");
		return 0;
	}
	if (!strcmp(verb, "status") || !verb[0]) {
		sw_swo_net_status(s->swo, &st);
		sw_session_say(s, "SWO: %s, %u baud, raw port %u, text port %u; %llu bytes, %llu ITM packets, %llu port-0 text bytes, %llu overflows",
			       st.running ? "capturing" : "stopped", st.baud, st.raw_port, st.text_port,
			       (unsigned long long)st.bytes, (unsigned long long)st.packets,
			       (unsigned long long)st.text_bytes, (unsigned long long)st.overflows);
		return 0;
	}
	sw_session_say(s, "usage: monitor swo start [BAUD [CLK_HZ [MASK]]] | stop | status");
	return -1;
}
