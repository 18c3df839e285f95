/* --connect-under-reset (server/connect_reset.h). */
#include <stdio.h>

#include "server/connect_reset.h"

#define VC_CORERESET 0x1u /* DEMCR bit 0 (ARMv7-M C1.6.5) */
#define HALT_POLLS 200    /* after nRST release: the catch halts before the first instruction */

/* Wait for the reset vector catch on core i and report where it stopped. */
static int wait_caught(struct sw_ctx *ctx, const struct sw_target_desc *desc, struct sw_core *core, size_t i)
{
	struct sw_core_state st = {0};
	int r;

	for (unsigned n = 0; n < HALT_POLLS; n++) {
		if ((r = sw_core_poll(core, &st)))
			return r;
		if (st.halted)
			break;
	}
	if (!st.halted)
		return sw_fail(ctx, SW_ERR_TIMEOUT, "--connect-under-reset: core %s did not halt at the reset vector",
			       desc->cores[i].name);
	SW_LOG_I(ctx, "core %s halted at the reset vector (pc 0x%08x)%s", desc->cores[i].name, st.pc,
		 st.reason == SW_HALT_RESET ? "" : ", not by the reset catch");
	return SW_OK;
}

/* The chip's AP answered under reset: arm the catch on every core, then release. */
static int catch_and_release(struct sw_probe *probe, struct sw_target *t, uint32_t *had)
{
	int r;

	for (size_t i = 0; i < sw_target_core_count(t); i++) {
		struct sw_core *core = sw_target_core(t, i);
		if (!core)
			continue;
		if ((r = sw_core_vector_catch_get(core, &had[i])) || (r = sw_core_vector_catch(core, VC_CORERESET, true)))
			return r;
	}
	return sw_probe_set_nrst(probe, false);
}

/* The core AP is dead while nRST is low: connect after the release, halt,
 * and reset with the catch armed (the firmware ran for a few round trips). */
static int fallback(struct sw_ctx *ctx, struct sw_probe *probe, const struct sw_target_desc *desc,
		    struct sw_target **t)
{
	int r;

	SW_LOG_W(ctx, "--connect-under-reset: %s's core AP does not answer while nRST is held (%s); "
		 "connecting right after the release and resetting with the reset vector catch set",
		 desc->name, sw_errmsg(ctx));
	if ((r = sw_probe_set_nrst(probe, false)) || (r = sw_target_open(ctx, probe, desc, 0, t)))
		return r;
	for (size_t i = 0; i < sw_target_core_count(*t); i++) {
		struct sw_core *core = sw_target_core(*t, i);
		if (core && ((r = sw_core_halt(core)) ||
			     (r = sw_target_reset(ctx, desc, core, desc->cores[i].name, SW_RESET_SYSTEM, true))))
			return r;
	}
	return SW_OK;
}

int sw_connect_under_reset(struct sw_ctx *ctx, struct sw_probe *probe, const struct sw_target_desc *desc,
			   struct sw_target **out)
{
	uint32_t had[8] = {0};
	struct sw_target *t = NULL;
	int r = sw_probe_set_nrst(probe, true);

	*out = NULL;
	if (r == SW_ERR_NOT_SUPPORTED)
		return sw_fail(ctx, r, "--connect-under-reset: probe %s cannot drive nRST", probe->ops->name);
	if (r)
		return r;
	if (sw_target_open(ctx, probe, desc, 0, &t)) {
		if ((r = fallback(ctx, probe, desc, &t)))
			goto fail;
	} else {
		SW_LOG_I(ctx, "--connect-under-reset: nRST held, debug port up, reset vector catch being armed; "
			 "then nRST is released");
		if ((r = catch_and_release(probe, t, had)))
			goto fail;
	}
	for (size_t i = 0; i < sw_target_core_count(t) && i < 8; i++) {
		struct sw_core *core = sw_target_core(t, i);
		if (!core)
			continue;
		if ((r = wait_caught(ctx, desc, core, i)) ||
		    (!(had[i] & VC_CORERESET) && (r = sw_core_vector_catch(core, VC_CORERESET, false))))
			goto fail;
	}
	*out = t;
	return SW_OK;
fail:
	sw_probe_set_nrst(probe, false);
	sw_target_close(t);
	return sw_fail(ctx, r, "--connect-under-reset: %s", sw_errmsg(ctx));
}
