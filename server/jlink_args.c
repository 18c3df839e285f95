/* J-Link GDB Server command line -> swdbridge options (jlink_args.h).
 * Options and defaults: reference/cortex-debug-jlink.md §1 (what
 * Cortex-Debug passes, in which order) and §4 (J-Link's option table). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "server/jlink_args.h"

/* SEGGER's server program names (Cortex-Debug's search list, jlink.ts:113-124). */
static const char *const server_names[] = {"JLinkGDBServerCLExe", "JLinkGDBServerCL", "JLinkGDBServer",
					   "JLinkGDBServerExe", NULL};

/* Options that change nothing here: window/log cosmetics, defaults we
 * already have (-halt, -noir, -noreset: we never reset on connect,
 * -localhostonly [1]: loopback), and -notimeout/-nologtofile.
 * "-localhostonly 0" is looked at in jlink_opt(). */
static const char *const cosmetic[] = {"-nogui", "-silent", "-vd", "-strict", "-halt", "-noir", "-noreset",
				       "-notimeout", "-nologtofile", "-novd", "-nosilent", "-localhostonly",
				       NULL};

static const char *const with_value[] = {"-device", "-if", "-port", "-swoport", "-telnetport", "-rtttelnetport",
					"-select", "-speed", "-timeout", "-log", "-endian", "-jlinkscriptfile",
					"-scriptfile", "-settingsfile", "-x", "-xc", "-rtos", NULL};

bool sw_jlink_args_wanted(int argc, char **argv)
{
	const char *base;

	if (argc >= 2 && !strcmp(argv[1], "--jlink-args"))
		return true;
	if (argc < 1 || !argv[0])
		return false;
	base = strrchr(argv[0], '/');
	base = base ? base + 1 : argv[0];
	for (size_t i = 0; server_names[i]; i++)
		if (!strcmp(base, server_names[i]))
			return true;
	return false;
}

static bool in_list(const char *const *list, const char *s)
{
	for (size_t i = 0; list[i]; i++)
		if (!strcasecmp(list[i], s))
			return true;
	return false;
}

static int push(struct sw_jlink_mode *m, char *a, FILE *err)
{
	if (m->argc >= SW_JLINK_MAX_ARGS) {
		fprintf(err, "swdbridge: J-Link argument mode: too many arguments\n");
		return 2;
	}
	m->argv[m->argc++] = a;
	m->argv[m->argc] = NULL;
	return 0;
}

static int push2(struct sw_jlink_mode *m, const char *opt, char *val, FILE *err)
{
	/* Our getopt never writes to its argv strings: the cast only meets
	 * main()'s char ** signature. */
	return push(m, (char *)(uintptr_t)opt, err) || push(m, val, err) ? 2 : 0;
}

static int port_arg(const char *opt, const char *v, unsigned *out, FILE *err)
{
	char *end;
	unsigned long p = strtoul(v, &end, 10);

	if (!*v || *end || p < 1 || p > 65535) {
		fprintf(err, "swdbridge: %s: '%s' is not a port number\n", opt, v);
		return 2;
	}
	if (out)
		*out = (unsigned)p;
	return 0;
}

/* -select usb[=SN] | ip=HOST | tunnel:... : which J-Link. */
static int select_arg(struct sw_jlink_mode *m, const char *v, FILE *err)
{
	if (!strcasecmp(v, "usb"))
		snprintf(m->probe, sizeof(m->probe), "jlink");
	else if (!strncasecmp(v, "usb=", 4) && v[4] && strspn(v + 4, "0123456789") == strlen(v + 4))
		snprintf(m->probe, sizeof(m->probe), "jlink:%s", v + 4);
	else if (!strncasecmp(v, "ip=", 3) && v[3] && strlen(v + 3) < sizeof(m->probe) - 11)
		snprintf(m->probe, sizeof(m->probe), "jlink:tcp:%s", v + 3);
	else {
		fprintf(err, "swdbridge: -select %s: use usb, usb=SERIAL or ip=HOST\n", v);
		return 2;
	}
	/* In order: a native --probe later on the line (serverArgs) wins. */
	return push2(m, "--probe", m->probe, err);
}

/* One J-Link option with its value (if it takes one); *used = 2 when the
 * value was consumed. */
