/* Double-precision VFP instructions emulated for the simulated Cortex-M7
 * (FPv5-D16): Unicorn 2.0.1's Cortex-M7 model has a single-precision FPU
 * and raises an undefined instruction for every data-processing
 * instruction with a double operand; loads, stores and core-register
 * moves of D registers it executes itself. Pure logic on a register file,
 * so it can be tested against the host's IEEE 754 arithmetic. */
#ifndef SW_SIM_VFP_DP_H
#define SW_SIM_VFP_DP_H

#include <stdint.h>

struct sim_vfp {
	uint64_t d[16]; /* D0-D15; S(2n) is the low half of Dn, S(2n+1) the high */
	uint32_t fpscr;
	uint32_t apsr; /* NZCV in [31:28], read by VSEL */
};

enum {
	SIM_VFP_NOT_DP = 0, /* not an instruction handled here */
	SIM_VFP_DONE = 1,   /* executed: registers and FPSCR updated */
};

/* insn = first halfword << 16 | second halfword (Thumb-2 encoding). The
 * caller has checked the condition (IT block) and that CP10 is enabled. */
int sim_vfp_dp_exec(struct sim_vfp *v, uint32_t insn);

#endif
