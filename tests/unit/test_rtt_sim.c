/* RTT engine against the simulated STM32H743 running the demo: found by a
 * RAM scan, down channel echoed, re-discovery after a reset, and fair
 * polling while up channel 1 floods (issue #20). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cortexm/core.h"
#include "probes/sim_probe.h"
#include "server/rtt/rtt.h"
#include "sim/sim.h"
#include "sw/elf.h"
#include "sw/types.h"
#include "targets/target.h"
#include "tests/test.h"

#define DEMO_ELF BUILD_DIR "/fw/demo-h743.elf"

struct simrig {
	struct sw_ctx ctx;
	struct sim *sim;
	struct sw_probe *probe;
	struct sw_target *t;
	struct sw_core *core;
	char text[8192];
	size_t len;
	uint32_t hz;                /* SWD clock told to the engine (0: not told) */
	bool take_up1;              /* a consumer for up channel 1 (the flood) */
	uint64_t bytes1, gaps1;     /* up 1: bytes and breaks in the byte sequence */
	uint8_t next1;
};

static int sr_read(void *user, uint32_t addr, void *buf, size_t len)
{
	return sw_core_mem_read(((struct simrig *)user)->core, addr, buf, len);
}

static int sr_write(void *user, uint32_t addr, const void *buf, size_t len)
{
	return sw_core_mem_write(((struct simrig *)user)->core, addr, buf, len);
}

static int sr_qread(void *user, uint32_t addr, uint32_t *dst, size_t n)
{
	return sw_mem_queue_read_words(sw_core_ap(((struct simrig *)user)->core), addr, dst, n);
}

static int sr_qwrite(void *user, uint32_t addr, const void *buf, size_t len)
{
	return sw_mem_queue_write(sw_core_ap(((struct simrig *)user)->core), addr, buf, len);
}

static int sr_run(void *user)
{
	return sw_mem_run(sw_core_ap(((struct simrig *)user)->core));
}

static uint64_t sr_clock(void *user)
{
	return sim_now_ns(((struct simrig *)user)->sim);
}

static size_t sr_room(void *user, unsigned ch)
{
	struct simrig *g = user;

	if (ch == 1 && g->take_up1)
		return 1u << 20;
	return ch == 0 ? sizeof(g->text) - 1 - g->len : 0;
}

static uint32_t sr_swclk(void *user)
{
	return ((struct simrig *)user)->hz;
}

static void sr_data(void *user, unsigned ch, const uint8_t *data, size_t len)
{
	struct simrig *g = user;

	if (ch == 1) {
		for (size_t i = 0; i < len; i++) {
			g->gaps1 += g->bytes1 + i && data[i] != g->next1;
			g->next1 = (uint8_t)(data[i] + 1);
		}
		g->bytes1 += len;
	}
	if (ch == 0 && g->len + len < sizeof(g->text)) {
		memcpy(g->text + g->len, data, len);
		g->len += len;
		g->text[g->len] = 0;
	}
}

static void simrig_free(struct simrig *g, struct sw_rtt *rtt)
{
	sw_rtt_free(rtt);
	sw_target_close(g->t);
	sw_probe_close(g->probe);
	sim_free(g->sim);
	free(g);
}

static void run_for(struct simrig *g, struct sw_rtt *rtt, uint64_t ns)
{
	uint64_t end = sim_now_ns(g->sim) + ns;

	while (sim_now_ns(g->sim) < end) {
		sim_advance_ns(g->sim, 200000);
		sw_rtt_poll(rtt, false);
	}
}

static void test_engine_on_sim(void)
{
	struct simrig *g = calloc(1, sizeof(*g));
	struct sw_rtt_ops ops = {sr_read, sr_write, sr_clock, sr_room, sr_data, g, sr_qread, sr_qwrite, sr_run, NULL};
	const struct sw_target_desc *desc = sw_target_find("stm32h743");
	struct sw_rtt *rtt = NULL;
	struct sw_rtt_status st;

	sw_ctx_init(&g->ctx);
	g->ctx.level = SW_LOG_NONE;
	CHECK_OK(sim_new(&g->ctx, "stm32h743", &g->sim));
	CHECK_OK(sim_load_elf(g->sim, DEMO_ELF));
	sim_power_on_reset(g->sim);
	CHECK_OK(sw_sim_probe_open(&g->ctx, g->sim, 0, &g->probe));
	CHECK_OK(sw_target_open(&g->ctx, g->probe, desc, 0, &g->t));
	if (!g->t)
		goto out;
	g->core = sw_target_core(g->t, 0);
	CHECK_OK(sw_rtt_new(&g->ctx, &ops, &rtt));
	for (size_t i = 0; i < desc->n_regions; i++)
		if (desc->regions[i].kind == SW_MEM_RAM)
			CHECK_OK(sw_rtt_add_range(rtt, desc->regions[i].base, desc->regions[i].size));
	sw_rtt_start(rtt); /* no ELF: found by scanning RAM */
	run_for(g, rtt, 1000000000ull);
	sw_rtt_get_status(rtt, &st);
	CHECK(st.state == SW_RTT_FOUND && !strcmp(st.source, "scan") && st.n_up == 2 && st.n_down == 2);
	CHECK(strstr(g->text, "rtt: tick 1\n") != NULL);
	TEST_INFO("found by scan at 0x%08x after %llu polls; %zu bytes of text", st.addr,
		  (unsigned long long)st.polls, g->len);
	/* Down channel 0 is echoed by the firmware. */
	sw_rtt_down_push(rtt, 0, (const uint8_t *)"ping!\n", 6);
	run_for(g, rtt, 20000000ull);
	CHECK(strstr(g->text, "ping!\n") != NULL);
	/* Reset and run: lines start again from tick 1 without any help. */
	g->len = 0;
	g->text[0] = 0;
	CHECK_OK(sw_core_reset(g->core, SW_RESET_SYSTEM, false));
	run_for(g, rtt, 100000000ull);
	sw_rtt_get_status(rtt, &st);
	CHECK(st.state == SW_RTT_FOUND);
	CHECK(!strncmp(g->text, "rtt: tick 1\n", 12) || strstr(g->text, "\nrtt: tick 1\n") != NULL);
	TEST_INFO("after reset: found %llu times, %llu in-place re-inits", (unsigned long long)st.found_count,
		  (unsigned long long)st.reinits);
out:
	simrig_free(g, rtt);
}

