/* Data watchpoints on the DWT (ARMv7-M ARM C1.8.7-C1.8.10: COMP, MASK,
 * FUNCTION 5/6/7 = read/write/access; ARMv8-M ARM B12.2: FUNCTION.MATCH
 * 4/5/6 = access/write/read with ACTION=1 (debug event) and DATAVSIZE).
 * The halt comes after the accessing instruction; MATCHED (FUNCTION[24],
 * cleared on read) says which comparator fired. */
#include "cortexm/cortexm_priv.h"


static unsigned log2_ceil(uint32_t v)
{
	unsigned n = 0;

	while ((1u << n) < v && n < 31)
		n++;
	return n;
}

static int encode(struct sw_core *c, uint32_t addr, unsigned len, unsigned kind, uint32_t *comp,
		  uint32_t *mask, uint32_t *func)
{
	if (c->info.arch == 8) {
		/* One comparator covers an aligned 1, 2 or 4 byte access. */
		if ((len != 1 && len != 2 && len != 4) || (addr & (len - 1)))
			return sw_fail(c->ctx, SW_ERR_NOT_SUPPORTED,
				       "watchpoint 0x%08x len %u: ARMv8-M DWT needs an aligned 1, 2 or 4 byte access",
				       addr, len);
		static const uint32_t match[] = {[2] = 5, [3] = 6, [4] = 4};
		*comp = addr;
		*mask = 0;
		*func = match[kind] | (1u << 4) | (log2_ceil(len) << 10);
		return SW_OK;
	}
	/* ARMv7-M: the smallest naturally aligned power-of-two block covering
	 * the range; MASK ignores that many low address bits. */
	unsigned m = log2_ceil(len);
	while (m < 31 && ((addr >> m) != ((addr + len - 1) >> m)))
		m++;
	if (m > 15)
		return sw_fail(c->ctx, SW_ERR_NOT_SUPPORTED,
			       "watchpoint 0x%08x len %u: range too large for one DWT comparator", addr, len);
	static const uint32_t fn[] = {[2] = 6, [3] = 5, [4] = 7};
	*comp = addr & ~((1u << m) - 1u);
	*mask = m;
	*func = fn[kind];
	return SW_OK;
}

int sw_core_wp_set(struct sw_core *c, uint32_t addr, unsigned len, unsigned kind)
{
	uint32_t comp = 0, mask = 0, func = 0;
	int r;

	if (kind < 2 || kind > 4 || !len)
		return sw_fail(c->ctx, SW_ERR_ARG, "watchpoint: bad kind %u or length %u", kind, len);
	if ((r = encode(c, addr, len, kind, &comp, &mask, &func)))
		return r;
	for (unsigned i = 0; i < c->info.dwt_comps && i < CM_MAX_DWT; i++) {
		if (c->wp[i].used)
			continue;
		if ((r = sw_mem_queue_write32(c->ap, DWT_COMP(i), comp)) ||
		    (c->info.arch == 7 && (r = sw_mem_queue_write32(c->ap, DWT_MASK(i), mask))) ||
		    (r = sw_mem_queue_write32(c->ap, DWT_FUNCTION(i), func)) ||
		    (r = sw_dap_run(sw_ap_dap(c->ap))))
			return r;
		c->wp[i] = (struct cm_watch){.used = true, .addr = addr, .len = len, .kind = kind};
		return SW_OK;
	}
	return sw_fail(c->ctx, SW_ERR_BUSY,
		       "all %u DWT comparators in use: delete a watchpoint first", c->info.dwt_comps);
}

int sw_core_wp_clear(struct sw_core *c, uint32_t addr, unsigned len, unsigned kind)
{
	for (unsigned i = 0; i < c->info.dwt_comps && i < CM_MAX_DWT; i++) {
		if (!c->wp[i].used || c->wp[i].addr != addr || c->wp[i].len != len || c->wp[i].kind != kind ||
		    c->wp[i].kind == 0)
			continue;
		c->wp[i].used = false;
		return sw_mem_write32(c->ap, DWT_FUNCTION(i), 0);
	}
	return SW_OK;
}

