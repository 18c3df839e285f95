/* vjlink: serve a simulated chip as a virtual J-Link over TCP/IP.
 *   vjlink --target stm32h743 [--serial N] [--ip A.B.C.D] [--port N]
 *          [--discovery udp|raw|none] [--load FILE.elf] [-v]
 * libjaylink finds it by UDP discovery (jaylink_discovery_scan with
 * JAYLINK_HIF_TCP) and always connects to port 19020; see
 * scripts/netns-vjlink for the two-namespace set-up that makes that work. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "sim/sim.h"
#include "sim/vjlink.h"

struct opts {
	const char *target;
	const char *load;
	struct vjlink_cfg cfg;
	int verbose;
};

static void usage(void)
{
	fprintf(stderr, "usage: vjlink --target CHIP [--serial N] [--ip ADDR] [--port N]\n"
			"              [--discovery udp|raw|none] [--load ELF] [-v]\n");
}

static int parse_disc(const char *s, enum vjlink_discovery *d)
{
	if (!strcmp(s, "udp"))
		*d = VJLINK_DISC_UDP;
	else if (!strcmp(s, "raw"))
		*d = VJLINK_DISC_RAW;
	else if (!strcmp(s, "none"))
		*d = VJLINK_DISC_NONE;
	else
		return -1;
	return 0;
}

static int parse_args(int argc, char **argv, struct opts *o)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "-v")) {
			o->verbose++;
			continue;
		}
		if (!val)
			return -1;
		i++;
		if (!strcmp(a, "--target"))
			o->target = val;
		else if (!strcmp(a, "--load"))
			o->load = val;
		else if (!strcmp(a, "--serial"))
			o->cfg.serial = (uint32_t)strtoul(val, NULL, 10);
		else if (!strcmp(a, "--ip"))
			o->cfg.ip = val;
		else if (!strcmp(a, "--port"))
			o->cfg.port = (uint16_t)strtoul(val, NULL, 10);
		else if (!strcmp(a, "--discovery")) {
			if (parse_disc(val, &o->cfg.discovery) < 0)
				return -1;
		} else
			return -1;
	}
	return o->target ? 0 : -1;
}

/* One line on exit: what the clients cost (integration tests parse it). */
static void print_stats(const struct vjlink *v, const struct sim *sim)
{
	struct vjlink_stats st;
	struct sim_counters c;

	vjlink_get_stats(v, &st);
	sim_get_counters(sim, &c);
	printf("vjlink: stats connections=%llu commands=%llu swd_io=%llu swd_bits=%llu "
	       "sim_round_trips=%llu sim_swclk=%llu sim_ns=%llu\n",
	       (unsigned long long)st.connections, (unsigned long long)st.commands,
	       (unsigned long long)st.swd_io, (unsigned long long)st.swd_bits,
	       (unsigned long long)c.round_trips, (unsigned long long)c.swclk_cycles,
	       (unsigned long long)sim_now_ns(sim));
	fflush(stdout);
}

static int serve(struct sw_ctx *ctx, const struct opts *o)
{
	struct sim *sim = NULL;
	struct vjlink *v = NULL;
	sigset_t set;
	int sfd, r;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	sfd = signalfd(-1, &set, SFD_CLOEXEC);
	if (sfd < 0)
		return SW_ERR_IO;
	r = sim_new(ctx, o->target, &sim);
	if (r == SW_OK && o->load)
		r = sim_load_elf(sim, o->load);
	if (r == SW_OK) {
		sim_power_on_reset(sim);
		r = vjlink_new(ctx, sim, &o->cfg, &v);
	}
	if (r == SW_OK) {
		printf("vjlink: %s serial %u on %s:%u (%s)\n", o->target, o->cfg.serial, o->cfg.ip,
		       o->cfg.port, vjlink_firmware_string());
		fflush(stdout);
		/* SIGUSR1 prints the counters and goes on (make bench reads them
		 * around each job); SIGINT/SIGTERM print them and stop. The
		 * signal is taken off the signalfd BEFORE the line is printed:
		 * a reader that sends the next SIGUSR1 as soon as it sees the
		 * line would otherwise have it merged with the one still pending
		 * (standard signals do not queue) and wait for ever. */
		for (;;) {
			struct signalfd_siginfo si;
			int more;

			r = vjlink_run(v, sfd);
			more = r == SW_OK && read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si) &&
			       si.ssi_signo == SIGUSR1;
			print_stats(v, sim);
			if (!more)
				break;
		}
	}
	vjlink_free(v);
	sim_free(sim);
	close(sfd);
	return r;
}

int main(int argc, char **argv)
{
	struct sw_ctx ctx;
	struct opts o;
	int r;

	memset(&o, 0, sizeof(o));
	vjlink_cfg_init(&o.cfg);
	if (parse_args(argc, argv, &o) < 0) {
		usage();
		return 2;
	}
	sw_ctx_init(&ctx);
	if (o.verbose)
		ctx.level = o.verbose > 1 ? SW_LOG_WIRE : SW_LOG_DBG;
	signal(SIGPIPE, SIG_IGN);
	r = serve(&ctx, &o);
	if (r != SW_OK) {
		fprintf(stderr, "vjlink: %s\n", sw_errmsg(&ctx));
		return 1;
	}
	return 0;
}