/* Issue #20: one poll is one probe round trip (the block read folded into
 * the batch, each ring's data within a share sized from the wire time),
 * while the firmware keeps up channel 1 full, every line it wrote on
 * channel 0 before a poll starts comes out in that poll, and at least 80 %
 * of the transactions carry channel 1's data (what lets throughput reach
 * 80 % of the wire under the batch limit). Counted by the simulator
 * (round trips, SWCLK cycles), not timed. */
static void fair_under_flood(uint32_t khz)
{
	struct simrig *g = calloc(1, sizeof(*g));
	struct sw_rtt_ops ops = {sr_read, sr_write, sr_clock, sr_room, sr_data, g, sr_qread, sr_qwrite, sr_run,
				 sr_swclk};
	struct sw_rtt *rtt = NULL;
	struct sw_elf *elf = NULL;
	struct sim_timing tm;
	struct sim_counters c0, c1, start;
	uint32_t cb = 0, flood = 0, lines = 0, size;
	uint64_t bytes_start;
	unsigned polls = 0, multi = 0, missed = 0, starved = 0;
	uint8_t w[4];

	sw_ctx_init(&g->ctx);
	g->ctx.level = SW_LOG_NONE;
	g->hz = khz * 1000u;
	CHECK_OK(sw_elf_open_file(&g->ctx, DEMO_ELF, &elf));
	CHECK_OK(sw_elf_symbol(elf, "_SEGGER_RTT", &cb, &size));
	CHECK_OK(sw_elf_symbol(elf, "demo_rtt_flood", &flood, &size));
	CHECK_OK(sw_elf_symbol(elf, "demo_rtt_lines", &lines, &size));
	sw_elf_close(elf);
	CHECK_OK(sim_new(&g->ctx, "stm32h743", &g->sim));
	CHECK_OK(sim_load_elf(g->sim, DEMO_ELF));
	sim_get_timing(g->sim, &tm);
	tm.swclk_hz = g->hz;
	sim_set_timing(g->sim, &tm);
	sim_power_on_reset(g->sim);
	CHECK_OK(sw_sim_probe_open(&g->ctx, g->sim, 0, &g->probe));
	CHECK_OK(sw_target_open(&g->ctx, g->probe, sw_target_find("stm32h743"), 0, &g->t));
	if (!g->t || !cb || !flood || !lines)
		goto out;
	g->core = sw_target_core(g->t, 0);
	CHECK_OK(sw_rtt_new(&g->ctx, &ops, &rtt));
	sw_rtt_set_elf_addr(rtt, cb);
	sw_rtt_start(rtt);
	run_for(g, rtt, 50000000ull);
	g->take_up1 = true;
	sw_le32_put(w, 1);
	sim_mem_write(g->sim, flood, w, 4);
	run_for(g, rtt, 20000000ull);
	sim_get_counters(g->sim, &start);
	bytes_start = g->bytes1;
	for (; polls < 400; polls++) {
		uint64_t b1 = g->bytes1;
		uint32_t n;
		char want[32];

		sim_advance_ns(g->sim, 50000);
		sim_mem_read(g->sim, lines, w, 4); /* counted after the line's WrOff store */
		n = sw_le32_get(w);
		sim_get_counters(g->sim, &c0);
		sw_rtt_poll(rtt, true);
		sim_get_counters(g->sim, &c1);
		multi += c1.round_trips - c0.round_trips != 1;
		snprintf(want, sizeof(want), "rtt: tick %u\n", n);
		missed += n && !strstr(g->text, want);
		starved += g->bytes1 == b1;
	}
	/* Share of the SWD transactions that carried up 1's data (4 bytes
	 * each): the block read, write-backs, read-ahead and TAR writes are
	 * the rest. */
	double share = (double)(g->bytes1 - bytes_start) / 4.0 / ((double)(c1.swclk_cycles - start.swclk_cycles) / 46.0);
	TEST_INFO("%u kHz: %u polls, %llu bytes of up 1, %zu of up 0; %u polls of more than one round trip, "
		  "%u with a line missing, %u with nothing from up 1; %.0f %% of the transactions carried up 1",
		  khz, polls, (unsigned long long)g->bytes1, g->len, multi, missed, starved, 100.0 * share);
	CHECK(share >= 0.8);
	CHECK_EQ_U(multi, 0u);
	CHECK_EQ_U(missed, 0u);
	CHECK_EQ_U(starved, 0u);
	CHECK_EQ_U(g->gaps1, 0u);
	CHECK(g->len > 400 && g->bytes1 > 400u * 256u);
out:
	simrig_free(g, rtt);
}

static void test_engine_fair_under_flood(void)
{
	fair_under_flood(4000);
	fair_under_flood(15000);
}

int main(void)
{
	RUN_TEST(test_engine_on_sim);
	RUN_TEST(test_engine_fair_under_flood);
	return TEST_MAIN_END();
}
