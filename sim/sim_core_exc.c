/* Exception entry, return and fault escalation of the simulated core.
 * Once a UC_HOOK_INTR is installed Unicorn hands M-profile exceptions to it
 * instead of running QEMU's own v7M entry code, it reports UDF and an
 * EPSR.T = 0 execution as UC_ERR_INSN_INVALID, and unmapped accesses through
 * memory hooks. This file implements what the architecture does in those
 * cases: ARMv7-M ARM B1.5.6 (entry), B1.5.7 (EXC_RETURN), B1.5.8 (return),
 * B1.5.14 (escalation to HardFault), B1.5.15 (lockup), C1.6.5 (vector
 * catch). Not modelled: the FP extended frame, interrupts and priorities
 * beyond "a fault in HardFault locks up". */
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

/* Push the basic frame on the current stack (B1.5.6 PushStack). */
static uint32_t push_frame(struct sim_core *c, uint32_t sp, uint32_t ret_pc, uint32_t xpsr)
{
	static const int regs[6] = {UC_ARM_REG_R0, UC_ARM_REG_R1, UC_ARM_REG_R2,
				    UC_ARM_REG_R3, UC_ARM_REG_R12, UC_ARM_REG_LR};
	uint32_t frame[8];

	for (unsigned i = 0; i < 6; i++)
		frame[i] = sim_core_rd(c, regs[i]);
	frame[6] = ret_pc & ~1u;
	frame[7] = xpsr & ~XPSR_ALIGN;
	if ((c->ccr & (1u << 9)) && (sp & 4u)) { /* CCR.STKALIGN */
		sp -= 4;
		frame[7] |= XPSR_ALIGN;
	}
	sp -= 32;
	for (unsigned i = 0; i < 8; i++)
		sim_bus_write(c->bus, sp + 4 * i, 4, frame[i]);
	return sp;
}

static void exception_entry(struct sim_core *c, unsigned num, uint32_t ret_pc)
{
	uint32_t xpsr = sim_core_rd(c, UC_ARM_REG_XPSR);
	uint32_t control = sim_core_rd(c, UC_ARM_REG_CONTROL);
	unsigned active = xpsr & 0x1FFu;
	bool psp = !active && (control & CONTROL_SPSEL);
	uint32_t sp = psp ? sim_core_rd(c, UC_ARM_REG_PSP) : sim_core_rd(c, UC_ARM_REG_MSP);

	if (num == EXC_HARDFAULT && (active == EXC_HARDFAULT || active == 2)) {
		lockup(c); /* a fault at HardFault or NMI priority */
		return;
	}
	sp = push_frame(c, sp, ret_pc, xpsr);
	/* Still in thread mode: store the new stack pointer and select MSP
	 * (sim_core_wr steps around QEMU's privilege and SPSEL rules), then
	 * enter handler mode with IPSR = num. */
	if (psp) {
		sim_core_wr(c, UC_ARM_REG_PSP, sp);
		sim_core_wr(c, UC_ARM_REG_CONTROL, control & ~CONTROL_SPSEL);
	} else {
		sim_core_wr(c, UC_ARM_REG_MSP, sp);
	}
	sim_core_wr(c, UC_ARM_REG_XPSR_NZCVQG, (xpsr & 0xF80F0000u) | XPSR_T | num);
	sim_core_wr(c, UC_ARM_REG_LR, active ? 0xFFFFFFF1u : psp ? 0xFFFFFFFDu : 0xFFFFFFF9u);
	sim_core_set_pc(c, mem32(c, c->vtor + 4 * num));
	c->stop_request = true;
	c->sleeping = false;
	c->exc_depth++;
	if ((c->demcr & vector_catch_bit(c, num)) && (c->dhcsr_ctrl & DHCSR_C_DEBUGEN))
		sim_core_enter_halt(c, DFSR_VCATCH); /* on the handler's first instruction */
}

/* Exception return (B1.5.8) from an EXC_RETURN value: 0xFFFFFFF1 handler,
 * 0xFFFFFFF9 thread/MSP, 0xFFFFFFFD thread/PSP; anything else is an
 * INVPC UsageFault. */
