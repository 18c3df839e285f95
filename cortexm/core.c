/* Cortex-M run control: attach, halt, resume, step, poll, reset. ARMv7-M
 * ARM C1.6 (DHCSR, DEMCR, DFSR), B3.2.6 (AIRCR); ARMv8-M ARM D1.2. */
#include <stdlib.h>

#include "cortexm/cortexm_priv.h"

static const struct {
	uint16_t partno;
	unsigned arch;
	const char *name;
} cpus[] = {
	{0xC20, 6, "Cortex-M0"}, {0xC60, 6, "Cortex-M0+"}, {0xC23, 7, "Cortex-M3"},
	{0xC24, 7, "Cortex-M4"}, {0xC27, 7, "Cortex-M7"},  {0xD20, 8, "Cortex-M23"},
	{0xD21, 8, "Cortex-M33"}, {0xD22, 8, "Cortex-M55"}, {0xD23, 8, "Cortex-M85"},
};

static int identify(struct sw_core *c)
{
	uint32_t mvfr0 = 0, fp_ctrl = 0, dwt_ctrl = 0, dauth = 0;
	uint16_t part;
	int r;

	if ((r = sw_mem_queue_read32(c->ap, CM_CPUID, &c->info.cpuid)) ||
	    (r = sw_mem_queue_read32(c->ap, CM_MVFR0, &mvfr0)) ||
	    (r = sw_mem_queue_read32(c->ap, CM_FP_CTRL, &fp_ctrl)) ||
	    (r = sw_mem_queue_read32(c->ap, CM_DWT_CTRL, &dwt_ctrl)) ||
	    (r = sw_mem_queue_read32(c->ap, CM_DAUTHSTATUS, &dauth)) ||
	    (r = sw_dap_run(sw_ap_dap(c->ap))))
		return sw_fail(c->ctx, r, "core: cannot read CPUID/debug resources: %s", sw_errmsg(c->ctx));
	part = (uint16_t)((c->info.cpuid >> 4) & 0xFFFu);
	c->info.core_name = "unknown Cortex-M";
	for (size_t i = 0; i < sizeof(cpus) / sizeof(cpus[0]); i++)
		if (cpus[i].partno == part) {
			c->info.arch = cpus[i].arch;
			c->info.core_name = cpus[i].name;
		}
	if (!c->info.arch || (c->info.cpuid >> 24) != 0x41)
		return sw_fail(c->ctx, SW_ERR_NOT_SUPPORTED, "core: CPUID 0x%08x is not a known Cortex-M",
			       c->info.cpuid);
	/* MVFR0.SP [7:4] / DP [11:8] (B4.6.1). */
	c->info.fpu = (mvfr0 & 0xF0u) != 0;
	c->info.dp_fpu = ((mvfr0 >> 8) & 0xFu) == 2;
	/* FP_CTRL: REV [31:28], NUM_CODE [14:12]:[7:4], NUM_LIT [11:8] (C1.11.3). */
	c->info.fpb_rev = fp_ctrl >> 28;
	c->info.fpb_code = ((fp_ctrl >> 8) & 0x70u) | ((fp_ctrl >> 4) & 0xFu);
	c->info.fpb_lit = (fp_ctrl >> 8) & 0xFu;
	if (c->info.fpb_code > CM_MAX_FPB)
		c->info.fpb_code = CM_MAX_FPB;
	c->info.dwt_comps = dwt_ctrl >> 28;
	/* DAUTHSTATUS.SID [5:4] != 0: Secure debug implemented (ARMv8-M). */
	c->info.secext = c->info.arch == 8 && ((dauth >> 4) & 3u) != 0;
	return SW_OK;
}

/* Comparators left armed by an earlier debug session (FPB and DWT keep
 * their state until power-on reset, C1.11, C1.8) would halt the core for
 * breakpoints nobody knows about: this layer owns them, so start clean, as
 * OpenOCD's examine does. Only armed ones are written (FP_COMPn.ENABLE bit 0,
 * DWT_FUNCTIONn[3:0] != 0); the core keeps running. */
