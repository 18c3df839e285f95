/* Cortex-M core layer: run control, registers, reset and breakpoints over a
 * MEM-AP (ARMv7-M ARM C1.6 debug registers; ARMv8-M ARM D1.2). The server
 * sees only this interface and memory access, never ADI. */
#ifndef SW_CORTEXM_CORE_H
#define SW_CORTEXM_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "adi/adi.h"
#include "cortexm/regs.h"

struct sw_core;

enum sw_halt_reason {
	SW_HALT_RUNNING = 0, /* not halted */
	SW_HALT_REQUEST,     /* debugger halt (DFSR.HALTED) */
	SW_HALT_STEP,        /* single step done (DFSR.HALTED after C_STEP) */
	SW_HALT_BREAKPOINT,  /* FPB match or BKPT (DFSR.BKPT) */
	SW_HALT_WATCHPOINT,  /* DWT match (DFSR.DWTTRAP) */
	SW_HALT_VCATCH,      /* vector catch (DFSR.VCATCH) */
	SW_HALT_EXTERNAL,    /* EDBGRQ (DFSR.EXTERNAL) */
	SW_HALT_RESET,       /* halted by reset-vector catch */
	SW_HALT_LOCKUP,      /* S_LOCKUP: core locked up */
	SW_HALT_UNKNOWN,
};

struct sw_core_state {
	bool halted;
	bool in_reset;           /* S_RESET_ST was seen */
	bool locked_up;          /* S_LOCKUP */
	enum sw_halt_reason reason;
	uint32_t dfsr;
	uint32_t pc;             /* valid when halted */
	unsigned ipsr;           /* exception number when halted (0 = thread mode) */
	uint32_t watch_addr;     /* valid for SW_HALT_WATCHPOINT when known */
	unsigned watch_kind;     /* 2 write, 3 read, 4 access (gdb Z numbering) */
};

struct sw_core_info {
	uint32_t cpuid;
	unsigned arch;           /* 7 or 8 */
	const char *core_name;   /* "Cortex-M7" ... */
	bool fpu;
	bool dp_fpu;
	bool mve;
	bool secext;
	unsigned fpb_rev;
	unsigned fpb_code, fpb_lit;
	unsigned dwt_comps;
};

/* Reset strategies. */
enum sw_reset_kind {
	SW_RESET_SYSTEM,  /* AIRCR.SYSRESETREQ */
	SW_RESET_CORE,    /* AIRCR.VECTRESET (ARMv7-M only; else SW_ERR_NOT_SUPPORTED) */
	SW_RESET_PIN,     /* nRST through the probe */
};

enum sw_bp_kind {
	SW_BP_SOFT,       /* BKPT in RAM, original restored on removal */
	SW_BP_HARD,       /* FPB comparator */
};

/* Attach: read CPUID, DHCSR; enable debug without halting. */
int sw_core_new(struct sw_ctx *ctx, sw_ap *ap, struct sw_core **out);
void sw_core_free(struct sw_core *core);
const struct sw_core_info *sw_core_get_info(const struct sw_core *core);
sw_ap *sw_core_ap(const struct sw_core *core);

int sw_core_halt(struct sw_core *core);
int sw_core_resume(struct sw_core *core);
/* One instruction; mask_irq sets C_MASKINTS for the step. Waits for the halt. */
int sw_core_step(struct sw_core *core, bool mask_irq);
/* Read DHCSR (and DFSR when newly halted); one round trip. */
int sw_core_poll(struct sw_core *core, struct sw_core_state *st);
/* Was the core reset (DHCSR.S_RESET_ST) since the last poll, as seen by a
 * DHCSR read made for another reason (register transfer)? Clears it. */
bool sw_core_take_reset(struct sw_core *core);
/* sw_core_step then sw_core_poll, with the stop registers, in one round trip. */
int sw_core_step_poll(struct sw_core *core, bool mask_irq, struct sw_core_state *st);

/* Registers by cortexm/regs.h number; the core must be halted. */
int sw_core_reg_read(struct sw_core *core, unsigned regno, uint64_t *val);
/* Several registers in one round trip (the caller's order is kept). */
int sw_core_regs_write(struct sw_core *core, const unsigned *regnos, const uint64_t *vals, size_t n);
int sw_core_reg_write(struct sw_core *core, unsigned regno, uint64_t val);
/* Read many registers in one batched round trip. */
int sw_core_regs_read(struct sw_core *core, const unsigned *regnos, size_t n, uint64_t *vals);

