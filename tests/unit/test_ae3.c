/* Alif AE3: the target table (reference/targets.md §4), the simulated chip
 * (two M55s on ADIv6 APs, HE started by the HP, MRAM write units), the MRAM
 * flash ops and the reset hook, all through the sim probe. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cortexm/core.h"
#include "probes/sim_probe.h"
#include "server/core_watch.h"
#include "sim/sim.h"
#include "targets/ae3.h"
#include "targets/target.h"
#include "targets/targets_priv.h"
#include "tests/test.h"

#define HP_ELF BUILD_DIR "/fw/demo-ae3-hp.elf"
#define HE_ELF BUILD_DIR "/fw/demo-ae3-he.elf"
#define MEM_AP_CSW 0x00u

struct rig {
	struct sw_ctx ctx;
	struct sim *sim;
	struct sw_probe *probe;
	struct sw_target *t;
};

static uint32_t sym(const char *elf, const char *name)
{
	char cmd[512], line[256];
	uint32_t addr = 0;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "arm-none-eabi-nm %s", elf);
	if (!(p = popen(cmd, "r")))
		return 0;
	while (fgets(line, sizeof(line), p)) {
		char type, nm[128];
		unsigned v;
		if (sscanf(line, "%x %c %127s", &v, &type, nm) == 3 && !strcmp(nm, name))
			addr = v;
	}
	pclose(p);
	return addr;
}

static int rig_open(struct rig *g, bool images)
{
	int r;

	memset(g, 0, sizeof(*g));
	sw_ctx_init(&g->ctx);
	g->ctx.level = SW_LOG_NONE;
	if ((r = sim_new(&g->ctx, "ae3", &g->sim)))
		return r;
	if (images && ((r = sim_load_elf(g->sim, HP_ELF)) || (r = sim_load_elf(g->sim, HE_ELF))))
		return r;
	sim_power_on_reset(g->sim);
	sim_advance_ns(g->sim, 2000000); /* let HP boot and start HE */
	return sw_sim_probe_open(&g->ctx, g->sim, 0, &g->probe);
}

static void rig_close(struct rig *g)
{
	sw_target_close(g->t);
	sw_probe_close(g->probe);
	sim_free(g->sim);
}

static uint32_t rd(struct sw_core *c, uint32_t addr)
{
	uint32_t v = 0xDEADBEEFu;

	CHECK_OK(sw_mem_read32(sw_core_ap(c), addr, &v));
	return v;
}

/* The table against reference/targets.md §4.1-4.4. */
static void test_desc(void)
{
	const struct sw_target_desc *d = sw_target_find("ae3");

	CHECK(d == &sw_target_ae3);
	CHECK(sw_target_find("AE302F80F55D5_HP") == d);
	CHECK(sw_target_find("ae302f80f55d5_he") == d);
	CHECK(sw_target_find("ae3-hp") == &sw_target_ae3_hp);
	CHECK(sw_target_find("AE3-HE") == &sw_target_ae3_he);
	CHECK_EQ_U(d->dpidr, 0x4C013477u);
	CHECK_EQ_U(d->targetid, 0x07570257u);
	CHECK_EQ_U(d->n_cores, 2);
	CHECK(!strcmp(d->cores[0].name, "hp") && d->cores[0].ap == 0x200000u && d->cores[0].port_offset == 0);
	CHECK(!strcmp(d->cores[1].name, "he") && d->cores[1].ap == 0x300000u && d->cores[1].port_offset == 1);
	CHECK(sw_target_ae3_he.n_cores == 1 && sw_target_ae3_he.cores[0].ap == 0x300000u &&
	      sw_target_ae3_he.cores[0].port_offset == 0);
	CHECK(d->flash && d->flash->program_unit == 16 && d->flash->erased_value == 0x00);
	bool app = false, se = false;
	for (size_t i = 0; i < d->n_regions; i++) {
		const struct sw_mem_region *r = &d->regions[i];
		if (r->base == 0x80000000u)
			app = r->kind == SW_MEM_FLASH && r->size == 0x580000u;
		if (r->base == 0x80580000u)
			se = r->kind == SW_MEM_FLASH && r->size == 0x80000u;
	}
	CHECK(app && se);
}

/* No image: the SE model boots HP from empty MRAM and nothing starts HE.
 * HE's AP answers but reports DeviceEn = 0; the target opens with HP only
 * and a one-line note for HE. --target auto still names the chip. */