static int clear_comparators(struct sw_core *c)
{
	uint32_t fp[CM_MAX_FPB] = {0}, fn[CM_MAX_DWT] = {0};
	unsigned nd = c->info.dwt_comps < CM_MAX_DWT ? c->info.dwt_comps : CM_MAX_DWT, armed = 0;
	int r;

	for (unsigned i = 0; i < c->info.fpb_code; i++)
		if ((r = sw_mem_queue_read32(c->ap, CM_FP_COMP0 + 4 * i, &fp[i])))
			return r;
	for (unsigned i = 0; i < nd; i++)
		if ((r = sw_mem_queue_read32(c->ap, DWT_FUNCTION(i), &fn[i])))
			return r;
	if ((r = sw_dap_run(sw_ap_dap(c->ap))))
		goto fail;
	for (unsigned i = 0; i < nd; i++)
		c->dwt_id[i] = (uint8_t)(fn[i] >> 27); /* ARMv8-M: what each comparator can match */
	for (unsigned i = 0; i < c->info.fpb_code; i++)
		if ((fp[i] & 1u) && ++armed && (r = sw_mem_queue_write32(c->ap, CM_FP_COMP0 + 4 * i, 0)))
			return r;
	for (unsigned i = 0; i < nd; i++)
		if ((fn[i] & 0xFu) && ++armed && (r = sw_mem_queue_write32(c->ap, DWT_FUNCTION(i), 0)))
			return r;
	if (!armed)
		return SW_OK;
	SW_LOG_I(c->ctx, "core: cleared %u comparator(s) left armed by an earlier session", armed);
	if (!(r = sw_dap_run(sw_ap_dap(c->ap))))
		return SW_OK;
fail:
	return sw_fail(c->ctx, r, "core: cannot clear FPB/DWT comparators: %s", sw_errmsg(c->ctx));
}

int sw_core_new(struct sw_ctx *ctx, sw_ap *ap, struct sw_core **out)
{
	struct sw_core *c = calloc(1, sizeof(*c));
	uint32_t dhcsr = 0, demcr = 0;
	int r;

	*out = NULL;
	if (!c)
		return sw_fail(ctx, SW_ERR_NOMEM, "core: out of memory");
	c->ctx = ctx;
	c->ap = ap;
	if ((r = identify(c)))
		goto fail;
	/* Enable halting debug without halting: keep C_HALT as it is so an
	 * already halted core stays halted (C1.6.2). Then TRCENA for DWT/ITM,
	 * and catch HardFault (VC_HARDERR, C1.6.5) as pyOCD does: a core that
	 * faults stops where it faulted instead of spinning in its handler
	 * unseen (`monitor vector_catch hard off` turns it off). */
	if ((r = sw_mem_read32(ap, CM_DHCSR, &dhcsr)) ||
	    (r = sw_mem_write32(ap, CM_DHCSR, DHCSR_DBGKEY | DHCSR_C_DEBUGEN | (dhcsr & DHCSR_C_HALT))) ||
	    (r = sw_mem_read32(ap, CM_DEMCR, &demcr)) ||
	    (r = sw_mem_write32(ap, CM_DEMCR, demcr | DEMCR_TRCENA | DEMCR_VC_HARDERR)))
		goto fail;
	c->vc_at_attach = demcr & DEMCR_VC_ALL;
	if ((r = clear_comparators(c)))
		goto fail;
	c->halted = (dhcsr & DHCSR_S_HALT) != 0;
	SW_LOG_I(ctx, "core: %s r%up%u (CPUID 0x%08x)%s, %u breakpoints, %u watchpoints, %s",
		 c->info.core_name, (c->info.cpuid >> 20) & 0xFu, c->info.cpuid & 0xFu, c->info.cpuid,
		 c->info.fpu ? (c->info.dp_fpu ? ", FPU (DP)" : ", FPU (SP)") : "", c->info.fpb_code,
		 c->info.dwt_comps, c->halted ? "halted" : "running");
	*out = c;
	return SW_OK;
fail:
	free(c);
	return r;
}

/* C_DEBUGEN stays set after we leave, so a vector catch left armed would
 * stop the board at its next HardFault with nobody attached (a firmware
 * that resets itself on a fault would hang instead): put the catch bits
 * back as they were at attach. */
int sw_core_release(struct sw_core *c)
{
	uint32_t demcr = 0;
	int r;

	if ((r = sw_mem_read32(c->ap, CM_DEMCR, &demcr)))
		return r;
	if ((demcr & DEMCR_VC_ALL) == c->vc_at_attach)
		return SW_OK;
	return sw_mem_write32(c->ap, CM_DEMCR, (demcr & ~DEMCR_VC_ALL) | c->vc_at_attach);
}

