/* Connect a target: DAP up, chip hook, one core per AP in the description. */
#include <stdlib.h>

#include "targets/targets_priv.h"

#define MAX_CORES 4

struct sw_target {
	struct sw_ctx *ctx;
	const struct sw_target_desc *desc;
	sw_dap *dap;
	sw_ap *aps[MAX_CORES];
	struct sw_core *cores[MAX_CORES];
	size_t n;
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
		if ((r = sw_core_new(ctx, t->aps[i], &t->cores[i]))) {
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
