/* The simulator strict where silicon is (issue #18), and the server's
 * handling of it: AP WAIT while a bus access stalls and the time-based WAIT
 * policy (ADIv5.2 B4.2.3, OpenOCD bitbang.c SWD_WAIT_TIMEOUT), DAPABORT,
 * RESEND (B2.2.7), a failed posted access reported by the next packet
 * (B4.2.1), and the STM32H743 flash controller (RM0433 §4.3, FLASH_SR). */
#include "adi/adi.h"
#include "cortexm/core.h"
#include "probes/probe.h"
#include "probes/sim_probe.h"
#include "sim/sim.h"
#include "server/flash/loader.h"
#include "sim/sim_flash_h743.h"
#include "targets/target.h"
#include "targets/targets_priv.h"
#include "tests/test.h"

#define AXI 0x24000000u
#define FLASH_CR1 0x5200200Cu
#define FLASH_SR1 0x52002010u
#define FLASH_KEYR1 0x52002004u
#define FLASH_CCR1 0x52002014u

struct rig {
	struct sw_ctx ctx;
	struct sim *sim;
	struct sw_probe *probe;
	sw_dap *dap;
	sw_ap *ap;
};

static int rig_open(struct rig *g)
{
	int r;

	memset(g, 0, sizeof(*g));
	sw_ctx_init(&g->ctx);
	g->ctx.level = SW_LOG_NONE;
	if ((r = sim_new(&g->ctx, "stm32h743", &g->sim)) || (r = sw_sim_probe_open(&g->ctx, g->sim, 0, &g->probe)) ||
	    (r = sw_dap_new(&g->ctx, g->probe, &g->dap)) || (r = sw_dap_connect(g->dap, 0)) ||
	    (r = sw_ap_open(g->dap, 0, &g->ap)))
		return r;
	return SW_OK;
}

static void rig_close(struct rig *g)
{
	sw_ap_close(g->ap);
	sw_dap_free(g->dap);
	sw_probe_close(g->probe);
	sim_free(g->sim);
}

/* A 400 ms stall (a slow bus access) is waited out: a policy that counts
 * 256 retries gives up after about 256 ms on small batches. */
static void test_wait_policy_rides_out_a_stall(void)
{
	struct rig g;
	uint32_t v = 0;
	uint64_t t0;

	CHECK_OK(rig_open(&g));
	CHECK_OK(sw_mem_write32(g.ap, AXI, 0x600DF00Du));
	t0 = sim_now_ns(g.sim);
	sim_inject_stall(g.sim, 0, 400000000ull);
	CHECK_OK(sw_mem_read32(g.ap, AXI, &v));
	CHECK_EQ_U(v, 0x600DF00Du);
	CHECK(sim_now_ns(g.sim) - t0 >= 400000000ull);
	CHECK(g.probe->stats.waits > 20);
	rig_close(&g);
}

/* A stall beyond 500 ms: the access fails with a message that says what
 * happened, ABORT.DAPABORT cancels it, and the next access works at once. */
static void test_wait_timeout_aborts(void)
{
	struct rig g;
	uint32_t v = 0;
	uint64_t t0;
	int r;

	CHECK_OK(rig_open(&g));
	CHECK_OK(sw_mem_write32(g.ap, AXI, 0x12345678u));
	t0 = sim_now_ns(g.sim);
	sim_inject_stall(g.sim, 0, 5000000000ull);
	r = sw_mem_read32(g.ap, AXI, &v);
	CHECK_EQ_U(r, SW_ERR_SWD_WAIT);
	CHECK(strstr(sw_errmsg(&g.ctx), "DAPABORT") != NULL);
	CHECK(sim_now_ns(g.sim) - t0 < 1000000000ull); /* gave up near 500 ms */
	CHECK_OK(sw_mem_read32(g.ap, AXI, &v));
	CHECK_EQ_U(v, 0x12345678u);
	CHECK(sim_now_ns(g.sim) - t0 < 2000000000ull); /* the stall was aborted, not waited out */
	rig_close(&g);
}

/* Raw packets through the transaction shortcut (what the wire carries). */
static unsigned raw(struct sim *sim, uint8_t req, uint32_t *data)
{
	bool pok = true;

	return sim_swd_raw(sim, req, data, &pok);
}

