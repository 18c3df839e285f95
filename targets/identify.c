/* --target auto: which description fits the chip on the wire. DPIDR first,
 * then TARGETID where both the DP (DPv2+, ADIv5.2 B2.2.10) and the table
 * have one, then the device ID register through its AP (e.g. DBGMCU_IDC on
 * the STM32H743, reference/targets.md §1.1). Reads only; never halts. */
#include "targets/targets_priv.h"

static bool idcode_matches(struct sw_ctx *ctx, sw_dap *dap, const struct sw_target_desc *d)
{
	sw_ap *ap;
	uint32_t v = 0;
	int r;

	if (!d->idcode_addr)
		return true;
	if ((r = sw_ap_open(dap, d->idcode_ap, &ap)) == SW_OK) {
		r = sw_mem_read32(ap, d->idcode_addr, &v);
		sw_ap_close(ap);
	}
	if (r) {
		SW_LOG_D(ctx, "identify: %s: device ID not readable: %s", d->name, sw_errmsg(ctx));
		sw_clear_err(ctx);
		return false;
	}
	SW_LOG_D(ctx, "identify: %s: ID 0x%08x at 0x%08x", d->name, v, d->idcode_addr);
	return (v & d->idcode_mask) == d->idcode_value;
}

/* ADIv6 parts that share DPIDR/TARGETID differ in the APs their ROM tables
 * list (ADIv6 C1.3: APs are found from the DP's root ROM table). The AP's
 * own registers answer even when the core behind it is off. */
static bool ap_listed(struct sw_ctx *ctx, sw_dap *dap, sw_ap_addr want)
{
	struct sw_ap_info aps[16];
	size_t n = 0;

	if (sw_ap_scan(dap, aps, 16, &n)) {
		SW_LOG_D(ctx, "identify: ROM table walk failed: %s", sw_errmsg(ctx));
		sw_clear_err(ctx);
		return false;
	}
	for (size_t i = 0; i < n; i++)
		if (aps[i].addr == want)
			return true;
	return false;
}

static const struct sw_target_desc *match(struct sw_ctx *ctx, sw_dap *dap,
					  const struct sw_target_desc *const *list)
{
	const struct sw_dp_info *dp = sw_dap_info(dap);

	for (const struct sw_target_desc *const *l = list; *l; l++) {
		const struct sw_target_desc *d = *l;
		if (d->dpidr && d->dpidr != dp->dpidr)
			continue;
		if (d->targetid && dp->targetid && d->targetid != dp->targetid)
			continue;
		if (d->ident_ap && (!sw_dap_info(dap)->adiv6 || !ap_listed(ctx, dap, d->ident_ap)))
			continue;
		if (idcode_matches(ctx, dap, d))
			return d;
	}
	return NULL;
}

int sw_target_identify_in(struct sw_ctx *ctx, struct sw_probe *probe,
			  const struct sw_target_desc *const *list, const struct sw_target_desc **out)
{
	sw_dap *dap = NULL;
	uint32_t dpidr, targetid;
	int r;

	*out = NULL;
	if ((r = sw_dap_new(ctx, probe, &dap)) || (r = sw_dap_connect(dap, 0))) {
		sw_dap_free(dap);
		return sw_fail(ctx, r, "target auto: %s", sw_errmsg(ctx));
	}
	*out = match(ctx, dap, list);
	dpidr = sw_dap_info(dap)->dpidr;
	targetid = sw_dap_info(dap)->targetid;
	sw_dap_free(dap);
	if (!*out)
		return sw_fail(ctx, SW_ERR_NOT_FOUND,
			       "target auto: no known target has DPIDR 0x%08x TARGETID 0x%08x",
			       dpidr, targetid);
	SW_LOG_I(ctx, "target auto: %s (DPIDR 0x%08x, TARGETID 0x%08x)", (*out)->name, dpidr, targetid);
	return SW_OK;
}

int sw_target_identify(struct sw_ctx *ctx, struct sw_probe *probe, const struct sw_target_desc **out)
{
	return sw_target_identify_in(ctx, probe, sw_target_list(), out);
}