static void test_he_not_started(void)
{
	struct rig g;
	const struct sw_target_desc *got = NULL;

	CHECK_OK(rig_open(&g, false));
	CHECK_OK(sw_target_identify(&g.ctx, g.probe, &got));
	CHECK(got == &sw_target_ae3);
	CHECK_OK(sw_target_open(&g.ctx, g.probe, &sw_target_ae3, 0, &g.t));
	if (!g.t)
		goto out;
	CHECK_EQ_U(sw_target_core_count(g.t), 2);
	CHECK(sw_target_core(g.t, 0) != NULL);
	CHECK(sw_target_core(g.t, 1) == NULL);
	const char *note = sw_target_core_note(g.t, 1);
	CHECK(note && strstr(note, "core he is not started"));
	CHECK(sw_target_core_note(g.t, 0) == NULL);
	/* Only HE: opening it alone fails with that message, not a bus fault. */
	sw_target_close(g.t);
	g.t = NULL;
	CHECK_EQ_U(sw_target_open(&g.ctx, g.probe, &sw_target_ae3_he, 0, &g.t), SW_ERR_TARGET_STATE);
	CHECK(strstr(sw_errmsg(&g.ctx), "core he is not started") != NULL);
out:
	rig_close(&g);
}

/* Issue #14 item 9: HE is off at open; the core watch (one AP CSW read per
 * round) notices nothing until the PPU-HE power policy is set to ON (what
 * the HP demo does), then attaches HE without halting it and hands it to
 * the program once. */
struct watched {
	size_t calls, last;
};

static int on_up(void *user, size_t i)
{
	struct watched *w = user;

	w->calls++;
	w->last = i;
	return SW_OK;
}

static void test_late_core_watch(void)
{
	struct rig g;
	struct sw_core_watch w;
	struct watched seen = {0, 99};
	struct sw_core_state st = {0};

	memset(&g, 0, sizeof(g));
	sw_ctx_init(&g.ctx);
	g.ctx.level = SW_LOG_NONE;
	CHECK_OK(sim_new(&g.ctx, "ae3", &g.sim));
	CHECK_OK(sim_load_elf(g.sim, HE_ELF)); /* HE's image only: nothing starts HE */
	sim_power_on_reset(g.sim);
	sim_advance_ns(g.sim, 2000000);
	CHECK_OK(sw_sim_probe_open(&g.ctx, g.sim, 0, &g.probe));
	CHECK_OK(sw_target_open(&g.ctx, g.probe, &sw_target_ae3, 0, &g.t));
	if (!g.t)
		goto out;
	CHECK(sw_target_core(g.t, 1) == NULL);
	sw_core_watch_init(&w, &g.ctx, &g.t, on_up, &seen);
	sw_core_watch_add(&w, 1);
	sw_core_watch_poll(&w);
	sim_advance_ns(g.sim, 5000000);
	sw_core_watch_poll(&w);
	CHECK(seen.calls == 0 && sw_core_watch_active(&w) && sw_target_core(g.t, 1) == NULL);
	/* PPU-HE PWPR (0x1A601000) = ON (0x8), as the HP firmware writes it. */
	CHECK_OK(sw_mem_write32(sw_core_ap(sw_target_core(g.t, 0)), 0x1A601000u, 0x8u));
	sim_advance_ns(g.sim, 2000000);
	sw_core_watch_poll(&w);
	CHECK(seen.calls == 1 && seen.last == 1 && !sw_core_watch_active(&w));
	struct sw_core *he = sw_target_core(g.t, 1);
	CHECK(he != NULL);
	if (he) {
		uint32_t c = sym(HE_ELF, "counter"), c1, c2;
		CHECK_OK(sw_core_poll(he, &st));
		CHECK(!st.halted); /* attached, not halted */
		c1 = rd(he, c);
		sim_advance_ns(g.sim, 2000000);
		c2 = rd(he, c);
		CHECK(c2 > c1);
	}
	sw_core_watch_poll(&w); /* nothing left to watch: no second call */
	CHECK_EQ_U(seen.calls, 1);
out:
	rig_close(&g);
}

/* Both images: HP starts HE through PPU-HE; each core counts in its own
 * DTCM at the same core-local address; halting one leaves the other
 * running (two CPUs in one virtual time). */
