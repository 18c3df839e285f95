/* swdbridge: GDB server for Cortex-M over SWD.
 *   swdbridge [--probe P] --target stm32h743 [--load demo.elf] [--port 2331]
 *             [--listen ADDR] [-v]...      (options: server/options.c)
 * The only process-wide state is the signal flag below (style rule: main.c). */
#include <getopt.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probes/ftdi.h"
#include "probes/jlink.h"
#include "probes/probe_list.h"
#include "probes/sim_probe.h"
#include "server/core_watch.h"
#include "server/connect_reset.h"
#include "server/jlink_args.h"
#include "server/jlink_mode.h"
#include "server/log_file.h"
#include "server/options.h"
#include "server/net/addr.h"
#include "server/net/server.h"
#include "server/rtt/rtt_net.h"
#include "server/swo/swo_cfg.h"
#include "server/swo/swo_net.h"
#include "server/remote/probe_server.h"
#include "server/remote/remote_probe.h"
#include "sim/sim.h"
#include "targets/target.h"

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
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
 *   sim wait MS                      let MS ms of virtual time pass (the cores run)
 *   sim inject wait|fault|parity|noresp|wparity SKIP COUNT, sim inject clear
 *   sim inject flashbit ADDR         the next program of that flash word fails silently */
static int sim_fault_monitor(struct sim *sim, struct sw_session *s, const char *arg)
{
	static const char *const kinds[] = {"wait", "fault", "parity", "noresp", "wparity"};
	static const enum sim_fault faults[] = {SIM_FAULT_WAIT, SIM_FAULT_FAULT, SIM_FAULT_PARITY,
						SIM_FAULT_NORESP, SIM_FAULT_WPARITY};
	char kind[16];
	double ms;
	unsigned skip, count;

	if (sscanf(arg, "reset-in %lf", &ms) == 1 && ms >= 0) {
		sim_schedule_reset(sim, (uint64_t)(ms * 1e6));
		sw_session_say(s, "sim: system reset in %.3f ms of virtual time", ms);
		return 0;
	}
	if (sscanf(arg, "wait %lf", &ms) == 1 && ms >= 0 && ms <= 60000) {
		sim_advance_ns(sim, (uint64_t)(ms * 1e6));
		sw_session_say(s, "sim: %.3f ms of virtual time passed", ms);
		return 0;
	}
	if (!strcmp(arg, "inject clear")) {
		sim_inject_clear(sim);
		sw_session_say(s, "sim: no faults pending");
		return 0;
	}
	if (sscanf(arg, "inject flashbit %x", &skip) == 1) {
		sim_inject_flash_bit(sim, skip);
		sw_session_say(s, "sim: the next program of the flash word at 0x%08x fails silently", skip & ~31u);
		return 0;
	}
	if (sscanf(arg, "inject %15s %u %u", kind, &skip, &count) == 3)
		for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
			if (!strcmp(kind, kinds[i])) {
				sim_inject(sim, faults[i], skip, count);
				sw_session_say(s, "sim: %s on %u transactions after %u more", kind, count, skip);
				return 0;
			}
	sw_session_say(s, "sim: tick on|off | reset-in MS | wait MS | inject wait|fault|parity|noresp|wparity SKIP COUNT | "
			  "inject flashbit ADDR | inject clear");
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
	sw_session_say(s, "sim: %.6f s virtual, %llu resets, %llu round trips, %llu SWD transactions, %llu SWCLK cycles, "
		       "%llu injected faults fired, %llu scheduled resets fired, %llu halts",
		       (double)sim_now_ns(user) / 1e9, (unsigned long long)c.resets,
		       (unsigned long long)c.round_trips, (unsigned long long)c.transactions,
		       (unsigned long long)c.swclk_cycles, (unsigned long long)c.faults_fired,
		       (unsigned long long)c.resets_fired, (unsigned long long)c.halts);
	return 0;
}

/* `swdbridge list-probes`: J-Links on USB and on the LAN (UDP discovery),
 * FTDI adapters of the layout table on USB. */
