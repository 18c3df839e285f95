/* Accesses the simulator has no model for: the CPU gets the bus error it
 * would get from an unmapped address, and the user gets one log line per
 * block saying which block it was, so firmware that stops in a fault
 * handler on the simulator says why (ARCHITECTURE.md §7). */
#include "sim/sim_internal.h"

void sim_unmodelled(void *opaque, uint32_t addr)
{
	struct sim *sim = opaque;
	uint32_t page = addr >> 12;

	for (size_t i = 0; i < sim->n_blocks && i < SIM_MAX_NAMED_BLOCKS; i++) {
		const struct sim_block_name *b = &sim->blocks[i];
		if (addr - b->base >= b->size)
			continue;
		if (sim->blocks_logged[i / 32] & (1u << (i % 32)))
			return;
		sim->blocks_logged[i / 32] |= 1u << (i % 32);
		SW_LOG_W(sim->ctx, "sim: no simulated peripheral at 0x%08x (%s): the access is a bus error",
			 addr, b->name);
		return;
	}
	for (unsigned i = 0; i < sim->n_pages_logged; i++)
		if (sim->pages_logged[i] == page)
			return;
	if (sim->n_pages_logged < SIM_MAX_LOGGED_PAGES)
		sim->pages_logged[sim->n_pages_logged++] = page;
	else
		return; /* enough said */
	SW_LOG_W(sim->ctx, "sim: no simulated peripheral at 0x%08x: the access is a bus error", addr);
}
