/* Target descriptions: lookup, table sanity, and sw_target_open against the
 * simulated chips (reference/targets.md §1 for the STM32H743 facts). */
#include <strings.h>

#include "cortexm/core.h"
#include "probes/sim_probe.h"
#include "sim/sim.h"
#include "targets/target.h"
#include "targets/targets_priv.h"
#include "tests/test.h"

#define H7_DBGMCU_IDC 0x5C001000u
#define H7_DBGMCU_CR 0x5C001004u
#define H7_DBGMCU_APB3FZ1 0x5C001034u
#define H7_DBGMCU_APB4FZ1 0x5C001054u
#define MEM_AP_CSW 0x00u

static void test_find_by_name_and_alias(void)
{
	const struct sw_target_desc *h7 = sw_target_find("stm32h743");

	CHECK(h7 != NULL);
	if (!h7)
		return;
	CHECK(!strcmp(h7->name, "stm32h743"));
	CHECK(sw_target_find("STM32H743") == h7);
	/* J-Link device names, any case. */
	CHECK(sw_target_find("STM32H743ZI") == h7);
	CHECK(sw_target_find("STM32H743VI") == h7);
	CHECK(sw_target_find("stm32h743ii") == h7);
	CHECK(sw_target_find("adiv6-m55") != NULL && sw_target_find("adiv6-m55") != h7);
	CHECK(sw_target_find("stm32h74") == NULL);
	CHECK(sw_target_find("stm32h743zix") == NULL);
	CHECK(sw_target_find("") == NULL);
	CHECK(sw_target_find("nrf52840") == NULL);
}

/* Every name and alias finds its own description and no other one. */
static void test_list_names_unique(void)
{
	const struct sw_target_desc *const *all = sw_target_list();
	size_t n = 0;

	for (; all[n]; n++) {
		CHECK_MSG(sw_target_find(all[n]->name) == all[n], "%s not found by its name", all[n]->name);
		for (size_t a = 0; all[n]->aliases && all[n]->aliases[a]; a++)
			CHECK_MSG(sw_target_find(all[n]->aliases[a]) == all[n], "alias %s of %s finds another target",
				  all[n]->aliases[a], all[n]->name);
		CHECK(all[n]->summary && all[n]->summary[0]);
	}
	CHECK(n >= 2);
}

static void check_regions(const struct sw_target_desc *d)
{
	for (size_t i = 0; i < d->n_regions; i++) {
		const struct sw_mem_region *r = &d->regions[i];
		CHECK_MSG(r->size > 0, "%s: region %s is empty", d->name, r->name);
		CHECK_MSG(r->base + (uint64_t)r->size <= 0x100000000ull, "%s: region %s wraps", d->name, r->name);
		if (r->kind == SW_MEM_FLASH)
			CHECK_MSG(r->sector_size && r->size % r->sector_size == 0 && r->base % r->sector_size == 0,
				  "%s: flash %s sector size 0x%x", d->name, r->name, r->sector_size);
		else
			CHECK_MSG(r->sector_size == 0, "%s: %s has a sector size", d->name, r->name);
		if (i == 0)
			continue;
		const struct sw_mem_region *p = &d->regions[i - 1];
		CHECK_MSG(p->base + (uint64_t)p->size <= r->base, "%s: %s (0x%08x+0x%x) overlaps or is not before %s",
			  d->name, p->name, p->base, p->size, r->name);
	}
}

static void test_regions_sorted_disjoint(void)
{
	const struct sw_target_desc *const *all = sw_target_list();

	for (size_t i = 0; all[i]; i++) {
		CHECK(all[i]->n_regions > 0 && all[i]->n_cores > 0);
		check_regions(all[i]);
	}
}

static const struct sw_mem_region *region_at(const struct sw_target_desc *d, uint32_t addr)
{
	for (size_t i = 0; i < d->n_regions; i++)
		if (addr >= d->regions[i].base && addr - d->regions[i].base < d->regions[i].size)
			return &d->regions[i];
	return NULL;
}

