/* Simulated Cortex-M core, run control: Unicorn executes the Thumb code in
 * budgets of instructions; this file owns the run loop, debug halt and
 * step, sleep (WFI/WFE) and the reset kinds. References: ARMv7-M ARM B1.5
 * (reset behaviour B1.5.5), C1.6 (Debug state), ARMv8-M ARM D1. */
#include <string.h>

#include "sim/sim_core_priv.h"

#define XPSR_T (1u << 24)
#define MASKED_POLL 16u

static bool is_special(int reg)
{
	return reg == UC_ARM_REG_MSP || reg == UC_ARM_REG_PSP || reg == UC_ARM_REG_CONTROL ||
	       reg == UC_ARM_REG_PRIMASK || reg == UC_ARM_REG_BASEPRI ||
	       reg == UC_ARM_REG_FAULTMASK;
}

/* QEMU's MRS/MSR rules apply to Unicorn's register API: from unprivileged
 * thread mode the stack pointers and special registers read as zero and
 * ignore writes. The debugger and the exception logic are privileged, so
 * step into handler mode around such an access; QEMU switches the active
 * stack pointer in and out with the mode, which keeps SP coherent. */
static uint32_t priv_enter(struct sim_core *c, int reg)
{
	uint32_t ipsr = 0, tmp = 1;

	if (!is_special(reg))
		return 1;
	uc_reg_read(c->uc, UC_ARM_REG_IPSR, &ipsr);
	ipsr &= 0x1FFu;
	if (!ipsr)
		uc_reg_write(c->uc, UC_ARM_REG_IPSR, &tmp);
	return ipsr;
}

static void priv_leave(struct sim_core *c, uint32_t ipsr)
{
	if (!ipsr)
		uc_reg_write(c->uc, UC_ARM_REG_IPSR, &ipsr);
}

uint32_t sim_core_rd(struct sim_core *c, int reg)
{
	uint32_t v = 0, ipsr = priv_enter(c, reg);

	uc_reg_read(c->uc, reg, &v);
	priv_leave(c, ipsr);
	return v;
}

void sim_core_wr(struct sim_core *c, int reg, uint32_t v)
{
	uint32_t ipsr = priv_enter(c, reg);

	uc_reg_write(c->uc, reg, &v);
	priv_leave(c, ipsr);
}

/* Unicorn takes the Thumb state from bit 0 of a PC write; keep EPSR.T as
 * it is (an exception vector or a debugger write must not change it). */
void sim_core_set_pc(struct sim_core *c, uint32_t pc)
{
	uint32_t t = (sim_core_rd(c, UC_ARM_REG_XPSR) & XPSR_T) ? 1u : 0u;

	sim_core_wr(c, UC_ARM_REG_PC, (pc & ~1u) | t);
}

static uint32_t mem32(struct sim_core *c, uint32_t addr)
{
	uint32_t v = 0;

	if (sim_bus_read(c->bus, addr, 4, &v))
		return 0;
	return v;
}

void sim_core_enter_halt(struct sim_core *c, uint32_t dfsr_bits)
{
	c->halt_entries += !c->halted;
	c->halted = true;
	c->sleeping = false;
	c->dhcsr_ctrl |= DHCSR_C_HALT;
	c->dfsr |= dfsr_bits;
	c->stop_request = true;
	uc_emu_stop(c->uc);
}

/* Budget hook on every instruction, run before it executes: counts what
 * retires and stops Unicorn at the budget or when a hook asked to stop
 * (a data watchpoint halts here, after its access completed). Unicorn's
 * own instruction count works the same way but does not report progress. */
static void on_insn(uc_engine *uc, uint64_t addr, uint32_t size, void *user)
{
	struct sim_core *c = user;

	if (c->stop_request) {
		uc_emu_stop(uc);
		return;
	}
	if (c->insn_count >= c->insn_limit) {
		c->slice_done = true;
		uc_emu_stop(uc);
		return;
	}
	if (sim_core_icache_fetch(c, (uint32_t)addr, size))
		return;
	/* [simplified: a fetch the I-cache serves is charged like a miss] */
	sim_fetch_charge(c, (uint32_t)addr, size);
	c->insn_count++;
	c->insn_pc = (uint32_t)addr;
}

