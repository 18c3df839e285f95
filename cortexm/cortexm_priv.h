/* Private state of the Cortex-M core layer. */
#ifndef SW_CORTEXM_PRIV_H
#define SW_CORTEXM_PRIV_H

#include "cortexm/core.h"

/* Debug registers (ARMv7-M ARM C1.6; ARMv8-M ARM D1.2). */
#define CM_DHCSR 0xE000EDF0u
#define CM_DCRSR 0xE000EDF4u
#define CM_DCRDR 0xE000EDF8u
#define CM_DEMCR 0xE000EDFCu
#define CM_DFSR 0xE000ED30u
#define CM_AIRCR 0xE000ED0Cu
#define CM_CPUID 0xE000ED00u
#define CM_MVFR0 0xE000EF40u
#define CM_FP_CTRL 0xE0002000u
#define CM_FP_COMP0 0xE0002008u
#define CM_CPUID_PARTNO_M7 0xC27u
#define CM_DWT_CTRL 0xE0001000u
#define DWT_COMP(n) (0xE0001020u + 16u * (n))
#define DWT_MASK(n) (0xE0001024u + 16u * (n))
#define DWT_FUNCTION(n) (0xE0001028u + 16u * (n))
#define DWT_FUNCTION_MATCHED (1u << 24)
#define CM_DAUTHSTATUS 0xE000EFB8u

#define DHCSR_DBGKEY 0xA05F0000u
#define DHCSR_C_DEBUGEN (1u << 0)
#define DHCSR_C_HALT (1u << 1)
#define DHCSR_C_STEP (1u << 2)
#define DHCSR_C_MASKINTS (1u << 3)
#define DHCSR_S_REGRDY (1u << 16)
#define DHCSR_S_HALT (1u << 17)
#define DHCSR_S_LOCKUP (1u << 19)
#define DHCSR_S_RESET_ST (1u << 25)
#define DCRSR_REGWNR (1u << 16)
#define DEMCR_VC_CORERESET (1u << 0)
#define DEMCR_VC_HARDERR (1u << 10)
#define DEMCR_VC_ALL 0x7F1u
#define DEMCR_TRCENA (1u << 24)
#define DFSR_HALTED (1u << 0)
#define DFSR_BKPT (1u << 1)
#define DFSR_DWTTRAP (1u << 2)
#define DFSR_VCATCH (1u << 3)
#define DFSR_EXTERNAL (1u << 4)
#define AIRCR_VECTKEY 0x05FA0000u
#define AIRCR_SYSRESETREQ (1u << 2)
#define AIRCR_VECTRESET (1u << 0)
#define FP_CTRL_KEY (1u << 1)
#define FP_CTRL_ENABLE (1u << 0)

#define CM_MAX_FPB 16
#define CM_MAX_SOFT 64
#define CM_POLLS 200
#define CM_SPURIOUS_MAX 3 /* same-PC spurious halts before reporting one */
#define CM_REGRDY_POLLS 20 /* round trips; a register moves in a few core cycles */

struct soft_bp {
	uint32_t addr;
	uint16_t orig;
};

#define CM_MAX_DWT 8

struct cm_watch {
	bool used;
	uint32_t addr;
	unsigned len;
	unsigned kind; /* 2 write, 3 read, 4 access; 0 data value watch */
	bool value;    /* the value comparator of a data value watch */
	uint32_t data;
	unsigned link; /* its second comparator (address of a value watch, v8 limit), or CM_NO_LINK */
	bool aux;      /* owned by another entry's watch (its link) */
};
#define CM_NO_LINK CM_MAX_DWT

struct sw_core {
	struct sw_ctx *ctx;
	sw_ap *ap;
	struct sw_core_info info;
	bool halted;              /* as of the last poll */
	uint64_t regs[SW_REG_COUNT];
	uint64_t reg_valid;       /* bit per regno */
	uint32_t fpb_addr[CM_MAX_FPB];
	bool fpb_used[CM_MAX_FPB];
	bool fpb_enabled;
	struct soft_bp soft[CM_MAX_SOFT];
	unsigned n_soft;
	struct cm_watch wp[CM_MAX_DWT];
	uint8_t dwt_id[CM_MAX_DWT]; /* ARMv8-M DWT_FUNCTIONn.ID, read at attach */
	bool reset_latched;       /* S_RESET_ST seen by a DHCSR read made for another reason */
	uint32_t spurious_pc;     /* erratum 3092511 guard: last PC resumed */
	unsigned spurious_count;  /* consecutive spurious halts there */
	uint32_t vc_at_attach;    /* DEMCR vector catch bits before we set ours */
	bool code_changed;        /* memory written since the last resume: ICIALLU first */
};

/* cortexm/watch.c */
int cm_watch_hit(struct sw_core *c, uint32_t *addr, unsigned *kind);
int cm_watch_clear_all(struct sw_core *c);

/* cortexm/bp.c: is there a breakpoint of ours at addr? */
bool cm_bp_known(const struct sw_core *c, uint32_t addr);
/* cortexm/bp.c: queue ICIALLU if memory changed since the last resume (a
 * core with an L1 I-cache); the caller runs the batch and then clears
 * c->code_changed. */
int cm_queue_icache_sync(struct sw_core *c);

/* DHCSR.S_RESET_ST clears on read (ARMv7-M C1.6.2): a read made for
 * S_REGRDY or S_HALT must not lose it, or a reset of a halted core (which
 * stays halted, C1.6.3) goes unnoticed. */
static inline void cm_note_dhcsr(struct sw_core *c, uint32_t dhcsr)
{
	if (dhcsr & (1u << 25))
		c->reset_latched = true;
}

/* cortexm/regaccess.c */
void cm_invalidate_regs(struct sw_core *c);
/* Register reads queued into the caller's batch: cm_regs_queue adds, per
 * selector, a DCRSR write, a DHCSR read and a DCRDR read; after the batch
 * ran, cm_regs_queued_done checks every S_REGRDY, redoes late ones with
 * polling and fills the register cache. */
#define CM_MAX_SEL 64
struct cm_regq {
	uint8_t sel[CM_MAX_SEL];
	uint32_t data[CM_MAX_SEL], dhcsr[CM_MAX_SEL];
	size_t ns;
};
int cm_regs_queue(struct sw_core *c, const unsigned *regnos, size_t n, struct cm_regq *q);
int cm_regs_queued_done(struct sw_core *c, struct cm_regq *q);

#endif
