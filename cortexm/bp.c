/* Breakpoints: FPB comparators (ARMv7-M ARM C1.11; FPB v2 for M7/M55 holds
 * the full address | enable) and 16-bit BKPT instructions in RAM. A limit
 * reached is an error with a reason, never a silent miss. */
#include "cortexm/cortexm_priv.h"

#define BKPT_INSN 0xBE00u
/* Cache maintenance (ARMv7-M ARM B2.2.7; same addresses in ARMv8-M). */
#define CM_ICIALLU 0xE000EF50u
#define CM_DCCMVAC 0xE000EF68u
#define CM_CACHE_LINE 32u

/* Cores with L1 caches: Cortex-M7, M55, M85 (CPUID PARTNO). */
static bool has_caches(const struct sw_core *c)
{
	unsigned part = (c->info.cpuid >> 4) & 0xFFFu;

	return part == CM_CPUID_PARTNO_M7 || part == 0xD22u || part == 0xD23u;
}

/* A debugger write with CSW HPROT cacheable may land in the D-cache while
 * the I-cache still holds the old instruction (reference/targets.md §1.5):
 * clean the line to the point of coherency, then invalidate the I-cache.
 * On a core whose caches are off both are harmless. */
static int sync_code(struct sw_core *c, uint32_t addr)
{
	int r;

	if (!has_caches(c))
		return SW_OK;
	if ((r = sw_mem_queue_write32(c->ap, CM_DCCMVAC, addr & ~(CM_CACHE_LINE - 1u))) ||
	    (r = sw_mem_queue_write32(c->ap, CM_ICIALLU, 0)) || (r = sw_dap_run(sw_ap_dap(c->ap))))
		return sw_fail(c->ctx, r, "breakpoint at 0x%08x: cache maintenance failed: %s", addr,
			       sw_errmsg(c->ctx));
	return SW_OK;
}

int sw_core_sync_code(struct sw_core *c, uint32_t addr, size_t len)
{
	int r = SW_OK;

	if (!has_caches(c) || !len)
		return SW_OK;
	for (uint32_t a = addr & ~(CM_CACHE_LINE - 1u); a < addr + len && !r; a += CM_CACHE_LINE)
		r = sw_mem_queue_write32(c->ap, CM_DCCMVAC, a);
	if (r || (r = sw_mem_queue_write32(c->ap, CM_ICIALLU, 0)) || (r = sw_dap_run(sw_ap_dap(c->ap))))
		return sw_fail(c->ctx, r, "code at 0x%08x: cache maintenance failed: %s", addr, sw_errmsg(c->ctx));
	return SW_OK;
}

void sw_core_code_changed(struct sw_core *c)
{
	c->code_changed = has_caches(c);
}

/* Memory the debugger wrote (gdb's M/X, a load into RAM, flash the host
 * programmed) may hold instructions the I-cache has old lines of: the
 * debugger's AHB-AP writes do not go through it (ARMv7-M ARM B2.2.7). One
 * ICIALLU in the resume's own batch: no extra round trip. */
int cm_queue_icache_sync(struct sw_core *c)
{
	if (!c->code_changed)
		return SW_OK;
	return sw_mem_queue_write32(c->ap, CM_ICIALLU, 0);
}

static int fpb_enable(struct sw_core *c)
{
	int r;

	if (c->fpb_enabled)
		return SW_OK;
	r = sw_mem_write32(c->ap, CM_FP_CTRL, FP_CTRL_KEY | FP_CTRL_ENABLE);
	if (!r)
		c->fpb_enabled = true;
	return r;
}

static int hard_set(struct sw_core *c, uint32_t addr)
{
	uint32_t comp;
	int r;

	for (unsigned i = 0; i < c->info.fpb_code; i++)
		if (c->fpb_used[i] && c->fpb_addr[i] == addr)
			return SW_OK; /* already set */
	if (c->info.fpb_rev == 0) {
		/* FPB v1: code region only, REPLACE selects the halfword (C1.11.5). */
		if (addr >= 0x20000000u)
			return sw_fail(c->ctx, SW_ERR_NOT_SUPPORTED,
				       "hardware breakpoint at 0x%08x refused: this core's FPB v1 covers only the code region 0x00000000-0x1FFFFFFF (use break, a BKPT patch, in RAM)",
				       addr);
		comp = (addr & 0x1FFFFFFCu) | ((addr & 2u) ? 2u << 30 : 1u << 30) | 1u;
	} else {
		comp = (addr & ~1u) | 1u; /* FPB v2: BPADDR[31:1] | BE */
	}
	for (unsigned i = 0; i < c->info.fpb_code; i++) {
		if (c->fpb_used[i])
			continue;
		if ((r = fpb_enable(c)) || (r = sw_mem_write32(c->ap, CM_FP_COMP0 + 4 * i, comp)))
			return r;
		c->fpb_used[i] = true;
		c->fpb_addr[i] = addr;
		return SW_OK;
	}
	return sw_fail(c->ctx, SW_ERR_BUSY,
		       "all %u FPB comparators in use: delete a breakpoint or use a RAM address",
		       c->info.fpb_code);
}