static void raw_connect(struct sim *sim)
{
	uint32_t v = 0;
	uint8_t line_reset[8] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00};
	uint8_t jtag_to_swd[2] = {0x9E, 0xE7};
	uint8_t dir[8] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};

	CHECK_OK(sim_wire_io(sim, dir, line_reset, NULL, 64));
	CHECK_OK(sim_wire_io(sim, dir, jtag_to_swd, NULL, 16));
	CHECK_OK(sim_wire_io(sim, dir, line_reset, NULL, 64));
	CHECK_EQ_U(raw(sim, SW_REQ_READ | SW_REQ_ADDR(0x0), &v), SW_ACK_OK); /* DPIDR */
	v = 0x50000000u; /* CDBGPWRUPREQ | CSYSPWRUPREQ */
	CHECK_EQ_U(raw(sim, SW_REQ_ADDR(0x4), &v), SW_ACK_OK);
	v = 0; /* SELECT: AP0 bank 0 */
	CHECK_EQ_U(raw(sim, SW_REQ_ADDR(0x8), &v), SW_ACK_OK);
	v = 0x23000012u; /* CSW: word, single increment */
	CHECK_EQ_U(raw(sim, SW_REQ_AP | SW_REQ_ADDR(0x0), &v), SW_ACK_OK);
}

/* RESEND returns the data of the last AP read or RDBUFF read as it went
 * out on the wire (ADIv5.2 B2.2.7), not the newer RDBUFF. */
static void test_resend_repeats_last_read(void)
{
	struct sw_ctx ctx;
	struct sim *sim;
	uint32_t v;

	sw_ctx_init(&ctx);
	ctx.level = SW_LOG_NONE;
	CHECK_OK(sim_new(&ctx, "stm32h743", &sim));
	raw_connect(sim);
	CHECK_OK(sim_mem_write(sim, AXI, (uint32_t[2]){0x11111111u, 0x22222222u}, 8));
	v = AXI;
	CHECK_EQ_U(raw(sim, SW_REQ_AP | SW_REQ_ADDR(0x4), &v), SW_ACK_OK); /* TAR */
	CHECK_EQ_U(raw(sim, SW_REQ_AP | SW_REQ_READ | SW_REQ_ADDR(0xC), &v), SW_ACK_OK);
	CHECK_EQ_U(raw(sim, SW_REQ_AP | SW_REQ_READ | SW_REQ_ADDR(0xC), &v), SW_ACK_OK);
	CHECK_EQ_U(v, 0x11111111u); /* posted: the first word */
	CHECK_EQ_U(raw(sim, SW_REQ_READ | SW_REQ_ADDR(0x8), &v), SW_ACK_OK); /* RESEND */
	CHECK_EQ_U(v, 0x11111111u);
	CHECK_EQ_U(raw(sim, SW_REQ_READ | SW_REQ_ADDR(0xC), &v), SW_ACK_OK); /* RDBUFF */
	CHECK_EQ_U(v, 0x22222222u);
	CHECK_EQ_U(raw(sim, SW_REQ_READ | SW_REQ_ADDR(0x8), &v), SW_ACK_OK);
	CHECK_EQ_U(v, 0x22222222u);
	sim_free(sim);
}

/* An AP write that fails on the bus is accepted with OK (it is posted);
 * STICKYERR is set and the next AP packet gets FAULT (B4.2.1). */
static void test_posted_fault_reported_by_next_packet(void)
{
	struct sw_ctx ctx;
	struct sim *sim;
	uint32_t v;

	sw_ctx_init(&ctx);
	ctx.level = SW_LOG_NONE;
	CHECK_OK(sim_new(&ctx, "stm32h743", &sim));
	raw_connect(sim);
	CHECK_OK(sim_mem_write(sim, AXI, (uint32_t[1]){0x5A5A5A5Au}, 4));
	v = AXI;
	CHECK_EQ_U(raw(sim, SW_REQ_AP | SW_REQ_ADDR(0x4), &v), SW_ACK_OK);
	sim_inject(sim, SIM_FAULT_FAULT, 0, 1);
	v = 0xDEADBEEFu;
	CHECK_EQ_U(raw(sim, SW_REQ_AP | SW_REQ_ADDR(0xC), &v), SW_ACK_OK); /* accepted */
	CHECK_EQ_U(raw(sim, SW_REQ_AP | SW_REQ_READ | SW_REQ_ADDR(0x0), &v), SW_ACK_FAULT);
	CHECK_EQ_U(raw(sim, SW_REQ_READ | SW_REQ_ADDR(0x4), &v), SW_ACK_OK);
	CHECK(v & 0x20u); /* STICKYERR */
	uint32_t back = 0;
	CHECK_OK(sim_mem_read(sim, AXI, &back, 4));
	CHECK_EQ_U(back, 0x5A5A5A5Au); /* the failed write had no effect */
	sim_free(sim);
}

