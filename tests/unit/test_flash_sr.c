/* README: "Error flags are decoded (FLASH_SR ... WRPERR: ...)". The H743
 * host-path flash driver programs a flash word that is not erased on the
 * simulated chip (RM0433 §4.3.9: PGSERR) and must report FLASH_SR with the
 * flag named; every error flag has its text (RM0433 §4.9.5 FLASH_SR). */
#include "cortexm/core.h"
#include "probes/sim_probe.h"
#include "sim/sim.h"
#include "targets/target.h"
#include "tests/test.h"

const char *sw_stm32h7_sr_text(uint32_t sr);

static void test_sr_texts(void)
{
	static const struct {
		unsigned bit;
		const char *name;
	} flags[] = {{17, "WRPERR"}, {18, "PGSERR"}, {19, "STRBERR"}, {21, "INCERR"}, {22, "OPERR"}};

	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		const char *t = sw_stm32h7_sr_text(1u << flags[i].bit);
		CHECK_MSG(strstr(t, flags[i].name) != NULL, "bit %u: '%s'", flags[i].bit, t);
	}
}

static void test_program_not_erased_reports_pgserr(void)
{
	const struct sw_target_desc *d = sw_target_find("stm32h743");
	const struct sw_mem_region *flash = NULL;
	struct sw_ctx ctx;
	struct sim *sim = NULL;
	struct sw_probe *p = NULL;
	struct sw_target *t = NULL;
	uint8_t word[32], back[32];
	int r;

	sw_ctx_init(&ctx);
	ctx.level = SW_LOG_NONE;
	CHECK_OK(sim_new(&ctx, "stm32h743", &sim));
	CHECK_OK(sim_load_elf(sim, BUILD_DIR "/fw/demo-h743.elf")); /* sector 0 holds the demo */
	sim_power_on_reset(sim);
	CHECK_OK(sw_sim_probe_open(&ctx, sim, 0, &p));
	CHECK_OK(sw_target_open(&ctx, p, d, 0, &t));
	for (size_t i = 0; d && i < d->n_regions; i++)
		if (d->regions[i].base == 0x08000000u)
			flash = &d->regions[i];
	CHECK(flash != NULL && d->flash != NULL);
	if (t && flash && d->flash) {
		struct sw_core *core = sw_target_core(t, 0);
		CHECK_OK(sw_core_halt(core));
		memset(word, 0, sizeof(word));
		CHECK_OK(sim_mem_read(sim, 0x08000000u, back, sizeof(back)));
		r = d->flash->program(core, flash, 0x08000000u, word, sizeof(word));
		CHECK_EQ_U(r, SW_ERR_FLASH);
		CHECK_MSG(strstr(sw_errmsg(&ctx), "FLASH_SR=0x") && strstr(sw_errmsg(&ctx), "PGSERR"), "message: %s",
			  sw_errmsg(&ctx));
		/* The word keeps its old content (ECC-protected words program once). */
		CHECK_OK(sim_mem_read(sim, 0x08000000u, word, sizeof(word)));
		CHECK(!memcmp(word, back, sizeof(word)));
		TEST_INFO("%s", sw_errmsg(&ctx));
	}
	sw_target_close(t);
	sw_probe_close(p);
	sim_free(sim);
}

int main(void)
{
	RUN_TEST(test_sr_texts);
	RUN_TEST(test_program_not_erased_reports_pgserr);
	return TEST_MAIN_END();
}
