/* swdbridge options (server/options.h). To add one: a row in `defs` and a
 * case in apply(); the usage text comes from the table. */
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "server/options.h"
#include "sw/types.h"
#include "sw_version.h"

enum opt_id {
	O_HELP = 'h',
	O_VERBOSE = 'v',
	O_PROBE = 256, O_FTDI_LAYOUT, O_TARGET, O_LOAD, O_SIM_CHIP, O_NO_LOADER, O_ELF, O_PORT, O_LISTEN,
	O_PSK, O_CERT, O_KEY, O_CA, O_ATTACH, O_CONNECT_RESET, O_SPEED, O_RTT, O_RTT_LOG, O_RTT_PORT,
	O_SWO, O_SWO_CLK, O_SWO_PORT, O_LOG, O_VERSION, O_SEMIHOSTING,
};

struct opt_def {
	const char *name;
	const char *arg; /* NULL: a flag */
	int id;
	const char *help; /* lines after the first are indented under it */
};

static const struct opt_def defs[] = {
	{"probe", "P", O_PROBE, "sim (the built-in simulator), jlink[:SERIAL|:tcp:HOST], ftdi[:VID:PID[:SERIAL]],\n"
				"remote://HOST:PORT (a probe-server on another machine). Default: the one\n"
				"real probe connected (list-probes); the simulator only when asked for"},
	{"ftdi-layout", "L", O_FTDI_LAYOUT, "FTDI adapter layout (see probes/ftdi_layouts.c)"},
	{"target", "NAME", O_TARGET, "stm32h743, mimxrt1062, stm32n657, ae3 (ae3-hp, ae3-he), stm32f407,\n"
				     "adiv6-m55, a J-Link device name such as STM32H743VI or\n"
				     "AE302F80F55D5_HP, or auto (identify the chip)"},
	{"load", "FILE[,FILE]", O_LOAD, "(sim) load ELFs into the simulated chip before starting"},
	{"sim-chip", "NAME", O_SIM_CHIP, "(sim) chip to simulate with --target auto"},
	{"no-loader", NULL, O_NO_LOADER, "program flash from the host (register level), not with the on-target loader"},
	{"elf", "FILE", O_ELF, "the firmware's ELF, for symbol names (monitor watch) and RTT"},
	{"port", "N", O_PORT, "first GDB port (default 2331; 0 = any free port), +1 per further core"},
	{"listen", "ADDR[:PORT]", O_LISTEN, "address to listen on, IPv4 or IPv6 ([::1]:2331); repeatable\n"
					    "(default 127.0.0.1; beyond loopback the client commands are printed)"},
	{"psk-file", "F", O_PSK, "pre-shared key for --probe remote://HOST:PORT"},
	{"cert", "C", O_CERT, "own certificate for remote:// (with --key and --ca)"},
	{"key", "K", O_KEY, "private key of --cert"},
	{"ca", "CA", O_CA, "CA that signed the probe-server's certificate"},
	{"attach", NULL, O_ATTACH, "touch nothing on connect (no chip set-up writes); never resets"},
	{"connect-under-reset", NULL, O_CONNECT_RESET,
	 "hold nRST while the debug port is powered up and the core set to halt at\n"
	 "the reset vector, then release it (firmware that disables SWD or sleeps)"},
	{"speed", "KHZ|auto", O_SPEED, "SWD clock in kHz (default: the probe's, 4000 on J-Link and FTDI);\n"
				       "auto: the fastest the probe offers"},
	{"semihosting", NULL, O_SEMIHOSTING, "serve ARM semihosting (BKPT 0xAB): console, files through gdb, exit\n"
					     "(else 'monitor semihosting enable')"},
	{"rtt", NULL, O_RTT, "serve RTT channels from the start (TCP 19021+N; else 'monitor rtt start')"},
	{"rtt-log", "FILE", O_RTT_LOG, "append RTT up channel 0 to FILE (implies --rtt)"},
	{"rtt-port", "N", O_RTT_PORT, "first RTT port (default 19021), +16 per further core"},
	{"swo", "BAUD", O_SWO, "capture SWO (ITM) at BAUD: raw stream on TCP 2332, port 0 text on the next port"},
	{"swo-clk", "HZ", O_SWO_CLK, "trace clock for the SWO prescaler (default 64000000)"},
	{"swo-port", "N", O_SWO_PORT, "SWO raw stream port (default 2332; the next free one if taken)"},
	{"log", "FILE", O_LOG, "append the log (with time stamps) to FILE instead of stderr; errors\n"
			       "still reach stderr"},
	{"verbose", NULL, O_VERBOSE, "more log output, also -v (-vv: debug, -vvv: wire trace)"},
	{"version", NULL, O_VERSION, "print the version and exit"},
	{"help", NULL, O_HELP, "this text"},
};

const char *sw_version_string(void)
{
	return "swdbridge " SW_VERSION " (" SW_GIT ")";
}

void sw_options_usage(FILE *f)
{
	fprintf(f, "usage: swdbridge [--probe P] --target NAME [--load FILE.elf] [--port N] [--listen ADDR] [-v]\n"
		   "       swdbridge list-probes\n"
		   "       swdbridge probe-server --help    (export a probe to another machine over TLS)\n");
	for (size_t i = 0; i < SW_ARRAY_LEN(defs); i++) {
		char head[48];
		const char *h = defs[i].help;
		snprintf(head, sizeof(head), "--%s%s%s", defs[i].name, defs[i].arg ? " " : "",
			 defs[i].arg ? defs[i].arg : "");
		fprintf(f, "  %-22s", head);
		if (strlen(head) > 22)
			fprintf(f, "\n  %-22s", "");
		while (*h) {
			size_t n = strcspn(h, "\n");
			fprintf(f, " %.*s\n", (int)n, h);
			h += n + (h[n] == '\n');
			if (*h)
				fprintf(f, "  %-22s", "");
		}
	}
	fprintf(f, "environment: SWDBRIDGE_PROBE, SWDBRIDGE_TARGET, SWDBRIDGE_SPEED give --probe, --target and\n"
		   "  --speed when the flag is absent\n");
}