static int hard_clear(struct sw_core *c, uint32_t addr)
{
	for (unsigned i = 0; i < c->info.fpb_code; i++) {
		if (!c->fpb_used[i] || c->fpb_addr[i] != addr)
			continue;
		c->fpb_used[i] = false;
		return sw_mem_write32(c->ap, CM_FP_COMP0 + 4 * i, 0);
	}
	return SW_OK;
}

static int soft_set(struct sw_core *c, uint32_t addr)
{
	uint8_t orig[2], check[2], bkpt[2] = {BKPT_INSN & 0xFF, BKPT_INSN >> 8};
	int r;

	for (unsigned i = 0; i < c->n_soft; i++)
		if (c->soft[i].addr == addr)
			return SW_OK;
	if (c->n_soft == CM_MAX_SOFT)
		return sw_fail(c->ctx, SW_ERR_BUSY, "all %u software breakpoint slots in use", CM_MAX_SOFT);
	if ((r = sw_mem_read(c->ap, addr, orig, 2)) || (r = sw_mem_write(c->ap, addr, bkpt, 2)) ||
	    (r = sw_mem_read(c->ap, addr, check, 2)))
		return sw_fail(c->ctx, r ? r : SW_ERR_MEM_FAULT, "breakpoint at 0x%08x: cannot write BKPT: %s",
			       addr, sw_errmsg(c->ctx));
	if (check[0] != bkpt[0] || check[1] != bkpt[1])
		return sw_fail(c->ctx, SW_ERR_NOT_SUPPORTED,
			       "breakpoint at 0x%08x: memory is not writable; use a hardware breakpoint", addr);
	c->soft[c->n_soft].addr = addr;
	c->soft[c->n_soft].orig = (uint16_t)(orig[0] | orig[1] << 8);
	c->n_soft++;
	return sync_code(c, addr);
}

static int soft_clear(struct sw_core *c, uint32_t addr)
{
	for (unsigned i = 0; i < c->n_soft; i++) {
		if (c->soft[i].addr != addr)
			continue;
		uint8_t orig[2] = {(uint8_t)c->soft[i].orig, (uint8_t)(c->soft[i].orig >> 8)};
		int r = sw_mem_write(c->ap, addr, orig, 2);
		if (r)
			return r; /* keep the record: the BKPT may still be in memory */
		c->soft[i] = c->soft[--c->n_soft];
		return sync_code(c, addr);
	}
	return SW_OK;
}

bool cm_bp_known(const struct sw_core *c, uint32_t addr)
{
	for (unsigned i = 0; i < c->info.fpb_code; i++)
		if (c->fpb_used[i] && c->fpb_addr[i] == addr)
			return true;
	for (unsigned i = 0; i < c->n_soft; i++)
		if (c->soft[i].addr == addr)
			return true;
	return false;
}

bool sw_core_bp_at(const struct sw_core *c, uint32_t addr)
{
	return cm_bp_known(c, addr);
}

int sw_core_bp_set(struct sw_core *c, uint32_t addr, unsigned len, enum sw_bp_kind kind)
{
	(void)len; /* one comparator covers both halfwords of a 32-bit Thumb-2 instruction */
	return kind == SW_BP_HARD ? hard_set(c, addr) : soft_set(c, addr);
}

int sw_core_bp_clear(struct sw_core *c, uint32_t addr, unsigned len, enum sw_bp_kind kind)
{
	(void)len;
	return kind == SW_BP_HARD ? hard_clear(c, addr) : soft_clear(c, addr);
}

int sw_core_bp_clear_all(struct sw_core *c)
{
	int r = SW_OK;

	while (c->n_soft && !r)
		r = soft_clear(c, c->soft[c->n_soft - 1].addr);
	for (unsigned i = 0; i < c->info.fpb_code && !r; i++)
		if (c->fpb_used[i])
			r = hard_clear(c, c->fpb_addr[i]);
	if (!r)
		r = cm_watch_clear_all(c);
	return r;
}