void sw_core_free(struct sw_core *c)
{
	free(c);
}

const struct sw_core_info *sw_core_get_info(const struct sw_core *c)
{
	return &c->info;
}

sw_ap *sw_core_ap(const struct sw_core *c)
{
	return c->ap;
}

static int wait_halt(struct sw_core *c, const char *what)
{
	uint32_t dhcsr = 0;
	int r;

	for (unsigned i = 0; i < CM_POLLS; i++) {
		if ((r = sw_mem_read32(c->ap, CM_DHCSR, &dhcsr)))
			return r;
		if (dhcsr & DHCSR_S_HALT) {
			c->halted = true;
			return SW_OK;
		}
	}
	return sw_fail(c->ctx, SW_ERR_TIMEOUT, "%s: core did not halt (DHCSR 0x%08x)", what, dhcsr);
}

int sw_core_halt(struct sw_core *c)
{
	int r = sw_mem_write32(c->ap, CM_DHCSR, DHCSR_DBGKEY | DHCSR_C_DEBUGEN | DHCSR_C_HALT);

	return r ? r : wait_halt(c, "halt");
}

int sw_core_resume(struct sw_core *c)
{
	int r;

	cm_invalidate_regs(c);
	/* Clear DFSR so the next halt's reason is unambiguous (W1C, C1.6.1). */
	if ((r = cm_queue_icache_sync(c)) || (r = sw_mem_queue_write32(c->ap, CM_DFSR, 0x1Fu)) ||
	    (r = sw_mem_queue_write32(c->ap, CM_DHCSR, DHCSR_DBGKEY | DHCSR_C_DEBUGEN)) ||
	    (r = sw_dap_run(sw_ap_dap(c->ap))))
		return sw_fail(c->ctx, r, "resume: %s", sw_errmsg(c->ctx));
	c->code_changed = false;
	c->halted = false;
	return SW_OK;
}

/* The registers a stop reply expedites (SP, LR, PC) and xPSR for IPSR. */
static const unsigned stop_regs[] = {SW_REG_SP, SW_REG_LR, SW_REG_PC, SW_REG_XPSR};

/* Queue one step: set MASKINTS while halted (it may only change in debug
 * state, C1.6.3), step, read DHCSR, drop back to plain halt. The final
 * write halts the core even if the step had not finished. */
static int queue_step(struct sw_core *c, bool mask_irq, uint32_t *dhcsr)
{
	uint32_t mask = mask_irq ? DHCSR_C_MASKINTS : 0;
	uint32_t base = DHCSR_DBGKEY | DHCSR_C_DEBUGEN;
	int r;

	if ((r = cm_queue_icache_sync(c)) || (r = sw_mem_queue_write32(c->ap, CM_DFSR, 0x1Fu)) ||
	    (r = sw_mem_queue_write32(c->ap, CM_DHCSR, base | DHCSR_C_HALT | mask)) ||
	    (r = sw_mem_queue_write32(c->ap, CM_DHCSR, base | DHCSR_C_STEP | mask)) ||
	    (r = sw_mem_queue_read32(c->ap, CM_DHCSR, dhcsr)))
		return r;
	return sw_mem_queue_write32(c->ap, CM_DHCSR, base | DHCSR_C_HALT);
}

/* The core is back in Debug state a core clock cycle or more after
 * C_STEP (C1.6.2: S_HALT is set on entry to Debug state); on a slow core
 * (an H743 on CSI/512: 128 us a cycle) the DHCSR read in the step's batch
 * still shows it out. Poll S_HALT then instead of trusting the step: a
 * stop reply built on that read would tell gdb the target runs. */
static int step_wait_halt(struct sw_core *c, uint32_t *dhcsr)
{
	int r;

	for (unsigned i = 0; i < CM_POLLS && !(*dhcsr & DHCSR_S_HALT); i++) {
		if ((r = sw_mem_read32(c->ap, CM_DHCSR, dhcsr)))
			return r;
		cm_note_dhcsr(c, *dhcsr);
	}
	if (!(*dhcsr & DHCSR_S_HALT))
		return sw_fail(c->ctx, SW_ERR_TIMEOUT, "step: the core did not halt after the step (DHCSR 0x%08x)",
			       *dhcsr);
	return SW_OK;
}