static int bad(const char *fmt, ...) SW_PRINTF(1, 2);
static int bad(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "swdbridge: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	return 2;
}

static int number(const char *s, long lo, long hi, long *v)
{
	char *end;

	*v = strtol(s, &end, 10);
	return *s && !*end && *v >= lo && *v <= hi ? 0 : -1;
}

/* KHZ or auto; `from` names the flag or variable in the error. */
static int parse_speed(struct options *o, const char *s, const char *from)
{
	long v;

	if (!strcmp(s, "auto")) {
		o->speed_auto = true;
		o->speed_khz = 0;
		return 0;
	}
	if (number(s, 1, 100000, &v)) {
		fprintf(stderr, "swdbridge: %s '%s': give the SWD clock in kHz (1..100000) or auto\n", from, s);
		return 2;
	}
	o->speed_auto = false;
	o->speed_khz = (unsigned)v;
	return 0;
}

static int apply(struct options *o, int id, const char *arg)
{
	long v;

	switch (id) {
	case O_PROBE: o->probe = arg; o->probe_from = "--probe"; return 0;
	case O_FTDI_LAYOUT: o->ftdi_layout = arg; return 0;
	case O_TARGET: o->target = arg; return 0;
	case O_LOAD: o->load = arg; return 0;
	case O_SIM_CHIP: o->sim_chip = arg; return 0;
	case O_NO_LOADER: o->no_loader = true; return 0;
	case O_ELF: o->elf = arg; return 0;
	case O_PSK: o->creds.psk_file = arg; return 0;
	case O_CERT: o->creds.cert = arg; return 0;
	case O_KEY: o->creds.key = arg; return 0;
	case O_CA: o->creds.ca = arg; return 0;
	case O_ATTACH: o->attach = true; return 0;
	case O_CONNECT_RESET: o->connect_under_reset = true; return 0;
	case O_SPEED: return parse_speed(o, arg, "--speed");
	case O_SEMIHOSTING: o->semihosting = true; return 0;
	case O_RTT: o->rtt = true; return 0;
	case O_RTT_LOG: o->rtt_log = arg; o->rtt = true; return 0;
	case O_LOG: o->log_path = arg; return 0;
	case O_VERBOSE: o->verbose++; return 0;
	case O_LISTEN:
		if (o->n_listen == SW_SERVER_MAX_LISTEN) {
			fprintf(stderr, "swdbridge: at most %d --listen options\n", SW_SERVER_MAX_LISTEN);
			return 2;
		}
		o->listens[o->n_listen++] = arg;
		return 0;
	case O_RTT_PORT:
		if (number(arg, 1, 65535 - 64, &v))
			return bad("--rtt-port: '%s' is not a port number", arg);
		o->rtt_port = v;
		return 0;
	case O_PORT:
		if (number(arg, 0, 65535, &v))
			return bad("--port: '%s' is not a port number", arg);
		o->port = v;
		return 0;
	case O_SWO: case O_SWO_CLK: case O_SWO_PORT:
		if (number(arg, 1, id == O_SWO_PORT ? 65535 : 0x7FFFFFFF, &v))
			return bad("bad number '%s'", arg);
		*(id == O_SWO ? &o->swo_baud : id == O_SWO_CLK ? &o->swo_clk : &o->swo_port) = v;
		return 0;
	case O_VERSION: printf("%s\n", sw_version_string()); exit(0);
	case O_HELP: sw_options_usage(stdout); exit(0);
	default: sw_options_usage(stderr); return 2;
	}
}

/* Defaults from the environment; an empty variable counts as unset. */
static int env_defaults(struct options *o)
{
	const char *p = getenv("SWDBRIDGE_PROBE"), *t = getenv("SWDBRIDGE_TARGET"), *s = getenv("SWDBRIDGE_SPEED");

	if (p && *p) {
		o->probe = p;
		o->probe_from = "SWDBRIDGE_PROBE";
	}
	if (t && *t)
		o->target = t;
	return s && *s ? parse_speed(o, s, "SWDBRIDGE_SPEED") : 0;
}

int sw_options_parse(int argc, char **argv, struct options *o)
{
	struct option longopts[SW_ARRAY_LEN(defs) + 1];
	int ch, r;

	*o = (struct options){.listen = "127.0.0.1", .port = SW_DEFAULT_GDB_PORT};
	for (size_t i = 0; i < SW_ARRAY_LEN(defs); i++)
		longopts[i] = (struct option){defs[i].name, defs[i].arg ? required_argument : no_argument, NULL,
					      defs[i].id};
	longopts[SW_ARRAY_LEN(defs)] = (struct option){NULL, 0, NULL, 0};
	if ((r = env_defaults(o)))
		return r;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "vh", longopts, NULL)) != -1)
		if ((r = apply(o, ch, optarg)))
			return r;
	if (optind < argc)
		return bad("unexpected argument '%s' (see --help)", argv[optind]);
	if (!o->target) {
		fprintf(stderr, "swdbridge: --target is required (e.g. --target stm32h743, or SWDBRIDGE_TARGET)\n");
		return 2;
	}
	if (o->connect_under_reset && o->attach) {
		fprintf(stderr, "swdbridge: --connect-under-reset resets the target; --attach never does: choose one\n");
		return 2;
	}
	return 0;
}
