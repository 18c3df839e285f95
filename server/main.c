/* swdbridge: GDB server for Cortex-M over SWD.
 *   swdbridge --probe sim --target stm32h743 [--load demo.elf] [--port 2331]
 *             [--listen ADDR] [-v]...
 * The only process-wide state is the signal flag below (style rule: main.c). */
#include <getopt.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probes/ftdi.h"
#include "probes/jlink.h"
#include "probes/sim_probe.h"
#include "server/net/addr.h"
#include "server/net/server.h"
#include "server/jlink_args.h"
#include "server/jlink_mode.h"
#include "server/rtt/rtt_net.h"
#include "server/swo/swo_cfg.h"
#include "server/swo/swo_net.h"
#include "server/remote/probe_server.h"
#include "server/remote/remote_probe.h"
#include "sim/sim.h"
#include "targets/target.h"

#define DEFAULT_PORT 2331 /* J-Link GDB Server's, so Cortex-Debug "external" configs work */

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

struct options {
	const char *probe, *target, *load, *listen, *ftdi_layout, *elf;
	const char *sim_chip; /* --sim-chip: which chip --probe sim simulates (for --target auto) */
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
};

static void usage(FILE *f)
{
	fprintf(f, "usage: swdbridge [--probe P] --target NAME [--load FILE.elf] [--port N] [--listen ADDR] [-v]\n"
		   "       swdbridge list-probes\n"
		   "  --probe P         sim (built-in simulator), jlink[:SERIAL|:tcp:HOST], ftdi[:VID:PID[:SERIAL]],\n"
		   "                    remote://HOST:PORT (a probe-server on another machine)\n"
		   "  --ftdi-layout L   FTDI adapter layout (see probes/ftdi_layouts.c)\n"
		   "  --target NAME     stm32h743, mimxrt1062, stm32n657, ae3 (ae3-hp, ae3-he), stm32f407,\n"
		   "                    adiv6-m55, a J-Link device name such as\n"
		   "                    STM32H743VI or AE302F80F55D5_HP, or auto (identify the chip)\n"
		   "  --load FILE[,FILE] (sim) load ELFs into the simulated chip before starting\n"
		   "  --sim-chip NAME   (sim) chip to simulate with --target auto\n"
		   "  --no-loader       program flash from the host (register level), not with the on-target loader\n"
		   "  --elf FILE        the firmware's ELF, for symbol names (monitor watch) and RTT\n"
		   "  --port N          first GDB port (default %d; 0 = any free port), +1 per further core\n"
		   "  --listen ADDR[:PORT]  address to listen on, IPv4 or IPv6 ([::1]:2331); repeatable\n"
		   "                    (default 127.0.0.1; beyond loopback the client commands are printed)\n"
		   "  --psk-file F | --cert C --key K --ca CA   credentials for --probe remote://HOST:PORT\n"
		   "       swdbridge probe-server --help    (export a probe to another machine over TLS)\n"
		   "  --attach          touch nothing on connect (no chip set-up writes); never resets\n"
		   "  --semihosting     serve ARM semihosting (BKPT 0xAB): console, files through gdb, exit\n"
		   "  --rtt             serve RTT channels from the start (TCP 19021+N; else 'monitor rtt start')\n"
		   "  --rtt-log FILE    append RTT up channel 0 to FILE (implies --rtt)\n"
		   "  --rtt-port N      first RTT port (default 19021), +16 per further core\n"
		   "  --swo BAUD        capture SWO (ITM) at BAUD: raw stream on TCP 2332, port 0 text on the next port\n"
		   "  --swo-clk HZ      trace clock for the SWO prescaler (default 64000000)\n"
		   "  --swo-port N      SWO raw stream port (default 2332; the next free one if taken)\n"
		   "  -v                more log output (-vv: debug, -vvv: wire trace)\n",
		DEFAULT_PORT);
}

