/* The simulated core's undefined-instruction path for double precision:
 * when Unicorn stops on an instruction it cannot execute, a 32-bit VFP
 * data-processing instruction with a double operand is executed by
 * sim_vfp_dp.c on the core's registers, as the FPv5-D16 FPU of a
 * Cortex-M7 would, then the IT block advances (ARMv7-M ARM A7.3 ITSTATE)
 * and PC moves past it. CP10 disabled in CPACR is a NOCP UsageFault
 * (B3.2.20), as for any FP instruction. */
#include "sim/sim_core_priv.h"
#include "sim/sim_vfp_dp.h"

/* A7.3.1 ConditionPassed for the IT block's base condition. */
static bool condition_passed(unsigned cond, uint32_t nzcv)
{
	bool n = nzcv & 8u, z = nzcv & 4u, cf = nzcv & 2u, v = nzcv & 1u, r;

	switch (cond >> 1) {
	case 0: r = z; break;
	case 1: r = cf; break;
	case 2: r = n; break;
	case 3: r = v; break;
	case 4: r = cf && !z; break;
	case 5: r = n == v; break;
	case 6: r = !z && n == v; break;
	default: r = true; break;
	}
	return (cond & 1u) && cond != 0xFu ? !r : r;
}

int sim_core_vfp_trap(struct sim_core *c, uint32_t pc)
{
	uint32_t hw1 = 0, hw2 = 0, xpsr, it;
	struct sim_vfp v;

	if (!c->cfg.dp_fpu || sim_bus_read(c->bus, pc & ~1u, 2, &hw1) ||
	    sim_bus_read(c->bus, (pc & ~1u) + 2, 2, &hw2))
		return SIM_VFP_NOT_DP;
	if ((hw1 & 0xEF00u) != 0xEE00u || ((hw2 >> 9) & 7u) != 5u)
		return SIM_VFP_NOT_DP; /* not in the CP10/CP11 data-processing space */
	if (!(c->cpacr & (3u << 20)))
		return -1; /* CP10 access denied: NOCP */
	xpsr = sim_core_rd(c, UC_ARM_REG_XPSR);
	it = ((xpsr >> 8) & 0xFCu) | ((xpsr >> 25) & 3u);
	if (!(it & 0xFu) || condition_passed(it >> 4, xpsr >> 28)) {
		for (unsigned i = 0; i < 16; i++)
			uc_reg_read(c->uc, UC_ARM_REG_D0 + (int)i, &v.d[i]);
		v.fpscr = sim_core_rd(c, UC_ARM_REG_FPSCR);
		v.apsr = xpsr & 0xF0000000u;
		if (sim_vfp_dp_exec(&v, hw1 << 16 | hw2) != SIM_VFP_DONE)
			return SIM_VFP_NOT_DP;
		for (unsigned i = 0; i < 16; i++)
			uc_reg_write(c->uc, UC_ARM_REG_D0 + (int)i, &v.d[i]);
		sim_core_wr(c, UC_ARM_REG_FPSCR, v.fpscr);
		/* An FP instruction makes the FP context active (CONTROL.FPCA
		 * with FPCCR.ASPEN, B1.4.7), as Unicorn does for the ones it runs. */
		uint32_t control = sim_core_rd(c, UC_ARM_REG_CONTROL);
		if ((c->fpccr & (1u << 31)) && !(control & 4u))
			sim_core_wr(c, UC_ARM_REG_CONTROL, control | 4u);
	}
	if (it & 0xFu) { /* ITAdvance */
		it = (it & 7u) ? (it & 0xE0u) | ((it << 1) & 0x1Fu) : 0;
		xpsr = (xpsr & ~0x0600FC00u) | ((it & 0xFCu) << 8) | ((it & 3u) << 25);
		sim_core_wr(c, UC_ARM_REG_XPSR, xpsr);
	}
	sim_core_set_pc(c, (pc & ~1u) + 4);
	return SIM_VFP_DONE;
}
