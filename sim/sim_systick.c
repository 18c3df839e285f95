/* SysTick (ARMv7-M ARM B3.3; ARMv8-M ARM B11): a 24-bit down-counter
 * clocked by the processor clock (CLKSOURCE = 1) or by the chip's
 * reference clock (a divider of it, sim_core_cfg.systick_ref_div). The
 * core counts cycles at CPI 1; the counter is brought up to date lazily,
 * at each access and at the end of each run slice, and the run loop never
 * runs past the cycle at which it reaches 0 with TICKINT set, so the
 * exception is pended on the exact instruction boundary. It stops with the
 * core in Debug state (no cycles pass). Offsets are from 0xE0000000. */
#include "sim/sim_core_priv.h"

#define SYST_CSR 0xE010u
#define SYST_RVR 0xE014u
#define SYST_CVR 0xE018u
#define SYST_CALIB 0xE01Cu
#define CSR_ENABLE (1u << 0)
#define CSR_TICKINT (1u << 1)
#define CSR_CLKSOURCE (1u << 2)
#define CSR_COUNTFLAG (1u << 16)
#define CALIB_NOREF (1u << 31)
#define CALIB_SKEW (1u << 30)

/* Processor cycles per counter tick. */
static uint32_t cycles_per_tick(const struct sim_core *c)
{
	return (c->st_csr & CSR_CLKSOURCE) || !c->cfg.systick_ref_div ? 1u : c->cfg.systick_ref_div;
}

/* The counter reaches 0: COUNTFLAG, and the exception if TICKINT. */
static void reached_zero(struct sim_core *c)
{
	c->st_csr |= CSR_COUNTFLAG;
	if (c->st_csr & CSR_TICKINT)
		sim_nvic_set_pending(c, EXC_SYSTICK);
}

/* `ticks` clock edges: a tick at 0 reloads RVR (B3.3.1), a tick at 1
 * reaches 0. With RVR = 0 the counter stays at 0. */
static void count(struct sim_core *c, uint64_t ticks)
{
	while (ticks) {
		uint64_t period = (uint64_t)c->st_rvr + 1;
		if (c->st_cvr == 0) {
			if (!c->st_rvr)
				return;
			c->st_cvr = c->st_rvr;
			ticks--;
			continue;
		}
		if (ticks < c->st_cvr) {
			c->st_cvr -= (uint32_t)ticks;
			return;
		}
		ticks -= c->st_cvr;
		c->st_cvr = 0;
		reached_zero(c);
		ticks %= period; /* whole periods end at 0 again: same flags */
	}
}

/* Now, in processor cycles (inside a slice: up to the executing instruction). */
static uint64_t now(const struct sim_core *c)
{
	return c->cycles + c->insn_count;
}

void sim_systick_sync(struct sim_core *c)
{
	uint64_t t = now(c), n = t - c->st_at;

	c->st_at = t;
	if (!(c->st_csr & CSR_ENABLE) || !n)
		return;
	uint32_t div = cycles_per_tick(c);
	uint64_t all = n + c->st_div_carry;
	c->st_div_carry = (uint32_t)(all % div);
	count(c, all / div);
}

uint64_t sim_systick_cycles_to_irq(struct sim_core *c)
{
	uint64_t ticks;

	sim_systick_sync(c);
	if ((c->st_csr & (CSR_ENABLE | CSR_TICKINT)) != (CSR_ENABLE | CSR_TICKINT))
		return UINT64_MAX;
	if (c->st_cvr)
		ticks = c->st_cvr;
	else if (c->st_rvr)
		ticks = (uint64_t)c->st_rvr + 1;
	else
		return UINT64_MAX;
	return ticks * cycles_per_tick(c) - c->st_div_carry;
}

void sim_systick_reset(struct sim_core *c)
{
	/* B3.3.3: CSR resets to 0 (CLKSOURCE 1 where there is no reference
	 * clock); RVR and CVR are UNKNOWN, here 0. */
	c->st_csr = c->cfg.systick_ref_div ? 0 : CSR_CLKSOURCE;
	c->st_rvr = c->st_cvr = 0;
	c->st_at = now(c);
	c->st_div_carry = 0;
}

bool sim_systick_read(struct sim_core *c, uint32_t off, uint32_t *v, bool cpu)
{
	sim_systick_sync(c);
	switch (off) {
	case SYST_CSR:
		*v = c->st_csr;
		if (cpu) /* a software read clears COUNTFLAG; the debugger's does not */
			c->st_csr &= ~CSR_COUNTFLAG;
		return true;
	case SYST_RVR: *v = c->st_rvr; return true;
	case SYST_CVR: *v = c->st_cvr; return true;
	/* No 10 ms calibration value is given [simplified: TENMS 0, SKEW 1]. */
	case SYST_CALIB: *v = (c->cfg.systick_ref_div ? 0 : CALIB_NOREF) | CALIB_SKEW; return true;
	default: return false;
	}
}

bool sim_systick_write(struct sim_core *c, uint32_t off, uint32_t v)
{
	sim_systick_sync(c);
	switch (off) {
	case SYST_CSR:
		c->st_csr = (c->st_csr & CSR_COUNTFLAG) | (v & (CSR_ENABLE | CSR_TICKINT | CSR_CLKSOURCE));
		if (!c->cfg.systick_ref_div)
			c->st_csr |= CSR_CLKSOURCE;
		return true;
	case SYST_RVR: c->st_rvr = v & 0x00FFFFFFu; return true;
	case SYST_CVR: /* any write clears the counter and COUNTFLAG */
		c->st_cvr = 0;
		c->st_csr &= ~CSR_COUNTFLAG;
		c->st_div_carry = 0;
		return true;
	default: return true; /* CALIB is read-only */
	}
}
