/* One debug session per core: the core, its target description and the
 * run state gdb believes in. The RSP client drives it; the server loop
 * polls it while the core runs. */
#ifndef SW_SESSION_H
#define SW_SESSION_H

#include <stdbool.h>
#include <stdint.h>

#include "cortexm/core.h"
#include "sw/elf.h"
#include "targets/target.h"

#define SW_SESSION_CONSOLE 16384

struct sw_rtt_net;
struct sw_swo_net;

struct sw_session {
	struct sw_ctx *ctx;
	struct sw_core *core;
	const struct sw_target_desc *desc;
	struct sw_probe *probe;
	const char *core_name;
	unsigned port;
	bool running;          /* resumed by gdb (or detached) and not seen halted since */
	bool step_mask_irq;    /* monitor step_irq off (default): mask interrupts while stepping */
	/* Text for gdb's console at the next legal chance (O packets: in reply
	 * to qRcmd, or while the target runs). Room for the longest monitor
	 * output (help, targets, flash info) in one reply. */
	char console[SW_SESSION_CONSOLE];
	/* Extra monitor commands of the program around the session (e.g. the
	 * simulator's "monitor sim"); returns 0 handled, 1 not mine, -1 failed. */
	int (*ext_monitor)(void *user, struct sw_session *s, const char *cmd, const char *arg);
	void *ext_user;
	/* The firmware's ELF (--elf, or --load with the simulator): symbol
	 * names in monitor commands, the RTT control block. NULL if none. */
	const struct sw_elf *elf;
	bool no_loader;        /* --no-loader: host-driven flash programming */
	/* `monitor probe reconnect`: the program around the session opens the
	 * probe and the target again and updates core/probe of every session;
	 * NULL where that is not possible (the simulator). */
	int (*reconnect)(void *user, struct sw_session *s);
	void *reconnect_user;
	struct sw_rtt_net *rtt; /* RTT service (--rtt, monitor rtt); NULL if none */
	struct sw_swo_net *swo; /* SWO service (--swo, monitor swo); NULL if none */
};

void sw_session_init(struct sw_session *s, struct sw_ctx *ctx, struct sw_core *core,
		     const struct sw_target_desc *desc, struct sw_probe *probe, unsigned port);
/* Append a line for the gdb console. */
void sw_session_say(struct sw_session *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