/* Unlock bank 1 and start a sector-0 erase through the AP. */
static void start_erase(struct rig *g)
{
	CHECK_OK(sw_mem_write32(g->ap, FLASH_KEYR1, 0x45670123u));
	CHECK_OK(sw_mem_write32(g->ap, FLASH_KEYR1, 0xCDEF89ABu));
	CHECK_OK(sw_mem_write32(g->ap, FLASH_CR1, 0x34u));        /* SER | PSIZE x64 */
	CHECK_OK(sw_mem_write32(g->ap, FLASH_CR1, 0x34u | 0x80u)); /* | START */
}

/* A read of the flash array of a bank that is erasing stalls the bus
 * (RM0433 §4.3.8): the AP answers WAIT, and after 500 ms the server gives
 * up with a clear error. Once SR.QW drops, the read returns erased data. */
static void test_h743_read_during_erase_stalls(void)
{
	struct rig g;
	uint32_t v = 0, sr = 0;
	int r;

	CHECK_OK(rig_open(&g));
	CHECK_OK(sim_mem_write(g.sim, 0x08000000u, (uint32_t[1]){0x01020304u}, 4));
	start_erase(&g);
	r = sw_mem_read32(g.ap, 0x08000000u, &v);
	CHECK_EQ_U(r, SW_ERR_SWD_WAIT);
	CHECK(strstr(sw_errmsg(&g.ctx), "WAIT") != NULL);
	for (int i = 0; i < 100000; i++) {
		CHECK_OK(sw_mem_read32(g.ap, FLASH_SR1, &sr)); /* registers never stall */
		if (!(sr & 0x5u))
			break;
	}
	CHECK_EQ_U(sr & 0x5u, 0);
	CHECK_OK(sw_mem_read32(g.ap, 0x08000000u, &v));
	CHECK_EQ_U(v, 0xFFFFFFFFu);
	rig_close(&g);
}

/* FLASH_CR cannot be changed while BSY/QW are set: a second erase started
 * before QW drops is lost (RM0433 FLASH_CR; OpenOCD and the loaders wait
 * for QW first). */
static void test_h743_cr_locked_while_busy(void)
{
	struct rig g;
	uint32_t cr = 0;

	CHECK_OK(rig_open(&g));
	CHECK_OK(sim_mem_write(g.sim, 0x08020000u, (uint32_t[1]){0x01020304u}, 4));
	start_erase(&g);
	CHECK_OK(sw_mem_write32(g.ap, FLASH_CR1, 0x34u | (1u << 8)));         /* SER sector 1 */
	CHECK_OK(sw_mem_write32(g.ap, FLASH_CR1, 0x34u | (1u << 8) | 0x80u)); /* START: ignored */
	CHECK_OK(sw_mem_read32(g.ap, FLASH_CR1, &cr));
	CHECK_EQ_U((cr >> 8) & 7u, 0); /* SNB still sector 0 */
	sim_advance_ns(g.sim, 3000000000ull);
	uint32_t w = 0;
	CHECK_OK(sim_mem_read(g.sim, 0x08020000u, &w, 4));
	CHECK_EQ_U(w, 0x01020304u); /* sector 1 never erased */
	rig_close(&g);
}

static uint64_t fake_now(void *c)
{
	return *(uint64_t *)c;
}

static void fake_stall(void *c, uint64_t ns)
{
	if (ns > *(uint64_t *)c)
		*(uint64_t *)c = ns;
}

/* STRBERR: a byte of the write buffer written twice before the flash word
 * is complete; the word is not programmed. PSIZE sets the speed: an x8
 * sector erase takes twice the x64 time (reference/targets.md §1.4). */