/* The batch's last write (C_HALT, C_MASKINTS clear) reached a core still
 * stepping when the DHCSR read before it showed S_HALT clear: a
 * C_MASKINTS change outside Debug state is UNPREDICTABLE (C1.6.2), so
 * clear it again now that the core is halted. */
static int step_unmask(struct sw_core *c, bool mask_irq, uint32_t step_dhcsr)
{
	if (!mask_irq || (step_dhcsr & DHCSR_S_HALT))
		return SW_OK;
	return sw_mem_write32(c->ap, CM_DHCSR, DHCSR_DBGKEY | DHCSR_C_DEBUGEN | DHCSR_C_HALT);
}

/* One round trip (more while the step has not finished). */
int sw_core_step(struct sw_core *c, bool mask_irq)
{
	uint32_t dhcsr = 0;
	int r;

	if (!c->halted)
		return sw_fail(c->ctx, SW_ERR_TARGET_STATE, "step: core is running");
	cm_invalidate_regs(c);
	if ((r = queue_step(c, mask_irq, &dhcsr)) || (r = sw_dap_run(sw_ap_dap(c->ap))))
		return sw_fail(c->ctx, r, "step: %s", sw_errmsg(c->ctx));
	c->code_changed = false;
	cm_note_dhcsr(c, dhcsr);
	uint32_t step_dhcsr = dhcsr;
	if ((r = step_wait_halt(c, &dhcsr)))
		return r;
	if ((r = step_unmask(c, mask_irq, step_dhcsr)))
		return r;
	c->halted = true;
	return SW_OK;
}

static enum sw_halt_reason decode_dfsr(uint32_t dfsr)
{
	if (dfsr & DFSR_BKPT)
		return SW_HALT_BREAKPOINT;
	if (dfsr & DFSR_DWTTRAP)
		return SW_HALT_WATCHPOINT;
	if (dfsr & DFSR_VCATCH)
		return SW_HALT_VCATCH;
	if (dfsr & DFSR_EXTERNAL)
		return SW_HALT_EXTERNAL;
	if (dfsr & DFSR_HALTED)
		return SW_HALT_REQUEST;
	return SW_HALT_UNKNOWN;
}

/* Cortex-M7 erratum 3092511: when a breakpoint and an exception coincide
 * the core may halt with DFSR.BKPT at a PC that holds no breakpoint. A BKPT
 * halt at a PC that is neither one of our breakpoints nor a BKPT
 * instruction (0xBExx, ARMv7-M ARM A7.7.17) is taken as spurious and the
 * core is resumed, as OpenOCD does (reference/targets.md §0). */
static bool spurious_bkpt(struct sw_core *c, uint32_t dfsr, uint32_t pc)
{
	uint8_t insn[2];

	if (((c->info.cpuid >> 4) & 0xFFFu) != CM_CPUID_PARTNO_M7 || (dfsr & 0x1Fu) != DFSR_BKPT ||
	    cm_bp_known(c, pc))
		return false;
	/* Halting again and again at one PC is no erratum (e.g. a comparator
	 * set behind our back): report it rather than resume forever. */
	c->spurious_count = c->spurious_pc == pc ? c->spurious_count + 1 : 1;
	c->spurious_pc = pc;
	if (c->spurious_count >= CM_SPURIOUS_MAX) {
		c->spurious_count = 0;
		return false;
	}
	if (sw_mem_read(c->ap, pc, insn, 2)) {
		sw_clear_err(c->ctx);
		return false; /* cannot tell: report the halt */
	}
	return insn[1] != 0xBE;
}

/* A halt: PC/IPSR; when new also the watchpoint and erratum checks. Leaves
 * st->halted false when the halt was spurious and the core was resumed. */
