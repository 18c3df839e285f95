/* The simulated core's instruction fetches and wait states. Unicorn reads
 * code straight from the mapped buffers, so memory timing is charged here:
 * on_insn (sim_core.c) calls sim_fetch_charge before each instruction, and
 * the ROM region's fetch gate (sim_bus_set_fetch_gate) says how long that
 * fetch waits (XIP behind FlexSPI/XSPI, a busy H743 flash bank). A wait
 * spends the core's cycle budget: on silicon a core stalled on its bus
 * retires nothing meanwhile, and DWT.CYCCNT keeps counting (ARMv7-M
 * C1.8.8). An I-cache model can sit in front of sim_fetch_charge. */
#include "sim/sim_core_priv.h"

void sim_core_stall_ns(struct sim_core *c, uint64_t ns)
{
	uint64_t cyc = (ns * c->cfg.cpu_hz + 999999999u) / 1000000000u;

	c->insn_count += cyc; /* counted as done: on_insn stops at the budget */
	c->stall_cycles += cyc;
}

uint64_t sim_core_stall_cycles(const struct sim_core *c)
{
	return c->stall_cycles;
}

void sim_fetch_charge(struct sim_core *c, uint32_t addr, uint32_t size)
{
	if (addr - c->fetch_lo >= c->fetch_len) {
		const struct sim_region *r = sim_bus_find(c->bus, addr);

		c->fetch_fn = r ? r->fetch : NULL;
		c->fetch_opaque = r ? r->fetch_opaque : NULL;
		c->fetch_lo = r ? r->base : addr;
		c->fetch_len = r ? r->size : 1;
	}
	if (c->fetch_fn) {
		uint64_t w = c->fetch_fn(c->fetch_opaque, addr - c->fetch_lo, (unsigned)size);

		if (w)
			sim_core_stall_ns(c, w);
	}
}

/* Cycles waited past the end of the last budget are paid from this one
 * before any instruction runs; returns what is left of n. */
uint64_t sim_fetch_pay_debt(struct sim_core *c, uint64_t n)
{
	uint64_t d = c->stall_debt < n ? c->stall_debt : n;

	if (!d)
		return n;
	c->stall_debt -= d;
	c->run_done += d;
	c->cycles += d;
	if ((c->dwt_ctrl & 1u) && (c->demcr & DEMCR_TRCENA))
		c->cyccnt += (uint32_t)d;
	sim_systick_sync(c);
	return n - d;
}