static int jlink_opt(struct sw_jlink_mode *m, char *o, char *v, int *used, bool *strict, FILE *err)
{
	const char *lo = o;
	char *end;

	*used = 1;
	if (in_list(cosmetic, lo)) {
		if (!strcasecmp(lo, "-strict"))
			*strict = true;
		/* "-localhostonly 1" / "-localhostonly": loopback is our default. */
		if (!strcasecmp(lo, "-localhostonly") && v && (!strcmp(v, "0") || !strcmp(v, "1"))) {
			*used = 2;
			if (!strcmp(v, "0")) {
				m->listen = "0.0.0.0";
				return push2(m, "--listen", "0.0.0.0", err);
			}
		}
		return 0;
	}
	if (!strcasecmp(lo, "-singlerun")) {
		m->singlerun = true;
		return 0;
	}
	if (!strcasecmp(lo, "-nolocalhostonly")) {
		m->listen = "0.0.0.0";
		return push2(m, "--listen", "0.0.0.0", err);
	}
	if (!strcasecmp(lo, "-nohalt"))
		return push(m, "--attach", err);
	if (!strcasecmp(lo, "-ir")) {
		fprintf(err, "swdbridge: warning: -ir (initialise CPU registers at start) is not supported; ignored\n");
		return 0;
	}
	/* The rest take a value. J-Link warns about unknown options and
	 * continues unless -strict (reference §4, #919). */
	if (!in_list(with_value, lo)) {
		fprintf(err, "WARNING: Unknown command line parameter %s found.\n", o);
		return *strict ? 2 : 0;
	}
	if (!v) {
		fprintf(err, "swdbridge: %s needs a value\n", o);
		return 2;
	}
	*used = 2;
	if (!strcasecmp(lo, "-device"))
		return push2(m, "--target", v, err);
	if (!strcasecmp(lo, "-if")) {
		if (strcasecmp(v, "swd")) {
			fprintf(err, "swdbridge: -if %s: only SWD is supported (swdbridge speaks SWD, not JTAG/cJTAG); use -if swd\n", v);
			return 2;
		}
		return 0;
	}
	if (!strcasecmp(lo, "-port"))
		return port_arg(o, v, NULL, err) || push2(m, "--port", v, err) ? 2 : 0;
	if (!strcasecmp(lo, "-swoport"))
		return port_arg(o, v, NULL, err) || push2(m, "--swo-port", v, err) ? 2 : 0;
	if (!strcasecmp(lo, "-telnetport"))
		return port_arg(o, v, &m->telnet_port, err);
	if (!strcasecmp(lo, "-rtttelnetport"))
		return port_arg(o, v, &m->rtt_telnet_port, err);
	if (!strcasecmp(lo, "-select"))
		return select_arg(m, v, err);
	if (!strcasecmp(lo, "-speed")) {
		/* auto/adaptive: adaptive clocking is a JTAG RTCK feature; over
		 * SWD both mean our --speed auto (the fastest the probe offers). */
		bool any = !strcasecmp(v, "auto") || !strcasecmp(v, "adaptive");
		unsigned long khz = strtoul(v, &end, 10);
		if (!any && (!*v || *end || khz < 1 || khz > 100000)) {
			fprintf(err, "swdbridge: -speed %s: give kHz (1..100000), auto or adaptive\n", v);
			return 2;
		}
		return push2(m, "--speed", any ? "auto" : v, err);
	}
	if (!strcasecmp(lo, "-timeout")) {
		(void)strtoul(v, &end, 10);
		if (!*v || *end) {
			fprintf(err, "swdbridge: -timeout %s: give milliseconds\n", v);
			return 2;
		}
		return 0; /* the target connect is immediate here: nothing to wait for */
	}
	if (!strcasecmp(lo, "-log"))
		return push2(m, "--log", v, err);
	if (!strcasecmp(lo, "-endian")) {
		if (strcasecmp(v, "little")) {
			fprintf(err, "swdbridge: -endian %s: only little-endian Cortex-M targets are supported\n", v);
			return 2;
		}
		return 0;
	}
	if (!strcasecmp(lo, "-jlinkscriptfile") || !strcasecmp(lo, "-scriptfile") || !strcasecmp(lo, "-settingsfile") ||
	    !strcasecmp(lo, "-x") || !strcasecmp(lo, "-xc")) {
		fprintf(err, "swdbridge: warning: %s %s: J-Link script, settings and gdb command files are not supported; ignored\n", o, v);
		return 0;
	}
	if (!strcasecmp(lo, "-rtos")) {
		fprintf(err, "swdbridge: warning: -rtos %s: RTOS thread awareness is not supported; gdb sees one thread\n", v);
		return 0;
	}
	return 0; /* -rtos, -x, ... handled above; not reached for others */
}

int sw_jlink_args_translate(int argc, char **argv, struct sw_jlink_mode *m, FILE *err)
{
	/* SWDBRIDGE_PROBE (server/options.h) still chooses when it is set. */
	const char *env = getenv("SWDBRIDGE_PROBE");
	bool strict = false, probe_env = env && *env;
	int first = argc >= 2 && !strcmp(argv[1], "--jlink-args") ? 2 : 1;
	int r;

	memset(m, 0, sizeof(*m));
	m->on = true;
	m->rtt_telnet_port = SW_JLINK_RTT_TELNET_PORT;
	/* J-Link's own defaults first; what follows on the command line wins
	 * (getopt keeps the last value). The default probe is the J-Link. */
	if (push(m, argv[0], err) || (!probe_env && push2(m, "--probe", "jlink", err)) ||
	    push2(m, "--port", SW_JLINK_DEFAULT_GDB_PORT, err) || push2(m, "--swo-port", SW_JLINK_DEFAULT_SWO_PORT, err))
		return 2;
	/* -strict anywhere applies to every unknown option. */
	for (int i = first; i < argc; i++)
		if (!strcasecmp(argv[i], "-strict"))
			strict = true;
	for (int i = first; i < argc;) {
		char *a = argv[i];
		int used = 1;
		if (!strncmp(a, "--", 2)) {
			/* A native option (serverArgs); its value is the next word
			 * unless that is an option too. */
			if (push(m, a, err))
				return 2;
			if (!strchr(a, '=') && i + 1 < argc && argv[i + 1][0] != '-') {
				if (push(m, argv[i + 1], err))
					return 2;
				used = 2;
			}
		} else if (a[0] == '-') {
			if ((r = jlink_opt(m, a, i + 1 < argc ? argv[i + 1] : NULL, &used, &strict, err)))
				return r;
		} else {
			fprintf(err, "swdbridge: unexpected argument '%s' in J-Link argument mode\n", a);
			return 2;
		}
		i += used;
	}
	return 0;
}
