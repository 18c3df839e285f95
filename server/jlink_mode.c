/* J-Link argument mode at run time (jlink_mode.h). */
#include <stdio.h>

#include "server/jlink_mode.h"
#include "server/rtt/rtt_telnet.h"

int sw_jlink_mode_start(struct sw_jlink_mode *m, struct sw_server *srv, struct sw_session *s,
			struct sw_swo_net *swo)
{
	int r;

	/* Cortex-Debug connects to the SWO port right after the readiness
	 * line and gdb waits at most 1 s for it (reference §2, SWO). */
	if (swo && (r = sw_swo_net_listen(swo, m->telnet_port)))
		return r;
	if (s->rtt) {
		if ((r = sw_rtt_telnet_new(s->ctx, s->rtt, m->listen, m->rtt_telnet_port, &m->telnet)) ||
		    (r = sw_server_add_svc(srv, sw_rtt_telnet_svc(m->telnet))))
			return r;
	}
	srv->singlerun = m->singlerun;
	printf("swdbridge: J-Link GDB Server command line accepted; single run mode: %s\n", m->singlerun ? "on" : "off");
	printf("%s\n", SW_JLINK_READY_LINE);
	fflush(stdout);
	return SW_OK;
}

void sw_jlink_mode_stop(struct sw_jlink_mode *m)
{
	sw_rtt_telnet_free(m->telnet);
	m->telnet = NULL;
}
