/* Private state of a simulated Cortex-M core, shared by sim_core*.c. */
#ifndef SW_SIM_CORE_PRIV_H
#define SW_SIM_CORE_PRIV_H

#include <unicorn/unicorn.h>

#include "sim/sim_core.h"

#define SIM_FPB_MAX 8
#define SIM_DWT_MAX 8
#define SIM_ITM_BUF 4096

/* DHCSR bits (ARMv7-M ARM C1.6.2). */
#define DHCSR_C_DEBUGEN (1u << 0)
#define DHCSR_C_HALT (1u << 1)
#define DHCSR_C_STEP (1u << 2)
#define DHCSR_C_MASKINTS (1u << 3)
#define DHCSR_S_REGRDY (1u << 16)
#define DHCSR_S_HALT (1u << 17)
#define DHCSR_S_SLEEP (1u << 18)
#define DHCSR_S_LOCKUP (1u << 19)
#define DHCSR_S_RETIRE_ST (1u << 24)
#define DHCSR_S_RESET_ST (1u << 25)
#define DFSR_HALTED (1u << 0)
#define DFSR_BKPT (1u << 1)
#define DFSR_DWTTRAP (1u << 2)
#define DFSR_VCATCH (1u << 3)
#define DFSR_EXTERNAL (1u << 4)
#define DEMCR_VC_CORERESET (1u << 0)
#define DEMCR_VC_MMERR (1u << 4)
#define DEMCR_VC_NOCPERR (1u << 5)
#define DEMCR_VC_CHKERR (1u << 6)
#define DEMCR_VC_STATERR (1u << 7)
#define DEMCR_VC_BUSERR (1u << 8)
#define DEMCR_VC_INTERR (1u << 9)
#define DEMCR_VC_HARDERR (1u << 10)
#define DEMCR_MON_EN (1u << 16)
#define DEMCR_TRCENA (1u << 24)
#define DEMCR_WRITABLE 0x010F07F1u

/* Exception numbers (ARMv7-M ARM B1.5.2). */
#define EXC_HARDFAULT 3
#define EXC_MEMMANAGE 4
#define EXC_BUSFAULT 5
#define EXC_USAGEFAULT 6
#define EXC_SVCALL 11
#define EXC_DEBUGMON 12
#define EXC_NMI 2
#define EXC_PENDSV 14
#define EXC_SYSTICK 15
#define EXC_IRQ0 16
#define SIM_EXC_MAX 512 /* exception numbers 0..511 (B1.5.2: up to 496 IRQs) */
#define SIM_EXC_WORDS (SIM_EXC_MAX / 32)

/* CFSR = UFSR:BFSR:MMFSR (B3.2.15), HFSR (B3.2.16). */
#define CFSR_IACCVIOL (1u << 0)
#define CFSR_IBUSERR (1u << 8)
#define CFSR_PRECISERR (1u << 9)
#define CFSR_BFARVALID (1u << 15)
#define CFSR_UNDEFINSTR (1u << 16)
#define CFSR_INVSTATE (1u << 17)
#define CFSR_NOCP (1u << 19)
#define CFSR_UNALIGNED (1u << 24)
#define HFSR_FORCED (1u << 30)
#define HFSR_DEBUGEVT (1u << 31)

/* A CPU store into ROM that the region's controller took (sim_core_map.c
 * on_rom_write): Unicorn still stores the raw bytes into the shared buffer
 * behind the hook, so they are put back from this snapshot. */
struct sim_rom_undo {
	uint8_t *mem; /* NULL: nothing to undo */
	uint32_t addr;
	unsigned size;
	uint8_t old[8];
};

/* A bus MMIO region as mapped into Unicorn, with its core (for bus errors). */
struct sim_core_mmio {
	struct sim_core *core;
	struct sim_region region;
};

enum {
	SIM_BUSERR_NONE,
	SIM_BUSERR_PRECISE,  /* bus error on a data access at fault_addr (BFAR) */
	SIM_BUSERR_LOAD,     /* MMIO read error: precise, at insn_pc, BFAR = fault_addr */
	SIM_BUSERR_IMPRECISE, /* MMIO write error: reported at the next instruction */
};

