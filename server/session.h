/* One debug session per core: the core, its target description and the
 * run state gdb believes in. The RSP client drives it; the server loop
 * polls it while the core runs. */
#ifndef SW_SESSION_H
#define SW_SESSION_H

#include <stdbool.h>
#include <stdint.h>

#include "cortexm/core.h"
#include "server/semihost.h"
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
	 * names in monitor commands, the RTT control block. NULL if none.
	 * Not const: re-read when the file is rebuilt (sw_elf_refresh). */
	struct sw_elf *elf;
	bool no_loader;        /* --no-loader: host-driven flash programming */
	/* `monitor probe reconnect`: the program around the session opens the
	 * probe and the target again and updates core/probe of every session;
	 * NULL where that is not possible (the simulator). */
	int (*reconnect)(void *user, struct sw_session *s);
	void *reconnect_user;
	struct sw_rtt_net *rtt; /* RTT service (--rtt, monitor rtt); NULL if none */
	struct sw_swo_net *swo; /* SWO service (--swo, monitor swo); NULL if none */
	/* Time for measurements (monitor SWO EnableTarget 0 ...): virtual
	 * with the simulator; NULL: CLOCK_MONOTONIC. */
	uint64_t (*clock_ns)(void *user);
	void *clock_user;
	/* J-Link's setbp breakpoints, numbered from 1 for clrbp N. */
	uint32_t jlink_bp[8];
	unsigned n_jlink_bp;
	bool semihosting;      /* monitor semihosting enable, --semihosting */
	struct sw_semihost_state sh;
	/* Set while a semihosting call runs: sends the console text to gdb now
	 * (output longer than the buffer goes out in pieces). */
	void (*console_flush)(void *user);
	void *console_flush_user;
};
/* The session's clock (see clock_ns). */
uint64_t sw_session_now_ns(const struct sw_session *s);

void sw_session_init(struct sw_session *s, struct sw_ctx *ctx, struct sw_core *core,
		     const struct sw_target_desc *desc, struct sw_probe *probe, unsigned port);
/* Append raw text (no newline added) for the gdb console. */
void sw_session_write(struct sw_session *s, const char *text, size_t len);
/* Append a line for the gdb console. */
void sw_session_say(struct sw_session *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