/* The STM32H743 table against reference/targets.md §1. */
static void test_h743_desc(void)
{
	const struct sw_target_desc *d = sw_target_find("stm32h743");
	const struct sw_mem_region *r;

	CHECK(d != NULL);
	if (!d)
		return;
	CHECK_EQ_U(d->dpidr, 0x6BA02477u);
	CHECK_EQ_U(d->targetid, 0x04500041u);
	CHECK_EQ_U(d->idcode_addr, H7_DBGMCU_IDC);
	CHECK_EQ_U(d->idcode_mask, 0xFFFu);
	CHECK_EQ_U(d->idcode_value, 0x450u);
	CHECK_EQ_U(d->n_cores, 1);
	CHECK(!strcmp(d->cores[0].name, "cm7"));
	CHECK_EQ_U(d->cores[0].ap, 0);
	CHECK_EQ_U(d->csw_extra, 1u << 27);
	CHECK(d->hooks && d->hooks->post_connect);
	r = region_at(d, 0x08000000u);
	CHECK(r && r->kind == SW_MEM_FLASH && r->size == 0x100000u && r->sector_size == 0x20000u);
	r = region_at(d, 0x08100000u);
	CHECK(r && r->kind == SW_MEM_FLASH && r->base == 0x08100000u && r->sector_size == 0x20000u);
	CHECK(region_at(d, 0x08200000u) == NULL);
	CHECK((r = region_at(d, 0x00000000u)) && r->kind == SW_MEM_RAM && r->size == 0x10000u);
	CHECK((r = region_at(d, 0x2001FFFFu)) && r->kind == SW_MEM_RAM);
	CHECK(region_at(d, 0x20020000u) == NULL);
	CHECK((r = region_at(d, 0x24000000u)) && r->kind == SW_MEM_RAM && r->size == 0x80000u);
	CHECK((r = region_at(d, 0x30040000u)) && r->kind == SW_MEM_RAM); /* SRAM3 */
	CHECK((r = region_at(d, 0x38000000u)) && r->kind == SW_MEM_RAM);
	CHECK((r = region_at(d, 0x38800000u)) && r->kind == SW_MEM_RAM);
	CHECK((r = region_at(d, 0x1FF1E880u)) && r->kind == SW_MEM_ROM); /* FSIZE in system memory */
	CHECK((r = region_at(d, 0x52002000u)) && r->kind == SW_MEM_MMIO);
	CHECK((r = region_at(d, 0x5C001000u)) && r->kind == SW_MEM_MMIO);
	CHECK((r = region_at(d, 0xE000EDF0u)) && r->kind == SW_MEM_MMIO);
}

struct simrig {
	struct sw_ctx ctx;
	struct sim *sim;
	struct sw_probe *probe;
};

static int simrig_open(struct simrig *g, const char *chip)
{
	int r;

	memset(g, 0, sizeof(*g));
	sw_ctx_init(&g->ctx);
	g->ctx.level = SW_LOG_NONE;
	if ((r = sim_new(&g->ctx, chip, &g->sim)))
		return r;
	sim_power_on_reset(g->sim);
	return sw_sim_probe_open(&g->ctx, g->sim, 0, &g->probe);
}

static void simrig_close(struct simrig *g)
{
	sw_probe_close(g->probe);
	sim_free(g->sim);
}

/* Through the core's MEM-AP (the simulator's back door has no MMIO). */
static uint32_t read32(struct sw_target *t, uint32_t addr)
{
	uint32_t v = 0xDEADBEEFu;

	CHECK_OK(sw_mem_read32(sw_core_ap(sw_target_core(t, 0)), addr, &v));
	return v;
}

/* --target auto: each identification step counts. A look-alike with the
 * same DPIDR but another TARGETID or device ID does not match; one with all
 * equal does. */