/* Memory holding the bytes of cached I-cache line(s) while the CPU
 * executes them (sim_core_icache.c). mem NULL: no swap in effect. */
struct sim_core_ic_swap {
	uint8_t *mem;
	uint32_t addr, len;
	uint8_t saved[2 * SIM_ICACHE_LINE_MAX]; /* memory's own bytes */
	uint8_t stale[2 * SIM_ICACHE_LINE_MAX]; /* what was put in */
};

struct sim_core {
	struct sw_ctx *ctx;
	struct sim_core_cfg cfg;
	struct sim_bus *bus;
	uc_engine *uc;
	uc_hook intr_hook, unmapped_hook, rom_hook, count_hook;
	uc_hook fpb_hooks[SIM_FPB_MAX * 2];
	unsigned n_fpb_hooks;
	uc_hook dwt_hook;
	uc_hook dwt_pc_hooks[SIM_DWT_MAX];
	unsigned n_dwt_pc_hooks;
	bool dwt_hooked;

	/* run state */
	bool halted;
	uint64_t halt_entries; /* times the core entered Debug state (any cause) */
	bool lockup;
	bool reset_line;
	bool retired;        /* S_RETIRE_ST */
	bool reset_seen;     /* S_RESET_ST */
	bool regrdy;
	bool sleeping;       /* WFI/WFE with nothing pending (S_SLEEP) */
	bool stop_request;   /* a hook changed PC or halted: leave uc_emu_start */
	bool slice_done;     /* the instruction budget of this uc_emu_start is spent */
	uint64_t insn_count, insn_limit; /* instructions retired in this uc_emu_start */
	uint32_t insn_pc;    /* address of the instruction executing now */
	struct sim_rom_undo rom_undo;
	struct sim_core_mmio *mmio;
	size_t n_mmio;
	bool code_dirty;     /* memory changed outside Unicorn: flush its TB cache */
	uint64_t dirty_lo, dirty_hi; /* ... only this range, when not code_dirty */
	bool sysreset_pending, vectreset_pending;
	int fault_pending;   /* SIM_BUSERR_* to take once uc returns */
	uint32_t fault_addr;
	uint64_t run_done;    /* instructions executed in the current sim_core_run */
	uint64_t insn_carry;  /* fractional instructions (x 1e9) carried between slices */
	uint64_t cycles;      /* processor clock cycles so far (CPI 1, sleep included) */
	bool stepping;        /* inside a C_STEP: take no pending exception first */
	bool event_reg;       /* the WFE event register (B1.5.18) */
	/* Wait states (sim_fetch.c): cycles the core spent waiting for memory
	 * beyond what its run budget had left, paid from the next budgets. */
	uint64_t stall_debt;
	uint64_t stall_cycles;  /* all wait cycles so far (fetch and bus stalls) */
	/* the code region of the last fetch: [fetch_lo, fetch_lo + fetch_len) */
	uint32_t fetch_lo, fetch_len;
	sim_fetch_fn fetch_fn;
	void *fetch_opaque;

	/* NVIC and system handler state (sim_nvic.c), by exception number */
	uint32_t exc_pending[SIM_EXC_WORDS], exc_active[SIM_EXC_WORDS], irq_enable[SIM_EXC_WORDS];
	uint8_t exc_prio[SIM_EXC_MAX];
	/* SysTick (sim_systick.c) as of cycle st_at */
	uint32_t st_csr, st_rvr, st_cvr;
	uint64_t st_at;
	uint32_t st_div_carry; /* reference clock: processor cycles into the current tick */

