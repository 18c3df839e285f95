/* Exception entry, return and fault escalation of the simulated core.
 * Once a UC_HOOK_INTR is installed Unicorn hands M-profile exceptions to it
 * instead of running QEMU's own v7M entry code, it reports UDF and an
 * EPSR.T = 0 execution as UC_ERR_INSN_INVALID, and unmapped accesses through
 * memory hooks. This file implements what the architecture does in those
 * cases: ARMv7-M ARM B1.5.6 (entry), B1.5.7 (EXC_RETURN), B1.5.8 (return),
 * B1.5.14 (escalation to HardFault), B1.5.15 (lockup), C1.6.5 (vector
 * catch), with the FP extended frame; priorities and pending interrupts
 * are sim_nvic.c's. */
#include "sim/sim_core_priv.h"

/* QEMU exception numbers seen by UC_HOOK_INTR (qemu target/arm/cpu.h). */
#define EXCP_SWI 2
#define EXCP_PREFETCH_ABORT 3
#define EXCP_DATA_ABORT 4
#define EXCP_BKPT 7
#define EXCP_EXCEPTION_EXIT 8
#define EXCP_NOCP 17
#define EXCP_INVSTATE 18
#define EXCP_STKOF 19
#define EXCP_UNALIGNED 22
#define EXCP_DIVBYZERO 23

#define CFSR_IMPRECISERR (1u << 10)
#define CFSR_STKOF (1u << 20)
#define CFSR_DIVBYZERO (1u << 25)
#define XPSR_T (1u << 24)
#define XPSR_ALIGN (1u << 9) /* stacked xPSR: frame was realigned (B1.5.7) */
#define CONTROL_SPSEL 2u
#define CONTROL_FPCA 4u
#define FRAME_EXT_WORDS 26 /* R0-R3, R12, LR, PC, xPSR, S0-S15, FPSCR, reserved */

static uint32_t mem32(struct sim_core *c, uint32_t addr)
{
	uint32_t v = 0;

	if (sim_bus_read(c->bus, addr, 4, &v))
		return 0;
	return v;
}

/* DEMCR vector-catch bit for an exception entry (ARMv7-M C1.6.5); the
 * UsageFault catch depends on its cause. VC_INTERR has no source here. */
static uint32_t vector_catch_bit(const struct sim_core *c, unsigned num)
{
	switch (num) {
	case EXC_HARDFAULT: return DEMCR_VC_HARDERR;
	case EXC_MEMMANAGE: return DEMCR_VC_MMERR;
	case EXC_BUSFAULT: return DEMCR_VC_BUSERR;
	case EXC_USAGEFAULT:
		if (c->cfsr & CFSR_NOCP)
			return DEMCR_VC_NOCPERR;
		if (c->cfsr & (CFSR_UNDEFINSTR | CFSR_INVSTATE))
			return DEMCR_VC_STATERR;
		return DEMCR_VC_CHKERR;
	default: return 0;
	}
}

/* B1.5.15: the core stops executing; the run loop sets PC to 0xFFFFFFFE
 * once Unicorn has returned (a PC write inside a hook makes Unicorn carry
 * on, cancelling uc_emu_stop). */
static void lockup(struct sim_core *c)
{
	c->lockup = true;
	c->stop_request = true;
	uc_emu_stop(c->uc);
}

/* Push the exception frame on the current stack (B1.5.6 PushStack): the
 * basic frame, or with CONTROL.FPCA the extended one with S0-S15 and
 * FPSCR. FPCCR.LSPEN's lazy preservation is done eagerly [simplified:
 * the registers are written at entry, LSPACT is never set]. */
static uint32_t push_frame(struct sim_core *c, uint32_t sp, uint32_t ret_pc, uint32_t xpsr, bool fp)
{
	static const int regs[6] = {UC_ARM_REG_R0, UC_ARM_REG_R1, UC_ARM_REG_R2,
				    UC_ARM_REG_R3, UC_ARM_REG_R12, UC_ARM_REG_LR};
	uint32_t frame[FRAME_EXT_WORDS] = {0};
	unsigned words = fp ? FRAME_EXT_WORDS : 8;

	for (unsigned i = 0; i < 6; i++)
		frame[i] = sim_core_rd(c, regs[i]);
	frame[6] = ret_pc & ~1u;
	frame[7] = xpsr & ~XPSR_ALIGN;
	if (fp) {
		for (unsigned i = 0; i < 16; i++)
			frame[8 + i] = sim_core_rd(c, UC_ARM_REG_S0 + (int)i);
		frame[24] = sim_core_rd(c, UC_ARM_REG_FPSCR);
	}
	if ((c->ccr & (1u << 9)) && (sp & 4u)) { /* CCR.STKALIGN */
		sp -= 4;
		frame[7] |= XPSR_ALIGN;
	}
	sp -= 4 * words;
	for (unsigned i = 0; i < words; i++)
		sim_bus_write(c->bus, sp + 4 * i, 4, frame[i]);
	if (fp)
		c->fpcar = sp + 0x20u;
	return sp;
}