static void test_h743_strberr_and_psize(void)
{
	uint8_t *b1 = malloc(1024 * 1024), *b2 = malloc(1024 * 1024);
	uint64_t ns_now = 0;
	struct sim_flash_h743_cfg cfg = {.bank = {b1, b2}, .now_ns = fake_now, .stall_until = fake_stall,
					 .clock = &ns_now};
	struct sim_flash_h743 *f = NULL;
	uint32_t sr = 0;

	if (!b1 || !b2)
		return;
	memset(b1, 0xFF, 1024 * 1024);
	CHECK_EQ_U(sim_flash_h743_new(&cfg, &f), 0);
	CHECK_OK(sim_flash_h743_reg_write(f, 0x04, 4, 0x45670123u));
	CHECK_OK(sim_flash_h743_reg_write(f, 0x04, 4, 0xCDEF89ABu));
	CHECK_OK(sim_flash_h743_reg_write(f, 0x0C, 4, 0x32u)); /* PG | x64 */
	CHECK_OK(sim_flash_h743_bank1_write(f, 0, 4, 0x11111111u));
	CHECK_OK(sim_flash_h743_bank1_write(f, 0, 4, 0x22222222u)); /* same bytes again */
	CHECK_OK(sim_flash_h743_reg_read(f, 0x10, 4, &sr));
	CHECK(sr & (1u << 19));
	CHECK_EQ_U(b1[0], 0xFF);
	CHECK_OK(sim_flash_h743_reg_write(f, 0x14, 4, 0xFFFFFFFFu)); /* clear */
	CHECK_OK(sim_flash_h743_reg_write(f, 0x0C, 4, 0x04u));        /* SER | x8 */
	CHECK_OK(sim_flash_h743_reg_write(f, 0x0C, 4, 0x84u));        /* START */
	ns_now = 1500000000ull;
	CHECK_OK(sim_flash_h743_reg_read(f, 0x10, 4, &sr));
	CHECK(sr & 1u); /* still busy after 1.5 s at x8 */
	ns_now = 2000000001ull;
	CHECK_OK(sim_flash_h743_reg_read(f, 0x10, 4, &sr));
	CHECK(!(sr & 1u));
	sim_flash_h743_free(f);
	free(b1);
	free(b2);
}

/* The RT106x debug reset is POR_B: the DP comes back in JTAG, powered
 * down, with the debug logic cleared. The server reconnects and enables
 * debug again, for "reset pin" with and without halt. */
static void test_rt1062_pin_reset_resets_debug(void)
{
	struct sw_ctx ctx;
	struct sim *sim;
	struct sw_probe *probe;
	struct sw_target *t = NULL;
	struct sw_core_state st;
	uint32_t v = 0;
	uint64_t pc = 0;

	sw_ctx_init(&ctx);
	ctx.level = SW_LOG_NONE;
	CHECK_OK(sim_new(&ctx, "mimxrt1062", &sim));
	sim_power_on_reset(sim);
	sim_advance_ns(sim, 1000000);
	CHECK_OK(sw_sim_probe_open(&ctx, sim, 0, &probe));
	CHECK_OK(sw_target_open(&ctx, probe, &sw_target_mimxrt1062, 0, &t));
	if (!t)
		return;
	struct sw_core *core = sw_target_core(t, 0);
	CHECK_OK(sw_core_halt(core));
	CHECK_OK(sw_core_reset(core, SW_RESET_PIN, false));
	CHECK_OK(sw_core_poll(core, &st));
	CHECK(!st.halted);
	CHECK_OK(sw_core_reset(core, SW_RESET_PIN, true));
	CHECK_OK(sw_core_poll(core, &st));
	CHECK(st.halted);
	CHECK_OK(sw_core_reg_read(core, SW_REG_PC, &pc));
	CHECK(pc != 0);
	/* The sim side: after nRST nothing answers until JTAG-to-SWD. */
	sim_set_nrst(sim, true);
	sim_set_nrst(sim, false);
	bool pok = true;
	CHECK_EQ_U(sim_swd_raw(sim, SW_REQ_READ | SW_REQ_ADDR(0x4), &v, &pok), SW_ACK_NONE);
	sw_target_close(t);
	sw_probe_close(probe);
	sim_free(sim);
}

/* The datasheet maximum corner (sector erase 2 s, word 200 us at x64):
 * the host-driven path still erases and programs within its bounds. */
