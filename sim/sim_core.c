/* Simulated Cortex-M core: Unicorn executes the Thumb code; this file owns
 * the run loop, debug halts, reset and exception entry/return, which Unicorn
 * leaves to the embedder once an interrupt hook is installed.
 * References: ARMv7-M ARM B1.5 (exceptions), C1.6 (debug), ARMv8-M ARM D1. */
#include <stdlib.h>
#include <string.h>

#include "sim/sim_core_priv.h"

/* QEMU exception numbers seen by UC_HOOK_INTR (target/arm/cpu.h). */
#define EXCP_UDEF 1
#define EXCP_SWI 2
#define EXCP_BKPT 7
#define EXCP_EXCEPTION_EXIT 8
#define EXCP_NOCP 17
#define EXCP_INVSTATE 18

#define EXC_HARDFAULT 3
#define EXC_BUSFAULT 5
#define EXC_USAGEFAULT 6
#define EXC_SVCALL 11

#define CFSR_IBUSERR (1u << 8)
#define CFSR_PRECISERR (1u << 9)
#define CFSR_BFARVALID (1u << 15)
#define CFSR_UNDEFINSTR (1u << 16)
#define CFSR_INVSTATE (1u << 17)
#define CFSR_NOCP (1u << 19)
#define HFSR_FORCED (1u << 30)
#define HFSR_DEBUGEVT (1u << 31)

static uint32_t rd(struct sim_core *c, int reg)
{
	uint32_t v = 0;

	uc_reg_read(c->uc, reg, &v);
	return v;
}

static void wr(struct sim_core *c, int reg, uint32_t v)
{
	uc_reg_write(c->uc, reg, &v);
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
	c->halted = true;
	c->dhcsr_ctrl |= DHCSR_C_HALT;
	c->dfsr |= dfsr_bits;
	c->stop_request = true;
	uc_emu_stop(c->uc);
}

/* DEMCR vector-catch bit for an exception entry (ARMv7-M C1.6.5): VC_HARDERR
 * 10, VC_INTERR 9 (not modelled: no interrupts), VC_BUSERR 8, VC_STATERR 7,
 * VC_CHKERR 6, VC_NOCPERR 5, VC_MMERR 4; UsageFault by its CFSR cause. */
static uint32_t vector_catch_bit(const struct sim_core *c, unsigned num)
{
	switch (num) {
	case EXC_HARDFAULT: return 1u << 10;
	case 4: return 1u << 4;
	case EXC_BUSFAULT: return 1u << 8;
	case EXC_USAGEFAULT:
		if (c->cfsr & CFSR_NOCP)
			return 1u << 5;
		if (c->cfsr & (CFSR_UNDEFINSTR | CFSR_INVSTATE))
			return 1u << 7;
		return 1u << 6;
	default: return 0;
	}
}

/* Exception entry (ARMv7-M B1.5.6): push the basic 8-word frame on the
 * current stack, LR = EXC_RETURN, IPSR = number, PC = vector. The FP
 * extended frame is not modelled (EXC_RETURN[4] = 1 says "basic"). */
