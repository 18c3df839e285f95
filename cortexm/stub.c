/* Running debugger code on the target (flash loaders): while it runs, the
 * user's breakpoints and watchpoints must not fire on it (an rwatch on a
 * constant in flash would stop a CRC loop). DWT comparators only match
 * with DEMCR.TRCENA set (ARMv7-M ARM C1.8.1) and FPB comparators only with
 * FP_CTRL.ENABLE (C1.11.3); both are switched off and put back. Vector
 * catch stays armed so a crashing loader halts where it crashed. */
#include "cortexm/cortexm_priv.h"

int sw_core_traps_suspend(struct sw_core *c, uint32_t *saved_demcr)
{
	uint32_t demcr = 0;
	int r;

	if ((r = sw_mem_read32(c->ap, CM_DEMCR, &demcr)) ||
	    (r = sw_mem_queue_write32(c->ap, CM_DEMCR, demcr & ~DEMCR_TRCENA)) ||
	    (r = sw_mem_queue_write32(c->ap, CM_FP_CTRL, FP_CTRL_KEY)) || (r = sw_dap_run(sw_ap_dap(c->ap))))
		return sw_fail(c->ctx, r, "suspending breakpoints and watchpoints: %s", sw_errmsg(c->ctx));
	*saved_demcr = demcr;
	return SW_OK;
}

int sw_core_traps_resume(struct sw_core *c, uint32_t saved_demcr)
{
	int r;

	if ((r = sw_mem_queue_write32(c->ap, CM_DEMCR, saved_demcr)) ||
	    (r = sw_mem_queue_write32(c->ap, CM_FP_CTRL, FP_CTRL_KEY | (c->fpb_enabled ? FP_CTRL_ENABLE : 0))) ||
	    (r = sw_dap_run(sw_ap_dap(c->ap))))
		return sw_fail(c->ctx, r, "restoring breakpoints and watchpoints: %s", sw_errmsg(c->ctx));
	return SW_OK;
}
