/* rtt_bench: RTT up-channel latency and throughput on the simulated
 * STM32H743 running the demo, in virtual time (reference/perf.md §6 model:
 * J-Link HS, 0.5 ms round trip, SWCLK 4 MHz unless --swclk-khz is given).
 *   rtt_bench [--elf build/fw/demo-h743.elf] [--swclk-khz N] [--seconds S]
 * Latency: the simulator's back door (no wire time) watches the firmware's
 * WrOff every 50 us of virtual time between polls and after every SWD
 * transaction during them (the probe below is the sim probe's J-Link
 * costing at transaction level, with a look after each packet). A line
 * counts as written at the look before the one that saw its last byte,
 * less 45 us (the simulated core runs in slices of up to 20 us behind the
 * wire, sim/sim.c sim_sync, and DP packets do not advance it), and as
 * delivered when the engine hands it to the socket side. (Looking only
 * between polls would date a line written late in a poll from the poll's
 * start, overstating its latency by up to a poll's wire time.)
 * Throughput: the demo's flood mode keeps up channel 1 (8 KiB) full; the
 * byte sequence is checked for gaps. Raw wire: one SWD read transaction
 * (46 cycles) per 4 bytes, no round trips: 4 * f / 46 bytes/s. Ceiling:
 * the same in full 16384-bit J-Link exchanges, each paying its round trip
 * and USB bytes: what any reader under the real batch limit can reach. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cortexm/core.h"
#include "probes/sim_probe.h"
#include "probes/swd_engine.h"
#include "server/rtt/rtt.h"
#include "sim/sim.h"
#include "sw/elf.h"
#include "sw/types.h"
#include "targets/target.h"

#define STEP_NS 50000ull
#define CORE_SLICE_NS 45000ull /* sim_sync's 20 us slice and two packets at 4 MHz */
#define JLINK_MAX_BITS 16384u  /* one jaylink_swd_io() exchange (reference/jlink.md) */
#define MAX_LINES 4096

struct bench {
	struct sw_probe_ops ops; /* the sim probe's, with swd_transfer below */
	struct sw_swd_engine *eng;
	struct sw_ctx ctx;
	struct sim *sim;
	struct sw_probe *probe;
	struct sw_target *t;
	struct sw_core *core;
	struct sw_rtt *rtt;
	unsigned khz;
	uint32_t cb, flood_addr;
	/* channel 0: write times by byte count, delivery */
	uint64_t written0, delivered0, prev_look_ns;
	uint32_t last_wr0;
	uint64_t line_written_ns[MAX_LINES]; /* by tick number: when its last byte was seen written */
	char wline[64], dline[64];           /* lines being assembled (written / delivered) */
	size_t wlen, dlen, lines_done;
	double lat_sum, lat_max;
	/* channel 1 */
	uint64_t bytes1;
	uint8_t next1;
	bool seq_started;
	uint64_t gaps;
	uint64_t nl_positions[MAX_LINES];
};

static int b_read(void *u, uint32_t a, void *buf, size_t len)
{
	return sw_core_mem_read(((struct bench *)u)->core, a, buf, len);
}

static int b_write(void *u, uint32_t a, const void *buf, size_t len)
{
	return sw_core_mem_write(((struct bench *)u)->core, a, buf, len);
}

static int b_qread(void *u, uint32_t a, uint32_t *dst, size_t n)
{
	return sw_mem_queue_read_words(sw_core_ap(((struct bench *)u)->core), a, dst, n);
}

static int b_qwrite(void *u, uint32_t a, const void *buf, size_t len)
{
	return sw_mem_queue_write(sw_core_ap(((struct bench *)u)->core), a, buf, len);
}

static int b_run(void *u)
{
	return sw_mem_run(sw_core_ap(((struct bench *)u)->core));
}

static uint64_t b_clock(void *u)
{
	return sim_now_ns(((struct bench *)u)->sim);
}