static void test_two_cores_independent(void)
{
	struct rig g;
	uint32_t cnt = sym(HP_ELF, "counter"), a0, b0, a1, b1;
	struct sw_core *hp, *he;

	CHECK(cnt >= 0x20000000u && cnt == sym(HE_ELF, "counter"));
	CHECK_OK(rig_open(&g, true));
	CHECK_OK(sw_target_open(&g.ctx, g.probe, &sw_target_ae3, 0, &g.t));
	if (!g.t || !(hp = sw_target_core(g.t, 0)) || !(he = sw_target_core(g.t, 1))) {
		CHECK(!"both cores attached");
		goto out;
	}
	CHECK_EQ_U(rd(hp, 0x1A601008u) & 0xFu, 0x8u); /* PPU-HE PWSR: ON */
	CHECK_OK(sw_core_halt(hp));
	a0 = rd(hp, cnt);
	b0 = rd(he, cnt);
	sim_advance_ns(g.sim, 2000000);
	a1 = rd(hp, cnt);
	b1 = rd(he, cnt);
	CHECK_MSG(a1 == a0, "HP halted but its counter moved %u -> %u", a0, a1);
	CHECK_MSG(b1 > b0, "HE counter stuck at %u while HP is halted", b0);
	CHECK_OK(sw_core_resume(hp));
	CHECK_OK(sw_core_halt(he));
	/* The global alias of HE's DTCM holds HE's counter, not HP's. */
	CHECK_EQ_U(rd(hp, 0x58800000u + (cnt - 0x20000000u)), rd(he, cnt));
	a0 = rd(hp, cnt);
	b0 = rd(he, cnt);
	sim_advance_ns(g.sim, 2000000);
	CHECK_MSG(rd(hp, cnt) > a0, "HP counter stuck while HE is halted");
	CHECK_EQ_U(rd(he, cnt), b0);
out:
	rig_close(&g);
}

/* MRAM through a MEM-AP: a single word is a partial unit and does not
 * program; a whole unit does. */
static void test_mram_units_over_swd(void)
{
	struct rig g;
	static const uint32_t unit[4] = {0x11223344u, 0x55667788u, 0x99AABBCCu, 0xDDEEFF00u};
	struct sw_core *hp;

	CHECK_OK(rig_open(&g, true));
	CHECK_OK(sw_target_open(&g.ctx, g.probe, &sw_target_ae3, 0, &g.t));
	if (!g.t || !(hp = sw_target_core(g.t, 0)))
		goto out;
	CHECK_OK(sw_mem_write32(sw_core_ap(hp), 0x80400000u, 0xCAFEF00Du));
	CHECK_OK(sw_mem_write32(sw_core_ap(hp), 0x80400010u, 0x12345678u));
	CHECK_EQ_U(rd(hp, 0x80400000u), 0);
	CHECK_OK(sw_core_mem_write(hp, 0x80400020u, unit, sizeof(unit)));
	CHECK_EQ_U(rd(hp, 0x80400020u), unit[0]);
	CHECK_EQ_U(rd(hp, 0x8040002Cu), unit[3]);
out:
	rig_close(&g);
}