static int on_halt(struct sw_core *c, struct sw_core_state *st, bool fresh)
{
	/* SP and LR come along: a stop reply expedites them (one round trip). */
	uint64_t v[4];
	int r;

	if (fresh) {
		cm_invalidate_regs(c);
		if (st->reason == SW_HALT_WATCHPOINT && cm_watch_hit(c, &st->watch_addr, &st->watch_kind))
			sw_clear_err(c->ctx); /* reported as a plain stop when no comparator matched */
	}
	if (sw_core_regs_read(c, stop_regs, 4, v)) {
		sw_clear_err(c->ctx); /* the stop itself is still worth reporting */
		return SW_OK;
	}
	st->pc = (uint32_t)v[2];
	st->ipsr = (unsigned)(v[3] & 0x1FFu);
	/* A fault vector catch halts on the handler's first instruction (IPSR =
	 * the exception); only the reset catch halts in thread mode (C1.6.5). */
	if (st->reason == SW_HALT_VCATCH && st->ipsr == 0)
		st->reason = SW_HALT_RESET;
	if (!fresh || !spurious_bkpt(c, st->dfsr, st->pc)) {
		if (fresh)
			c->spurious_count = 0;
		return SW_OK;
	}
	SW_LOG_I(c->ctx, "core: breakpoint halt at 0x%08x matches no breakpoint (Cortex-M7 erratum "
		 "3092511): resuming", st->pc);
	if ((r = sw_core_resume(c)))
		return r;
	st->halted = false;
	st->reason = SW_HALT_RUNNING;
	st->pc = 0;
	st->ipsr = 0;
	return SW_OK;
}

/* The run state DHCSR and DFSR tell (registers are filled by on_halt). */
static void decode_state(struct sw_core *c, struct sw_core_state *st, uint32_t dhcsr, uint32_t dfsr)
{
	st->halted = (dhcsr & DHCSR_S_HALT) != 0;
	st->in_reset = (dhcsr & DHCSR_S_RESET_ST) != 0 || c->reset_latched;
	c->reset_latched = false;
	st->locked_up = (dhcsr & DHCSR_S_LOCKUP) != 0;
	st->dfsr = dfsr;
	st->reason = st->halted ? decode_dfsr(dfsr) : st->locked_up ? SW_HALT_LOCKUP : SW_HALT_RUNNING;
	st->pc = 0;
	st->ipsr = 0;
	st->watch_addr = 0;
	st->watch_kind = 0;
}

int sw_core_poll(struct sw_core *c, struct sw_core_state *st)
{
	uint32_t dhcsr = 0, dfsr = 0;
	bool fresh;
	int r;

	if ((r = sw_mem_queue_read32(c->ap, CM_DHCSR, &dhcsr)) ||
	    (r = sw_mem_queue_read32(c->ap, CM_DFSR, &dfsr)) || (r = sw_dap_run(sw_ap_dap(c->ap))))
		return sw_fail(c->ctx, r, "poll: %s", sw_errmsg(c->ctx));
	decode_state(c, st, dhcsr, dfsr);
	fresh = st->halted && !c->halted;
	c->halted = st->halted;
	return st->halted ? on_halt(c, st, fresh) : SW_OK;
}

/* A step and its stop state in one round trip (issue #20): the step, DFSR,
 * DHCSR after the final halt and the stop reply's registers all go into
 * one batch; S_REGRDY is checked per register afterwards (C1.6.3), and a
 * register that was not ready is read again with polling. */
int sw_core_step_poll(struct sw_core *c, bool mask_irq, struct sw_core_state *st)
{
	uint32_t step_dhcsr = 0, dhcsr = 0, dfsr = 0;
	struct cm_regq q;
	int r;

	if (!c->halted)
		return sw_fail(c->ctx, SW_ERR_TARGET_STATE, "step: core is running");
	cm_invalidate_regs(c);
	if ((r = queue_step(c, mask_irq, &step_dhcsr)) || (r = sw_mem_queue_read32(c->ap, CM_DHCSR, &dhcsr)) ||
	    (r = sw_mem_queue_read32(c->ap, CM_DFSR, &dfsr)) ||
	    (r = cm_regs_queue(c, stop_regs, 4, &q)) || (r = sw_dap_run(sw_ap_dap(c->ap))))
		return sw_fail(c->ctx, r, "step: %s", sw_errmsg(c->ctx));
	c->code_changed = false;
	/* A slow core may not have finished the step when the batch read
	 * DHCSR: wait for S_HALT, then read DFSR again; the batch's register
	 * reads ran outside Debug state and are not used (on_halt reads). */
	bool late = !(dhcsr & DHCSR_S_HALT);
	cm_note_dhcsr(c, step_dhcsr);
	cm_note_dhcsr(c, dhcsr);
	if (late && ((r = step_wait_halt(c, &dhcsr)) || (r = sw_mem_read32(c->ap, CM_DFSR, &dfsr))))
		return r;
	if ((dhcsr & DHCSR_S_HALT) && (r = step_unmask(c, mask_irq, step_dhcsr)))
		return r;
	decode_state(c, st, dhcsr, dfsr);
	/* S_RESET_ST is cleared by reading DHCSR (C1.6.2): either read counts. */
	st->in_reset |= (step_dhcsr & DHCSR_S_RESET_ST) != 0;
	c->halted = st->halted;
	if (!st->halted)
		return SW_OK;
	if (!late && (r = cm_regs_queued_done(c, &q)))
		sw_clear_err(c->ctx); /* on_halt reads them again */
	return on_halt(c, st, false);
}