int sim_core_run_hooks(struct sim_core *c)
{
	if (uc_hook_add(c->uc, &c->count_hook, UC_HOOK_CODE, (void *)on_insn, c, 1, 0))
		return sw_fail(c->ctx, SW_ERR_IO, "sim core: cannot install the budget hook");
	return SW_OK;
}

/* Unicorn returns by itself after a WFI (EXCP_HLT, no error) and after a
 * WFE (as an invalid instruction, PC past it): the core sleeps until
 * something wakes it (B1.5.19). Which of the two ends just before PC? */
enum { WAIT_NONE, WAIT_WFI, WAIT_WFE };

static int wait_insn(struct sim_core *c, uint32_t pc)
{
	uint32_t hw = 0, w = 0;

	sim_bus_read(c->bus, (pc - 2) & ~1u, 2, &hw);
	if (hw == 0xBF30u || hw == 0xBF20u)
		return hw == 0xBF30u ? WAIT_WFI : WAIT_WFE;
	if (!(pc & 2u))
		sim_bus_read(c->bus, pc - 4, 4, &w);
	return w == 0x8003F3AFu ? WAIT_WFI : w == 0x8002F3AFu ? WAIT_WFE : WAIT_NONE; /* .W forms */
}

static bool pending_reset(struct sim_core *c)
{
	bool sys = c->sysreset_pending;

	if (!c->sysreset_pending && !c->vectreset_pending)
		return false;
	c->sysreset_pending = c->vectreset_pending = false;
	if (sys && c->cfg.sysresetreq)
		c->cfg.sysresetreq(c->cfg.chip);
	else if (!sys)
		sim_core_reset(c, SIM_RESET_CORE);
	return true;
}

/* Run up to n instructions; stops early on halt, lockup, sleep or reset.
 * A pending exception that can preempt is taken at each instruction
 * boundary between slices (not first thing in a C_STEP: do_step decides),
 * and no slice runs past the cycle at which SysTick raises its interrupt. */
static uint64_t execute(struct sim_core *c, uint64_t n)
{
	while (n && !c->halted && !c->lockup && !c->reset_line && !c->sleeping) {
		uint32_t pc, t;
		uint64_t done, budget;
		uc_err e;

		if (!c->stepping && sim_nvic_take(c) && (c->halted || c->lockup))
			break; /* vector catch on the handler, or lockup */
		pc = sim_core_rd(c, UC_ARM_REG_PC);
		t = (sim_core_rd(c, UC_ARM_REG_XPSR) & XPSR_T) ? 1u : 0u;
		budget = sim_systick_cycles_to_irq(c);
		/* A pending interrupt held off by PRIMASK/BASEPRI/priority: the
		 * CPU can unmask it with CPSIE/MSR, which Unicorn runs on its
		 * own, so look again every few instructions [simplified: taken
		 * within MASKED_POLL instructions, not at the next one]. */
		if (budget > MASKED_POLL && sim_nvic_held(c))
			budget = MASKED_POLL;
		c->stop_request = c->slice_done = false;
		c->insn_count = 0;
		c->insn_limit = budget < n ? budget : n;
		if (c->code_dirty) {
			sim_core_invalidate_code(c);
			c->code_dirty = false;
		} else if (c->dirty_hi > c->dirty_lo) {
			uc_ctl_remove_cache(c->uc, c->dirty_lo, c->dirty_hi);
		}
		c->dirty_lo = c->dirty_hi = 0;
		sim_core_icache_slice_start(c, pc);
		/* 0xFFFFFFFF is never a PC: run until a hook stops us. */
		e = uc_emu_start(c->uc, (pc & ~1u) | t, 0xFFFFFFFFu, 0, 0);
		sim_core_rom_undo(c, true);
		done = c->insn_count;
		if (done > n) /* waited past the budget: owed by the next run */
			c->stall_debt += done - n;
		c->run_done += done;
		c->cycles += done;
		c->insn_count = 0;
		sim_systick_sync(c);
		if (done)
			c->retired = true;
		if ((c->dwt_ctrl & 1u) && (c->demcr & DEMCR_TRCENA))
			c->cyccnt += (uint32_t)done; /* CPI 1: one cycle per instruction */
		n -= done < n ? (done ? done : 1) : n;
		uint32_t now_pc = sim_core_rd(c, UC_ARM_REG_PC);
		int wait = !c->stop_request && !c->slice_done && !c->fault_pending && now_pc != pc
				   ? wait_insn(c, now_pc)
				   : WAIT_NONE;
		if (wait == WAIT_WFI && e == UC_ERR_OK) {
			c->sleeping = true;
		} else if (wait == WAIT_WFE && e == UC_ERR_INSN_INVALID) {
			/* WFE consumes a set event register, else sleeps (B1.5.18).
			 * (A stop with PC still where the slice began is an invalid
			 * instruction there, not a WFE before it.) */
			if (c->event_reg)
				c->event_reg = false;
			else
				c->sleeping = true;
		} else {
			sim_core_after_run(c, e);
		}
		sim_core_icache_slice_end(c);
		if (c->lockup) /* B1.5.15: PC reads 0xFFFFFFFE in lockup */
			sim_core_set_pc(c, 0xFFFFFFFEu);
		if (pending_reset(c))
			return 0;
	}
	return n;
}

