/* A simulated Cortex-M core: a real CPU (Unicorn) executing the firmware,
 * wrapped in our model of the ARMv7-M / ARMv8-M debug registers (SCS DHCSR,
 * DCRSR, DCRDR, DEMCR, DFSR, AIRCR, CPUID), FPB, DWT and ITM. It serves the
 * internal PPB (0xE0000000-0xE003FFFF) as MMIO on the bus it is given, so the
 * debugger reaches it through the MEM-AP exactly as on silicon. */
#ifndef SW_SIM_CORE_H
#define SW_SIM_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/sim_bus.h"
#include "sim/sim_cache.h"
#include "sw/ctx.h"

struct sim_core;

struct sim_core_cfg {
	const char *name;      /* "cm7", "hp", "he" */
	unsigned arch;         /* 7 = ARMv7-M, 8 = ARMv8-M Mainline */
	uint32_t cpuid;        /* e.g. 0x411FC271 Cortex-M7 r1p1 */
	bool fpu;              /* FPv5 (D16) */
	bool dp_fpu;           /* double precision */
	unsigned fpb_rev;      /* 0 = FPB v1, 1 = v2 */
	unsigned fpb_code;     /* code comparators */
	unsigned fpb_lit;      /* literal comparators */
	unsigned dwt_comps;    /* DWT comparators */
	uint32_t cpu_hz;       /* virtual core clock */
	uint32_t vtor_reset;   /* VTOR after reset (boot address) */
	/* Called when the core requests a system reset (AIRCR.SYSRESETREQ):
	 * the chip resets its peripherals and every core. */
	void (*sysresetreq)(void *chip);
	void *chip;
	/* ARMv8-M Security Extension (M55 on the AE3): DAUTHSTATUS reports
	 * Secure debug, DSCSR exists. The CPU itself stays in Secure state. */
	bool secext;
	/* NVIC (ARMv7-M B3.4): external interrupt lines (ICTR rounds up to
	 * 32), implemented priority bits (0 = 4), SysTick reference clock as a
	 * divider of the core clock (0 = none: CALIB.NOREF, CLKSOURCE reads 1). */
	unsigned n_irq;
	unsigned prio_bits;
	unsigned systick_ref_div;
	/* The CPU accessed an address with no model (a bus error follows):
	 * the chip names it in the log. Called with `chip`. */
	void (*unmodelled)(void *chip, uint32_t addr);
	/* L1 instruction cache (size 0: none modelled) and the TCMs at
	 * 0x00000000 (ITCM) and 0x20000000 (DTCM), whose fetches bypass it.
	 * dcache: the D-cache's geometry, reported in CLIDR/CCSIDR only (no
	 * D-cache is modelled). */
	struct sim_icache_cfg icache, dcache;
	uint32_t itcm_size, dtcm_size;
};

int sim_core_new(struct sw_ctx *ctx, struct sim_bus *bus, const struct sim_core_cfg *cfg,
		 struct sim_core **out);
void sim_core_free(struct sim_core *core);

/* Run for `ns` of virtual time (no-op while halted, in reset or sleeping
 * with nothing pending). */
void sim_core_run(struct sim_core *core, uint64_t ns);
/* Inside sim_core_run: the time the instructions executed so far took, so
 * peripherals the CPU touches see time pass instruction by instruction. */
uint64_t sim_core_slice_ns(const struct sim_core *core);

enum sim_reset_kind {
	SIM_RESET_POWER_ON, /* everything, debug registers included */
	SIM_RESET_SYSTEM,   /* SYSRESETREQ / nRST: core and SCS, but not DHCSR.C_DEBUGEN, DEMCR */
	SIM_RESET_CORE,     /* VECTRESET (ARMv7-M only) */
};
void sim_core_reset(struct sim_core *core, enum sim_reset_kind kind);
/* Hold the core in reset while asserted (nRST pin). */
void sim_core_set_reset_line(struct sim_core *core, bool asserted);

/* Power domain of the core (default on). Off: the core does not run,
 * whatever nRST does; back on: a power-on reset (debug logic included). */
void sim_core_set_power(struct sim_core *core, bool on);

bool sim_core_halted(const struct sim_core *core);
/* How often the core entered Debug state since it was created (any cause:
 * C_HALT, BKPT/FPB, DWT, vector catch); steps from Debug state do not count. */
uint64_t sim_core_halt_entries(const struct sim_core *core);

/* A peripheral raises external interrupt `irq` (NVIC ISPR bit; pulse). */
void sim_core_irq(struct sim_core *core, unsigned irq);
/* A RAM region of the bus was resized (sim_bus_resize): the CPU's view
 * follows; `max_size` is the size it was mapped with. Contents may have
 * moved, so code translated from the region is dropped. */
void sim_core_ram_resized(struct sim_core *core, uint32_t base, uint32_t size, uint32_t max_size);
/* A read-only region (a memory-mapped flash window) becomes readable or
 * not for the CPU: while not, loads and fetches are bus errors. */
void sim_core_set_readable(struct sim_core *core, uint32_t base, uint32_t size, bool readable);
/* The core waits `ns` within the instruction executing now (a bus stall
 * of one of its accesses): the cycles come out of its run budget, not out
 * of the debugger's wire time (sim_fetch.c). */
void sim_core_stall_ns(struct sim_core *core, uint64_t ns);
/* Cycles the core has spent waiting for memory since it was created. */
uint64_t sim_core_stall_cycles(const struct sim_core *core);
/* The core clock (RCC switched SYSCLK): cycles per virtual second. */
void sim_core_set_hz(struct sim_core *core, uint32_t hz);

/* Debug request timing (sim_core_dbg.c): the sim's time sync tells the
 * core the virtual time before each debugger access; requests (DCRSR
 * transfer, C_HALT, C_STEP, SYSRESETREQ) complete a core clock cycle after
 * they were made. sim_core_debug_due: one is due by now_ns (the sync then
 * runs the cores at once so the completion lands on time). */
void sim_core_debug_tick(struct sim_core *core, uint64_t now_ns);
bool sim_core_debug_due(const struct sim_core *core, uint64_t now_ns);
uint64_t sim_core_now_ns(const struct sim_core *core);

/* Memory was written behind the CPU's back (debugger, back door): drop
 * translated code before the next instruction runs. */
void sim_core_flush_code(struct sim_core *core);
void sim_core_code_written(struct sim_core *core, uint32_t addr, unsigned size);

/* I-cache counters; -1 when the core has no I-cache modelled. */
int sim_core_icache_stats(const struct sim_core *core, struct sim_icache_stats *st);

/* Bytes written to enabled ITM stimulus ports since the last call. */
size_t sim_core_itm_take(struct sim_core *core, uint8_t *buf, size_t max);
/* The ITM's packet stream (what leaves through trace) since the last call. */
size_t sim_core_itm_packets_take(struct sim_core *core, uint8_t *buf, size_t max);

#endif
