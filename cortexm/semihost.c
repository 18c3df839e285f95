/* Semihosting call decode and return (semihost.h). */
#include "cortexm/semihost.h"

int sw_core_semihost_decode(struct sw_core *core, const struct sw_core_state *st, struct sw_semihost_call *call,
			    bool *is_call)
{
	static const unsigned regs[] = {SW_REG_R0, SW_REG_R0 + 1, SW_REG_SP};
	uint64_t v[3];
	uint8_t insn[2];
	int r;

	*is_call = false;
	if (!st->halted || st->reason != SW_HALT_BREAKPOINT)
		return SW_OK;
	/* An FPB breakpoint leaves memory as it is, so this reads the code. */
	if ((r = sw_core_mem_read(core, st->pc, insn, 2)))
		return r;
	if ((uint32_t)(insn[0] | insn[1] << 8) != SW_SEMIHOST_BKPT)
		return SW_OK;
	if ((r = sw_core_regs_read(core, regs, 3, v)))
		return r;
	*call = (struct sw_semihost_call){(uint32_t)v[0], (uint32_t)v[1], st->pc, (uint32_t)v[2]};
	*is_call = true;
	return SW_OK;
}

int sw_core_semihost_args(struct sw_core *core, const struct sw_semihost_call *call, uint32_t *w, unsigned n)
{
	return sw_core_mem_read(core, call->param, w, 4u * n);
}

int sw_core_semihost_return(struct sw_core *core, const struct sw_semihost_call *call, uint32_t r0)
{
	int r = sw_core_reg_write(core, SW_REG_R0, r0);

	/* The BKPT is 16 bits wide in Thumb (ARMv7-M ARM A7.7.17). */
	return r ? r : sw_core_reg_write(core, SW_REG_PC, call->pc + 2u);
}
