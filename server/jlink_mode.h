/* J-Link argument mode at run time: what main() does beyond the translated
 * options (jlink_args.h): the SWO and terminal ports listening from
 * the start, the RTT telnet port, -singlerun, and the readiness line. */
#ifndef SW_JLINK_MODE_H
#define SW_JLINK_MODE_H

#include "server/jlink_args.h"
#include "server/net/server.h"
#include "server/session.h"
#include "server/swo/swo_net.h"

/* The line Cortex-Debug and PlatformIO wait for (reference §1). */
#define SW_JLINK_READY_LINE "Waiting for GDB connection..."

/* Call after every gdb listener is open; prints the readiness line last. */
int sw_jlink_mode_start(struct sw_jlink_mode *m, struct sw_server *srv, struct sw_session *s,
			struct sw_swo_net *swo);
void sw_jlink_mode_stop(struct sw_jlink_mode *m);

#endif