static void exception_entry(struct sim_core *c, unsigned num, uint32_t return_pc)
{
	uint32_t xpsr = rd(c, UC_ARM_REG_XPSR), control = rd(c, UC_ARM_REG_CONTROL);
	bool handler = (xpsr & 0x1FFu) != 0, psp = !handler && (control & 2u);
	uint32_t sp = psp ? rd(c, UC_ARM_REG_PSP) : rd(c, UC_ARM_REG_MSP);
	uint32_t frame[8], exc_return;

	if (handler && num == EXC_HARDFAULT && (xpsr & 0x1FFu) == EXC_HARDFAULT) {
		/* Fault inside the HardFault handler: lockup (B1.5.15). */
		c->lockup = true;
		c->stop_request = true;
		uc_emu_stop(c->uc);
		return;
	}
	frame[0] = rd(c, UC_ARM_REG_R0);
	frame[1] = rd(c, UC_ARM_REG_R1);
	frame[2] = rd(c, UC_ARM_REG_R2);
	frame[3] = rd(c, UC_ARM_REG_R3);
	frame[4] = rd(c, UC_ARM_REG_R12);
	frame[5] = rd(c, UC_ARM_REG_LR);
	frame[6] = return_pc & ~1u;
	frame[7] = xpsr;
	if (sp & 4u) { /* CCR.STKALIGN: 8-byte aligned frame, flag in xPSR[9] */
		sp -= 4;
		frame[7] |= 1u << 9;
	}
	sp -= 32;
	for (unsigned i = 0; i < 8; i++)
		sim_bus_write(c->bus, sp + 4 * i, 4, frame[i]);
	exc_return = handler ? 0xFFFFFFF1u : psp ? 0xFFFFFFFDu : 0xFFFFFFF9u;
	if (psp) {
		wr(c, UC_ARM_REG_PSP, sp);
		wr(c, UC_ARM_REG_CONTROL, control & ~2u);
	} else {
		wr(c, UC_ARM_REG_MSP, sp);
	}
	wr(c, UC_ARM_REG_XPSR, (xpsr & 0xF8000000u) | 0x01000000u | num);
	wr(c, UC_ARM_REG_LR, exc_return);
	wr(c, UC_ARM_REG_PC, mem32(c, c->vtor + 4 * num) & ~1u);
	c->exc_depth++;
	if ((c->demcr & vector_catch_bit(c, num)) && (c->dhcsr_ctrl & DHCSR_C_DEBUGEN))
		sim_core_enter_halt(c, DFSR_VCATCH); /* halted on the handler's first instruction */
}

/* Exception return (B1.5.8) from an EXC_RETURN value. */
static void exception_return(struct sim_core *c, uint32_t exc_return)
{
	bool to_psp = (exc_return & 0xFu) == 0xDu;
	uint32_t sp = to_psp ? rd(c, UC_ARM_REG_PSP) : rd(c, UC_ARM_REG_MSP);
	uint32_t f[8];

	for (unsigned i = 0; i < 8; i++)
		f[i] = mem32(c, sp + 4 * i);
	sp += 32;
	if (f[7] & (1u << 9))
		sp += 4;
	if (c->exc_depth)
		c->exc_depth--;
	if (to_psp) {
		wr(c, UC_ARM_REG_PSP, sp);
		wr(c, UC_ARM_REG_CONTROL, rd(c, UC_ARM_REG_CONTROL) | 2u);
	} else {
		wr(c, UC_ARM_REG_MSP, sp);
	}
	wr(c, UC_ARM_REG_R0, f[0]);
	wr(c, UC_ARM_REG_R1, f[1]);
	wr(c, UC_ARM_REG_R2, f[2]);
	wr(c, UC_ARM_REG_R3, f[3]);
	wr(c, UC_ARM_REG_R12, f[4]);
	wr(c, UC_ARM_REG_LR, f[5]);
	wr(c, UC_ARM_REG_XPSR, (f[7] & ~(1u << 9)) | 0x01000000u);
	wr(c, UC_ARM_REG_PC, f[6]);
}

static void take_fault(struct sim_core *c, unsigned num, uint32_t cfsr_bits)
{
	/* UsageFault/BusFault are disabled out of reset (SHCSR), so they
	 * escalate to HardFault with HFSR.FORCED (B1.5.14). */
	c->cfsr |= cfsr_bits;
	if (num != EXC_HARDFAULT && !(c->shcsr & (1u << (num == EXC_BUSFAULT ? 17 : 18)))) {
		c->hfsr |= HFSR_FORCED;
		num = EXC_HARDFAULT;
	}
	exception_entry(c, num, rd(c, UC_ARM_REG_PC));
}

