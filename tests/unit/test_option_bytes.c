/* README: "option bytes are never written". Flash jobs on the simulated
 * STM32H743 (host path and on-target loader, both banks, erase and
 * program) run through a probe whose SWD traffic is watched: every MEM-AP
 * write is decoded to its bus address (SELECT, TAR, DRW/BDx; ADIv5.2
 * C2.2), and none may reach an option-byte register of the flash interface
 * (RM0433 §4.9: OPTKEYR, OPTCR, OPTSR_PRG, OPTCCR, PRAR_PRG, SCAR_PRG,
 * WPSN_PRG, BOOT_PRGR). The same decoding must see the FLASH_KEYR/CR
 * writes of the job, so the watch itself is shown to work. */
#include "cortexm/core.h"
#include "probes/sim_probe.h"
#include "server/flash/flash_stage.h"
#include "sim/sim.h"
#include "targets/target.h"
#include "tests/test.h"

#define FLASH_REGS 0x52002000u

struct spy {
	struct sw_probe_ops ops;
	const struct sw_probe_ops *real;
	uint32_t select, tar, csw;
	unsigned option_writes, cr_writes;
	uint32_t first_option;
};

static struct spy spy_state; /* test binary only */

static bool option_register(uint32_t addr)
{
	static const uint32_t offs[] = {0x08, 0x18, 0x20, 0x24, 0x2C, 0x34, 0x3C, 0x44};

	/* Bank 2's block (+0x100) repeats them (aliases or PRAR/SCAR/WPSN_PRG2). */
	for (unsigned b = 0; b < 2; b++)
		for (size_t i = 0; i < sizeof(offs) / sizeof(offs[0]); i++)
			if (addr == FLASH_REGS + 0x100u * b + offs[i])
				return true;
	return false;
}

static void note_write(struct spy *s, uint32_t addr)
{
	if (option_register(addr)) {
		if (!s->option_writes)
			s->first_option = addr;
		s->option_writes++;
	}
	if ((addr & ~0x100u) == FLASH_REGS + 0x0C || (addr & ~0x100u) == FLASH_REGS + 0x04)
		s->cr_writes++; /* FLASH_CR1/2, FLASH_KEYR1/2 */
}

static int spy_transfer(struct sw_probe *p, struct sw_swd_req *reqs, size_t n)
{
	struct spy *s = &spy_state;

	for (size_t i = 0; i < n; i++) {
		uint8_t r = reqs[i].req;
		unsigned a = SW_REQ_ADDR(r);
		if (r & SW_REQ_READ)
			continue;
		if (!(r & SW_REQ_AP)) {
			if (a == 0x8)
				s->select = reqs[i].data;
			continue;
		}
		unsigned reg = (s->select & 0xF0u) | a;
		if (reg == 0x00)
			s->csw = reqs[i].data;
		else if (reg == 0x04)
			s->tar = reqs[i].data;
		else if (reg == 0x0C) {
			note_write(s, s->tar);
			if (s->csw & 0x10u) /* AddrInc single: TAR moves by the access size */
				s->tar += 1u << (s->csw & 7u);
		} else if (reg >= 0x10 && reg <= 0x1C) {
			note_write(s, (s->tar & ~0xFu) + (reg - 0x10));
		}
	}
	return s->real->swd_transfer(p, reqs, n);
}

static void job(bool no_loader)
{
	const struct sw_target_desc *d = sw_target_find("stm32h743");
	struct sw_ctx ctx;
	struct sim *sim = NULL;
	struct sw_probe *p = NULL;
	struct sw_target *t = NULL;
	struct sw_flash_stage *st = NULL;
	struct sw_flash_stats stats;
	static uint8_t data[0x20000];

	memset(&spy_state, 0, sizeof(spy_state));
	sw_ctx_init(&ctx);
	ctx.level = SW_LOG_NONE;
	CHECK_OK(sim_new(&ctx, "stm32h743", &sim));
	CHECK_OK(sim_load_elf(sim, BUILD_DIR "/fw/demo-h743.elf"));
	sim_power_on_reset(sim);
	CHECK_OK(sw_sim_probe_open(&ctx, sim, 0, &p));
	if (!p)
		return;
	spy_state.real = p->ops;
	spy_state.ops = *p->ops;
	spy_state.ops.swd_transfer = spy_transfer;
	p->ops = &spy_state.ops;
	CHECK_OK(sw_target_open(&ctx, p, d, 0, &t));
	CHECK_OK(sw_flash_stage_new(&ctx, d, &st));
	if (t && st) {
		struct sw_core *core = sw_target_core(t, 0);
		CHECK_OK(sw_core_halt(core));
		sw_flash_stage_no_loader(st, no_loader);
		for (size_t i = 0; i < sizeof(data); i++)
			data[i] = (uint8_t)(i * 13 + 7);
		/* Sector 0 (over the demo) and bank 2 sector 0: erase and program. */
		CHECK_OK(sw_flash_stage_erase(st, 0x08000000u, sizeof(data)));
		CHECK_OK(sw_flash_stage_write(st, 0x08000000u, data, sizeof(data)));
		CHECK_OK(sw_flash_stage_erase(st, 0x08100000u, sizeof(data)));
		CHECK_OK(sw_flash_stage_write(st, 0x08100000u, data, sizeof(data)));
		CHECK_OK(sw_flash_stage_done(st, core, &stats));
		CHECK_EQ_U(stats.sectors_programmed, 2);
		CHECK_EQ_U(stats.loader, !no_loader);
	}
	CHECK_MSG(spy_state.option_writes == 0, "%u writes to option-byte registers, first 0x%08x",
		  spy_state.option_writes, spy_state.first_option);
	/* The loader programs from the target, but the host still unlocks the
	 * banks or starts the loader through registers it writes: the watch saw
	 * flash-interface writes on the host path at least. */
	if (no_loader)
		CHECK_MSG(spy_state.cr_writes > 0, "the watch saw no FLASH_KEYR/CR write");
	TEST_INFO("%s: %u FLASH_KEYR/CR writes seen, %u option-byte register writes",
		  no_loader ? "host path" : "loader", spy_state.cr_writes, spy_state.option_writes);
	sw_flash_stage_free(st);
	sw_target_close(t);
	sw_probe_close(p);
	sim_free(sim);
}

static void test_host_path(void)
{
	job(true);
}

static void test_loader_path(void)
{
	job(false);
}

int main(void)
{
	RUN_TEST(test_host_path);
	RUN_TEST(test_loader_path);
	return TEST_MAIN_END();
}