static int parse(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{"probe", required_argument, NULL, 'p'}, {"target", required_argument, NULL, 't'},
		{"load", required_argument, NULL, 'l'},  {"port", required_argument, NULL, 'P'},
		{"listen", required_argument, NULL, 'L'}, {"verbose", no_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'},         {"attach", no_argument, NULL, 'a'},
		{"ftdi-layout", required_argument, NULL, 'F'}, {"elf", required_argument, NULL, 'E'},
		{"no-loader", no_argument, NULL, 'N'},
		{"rtt", no_argument, NULL, 'R'}, {"rtt-log", required_argument, NULL, 'G'},
		{"rtt-port", required_argument, NULL, 'r'},
		{"swo", required_argument, NULL, 'S'}, {"swo-clk", required_argument, NULL, 'Z'},
		{"swo-port", required_argument, NULL, 'W'},
		{"psk-file", required_argument, NULL, 'K'}, {"cert", required_argument, NULL, 'C'},
		{"key", required_argument, NULL, 'k'},      {"ca", required_argument, NULL, 'A'},
		{"sim-chip", required_argument, NULL, 'M'},
		{"semihosting", no_argument, NULL, 'H'},
		{NULL, 0, NULL, 0}};
	int ch;
	char *end;

	*o = (struct options){.probe = "sim", .target = NULL, .listen = "127.0.0.1", .port = DEFAULT_PORT};
	while ((ch = getopt_long(argc, argv, "vh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'p': o->probe = optarg; break;
		case 't': o->target = optarg; break;
		case 'l': o->load = optarg; break;
		case 'L':
			if (o->n_listen == SW_SERVER_MAX_LISTEN) {
				fprintf(stderr, "swdbridge: at most %d --listen options\n", SW_SERVER_MAX_LISTEN);
				return 2;
			}
			o->listens[o->n_listen++] = optarg;
			break;
		case 'K': o->creds.psk_file = optarg; break;
		case 'C': o->creds.cert = optarg; break;
		case 'k': o->creds.key = optarg; break;
		case 'A': o->creds.ca = optarg; break;
		case 'v': o->verbose++; break;
		case 'a': o->attach = true; break;
		case 'F': o->ftdi_layout = optarg; break;
		case 'M': o->sim_chip = optarg; break;
		case 'E': o->elf = optarg; break;
		case 'N': o->no_loader = true; break;
		case 'H': o->semihosting = true; break;
		case 'R': o->rtt = true; break;
		case 'S': case 'Z': case 'W': {
			long v = strtol(optarg, &end, 10);
			if (*end || v < 1 || v > (ch == 'W' ? 65535 : 0x7FFFFFFF)) {
				fprintf(stderr, "swdbridge: bad number '%s'\n", optarg);
				return 2;
			}
			*(ch == 'S' ? &o->swo_baud : ch == 'Z' ? &o->swo_clk : &o->swo_port) = v;
			break;
		}
		case 'G': o->rtt_log = optarg; o->rtt = true; break;
		case 'r':
			o->rtt_port = strtol(optarg, &end, 10);
			if (*end || o->rtt_port < 1 || o->rtt_port > 65535 - 64) {
				fprintf(stderr, "swdbridge: --rtt-port: '%s' is not a port number\n", optarg);
				return 2;
			}
			break;
		case 'P':
			o->port = strtol(optarg, &end, 10);
			if (*end || o->port < 0 || o->port > 65535) {
				fprintf(stderr, "swdbridge: --port: '%s' is not a port number\n", optarg);
				return 2;
			}
			break;
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "swdbridge: unexpected argument '%s' (see --help)\n", argv[optind]);
		return 2;
	}
	if (!o->target) {
		fprintf(stderr, "swdbridge: --target is required (e.g. --target stm32h743)\n");
		return 2;
	}
	return 0;
}

/* "monitor sim": what the simulator counted (virtual time, resets...). */
/* The simulator and whether wall time drives its clock between packets
 * (so firmware runs while gdb is idle; benchmarks turn it off). */
struct sim_host {
	struct sim *sim;
	bool tick;
};

/* Fault injection for tests and fault campaigns (issue 9):
 *   sim reset-in MS                  system reset MS ms of virtual time from now
 *   sim inject wait|fault|parity|noresp SKIP COUNT, sim inject clear */
static int sim_fault_monitor(struct sim *sim, struct sw_session *s, const char *arg)
{
	static const char *const kinds[] = {"wait", "fault", "parity", "noresp"};
	static const enum sim_fault faults[] = {SIM_FAULT_WAIT, SIM_FAULT_FAULT, SIM_FAULT_PARITY,
						SIM_FAULT_NORESP};
	char kind[16];
	double ms;
	unsigned skip, count;

	if (sscanf(arg, "reset-in %lf", &ms) == 1 && ms >= 0) {
		sim_schedule_reset(sim, (uint64_t)(ms * 1e6));
		sw_session_say(s, "sim: system reset in %.3f ms of virtual time", ms);
		return 0;
	}
	if (!strcmp(arg, "inject clear")) {
		sim_inject_clear(sim);
		sw_session_say(s, "sim: no faults pending");
		return 0;
	}
	if (sscanf(arg, "inject %15s %u %u", kind, &skip, &count) == 3)
		for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
			if (!strcmp(kind, kinds[i])) {
				sim_inject(sim, faults[i], skip, count);
				sw_session_say(s, "sim: %s on %u transactions after %u more", kind, count, skip);
				return 0;
			}
	sw_session_say(s, "sim: tick on|off | reset-in MS | inject wait|fault|parity|noresp SKIP COUNT | inject clear");
	return -1;
}

static int sim_monitor(void *user, struct sw_session *s, const char *cmd, const char *arg)
{
	struct sim_host *h = user;
	struct sim_counters c;

	if (strcmp(cmd, "sim") != 0)
		return 1;
	if (arg && (!strcmp(arg, "tick off") || !strcmp(arg, "tick on"))) {
		h->tick = !strcmp(arg, "tick on");
		sw_session_say(s, "sim: wall-clock tick %s", h->tick ? "on" : "off");
		return 0;
	}
	if (arg && *arg)
		return sim_fault_monitor(h->sim, s, arg);
	user = h->sim;
	sim_get_counters(user, &c);
	sw_session_say(s, "sim: %.6f s virtual, %llu resets, %llu round trips, %llu SWD transactions, %llu SWCLK cycles, %llu halts",
		       (double)sim_now_ns(user) / 1e9, (unsigned long long)c.resets,
		       (unsigned long long)c.round_trips, (unsigned long long)c.transactions,
		       (unsigned long long)c.swclk_cycles, (unsigned long long)c.halts);
	return 0;
}

/* `swdbridge list-probes`: J-Links on USB and on the LAN (UDP discovery). */
static int list_probes(void)
{
	struct sw_ctx ctx;
	struct sw_jlink_info info[16];
	size_t n = 0;

	sw_ctx_init(&ctx);
	ctx.level = SW_LOG_WARN;
	if (sw_jlink_list(&ctx, SW_JLINK_LIST_USB | SW_JLINK_LIST_TCP | SW_JLINK_LIST_FIRMWARE, info, 16, &n)) {
		fprintf(stderr, "swdbridge: list-probes: %s\n", sw_errmsg(&ctx));
		return 1;
	}
	if (!n)
		printf("no J-Link found (USB or TCP); FTDI adapters are opened by VID:PID with --probe ftdi\n");
	for (size_t i = 0; i < n && i < 16; i++)
		printf("jlink:%u  %s%s%s  %s\n", info[i].serial, info[i].tcp ? "tcp " : "usb",
		       info[i].tcp ? info[i].ipv4 : "", info[i].product[0] ? info[i].product : "",
		       info[i].firmware);
	return 0;
}

static int open_probe(struct sw_ctx *ctx, const struct options *o, struct sw_probe **probe)
{
	if (!strncmp(o->probe, "jlink", 5))
		return sw_jlink_open(ctx, o->probe, probe);
	if (!strncmp(o->probe, "remote://", 9))
		return sw_remote_probe_open(ctx, o->probe + 9, &o->creds, probe);
	if (!strncmp(o->probe, "ftdi", 4))
		return sw_ftdi_open(ctx, o->probe, o->ftdi_layout, probe);
	return sw_fail(ctx, SW_ERR_ARG, "--probe %s: unknown probe (sim, jlink, ftdi)", o->probe);
}

/* --load a.elf,b.elf: one image per core on multi-core chips. */
static int load_elfs(struct sw_ctx *ctx, struct sim *sim, const char *list)
{
	char path[4096];
	int r;

	while (*list) {
		size_t n = strcspn(list, ",");
		if (n >= sizeof(path))
			return sw_fail(ctx, SW_ERR_ARG, "--load: path too long");
		memcpy(path, list, n);
		path[n] = 0;
		if (n && (r = sim_load_elf(sim, path)))
			return r;
		list += n + (list[n] == ',');
	}
	return SW_OK;
}

/* --load a.elf,b.elf: core i's symbols (RTT control block, monitor watch)
 * come from the i-th image. */
static int open_core_elfs(struct sw_ctx *ctx, const char *list, struct sw_elf **out, size_t max)
{
	char path[4096];
	int r;

	for (size_t i = 0; *list && i < max; i++) {
		size_t n = strcspn(list, ",");
		if (n >= sizeof(path))
			return sw_fail(ctx, SW_ERR_ARG, "--load: path too long");
		memcpy(path, list, n);
		path[n] = 0;
		if (n && (r = sw_elf_open_file(ctx, path, &out[i])))
			return r;
		list += n + (list[n] == ',');
	}
	return SW_OK;
}

/* What `monitor probe reconnect` needs: the probe and target of main() and
 * every session that points into them. */
struct probe_host {
	struct sw_ctx *ctx;
	const struct options *o;
	const struct sw_target_desc *desc;
	struct sw_probe **probe;
	struct sw_target **t;
	struct sw_session *sessions;
	size_t n_sessions;
};

/* Open a new probe and target first; only when both work are the old
 * (dead) ones closed and the sessions moved over, so a failed attempt
 * leaves everything as it was (commands keep failing, nothing dangles). */
static int reconnect_probe(void *user, struct sw_session *s)
{
	struct probe_host *h = user;
	struct sw_probe *probe = NULL;
	struct sw_target *t = NULL;
	int r;

	(void)s;
	if ((r = open_probe(h->ctx, h->o, &probe)) ||
	    (r = sw_target_open(h->ctx, probe, h->desc, h->o->attach ? SW_TARGET_OPEN_ATTACH : 0, &t))) {
		sw_probe_close(probe);
		return r;
	}
	sw_target_close(*h->t);
	sw_probe_close(*h->probe);
	*h->t = t;
	*h->probe = probe;
	for (size_t i = 0; i < h->n_sessions; i++) {
		h->sessions[i].core = sw_target_core(t, i);
		h->sessions[i].probe = probe;
	}
	SW_LOG_I(h->ctx, "probe %s reconnected", h->o->probe);
	return SW_OK;
}

static void sim_tick(void *user, uint64_t ns)
{
	struct sim_host *h = user;

	if (h->tick)
		sim_advance_ns(h->sim, ns);
}

static uint64_t sim_clock(void *user)
{
	return sim_now_ns(((struct sim_host *)user)->sim);
}

/* RTT service of core i: ports base + 16 * i + channel. */
static int rtt_setup(struct sw_server *srv, struct sw_session *s, size_t i, const struct options *o,
		     struct sim_host *host, struct sw_rtt_net **out)
{
	struct sw_rtt_net_cfg cfg = {
		.listen = o->n_listen ? o->listens[0] : o->listen,
		.base_port = (unsigned)(o->rtt_port ? o->rtt_port : SW_RTT_DEFAULT_PORT) + 16u * (unsigned)i,
		.log_path = i == 0 ? o->rtt_log : NULL,
		.clock_ns = host->sim ? sim_clock : NULL,
		.clock_user = host,
	};
	int r = sw_rtt_net_new(s, &cfg, out);

	if (r || (r = sw_server_add_svc(srv, sw_rtt_net_svc(*out))))
		return r;
	if (o->rtt)
		sw_rtt_start(sw_rtt_net_engine(*out));
	return SW_OK;
}

/* SWO on the first core: ports 2332 (or the next free) and the one after. */
static int swo_setup(struct sw_server *srv, struct sw_session *s, struct sw_target *const *t,
		     const struct options *o, struct sim_host *host, struct sw_swo_net **out)
{
	struct sw_swo_net_cfg cfg = {
		.listen = o->n_listen ? o->listens[0] : o->listen,
		.port = o->swo_port ? (unsigned)o->swo_port : SW_SWO_DEFAULT_PORT,
		.target = sw_target_get_desc(*t)->name,
		.t = t,
		.clock_ns = host->sim ? sim_clock : NULL,
		.clock_user = host,
	};
	int r = sw_swo_net_new(s, &cfg, out);

	if (r || (r = sw_server_add_svc(srv, sw_swo_net_svc(*out))))
		return r;
	s->swo = *out;
	if (o->swo_baud)
		return sw_swo_net_start(*out, (uint32_t)o->swo_baud,
					o->swo_clk ? (uint32_t)o->swo_clk : SW_SWO_DEFAULT_CLK, 1u);
	return SW_OK;
}

/* One core's gdb listeners, one per --listen (default 127.0.0.1): an
 * ADDR:PORT's port, else --port, plus the core's offset. Prints how to
 * connect, and for non-loopback addresses the client addresses, WSL hints
 * and a Cortex-Debug snippet. */
static int listen_core(struct sw_server *srv, struct sw_session *s, const struct options *o,
		       const struct sw_target_desc *desc, size_t i)
{
	unsigned n = o->n_listen ? o->n_listen : 1;

	for (unsigned k = 0; k < n; k++) {
		struct sw_net_addr la;
		char text[SW_ADDR_TEXT], hints[2048];
		unsigned bound = 0, base;
		int r = sw_net_addr_parse(srv->ctx, o->n_listen ? o->listens[k] : o->listen, (unsigned)o->port, &la);
		if (r)
			return r;
		base = sw_net_addr_port(&la);
		if ((r = sw_server_listen(srv, s, la.host, base ? base + desc->cores[i].port_offset : 0, &bound)))
			return r;
		sw_net_addr_set_port(&la, bound);
		sw_net_addr_text(&la, text, sizeof(text));
		printf("swdbridge: %s core %s: gdb port %s\n", desc->name, desc->cores[i].name, text);
		if (sw_net_addr_is_any(&la)) /* from this machine; the hints list the others */
			snprintf(text, sizeof(text), la.ss.ss_family == AF_INET6 ? "[::1]:%u" : "127.0.0.1:%u", bound);
		printf("  connect: gdb-multiarch -ex \"target extended-remote %s\" FIRMWARE.elf\n", text);
		if (!sw_net_addr_is_loopback(&la)) {
			sw_net_listen_hints(&la, desc->cores[i].name, hints, sizeof(hints));
			fputs(hints, stdout);
		}
	}
	return SW_OK;
}

int main(int argc, char **argv)
{
	struct sw_ctx ctx;
	struct options o;
	struct sim *sim = NULL;
	struct sim_host host = {NULL, true};
	struct sw_probe *probe = NULL;
	struct sw_target *t = NULL;
	struct sw_session sessions[SW_SERVER_MAX_PORTS];
	struct sw_server srv;
	struct sw_elf *elf = NULL;
	struct sw_elf *core_elf[SW_SERVER_MAX_PORTS] = {NULL};
	struct sw_rtt_net *rtts[SW_SERVER_MAX_PORTS] = {NULL};
	struct sw_swo_net *swo = NULL;
	const struct sw_target_desc *desc;
	bool auto_target;
	struct probe_host ph = {&ctx, &o, NULL, &probe, &t, sessions, 0};
	struct sw_jlink_mode jm = {0};
	int r;

	if (sw_jlink_args_wanted(argc, argv)) { /* J-Link GDB Server's command line */
		if ((r = sw_jlink_args_translate(argc, argv, &jm, stderr)))
			return r;
		argc = jm.argc;
		argv = jm.argv;
	}
	if (argc == 2 && !strcmp(argv[1], "list-probes"))
		return list_probes();
	if (argc >= 2 && !strcmp(argv[1], "probe-server"))
		return sw_probe_server_main(argc - 1, argv + 1, &stop_requested, on_signal);
	if ((r = parse(argc, argv, &o)))
		return r;
	sw_ctx_init(&ctx);
	ctx.level = (enum sw_log_level)(SW_LOG_INFO + o.verbose > SW_LOG_WIRE ? SW_LOG_WIRE : SW_LOG_INFO + o.verbose);
	if (jm.on && sw_jlink_mode_log(&jm, &ctx)) {
		fprintf(stderr, "swdbridge: %s\n", sw_errmsg(&ctx));
		return 1;
	}
	auto_target = !strcmp(o.target, "auto");
	desc = auto_target ? NULL : sw_target_find(o.target);
	if (!desc && !auto_target) {
		fprintf(stderr, "swdbridge: unknown target '%s'; known:", o.target);
		for (const struct sw_target_desc *const *l = sw_target_list(); *l; l++)
			fprintf(stderr, " %s", (*l)->name);
		fprintf(stderr, "\n");
		return 2;
	}
	if (!o.elf && o.load && !strchr(o.load, ',')) /* a list: one image per core */
		o.elf = o.load;
	if (o.elf && sw_elf_open_file(&ctx, o.elf, &elf)) {
		fprintf(stderr, "swdbridge: %s\n", sw_errmsg(&ctx));
		return 1;
	}
	if (!strcmp(o.probe, "sim")) {
		const char *chip = o.sim_chip ? o.sim_chip
				   : desc     ? (desc->sim_chip ? desc->sim_chip : desc->name)
					      : NULL;
		if (!chip) {
			fprintf(stderr, "swdbridge: --target auto with --probe sim needs --sim-chip NAME\n");
			return 2;
		}
		if ((r = sim_new(&ctx, chip, &sim)) || (o.load && (r = load_elfs(&ctx, sim, o.load)))) {
			fprintf(stderr, "swdbridge: %s\n", sw_errmsg(&ctx));
			sim_free(sim);
			sw_elf_close(elf);
			return 1;
		}
		sim_power_on_reset(sim);
		host.sim = sim;
		r = sw_sim_probe_open(&ctx, sim, 0, &probe);
	} else if (o.load) {
		fprintf(stderr, "swdbridge: --load is for --probe sim; with a real probe use gdb's load\n");
		sw_elf_close(elf);
		return 2;
	} else {
		r = open_probe(&ctx, &o, &probe);
	}
	if (!r && auto_target && !(r = sw_target_identify(&ctx, probe, &desc)))
		printf("swdbridge: --target auto: %s (%s)\n", desc->name, desc->summary);
	if (r || (r = sw_target_open(&ctx, probe, desc, o.attach ? SW_TARGET_OPEN_ATTACH : 0, &t))) {
		fprintf(stderr, "swdbridge: %s\n", sw_errmsg(&ctx));
		goto out;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGPIPE, SIG_IGN);
	sw_server_init(&srv, &ctx);
	srv.tick = sim ? sim_tick : NULL;
	srv.tick_user = &host;
	if (!o.elf && o.load && (r = open_core_elfs(&ctx, o.load, core_elf, SW_SERVER_MAX_PORTS))) {
		fprintf(stderr, "swdbridge: %s\n", sw_errmsg(&ctx));
		sw_server_close(&srv);
		goto out;
	}
	for (size_t i = 0; i < sw_target_core_count(t) && i < SW_SERVER_MAX_PORTS; i++) {
		unsigned want = o.port ? (unsigned)o.port + desc->cores[i].port_offset : 0;
		if (!sw_target_core(t, i)) {
			printf("swdbridge: %s core %s: %s\n", desc->name, desc->cores[i].name,
			       sw_target_core_note(t, i));
			continue;
		}
		sw_session_init(&sessions[i], &ctx, sw_target_core(t, i), desc, probe, want);
		sessions[i].core_name = desc->cores[i].name;
		sessions[i].ext_monitor = sim ? sim_monitor : NULL;
		sessions[i].ext_user = &host;
		sessions[i].elf = core_elf[i] ? core_elf[i] : elf;
		sessions[i].no_loader = o.no_loader;
		sessions[i].semihosting = o.semihosting;
		sessions[i].reconnect = sim ? NULL : reconnect_probe;
		sessions[i].reconnect_user = &ph;
		sessions[i].clock_ns = sim ? sim_clock : NULL;
		sessions[i].clock_user = &host;
		ph.desc = desc;
		ph.n_sessions = i + 1;
		if ((r = listen_core(&srv, &sessions[i], &o, desc, i))) {
			fprintf(stderr, "swdbridge: %s\n", sw_errmsg(&ctx));
			sw_server_close(&srv);
			goto out;
		}
		if ((r = rtt_setup(&srv, &sessions[i], i, &o, &host, &rtts[i]))) {
			fprintf(stderr, "swdbridge: %s\n", sw_errmsg(&ctx));
			sw_server_close(&srv);
			goto out;
		}
	}
	if ((r = swo_setup(&srv, &sessions[0], &t, &o, &host, &swo))) {
		fprintf(stderr, "swdbridge: %s\n", sw_errmsg(&ctx));
		sw_server_close(&srv);
		goto out;
	}
	if (jm.on && (r = sw_jlink_mode_start(&jm, &srv, &sessions[0], swo))) {
		fprintf(stderr, "swdbridge: %s\n", sw_errmsg(&ctx));
		sw_server_close(&srv);
		goto out;
	}
	fflush(stdout);
	r = sw_server_run(&srv, &stop_requested);
	printf("swdbridge: shutting down\n");
	sw_server_close(&srv);
out:
	for (size_t i = 0; i < SW_SERVER_MAX_PORTS; i++)
		sw_rtt_net_free(rtts[i]);
	sw_swo_net_free(swo);
	sw_jlink_mode_stop(&jm);
	sw_target_close(t);
	sw_probe_close(probe);
	sim_free(sim);
	sw_elf_close(elf);
	for (size_t i = 0; i < SW_SERVER_MAX_PORTS; i++)
		sw_elf_close(core_elf[i]);
	return r ? 1 : 0;
}