/* What ends a WFI/WFE sleep (B1.5.19): an exception that would preempt
 * if PRIMASK were clear; for WFE also any pending one with SCR.SEVONPEND
 * [simplified: pending, not the transition to pending]. */
static bool wakes(struct sim_core *c)
{
	if (sim_nvic_preempting(c, true))
		return true;
	if (c->scr & 0x10u)
		for (unsigned w = 0; w < SIM_EXC_WORDS; w++)
			if (c->exc_pending[w])
				return true;
	return false;
}

/* Asleep for up to n cycles: time passes until something wakes the core.
 * Sleep gates instruction execution, not the clocks: SysTick counts, and
 * CYCCNT too (ARMv7-M C1.8.8: it stops only in Debug state). Returns the
 * cycles left after waking. */
static uint64_t sleep_cycles(struct sim_core *c, uint64_t n)
{
	while (n) {
		uint64_t to_irq = sim_systick_cycles_to_irq(c), step = to_irq < n ? to_irq : n;

		if (wakes(c)) {
			c->sleeping = false;
			return n;
		}
		c->cycles += step;
		c->run_done += step;
		n -= step;
		sim_systick_sync(c);
		if ((c->dwt_ctrl & 1u) && (c->demcr & DEMCR_TRCENA))
			c->cyccnt += (uint32_t)step;
	}
	if (wakes(c))
		c->sleeping = false;
	return 0;
}

static void run_for(struct sim_core *c, uint64_t ns)
{
	uint64_t total, n;

	if (c->halted || c->lockup || c->reset_line || c->powered_off) {
		/* a wait still owed ends while the core is held [simplified:
		 * the halt is taken before the stalled access completes] */
		n = ns * c->cfg.cpu_hz / 1000000000ull;
		c->stall_debt -= c->stall_debt < n ? c->stall_debt : n;
		return;
	}
	total = ns * c->cfg.cpu_hz + c->insn_carry;
	c->insn_carry = total % 1000000000ull;
	/* run_done counts from the start of sim_core_run (cut into pieces
	 * at debug-request times), so it is not reset here */
	n = sim_fetch_pay_debt(c, total / 1000000000ull);
	while (n && !c->halted && !c->lockup && !c->reset_line) {
		if (c->sleeping)
			n = sleep_cycles(c, n);
		else
			n = execute(c, n);
	}
}

/* The interval is cut where a debug request completes (sim_core_dbg.c),
 * so a C_HALT stops the core on the cycle it takes effect. */
void sim_core_run(struct sim_core *c, uint64_t ns)
{
	uint64_t end = c->exec_ns + ns;

	c->run_done = 0;
	sim_core_dbg_complete(c, c->exec_ns);
	while (c->exec_ns < end) {
		uint64_t stop = sim_core_dbg_next(c, c->exec_ns, end);

		run_for(c, stop - c->exec_ns);
		c->exec_ns = stop;
		sim_core_dbg_complete(c, stop);
	}
	if (c->dbg_now < end)
		c->dbg_now = end;
}

