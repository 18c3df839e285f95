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
#define DEMCR_VC_CORERESET (1u << 0)
#define DEMCR_VC_HARDERR (1u << 10)
#define DEMCR_TRCENA (1u << 24)

struct sim_core {
	struct sw_ctx *ctx;
	struct sim_core_cfg cfg;
	struct sim_bus *bus;
	uc_engine *uc;
	uc_hook intr_hook, unmapped_hook, prot_hook;
	uc_hook fpb_hooks[SIM_FPB_MAX * 2];
	unsigned n_fpb_hooks;
	uc_hook dwt_hook;
	bool dwt_hooked;

	/* run state */
	bool halted;
	bool lockup;
	bool reset_line;
	bool retired;        /* S_RETIRE_ST */
	bool reset_seen;     /* S_RESET_ST */
	bool regrdy;
	bool stop_request;   /* a hook asked the run loop to stop */
	bool code_dirty;     /* memory changed outside Unicorn: flush its TB cache */
	bool sysreset_pending, vectreset_pending;
	int fault_pending;   /* exception number to take after uc returns, 0 none */
	uint32_t fault_addr;
	uint64_t insn_carry;  /* fractional instructions (x 1e9) carried between slices */
	unsigned exc_depth;   /* nested exception count (our bookkeeping) */

	/* SCS */
	uint32_t dhcsr_ctrl; /* C_* bits */
	uint32_t dcrdr, demcr, dfsr;
	uint32_t vtor, ccr, shcsr, cfsr, hfsr, mmfar, bfar, cpacr, scr, aircr_prigroup;
	uint32_t icsr_pend;
	/* FPB */
	bool fpb_enable;
	uint32_t fp_comp[SIM_FPB_MAX], fp_remap;
	/* DWT */
	uint32_t dwt_ctrl, cyccnt;
	uint32_t dwt_comp[SIM_DWT_MAX], dwt_mask[SIM_DWT_MAX], dwt_func[SIM_DWT_MAX];
	/* ITM */
	uint32_t itm_ter, itm_tcr, itm_tpr;
	uint8_t itm_buf[SIM_ITM_BUF];
	size_t itm_len;
};

/* sim_core_scs.c */
int sim_core_ppb_read(void *opaque, uint32_t off, unsigned size, uint32_t *val);
int sim_core_ppb_write(void *opaque, uint32_t off, unsigned size, uint32_t val);
void sim_core_update_fpb(struct sim_core *c);
void sim_core_update_dwt(struct sim_core *c);
/* sim_core.c */
void sim_core_enter_halt(struct sim_core *c, uint32_t dfsr_bits);
void sim_core_do_step(struct sim_core *c);
int sim_core_reg_get(struct sim_core *c, uint32_t regsel, uint32_t *val);
int sim_core_reg_set(struct sim_core *c, uint32_t regsel, uint32_t val);

#endif
