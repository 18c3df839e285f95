/* SWO set-up (see swo_cfg.h). */
#include <string.h>

#include "server/swo/swo_cfg.h"

#define DEMCR 0xE000EDFCu
#define DEMCR_TRCENA (1u << 24)
#define ITM_TER 0xE0000E00u
#define ITM_TCR 0xE0000E80u
#define ITM_LAR 0xE0000FB0u
#define ITM_LAR_KEY 0xC5ACCE55u
#define ITM_TCR_ITMENA (1u << 0)
#define ITM_TCR_TRACEBUSID(n) ((uint32_t)(n) << 16)
#define TPIU_CSPSR 0x004u
#define TPIU_ACPR 0x010u     /* SWO block: CODR, same offset and meaning */
#define TPIU_SPPR 0x0F0u
#define TPIU_SPPR_NRZ 2u
#define TPIU_FFCR 0x304u
#define TPIU_FFCR_TRIGIN 0x100u /* EnFCont clear: formatter bypassed */
#define TPIU_ACPR_MAX 0x1FFFu

static const struct sw_swo_layout layouts[] = {
	/* H7: SWO 0xE00E3000, SWTF 0xE00E4000, DBGMCU_CR 0xE00E1004 on AP2;
	 * TRACECLKEN 20, D1DBGCKEN 21, D3DBGCKEN 22 (targets.md §1.1, §1.3). */
	{"stm32h743", 2, 0xE00E3000u, false, 0xE00E4000u, 0xE00E1004u, 0x00700000u},
	{NULL, -1, 0xE0040000u, true, 0, 0, 0}, /* ARMv7-M/ARMv8-M TPIU in the PPB */
};

const struct sw_swo_layout *sw_swo_layout_for(const char *target)
{
	size_t i = 0;

	for (; layouts[i].target; i++)
		if (target && !strcmp(layouts[i].target, target))
			break;
	return &layouts[i];
}

int sw_swo_prescaler(struct sw_ctx *ctx, uint32_t traceclk, uint32_t baud, uint32_t *acpr,
		     uint32_t *actual)
{
	uint64_t div, rate, err;

	if (!baud || !traceclk || baud > traceclk)
		return sw_fail(ctx, SW_ERR_ARG, "SWO: cannot make %u baud from a %u Hz trace clock", baud,
			       traceclk);
	div = ((uint64_t)traceclk + baud / 2) / baud;
	if (div < 1)
		div = 1;
	if (div > TPIU_ACPR_MAX + 1ull)
		div = TPIU_ACPR_MAX + 1ull;
	rate = traceclk / div;
	err = rate > baud ? rate - baud : baud - rate;
	if (err * 100u > 3u * (uint64_t)baud)
		return sw_fail(ctx, SW_ERR_ARG, "SWO: %u baud is not reachable from %u Hz (nearest %llu)", baud,
			       traceclk, (unsigned long long)rate);
	*acpr = (uint32_t)(div - 1);
	*actual = (uint32_t)rate;
	return SW_OK;
}

static int set_bits(sw_ap *ap, uint32_t addr, uint32_t bits)
{
	uint32_t v;
	int r = sw_mem_read32(ap, addr, &v);

	return r ? r : sw_mem_write32(ap, addr, v | bits);
}

int sw_swo_configure(struct sw_ctx *ctx, sw_ap *core_ap, sw_ap *trace_ap,
		     const struct sw_swo_layout *l, uint32_t traceclk, uint32_t baud, uint32_t mask,
		     uint32_t *actual)
{
	sw_ap *out = l->trace_ap < 0 ? core_ap : trace_ap;
	uint32_t acpr;
	int r;

	if (!out)
		return sw_fail(ctx, SW_ERR_NOT_FOUND, "SWO: no access port for the trace block");
	if ((r = sw_swo_prescaler(ctx, traceclk, baud, &acpr, actual)))
		return r;
	/* Trace clock and funnel first, then the pin, then the ITM. */
	if ((l->dbgmcu_cr && (r = set_bits(out, l->dbgmcu_cr, l->dbgmcu_bits))) ||
	    (l->funnel_base && (r = set_bits(out, l->funnel_base, 1u))) ||
	    (l->tpiu && (r = sw_mem_write32(out, l->out_base + TPIU_CSPSR, 1u))) ||
	    (r = sw_mem_write32(out, l->out_base + TPIU_ACPR, acpr)) ||
	    (r = sw_mem_write32(out, l->out_base + TPIU_SPPR, TPIU_SPPR_NRZ)) ||
	    (l->tpiu && (r = sw_mem_write32(out, l->out_base + TPIU_FFCR, TPIU_FFCR_TRIGIN))) ||
	    (r = set_bits(core_ap, DEMCR, DEMCR_TRCENA)) ||
	    (r = sw_mem_write32(core_ap, ITM_LAR, ITM_LAR_KEY)) ||
	    (r = sw_mem_write32(core_ap, ITM_TCR, ITM_TCR_ITMENA | ITM_TCR_TRACEBUSID(1))) ||
	    (r = sw_mem_write32(core_ap, ITM_TER, mask)))
		return r;
	SW_LOG_I(ctx, "SWO: NRZ at %u baud (prescaler %u from %u Hz), ITM ports 0x%08x", *actual, acpr + 1,
		 traceclk, mask);
	return SW_OK;
}
