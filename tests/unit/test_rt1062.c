/* MIMXRT1062: the simulated chip (IDs, boot ROM, FlexSPI) and the host-
 * driven FlexSPI NOR driver through the flash stage, as gdb's load uses it
 * (reference/targets.md §3, perf.md §5c). */
#include "cortexm/core.h"
#include "probes/sim_probe.h"
#include "server/flash/flash_stage.h"
#include "sim/sim.h"
#include "targets/target.h"
#include "targets/targets_priv.h"
#include "tests/test.h"

#define NOR 0x60000000u
#define FSPI 0x402A8000u

struct rig {
	struct sw_ctx ctx;
	struct sim *sim;
	struct sw_probe *probe;
	struct sw_target *t;
	struct sw_core *core;
};

static void rig_open(struct rig *g, const uint8_t *nor_img, size_t n)
{
	memset(g, 0, sizeof(*g));
	sw_ctx_init(&g->ctx);
	g->ctx.level = SW_LOG_NONE;
	CHECK_OK(sim_new(&g->ctx, "mimxrt1062", &g->sim));
	if (nor_img)
		CHECK_OK(sim_mem_write(g->sim, NOR, nor_img, n));
	sim_power_on_reset(g->sim);
	sim_advance_ns(g->sim, 1000000);
	CHECK_OK(sw_sim_probe_open(&g->ctx, g->sim, 0, &g->probe));
	CHECK_OK(sw_target_open(&g->ctx, g->probe, &sw_target_mimxrt1062, 0, &g->t));
	g->core = g->t ? sw_target_core(g->t, 0) : NULL;
}

static void rig_close(struct rig *g)
{
	sw_target_close(g->t);
	sw_probe_close(g->probe);
	sim_free(g->sim);
}

static uint32_t rd(struct rig *g, uint32_t a)
{
	uint32_t v = 0xDEADBEEFu;

	CHECK_OK(sw_mem_read32(sw_core_ap(g->core), a, &v));
	return v;
}