static void on_intr(uc_engine *uc, uint32_t intno, void *user)
{
	struct sim_core *c = user;
	uint32_t pc = rd(c, UC_ARM_REG_PC);

	(void)uc;
	switch (intno) {
	case EXCP_BKPT:
		if (c->dhcsr_ctrl & DHCSR_C_DEBUGEN) {
			sim_core_enter_halt(c, DFSR_BKPT); /* PC stays on the BKPT */
		} else {
			c->hfsr |= HFSR_DEBUGEVT;
			exception_entry(c, EXC_HARDFAULT, pc);
		}
		break;
	case EXCP_EXCEPTION_EXIT: exception_return(c, pc | 0xF0000000u); break;
	case EXCP_SWI: exception_entry(c, EXC_SVCALL, pc); break;
	case EXCP_UDEF: take_fault(c, EXC_USAGEFAULT, CFSR_UNDEFINSTR); break;
	case EXCP_INVSTATE: take_fault(c, EXC_USAGEFAULT, CFSR_INVSTATE); break;
	case EXCP_NOCP: take_fault(c, EXC_USAGEFAULT, CFSR_NOCP); break;
	default: take_fault(c, EXC_HARDFAULT, 0); break;
	}
	uc_emu_stop(uc); /* let the run loop re-read PC */
}

/* Unmapped access: a precise bus error. Taken after uc returns. */
static bool on_unmapped(uc_engine *uc, uc_mem_type type, uint64_t addr, int size, int64_t value,
			void *user)
{
	struct sim_core *c = user;

	(void)uc, (void)size, (void)value;
	c->fault_pending = (type == UC_MEM_FETCH_UNMAPPED || type == UC_MEM_FETCH_PROT) ? 1 : 2;
	c->fault_addr = (uint32_t)addr;
	return false;
}

static void after_bus_error(struct sim_core *c)
{
	if (c->fault_pending == 1 && (c->fault_addr & 0xFFFFFFE0u) == 0xFFFFFFE0u && c->exc_depth) {
		exception_return(c, c->fault_addr); /* EXC_RETURN fetch */
	} else if (c->fault_pending == 1) {
		take_fault(c, EXC_BUSFAULT, CFSR_IBUSERR);
	} else {
		c->bfar = c->fault_addr;
		take_fault(c, EXC_BUSFAULT, CFSR_PRECISERR | CFSR_BFARVALID);
	}
	c->fault_pending = 0;
}

/* Execute up to n instructions (one at a time while a DWT comparator is armed,
 * so a data watchpoint halts right after the accessing instruction). */
static void execute(struct sim_core *c, uint64_t n)
{
	while (n && !c->halted && !c->lockup && !c->reset_line) {
		uint32_t pc = rd(c, UC_ARM_REG_PC);
		uint64_t chunk = c->dwt_hooked ? 1 : n;
		uc_err e;

		c->stop_request = false;
		if (c->code_dirty) {
			uc_ctl_flush_tlb(c->uc);
			c->code_dirty = false;
		}
		e = uc_emu_start(c->uc, pc | 1u, 0xFFFFFFFEu, 0, (size_t)chunk);
		c->retired = true;
		n -= chunk;
		if (c->fault_pending)
			after_bus_error(c);
		else if (e != UC_ERR_OK && !c->stop_request)
			take_fault(c, EXC_HARDFAULT, 0);
		if (c->sysreset_pending || c->vectreset_pending) {
			bool sys = c->sysreset_pending;
			c->sysreset_pending = c->vectreset_pending = false;
			if (sys && c->cfg.sysresetreq)
				c->cfg.sysresetreq(c->cfg.chip);
			else
				sim_core_reset(c, SIM_RESET_CORE);
			return;
		}
		if (c->dwt_ctrl & 1u)
			c->cyccnt += (uint32_t)chunk;
		if (c->stop_request && !c->halted && !c->lockup)
			continue; /* a hook changed PC (exception); keep going */
	}
}