static uint32_t b_swclk(void *u)
{
	return ((struct bench *)u)->khz * 1000u;
}

static size_t b_room(void *u, unsigned ch)
{
	(void)u;
	return ch < 2 ? 1u << 20 : 0;
}

static void look(struct bench *b);

static struct bench *of_probe(const struct sw_probe *p)
{
	return (struct bench *)(uintptr_t)((const char *)p->ops - offsetof(struct bench, ops));
}

/* One packet on the simulated wire, then a look at up ring 0. */
static unsigned w_txn(void *u, uint8_t req, uint32_t *data, bool *parity_ok)
{
	struct bench *b = u;
	unsigned ack = sim_swd_raw(b->sim, req, data, parity_ok);

	look(b);
	return ack;
}

/* A round trip costed as probes/sim_probe.c does (J-Link EMU_CMD_HW_JTAG3
 * sizes: 4-byte header + direction + out bits, in bits + status). */
static void w_end_batch(void *u, size_t ntxn)
{
	size_t bytes = (ntxn * 46 + 7) / 8;

	sim_round_trip(((struct bench *)u)->sim, 4 + 2 * bytes, bytes + 1);
}

static uint64_t w_now(void *u)
{
	return sim_now_ns(((struct bench *)u)->sim);
}

static void w_sleep(void *u, uint64_t ns)
{
	sim_advance_ns(((struct bench *)u)->sim, ns);
}

static int w_transfer(struct sw_probe *p, struct sw_swd_req *reqs, size_t n)
{
	return sw_swd_engine_transfer(of_probe(p)->eng, reqs, n);
}

/* Route the probe's SWD packets through an engine that looks between
 * them; sequences, clock and reset stay the sim probe's. */
static int watch_wire(struct bench *b)
{
	const struct sw_swd_backend be = {.user = b, .max_bits = JLINK_MAX_BITS, .txn = w_txn,
					  .end_batch = w_end_batch, .now_ns = w_now, .sleep_ns = w_sleep};
	int r;

	if ((r = sw_swd_engine_new(&b->ctx, &be, &b->probe->stats, &b->eng)))
		return r;
	b->ops = *b->probe->ops;
	b->ops.swd_transfer = w_transfer;
	b->probe->ops = &b->ops;
	return SW_OK;
}

static void b_data(void *u, unsigned ch, const uint8_t *d, size_t len)
{
	struct bench *b = u;
	uint64_t now = sim_now_ns(b->sim);

	if (ch == 1) {
		for (size_t i = 0; i < len; i++) {
			if (b->seq_started && d[i] != b->next1)
				b->gaps++;
			b->seq_started = true;
			b->next1 = (uint8_t)(d[i] + 1);
		}
		b->bytes1 += len;
		return;
	}
	look(b); /* lines written during this poll: stamped with the look before it */
	for (size_t i = 0; i < len; i++) {
		unsigned k;
		b->delivered0++;
		if (d[i] != '\n') {
			if (b->dlen < sizeof(b->dline) - 1)
				b->dline[b->dlen++] = (char)d[i];
			continue;
		}
		b->dline[b->dlen] = 0;
		b->dlen = 0;
		if (sscanf(b->dline, "rtt: tick %u", &k) != 1 || k >= MAX_LINES || !b->line_written_ns[k])
			continue;
		double lat = (double)(now - b->line_written_ns[k]) / 1e6;
		b->lat_sum += lat;
		if (lat > b->lat_max)
			b->lat_max = lat;
		b->lines_done++;
	}
}

/* Back door look at up ring 0: newly written bytes get the time of the
 * previous look (the earliest they can have been written). */
