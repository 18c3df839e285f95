/* The register file as gdb sees it: one table gives the remote register
 * number (its index), name, width, gdb feature and group, and the DCRSR
 * REGSEL used to reach it (ARMv7-M ARM C1.6.3; ARMv8-M ARM D1.2.4). */
#ifndef SW_CORTEXM_REGS_H
#define SW_CORTEXM_REGS_H

#include <stddef.h>
#include <stdint.h>

enum sw_reg_feature {
	SW_REGF_MPROFILE, /* org.gnu.gdb.arm.m-profile */
	SW_REGF_SYSTEM,   /* org.gnu.gdb.arm.m-system (+ primask... as OpenOCD) */
	SW_REGF_VFP,      /* org.gnu.gdb.arm.vfp */
	SW_REGF_SECEXT,   /* org.gnu.gdb.arm.secext */
	SW_REGF_MVE,      /* org.gnu.gdb.arm.m-profile-mve */
};

/* How a register is reached through DCRSR. */
#define SW_REGSEL_SPECIAL 0x14u /* CONTROL[31:24] FAULTMASK[23:16] BASEPRI[15:8] PRIMASK[7:0] */

struct sw_reg_desc {
	const char *name;
	unsigned bits;         /* 32 or 64 */
	enum sw_reg_feature feature;
	const char *type;      /* gdb type: "uint32", "code_ptr", "data_ptr", "ieee_double", "int" */
	const char *group;     /* NULL or "system", "float" */
	uint8_t regsel;        /* DCRSR REGSEL; for d registers the REGSEL of s(2n) */
	uint8_t shift;         /* bit position inside a packed special register */
	uint8_t width;         /* field width inside the packed register (bits), 32 if whole */
};

/* Remote register numbers (also the g-packet order). */
enum sw_regno {
	SW_REG_R0 = 0,
	SW_REG_SP = 13,
	SW_REG_LR = 14,
	SW_REG_PC = 15,
	SW_REG_XPSR = 16,
	SW_REG_MSP = 17,
	SW_REG_PSP = 18,
	SW_REG_PRIMASK = 19,
	SW_REG_BASEPRI = 20,
	SW_REG_FAULTMASK = 21,
	SW_REG_CONTROL = 22,
	SW_REG_D0 = 23,
	SW_REG_D15 = 38,
	SW_REG_FPSCR = 39,
	SW_REG_MSP_NS = 40,
	SW_REG_PSP_NS = 41,
	SW_REG_MSP_S = 42,
	SW_REG_PSP_S = 43,
	SW_REG_VPR = 44,
	SW_REG_COUNT = 45,
};

/* The table, indexed by enum sw_regno. */
const struct sw_reg_desc *sw_reg_table(void);

#endif
