/* The Cortex-M7 L1 I-cache of the simulated STM32H743 (sim/sim_cache.c,
 * sim/sim_core_icache.c) and the server's cache maintenance around code it
 * writes. ARMv7-M ARM B2.2.7 (ICIALLU, ICIMVAU), B3.2.8 (CCR.IC); a debugger
 * write through the AHB-AP goes to memory, not through the core's I-cache,
 * so code written over lines the core executed is stale until invalidated. */
#include "adi/adi.h"
#include "cortexm/core.h"
#include "probes/probe.h"
#include "probes/sim_probe.h"
#include "server/flash/flash_stage.h"
#include "server/flash/loader.h"
#include "sim/sim.h"
#include "sim/sim_cache.h"
#include "sim/sim_internal.h"
#include "targets/target.h"
#include "targets/targets_priv.h"
#include "tests/test.h"

#define AXI 0x24000000u  /* AXI SRAM: cacheable (SRAM region, B3.1) */
#define DTCM 0x20000000u /* DTCM: never cached */
#define CCR 0xE000ED14u
#define CCR_IC (1u << 17)
#define ICIALLU 0xE000EF50u
#define ICIMVAU 0xE000EF58u
#define MOVS_R0(n) ((uint16_t)(0x2000u | (n)))
#define BKPT 0xBE00u
#define ADDS_R0_1 0x3001u
#define SLED 0x800u /* covers the whole H7 loader blob (0x740 bytes) */

struct rig {
	struct sw_ctx ctx;
	struct sim *sim;
	struct sw_probe *probe;
	struct sw_target *t;
	struct sw_core *core;
	sw_ap *ap;
};

static int rig_open_chip(struct rig *g, const char *chip, const char *target)
{
	int r;

	memset(g, 0, sizeof(*g));
	sw_ctx_init(&g->ctx);
	g->ctx.level = SW_LOG_NONE;
	if ((r = sim_new(&g->ctx, chip, &g->sim)) || (r = sw_sim_probe_open(&g->ctx, g->sim, 0, &g->probe)) ||
	    (r = sw_target_open(&g->ctx, g->probe, sw_target_find(target), 0, &g->t)))
		return r;
	g->core = sw_target_core(g->t, 0);
	g->ap = sw_core_ap(g->core);
	return sw_core_halt(g->core);
}

static int rig_open(struct rig *g)
{
	return rig_open_chip(g, "stm32h743", "stm32h743");
}

static void rig_close(struct rig *g)
{
	sw_target_close(g->t);
	sw_probe_close(g->probe);
	sim_free(g->sim);
}

/* Run from pc (Thumb) until the core halts; the PC it halted at. */
static uint32_t run_at(struct rig *g, uint32_t pc)
{
	struct sw_core_state cs = {0};

	CHECK_OK(sw_core_reg_write(g->core, SW_REG_PC, pc));
	CHECK_OK(sw_core_resume(g->core));
	for (int i = 0; i < 1000 && !cs.halted; i++) {
		sim_advance_ns(g->sim, 10000);
		CHECK_OK(sw_core_poll(g->core, &cs));
	}
	CHECK_MSG(cs.halted, "the core did not halt");
	return cs.pc;
}

static uint32_t r0(struct rig *g)
{
	uint64_t v = 0;

	CHECK_OK(sw_core_reg_read(g->core, 0, &v));
	return (uint32_t)v;
}

/* Two instructions at addr by a debugger write: movs r0, #n; bkpt. */
static void put_code(struct rig *g, uint32_t addr, unsigned n)
{
	uint16_t code[2] = {MOVS_R0(n), BKPT};

	CHECK_OK(sw_mem_write(g->ap, addr, code, sizeof(code)));
}

static void icache_on(struct rig *g)
{
	uint32_t ccr = 0;

	CHECK_OK(sw_mem_write32(g->ap, ICIALLU, 0)); /* as CMSIS SCB_EnableICache */
	CHECK_OK(sw_mem_read32(g->ap, CCR, &ccr));
	CHECK_OK(sw_mem_write32(g->ap, CCR, ccr | CCR_IC));
}

/* The geometry: a 2-way cache keeps two lines of one set and drops the
 * oldest for a third (round robin), ICIMVAU drops one line. */