static void look(struct bench *b)
{
	uint8_t d[8], c;
	uint32_t wr, size = 1024, buf;
	uint64_t now = sim_now_ns(b->sim);

	sim_mem_read(b->sim, b->cb + 24 + SW_RTT_OFF_BUF, d, 8);
	buf = sw_le32_get(d);
	size = sw_le32_get(d + 4);
	sim_mem_read(b->sim, b->cb + 24 + SW_RTT_OFF_WR, d, 4);
	wr = sw_le32_get(d);
	while (size && b->last_wr0 != wr && b->last_wr0 < size) {
		sim_mem_read(b->sim, buf + b->last_wr0, &c, 1);
		b->last_wr0 = (b->last_wr0 + 1) % size;
		b->written0++;
		if (c != '\n') {
			if (b->wlen < sizeof(b->wline) - 1)
				b->wline[b->wlen++] = (char)c;
			continue;
		}
		unsigned k;
		b->wline[b->wlen] = 0;
		b->wlen = 0;
		if (sscanf(b->wline, "rtt: tick %u", &k) == 1 && k < MAX_LINES)
			b->line_written_ns[k] = b->prev_look_ns > CORE_SLICE_NS ? b->prev_look_ns - CORE_SLICE_NS : 1;
	}
	b->prev_look_ns = now;
}

static void run(struct bench *b, uint64_t ns)
{
	uint64_t end = sim_now_ns(b->sim) + ns;

	while (sim_now_ns(b->sim) < end) {
		sim_advance_ns(b->sim, STEP_NS);
		look(b);
		sw_rtt_poll(b->rtt, false);
		look(b);
	}
}

static int setup(struct bench *b, const char *elf_path, unsigned khz)
{
	struct sw_rtt_ops ops = {b_read,  b_write, b_clock, b_room, b_data,
				 b,       b_qread, b_qwrite, b_run, b_swclk};
	struct sim_timing tm;
	struct sw_elf *elf = NULL;
	uint32_t size;
	int r;

	sw_ctx_init(&b->ctx);
	b->ctx.level = SW_LOG_WARN;
	b->khz = khz;
	if ((r = sw_elf_open_file(&b->ctx, elf_path, &elf)) ||
	    (r = sw_elf_symbol(elf, "_SEGGER_RTT", &b->cb, &size)) ||
	    (r = sw_elf_symbol(elf, "demo_rtt_flood", &b->flood_addr, &size))) {
		sw_elf_close(elf);
		return r ? r : SW_ERR_NOT_FOUND;
	}
	sw_elf_close(elf);
	if ((r = sim_new(&b->ctx, "stm32h743", &b->sim)) || (r = sim_load_elf(b->sim, elf_path)))
		return r;
	sim_get_timing(b->sim, &tm);
	tm.swclk_hz = khz * 1000u;
	sim_set_timing(b->sim, &tm);
	sim_power_on_reset(b->sim);
	if ((r = sw_sim_probe_open(&b->ctx, b->sim, 0, &b->probe)) ||
	    (r = sw_target_open(&b->ctx, b->probe, sw_target_find("stm32h743"), 0, &b->t)))
		return r;
	b->core = sw_target_core(b->t, 0);
	if ((r = watch_wire(b)) || (r = sw_rtt_new(&b->ctx, &ops, &b->rtt)))
		return r;
	sw_rtt_set_elf_addr(b->rtt, b->cb);
	sw_rtt_start(b->rtt);
	return SW_OK;
}

