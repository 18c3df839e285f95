/* STM32N657: identification, the M55 AP locked after reset until the boot
 * ROM opens it (DBGMCU_SR bit 17 through AP0), and the XSPI2 controller
 * in indirect mode against the NOR (JEDEC ID, SFDP). */
#include "cortexm/core.h"
#include "probes/sim_probe.h"
#include "sim/sim.h"
#include "targets/target.h"
#include "targets/targets_priv.h"
#include "tests/test.h"

#define XSPI2 0x5802A000u

struct rig {
	struct sw_ctx ctx;
	struct sim *sim;
	struct sw_probe *probe;
	sw_dap *dap;
};

static void rig_open(struct rig *g, const char *chip)
{
	memset(g, 0, sizeof(*g));
	sw_ctx_init(&g->ctx);
	g->ctx.level = SW_LOG_NONE;
	CHECK_OK(sim_new(&g->ctx, chip, &g->sim));
	sim_power_on_reset(g->sim);
	CHECK_OK(sw_sim_probe_open(&g->ctx, g->sim, 0, &g->probe));
}

static void rig_close(struct rig *g)
{
	sw_dap_free(g->dap);
	sw_probe_close(g->probe);
	sim_free(g->sim);
}

static void test_identify_all_chips(void)
{
	static const char *const chips[] = {"stm32h743", "mimxrt1062", "stm32n657"};

	for (unsigned i = 0; i < 3; i++) {
		struct rig g;
		const struct sw_target_desc *got = NULL;
		rig_open(&g, chips[i]);
		sim_advance_ns(g.sim, 5000000);
		CHECK_OK(sw_target_identify(&g.ctx, g.probe, &got));
		CHECK_MSG(got && !strcmp(got->name, chips[i]), "%s identified as %s", chips[i], got ? got->name : "-");
		rig_close(&g);
	}
	CHECK(sw_target_find("STM32N657L0") == &sw_target_stm32n657);
}

static void test_ap1_locked_until_rom_opens_it(void)
{
	struct rig g;
	sw_ap *ap0 = NULL, *ap1 = NULL;
	uint32_t sr = 0, v = 0, csw = 0;

	rig_open(&g, "stm32n657");
	CHECK_OK(sw_dap_new(&g.ctx, g.probe, &g.dap));
	CHECK_OK(sw_dap_connect(g.dap, 0));
	CHECK_OK(sw_ap_open(g.dap, 0, &ap0));
	CHECK_OK(sw_ap_open(g.dap, 1, &ap1));
	sim_power_on_reset(g.sim); /* the ROM starts again: AP1 closed for a while */
	CHECK_OK(sw_mem_read32(ap0, 0x800010FCu, &sr));
	CHECK_EQ_U(sr & (1u << 17), 0);
	CHECK_OK(sw_ap_read(ap1, SW_AP_CSW, &csw));
	CHECK_EQ_U(csw & (1u << 6), 0); /* DeviceEn clear while locked */
	CHECK(sw_mem_read32(ap1, 0xE000ED00u, &v) != SW_OK);
	sw_clear_err(&g.ctx);
	CHECK_OK(sw_dap_clear_errors(g.dap, NULL));
	sim_advance_ns(g.sim, 3000000);
	CHECK_OK(sw_mem_read32(ap0, 0x800010FCu, &sr));
	CHECK_EQ_U(sr & (1u << 17), 1u << 17);
	CHECK_OK(sw_mem_read32(ap1, 0xE000ED00u, &v));
	CHECK_EQ_U(v, 0x411FD221u);
	sw_ap_close(ap0);
	sw_ap_close(ap1);
	rig_close(&g);
}

/* sw_target_open waits for the ROM through the post_connect hook. */
static void test_open_waits_for_ap1(void)
{
	struct rig g;
	struct sw_target *t = NULL;

	rig_open(&g, "stm32n657");
	CHECK_OK(sw_target_open(&g.ctx, g.probe, &sw_target_stm32n657, 0, &t));
	CHECK(t != NULL);
	if (t)
		CHECK_EQ_U(sw_core_get_info(sw_target_core(t, 0))->cpuid, 0x411FD221u);
	sw_target_close(t);
	rig_close(&g);
}

static void xw(sw_ap *ap, uint32_t off, uint32_t v)
{
	CHECK_OK(sw_mem_write32(ap, XSPI2 + off, v));
}

static void test_xspi_indirect_id_and_sfdp(void)
{
	struct rig g;
	sw_ap *ap = NULL;
	uint32_t id = 0, sfdp = 0;

	rig_open(&g, "stm32n657");
	sim_advance_ns(g.sim, 3000000);
	CHECK_OK(sw_dap_new(&g.ctx, g.probe, &g.dap));
	CHECK_OK(sw_dap_connect(g.dap, 0));
	CHECK_OK(sw_ap_open(g.dap, 1, &ap));
	/* A blank board: the ROM left XSPI2 unclocked, its registers read 0
	 * and ignore writes, the window answers with bus errors, until
	 * RCC_AHB5ENSR turns XSPI2 and XSPIM on (RM0486 RCC). */
	xw(ap, 0x000, 1u);
	CHECK_OK(sw_mem_read32(ap, XSPI2, &id));
	CHECK_EQ_U(id, 0u);
	CHECK(sw_mem_read32(ap, 0x70000000u, &id) != SW_OK);
	CHECK_OK(sw_mem_write32(ap, 0x56028A60u, (1u << 12) | (1u << 13)));
	CHECK_OK(sw_mem_read32(ap, 0x56028260u, &id));
	CHECK_EQ_U(id & 0x3000u, 0x3000u);
	id = 0;
	xw(ap, 0x000, 1u | (1u << 28));         /* EN, indirect read */
	xw(ap, 0x100, 1u | (1u << 24));         /* instruction + data on 1 line */
	xw(ap, 0x040, 2);                       /* 3 bytes */
	xw(ap, 0x110, 0x9F);
	CHECK_OK(sw_mem_read32(ap, XSPI2 + 0x050, &id));
	CHECK_EQ_U(id & 0xFFFFFFu, 0x3B81C2u);
	xw(ap, 0x100, 1u | (1u << 8) | (2u << 12) | (1u << 24)); /* + 24-bit address */
	xw(ap, 0x108, 8);                       /* 8 dummy cycles */
	xw(ap, 0x040, 3);
	xw(ap, 0x110, 0x5A);
	xw(ap, 0x048, 0);
	CHECK_OK(sw_mem_read32(ap, XSPI2 + 0x050, &sfdp));
	CHECK_EQ_U(sfdp, 0x50444653u);
	sw_ap_close(ap);
	rig_close(&g);
}

int main(void)
{
	RUN_TEST(test_identify_all_chips);
	RUN_TEST(test_ap1_locked_until_rom_opens_it);
	RUN_TEST(test_open_waits_for_ap1);
	RUN_TEST(test_xspi_indirect_id_and_sfdp);
	return TEST_MAIN_END();
}