static void exception_entry(struct sim_core *c, unsigned num, uint32_t ret_pc)
{
	uint32_t xpsr = sim_core_rd(c, UC_ARM_REG_XPSR);
	uint32_t control = sim_core_rd(c, UC_ARM_REG_CONTROL);
	unsigned active = xpsr & 0x1FFu;
	bool psp = !active && (control & CONTROL_SPSEL);
	bool fp = c->cfg.fpu && (control & CONTROL_FPCA);
	uint32_t sp = psp ? sim_core_rd(c, UC_ARM_REG_PSP) : sim_core_rd(c, UC_ARM_REG_MSP);
	uint32_t exc_return;

	if (num == EXC_HARDFAULT && sim_nvic_exec_priority(c, true) <= -1) {
		lockup(c); /* a fault at HardFault or NMI priority, or with FAULTMASK (B1.5.15) */
		return;
	}
	sp = push_frame(c, sp, ret_pc, xpsr, fp);
	/* Still in thread mode: store the new stack pointer and select MSP
	 * (sim_core_wr steps around QEMU's privilege and SPSEL rules), then
	 * enter handler mode with IPSR = num. */
	if (psp) {
		sim_core_wr(c, UC_ARM_REG_PSP, sp);
		sim_core_wr(c, UC_ARM_REG_CONTROL, control & ~(CONTROL_SPSEL | CONTROL_FPCA));
	} else {
		sim_core_wr(c, UC_ARM_REG_MSP, sp);
		if (fp)
			sim_core_wr(c, UC_ARM_REG_CONTROL, control & ~CONTROL_FPCA);
	}
	sim_core_wr(c, UC_ARM_REG_XPSR_NZCVQG, (xpsr & 0xF80F0000u) | XPSR_T | num);
	/* EXC_RETURN (B1.5.8): bit 4 clear for the extended frame. */
	exc_return = active ? 0xFFFFFFF1u : psp ? 0xFFFFFFFDu : 0xFFFFFFF9u;
	sim_core_wr(c, UC_ARM_REG_LR, fp ? exc_return & ~0x10u : exc_return);
	sim_core_set_pc(c, mem32(c, c->vtor + 4 * num));
	sim_nvic_activate(c, num);
	c->stop_request = true;
	c->sleeping = false;
	if ((c->demcr & vector_catch_bit(c, num)) && (c->dhcsr_ctrl & DHCSR_C_DEBUGEN))
		sim_core_enter_halt(c, DFSR_VCATCH); /* on the handler's first instruction */
}

void sim_core_exception_entry(struct sim_core *c, unsigned num, uint32_t ret_pc)
{
	exception_entry(c, num, ret_pc);
}

/* Exception return (B1.5.8) from an EXC_RETURN value: 0xFFFFFFx1 handler,
 * 0xFFFFFFx9 thread/MSP, 0xFFFFFFxD thread/PSP, x = F for the basic frame
 * and E for the extended (FP) one; anything else is an INVPC UsageFault.
 * The returning exception is deactivated; a pending one that can preempt
 * is taken before the next instruction, which leaves memory and registers
 * as tail-chaining does (B1.5.12). */