static void check_identify_h743(struct simrig *g)
{
	const struct sw_target_desc *d = sw_target_find("stm32h743"), *got = NULL;
	struct sw_target_desc fake = *d;
	const struct sw_target_desc *list[] = {&fake, NULL};

	CHECK_OK(sw_target_identify(&g->ctx, g->probe, &got));
	CHECK(got == d);
	fake.idcode_value = 0x451u;
	CHECK_EQ_U(sw_target_identify_in(&g->ctx, g->probe, list, &got), SW_ERR_NOT_FOUND);
	CHECK(strstr(sw_errmsg(&g->ctx), "DPIDR 0x6ba02477") != NULL);
	fake.idcode_value = d->idcode_value;
	fake.targetid = 0x04860041u;
	CHECK_EQ_U(sw_target_identify_in(&g->ctx, g->probe, list, &got), SW_ERR_NOT_FOUND);
	fake.targetid = d->targetid;
	CHECK_OK(sw_target_identify_in(&g->ctx, g->probe, list, &got));
	CHECK(got == &fake);
}

/* --attach (SW_TARGET_OPEN_ATTACH) touches no chip register; a normal open
 * runs the DBGMCU hook; both leave the core running with its AP's CSW
 * carrying HPROT cacheable; the device ID matches the description. */
static void test_open_h743(void)
{
	struct simrig g;
	struct sw_target *t = NULL;
	const struct sw_target_desc *d = sw_target_find("stm32h743");
	struct sw_core_state st;
	uint32_t idc = 0, csw = 0;

	CHECK_OK(simrig_open(&g, "stm32h743"));
	check_identify_h743(&g); /* before anything attached: the core must run on */
	CHECK_OK(sw_target_open(&g.ctx, g.probe, d, SW_TARGET_OPEN_ATTACH, &t));
	if (!t)
		goto out;
	CHECK_EQ_U(read32(t, H7_DBGMCU_CR), 0);
	sw_target_close(t);
	CHECK_OK(sw_target_open(&g.ctx, g.probe, d, 0, &t));
	if (!t)
		goto out;
	CHECK(sw_target_get_desc(t) == d);
	CHECK_EQ_U(sw_dap_info(sw_target_dap(t))->dpidr, d->dpidr);
	CHECK_EQ_U(sw_target_core_count(t), 1);
	CHECK(sw_target_core(t, 1) == NULL);
	struct sw_core *core = sw_target_core(t, 0);
	CHECK(core != NULL);
	if (!core)
		goto out;
	CHECK(!strcmp(sw_core_get_info(core)->core_name, "Cortex-M7"));
	CHECK_OK(sw_core_poll(core, &st));
	CHECK_MSG(!st.halted, "sw_target_open must not halt the core");
	/* DBGMCU_CR: DBGSLEEP_D1 | DBGSTOP_D1 | DBGSTBY_D1 | D1DBGCKEN | D3DBGCKEN. */
	CHECK_EQ_U(read32(t, H7_DBGMCU_CR) & 0x00600007u, 0x00600007u);
	CHECK_EQ_U(read32(t, H7_DBGMCU_APB3FZ1) & (1u << 6), 1u << 6);   /* WWDG1 */
	CHECK_EQ_U(read32(t, H7_DBGMCU_APB4FZ1) & (1u << 18), 1u << 18); /* IWDG1 */
	CHECK_OK(sw_core_mem_read(core, d->idcode_addr, &idc, 4));
	CHECK_EQ_U(idc & d->idcode_mask, d->idcode_value);
	CHECK_OK(sw_ap_read(sw_core_ap(core), MEM_AP_CSW, &csw));
	CHECK_MSG(csw & (1u << 27), "CSW 0x%08x lacks HPROT cacheable", csw);
out:
	sw_target_close(t);
	simrig_close(&g);
}

