/* The simulated STM32H743 flash controller, driven through its bus the way
 * a debugger's MEM-AP or the CPU would (RM0433 §4). */
#include "sim/sim.h"
#include "tests/test.h"

#define CR1 0x5200200Cu
#define SR1 0x52002010u
#define KEYR1 0x52002004u
#define CCR1 0x52002014u
#define CR2 0x5200210Cu

static struct sim *open_sim(struct sw_ctx *ctx)
{
	struct sim *sim = NULL;

	sw_ctx_init(ctx);
	ctx->level = SW_LOG_NONE;
	CHECK_OK(sim_new(ctx, "stm32h743", &sim));
	return sim;
}

/* The test talks to the bus through the back door's MMIO-capable path:
 * sim_mem_* refuses MMIO, so use 32-bit helper writes via a tiny AP-less
 * route: the simulator exposes none, hence these tests go through the
 * sim probe + ADI like every host-side user. */
#include "adi/adi.h"
#include "probes/sim_probe.h"

struct rig {
	struct sw_ctx ctx;
	struct sim *sim;
	struct sw_probe *p;
	sw_dap *dap;
	sw_ap *ap;
};

static void rig_open(struct rig *g)
{
	g->sim = open_sim(&g->ctx);
	CHECK_OK(sw_sim_probe_open(&g->ctx, g->sim, 0, &g->p));
	CHECK_OK(sw_dap_new(&g->ctx, g->p, &g->dap));
	CHECK_OK(sw_dap_connect(g->dap, 0));
	CHECK_OK(sw_ap_open(g->dap, 0, &g->ap));
}

static void rig_close(struct rig *g)
{
	sw_ap_close(g->ap);
	sw_dap_free(g->dap);
	sw_probe_close(g->p);
	sim_free(g->sim);
}

static uint32_t rd(struct rig *g, uint32_t a)
{
	uint32_t v = 0;

	CHECK_OK(sw_mem_read32(g->ap, a, &v));
	return v;
}

static void test_lock_and_keys(void)
{
	struct rig g;

	rig_open(&g);
	CHECK_EQ_U(rd(&g, CR1) & 1u, 1); /* locked out of reset */
	CHECK_OK(sw_mem_write32(g.ap, CR1, 0x2)); /* ignored while locked */
	CHECK_EQ_U(rd(&g, CR1) & 2u, 0);
	CHECK_OK(sw_mem_write32(g.ap, KEYR1, 0x45670123u));
	CHECK_OK(sw_mem_write32(g.ap, KEYR1, 0xCDEF89ABu));
	CHECK_EQ_U(rd(&g, CR1) & 1u, 0);
	/* Bank 2 has its own lock. */
	CHECK_EQ_U(rd(&g, CR2) & 1u, 1);
	/* A wrong key locks the bank until reset. */
	CHECK_OK(sw_mem_write32(g.ap, 0x52002104u, 0x12345678u));
	CHECK_OK(sw_mem_write32(g.ap, 0x52002104u, 0x45670123u));
	CHECK_OK(sw_mem_write32(g.ap, 0x52002104u, 0xCDEF89ABu));
	CHECK_EQ_U(rd(&g, CR2) & 1u, 1);
	sim_power_on_reset(g.sim);
	CHECK_OK(sw_mem_write32(g.ap, 0x52002104u, 0x45670123u));
	CHECK_OK(sw_mem_write32(g.ap, 0x52002104u, 0xCDEF89ABu));
	CHECK_EQ_U(rd(&g, CR2) & 1u, 0);
	rig_close(&g);
}