void sim_core_set_hz(struct sim_core *c, uint32_t hz)
{
	if (hz)
		c->cfg.cpu_hz = hz;
}

uint64_t sim_core_slice_ns(const struct sim_core *c)
{
	return (c->run_done + c->insn_count) * 1000000000ull / c->cfg.cpu_hz;
}

/* One instruction from Debug state (C_STEP, C1.6.2), then halt again. An
 * instruction that takes an exception stops on the handler's first one.
 * With an exception pending that can preempt (not masked by C_MASKINTS),
 * the step is the exception entry: the core halts on the handler's first
 * instruction without executing it (C1.6.2, ARMv8-M ARM "Debug stepping"). */
void sim_core_do_step(struct sim_core *c)
{
	c->halted = false;
	c->sleeping = false;
	if (sim_nvic_take(c)) {
		if (!c->halted && !c->lockup)
			sim_core_enter_halt(c, DFSR_HALTED);
		return;
	}
	c->stepping = true;
	(void)execute(c, 1);
	c->stepping = false;
	if (!c->halted && !c->lockup && !c->reset_line)
		sim_core_enter_halt(c, DFSR_HALTED);
}

/* Debug logic is reset only at power-on (C1.6: DHCSR, DEMCR, FPB, DWT, ITM
 * keep their state over a system or local reset). */
static void reset_debug(struct sim_core *c)
{
	c->dhcsr_ctrl = 0;
	c->demcr = 0;
	c->dfsr = 0;
	c->fpb_enable = false;
	memset(c->fp_comp, 0, sizeof(c->fp_comp));
	memset(c->dwt_func, 0, sizeof(c->dwt_func));
	c->dwt_ctrl = 0;
	c->cyccnt = 0;
	c->itm_tcr = c->itm_ter = c->itm_tpr = 0;
	c->itm_locked = c->cfg.arch == 7;
	c->dscsr = 0;
	sim_core_update_fpb(c);
	sim_core_update_dwt(c);
}

static void reset_registers(struct sim_core *c)
{
	static const int zero_regs[] = {UC_ARM_REG_R0, UC_ARM_REG_R1, UC_ARM_REG_R2,
					UC_ARM_REG_R3, UC_ARM_REG_R4, UC_ARM_REG_R5,
					UC_ARM_REG_R6, UC_ARM_REG_R7, UC_ARM_REG_R8,
					UC_ARM_REG_R9, UC_ARM_REG_R10, UC_ARM_REG_R11,
					UC_ARM_REG_R12, UC_ARM_REG_PRIMASK, UC_ARM_REG_BASEPRI,
					UC_ARM_REG_FAULTMASK};

	/* Handler mode first so CONTROL (SPSEL, nPRIV) can be cleared. */
	sim_core_wr(c, UC_ARM_REG_XPSR_NZCVQG, XPSR_T | 1u);
	sim_core_wr(c, UC_ARM_REG_CONTROL, 0);
	sim_core_wr(c, UC_ARM_REG_XPSR_NZCVQG, XPSR_T);
	for (size_t i = 0; i < sizeof(zero_regs) / sizeof(zero_regs[0]); i++)
		sim_core_wr(c, zero_regs[i], 0);
	sim_core_wr(c, UC_ARM_REG_PSP, 0);
	sim_core_wr(c, UC_ARM_REG_LR, 0xFFFFFFFFu);
	/* B1.5.5 TakeReset: SP_main from vector 0, PC from vector 1. */
	sim_core_wr(c, UC_ARM_REG_MSP, mem32(c, c->vtor) & ~3u);
	sim_core_set_pc(c, mem32(c, c->vtor + 4));
}