static void exception_return(struct sim_core *c, uint32_t exc_return)
{
	static const int regs[6] = {UC_ARM_REG_R0, UC_ARM_REG_R1, UC_ARM_REG_R2,
				    UC_ARM_REG_R3, UC_ARM_REG_R12, UC_ARM_REG_LR};
	uint32_t low = exc_return & 0xFu, sp, f[8];
	bool to_psp = low == 0xDu;

	if ((low != 0x1u && low != 0x9u && low != 0xDu) || (exc_return | 0x1Fu) != 0xFFFFFFFFu) {
		sim_core_take_fault(c, EXC_USAGEFAULT, 1u << 18, exc_return); /* INVPC */
		return;
	}
	sp = to_psp ? sim_core_rd(c, UC_ARM_REG_PSP) : sim_core_rd(c, UC_ARM_REG_MSP);
	for (unsigned i = 0; i < 8; i++)
		f[i] = mem32(c, sp + 4 * i);
	sp += 32 + ((f[7] & XPSR_ALIGN) ? 4u : 0u);
	/* Back to the mode in the frame first, so that selecting PSP below
	 * switches the active stack pointer as in thread mode. */
	if (c->exc_depth)
		c->exc_depth--;
	sim_core_wr(c, UC_ARM_REG_XPSR_NZCVQG, f[7] & ~XPSR_ALIGN);
	if (to_psp) {
		sim_core_wr(c, UC_ARM_REG_CONTROL, sim_core_rd(c, UC_ARM_REG_CONTROL) | CONTROL_SPSEL);
		sim_core_wr(c, UC_ARM_REG_PSP, sp);
	} else {
		sim_core_wr(c, UC_ARM_REG_MSP, sp);
	}
	for (unsigned i = 0; i < 6; i++)
		sim_core_wr(c, regs[i], f[i]);
	sim_core_set_pc(c, f[6]);
	c->stop_request = true;
}

/* Take a configurable fault: MemManage, BusFault and UsageFault are off out
 * of reset (SHCSR.*ENA), so they escalate to HardFault with HFSR.FORCED. */
void sim_core_take_fault(struct sim_core *c, unsigned num, uint32_t cfsr_bits, uint32_t ret_pc)
{
	static const uint32_t shcsr_ena[7] = {[EXC_MEMMANAGE] = 1u << 16,
					      [EXC_BUSFAULT] = 1u << 17,
					      [EXC_USAGEFAULT] = 1u << 18};

	c->cfsr |= cfsr_bits;
	if (num >= EXC_MEMMANAGE && num <= EXC_USAGEFAULT) {
		unsigned active = sim_core_rd(c, UC_ARM_REG_XPSR) & 0x1FFu;
		if (!(c->shcsr & shcsr_ena[num]) || active == num || active == EXC_HARDFAULT) {
			c->hfsr |= HFSR_FORCED;
			num = EXC_HARDFAULT;
		}
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
		/* UDF, an unallocated encoding, or execution with EPSR.T = 0. */
		bool thumb = (sim_core_rd(c, UC_ARM_REG_XPSR) & XPSR_T) != 0;
		sim_core_take_fault(c, EXC_USAGEFAULT, thumb ? CFSR_UNDEFINSTR : CFSR_INVSTATE, pc);
	} else if (e != UC_ERR_OK && !c->stop_request) {
		sim_core_take_fault(c, EXC_HARDFAULT, 0, pc);
	}
}

int sim_core_exc_hooks(struct sim_core *c)
{
	if (uc_hook_add(c->uc, &c->intr_hook, UC_HOOK_INTR, (void *)on_intr, c, 1, 0) ||
	    uc_hook_add(c->uc, &c->unmapped_hook, UC_HOOK_MEM_UNMAPPED, (void *)on_unmapped, c, 1,
			0))
		return sw_fail(c->ctx, SW_ERR_IO, "sim core: cannot install exception hooks");
	return SW_OK;
}
