/* Register table (see regs.h). DCRSR REGSEL values: ARMv7-M ARM C1.6.3
 * Table C1-10; ARMv8-M ARM D1.2.4 (banked stack pointers, VPR). */
#include "cortexm/regs.h"

#define R(n, sel) {n, 32, SW_REGF_MPROFILE, "uint32", NULL, sel, 0, 32}
#define D(n, sel) {n, 64, SW_REGF_VFP, "ieee_double", "float", sel, 0, 32}

static const struct sw_reg_desc table[SW_REG_COUNT] = {
	R("r0", 0), R("r1", 1), R("r2", 2), R("r3", 3), R("r4", 4), R("r5", 5), R("r6", 6),
	R("r7", 7), R("r8", 8), R("r9", 9), R("r10", 10), R("r11", 11), R("r12", 12),
	{"sp", 32, SW_REGF_MPROFILE, "data_ptr", NULL, 13, 0, 32},
	{"lr", 32, SW_REGF_MPROFILE, "uint32", NULL, 14, 0, 32},
	{"pc", 32, SW_REGF_MPROFILE, "code_ptr", NULL, 15, 0, 32},
	{"xpsr", 32, SW_REGF_MPROFILE, "uint32", NULL, 16, 0, 32},
	{"msp", 32, SW_REGF_SYSTEM, "data_ptr", "system", 17, 0, 32},
	{"psp", 32, SW_REGF_SYSTEM, "data_ptr", "system", 18, 0, 32},
	/* CONTROL[31:24] FAULTMASK[23:16] BASEPRI[15:8] PRIMASK[7:0] in REGSEL 0x14. */
	{"primask", 32, SW_REGF_SYSTEM, "uint32", "system", SW_REGSEL_SPECIAL, 0, 1},
	{"basepri", 32, SW_REGF_SYSTEM, "uint32", "system", SW_REGSEL_SPECIAL, 8, 8},
	{"faultmask", 32, SW_REGF_SYSTEM, "uint32", "system", SW_REGSEL_SPECIAL, 16, 1},
	{"control", 32, SW_REGF_SYSTEM, "uint32", "system", SW_REGSEL_SPECIAL, 24, 8},
	D("d0", 0x40), D("d1", 0x42), D("d2", 0x44), D("d3", 0x46), D("d4", 0x48), D("d5", 0x4A),
	D("d6", 0x4C), D("d7", 0x4E), D("d8", 0x50), D("d9", 0x52), D("d10", 0x54), D("d11", 0x56),
	D("d12", 0x58), D("d13", 0x5A), D("d14", 0x5C), D("d15", 0x5E),
	{"fpscr", 32, SW_REGF_VFP, "int", "float", 0x21, 0, 32},
	{"msp_ns", 32, SW_REGF_SECEXT, "data_ptr", "system", 0x18, 0, 32},
	{"psp_ns", 32, SW_REGF_SECEXT, "data_ptr", "system", 0x19, 0, 32},
	{"msp_s", 32, SW_REGF_SECEXT, "data_ptr", "system", 0x1A, 0, 32},
	{"psp_s", 32, SW_REGF_SECEXT, "data_ptr", "system", 0x1B, 0, 32},
	{"vpr", 32, SW_REGF_MVE, "uint32", NULL, 0x24, 0, 32},
};

const struct sw_reg_desc *sw_reg_table(void)
{
	return table;
}