static int list_probes(void)
{
	struct sw_ctx ctx;
	struct sw_probe_found f[SW_PROBE_LIST_MAX];
	size_t n = 0;

	sw_ctx_init(&ctx);
	ctx.level = SW_LOG_WARN;
	sw_probe_list_all(&ctx, true, f, SW_PROBE_LIST_MAX, &n);
	if (!n)
		printf("no probe found (J-Link on USB or LAN, FTDI adapter on USB); --probe sim runs the simulator\n");
	for (size_t i = 0; i < n && i < SW_PROBE_LIST_MAX; i++)
		printf("%-28s %s\n", f[i].selector, f[i].text);
	return 0;
}

/* sel: --probe, or the selector that finds an opened probe again. */
static int open_probe_sel(struct sw_ctx *ctx, const struct options *o, const char *sel, struct sw_probe **probe)
{
	if (!strncmp(sel, "jlink", 5))
		return sw_jlink_open(ctx, sel, probe);
	if (!strncmp(sel, "remote://", 9))
		return sw_remote_probe_open(ctx, sel + 9, &o->creds, probe);
	if (!strncmp(sel, "ftdi", 4))
		return sw_ftdi_open(ctx, sel, o->ftdi_layout, probe);
	return sw_fail(ctx, SW_ERR_ARG, "--probe %s: unknown probe (sim, jlink, ftdi)", sel);
}

static int open_probe(struct sw_ctx *ctx, const struct options *o, struct sw_probe **probe)
{
	return open_probe_sel(ctx, o, o->probe, probe);
}

/* No --probe (nor SWDBRIDGE_PROBE): the one real probe connected, never
 * the simulator (ARCHITECTURE.md §4). */
static int choose_probe(struct sw_ctx *ctx, struct options *o, struct sw_probe_found *pick)
{
	int r;

	if (o->probe)
		return SW_OK;
	if ((r = sw_probe_pick(ctx, o->ftdi_layout, pick)))
		return r;
	o->probe = pick->selector;
	if (!o->ftdi_layout && pick->layout[0])
		o->ftdi_layout = pick->layout;
	printf("swdbridge: probe %s (%s): the one probe connected\n", pick->selector, pick->text);
	fflush(stdout);
	return SW_OK;
}

#define SPEED_AUTO_KHZ 100000u /* drivers clamp to their fastest (sim 50 MHz, FT232H 30 MHz, J-Link GET_SPEEDS) */

static int set_speed(struct sw_ctx *ctx, struct sw_probe *probe, unsigned khz)
{
	uint32_t actual = 0;
	int r = sw_probe_set_freq(probe, khz * 1000u, &actual);

	return r ? sw_fail(ctx, r, "--speed %u: %s", khz, sw_errmsg(ctx)) : SW_OK;
}

static int open_target(struct sw_ctx *ctx, const struct options *o, struct sw_probe *probe,
		       const struct sw_target_desc **desc, bool auto_target, struct sw_target **t)
{
	int r = SW_OK;

	if (auto_target && !(r = sw_target_identify(ctx, probe, desc)))
		printf("swdbridge: --target auto: %s (%s)\n", (*desc)->name, (*desc)->summary);
	if (r)
		return r;
	if (o->connect_under_reset)
		return sw_connect_under_reset(ctx, probe, *desc, t);
	return sw_target_open(ctx, probe, *desc, o->attach ? SW_TARGET_OPEN_ATTACH : 0, t);
}