	/* SCS */
	uint32_t dhcsr_ctrl; /* C_* bits */
	uint32_t dcrdr, demcr, dfsr;
	uint32_t vtor, ccr, shcsr /* enable bits only */, cfsr, hfsr, mmfar, bfar, cpacr, scr, aircr_prigroup;
	uint32_t fpccr, fpcar, fpdscr;
	uint32_t icsr_pend;
	/* FPB */
	bool fpb_enable;
	uint32_t fp_comp[SIM_FPB_MAX], fp_remap;
	/* DWT */
	uint32_t dwt_ctrl, cyccnt;
	uint32_t dwt_comp[SIM_DWT_MAX], dwt_mask[SIM_DWT_MAX], dwt_func[SIM_DWT_MAX];
	/* ITM */
	uint32_t itm_ter, itm_tcr, itm_tpr;
	bool itm_locked;     /* ARMv7-M software lock (ITM_LSR.SLK) */
	uint8_t itm_buf[SIM_ITM_BUF];
	size_t itm_len;
	uint8_t itm_pkt[SIM_ITM_BUF]; /* the same writes as ITM packets (trace output) */
	size_t itm_pkt_len;
	uint32_t dscsr;      /* DSCSR SBRSELEN, SBRSEL (ARMv8-M ARM, DSCSR) */
	bool powered_off;    /* power domain off (sim_core_set_power) */
	/* L1 I-cache (sim_core_icache.c); NULL: the core has none modelled */
	struct sim_icache *icache;
	struct sim_core_ic_swap ic_swap;
	uint32_t csselr;     /* cache size selection (CCSIDR view) */
	/* The line the last fetch looked up (fast path; NULL after any fill
	 * elsewhere or invalidate) */
	uint32_t ic_last_line;
	const uint8_t *ic_last_mem, *ic_last_data;
	uint64_t ic_fast_hits;
	/* Debug request timing (sim_core_dbg.c): virtual ns */
	uint64_t exec_ns;    /* how far sim_core_run has taken the core */
	uint64_t dbg_now;    /* the latest time the core was told (tick or run) */
	uint64_t reg_due, halt_due, step_due, reset_due; /* completion times, 0 = none */
	uint32_t reg_req;    /* the DCRSR value of the transfer in progress */
	uint32_t reg_wdata;  /* DCRDR as it was when a write transfer started */
};

/* sim_core_scs.c: the PPB as seen by the debugger and the CPU */
int sim_core_ppb_read(void *opaque, uint32_t off, unsigned size, uint32_t *val);
int sim_core_ppb_write(void *opaque, uint32_t off, unsigned size, uint32_t val);
uint32_t sim_core_ppb_cpu_read(struct sim_core *c, uint32_t off, unsigned size);
void sim_core_ppb_cpu_write(struct sim_core *c, uint32_t off, unsigned size, uint32_t val);
/* sim_core_fpb_dwt.c */
void sim_core_fpb_read(struct sim_core *c, uint32_t off, uint32_t *v);
void sim_core_fpb_write(struct sim_core *c, uint32_t off, uint32_t v);
void sim_core_dwt_read(struct sim_core *c, uint32_t off, uint32_t *v);
void sim_core_dwt_write(struct sim_core *c, uint32_t off, uint32_t v);
void sim_core_update_fpb(struct sim_core *c);
void sim_core_update_dwt(struct sim_core *c);
/* sim_core_map.c: bus regions in Unicorn */
int sim_core_map_bus(struct sim_core *c);
void sim_core_rom_undo(struct sim_core *c, bool invalidate);
void sim_core_invalidate_code(struct sim_core *c);
/* sim_core.c: run control */
int sim_core_run_hooks(struct sim_core *c);
void sim_core_enter_halt(struct sim_core *c, uint32_t dfsr_bits);
void sim_core_do_step(struct sim_core *c);
uint32_t sim_core_rd(struct sim_core *c, int uc_reg);
void sim_core_wr(struct sim_core *c, int uc_reg, uint32_t v);
void sim_core_set_pc(struct sim_core *c, uint32_t pc);
/* sim_core_exc.c: exception entry/return and faults */
int sim_core_exc_hooks(struct sim_core *c);
void sim_core_take_fault(struct sim_core *c, unsigned num, uint32_t cfsr_bits, uint32_t ret_pc);
void sim_core_after_run(struct sim_core *c, uc_err e);
/* sim_nvic.c: NVIC, SHPR, ICSR, SHCSR, STIR and exception priorities */
bool sim_nvic_read(struct sim_core *c, uint32_t off, unsigned size, uint32_t *v, bool cpu);
bool sim_nvic_write(struct sim_core *c, uint32_t off, unsigned size, uint32_t v, bool cpu);
void sim_nvic_reset(struct sim_core *c);
void sim_nvic_set_pending(struct sim_core *c, unsigned exc);
void sim_nvic_activate(struct sim_core *c, unsigned exc);
void sim_nvic_deactivate(struct sim_core *c, unsigned exc);
unsigned sim_nvic_active_count(const struct sim_core *c);
int sim_nvic_exc_priority(const struct sim_core *c, unsigned exc);
int sim_nvic_exec_priority(struct sim_core *c, bool with_masks);
bool sim_nvic_fault_enabled(const struct sim_core *c, unsigned exc);
bool sim_nvic_can_preempt(struct sim_core *c, unsigned exc);
/* The exception the core would take now (0 = none); for_wfi: ignore PRIMASK. */
unsigned sim_nvic_preempting(struct sim_core *c, bool for_wfi);
/* An enabled exception is pending (taken or not: PRIMASK, BASEPRI, priority). */
bool sim_nvic_held(struct sim_core *c);
/* Take the pending exception that can preempt now; true if one was taken. */
bool sim_nvic_take(struct sim_core *c);
/* sim_systick.c: SysTick (ARMv7-M B3.3) counted in processor cycles */
bool sim_systick_read(struct sim_core *c, uint32_t off, uint32_t *v, bool cpu);
bool sim_systick_write(struct sim_core *c, uint32_t off, uint32_t v);
void sim_systick_reset(struct sim_core *c);
void sim_systick_sync(struct sim_core *c);
uint64_t sim_systick_cycles_to_irq(struct sim_core *c);
/* sim_core_vfp.c: a trapped double-precision instruction; 1 = executed,
 * 0 = not one, -1 = CP10 disabled (NOCP) */