static void put32(uint8_t *p, uint32_t v)
{
	for (unsigned i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* A 1-bit SDR FCB like RT-UFL's example (targets.md §3.4): seq 0 read 03h,
 * 1 status 05h, 3 WREN 06h, 5 erase D8h (a 64 KiB erase, so the driver must
 * derive its 4 KiB erase), 9 page program 02h; 8 MiB. */
static void make_fcb(uint8_t *f)
{
	memset(f, 0, 512);
	put32(f, 0x42464346u);
	put32(f + 4, 0x56010000u);
	put32(f + 0x50, 8u << 20);
	put32(f + 0x80, 0x08180403u);      /* CMD 03h, RADDR 24 */
	put32(f + 0x84, 0x00002404u);      /* READ 4, STOP */
	put32(f + 0x90, 0x24010405u);      /* CMD 05h, READ 1 */
	put32(f + 0xB0, 0x00000406u);      /* CMD 06h */
	put32(f + 0xD0, 0x081804D8u);      /* CMD D8h, RADDR 24 */
	put32(f + 0x110, 0x08180402u);     /* CMD 02h, RADDR 24 */
	put32(f + 0x114, 0x00002004u);     /* WRITE 4 */
	put32(f + 0x1C0, 256);
	put32(f + 0x1C4, 4096);
	put32(f + 0x1D0, 65536);
}

static void test_ids_and_identify(void)
{
	struct rig g;
	const struct sw_target_desc *got = NULL;

	rig_open(&g, NULL, 0);
	CHECK_OK(sw_target_identify(&g.ctx, g.probe, &got));
	CHECK(got == &sw_target_mimxrt1062);
	CHECK(sw_target_find("MIMXRT1062xxx6A") == &sw_target_mimxrt1062);
	CHECK_EQ_U(rd(&g, 0x0020A000u), 0x80DBF000u);
	CHECK_EQ_U(sw_core_get_info(g.core)->cpuid, 0x411FC271u);
	/* blank NOR: the ROM found no FCB and left FlexSPI off (MCR0.MDIS) */
	CHECK(rd(&g, FSPI) & 2u);
	rig_close(&g);
}

static void program_and_check(struct rig *g, uint32_t addr, const uint8_t *img, size_t n,
			      struct sw_flash_stats *stats)
{
	struct sw_flash_stage *st = NULL;
	uint8_t *back = malloc(n);

	CHECK_OK(sw_core_halt(g->core));
	CHECK_OK(sw_flash_stage_new(&g->ctx, &sw_target_mimxrt1062, &st));
	CHECK_OK(sw_flash_stage_write(st, addr, img, n));
	int r = sw_flash_stage_done(st, g->core, stats);
	CHECK_MSG(r == 0, "stage_done: %s", sw_errmsg(&g->ctx));
	sw_flash_stage_free(st);
	CHECK_OK(sim_mem_read(g->sim, addr, back, n));
	CHECK(!memcmp(back, img, n));
	free(back);
}

/* Blank part, FlexSPI off: LUT from SFDP; then 1 MiB over old data takes
 * 64 KiB erases and about 4096 page programs. Reports the virtual time. */
static void test_sfdp_path_and_1mib(void)
{
	struct rig g;
	struct sw_flash_stats stats;
	size_t n = 1u << 20;
	uint8_t *img = malloc(n);

	for (size_t i = 0; i < n; i++)
		img[i] = (uint8_t)(i * 7u + (i >> 12));
	rig_open(&g, NULL, 0);
	program_and_check(&g, NOR + 0x1000u, img, 0x3000, &stats);
	CHECK_EQ_U(stats.sectors_erased, 0);
	CHECK_EQ_U(stats.sectors_programmed, 3);
	/* now 1 MiB over it: 3 non-blank sectors to erase, the rest blank */
	for (size_t i = 0; i < n; i++)
		img[i] = (uint8_t)~img[i];
	uint64_t t0 = sim_now_ns(g.sim);
	program_and_check(&g, NOR, img, n, &stats);
	uint64_t t1 = sim_now_ns(g.sim);
	CHECK_EQ_U(stats.sectors_programmed, 256);
	CHECK_EQ_U(stats.sectors_erased, 3);
	TEST_INFO("1 MiB into blank-ish NOR (J-Link HS 4 MHz model): %.3f s virtual", (double)(t1 - t0) / 1e9);
	/* all sectors written: rewrite 1 MiB of new data -> 16 x 64 KiB erases */
	for (size_t i = 0; i < n; i++)
		img[i] = (uint8_t)(img[i] ^ 0x5A);
	t0 = sim_now_ns(g.sim);
	program_and_check(&g, NOR, img, n, &stats);
	t1 = sim_now_ns(g.sim);
	CHECK_EQ_U(stats.sectors_erased, 256);
	TEST_INFO("1 MiB over old data (erase 16 x 64 KiB + program): %.3f s virtual (perf.md floor 6.5 s)",
		  (double)(t1 - t0) / 1e9);
	CHECK((t1 - t0) < 30000000000ull);
	rig_close(&g);
	free(img);
}

/* Valid FCB: the ROM configured FlexSPI from it; the driver takes its LUT
 * from the FCB and keeps sequence 0 (the XIP read) intact. */
static void test_fcb_path_keeps_xip_seq(void)
{
	struct rig g;
	struct sw_flash_stats stats;
	uint8_t fcb[512], img[0x2000];

	make_fcb(fcb);
	rig_open(&g, fcb, sizeof(fcb));
	CHECK_EQ_U(rd(&g, FSPI) & 2u, 0); /* enabled by the ROM */
	CHECK_EQ_U(rd(&g, FSPI + 0x200), 0x08180403u);
	for (size_t i = 0; i < sizeof(img); i++)
		img[i] = i < 0x1000 ? 0xFF : (uint8_t)(i ^ 0xA5);
	memcpy(img, fcb, sizeof(fcb)); /* sector 0 as it is: FCB, then erased */
	program_and_check(&g, NOR, img, sizeof(img), &stats);
	CHECK_EQ_U(rd(&g, FSPI + 0x200), 0x08180403u);
	CHECK_EQ_U(rd(&g, FSPI + 0x200 + 16 * 5) & 0xFFu, 0x20); /* derived 4 KiB erase */
	CHECK_EQ_U(rd(&g, FSPI + 0x200 + 16 * 8) & 0xFFu, 0xD8);
	CHECK_EQ_U(stats.sectors_programmed, 1); /* sector 0 unchanged: skipped */
	CHECK_EQ_U(stats.sectors_skipped, 1);
	rig_close(&g);
}

int main(void)
{
	RUN_TEST(test_ids_and_identify);
	RUN_TEST(test_fcb_path_keeps_xip_seq);
	RUN_TEST(test_sfdp_path_and_1mib);
	return TEST_MAIN_END();
}
