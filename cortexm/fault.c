/* Why a core faulted, in one line: the fault status registers (ARMv7-M ARM
 * B3.2.15 CFSR = MMFSR | BFSR | UFSR, B3.2.16 HFSR, B3.2.17 MMFAR, B3.2.18
 * BFAR; ARMv8-M ARM D1.2 adds UFSR.STKOF) and the PC of the exception frame
 * (B1.5.6: PC is the seventh word stacked). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cortexm/cortexm_priv.h"

#define CM_CFSR 0xE000ED28u
#define CM_HFSR 0xE000ED2Cu
#define CM_MMFAR 0xE000ED34u
#define CM_BFAR 0xE000ED38u

#define CFSR_MMARVALID (1u << 7)
#define CFSR_BFARVALID (1u << 15)
#define HFSR_VECTTBL (1u << 1)
#define HFSR_FORCED (1u << 30)

static const struct {
	uint32_t bit;
	const char *what;
} cfsr_bits[] = {
	{1u << 0, "instruction access violation (MPU or XN region)"},
	{1u << 1, "data access violation"},
	{1u << 3, "MemManage fault while unstacking on exception return"},
	{1u << 4, "MemManage fault while stacking on exception entry"},
	{1u << 5, "MemManage fault during lazy FP state preservation"},
	{1u << 8, "instruction fetch bus error"},
	{1u << 9, "precise data bus error"},
	{1u << 10, "imprecise data bus error"},
	{1u << 11, "bus error while unstacking on exception return"},
	{1u << 12, "bus error while stacking on exception entry"},
	{1u << 13, "bus error during lazy FP state preservation"},
	{1u << 16, "undefined instruction"},
	{1u << 17, "invalid state (EPSR.T clear: a branch to an even address?)"},
	{1u << 18, "invalid EXC_RETURN on exception return"},
	{1u << 19, "coprocessor access with the coprocessor disabled or absent"},
	{1u << 20, "stack overflow (stack limit register)"},
	{1u << 24, "unaligned access"},
	{1u << 25, "divide by zero"},
};

static void add(char *out, size_t cap, size_t *n, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void add(char *out, size_t cap, size_t *n, const char *fmt, ...)
{
	va_list ap;

	if (*n >= cap)
		return;
	va_start(ap, fmt);
	*n += (size_t)vsnprintf(out + *n, cap - *n, fmt, ap);
	va_end(ap);
}

size_t sw_fault_decode(const struct sw_fault_info *f, char *out, size_t cap)
{
	static const char *const kinds[] = {"", "", "NMI", "HardFault", "MemManage fault", "BusFault",
					    "UsageFault", "SecureFault"};
	size_t n = 0;
	const char *sep = ": ";

	if (!cap)
		return 0;
	out[0] = 0;
	if (f->lockup)
		add(out, cap, &n, "core locked up (a fault in HardFault or NMI, or a bad vector table)");
	else
		add(out, cap, &n, "%s", f->exception >= 2 && f->exception < 8 ? kinds[f->exception] : "exception");
	for (size_t i = 0; i < sizeof(cfsr_bits) / sizeof(cfsr_bits[0]); i++) {
		if (!(f->cfsr & cfsr_bits[i].bit))
			continue;
		add(out, cap, &n, "%s%s", sep, cfsr_bits[i].what);
		sep = ", ";
		if (cfsr_bits[i].bit == (1u << 1) && (f->cfsr & CFSR_MMARVALID))
			add(out, cap, &n, " at 0x%08x", f->mmfar);
		if (cfsr_bits[i].bit == (1u << 9) && (f->cfsr & CFSR_BFARVALID))
			add(out, cap, &n, " at 0x%08x", f->bfar);
	}
	if (f->hfsr & HFSR_VECTTBL)
		add(out, cap, &n, "%sbus error reading the vector table", sep);
	if ((f->hfsr & HFSR_FORCED) && !f->lockup)
		add(out, cap, &n, " (escalated to HardFault)");
	if (f->pc_valid)
		add(out, cap, &n, " at PC 0x%08x", f->pc);
	add(out, cap, &n, " (CFSR 0x%08x HFSR 0x%08x)", f->cfsr, f->hfsr);
	return n < cap ? n : cap - 1;
}

/* The faulting PC: at a fault vector catch the core halts on the handler's
 * first instruction with LR = EXC_RETURN, and the frame is on the stack
 * EXC_RETURN.SPSEL names (B1.5.8). ARMv8-M with an extra state context
 * (EXC_RETURN.DCRS = 0) is left out: PC not reported. */
static int stacked_pc(struct sw_core *c, uint32_t *pc)
{
	static const unsigned regs[] = {SW_REG_LR, SW_REG_MSP, SW_REG_PSP};
	uint64_t v[3];
	int r;

	if ((r = sw_core_regs_read(c, regs, 3, v)))
		return r;
	uint32_t lr = (uint32_t)v[0];
	if ((lr >> 24) != 0xFFu || (c->info.arch == 8 && !(lr & (1u << 5))))
		return SW_ERR_NOT_FOUND;
	return sw_mem_read32(c->ap, (uint32_t)((lr & 4u) ? v[2] : v[1]) + 24u, pc);
}

int sw_core_fault_info(struct sw_core *c, const struct sw_core_state *st, struct sw_fault_info *f)
{
	int r;

	memset(f, 0, sizeof(*f));
	f->lockup = st->reason == SW_HALT_LOCKUP;
	f->exception = st->ipsr;
	if ((r = sw_mem_queue_read32(c->ap, CM_CFSR, &f->cfsr)) ||
	    (r = sw_mem_queue_read32(c->ap, CM_HFSR, &f->hfsr)) ||
	    (r = sw_mem_queue_read32(c->ap, CM_MMFAR, &f->mmfar)) ||
	    (r = sw_mem_queue_read32(c->ap, CM_BFAR, &f->bfar)) || (r = sw_dap_run(sw_ap_dap(c->ap))))
		return sw_fail(c->ctx, r, "fault status registers: %s", sw_errmsg(c->ctx));
	if (f->lockup) {
		/* In lockup the PC reads 0xFFFFFFFE (B1.5.15); the halted PC says
		 * more only when it is something else. */
		f->pc = st->pc;
		f->pc_valid = st->pc != 0xFFFFFFFEu && st->pc != 0;
	} else if (st->ipsr >= 2 && st->ipsr <= 7 && !stacked_pc(c, &f->pc)) {
		f->pc_valid = true;
	}
	sw_clear_err(c->ctx);
	return SW_OK;
}
