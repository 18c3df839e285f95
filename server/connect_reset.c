/* --connect-under-reset (server/connect_reset.h). */
#include <stdio.h>
#include <string.h>

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

/* The catch could not be armed under nRST (the core AP is dead while nRST
 * is low: STM32H7/F4 AP0 in the simulator, targets.md §1.3), or did not hold
 * (nRST is a power-on reset that also clears the debug logic and puts the DP
 * back in JTAG: RT1062 POR_B, targets.md §3.3; or the AP is locked again
 * until the boot ROM opens it: N657). Connect after the release, halt, and
 * reset with the catch armed; the firmware ran for a few round trips. */
static int fallback(struct sw_ctx *ctx, struct sw_probe *probe, const struct sw_target_desc *desc,
		    const char *why, struct sw_target **t)
{
	int r;

	SW_LOG_W(ctx, "--connect-under-reset: %s (%s); connecting right after the release and resetting "
		 "with the reset vector catch set", why, sw_errmsg(ctx));
	sw_target_close(*t);
	*t = NULL;
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

/* Every core halted by the catch (and the user's catch setting back). */
static int wait_all(struct sw_ctx *ctx, const struct sw_target_desc *desc, struct sw_target *t, const uint32_t *had)
{
	int r;

	for (size_t i = 0; i < sw_target_core_count(t) && i < 8; i++) {
		struct sw_core *core = sw_target_core(t, i);
		if (!core)
			continue;
		if ((r = wait_caught(ctx, desc, core, i)) ||
		    (!(had[i] & VC_CORERESET) && (r = sw_core_vector_catch(core, VC_CORERESET, false))))
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
		if (!(r = fallback(ctx, probe, desc, "the core's AP does not answer while nRST is held", &t)))
			r = wait_all(ctx, desc, t, had);
	} else {
		SW_LOG_I(ctx, "--connect-under-reset: nRST held, debug port up, reset vector catch being armed; "
			 "then nRST is released");
		if (!(r = catch_and_release(probe, t, had)) && wait_all(ctx, desc, t, had)) {
			memset(had, 0, sizeof(had));
			if (!(r = fallback(ctx, probe, desc, "the catch armed under nRST did not hold after the release",
					   &t)))
				r = wait_all(ctx, desc, t, had);
		}
	}
	if (r)
		goto fail;
	*out = t;
	return SW_OK;
fail:
	sw_probe_set_nrst(probe, false);
	sw_target_close(t);
	return sw_fail(ctx, r, "--connect-under-reset: %s", sw_errmsg(ctx));
}