/* The ADIv6 test part: the core sits on the MEM-AP at 0x200000. */
static void test_open_adiv6_m55(void)
{
	struct simrig g;
	struct sw_target *t = NULL;
	const struct sw_target_desc *d = sw_target_find("adiv6-m55"), *got = NULL;

	CHECK_OK(simrig_open(&g, "adiv6-m55"));
	CHECK_OK(sw_target_identify(&g.ctx, g.probe, &got));
	CHECK(got == d);
	CHECK_OK(sw_target_open(&g.ctx, g.probe, d, 0, &t));
	if (t) {
		const struct sw_core_info *in = sw_core_get_info(sw_target_core(t, 0));
		CHECK_EQ_U(in->arch, 8);
		CHECK(!strcmp(in->core_name, "Cortex-M55"));
		CHECK_EQ_U(sw_dap_info(sw_target_dap(t))->dpidr, d->dpidr);
		sw_target_close(t);
	}
	/* The wrong description fails with a message naming the target. */
	sw_clear_err(&g.ctx);
	CHECK(sw_target_open(&g.ctx, g.probe, sw_target_find("stm32h743"), SW_TARGET_OPEN_ATTACH, &t) != SW_OK);
	CHECK(t == NULL);
	CHECK(strstr(sw_errmsg(&g.ctx), "stm32h743") != NULL);
	simrig_close(&g);
}

/* The STM32F407 part: DPv1 SW-DP, DBGMCU_IDCODE on the external PPB, and
 * the Cortex-M4's older debug units (FPB v1 6+2, DWT 4). */
static void test_open_f407(void)
{
	struct simrig g;
	struct sw_target *t = NULL;
	const struct sw_target_desc *d = sw_target_find("STM32F407VG"), *got = NULL;

	CHECK(d != NULL && !strcmp(d->name, "stm32f407"));
	CHECK_OK(simrig_open(&g, "stm32f407"));
	CHECK_OK(sw_target_identify(&g.ctx, g.probe, &got));
	CHECK(got == d);
	CHECK_OK(sw_target_open(&g.ctx, g.probe, d, 0, &t));
	if (t) {
		const struct sw_core_info *in = sw_core_get_info(sw_target_core(t, 0));
		CHECK_EQ_U(in->arch, 7);
		CHECK(!strcmp(in->core_name, "Cortex-M4"));
		CHECK_EQ_U(in->fpb_rev, 0);
		CHECK_EQ_U(in->fpb_code, 6);
		CHECK_EQ_U(in->fpb_lit, 2);
		CHECK_EQ_U(in->dwt_comps, 4);
		CHECK(in->fpu && !in->dp_fpu);
		CHECK_EQ_U(read32(t, 0xE0042000u), 0x10076413u); /* DBGMCU_IDCODE */
		CHECK_EQ_U(read32(t, 0x1FFF7A20u) >> 16, 1024);   /* F_SIZE */
		/* FPB v1: a code address takes a comparator, SRAM is refused. */
		struct sw_core *core = sw_target_core(t, 0);
		CHECK_OK(sw_core_bp_set(core, 0x08000102u, 2, SW_BP_HARD));
		CHECK_EQ_U(read32(t, 0xE0002008u), 0x08000100u | (2u << 30) | 1u); /* REPLACE upper halfword */
		CHECK_EQ_U(sw_core_bp_set(core, 0x20000100u, 2, SW_BP_HARD), SW_ERR_NOT_SUPPORTED);
		CHECK(strstr(sw_errmsg(&g.ctx), "FPB v1") != NULL);
		sw_target_close(t);
	}
	simrig_close(&g);
}

int main(void)
{
	RUN_TEST(test_find_by_name_and_alias);
	RUN_TEST(test_list_names_unique);
	RUN_TEST(test_regions_sorted_disjoint);
	RUN_TEST(test_h743_desc);
	RUN_TEST(test_open_h743);
	RUN_TEST(test_open_adiv6_m55);
	RUN_TEST(test_open_f407);
	return TEST_MAIN_END();
}