static void test_cache_model(void)
{
	struct sim_icache_cfg cfg = {16u * 1024u, 2, 32};
	struct sim_icache *ic = sim_icache_new(&cfg);
	uint8_t a[32], b[32], c[32];
	uint32_t way = 16u * 1024u / 2u; /* addresses this far apart share a set */

	CHECK(ic != NULL);
	if (!ic)
		return;
	memset(a, 1, sizeof(a));
	memset(b, 2, sizeof(b));
	memset(c, 3, sizeof(c));
	CHECK(sim_icache_lookup(ic, 0x24000004u) == NULL);
	sim_icache_fill(ic, 0x24000004u, a);
	sim_icache_fill(ic, 0x24000000u + way, b);
	CHECK(sim_icache_lookup(ic, 0x2400001Eu) && sim_icache_lookup(ic, 0x2400001Eu)[0] == 1);
	CHECK(sim_icache_lookup(ic, 0x24000000u + way) != NULL);
	sim_icache_fill(ic, 0x24000000u + 2 * way, c); /* evicts the first */
	CHECK(sim_icache_lookup(ic, 0x24000000u) == NULL);
	CHECK(sim_icache_lookup(ic, 0x24000000u + 2 * way) != NULL);
	sim_icache_invalidate_mva(ic, 0x24000000u + way + 8);
	CHECK(sim_icache_lookup(ic, 0x24000000u + way) == NULL);
	CHECK(sim_icache_lookup(ic, 0x24000000u + 2 * way) != NULL);
	sim_icache_invalidate_all(ic);
	CHECK(sim_icache_lookup(ic, 0x24000000u + 2 * way) == NULL);
	CHECK(sim_icache_new(&(struct sim_icache_cfg){3000u, 2, 32}) == NULL);
	sim_icache_free(ic);
}

/* Code rewritten by the debugger over a line the core executed runs stale
 * until ICIALLU / ICIMVAU; with CCR.IC clear fetches bypass the cache (its
 * lines stay and show again when it is switched back on without an
 * invalidate); DTCM is never cached. */
static void test_stale_until_invalidated(void)
{
	struct rig g;
	struct sim_icache_stats st;
	uint32_t ccr = 0;

	if (rig_open(&g)) {
		CHECK_MSG(0, "rig: %s", sw_errmsg(&g.ctx));
		return;
	}
	CHECK_OK(sw_mem_read32(g.ap, CCR, &ccr));
	CHECK_MSG(!(ccr & CCR_IC), "CCR.IC set after reset (Cortex-M7 TRM: 0)");
	put_code(&g, AXI, 1);
	icache_on(&g);
	CHECK_EQ_U(run_at(&g, AXI), AXI + 2);
	CHECK_EQ_U(r0(&g), 1);
	put_code(&g, AXI, 2);
	CHECK_EQ_U(run_at(&g, AXI), AXI + 2);
	CHECK_MSG(r0(&g) == 1, "r0 = %u: the core executed the debugger's new code although its I-cache holds the old line",
		  r0(&g));
	CHECK_OK(sw_mem_write32(g.ap, ICIALLU, 0));
	run_at(&g, AXI);
	CHECK_EQ_U(r0(&g), 2);
	put_code(&g, AXI, 3);
	CHECK_OK(sw_mem_write32(g.ap, ICIMVAU, AXI + 0x10)); /* any address in the line */
	run_at(&g, AXI);
	CHECK_EQ_U(r0(&g), 3);
	/* Off: memory; back on without an invalidate: the old line again. */
	CHECK_OK(sw_mem_write32(g.ap, CCR, ccr));
	put_code(&g, AXI, 4);
	run_at(&g, AXI);
	CHECK_EQ_U(r0(&g), 4);
	CHECK_OK(sw_mem_write32(g.ap, CCR, ccr | CCR_IC));
	run_at(&g, AXI);
	CHECK_EQ_U(r0(&g), 3);
	/* DTCM: not cached. */
	put_code(&g, DTCM, 5);
	run_at(&g, DTCM);
	CHECK_EQ_U(r0(&g), 5);
	put_code(&g, DTCM, 6);
	run_at(&g, DTCM);
	CHECK_EQ_U(r0(&g), 6);
	/* The debugger's view of memory is memory, never the stale bytes. */
	uint32_t w = 0;
	CHECK_OK(sw_mem_read32(g.ap, AXI, &w));
	CHECK_EQ_U(w, (uint32_t)MOVS_R0(4) | (uint32_t)BKPT << 16);
	CHECK_OK(sim_core_icache_stats(g.sim->cores[0], &st));
	CHECK(st.stale_hits >= 2);
	rig_close(&g);
}

/* What a debugger reads to size the caches (ARMv7-M ARM B4.8; OpenOCD
 * armv7m_cache.c armv7m_identify_cache): CLIDR, CTR, CCSIDR per CSSELR. */
