/* J-Link GDB Server argument mode: swdbridge started under one of SEGGER's
 * server names (an installed link <libexec>/swdbridge/JLinkGDBServerCLExe)
 * or with --jlink-args takes J-Link's command line (reference/
 * cortex-debug-jlink.md §1, §4) and translates it into our own options.
 * Native "--" options after the J-Link ones (Cortex-Debug's serverArgs come
 * last) pass through, so "--probe sim --load demo.elf" works there. */
#ifndef SW_JLINK_ARGS_H
#define SW_JLINK_ARGS_H

#include <stdbool.h>
#include <stdio.h>

#include "sw/ctx.h"

struct sw_rtt_telnet;

#define SW_JLINK_MAX_ARGS 96
#define SW_JLINK_RTT_TELNET_PORT 19021u /* J-Link's default RTT telnet port */
#define SW_JLINK_DEFAULT_GDB_PORT "2331"
#define SW_JLINK_DEFAULT_SWO_PORT "2332"

struct sw_jlink_mode {
	bool on;
	bool singlerun;           /* -singlerun: exit when the last gdb leaves */
	unsigned rtt_telnet_port; /* -rtttelnetport (default 19021) */
	unsigned telnet_port;     /* -telnetport: semihosting / terminal output */
	const char *listen;       /* "0.0.0.0" with -localhostonly 0 (else loopback) */
	struct sw_rtt_telnet *telnet; /* jlink_mode.c */
	int argc;                 /* the translated, native command line */
	char *argv[SW_JLINK_MAX_ARGS + 1];
	char probe[96];           /* "jlink:SN" / "jlink:tcp:HOST" */
};

/* True if argv asks for J-Link argument mode (program name or --jlink-args). */
bool sw_jlink_args_wanted(int argc, char **argv);
/* Translate; warnings and errors go to err as one line each. Returns 0, or
 * the exit status (2) for a command line that cannot be served. */
int sw_jlink_args_translate(int argc, char **argv, struct sw_jlink_mode *m, FILE *err);

#endif