static void test_h743_max_corner(void)
{
	struct rig g;
	uint8_t data[64];
	uint32_t back[16];
	const struct sw_mem_region rg = {"flash-bank1", 0x08000000u, 0x100000u, SW_MEM_FLASH, 0x20000u};
	struct sw_core *core;
	struct sw_target *t = NULL;

	memset(&g, 0, sizeof(g));
	sw_ctx_init(&g.ctx);
	g.ctx.level = SW_LOG_NONE;
	CHECK_OK(sim_new(&g.ctx, "stm32h743", &g.sim));
	sim_set_max_corner(g.sim, true);
	CHECK_OK(sw_sim_probe_open(&g.ctx, g.sim, 0, &g.probe));
	CHECK_OK(sw_target_open(&g.ctx, g.probe, sw_target_find("stm32h743"), 0, &t));
	if (!t)
		return;
	core = sw_target_core(t, 0);
	CHECK_OK(sw_core_halt(core));
	for (unsigned i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 7u + 1u);
	uint64_t t0 = sim_now_ns(g.sim);
	CHECK_OK(sw_flash_stm32h7.erase_sector(core, &rg, 0x08000000u));
	CHECK(sim_now_ns(g.sim) - t0 >= 2000000000ull);
	CHECK_OK(sw_flash_stm32h7.program(core, &rg, 0x08000000u, data, sizeof(data)));
	CHECK_OK(sim_mem_read(g.sim, 0x08000000u, back, sizeof(back)));
	CHECK(!memcmp(back, data, sizeof(data)));
	/* Programming a word that is not erased is refused (PGSERR) and the
	 * host path must say so. */
	CHECK_EQ_U(sw_flash_stm32h7.program(core, &rg, 0x08000000u, data, sizeof(data)), SW_ERR_FLASH);
	sw_target_close(t);
	sw_probe_close(g.probe);
	sim_free(g.sim);
}

/* A reset while the core sits halted leaves it halted (C1.6.3); the
 * only trace is DHCSR.S_RESET_ST, which a read for S_REGRDY would consume:
 * the core layer keeps it for whoever asks (the flash loader). */
static void test_reset_of_halted_core_is_latched(void)
{
	struct rig g;
	struct sw_target *t = NULL;
	struct sw_core_state st;

	memset(&g, 0, sizeof(g));
	sw_ctx_init(&g.ctx);
	g.ctx.level = SW_LOG_NONE;
	CHECK_OK(sim_new(&g.ctx, "stm32h743", &g.sim));
	CHECK_OK(sw_sim_probe_open(&g.ctx, g.sim, 0, &g.probe));
	CHECK_OK(sw_target_open(&g.ctx, g.probe, sw_target_find("stm32h743"), 0, &t));
	if (!t)
		return;
	struct sw_core *core = sw_target_core(t, 0);
	CHECK_OK(sw_core_halt(core));
	CHECK_OK(sw_core_poll(core, &st));
	CHECK(!sw_core_take_reset(core));
	sim_schedule_reset(g.sim, 1000);
	sim_advance_ns(g.sim, 100000);
	CHECK_OK(sw_core_reg_write(core, 0, 0x1234u)); /* reads DHCSR for S_REGRDY */
	CHECK_OK(sw_core_poll(core, &st));
	CHECK(st.halted);     /* still halted after the reset */
	CHECK(st.in_reset);   /* and the reset is not lost */
	sw_target_close(t);
	sw_probe_close(g.probe);
	sim_free(g.sim);
}

/* RT1062 host-driven NOR path over old data: every erase must wait for
 * WIP (a busy NOR ignores the next erase), and reads through the AHB
 * window after programming must not come from the AHB RX buffer filled
 * before (MCR0.SWRESET drops it). */