static int reset_request(struct sw_core *c, enum sw_reset_kind kind)
{
	struct sw_probe *probe = sw_dap_probe(sw_ap_dap(c->ap));
	int r = SW_OK;

	switch (kind) {
	case SW_RESET_SYSTEM:
		r = sw_mem_write32(c->ap, CM_AIRCR, AIRCR_VECTKEY | AIRCR_SYSRESETREQ);
		break;
	case SW_RESET_CORE:
		r = sw_mem_write32(c->ap, CM_AIRCR, AIRCR_VECTKEY | AIRCR_VECTRESET);
		break;
	case SW_RESET_PIN:
		if ((r = sw_probe_set_nrst(probe, true)))
			return r; /* the probe cannot drive nRST: say so */
		r = sw_probe_set_nrst(probe, false);
		break;
	}
	/* The write that resets may not get its ACK back from a bus in reset;
	 * what counts is that S_RESET_ST shows up afterwards. */
	if (r && kind != SW_RESET_PIN) {
		sw_clear_err(c->ctx);
		r = SW_OK;
	}
	return r;
}

/* S_RESET_ST is sticky and clears on read (C1.6.2), so remember seeing it;
 * with halt_after also wait for the reset-vector catch to halt the core. */
static int reset_wait(struct sw_core *c, bool halt_after, uint32_t *dhcsr)
{
	bool seen = false;

	for (unsigned i = 0; i < CM_POLLS; i++) {
		if (sw_mem_read32(c->ap, CM_DHCSR, dhcsr)) {
			sw_clear_err(c->ctx); /* the AP may not answer during reset */
			continue;
		}
		seen |= (*dhcsr & DHCSR_S_RESET_ST) != 0;
		if (seen && (!halt_after || (*dhcsr & DHCSR_S_HALT)))
			return SW_OK;
	}
	if (!seen)
		return sw_fail(c->ctx, SW_ERR_TIMEOUT, "reset: the core did not reset (DHCSR 0x%08x)", *dhcsr);
	return sw_fail(c->ctx, SW_ERR_TIMEOUT, "reset halt: no halt at the reset vector (DHCSR 0x%08x)",
		       *dhcsr);
}

/* Some chips wire the debug connector's reset to a power-on reset of the
 * whole chip (i.MX RT106x: POR_B), so after it the SWJ-DP is back in JTAG
 * and powered down and C_DEBUGEN, DEMCR, FPB and DWT are cleared (ARMv7-M
 * C1.6: the debug logic resets only at power-on). Reconnect and enable
 * debug again; the core has run meanwhile, so "reset halt" halts where it
 * got to, and comparators are gone. Returns 1 when the debug logic kept
 * its state (the normal case: go on waiting for S_RESET_ST). */
static int pin_reset_reconnect(struct sw_core *c, bool halt_after, uint32_t demcr, uint32_t *dhcsr)
{
	sw_dap *dap = sw_ap_dap(c->ap);
	uint32_t cs = 0;
	int r;

	/* A DP register read leaves DHCSR.S_RESET_ST for reset_wait. */
	if (!sw_dp_read(dap, SW_DP_CTRL_STAT, &cs) && (cs & SW_DP_CTRL_CDBGPWRUPACK))
		return 1;
	sw_clear_err(c->ctx);
	if ((r = sw_dap_connect(dap, 0)))
		return sw_fail(c->ctx, r, "reset pin: the debug port did not come back: %s", sw_errmsg(c->ctx));
	if ((r = sw_mem_write32(c->ap, CM_DHCSR,
				DHCSR_DBGKEY | DHCSR_C_DEBUGEN | (halt_after ? DHCSR_C_HALT : 0u))) ||
	    (r = sw_mem_write32(c->ap, CM_DEMCR, demcr | DEMCR_TRCENA)) ||
	    (r = sw_mem_read32(c->ap, CM_DHCSR, dhcsr)))
		return r;
	SW_LOG_W(c->ctx, "reset pin also reset the debug logic: reconnected%s; hardware breakpoints and "
		 "watchpoints were cleared", halt_after ? ", halted after the reset (not at the reset vector)" : "");
	c->fpb_enabled = false;
	c->halted = (*dhcsr & DHCSR_S_HALT) != 0;
	c->reset_latched = false;
	return SW_OK;
}

