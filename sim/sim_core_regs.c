/* Core register transfers for DCRSR/DCRDR (ARMv7-M ARM C1.6.3 REGSEL;
 * ARMv8-M ARM D1.2.4 adds the banked stack pointers and limits). No
 * Security Extension is modelled: the _S and _NS selectors alias the one
 * MSP/PSP, the limit registers read as zero. */
#include "sim/sim_core_priv.h"

#define REGSEL_XPSR 16u
#define REGSEL_SPECIAL 0x14u /* CONTROL[31:24] FAULTMASK[23:16] BASEPRI[15:8] PRIMASK[7:0] */
#define REGSEL_FPSCR 0x21u

static int regsel_to_uc(uint32_t sel)
{
	if (sel <= 12)
		return UC_ARM_REG_R0 + (int)sel;
	switch (sel) {
	case 13: return UC_ARM_REG_SP;
	case 14: return UC_ARM_REG_LR;
	case 15: return UC_ARM_REG_PC;
	case REGSEL_XPSR: return UC_ARM_REG_XPSR;
	case 17: case 0x18: case 0x1A: return UC_ARM_REG_MSP;
	case 18: case 0x19: case 0x1B: return UC_ARM_REG_PSP;
	case REGSEL_FPSCR: return UC_ARM_REG_FPSCR;
	default: break;
	}
	if (sel >= 0x40 && sel <= 0x5F)
		return UC_ARM_REG_S0 + (int)(sel - 0x40);
	return -1;
}

static bool packed_special(uint32_t sel)
{
	return sel == REGSEL_SPECIAL || sel == 0x22 || sel == 0x23;
}

static bool valid_for_core(const struct sim_core *c, uint32_t sel)
{
	if ((sel == REGSEL_FPSCR || sel >= 0x40) && !c->cfg.fpu)
		return false;
	if (sel >= 0x18 && sel <= 0x23 && sel != 0x20 && sel != REGSEL_FPSCR && c->cfg.arch != 8)
		return false;
	return true;
}

/* CONTROL on ARMv7-M has nPRIV, SPSEL and FPCA only (B1.4.4); bit 3
 * (SFPA) exists on ARMv8-M with the Security Extension. */
static uint32_t control_mask(const struct sim_core *c)
{
	return c->cfg.arch == 7 ? (c->cfg.fpu ? 0x7u : 0x3u) : 0xFFu;
}

int sim_core_reg_get(struct sim_core *c, uint32_t sel, uint32_t *val)
{
	int r;

	if (!valid_for_core(c, sel))
		return -1;
	if (packed_special(sel)) {
		*val = (sim_core_rd(c, UC_ARM_REG_CONTROL) & control_mask(c)) << 24 |
		       (sim_core_rd(c, UC_ARM_REG_FAULTMASK) & 1u) << 16 |
		       (sim_core_rd(c, UC_ARM_REG_BASEPRI) & 0xFFu) << 8 |
		       (sim_core_rd(c, UC_ARM_REG_PRIMASK) & 1u);
		return 0;
	}
	if (c->cfg.arch == 8 && sel >= 0x1C && sel <= 0x1F) {
		*val = 0; /* MSPLIM/PSPLIM: stack limits not modelled */
		return 0;
	}
	r = regsel_to_uc(sel);
	if (r < 0)
		return -1;
	*val = sim_core_rd(c, r);
	return 0;
}

int sim_core_reg_set(struct sim_core *c, uint32_t sel, uint32_t v)
{
	int r;

	if (!valid_for_core(c, sel))
		return -1;
	if (packed_special(sel)) {
		sim_core_wr(c, UC_ARM_REG_PRIMASK, v & 1u);
		sim_core_wr(c, UC_ARM_REG_BASEPRI, (v >> 8) & 0xFFu);
		sim_core_wr(c, UC_ARM_REG_FAULTMASK, (v >> 16) & 1u);
		sim_core_wr(c, UC_ARM_REG_CONTROL, (v >> 24) & control_mask(c));
		return 0;
	}
	if (c->cfg.arch == 8 && sel >= 0x1C && sel <= 0x1F)
		return 0;
	r = regsel_to_uc(sel);
	if (r < 0)
		return -1;
	if (sel == 15)
		sim_core_set_pc(c, v); /* bit 0 is ignored; EPSR.T is separate (C1.6.3) */
	else if (sel == REGSEL_XPSR)
		/* The whole xPSR (C1.6.3): flags, IPSR and EPSR (T, ICI/IT). A
		 * debugger that writes T = 0 gets an INVSTATE UsageFault on the
		 * next instruction, as on silicon. */
		sim_core_wr(c, UC_ARM_REG_XPSR, v);
	else
		sim_core_wr(c, r, v);
	return 0;
}