/* After a DWTTRAP halt: which watchpoint fired (MATCHED clears on read). */
int cm_watch_hit(struct sw_core *c, uint32_t *addr, unsigned *kind)
{
	uint32_t f[CM_MAX_DWT] = {0};
	int r;

	for (unsigned i = 0; i < c->info.dwt_comps && i < CM_MAX_DWT; i++)
		if (c->wp[i].used && (r = sw_mem_queue_read32(c->ap, DWT_FUNCTION(i), &f[i])))
			return r;
	if ((r = sw_dap_run(sw_ap_dap(c->ap))))
		return r;
	for (unsigned i = 0; i < c->info.dwt_comps && i < CM_MAX_DWT; i++)
		if (c->wp[i].used && (f[i] & DWT_FUNCTION_MATCHED)) {
			*addr = c->wp[i].addr;
			*kind = c->wp[i].kind; /* 0 for a data value watch */
			return SW_OK;
		}
	return SW_ERR_NOT_FOUND;
}

/* Data value watchpoint (ARMv7-M C1.8.7): halt when `value` is written to
 * `addr`. Comparator 1 matches the value (DATAVMATCH; LNK1ENA says it can
 * link), a second comparator with FUNCTION 0 supplies the address through
 * DATAVADDR0. ARMv8-M's data-value encodings are not supported here yet. */
int sw_core_wp_value_set(struct sw_core *c, uint32_t addr, uint32_t value, unsigned size)
{
	uint32_t f1 = 0;
	unsigned link = CM_MAX_DWT;
	int r;

	if (c->info.arch != 7)
		return sw_fail(c->ctx, SW_ERR_NOT_SUPPORTED, "data value watchpoints: only on ARMv7-M DWTs so far");
	if ((size != 1 && size != 2 && size != 4) || (addr & (size - 1)))
		return sw_fail(c->ctx, SW_ERR_ARG, "data value watch: size 1, 2 or 4 at an aligned address");
	if (c->info.dwt_comps < 2 || c->wp[1].used)
		return sw_fail(c->ctx, SW_ERR_BUSY, "data value watch needs DWT comparator 1, which is in use");
	if ((r = sw_mem_read32(c->ap, DWT_FUNCTION(1), &f1)))
		return r;
	if (!(f1 & (1u << 9)))
		return sw_fail(c->ctx, SW_ERR_NOT_SUPPORTED, "this DWT cannot link a data value to an address (LNK1ENA = 0)");
	for (unsigned i = 0; i < c->info.dwt_comps && i < CM_MAX_DWT; i++)
		if (i != 1 && !c->wp[i].used) {
			link = i;
			break;
		}
	if (link == CM_MAX_DWT)
		return sw_fail(c->ctx, SW_ERR_BUSY, "data value watch needs two free DWT comparators");
	/* Address comparator: COMP/MASK, FUNCTION 0 (no event of its own). */
	if ((r = sw_mem_queue_write32(c->ap, DWT_COMP(link), addr)) ||
	    (r = sw_mem_queue_write32(c->ap, DWT_MASK(link), 0)) ||
	    (r = sw_mem_queue_write32(c->ap, DWT_FUNCTION(link), 0)) ||
	    (r = sw_mem_queue_write32(c->ap, DWT_COMP(1), value)) ||
	    (r = sw_mem_queue_write32(c->ap, DWT_FUNCTION(1),
				      6u | (1u << 8) | (log2_ceil(size) << 10) | (link << 12))) ||
	    (r = sw_dap_run(sw_ap_dap(c->ap))))
		return r;
	c->wp[link] = (struct cm_watch){.used = true, .addr = addr, .len = size};
	c->wp[1] = (struct cm_watch){.used = true, .addr = addr, .len = size};
	c->wp[1].value = true;
	c->wp[1].data = value;
	c->wp[1].link = link;
	return SW_OK;
}

int sw_core_wp_value_clear(struct sw_core *c)
{
	int r;

	if (!c->wp[1].used || !c->wp[1].value)
		return SW_OK;
	r = sw_mem_write32(c->ap, DWT_FUNCTION(1), 0);
	c->wp[c->wp[1].link].used = false;
	c->wp[1].used = false;
	c->wp[1].value = false;
	return r;
}
