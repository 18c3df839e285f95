/* `swdbridge probe-server`: options, probe opening, start-up text. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probes/ftdi.h"
#include "probes/jlink.h"
#include "probes/sim_probe.h"
#include "server/net/server.h"
#include "server/remote/probe_server.h"
#include "server/remote/remote_probe.h"
#include "sim/sim.h"
#include "targets/target.h"

struct ps_opts {
	const char *probe, *target, *load, *ftdi_layout;
	const char *listens[SW_PROBE_SERVER_MAX_LISTEN];
	unsigned n_listen;
	struct sw_tls_creds creds;
	long lan_rtt_us;
	int verbose;
};

static void ps_usage(FILE *f)
{
	fprintf(f, "usage: swdbridge probe-server --probe P [--listen ADDR:PORT]... [--psk-file F | --cert C --key K --ca CA]\n"
		   "  --probe P         sim, jlink[:SERIAL|:tcp:HOST], ftdi[:VID:PID[:SERIAL]]\n"
		   "  --target NAME     (sim) the chip to simulate, e.g. stm32h743\n"
		   "  --load FILE       (sim) ELF loaded into the simulated chip\n"
		   "  --ftdi-layout L   FTDI adapter layout\n"
		   "  --listen ADDR:PORT  default 127.0.0.1:%d; IPv6 as [::1]:%d; repeatable.\n"
		   "                    Beyond loopback credentials are required.\n"
		   "  --psk-file F      pre-shared key, one line IDENTITY:HEXKEY (mode 600)\n"
		   "  --cert C --key K --ca CA   mutual TLS: own certificate and key, CA of the clients\n"
		   "  --lan-rtt-us N    (sim) charge N us of modelled LAN round trip per request\n"
		   "  -v                more log output\n"
		   "see docs/remote-probe.md\n",
		SW_REMOTE_DEFAULT_PORT, SW_REMOTE_DEFAULT_PORT);
}

static int ps_parse(int argc, char **argv, struct ps_opts *o)
{
	static const struct option lo[] = {
		{"probe", required_argument, NULL, 'p'},    {"target", required_argument, NULL, 't'},
		{"load", required_argument, NULL, 'l'},     {"listen", required_argument, NULL, 'L'},
		{"psk-file", required_argument, NULL, 'K'}, {"cert", required_argument, NULL, 'C'},
		{"key", required_argument, NULL, 'k'},      {"ca", required_argument, NULL, 'A'},
		{"ftdi-layout", required_argument, NULL, 'F'}, {"lan-rtt-us", required_argument, NULL, 'R'},
		{"verbose", no_argument, NULL, 'v'},        {"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0}};
	int ch;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "vh", lo, NULL)) != -1) {
		switch (ch) {
		case 'p': o->probe = optarg; break;
		case 't': o->target = optarg; break;
		case 'l': o->load = optarg; break;
		case 'F': o->ftdi_layout = optarg; break;
		case 'K': o->creds.psk_file = optarg; break;
		case 'C': o->creds.cert = optarg; break;
		case 'k': o->creds.key = optarg; break;
		case 'A': o->creds.ca = optarg; break;
		case 'R': o->lan_rtt_us = strtol(optarg, NULL, 10); break;
		case 'v': o->verbose++; break;
		case 'L':
			if (o->n_listen == SW_PROBE_SERVER_MAX_LISTEN) {
				fprintf(stderr, "swdbridge probe-server: at most %d --listen\n", SW_PROBE_SERVER_MAX_LISTEN);
				return 2;
			}
			o->listens[o->n_listen++] = optarg;
			break;
		case 'h': ps_usage(stdout); exit(0);
		default: ps_usage(stderr); return 2;
		}
	}
	if (optind < argc || !o->probe || o->lan_rtt_us < 0) {
		ps_usage(stderr);
		return 2;
	}
	return 0;
}

static void ps_idle(void *user, uint64_t ns)
{
	sim_advance_ns(user, ns);
}

static uint64_t ps_virtual(void *user)
{
	return sim_now_ns(user);
}

static int open_sim(struct sw_ctx *ctx, const struct ps_opts *o, struct sim **sim, struct sw_probe **probe)
{
	const struct sw_target_desc *d = o->target ? sw_target_find(o->target) : NULL;
	int r;

	if (!d)
		return sw_fail(ctx, SW_ERR_ARG, "--probe sim needs --target (e.g. stm32h743)");
	if ((r = sim_new(ctx, d->name, sim)) || (o->load && (r = sim_load_elf(*sim, o->load))))
		return r;
	sim_power_on_reset(*sim);
	return sw_sim_probe_open(ctx, *sim, 0, probe);
}

static int open_any(struct sw_ctx *ctx, const struct ps_opts *o, struct sim **sim, struct sw_probe **probe)
{
	if (!strcmp(o->probe, "sim"))
		return open_sim(ctx, o, sim, probe);
	if (!strncmp(o->probe, "jlink", 5))
		return sw_jlink_open(ctx, o->probe, probe);
	if (!strncmp(o->probe, "ftdi", 4))
		return sw_ftdi_open(ctx, o->probe, o->ftdi_layout, probe);
	return sw_fail(ctx, SW_ERR_ARG, "--probe %s: unknown probe (sim, jlink, ftdi)", o->probe);
}

static void print_connect(const struct ps_opts *o, const char *text, const char *kind)
{
	printf("swdbridge probe-server: %s probe exported on %s (%s)\n", o->probe, text, kind);
	printf("  connect: swdbridge --probe remote://%s", text);
	if (o->creds.psk_file)
		printf(" --psk-file %s", o->creds.psk_file);
	else if (o->creds.cert)
		printf(" --cert CLIENT.crt --key CLIENT.key --ca %s", o->creds.ca ? o->creds.ca : "CA.crt");
	printf(" --target %s\n", o->target ? o->target : "TARGET");
}

int sw_probe_server_main(int argc, char **argv, volatile sig_atomic_t *stop, void (*on_signal)(int))
{
	struct ps_opts o = {0};
	struct sw_ctx ctx;
	struct sim *sim = NULL;
	struct sw_probe *probe = NULL;
	struct sw_probe_server_cfg cfg = {0};
	struct sw_probe_server *ps = NULL;
	char text[64];
	int r;

	if ((r = ps_parse(argc, argv, &o)))
		return r;
	sw_ctx_init(&ctx);
	ctx.level = (enum sw_log_level)(SW_LOG_INFO + o.verbose > SW_LOG_WIRE ? SW_LOG_WIRE : SW_LOG_INFO + o.verbose);
	if (!o.n_listen)
		o.listens[o.n_listen++] = "127.0.0.1:2340";
	if ((r = sw_tls_conf_new(&ctx, &o.creds, true, &cfg.tls)) || (r = open_any(&ctx, &o, &sim, &probe)))
		goto out;
	cfg.probe = probe;
	cfg.idle = sim ? ps_idle : NULL;
	cfg.virtual_ns = sim ? ps_virtual : NULL;
	cfg.user = sim;
	cfg.lan_model_ns = (uint64_t)o.lan_rtt_us * 1000u;
	if ((r = sw_probe_server_new(&ctx, &cfg, &ps)))
		goto out;
	for (unsigned i = 0; i < o.n_listen; i++) {
		if ((r = sw_probe_server_listen(ps, o.listens[i], text, sizeof(text))))
			goto out;
		print_connect(&o, text, sw_tls_conf_kind(cfg.tls));
	}
	fflush(stdout);
	sw_server_catch_signals(on_signal);
	r = sw_probe_server_run(ps, stop);
	printf("swdbridge probe-server: shutting down\n");
out:
	if (r)
		fprintf(stderr, "swdbridge probe-server: %s\n", sw_errmsg(&ctx));
	sw_probe_server_free(ps);
	sw_probe_close(probe);
	sim_free(sim);
	sw_tls_conf_free(cfg.tls);
	return r ? 1 : 0;
}