static void test_program_erase_timing(void)
{
	struct rig g;
	uint8_t word[32], back[32];
	uint64_t t0, t1;

	rig_open(&g);
	for (int i = 0; i < 32; i++)
		word[i] = (uint8_t)(i * 7);
	/* Store outside a programming sequence: PGSERR, flash unchanged. */
	CHECK_OK(sw_mem_write32(g.ap, KEYR1, 0x45670123u));
	CHECK_OK(sw_mem_write32(g.ap, KEYR1, 0xCDEF89ABu));
	CHECK_OK(sw_mem_write32(g.ap, 0x08000000u, 0));
	CHECK((rd(&g, SR1) & (1u << 18)) != 0);
	CHECK_OK(sw_mem_write32(g.ap, CCR1, 0x07EF0000u));
	CHECK_EQ_U(rd(&g, SR1) & (1u << 18), 0);
	/* One 256-bit flash word: PG, eight stores, BSY/QW for ~100 us. */
	CHECK_OK(sw_mem_write32(g.ap, CR1, 0x32));
	t0 = sim_now_ns(g.sim);
	/* Stores and the SR read in one batch: the read comes ~12 us after the
	 * 8th store, well inside the 100 us programming time. */
	uint32_t sr = 0;
	for (int i = 0; i < 8; i++)
		CHECK_OK(sw_mem_queue_write32(g.ap, 0x08000020u + 4u * (uint32_t)i,
					      (uint32_t)word[4 * i] | (uint32_t)word[4 * i + 1] << 8 |
						      (uint32_t)word[4 * i + 2] << 16 | (uint32_t)word[4 * i + 3] << 24));
	CHECK_OK(sw_mem_queue_read32(g.ap, SR1, &sr));
	CHECK_OK(sw_dap_run(sw_ap_dap(g.ap)));
	CHECK_MSG(sr & 0x5u, "BSY/QW should be set right after the 8th store (SR 0x%08x)", sr);
	while (rd(&g, SR1) & 0x5u)
		;
	t1 = sim_now_ns(g.sim);
	CHECK_MSG(t1 - t0 >= 100000, "program took %llu ns, expected >= 100 us", (unsigned long long)(t1 - t0));
	CHECK_OK(sw_mem_read(g.ap, 0x08000020u, back, 32));
	CHECK(!memcmp(word, back, 32));
	/* Programming the same (non-erased) word again is refused. */
	word[0] ^= 0xFF;
	CHECK_OK(sw_mem_write(g.ap, 0x08000020u, word, 32));
	CHECK((rd(&g, SR1) & (1u << 18)) != 0);
	CHECK_OK(sw_mem_read(g.ap, 0x08000020u, back, 32));
	CHECK(back[0] != word[0]);
	/* Sector erase: ~1 s busy, then the sector reads 0xFF. */
	CHECK_OK(sw_mem_write32(g.ap, CCR1, 0x07EF0000u));
	CHECK_OK(sw_mem_write32(g.ap, CR1, 0x34));
	t0 = sim_now_ns(g.sim);
	CHECK_OK(sw_mem_write32(g.ap, CR1, 0x34 | 0x80));
	while (rd(&g, SR1) & 0x5u)
		;
	t1 = sim_now_ns(g.sim);
	CHECK_MSG(t1 - t0 >= 1000000000ull, "erase took %llu ns", (unsigned long long)(t1 - t0));
	CHECK_OK(sw_mem_read(g.ap, 0x08000020u, back, 32));
	for (int i = 0; i < 32; i++)
		CHECK_EQ_U(back[i], 0xFF);
	TEST_INFO("flash word program and sector erase: %.1f us / %.3f s virtual", 100.0, (double)(t1 - t0) / 1e9);
	rig_close(&g);
}

/* A virgin chip has no sector write-protected: FLASH_WPSN_CUR1R/2R read
 * 0xFF (RM0433 §4.9.13); OpenOCD's `flash info` reports protection from it. */
static void test_wpsn_virgin(void)
{
	struct rig g;

	rig_open(&g);
	CHECK_EQ_U(rd(&g, 0x52002038u) & 0xFFu, 0xFF);
	CHECK_EQ_U(rd(&g, 0x52002138u) & 0xFFu, 0xFF);
	rig_close(&g);
}

int main(void)
{
	RUN_TEST(test_lock_and_keys);
	RUN_TEST(test_wpsn_virgin);
	RUN_TEST(test_program_erase_timing);
	return TEST_MAIN_END();
}