static void test_cache_id_registers(void)
{
	struct rig g;
	uint32_t clidr = 0, ctr = 0, ci = 0, cd = 0;

	if (rig_open(&g)) {
		CHECK_MSG(0, "rig: %s", sw_errmsg(&g.ctx));
		return;
	}
	CHECK_OK(sw_mem_read32(g.ap, 0xE000ED78u, &clidr));
	CHECK_OK(sw_mem_read32(g.ap, 0xE000ED7Cu, &ctr));
	CHECK_OK(sw_mem_write32(g.ap, 0xE000ED84u, 1)); /* L1 instruction */
	CHECK_OK(sw_mem_read32(g.ap, 0xE000ED80u, &ci));
	CHECK_OK(sw_mem_write32(g.ap, 0xE000ED84u, 0)); /* L1 data */
	CHECK_OK(sw_mem_read32(g.ap, 0xE000ED80u, &cd));
	CHECK_EQ_U(clidr & 7u, 3);                     /* separate I and D at L1 */
	CHECK_EQ_U(4u << (ctr & 0xFu), 32);              /* IminLine */
	CHECK_EQ_U(4u << ((ctr >> 16) & 0xFu), 32);      /* DminLine */
	CHECK_EQ_U(((ci >> 13) & 0x7FFFu) + 1u, 256);   /* I: sets */
	CHECK_EQ_U(((ci >> 3) & 0x3FFu) + 1u, 2);       /* I: ways */
	CHECK_EQ_U(16u << (ci & 7u), 32);                /* I: line bytes */
	CHECK_EQ_U(((cd >> 13) & 0x7FFFu) + 1u, 128);   /* D: 16 KiB 4-way */
	CHECK_EQ_U(((cd >> 3) & 0x3FFu) + 1u, 4);
	rig_close(&g);
}

/* The AE3's Cortex-M55 (HP core) the same way (ARMv8-M ARM: the same SCB
 * registers): SRAM0 in the Code region is cached, its ITCM at 0 is not. */
static void test_m55_stale_until_invalidated(void)
{
	struct rig g;
	const uint32_t sram0 = 0x02000000u, itcm = 0x00001000u;

	if (rig_open_chip(&g, "ae3", "ae3-hp")) {
		CHECK_MSG(0, "rig: %s", sw_errmsg(&g.ctx));
		rig_close(&g);
		return;
	}
	put_code(&g, sram0, 1);
	icache_on(&g);
	CHECK_EQ_U(run_at(&g, sram0), sram0 + 2);
	CHECK_EQ_U(r0(&g), 1);
	put_code(&g, sram0, 2);
	run_at(&g, sram0);
	CHECK_MSG(r0(&g) == 1, "r0 = %u: the M55 ran the new code although its I-cache holds the old line", r0(&g));
	CHECK_OK(sw_mem_write32(g.ap, ICIALLU, 0));
	run_at(&g, sram0);
	CHECK_EQ_U(r0(&g), 2);
	put_code(&g, itcm, 3);
	run_at(&g, itcm);
	put_code(&g, itcm, 4);
	run_at(&g, itcm);
	CHECK_EQ_U(r0(&g), 4);
	rig_close(&g);
}

/* gdb's memory write (M/X packets: sw_core_mem_write) of new code over a
 * cached line, then continue or stepi: the resume invalidates the I-cache
 * in its own batch, so the core runs what gdb wrote. */
static void test_resume_after_gdb_write(void)
{
	struct rig g;
	uint16_t code[2] = {MOVS_R0(7), BKPT};
	struct sw_core_state cs;

	if (rig_open(&g)) {
		CHECK_MSG(0, "rig: %s", sw_errmsg(&g.ctx));
		return;
	}
	put_code(&g, AXI, 1);
	icache_on(&g);
	CHECK_EQ_U(run_at(&g, AXI), AXI + 2);
	CHECK_OK(sw_core_mem_write(g.core, AXI, code, sizeof(code)));
	CHECK_EQ_U(run_at(&g, AXI), AXI + 2);
	CHECK_MSG(r0(&g) == 7, "r0 = %u after gdb wrote movs r0, #7 and continued (stale I-cache line ran)", r0(&g));
	code[0] = MOVS_R0(8);
	CHECK_OK(sw_core_mem_write(g.core, AXI, code, sizeof(code)));
	CHECK_OK(sw_core_reg_write(g.core, SW_REG_PC, AXI));
	CHECK_OK(sw_core_step_poll(g.core, false, &cs));
	CHECK_EQ_U(cs.pc, AXI + 2);
	CHECK_MSG(r0(&g) == 8, "r0 = %u after gdb wrote movs r0, #8 and stepped", r0(&g));
	/* A write to the PPB (not memory code is fetched from) asks for no
	 * invalidate: the program keeps its cached lines. */
	struct sim_icache_stats a, b;
	uint32_t zero = 0;
	CHECK_OK(sim_core_icache_stats(g.sim->cores[0], &a));
	CHECK_OK(sw_core_mem_write(g.core, 0xE0001020u, &zero, 4)); /* DWT_COMP0 */
	run_at(&g, AXI);
	CHECK_OK(sim_core_icache_stats(g.sim->cores[0], &b));
	CHECK_EQ_U(b.invalidates, a.invalidates);
	rig_close(&g);
}

