/* Connect a target: DAP up, chip hook, one core per AP in the description. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "targets/targets_priv.h"

#define MAX_CORES 4

struct sw_target {
	struct sw_ctx *ctx;
	const struct sw_target_desc *desc;
	sw_dap *dap;
	sw_ap *aps[MAX_CORES];
	struct sw_core *cores[MAX_CORES];
	size_t n;
	char note[MAX_CORES][160]; /* why cores[i] is NULL */
};

void sw_target_close(struct sw_target *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n; i++) {
		sw_core_free(t->cores[i]);
		sw_ap_close(t->aps[i]);
	}
	sw_dap_free(t->dap);
	free(t);
}

/* A MEM-AP whose downstream domain is off answers its own registers but
 * reads CSW.DeviceEn (bit 6) as 0 (ADIv6 C2.5.1): the core behind it is not
 * powered or not started (e.g. the AE3's HE until the HP starts it,
 * reference/targets.md §4.3). Keep the AP, leave the core out, say why. */
static bool core_not_started(struct sw_ctx *ctx, struct sw_target *t, size_t i)
{
	uint32_t csw = 0;

	if (sw_ap_read(t->aps[i], SW_AP_CSW, &csw) || (csw & (1u << 6)))
		return false;
	sw_clear_err(ctx);
	snprintf(t->note[i], sizeof(t->note[i]),
		 "core %s is not started (its AP at 0x%llx reports DeviceEn=0); "
		 "it can be debugged once firmware on another core starts it",
		 t->desc->cores[i].name, (unsigned long long)t->desc->cores[i].ap);
	SW_LOG_W(ctx, "target %s: %s", t->desc->name, t->note[i]);
	return true;
}

int sw_target_open(struct sw_ctx *ctx, struct sw_probe *probe, const struct sw_target_desc *desc,
		   unsigned flags, struct sw_target **out)
{
	struct sw_target *t = calloc(1, sizeof(*t));
	int r;

	*out = NULL;
	if (!t)
		return sw_fail(ctx, SW_ERR_NOMEM, "target: out of memory");
	t->ctx = ctx;
	t->desc = desc;
	if ((r = sw_dap_new(ctx, probe, &t->dap)) || (r = sw_dap_connect(t->dap, 0)))
		goto fail;
	if (desc->dpidr && sw_dap_info(t->dap)->dpidr != desc->dpidr)
		SW_LOG_W(ctx, "target %s: DPIDR 0x%08x differs from the expected 0x%08x", desc->name,
			 sw_dap_info(t->dap)->dpidr, desc->dpidr);
	if (!(flags & SW_TARGET_OPEN_ATTACH) && desc->hooks && desc->hooks->post_connect &&
	    (r = desc->hooks->post_connect(ctx, t->dap)))
		goto fail;
	for (size_t i = 0; i < desc->n_cores && i < MAX_CORES; i++) {
		if ((r = sw_ap_open(t->dap, desc->cores[i].ap, &t->aps[i])))
			goto fail;
		sw_ap_set_csw_extra(t->aps[i], desc->csw_extra);
		t->n = i + 1;
		if ((r = sw_core_new(ctx, t->aps[i], &t->cores[i])) && core_not_started(ctx, t, i)) {
			if (desc->n_cores > 1) { /* serve the others */
				r = SW_OK;
				continue;
			}
			r = sw_fail(ctx, SW_ERR_TARGET_STATE, "%s", t->note[i]);
		}
		if (r) {
			sw_ap_close(t->aps[i]);
			t->n = i;
			goto fail;
		}
	}
	*out = t;
	return SW_OK;
fail:
	sw_target_close(t);
	return sw_fail(ctx, r, "target %s: %s", desc->name, sw_errmsg(ctx));
}

int sw_target_core_retry(struct sw_target *t, size_t i)
{
	uint32_t csw = 0;
	int r;

	if (i >= t->n)
		return sw_fail(t->ctx, SW_ERR_ARG, "target %s: no core %zu", t->desc->name, i);
	if (t->cores[i])
		return SW_OK;
	/* One AP register read: CSW.DeviceEn (ADIv6 C2.5.1) turns 1 when the
	 * core's power domain is up; only then is the core worth attaching. */
	if ((r = sw_ap_read(t->aps[i], SW_AP_CSW, &csw)))
		return r;
	if (!(csw & (1u << 6)))
		return SW_ERR_NOT_FOUND;
	if ((r = sw_core_new(t->ctx, t->aps[i], &t->cores[i])))
		return sw_fail(t->ctx, r, "target %s: core %s came up but cannot be attached: %s", t->desc->name,
			       t->desc->cores[i].name, sw_errmsg(t->ctx));
	t->note[i][0] = 0;
	return SW_OK;
}

const struct sw_target_desc *sw_target_get_desc(const struct sw_target *t)
{
	return t->desc;
}

sw_dap *sw_target_dap(const struct sw_target *t)
{
	return t->dap;
}

size_t sw_target_core_count(const struct sw_target *t)
{
	return t->n;
}

struct sw_core *sw_target_core(const struct sw_target *t, size_t i)
{
	return i < t->n ? t->cores[i] : NULL;
}

const char *sw_target_core_note(const struct sw_target *t, size_t i)
{
	return i < t->n && !t->cores[i] ? t->note[i] : NULL;
}

int sw_target_reset(struct sw_ctx *ctx, const struct sw_target_desc *desc, struct sw_core *core,
		    const char *core_name, enum sw_reset_kind kind, bool halt_after)
{
	const struct sw_core_desc *cd = NULL;

	for (size_t i = 0; desc && i < desc->n_cores; i++)
		if (core_name && !strcmp(desc->cores[i].name, core_name))
			cd = &desc->cores[i];
	if (desc && desc->hooks && desc->hooks->reset && cd)
		return desc->hooks->reset(ctx, core, cd, kind, halt_after);
	return sw_core_reset(core, kind, halt_after);
}