int main(int argc, char **argv)
{
	struct bench *b = calloc(1, sizeof(*b));
	const char *elf = "build/fw/demo-h743.elf";
	unsigned khz = 4000;
	double seconds = 1.0;
	struct sim_counters c0, c1;
	int ch;
	static const struct option lo[] = {{"elf", required_argument, NULL, 'e'},
					   {"swclk-khz", required_argument, NULL, 'k'},
					   {"seconds", required_argument, NULL, 's'},
					   {NULL, 0, NULL, 0}};

	while ((ch = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		if (ch == 'e')
			elf = optarg;
		else if (ch == 'k')
			khz = (unsigned)strtoul(optarg, NULL, 10);
		else if (ch == 's')
			seconds = strtod(optarg, NULL);
		else
			return 2;
	}
	if (!b || !khz || setup(b, elf, khz)) {
		fprintf(stderr, "rtt_bench: %s\n", b ? sw_errmsg(&b->ctx) : "out of memory");
		return 1;
	}
	double wire = 4.0 * khz * 1000.0 / 46.0 / 1000.0; /* KB/s */
	uint64_t ns = (uint64_t)(seconds * 1e9);

	/* 1. Lines every ~8 ms (the demo's normal output). */
	run(b, 50000000ull); /* find the block, drain what start-up printed */
	b->lat_sum = b->lat_max = 0;
	size_t l0 = b->lines_done;
	sim_get_counters(b->sim, &c0);
	run(b, ns);
	sim_get_counters(b->sim, &c1);
	size_t nl = b->lines_done - l0;
	printf("rtt latency (demo lines, up 0): %zu lines, mean %.2f ms, max %.2f ms virtual (goal < 5 ms); "
	       "%.0f probe round trips/s\n",
	       nl, nl ? b->lat_sum / (double)nl : 0.0, b->lat_max,
	       (double)(c1.round_trips - c0.round_trips) / seconds);
	/* 2. Flood: up 1 kept full by the firmware. */
	uint32_t one = 1;
	uint8_t w[4];
	sw_le32_put(w, one);
	sim_mem_write(b->sim, b->flood_addr, w, 4);
	run(b, 20000000ull);
	uint64_t bytes = b->bytes1, t0 = sim_now_ns(b->sim);
	b->lat_sum = b->lat_max = 0;
	l0 = b->lines_done;
	run(b, ns);
	double dt = (double)(sim_now_ns(b->sim) - t0) / 1e9, kbs = (double)(b->bytes1 - bytes) / dt / 1000.0;
	nl = b->lines_done - l0;
	/* What the link allows at best: every exchange full (16384 bits, the
	 * J-Link limit, less the 8 idle bits at its end) of data reads, each
	 * paying the round trip and its USB bytes (J-Link EMU_CMD_HW_JTAG3
	 * sizes, as probes/sim_probe.c charges them). */
	struct sim_timing tm;
	sim_get_timing(b->sim, &tm);
	double xbits = (double)((JLINK_MAX_BITS - 8) / 46 * 46), xbytes = 4.0 + 2.0 * 2048.0 + 2049.0;
	double xwire = xbits / (khz * 1000.0), xt = xwire + (double)tm.t_rt_ns / 1e9 +
				(tm.usb_bytes_per_s ? xbytes / (double)tm.usb_bytes_per_s : 0.0);
	double ceiling = wire * xwire / xt;
	printf("rtt ceiling: full 16384-bit exchanges of data alone, one %.2f ms round trip each: %.1f KB/s, "
	       "%.0f %% of the raw wire at %u kHz\n", (double)tm.t_rt_ns / 1e6, ceiling, 100.0 * xwire / xt, khz);
	printf("rtt throughput (flood, up 1, 8 KiB ring): %.1f KB/s virtual over %.2f s; %.0f %% of the rtt ceiling "
	       "(judged, goal >= 80 %%); raw wire %.1f KB/s at %u kHz (%.0f %%); %llu sequence gaps\n",
	       kbs, dt, 100.0 * kbs / ceiling, wire, khz, 100.0 * kbs / wire, (unsigned long long)b->gaps);
	printf("rtt latency under flood (up 0 lines): mean %.2f ms, max %.2f ms virtual\n",
	       nl ? b->lat_sum / (double)nl : 0.0, b->lat_max);
	sw_rtt_free(b->rtt);
	sw_target_close(b->t);
	sw_swd_engine_free(b->eng);
	sw_probe_close(b->probe);
	sim_free(b->sim);
	free(b);
	return 0;
}
