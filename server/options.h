/* swdbridge's command line: one table of options (name, argument, help)
 * drives getopt_long and the usage text; defaults come from the
 * environment (SWDBRIDGE_PROBE, SWDBRIDGE_TARGET, SWDBRIDGE_SPEED) and the
 * flags win over them. */
#ifndef SW_SERVER_OPTIONS_H
#define SW_SERVER_OPTIONS_H

#include <stdbool.h>
#include <stdio.h>

#include "server/net/server.h"
#include "server/net/tls.h"

#define SW_DEFAULT_GDB_PORT 2331 /* J-Link GDB Server's, so Cortex-Debug "external" configs work */

struct options {
	const char *probe;     /* NULL: the one real probe connected (probes/probe_list.h) */
	const char *probe_from; /* "--probe" or "SWDBRIDGE_PROBE" when given */
	const char *target, *load, *listen, *ftdi_layout, *elf;
	const char *sim_chip;  /* --sim-chip: which chip --probe sim simulates (for --target auto) */
	long port;
	int verbose;
	bool attach, no_loader;
	bool semihosting;      /* --semihosting: serve BKPT 0xAB calls from the start */
	bool rtt;              /* --rtt: start RTT at once */
	const char *rtt_log;   /* --rtt-log FILE */
	long rtt_port;         /* --rtt-port N (0: default 19021) */
	long swo_baud, swo_clk, swo_port; /* --swo BAUD, --swo-clk HZ, --swo-port N */
	const char *listens[SW_SERVER_MAX_LISTEN]; /* --listen, repeatable */
	unsigned n_listen;
	struct sw_tls_creds creds; /* --psk-file / --cert --key --ca for remote:// */
	unsigned speed_khz;    /* --speed KHZ (0: the probe's default) */
	bool speed_auto;       /* --speed auto: fastest that works */
	bool connect_under_reset;
	const char *log_path;  /* --log FILE */
};

/* Parse argv (after the environment defaults). Returns 0, or the exit
 * code after printing a one-line error; --help and --version print and
 * exit(0). */
int sw_options_parse(int argc, char **argv, struct options *o);
void sw_options_usage(FILE *f);

/* "swdbridge 0.1.0 (git ...)" */
const char *sw_version_string(void);

#endif