static void exception_return(struct sim_core *c, uint32_t exc_return)
{
	static const int regs[6] = {UC_ARM_REG_R0, UC_ARM_REG_R1, UC_ARM_REG_R2,
				    UC_ARM_REG_R3, UC_ARM_REG_R12, UC_ARM_REG_LR};
	uint32_t low = exc_return & 0xFu, sp, f[FRAME_EXT_WORDS];
	bool to_psp = low == 0xDu, fp = !(exc_return & 0x10u);
	unsigned words = fp ? FRAME_EXT_WORDS : 8;
	uint32_t ipsr = sim_core_rd(c, UC_ARM_REG_IPSR) & 0x1FFu;

	if ((low != 0x1u && low != 0x9u && low != 0xDu) || (exc_return | 0x1Fu) != 0xFFFFFFFFu ||
	    (fp && !c->cfg.fpu)) {
		sim_core_take_fault(c, EXC_USAGEFAULT, 1u << 18, exc_return); /* INVPC */
		return;
	}
	sp = to_psp ? sim_core_rd(c, UC_ARM_REG_PSP) : sim_core_rd(c, UC_ARM_REG_MSP);
	for (unsigned i = 0; i < words; i++)
		f[i] = mem32(c, sp + 4 * i);
	sp += 4 * words + ((f[7] & XPSR_ALIGN) ? 4u : 0u);
	sim_nvic_deactivate(c, ipsr);
	/* Back to the mode in the frame first, so that selecting PSP below
	 * switches the active stack pointer as in thread mode. */
	sim_core_wr(c, UC_ARM_REG_XPSR_NZCVQG, f[7] & ~XPSR_ALIGN);
	uint32_t control = sim_core_rd(c, UC_ARM_REG_CONTROL) & ~(CONTROL_FPCA | CONTROL_SPSEL);
	if (fp)
		control |= CONTROL_FPCA;
	if (to_psp) {
		sim_core_wr(c, UC_ARM_REG_CONTROL, control | CONTROL_SPSEL);
		sim_core_wr(c, UC_ARM_REG_PSP, sp);
	} else {
		sim_core_wr(c, UC_ARM_REG_CONTROL, control);
		sim_core_wr(c, UC_ARM_REG_MSP, sp);
	}
	for (unsigned i = 0; i < 6; i++)
		sim_core_wr(c, regs[i], f[i]);
	if (fp) {
		for (unsigned i = 0; i < 16; i++)
			sim_core_wr(c, UC_ARM_REG_S0 + (int)i, f[8 + i]);
		sim_core_wr(c, UC_ARM_REG_FPSCR, f[24]);
	}
	sim_core_set_pc(c, f[6]);
	c->event_reg = true; /* an exception return is a WFE wake-up event (B1.5.18) */
	c->stop_request = true;
}

/* Take a synchronous fault (B1.5.14): MemManage, BusFault and UsageFault
 * are off out of reset (SHCSR.*ENA); disabled, or without the priority to
 * preempt (the handler itself, PRIMASK, BASEPRI), they escalate to
 * HardFault with HFSR.FORCED. */
void sim_core_take_fault(struct sim_core *c, unsigned num, uint32_t cfsr_bits, uint32_t ret_pc)
{
	c->cfsr |= cfsr_bits;
	if (num >= EXC_MEMMANAGE && num <= EXC_USAGEFAULT &&
	    (!sim_nvic_fault_enabled(c, num) || !sim_nvic_can_preempt(c, num))) {
		c->hfsr |= HFSR_FORCED;
		num = EXC_HARDFAULT;
	}
	exception_entry(c, num, ret_pc);
}

/* BKPT (C1.4): halt when debug is enabled, else DebugMonitor if enabled,
 * else HardFault with HFSR.DEBUGEVT. */
static void bkpt(struct sim_core *c, uint32_t pc)
{
	if (c->dhcsr_ctrl & DHCSR_C_DEBUGEN) {
		sim_core_enter_halt(c, DFSR_BKPT); /* PC stays on the BKPT */
		return;
	}
	c->dfsr |= DFSR_BKPT;
	if (c->demcr & DEMCR_MON_EN) {
		exception_entry(c, EXC_DEBUGMON, pc);
		return;
	}
	c->hfsr |= HFSR_DEBUGEVT;
	exception_entry(c, EXC_HARDFAULT, pc);
}

static void on_intr(uc_engine *uc, uint32_t intno, void *user)
{
	struct sim_core *c = user;
	uint32_t pc = sim_core_rd(c, UC_ARM_REG_PC);
	bool handler = (sim_core_rd(c, UC_ARM_REG_XPSR) & 0x1FFu) != 0;

	if (c->lockup || c->halted) {
		uc_emu_stop(uc); /* already stopping: take nothing more */
		return;
	}
	switch (intno) {
	case EXCP_BKPT: bkpt(c, pc); break;
	case EXCP_SWI: exception_entry(c, EXC_SVCALL, pc); break; /* PC is past the SVC */
	case EXCP_EXCEPTION_EXIT:
		/* QEMU raises this for a branch to 0xFFFFFFxx; only in handler
		 * mode is it a return. In thread mode the fetch from the XN
		 * system region is a MemManage fault (B3.1 default map). */
		if (handler)
			exception_return(c, pc | 1u);
		else
			sim_core_take_fault(c, EXC_MEMMANAGE, CFSR_IACCVIOL, pc);
		break;
	case EXCP_PREFETCH_ABORT: sim_core_take_fault(c, EXC_BUSFAULT, CFSR_IBUSERR, pc); break;
	case EXCP_DATA_ABORT: sim_core_take_fault(c, EXC_BUSFAULT, CFSR_PRECISERR, pc); break;
	case EXCP_NOCP: sim_core_take_fault(c, EXC_USAGEFAULT, CFSR_NOCP, pc); break;
	case EXCP_INVSTATE: sim_core_take_fault(c, EXC_USAGEFAULT, CFSR_INVSTATE, pc); break;
	case EXCP_STKOF: sim_core_take_fault(c, EXC_USAGEFAULT, CFSR_STKOF, pc); break;
	case EXCP_UNALIGNED: sim_core_take_fault(c, EXC_USAGEFAULT, CFSR_UNALIGNED, pc); break;
	case EXCP_DIVBYZERO: sim_core_take_fault(c, EXC_USAGEFAULT, CFSR_DIVBYZERO, pc); break;
	default: sim_core_take_fault(c, EXC_HARDFAULT, 0, pc); break;
	}
	/* If PC changed, Unicorn continues there (see lockup()); the budget
	 * hook stops it at the next instruction because stop_request is set. */
	uc_emu_stop(uc);
}

