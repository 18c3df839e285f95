/* bench-remote: 1 MiB flash programming (STM32H743 bank 1, erase + program
 * + verify) and a 1 MiB read, in the 64 KiB pieces gdb's m packets use with
 * our PacketSize, against the simulated chip (the flash holds another image
 * first, so every sector is erased), either in-process ("local")
 * or through `swdbridge probe-server --probe sim` ("remote"). Times are the
 * simulator's virtual seconds (reference/perf.md §6); for "remote" the far
 * sim's clock also runs while the probe waits for the LAN (wall time, so a
 * netem delay counts, or --lan-rtt-us on the probe-server as a model).
 *
 *   bench-remote local
 *   bench-remote remote HOST:PORT [--psk-file F | --cert C --key K --ca CA]
 * Prints "bench: <mode> flash_s=.. read_s=.. lan_round_trips=.." lines. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adi/adi.h"
#include "cortexm/core.h"
#include "probes/sim_probe.h"
#include "server/flash/flash_stage.h"
#include "server/remote/remote_probe.h"
#include "sim/sim.h"
#include "targets/target.h"

#define MIB (1024u * 1024u)
#define FLASH_BASE 0x08000000u
#define CHUNK (64u * 1024u)

struct bench {
	struct sw_ctx ctx;
	struct sim *sim; /* local mode */
	struct sw_probe *probe;
	struct sw_target *t;
	uint8_t *img, *back;
};

static int now_ns(struct bench *b, uint64_t *ns)
{
	struct sw_remote_stats st;
	int r;

	if (b->sim) {
		*ns = sim_now_ns(b->sim);
		return SW_OK;
	}
	if ((r = sw_remote_probe_stats(b->probe, &st)))
		return r;
	*ns = st.virtual_ns;
	return SW_OK;
}

static int flash_1mib(struct bench *b)
{
	const struct sw_target_desc *d = sw_target_find("stm32h743");
	struct sw_flash_stage *st = NULL;
	struct sw_flash_stats fs = {0};
	int r;

	if ((r = sw_flash_stage_new(&b->ctx, d, &st)))
		return r;
	if (!(r = sw_flash_stage_erase(st, FLASH_BASE, MIB)) && !(r = sw_flash_stage_write(st, FLASH_BASE, b->img, MIB)))
		r = sw_flash_stage_done(st, sw_target_core(b->t, 0), &fs);
	sw_flash_stage_free(st);
	if (!r && fs.bytes_programmed != MIB)
		r = sw_fail(&b->ctx, SW_ERR_FLASH, "bench: programmed %zu bytes, expected %u", fs.bytes_programmed, MIB);
	return r;
}

static int read_1mib(struct bench *b)
{
	sw_ap *ap = sw_core_ap(sw_target_core(b->t, 0));
	int r = SW_OK;

	for (uint32_t off = 0; off < MIB && !r; off += CHUNK)
		r = sw_mem_read(ap, FLASH_BASE + off, b->back + off, CHUNK);
	if (!r && memcmp(b->img, b->back, MIB))
		r = sw_fail(&b->ctx, SW_ERR_FLASH_VERIFY, "bench: read-back differs from the programmed image");
	return r;
}

static int open_probe(struct bench *b, int argc, char **argv)
{
	struct sw_tls_creds c = {0};
	int r;

	if (!strcmp(argv[1], "local")) {
		if ((r = sim_new(&b->ctx, "stm32h743", &b->sim)))
			return r;
		sim_power_on_reset(b->sim);
		return sw_sim_probe_open(&b->ctx, b->sim, 0, &b->probe);
	}
	if (strcmp(argv[1], "remote") || argc < 3)
		return sw_fail(&b->ctx, SW_ERR_ARG, "usage: bench-remote local | remote HOST:PORT [credentials]");
	for (int i = 3; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--psk-file"))
			c.psk_file = argv[i + 1];
		else if (!strcmp(argv[i], "--cert"))
			c.cert = argv[i + 1];
		else if (!strcmp(argv[i], "--key"))
			c.key = argv[i + 1];
		else if (!strcmp(argv[i], "--ca"))
			c.ca = argv[i + 1];
	}
	return sw_remote_probe_open(&b->ctx, argv[2], &c, &b->probe);
}

static int run(struct bench *b, const char *mode)
{
	uint64_t t0, t1, t2;
	struct sw_remote_stats st = {0};
	int r;

	if ((r = sw_target_open(&b->ctx, b->probe, sw_target_find("stm32h743"), 0, &b->t)) ||
	    (r = sw_core_halt(sw_target_core(b->t, 0))))
		return r;
	/* First an untimed image, so the timed one has to erase every sector
	 * (blank sectors are skipped) and rewrite every byte. */
	for (uint32_t i = 0; i < MIB; i++)
		b->img[i] = (uint8_t)~b->img[i];
	if ((r = flash_1mib(b)))
		return r;
	for (uint32_t i = 0; i < MIB; i++)
		b->img[i] = (uint8_t)~b->img[i];
	if ((r = now_ns(b, &t0)) || (r = flash_1mib(b)) || (r = now_ns(b, &t1)) || (r = read_1mib(b)) ||
	    (r = now_ns(b, &t2)))
		return r;
	if (!b->sim)
		sw_remote_probe_stats(b->probe, &st);
	printf("bench: %s flash_1mib_s=%.3f read_1mib_s=%.3f lan_round_trips=%llu lan_wall_s=%.3f probe_round_trips=%llu\n",
	       mode, (double)(t1 - t0) / 1e9, (double)(t2 - t1) / 1e9, (unsigned long long)st.lan_round_trips,
	       (double)st.lan_ns / 1e9,
	       (unsigned long long)(b->sim ? b->probe->stats.round_trips : st.probe.round_trips));
	return SW_OK;
}

int main(int argc, char **argv)
{
	struct bench b = {0};
	int r;

	sw_ctx_init(&b.ctx);
	b.ctx.level = SW_LOG_WARN;
	if (argc < 2) {
		fprintf(stderr, "usage: bench-remote local | remote HOST:PORT [--psk-file F | --cert C --key K --ca CA]\n");
		return 2;
	}
	b.img = malloc(MIB);
	b.back = malloc(MIB);
	if (!b.img || !b.back)
		return 1;
	for (uint32_t i = 0, x = 0x12345678u; i < MIB; i++) {
		x = x * 1103515245u + 12345u; /* any non-blank, non-repeating image */
		b.img[i] = (uint8_t)(x >> 16);
	}
	r = open_probe(&b, argc, argv);
	if (!r)
		r = run(&b, argv[1]);
	if (r)
		fprintf(stderr, "bench-remote: %s\n", sw_errmsg(&b.ctx));
	sw_target_close(b.t);
	sw_probe_close(b.probe);
	sim_free(b.sim);
	free(b.img);
	free(b.back);
	return r ? 1 : 0;
}