/* --speed KHZ sets the clock first; --speed auto the fastest the probe offers. */
static int connect_target(struct sw_ctx *ctx, const struct options *o, struct sw_probe *probe,
			  const struct sw_target_desc **desc, bool auto_target, struct sw_target **t)
{
	unsigned khz = o->speed_auto ? SPEED_AUTO_KHZ : o->speed_khz;
	int r;

	if (khz && (r = set_speed(ctx, probe, khz)))
		return r;
	if (!(r = open_target(ctx, o, probe, desc, auto_target, t)) && khz)
		printf("swdbridge: SWD clock %u kHz%s\n", probe->freq_hz / 1000u, o->speed_auto ? " (--speed auto)" : "");
	return r;
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
	/* The same probe, not merely the first one found (J-Link by serial). */
	if ((r = open_probe_sel(h->ctx, h->o, (*h->probe)->reopen[0] ? (*h->probe)->reopen : h->o->probe, &probe)) ||
	    ((h->o->speed_khz || h->o->speed_auto) &&
	     (r = set_speed(h->ctx, probe, h->o->speed_auto ? SPEED_AUTO_KHZ : h->o->speed_khz))) ||
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
	SW_LOG_I(h->ctx, "probe %s reconnected", probe->reopen[0] ? probe->reopen : h->o->probe);
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
	if (o->rtt && s->core)
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

/* A core that starts after the server (core_watch.c): its session and
 * RTT exist already; give it the core, its gdb port and --rtt. */
struct late_cores {
	struct sw_core_watch watch;
	struct sw_server *srv;
	struct sw_session *sessions;
	struct sw_target *const *t;
	const struct options *o;
	const struct sw_target_desc *desc;
	struct sw_rtt_net **rtts;
};

static int late_core_up(void *user, size_t i)
{
	struct late_cores *l = user;
	int r;

	l->sessions[i].core = sw_target_core(*l->t, i);
	if ((r = listen_core(l->srv, &l->sessions[i], l->o, l->desc, i)))
		return r;
	if (l->o->rtt && l->rtts[i])
		sw_rtt_start(sw_rtt_net_engine(l->rtts[i]));
	fflush(stdout);
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
	struct late_cores late = {.sessions = sessions, .t = &t, .o = &o, .rtts = rtts};
	struct sw_probe_found pick;
	struct sw_log_file log = {NULL};
	struct sw_jlink_mode jm = {0};
	int r;

	if (argc == 2 && !strcmp(argv[1], "list-probes"))
		return list_probes();
	if (argc >= 2 && !strcmp(argv[1], "probe-server"))
		return sw_probe_server_main(argc - 1, argv + 1, &stop_requested, on_signal);
	if (sw_jlink_args_wanted(argc, argv)) { /* J-Link GDB Server's command line */
		if ((r = sw_jlink_args_translate(argc, argv, &jm, stderr)))
			return r;
		argc = jm.argc;
		argv = jm.argv;
	}
	if ((r = sw_options_parse(argc, argv, &o)))
		return r;
	sw_ctx_init(&ctx);
	ctx.level = (enum sw_log_level)(SW_LOG_INFO + o.verbose > SW_LOG_WIRE ? SW_LOG_WIRE : SW_LOG_INFO + o.verbose);
	if (o.log_path && sw_log_file_open(&ctx, o.log_path, &log)) {
		fprintf(stderr, "swdbridge: %s\n", sw_errmsg(&ctx));
		return 2;
	}
	auto_target = !strcmp(o.target, "auto");
	desc = auto_target ? NULL : sw_target_find(o.target);
	if (!desc && !auto_target) {
		fprintf(stderr, "swdbridge: unknown target '%s'; known:", o.target);
		for (const struct sw_target_desc *const *l = sw_target_list(); *l; l++)
			fprintf(stderr, " %s", (*l)->name);
		fprintf(stderr, "\n");
		sw_log_file_close(&ctx, &log);
		return 2;
	}
	if (choose_probe(&ctx, &o, &pick)) {
		fprintf(stderr, "swdbridge: %s\n", sw_errmsg(&ctx));
		sw_log_file_close(&ctx, &log);
		return 1;
	}
	if (!o.elf && o.load && !strchr(o.load, ',')) /* a list: one image per core */
		o.elf = o.load;
	if (o.elf && sw_elf_open_file(&ctx, o.elf, &elf)) {
		fprintf(stderr, "swdbridge: %s\n", sw_errmsg(&ctx));
		sw_log_file_close(&ctx, &log);
		return 1;
	}
	if (!strcmp(o.probe, "sim")) {
		const char *chip = o.sim_chip ? o.sim_chip
				   : desc     ? (desc->sim_chip ? desc->sim_chip : desc->name)
					      : NULL;
		if (!chip) {
			fprintf(stderr, "swdbridge: --target auto with --probe sim needs --sim-chip NAME\n");
			sw_elf_close(elf);
			sw_log_file_close(&ctx, &log);
			return 2;
		}
		if ((r = sim_new(&ctx, chip, &sim)) || (o.load && (r = load_elfs(&ctx, sim, o.load)))) {
			fprintf(stderr, "swdbridge: %s\n", sw_errmsg(&ctx));
			sim_free(sim);
			sw_elf_close(elf);
			sw_log_file_close(&ctx, &log);
			return 1;
		}
		sim_power_on_reset(sim);
		host.sim = sim;
		printf("swdbridge: probe sim%s: the built-in simulator (a simulated %s), no hardware is touched\n",
		       !strcmp(o.probe_from, "SWDBRIDGE_PROBE") ? " (from SWDBRIDGE_PROBE)" : "", chip);
		fflush(stdout);
		r = sw_sim_probe_open(&ctx, sim, 0, &probe);
	} else if (o.load) {
		fprintf(stderr, "swdbridge: --load is for --probe sim; with a real probe use gdb's load\n");
		sw_elf_close(elf);
		sw_log_file_close(&ctx, &log);
		return 2;
	} else {
		r = open_probe(&ctx, &o, &probe);
	}
	if (r || (r = connect_target(&ctx, &o, probe, &desc, auto_target, &t))) {
		fprintf(stderr, "swdbridge: %s\n", sw_errmsg(&ctx));
		goto out;
	}
	sw_server_catch_signals(on_signal);
	sw_server_init(&srv, &ctx);
	srv.tick = sim ? sim_tick : NULL;
	srv.tick_user = &host;
	late.srv = &srv;
	late.desc = desc;
	sw_core_watch_init(&late.watch, &ctx, &t, late_core_up, &late);
	if (!o.elf && o.load && (r = open_core_elfs(&ctx, o.load, core_elf, SW_SERVER_MAX_PORTS))) {
		fprintf(stderr, "swdbridge: %s\n", sw_errmsg(&ctx));
		sw_server_close(&srv);
		goto out;
	}
	for (size_t i = 0; i < sw_target_core_count(t) && i < SW_SERVER_MAX_PORTS; i++) {
		unsigned want = o.port ? (unsigned)o.port + desc->cores[i].port_offset : 0;
		sw_session_init(&sessions[i], &ctx, sw_target_core(t, i), desc, probe, want);
		sessions[i].core_name = desc->cores[i].name;
		sessions[i].ext_monitor = sim ? sim_monitor : NULL;
		sessions[i].ext_user = &host;
		sessions[i].elf = core_elf[i] ? core_elf[i] : elf;
		sessions[i].no_loader = o.no_loader;
		sessions[i].reconnect = sim ? NULL : reconnect_probe;
		sessions[i].reconnect_user = &ph;
		sessions[i].clock_ns = sim ? sim_clock : NULL;
		sessions[i].clock_user = &host;
		sessions[i].semihosting = o.semihosting;
		ph.desc = desc;
		ph.n_sessions = i + 1;
		/* RTT for every core now (services cannot be added while the loop
		 * runs); a core not started yet gets its gdb port when it starts. */
		if ((r = rtt_setup(&srv, &sessions[i], i, &o, &host, &rtts[i])) ||
		    (sw_target_core(t, i) && (r = listen_core(&srv, &sessions[i], &o, desc, i)))) {
			fprintf(stderr, "swdbridge: %s\n", sw_errmsg(&ctx));
			sw_server_close(&srv);
			goto out;
		}
		if (!sw_target_core(t, i)) {
			printf("swdbridge: %s core %s: %s; its gdb port opens when it starts\n", desc->name,
			       desc->cores[i].name, sw_target_core_note(t, i));
			sw_core_watch_add(&late.watch, i);
		}
	}
	if (sw_core_watch_active(&late.watch) && (r = sw_server_add_svc(&srv, &late.watch.svc))) {
		fprintf(stderr, "swdbridge: %s\n", sw_errmsg(&ctx));
		sw_server_close(&srv);
		goto out;
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
	for (size_t i = 0; t && i < sw_target_core_count(t); i++)
		if (sw_target_core(t, i) && sw_core_release(sw_target_core(t, i)))
			SW_LOG_W(&ctx, "leaving the vector catch as it is: %s", sw_errmsg(&ctx));
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
	sw_log_file_close(&ctx, &log);
	return r ? 1 : 0;
}