int sim_core_vfp_trap(struct sim_core *c, uint32_t pc);
/* sim_core_exc.c */
void sim_core_exception_entry(struct sim_core *c, unsigned num, uint32_t ret_pc);
/* sim_core_icache.c: the L1 I-cache in the fetch path */
int sim_core_icache_init(struct sim_core *c);
void sim_core_icache_free(struct sim_core *c);
bool sim_core_icache_fetch(struct sim_core *c, uint32_t addr, uint32_t size);
void sim_core_icache_slice_start(struct sim_core *c, uint32_t pc);
void sim_core_icache_slice_end(struct sim_core *c);
void sim_core_icache_reset(struct sim_core *c);
bool sim_core_icache_maint(struct sim_core *c, uint32_t off, uint32_t v, bool cpu);
bool sim_core_cache_id_read(struct sim_core *c, uint32_t off, uint32_t *v);
bool sim_core_cache_id_write(struct sim_core *c, uint32_t off, uint32_t v);
/* sim_core_dbg.c: debug requests that take a core clock cycle */
void sim_core_dbg_dcrsr(struct sim_core *c, uint32_t v);
void sim_core_dbg_halt_request(struct sim_core *c);
void sim_core_dbg_step_request(struct sim_core *c);
void sim_core_dbg_resume(struct sim_core *c);
void sim_core_dbg_sysresetreq(struct sim_core *c);
void sim_core_dbg_clear(struct sim_core *c);
bool sim_core_dbg_in_debug_state(const struct sim_core *c);
void sim_core_dbg_complete(struct sim_core *c, uint64_t t);
uint64_t sim_core_dbg_next(const struct sim_core *c, uint64_t from, uint64_t until);
/* sim_core_regs.c: DCRSR REGSEL transfers */
int sim_core_reg_get(struct sim_core *c, uint32_t regsel, uint32_t *val);
int sim_core_reg_set(struct sim_core *c, uint32_t regsel, uint32_t val);

/* sim_fetch.c: the instruction fetch at addr takes its memory's time. */
void sim_fetch_charge(struct sim_core *c, uint32_t addr, uint32_t size);
/* Budget bookkeeping: cycles done beyond n become debt; debt paid first. */
uint64_t sim_fetch_pay_debt(struct sim_core *c, uint64_t n);

#endif