void sim_core_reset(struct sim_core *c, enum sim_reset_kind kind)
{
	if (kind == SIM_RESET_POWER_ON)
		reset_debug(c);
	c->vtor = c->cfg.vtor_reset;
	c->cfsr = c->hfsr = c->mmfar = c->bfar = c->shcsr = 0;
	c->ccr = 0x200; /* STKALIGN; IC, DC off */
	sim_core_icache_reset(c);
	c->cpacr = 0;
	c->fpccr = c->cfg.fpu ? 0xC0000000u : 0; /* ASPEN, LSPEN */
	c->fpcar = c->fpdscr = 0;
	c->scr = c->aircr_prigroup = 0;
	sim_nvic_reset(c);
	sim_systick_reset(c);
	c->event_reg = false;
	c->lockup = c->halted = c->sleeping = false;
	sim_core_dbg_clear(c); /* requests in flight end with the reset */
	c->fault_pending = 0;
	c->stall_debt = 0; /* a reset ends the stalled bus access */
	sim_core_rom_undo(c, false);
	reset_registers(c);
	c->reset_seen = true;
	/* DHCSR survives a local or system reset (ARMv7-M C1.6.3: reset only
	 * at power-on): a C_HALT left set halts the core before the first
	 * instruction of the reset handler, so a debugger that wants the core
	 * to run must clear C_HALT itself (OpenOCD cortex_m_assert_reset does).
	 * C_STEP is a one-shot request in this model [simplified]. */
	c->dhcsr_ctrl &= ~DHCSR_C_STEP;
	if ((c->dhcsr_ctrl & (DHCSR_C_HALT | DHCSR_C_DEBUGEN)) == (DHCSR_C_HALT | DHCSR_C_DEBUGEN)) {
		c->halted = true;
		c->dfsr |= DFSR_HALTED;
	}
	/* Reset vector catch (C1.6.5 DEMCR.VC_CORERESET): halt before the
	 * first instruction of the reset handler. */
	if ((c->demcr & DEMCR_VC_CORERESET) && (c->dhcsr_ctrl & DHCSR_C_DEBUGEN)) {
		c->halt_entries += !c->halted;
		c->halted = true;
		c->dhcsr_ctrl |= DHCSR_C_HALT;
		c->dfsr |= DFSR_VCATCH;
	}
}

void sim_core_set_reset_line(struct sim_core *c, bool asserted)
{
	if (c->reset_line && !asserted) {
		c->reset_line = false;
		sim_core_reset(c, SIM_RESET_SYSTEM);
		return;
	}
	c->reset_line = asserted;
	if (asserted)
		c->reset_seen = true;
}

void sim_core_set_power(struct sim_core *c, bool on)
{
	if (on && c->powered_off)
		sim_core_reset(c, SIM_RESET_POWER_ON);
	c->powered_off = !on;
}

void sim_core_flush_code(struct sim_core *c)
{
	c->code_dirty = true;
}

/* A debugger store: only code translated from these bytes is stale (the
 * host streaming data next to running code must not flush everything). */
void sim_core_code_written(struct sim_core *c, uint32_t addr, unsigned size)
{
	uint64_t lo = addr, hi = (uint64_t)addr + size;

	if (c->dirty_hi <= c->dirty_lo) {
		c->dirty_lo = lo, c->dirty_hi = hi;
		return;
	}
	c->dirty_lo = lo < c->dirty_lo ? lo : c->dirty_lo;
	c->dirty_hi = hi > c->dirty_hi ? hi : c->dirty_hi;
}

bool sim_core_halted(const struct sim_core *c)
{
	return sim_core_dbg_in_debug_state(c); /* a step in flight is not halted */
}

uint64_t sim_core_halt_entries(const struct sim_core *c)
{
	return c->halt_entries;
}

size_t sim_core_itm_take(struct sim_core *c, uint8_t *buf, size_t max)
{
	size_t n = c->itm_len < max ? c->itm_len : max;

	memcpy(buf, c->itm_buf, n);
	memmove(c->itm_buf, c->itm_buf + n, c->itm_len - n);
	c->itm_len -= n;
	return n;
}

size_t sim_core_itm_packets_take(struct sim_core *c, uint8_t *buf, size_t max)
{
	size_t n = c->itm_pkt_len < max ? c->itm_pkt_len : max;

	memcpy(buf, c->itm_pkt, n);
	memmove(c->itm_pkt, c->itm_pkt + n, c->itm_pkt_len - n);
	c->itm_pkt_len -= n;
	return n;
}
