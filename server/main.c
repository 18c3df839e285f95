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
#include "server/net/server.h"
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
	const char *probe, *target, *load, *listen, *ftdi_layout;
	const char *sim_chip; /* --sim-chip: which chip --probe sim simulates (for --target auto) */
	long port;
	int verbose;
	bool attach;
};

static void usage(FILE *f)
{
	fprintf(f, "usage: swdbridge [--probe P] --target NAME [--load FILE.elf] [--port N] [--listen ADDR] [-v]\n"
		   "       swdbridge list-probes\n"
		   "  --probe P         sim (built-in simulator), jlink[:SERIAL|:tcp:HOST], ftdi[:VID:PID[:SERIAL]]\n"
		   "  --ftdi-layout L   FTDI adapter layout (see probes/ftdi_layouts.c)\n"
		   "  --target NAME     stm32h743, adiv6-m55, or a J-Link device name such as STM32H743VI\n"
		   "  --load FILE       (sim) load an ELF into the simulated chip before starting\n"
		   "  --port N          first GDB port (default %d; 0 = any free port), +1 per further core\n"
		   "  --listen ADDR     IPv4 address to listen on (default 127.0.0.1)\n"
		   "  --attach          touch nothing on connect (no chip set-up writes); never resets\n"
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
		{"ftdi-layout", required_argument, NULL, 'F'},
		{"sim-chip", required_argument, NULL, 'S'},
		{NULL, 0, NULL, 0}};
	int ch;
	char *end;

	*o = (struct options){.probe = "sim", .target = NULL, .listen = "127.0.0.1", .port = DEFAULT_PORT};
	while ((ch = getopt_long(argc, argv, "vh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'p': o->probe = optarg; break;
		case 't': o->target = optarg; break;
		case 'l': o->load = optarg; break;
		case 'L': o->listen = optarg; break;
		case 'v': o->verbose++; break;
		case 'a': o->attach = true; break;
		case 'F': o->ftdi_layout = optarg; break;
		case 'S': o->sim_chip = optarg; break;
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
static int sim_monitor(void *user, struct sw_session *s, const char *cmd, const char *arg)
{
	struct sim_counters c;

	(void)arg;
	if (strcmp(cmd, "sim") != 0)
		return 1;
	sim_get_counters(user, &c);
	sw_session_say(s, "sim: %.6f s virtual, %llu resets, %llu round trips, %llu SWD transactions, %llu SWCLK cycles",
		       (double)sim_now_ns(user) / 1e9, (unsigned long long)c.resets,
		       (unsigned long long)c.round_trips, (unsigned long long)c.transactions,
		       (unsigned long long)c.swclk_cycles);
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

static void sim_tick(void *user, uint64_t ns)
{
	sim_advance_ns(user, ns);
}

int main(int argc, char **argv)
{
	struct sw_ctx ctx;
	struct options o;
	struct sim *sim = NULL;
	struct sw_probe *probe = NULL;
	struct sw_target *t = NULL;
	struct sw_session sessions[SW_SERVER_MAX_PORTS];
	struct sw_server srv;
	const struct sw_target_desc *desc;
	bool auto_target;
	int r;

	if (argc == 2 && !strcmp(argv[1], "list-probes"))
		return list_probes();
	if ((r = parse(argc, argv, &o)))
		return r;
	sw_ctx_init(&ctx);
	ctx.level = (enum sw_log_level)(SW_LOG_INFO + o.verbose > SW_LOG_WIRE ? SW_LOG_WIRE : SW_LOG_INFO + o.verbose);
	auto_target = !strcmp(o.target, "auto");
	desc = auto_target ? NULL : sw_target_find(o.target);
	if (!desc && !auto_target) {
		fprintf(stderr, "swdbridge: unknown target '%s'; known:", o.target);
		for (const struct sw_target_desc *const *l = sw_target_list(); *l; l++)
			fprintf(stderr, " %s", (*l)->name);
		fprintf(stderr, "\n");
		return 2;
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
			return 1;
		}
		sim_power_on_reset(sim);
		r = sw_sim_probe_open(&ctx, sim, 0, &probe);
	} else if (o.load) {
		fprintf(stderr, "swdbridge: --load is for --probe sim; with a real probe use gdb's load\n");
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
	srv.tick_user = sim;
	for (size_t i = 0; i < sw_target_core_count(t) && i < SW_SERVER_MAX_PORTS; i++) {
		unsigned bound = 0, want = o.port ? (unsigned)o.port + desc->cores[i].port_offset : 0;
		if (!sw_target_core(t, i)) {
			printf("swdbridge: %s core %s: %s\n", desc->name, desc->cores[i].name,
			       sw_target_core_note(t, i));
			continue;
		}
		sw_session_init(&sessions[i], &ctx, sw_target_core(t, i), desc, probe, want);
		sessions[i].core_name = desc->cores[i].name;
		sessions[i].ext_monitor = sim ? sim_monitor : NULL;
		sessions[i].ext_user = sim;
		if ((r = sw_server_listen(&srv, &sessions[i], o.listen, want, &bound))) {
			fprintf(stderr, "swdbridge: %s\n", sw_errmsg(&ctx));
			sw_server_close(&srv);
			goto out;
		}
		printf("swdbridge: %s core %s: gdb port %s:%u\n", desc->name, desc->cores[i].name, o.listen,
		       bound);
		printf("  connect: gdb-multiarch -ex \"target extended-remote %s:%u\" FIRMWARE.elf\n", o.listen,
		       bound);
	}
	fflush(stdout);
	r = sw_server_run(&srv, &stop_requested);
	printf("swdbridge: shutting down\n");
	sw_server_close(&srv);
out:
	sw_target_close(t);
	sw_probe_close(probe);
	sim_free(sim);
	return r ? 1 : 0;
}