void sim_core_run(struct sim_core *c, uint64_t ns)
{
	uint64_t total;

	if (c->halted || c->lockup || c->reset_line)
		return;
	total = ns * c->cfg.cpu_hz + c->insn_carry;
	c->insn_carry = total % 1000000000ull;
	execute(c, total / 1000000000ull);
}

/* One instruction with the core in debug state (C_STEP). */
void sim_core_do_step(struct sim_core *c)
{
	c->halted = false;
	c->dfsr &= ~0x1Fu;
	execute(c, 1);
	if (!c->halted && !c->lockup)
		sim_core_enter_halt(c, DFSR_HALTED);
}

void sim_core_reset(struct sim_core *c, enum sim_reset_kind kind)
{
	static const int zero_regs[] = {UC_ARM_REG_R0, UC_ARM_REG_R1, UC_ARM_REG_R2,
					UC_ARM_REG_R3, UC_ARM_REG_R4, UC_ARM_REG_R5,
					UC_ARM_REG_R6, UC_ARM_REG_R7, UC_ARM_REG_R8,
					UC_ARM_REG_R9, UC_ARM_REG_R10, UC_ARM_REG_R11,
					UC_ARM_REG_R12, UC_ARM_REG_PSP, UC_ARM_REG_PRIMASK,
					UC_ARM_REG_BASEPRI, UC_ARM_REG_FAULTMASK};

	if (kind == SIM_RESET_POWER_ON) {
		/* Debug logic is reset only at power-on (C1.6: DHCSR, DEMCR, FPB, DWT). */
		c->dhcsr_ctrl = 0;
		c->demcr = 0;
		c->dfsr = 0;
		c->fpb_enable = false;
		memset(c->fp_comp, 0, sizeof(c->fp_comp));
		memset(c->dwt_func, 0, sizeof(c->dwt_func));
		c->dwt_ctrl = 0;
		c->itm_tcr = c->itm_ter = 0;
		sim_core_update_fpb(c);
		sim_core_update_dwt(c);
	}
	c->vtor = c->cfg.vtor_reset;
	c->cfsr = c->hfsr = c->mmfar = c->bfar = c->shcsr = 0;
	c->ccr = 0x200; /* STKALIGN */
	c->exc_depth = 0;
	c->lockup = false;
	c->halted = false;
	c->fault_pending = 0;
	for (size_t i = 0; i < sizeof(zero_regs) / sizeof(zero_regs[0]); i++)
		wr(c, zero_regs[i], 0);
	wr(c, UC_ARM_REG_CONTROL, 0);
	wr(c, UC_ARM_REG_XPSR, 0x01000000u);
	wr(c, UC_ARM_REG_LR, 0xFFFFFFFFu);
	wr(c, UC_ARM_REG_MSP, mem32(c, c->vtor) & ~3u);
	wr(c, UC_ARM_REG_PC, mem32(c, c->vtor + 4) & ~1u);
	c->reset_seen = true;
	c->dhcsr_ctrl &= ~(DHCSR_C_HALT | DHCSR_C_STEP);
	/* Reset vector catch (C1.6.3 DEMCR.VC_CORERESET). */
	if ((c->demcr & DEMCR_VC_CORERESET) && (c->dhcsr_ctrl & DHCSR_C_DEBUGEN)) {
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

void sim_core_flush_code(struct sim_core *c)
{
	c->code_dirty = true;
}

bool sim_core_halted(const struct sim_core *c)
{
	return c->halted;
}

/* --- register transfer (DCRSR REGSEL, ARMv7-M C1.6.3; ARMv8-M D1.2.4) ------ */

static int regsel_to_uc(uint32_t sel)
{
	if (sel <= 12)
		return UC_ARM_REG_R0 + (int)sel;
	switch (sel) {
	case 13: return UC_ARM_REG_SP;
	case 14: return UC_ARM_REG_LR;
	case 15: return UC_ARM_REG_PC;
	case 16: return UC_ARM_REG_XPSR;
	case 17: case 0x18: case 0x1A: return UC_ARM_REG_MSP; /* no TrustZone modelled */
	case 18: case 0x19: case 0x1B: return UC_ARM_REG_PSP;
	case 0x21: return UC_ARM_REG_FPSCR;
	default: break;
	}
	if (sel >= 0x40 && sel <= 0x5F)
		return UC_ARM_REG_S0 + (int)(sel - 0x40);
	return -1;
}

static bool packed_special(uint32_t sel)
{
	return sel == 0x14 || sel == 0x22 || sel == 0x23;
}

int sim_core_reg_get(struct sim_core *c, uint32_t sel, uint32_t *val)
{
	int r;

	if (packed_special(sel)) {
		*val = (rd(c, UC_ARM_REG_CONTROL) & 0xFFu) << 24 |
		       (rd(c, UC_ARM_REG_FAULTMASK) & 1u) << 16 |
		       (rd(c, UC_ARM_REG_BASEPRI) & 0xFFu) << 8 | (rd(c, UC_ARM_REG_PRIMASK) & 1u);
		return 0;
	}
	if ((sel == 0x21 || sel >= 0x40) && !c->cfg.fpu)
		return -1;
	r = regsel_to_uc(sel);
	if (r < 0)
		return -1;
	*val = rd(c, r);
	if (sel == 16)
		*val &= ~(1u << 9);
	return 0;
}

int sim_core_reg_set(struct sim_core *c, uint32_t sel, uint32_t v)
{
	int r;

	if (packed_special(sel)) {
		wr(c, UC_ARM_REG_PRIMASK, v & 1u);
		wr(c, UC_ARM_REG_BASEPRI, (v >> 8) & 0xFFu);
		wr(c, UC_ARM_REG_FAULTMASK, (v >> 16) & 1u);
		wr(c, UC_ARM_REG_CONTROL, (v >> 24) & 0xFFu);
		return 0;
	}
	if ((sel == 0x21 || sel >= 0x40) && !c->cfg.fpu)
		return -1;
	r = regsel_to_uc(sel);
	if (r < 0)
		return -1;
	if (sel == 15)
		v &= ~1u;
	wr(c, r, v);
	return 0;
}

/* --- construction -------------------------------------------------------- */

static uint64_t uc_mmio_rd(uc_engine *uc, uint64_t off, unsigned size, void *user)
{
	const struct sim_region *r = user;
	uint32_t v = 0;

	(void)uc;
	if (r->rd)
		r->rd(r->opaque, (uint32_t)off, size, &v);
	return v;
}

static void uc_mmio_wr(uc_engine *uc, uint64_t off, unsigned size, uint64_t v, void *user)
{
	const struct sim_region *r = user;

	(void)uc;
	if (r->wr)
		r->wr(r->opaque, (uint32_t)off, size, (uint32_t)v);
}

/* CPU-side PPB accesses go through the same registers as the debugger's. */
static uint64_t ppb_cpu_rd(uc_engine *uc, uint64_t off, unsigned size, void *user)
{
	uint32_t v = 0;

	(void)uc;
	sim_core_ppb_read(user, (uint32_t)off, size, &v);
	return v;
}

static void ppb_cpu_wr(uc_engine *uc, uint64_t off, unsigned size, uint64_t v, void *user)
{
	struct sim_core *c = user;
	uint32_t o = (uint32_t)off;

	(void)uc;
	if (o == 0xEDF0 || o == 0xEDF4 || o == 0xEDF8)
		return; /* DHCSR/DCRSR/DCRDR are debugger-owned (C1.6.2) */
	if (o == 0xED0C && size == 4 && (v >> 16) == 0x05FA && (v & 5u)) {
		/* Software reset request: finish the instruction first. */
		if (v & 4u)
			c->sysreset_pending = true;
		else if (c->cfg.arch == 7)
			c->vectreset_pending = true;
		uc_emu_stop(c->uc);
		return;
	}
	sim_core_ppb_write(c, o, size, (uint32_t)v);
}

static int map_bus(struct sim_core *c)
{
	const struct sim_region *regs;
	size_t n = sim_bus_regions(c->bus, &regs);

	for (size_t i = 0; i < n; i++) {
		const struct sim_region *r = &regs[i];
		uc_err e;

		if (r->base == 0xE0000000u && r->opaque == c)
			e = uc_mmio_map(c->uc, r->base, r->size, ppb_cpu_rd, c, ppb_cpu_wr, c);
		else if (r->kind == SIM_REGION_MMIO)
			e = uc_mmio_map(c->uc, r->base, r->size, uc_mmio_rd, (void *)(uintptr_t)r,
					uc_mmio_wr, (void *)(uintptr_t)r);
		else
			e = uc_mem_map_ptr(c->uc, r->base, r->size,
					   r->kind == SIM_REGION_RAM ? UC_PROT_ALL
								     : UC_PROT_READ | UC_PROT_EXEC,
					   r->mem);
		if (e != UC_ERR_OK)
			return sw_fail(c->ctx, SW_ERR_IO, "sim core: cannot map %s at 0x%08x: %s",
				       r->name, r->base, uc_strerror(e));
	}
	return SW_OK;
}

int sim_core_new(struct sw_ctx *ctx, struct sim_bus *bus, const struct sim_core_cfg *cfg,
		 struct sim_core **out)
{
	struct sim_core *c = calloc(1, sizeof(*c));
	int r;

	*out = NULL;
	if (!c)
		return sw_fail(ctx, SW_ERR_NOMEM, "sim core: out of memory");
	c->ctx = ctx;
	c->cfg = *cfg;
	c->bus = bus;
	if (c->cfg.fpb_code > SIM_FPB_MAX)
		c->cfg.fpb_code = SIM_FPB_MAX;
	if (c->cfg.dwt_comps > SIM_DWT_MAX)
		c->cfg.dwt_comps = SIM_DWT_MAX;
	if (uc_open(UC_ARCH_ARM, UC_MODE_THUMB | UC_MODE_MCLASS, &c->uc) != UC_ERR_OK) {
		free(c);
		return sw_fail(ctx, SW_ERR_IO, "sim core: Unicorn failed to open");
	}
	/* The Cortex-M33 model stands in for the M55 (ARCHITECTURE.md §4). */
	uc_ctl_set_cpu_model(c->uc, cfg->arch == 8 ? UC_CPU_ARM_CORTEX_M33 : UC_CPU_ARM_CORTEX_M7);
	r = sim_bus_add_mmio(bus, "ppb", 0xE0000000u, 0x40000u, sim_core_ppb_read,
			     sim_core_ppb_write, c);
	if (r == 0)
		r = map_bus(c);
	else
		r = sw_fail(ctx, SW_ERR_ARG, "sim core: PPB region overlaps");
	if (r == 0 && (uc_hook_add(c->uc, &c->intr_hook, UC_HOOK_INTR, (void *)on_intr, c, 1, 0) ||
		       uc_hook_add(c->uc, &c->unmapped_hook,
				   UC_HOOK_MEM_UNMAPPED | UC_HOOK_MEM_PROT, (void *)on_unmapped, c,
				   1, 0)))
		r = sw_fail(ctx, SW_ERR_IO, "sim core: cannot install hooks");
	if (r) {
		sim_core_free(c);
		return r;
	}
	sim_core_reset(c, SIM_RESET_POWER_ON);
	*out = c;
	return SW_OK;
}

void sim_core_free(struct sim_core *c)
{
	if (!c)
		return;
	if (c->uc)
		uc_close(c->uc);
	free(c);
}

size_t sim_core_itm_take(struct sim_core *c, uint8_t *buf, size_t max)
{
	size_t n = c->itm_len < max ? c->itm_len : max;

	memcpy(buf, c->itm_buf, n);
	memmove(c->itm_buf, c->itm_buf + n, c->itm_len - n);
	c->itm_len -= n;
	return n;
}
