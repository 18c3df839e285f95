/* Debug requests take core clock cycles (issue #18): a DCRSR register
 * transfer, a C_HALT request, a C_STEP step and a debugger's SYSRESETREQ
 * complete one core clock cycle after the write that asked for them, in
 * virtual time. Until then DHCSR.S_REGRDY reads 0 and DCRDR keeps its old
 * value (ARMv7-M ARM C1.6.3 DCRSR/DCRDR: "the debugger must poll
 * S_REGRDY"; ARMv8-M ARM D1.2.4 DCRSR the same), and S_HALT reads 0 until
 * the core is in Debug state (C1.6.2 DHCSR). One cycle is the minimum; a
 * Cortex-M7 needs a few [simplified: exactly one]. On a fast core that is
 * nanoseconds, far below one SWD packet; on an STM32H743 running from
 * CSI/512 (7.8125 kHz, RM0433 §8.7.8 D1CPRE) one cycle is 128 us, longer
 * than ten SWD packets at 4 MHz.
 *
 * Time: the sim's time sync (sim_sync) tells every core the virtual time
 * before each debugger access (sim_core_dbg_tick), so a request is stamped
 * with the time of its AP access; sim_core_run splits its interval at the
 * moments requests complete, so a halt lands on its cycle. */
#include "sim/sim_core_priv.h"

/* One core clock cycle in ns, rounded up (never 0). */
static uint64_t cycle_ns(const struct sim_core *c)
{
	uint32_t hz = c->cfg.cpu_hz ? c->cfg.cpu_hz : 1u;

	return (1000000000ull + hz - 1) / hz;
}

static uint64_t due_in_one_cycle(const struct sim_core *c)
{
	return c->dbg_now + cycle_ns(c);
}

void sim_core_dbg_clear(struct sim_core *c)
{
	c->reg_due = c->halt_due = c->step_due = c->reset_due = 0;
}

bool sim_core_dbg_in_debug_state(const struct sim_core *c)
{
	return c->halted && !c->step_due;
}

/* DCRSR write (C1.6.3). Outside Debug state nothing is transferred. A
 * write while an earlier transfer is still in progress is UNPREDICTABLE
 * (C1.6.3: DCRSR and DCRDR must not be written while S_REGRDY is 0): the
 * model drops it, the harshest plausible outcome, so a debugger that
 * queues transfers without waiting reads the earlier register's value. */
void sim_core_dbg_dcrsr(struct sim_core *c, uint32_t v)
{
	if (c->reg_due)
		return;
	c->regrdy = false;
	if (!sim_core_dbg_in_debug_state(c))
		return;
	c->reg_req = v;
	c->reg_wdata = c->dcrdr;
	c->reg_due = due_in_one_cycle(c);
}

/* C_HALT while running: the core stops one cycle later (S_HALT then). */
void sim_core_dbg_halt_request(struct sim_core *c)
{
	if (!c->halted && !c->halt_due)
		c->halt_due = due_in_one_cycle(c);
}

/* C_STEP from Debug state: the core leaves Debug state at once (S_HALT
 * reads 0), executes one instruction and is back one cycle later. */
void sim_core_dbg_step_request(struct sim_core *c)
{
	if (!c->step_due)
		c->step_due = due_in_one_cycle(c);
}

/* C_HALT and C_STEP cleared: a step still in flight becomes a run. */
void sim_core_dbg_resume(struct sim_core *c)
{
	c->step_due = c->halt_due = 0;
	c->halted = false;
}

/* AIRCR.SYSRESETREQ from the debugger: the reset follows a cycle later
 * (B3.2.6; the write itself completes first). */
void sim_core_dbg_sysresetreq(struct sim_core *c)
{
	if (!c->reset_due)
		c->reset_due = due_in_one_cycle(c);
}

static void finish_transfer(struct sim_core *c)
{
	uint32_t sel = c->reg_req & 0x7Fu;

	c->reg_due = 0;
	if (!c->halted)
		return; /* left Debug state meanwhile: no transfer */
	if (c->reg_req & (1u << 16))
		sim_core_reg_set(c, sel, c->reg_wdata);
	else if (sim_core_reg_get(c, sel, &c->dcrdr))
		c->dcrdr = 0;
	c->regrdy = true;
}

static void finish_halt(struct sim_core *c)
{
	c->halt_due = 0;
	if (c->halted || c->reset_line || !(c->dhcsr_ctrl & DHCSR_C_HALT))
		return;
	c->halt_entries++;
	c->halted = true;
	c->sleeping = false; /* a halt request wakes a WFI */
	c->lockup = false;   /* entering Debug state leaves lockup (B1.5.15) */
	c->dfsr |= DFSR_HALTED;
}

/* Complete what is due by `t` (ns), earliest first. */
void sim_core_dbg_complete(struct sim_core *c, uint64_t t)
{
	for (;;) {
		uint64_t *next = NULL;
		uint64_t *dues[4] = {&c->step_due, &c->halt_due, &c->reg_due, &c->reset_due};

		for (unsigned i = 0; i < 4; i++)
			if (*dues[i] && *dues[i] <= t && (!next || *dues[i] < *next))
				next = dues[i];
		if (!next)
			return;
		if (next == &c->step_due) {
			c->step_due = 0;
			sim_core_do_step(c);
		} else if (next == &c->halt_due) {
			finish_halt(c);
		} else if (next == &c->reg_due) {
			finish_transfer(c);
		} else {
			c->reset_due = 0;
			if (c->cfg.sysresetreq)
				c->cfg.sysresetreq(c->cfg.chip);
		}
	}
}

/* The earliest completion after `from` and not after `until` (else until). */
uint64_t sim_core_dbg_next(const struct sim_core *c, uint64_t from, uint64_t until)
{
	const uint64_t dues[4] = {c->step_due, c->halt_due, c->reg_due, c->reset_due};
	uint64_t next = until;

	for (unsigned i = 0; i < 4; i++)
		if (dues[i] > from && dues[i] < next)
			next = dues[i];
	return next;
}

bool sim_core_debug_due(const struct sim_core *c, uint64_t now_ns)
{
	const uint64_t dues[4] = {c->step_due, c->halt_due, c->reg_due, c->reset_due};

	for (unsigned i = 0; i < 4; i++)
		if (dues[i] && dues[i] <= now_ns)
			return true;
	return false;
}

void sim_core_debug_tick(struct sim_core *c, uint64_t now_ns)
{
	if (now_ns > c->dbg_now)
		c->dbg_now = now_ns;
	sim_core_dbg_complete(c, c->dbg_now);
}

uint64_t sim_core_now_ns(const struct sim_core *c)
{
	return c->dbg_now;
}