/* Flash ops: whole units in the application area only; "erase" writes 0. */
static void test_mram_flash_ops(void)
{
	struct rig g;
	uint8_t buf[32];
	struct sw_core *hp;
	const struct sw_mem_region *app = NULL;

	for (size_t i = 0; i < sw_target_ae3.n_regions; i++)
		if (sw_target_ae3.regions[i].base == AE3_MRAM_APP_BASE)
			app = &sw_target_ae3.regions[i];
	CHECK_OK(rig_open(&g, true));
	CHECK_OK(sw_target_open(&g.ctx, g.probe, &sw_target_ae3, 0, &g.t));
	if (!g.t || !(hp = sw_target_core(g.t, 0)) || !app)
		goto out;
	for (unsigned i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(0xA0u + i);
	CHECK_OK(sw_flash_ae3_mram.program(hp, app, 0x80570000u, buf, sizeof(buf)));
	CHECK_EQ_U(rd(hp, 0x80570000u), 0xA3A2A1A0u);
	CHECK_EQ_U(rd(hp, 0x8057001Cu), 0xBFBEBDBCu);
	CHECK(sw_flash_ae3_mram.program(hp, app, 0x80580000u, buf, 16) == SW_ERR_ARG);
	CHECK(strstr(sw_errmsg(&g.ctx), "outside the application area") != NULL);
	CHECK(sw_flash_ae3_mram.program(hp, app, 0x8057FFF0u, buf, 32) == SW_ERR_ARG);
	CHECK(sw_flash_ae3_mram.program(hp, app, 0x80570008u, buf, 16) == SW_ERR_ARG);
	CHECK_OK(sw_flash_ae3_mram.erase_sector(hp, app, 0x80570000u));
	CHECK_EQ_U(rd(hp, 0x80570000u), 0);
	CHECK_EQ_U(rd(hp, 0x8057001Cu), 0);
out:
	rig_close(&g);
}

/* Resets through the hook: core-only (emulated) stops HE at its reset
 * vector; the PPU + SYSRESETREQ reset of HE leaves HP running. */
static void test_resets(void)
{
	struct rig g;
	uint32_t cnt = sym(HP_ELF, "counter"), vec[2] = {0, 0}, a0;
	uint64_t pc = 0;
	struct sw_core *hp, *he;

	CHECK_OK(rig_open(&g, true));
	CHECK_OK(sw_target_open(&g.ctx, g.probe, &sw_target_ae3, 0, &g.t));
	if (!g.t || !(hp = sw_target_core(g.t, 0)) || !(he = sw_target_core(g.t, 1)))
		goto out;
	CHECK_OK(sw_core_mem_read(he, 0x80320000u, vec, sizeof(vec)));
	CHECK_OK(sw_target_reset(&g.ctx, &sw_target_ae3, he, "he", SW_RESET_CORE, true));
	CHECK_OK(sw_core_reg_read(he, SW_REG_PC, &pc));
	CHECK_EQ_U(pc, vec[1] & ~1u);
	CHECK_OK(sw_core_reg_read(he, SW_REG_MSP, &pc));
	CHECK_EQ_U(pc, vec[0]);
	CHECK_OK(sw_mem_write32(sw_core_ap(he), 0x1A601024u, 0x1u));
	a0 = rd(hp, cnt);
	CHECK_OK(sw_target_reset(&g.ctx, &sw_target_ae3, he, "he", SW_RESET_SYSTEM, true));
	CHECK_EQ_U(rd(hp, 0x1A601024u), 0); /* handshake register cleared first */
	CHECK_OK(sw_core_reg_read(he, SW_REG_PC, &pc));
	CHECK_EQ_U(pc, vec[1] & ~1u);
	sim_advance_ns(g.sim, 1000000);
	CHECK_MSG(rd(hp, cnt) > a0, "HP stopped counting across HE's reset");
out:
	rig_close(&g);
}

/* Each M55 has the Security Extension (reference/targets.md §4.1, §4.3):
 * DAUTHSTATUS reports Secure debug, DSCSR.CDS says the core is Secure,
 * SBRSEL/SBRSELEN are kept per core, the core layer sees secext. */
static void test_secure_debug_regs(void)
{
	struct rig g;
	struct sw_core *hp, *he;

	CHECK_OK(rig_open(&g, true));
	CHECK_OK(sw_target_open(&g.ctx, g.probe, &sw_target_ae3, 0, &g.t));
	if (!g.t || !(hp = sw_target_core(g.t, 0)) || !(he = sw_target_core(g.t, 1)))
		goto out;
	CHECK(sw_core_get_info(hp)->secext && sw_core_get_info(he)->secext);
	CHECK_EQ_U(rd(hp, 0xE000EFB8u) & 0x30u, 0x30u); /* DAUTHSTATUS.SID */
	CHECK_EQ_U(rd(hp, 0xE000EE08u) & (1u << 16), 1u << 16); /* DSCSR.CDS */
	CHECK_OK(sw_mem_write32(sw_core_ap(he), 0xE000EE08u, 0x3u));
	CHECK_EQ_U(rd(he, 0xE000EE08u) & 3u, 3u);
	CHECK_EQ_U(rd(hp, 0xE000EE08u) & 3u, 0); /* HP's own DSCSR */
out:
	rig_close(&g);
}

int main(void)
{
	RUN_TEST(test_desc);
	RUN_TEST(test_he_not_started);
	RUN_TEST(test_late_core_watch);
	RUN_TEST(test_two_cores_independent);
	RUN_TEST(test_mram_units_over_swd);
	RUN_TEST(test_mram_flash_ops);
	RUN_TEST(test_resets);
	RUN_TEST(test_secure_debug_regs);
	return TEST_MAIN_END();
}