/* Unmapped data access: a precise bus error, taken once uc returns with PC
 * on the faulting instruction. Fetches arrive as EXCP_PREFETCH_ABORT. */
static bool on_unmapped(uc_engine *uc, uc_mem_type type, uint64_t addr, int size, int64_t value,
			void *user)
{
	struct sim_core *c = user;

	(void)uc, (void)type, (void)size, (void)value;
	c->fault_pending = SIM_BUSERR_PRECISE;
	c->fault_addr = (uint32_t)addr;
	if (c->cfg.unmodelled && !sim_bus_find(c->bus, (uint32_t)addr)) /* not a gated window */
		c->cfg.unmodelled(c->cfg.chip, (uint32_t)addr);
	return false;
}

/* After uc_emu_start: turn what Unicorn reported into the architectural
 * exception (the PC is on the instruction that faulted). */
void sim_core_after_run(struct sim_core *c, uc_err e)
{
	uint32_t pc = sim_core_rd(c, UC_ARM_REG_PC);

	if (c->fault_pending == SIM_BUSERR_PRECISE) {
		c->fault_pending = SIM_BUSERR_NONE;
		c->bfar = c->fault_addr;
		sim_core_take_fault(c, EXC_BUSFAULT, CFSR_PRECISERR | CFSR_BFARVALID, pc);
	} else if (c->fault_pending == SIM_BUSERR_LOAD) {
		c->fault_pending = SIM_BUSERR_NONE;
		c->bfar = c->fault_addr;
		sim_core_take_fault(c, EXC_BUSFAULT, CFSR_PRECISERR | CFSR_BFARVALID, c->insn_pc);
	} else if (c->fault_pending == SIM_BUSERR_IMPRECISE) {
		/* Reported at the next instruction boundary; no BFAR (B3.2.15). */
		c->fault_pending = SIM_BUSERR_NONE;
		sim_core_take_fault(c, EXC_BUSFAULT, CFSR_IMPRECISERR, pc);
	} else if (e == UC_ERR_INSN_INVALID || e == UC_ERR_EXCEPTION) {
		/* UDF, an unallocated encoding, or execution with EPSR.T = 0;
		 * a double-precision VFP instruction is executed here. */
		bool thumb = (sim_core_rd(c, UC_ARM_REG_XPSR) & XPSR_T) != 0;
		int dp = thumb ? sim_core_vfp_trap(c, pc) : 0;
		if (dp < 0)
			sim_core_take_fault(c, EXC_USAGEFAULT, CFSR_NOCP, pc);
		else if (!dp)
			sim_core_take_fault(c, EXC_USAGEFAULT,
					    thumb ? CFSR_UNDEFINSTR : CFSR_INVSTATE, pc);
	} else if (e != UC_ERR_OK && !c->stop_request) {
		sim_core_take_fault(c, EXC_HARDFAULT, 0, pc);
	}
}

int sim_core_exc_hooks(struct sim_core *c)
{
	if (uc_hook_add(c->uc, &c->intr_hook, UC_HOOK_INTR, (void *)on_intr, c, 1, 0) ||
	    uc_hook_add(c->uc, &c->unmapped_hook,
			UC_HOOK_MEM_UNMAPPED | UC_HOOK_MEM_READ_PROT | UC_HOOK_MEM_FETCH_PROT,
			(void *)on_unmapped, c, 1, 0))
		return sw_fail(c->ctx, SW_ERR_IO, "sim core: cannot install exception hooks");
	return SW_OK;
}