/* Flash the host programmed (no loader) over code the core ran from the
 * cached flash: the resume after the flash stage invalidates. */
static void test_resume_after_host_flash(void)
{
	struct rig g;
	struct sw_flash_stage *st = NULL;
	struct sw_flash_stats fs;
	const uint32_t at = 0x08000400u;
	uint16_t code[16];

	if (rig_open(&g)) {
		CHECK_MSG(0, "rig: %s", sw_errmsg(&g.ctx));
		return;
	}
	for (size_t i = 0; i < 16; i++)
		code[i] = BKPT;
	code[0] = MOVS_R0(1);
	CHECK_OK(sim_mem_write(g.sim, at, code, sizeof(code))); /* as if programmed before */
	icache_on(&g);
	CHECK_EQ_U(run_at(&g, at), at + 2);
	CHECK_EQ_U(r0(&g), 1);
	code[0] = MOVS_R0(9);
	CHECK_OK(sw_flash_stage_new(&g.ctx, sw_target_find("stm32h743"), &st));
	if (st) {
		sw_flash_stage_no_loader(st, true);
		CHECK_OK(sw_flash_stage_write(st, at, (const uint8_t *)code, sizeof(code)));
		CHECK_OK(sw_flash_stage_done(st, g.core, &fs));
		sw_flash_stage_free(st);
	}
	CHECK_EQ_U(run_at(&g, at), at + 2);
	CHECK_MSG(r0(&g) == 9, "r0 = %u: the core ran the old flash contents from its I-cache after programming", r0(&g));
	rig_close(&g);
}

/* The core executes a sled of adds r0, #1 in AXI SRAM (where the H7 loader runs) with
 * the I-cache on, so every line of the loader's place is cached. Opening
 * the loader must invalidate after writing its blob (else the core runs
 * the sled: "flash loader crashed"), and closing it must invalidate after
 * putting the RAM back (else the program runs the loader's code). */
static void test_loader_invalidates(void)
{
	struct rig g;
	struct sw_loader *l = NULL;
	struct swl_range rg = {0x08000000u, 0x100u, 0};
	uint16_t sled[SLED / 2];
	const struct sw_target_desc *d = sw_target_find("stm32h743");

	if (rig_open(&g)) {
		CHECK_MSG(0, "rig: %s", sw_errmsg(&g.ctx));
		return;
	}
	for (size_t i = 0; i < SLED / 2; i++)
		sled[i] = ADDS_R0_1; /* r0 counts what ran */
	sled[SLED / 2 - 1] = BKPT;
	CHECK_OK(sw_mem_write(g.ap, AXI, sled, sizeof(sled)));
	icache_on(&g);
	CHECK_EQ_U(run_at(&g, AXI), AXI + SLED - 2);
	int r = sw_loader_open(&g.ctx, g.core, d->loader, 0x20000u, true, &l);
	CHECK_MSG(r == SW_OK, "loader over cached lines: %s", sw_errmsg(&g.ctx));
	if (l) {
		CHECK_OK(sw_loader_crc(l, &rg, 1));
		CHECK_OK(sw_loader_close(l, NULL));
	}
	/* The sled is back in memory; the program must run it, not the
	 * loader lines the core fetched last. */
	CHECK_OK(sw_core_reg_write(g.core, 0, 0));
	uint32_t pc = run_at(&g, AXI);
	CHECK_MSG(pc == AXI + SLED - 2 && r0(&g) == SLED / 2 - 1,
		  "after the loader the program halted at 0x%08x with r0 %u, not at its BKPT 0x%08x with r0 %u (stale loader code in the I-cache)",
		  pc, r0(&g), AXI + SLED - 2, SLED / 2 - 1);
	rig_close(&g);
}

int main(void)
{
	RUN_TEST(test_cache_model);
	RUN_TEST(test_stale_until_invalidated);
	RUN_TEST(test_cache_id_registers);
	RUN_TEST(test_m55_stale_until_invalidated);
	RUN_TEST(test_resume_after_gdb_write);
	RUN_TEST(test_resume_after_host_flash);
	RUN_TEST(test_loader_invalidates);
	return TEST_MAIN_END();
}
