/* Fuzz harness helper: one simulated STM32H743 with the demo loaded, a
 * target, a session and the demo's ELF, made once per fuzzer process (its
 * state carries over between inputs, as in a long gdb session). */
#ifndef SW_FUZZ_BOARD_H
#define SW_FUZZ_BOARD_H

#include <stdlib.h>

#include "probes/sim_probe.h"
#include "server/session.h"
#include "sim/sim.h"
#include "targets/target.h"

struct board {
	struct sw_ctx ctx;
	struct sim *sim;
	struct sw_probe *probe;
	struct sw_target *t;
	struct sw_elf *elf;
	struct sw_session s;
};

static struct board *board_get(void)
{
	static struct board *b; /* fuzz harness only: one board for the run */
	const struct sw_target_desc *d = sw_target_find("stm32h743");

	if (b)
		return b;
	b = calloc(1, sizeof(*b));
	sw_ctx_init(&b->ctx);
	b->ctx.level = SW_LOG_NONE;
	if (sim_new(&b->ctx, "stm32h743", &b->sim) || sim_load_elf(b->sim, FUZZ_DEMO_ELF) ||
	    (sim_power_on_reset(b->sim), sw_sim_probe_open(&b->ctx, b->sim, 0, &b->probe)) ||
	    sw_target_open(&b->ctx, b->probe, d, 0, &b->t) || sw_elf_open_file(&b->ctx, FUZZ_DEMO_ELF, &b->elf))
		abort();
	sw_session_init(&b->s, &b->ctx, sw_target_core(b->t, 0), d, b->probe, 0);
	b->s.elf = b->elf;
	return b;
}

#endif