static void test_rt1062_host_path_over_old_data(void)
{
	struct sw_ctx ctx;
	struct sim *sim;
	struct sw_probe *probe;
	struct sw_target *t = NULL;
	const struct sw_mem_region rg = {"flexspi-nor", 0x60000000u, 0x800000u, SW_MEM_FLASH, 0x1000u};
	uint8_t old[0x2000], page[256], back[256];
	uint32_t first = 0;

	sw_ctx_init(&ctx);
	ctx.level = SW_LOG_NONE;
	CHECK_OK(sim_new(&ctx, "mimxrt1062", &sim));
	memset(old, 0x00, sizeof(old));
	CHECK_OK(sim_mem_write(sim, 0x60010000u, old, sizeof(old)));
	sim_power_on_reset(sim);
	sim_advance_ns(sim, 1000000);
	CHECK_OK(sw_sim_probe_open(&ctx, sim, 0, &probe));
	CHECK_OK(sw_target_open(&ctx, probe, &sw_target_mimxrt1062, 0, &t));
	if (!t)
		return;
	struct sw_core *core = sw_target_core(t, 0);
	CHECK_OK(sw_core_halt(core));
	CHECK_OK(sw_flash_rt1062_flexspi.prepare(core, &rg));
	/* AHBCR.PREFETCHEN, as an XIP application (or the boot ROM) sets it. */
	CHECK_OK(sw_mem_read32(sw_core_ap(core), 0x402A800Cu, &first));
	CHECK_OK(sw_mem_write32(sw_core_ap(core), 0x402A800Cu, first | 0x20u));
	CHECK_OK(sw_mem_read32(sw_core_ap(core), 0x60010000u, &first)); /* fills the AHB buffer */
	CHECK_EQ_U(first, 0);
	CHECK_OK(sw_flash_rt1062_flexspi.erase_range(core, &rg, 0x60010000u, 0x2000u));
	CHECK_OK(sim_mem_read(sim, 0x60010000u, old, sizeof(old)));
	size_t bad = 0;
	for (size_t i = 0; i < sizeof(old); i++)
		bad += old[i] != 0xFF;
	CHECK_MSG(bad == 0, "%zu bytes not erased (an erase sent to a busy NOR was ignored)", bad);
	for (unsigned i = 0; i < sizeof(page); i++)
		page[i] = (uint8_t)(i ^ 0x5Au);
	CHECK_OK(sw_mem_read32(sw_core_ap(core), 0x60010000u, &first)); /* buffer holds 0xFF now */
	CHECK_OK(sw_flash_rt1062_flexspi.program(core, &rg, 0x60010000u, page, sizeof(page)));
	CHECK_OK(sim_mem_read(sim, 0x60010000u, back, sizeof(back)));
	CHECK_MSG(!memcmp(back, page, sizeof(page)), "the page was not programmed into the NOR");
	CHECK_OK(sw_mem_read(sw_core_ap(core), 0x60010000u, back, sizeof(back)));
	CHECK_MSG(!memcmp(back, page, sizeof(page)), "AHB read after programming returned stale data");
	sw_target_close(t);
	sw_probe_close(probe);
	sim_free(sim);
}

/* A reset between two loader calls, while the core sits halted: the core
 * stays halted (C1.6.3) but the flash relocks and RAM set-up may be gone;
 * the next call must refuse with the reason instead of running on. */
static void test_loader_refuses_after_reset_between_calls(void)
{
	struct rig g;
	struct sw_target *t = NULL;
	struct sw_loader *l = NULL;
	const struct sw_target_desc *d = sw_target_find("stm32h743");
	struct swl_range rg = {0x08000000u, 0x100u, 0};

	memset(&g, 0, sizeof(g));
	sw_ctx_init(&g.ctx);
	g.ctx.level = SW_LOG_NONE;
	CHECK_OK(sim_new(&g.ctx, "stm32h743", &g.sim));
	CHECK_OK(sw_sim_probe_open(&g.ctx, g.sim, 0, &g.probe));
	CHECK_OK(sw_target_open(&g.ctx, g.probe, d, 0, &t));
	if (!t)
		return;
	struct sw_core *core = sw_target_core(t, 0);
	CHECK_OK(sw_core_halt(core));
	CHECK_OK(sw_loader_open(&g.ctx, core, d->loader, 0x20000u, true, &l));
	if (l) {
		CHECK_OK(sw_loader_crc(l, &rg, 1));
		sim_schedule_reset(g.sim, 1000);
		sim_advance_ns(g.sim, 100000);
		CHECK_EQ_U(sw_loader_crc(l, &rg, 1), SW_ERR_TARGET_STATE);
		CHECK(strstr(sw_errmsg(&g.ctx), "reset") != NULL);
		sw_loader_close(l, NULL);
	}
	sw_target_close(t);
	sw_probe_close(g.probe);
	sim_free(g.sim);
}

int main(void)
{
	RUN_TEST(test_wait_policy_rides_out_a_stall);
	RUN_TEST(test_wait_timeout_aborts);
	RUN_TEST(test_resend_repeats_last_read);
	RUN_TEST(test_posted_fault_reported_by_next_packet);
	RUN_TEST(test_h743_read_during_erase_stalls);
	RUN_TEST(test_h743_cr_locked_while_busy);
	RUN_TEST(test_h743_strberr_and_psize);
	RUN_TEST(test_rt1062_pin_reset_resets_debug);
	RUN_TEST(test_h743_max_corner);
	RUN_TEST(test_reset_of_halted_core_is_latched);
	RUN_TEST(test_rt1062_host_path_over_old_data);
	RUN_TEST(test_loader_refuses_after_reset_between_calls);
	return TEST_MAIN_END();
}