/* Reset (ARMv7-M B3.2.6 AIRCR; C1.6.5 DEMCR.VC_CORERESET). "reset halt"
 * catches the reset vector; DEMCR is put back as it was afterwards so a
 * user's vector catch setting survives. */
int sw_core_reset(struct sw_core *c, enum sw_reset_kind kind, bool halt_after)
{
	uint32_t orig = 0, want, dhcsr = 0;
	int r;

	if (kind == SW_RESET_CORE && c->info.arch != 7)
		return sw_fail(c->ctx, SW_ERR_NOT_SUPPORTED,
			       "reset: VECTRESET exists only on ARMv7-M; use a system reset");
	if ((r = sw_mem_read32(c->ap, CM_DEMCR, &orig)))
		return r;
	want = (halt_after ? orig | DEMCR_VC_CORERESET : orig & ~DEMCR_VC_CORERESET) | DEMCR_TRCENA;
	if ((r = sw_mem_write32(c->ap, CM_DEMCR, want)) ||
	    (r = sw_mem_read32(c->ap, CM_DHCSR, &dhcsr))) /* clears a stale S_RESET_ST */
		return r;
	/* DHCSR survives the reset (ARMv7-M C1.6.3): a halted core stays
	 * halted unless C_HALT is cleared first (as OpenOCD's
	 * cortex_m_assert_reset does for "reset run"). */
	if (!halt_after && (dhcsr & DHCSR_C_HALT) &&
	    (r = sw_mem_write32(c->ap, CM_DHCSR, DHCSR_DBGKEY | DHCSR_C_DEBUGEN)))
		return r;
	cm_invalidate_regs(c);
	if ((r = reset_request(c, kind)))
		return r;
	if (kind == SW_RESET_PIN && (r = pin_reset_reconnect(c, halt_after, orig, &dhcsr)) != 1)
		return r;
	if ((r = reset_wait(c, halt_after, &dhcsr)))
		return r;
	c->halted = (dhcsr & DHCSR_S_HALT) != 0;
	c->reset_latched = false; /* this reset was asked for */
	if (want != (orig | DEMCR_TRCENA))
		r = sw_mem_write32(c->ap, CM_DEMCR, orig | DEMCR_TRCENA);
	return r;
}

bool sw_core_take_reset(struct sw_core *c)
{
	bool seen = c->reset_latched;

	c->reset_latched = false;
	return seen;
}

/* DEMCR vector catch bits (ARMv7-M C1.6.5). */
int sw_core_vector_catch(struct sw_core *c, uint32_t mask, bool on)
{
	uint32_t demcr = 0;
	int r = sw_mem_read32(c->ap, CM_DEMCR, &demcr);

	if (r)
		return r;
	demcr = on ? demcr | mask : demcr & ~mask;
	return sw_mem_write32(c->ap, CM_DEMCR, demcr | DEMCR_TRCENA);
}

int sw_core_vector_catch_get(struct sw_core *c, uint32_t *mask)
{
	uint32_t demcr = 0;
	int r = sw_mem_read32(c->ap, CM_DEMCR, &demcr);

	*mask = demcr & DEMCR_VC_ALL;
	return r;
}

int sw_core_mem_read(struct sw_core *c, uint32_t addr, void *buf, size_t len)
{
	return sw_mem_read(c->ap, addr, buf, len);
}

int sw_core_mem_write(struct sw_core *c, uint32_t addr, const void *buf, size_t len)
{
	/* Memory the core can fetch and cache instructions from (ARMv7-M ARM
	 * B3.1 default map: Code, SRAM, the two RAM regions; not peripherals,
	 * devices or the PPB). Even a failed write may have changed some. */
	if (addr < 0x40000000u || addr - 0x60000000u < 0x40000000u)
		sw_core_code_changed(c);
	return sw_mem_write(c->ap, addr, buf, len);
}
