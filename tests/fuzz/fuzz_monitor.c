/* libFuzzer target: monitor command lines (qRcmd) parsed and executed on a
 * simulated STM32H743 with the demo loaded: every handler's argument parsing
 * (numbers, symbols, ranges, modes) on hostile text. One board for the whole
 * run; its state carries over between inputs, as in a long gdb session. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "probes/sim_probe.h"
#include "server/gdb/rsp_client.h"
#include "server/session.h"
#include "sim/sim.h"
#include "targets/target.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct board *b = board_get();
	char line[256];
	bool changed;

	if (size >= sizeof(line))
		size = sizeof(line) - 1;
	memcpy(line, data, size);
	line[size] = 0;
	/* Whole-chip erases and resets are valid commands but cost seconds of
	 * simulated flash time each; their argument parsing is reached through
	 * the other forms (erase ADDR LEN, reset MODE...). */
	if (strstr(line, "erase all") || strstr(line, "erase flash-bank"))
		return 0;
	/* J-Link's sleep and waithalt wait in wall time by design (seconds);
	 * their number parsing is the one memU32/setbp/clrbp share. */
	if (strstr(line, "sleep") || strstr(line, "waithalt"))
		return 0;
	rsp_monitor(&b->s, line, &changed);
	b->s.console[0] = 0;
	return 0;
}