/* halt_after: stop at the reset vector (DEMCR.VC_CORERESET) instead of running. */
int sw_core_reset(struct sw_core *core, enum sw_reset_kind kind, bool halt_after);

int sw_core_bp_set(struct sw_core *core, uint32_t addr, unsigned len, enum sw_bp_kind kind);
int sw_core_bp_clear(struct sw_core *core, uint32_t addr, unsigned len, enum sw_bp_kind kind);

/* DWT data watchpoint; kind as gdb's Z2 write, Z3 read, Z4 access. Running
 * out of comparators is SW_ERR_BUSY with a message. */
int sw_core_wp_set(struct sw_core *core, uint32_t addr, unsigned len, unsigned kind);
int sw_core_wp_clear(struct sw_core *core, uint32_t addr, unsigned len, unsigned kind);

/* Halt when `value` (size 1/2/4) is written to addr (ARMv7-M DWT DATAVMATCH). */
int sw_core_wp_value_set(struct sw_core *core, uint32_t addr, uint32_t value, unsigned size);
int sw_core_wp_value_clear(struct sw_core *core);

/* DEMCR vector catch: VC_CORERESET 0, VC_MMERR 4, VC_NOCPERR 5, VC_CHKERR 6,
 * VC_STATERR 7, VC_BUSERR 8, VC_INTERR 9, VC_HARDERR 10. */
int sw_core_vector_catch(struct sw_core *core, uint32_t mask, bool on);
int sw_core_vector_catch_get(struct sw_core *core, uint32_t *mask);

/* True if a breakpoint of this layer (FPB or BKPT patch) is at addr. */
bool sw_core_bp_at(const struct sw_core *core, uint32_t addr);
/* A fault stop explained (cortexm/fault.c): the fault status registers and
 * the PC the exception frame holds, valid after a fault vector catch or a
 * halt out of lockup. */
struct sw_fault_info {
	bool lockup;
	unsigned exception;      /* IPSR: 3 HardFault .. 7 SecureFault */
	uint32_t cfsr, hfsr, mmfar, bfar;
	uint32_t pc;             /* the faulting instruction (stacked PC) */
	bool pc_valid;
};
/* Read them for the stop `st` (the core is halted). */
int sw_core_fault_info(struct sw_core *core, const struct sw_core_state *st, struct sw_fault_info *f);
/* One line, e.g. "HardFault: precise data bus error at 0xa0000000
 * (escalated to HardFault) at PC 0x080001a6 (CFSR 0x00008200 HFSR
 * 0x40000000)". Returns its length. */
size_t sw_fault_decode(const struct sw_fault_info *f, char *out, size_t cap);

/* Before the program lets go of the core: vector catch back as it was at
 * attach (HardFault catch is on while we are attached). */
int sw_core_release(struct sw_core *core);

/* Remove every breakpoint this layer set (restores RAM, frees FPB). */
int sw_core_bp_clear_all(struct sw_core *core);

/* Around debugger code run on the target (flash loaders): DWT and FPB off
 * (DEMCR.TRCENA, FP_CTRL.ENABLE), then back as they were. */
int sw_core_traps_suspend(struct sw_core *core, uint32_t *saved_demcr);
int sw_core_traps_resume(struct sw_core *core, uint32_t saved_demcr);

/* Code written by the debugger (a flash loader, a BKPT patch) may sit in
 * the D-cache while the I-cache holds old lines (Cortex-M7/M55/M85): clean
 * the range to memory and invalidate the I-cache. No-op without caches. */
int sw_core_sync_code(struct sw_core *core, uint32_t addr, size_t len);

/* Memory that may hold code changed behind the core (the host programmed
 * flash, wrote RAM): the next resume or step invalidates the I-cache
 * first. sw_core_mem_write marks it itself. No-op without caches. */
void sw_core_code_changed(struct sw_core *core);

int sw_core_mem_read(struct sw_core *core, uint32_t addr, void *buf, size_t len);
int sw_core_mem_write(struct sw_core *core, uint32_t addr, const void *buf, size_t len);

#endif
