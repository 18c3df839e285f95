/* Data watchpoints on the DWT.
 * ARMv7-M (ARMv7-M ARM C1.8.7-C1.8.10): COMP + MASK (a naturally aligned
 * power-of-two block), FUNCTION 5/6/7 = read/write/access; data value match
 * with DATAVMATCH on comparator 1, linked to an address comparator through
 * DATAVADDR0 (LNK1ENA says it can).
 * ARMv8-M (ARMv8-M ARM D1.2, DWT_FUNCTIONn): FUNCTION.MATCH 4/5/6 =
 * access/write/read over 2^DATAVSIZE bytes, ACTION 01 = debug event; a range
 * is a pair: comparator n-1 holds the base, comparator n (ID has "address
 * limit") MATCH 7 the last byte; a data value is MATCH 11 (linked data value)
 * on comparator n (ID has "data value") with the address on n-1.
 * The halt comes after the accessing instruction; MATCHED (FUNCTION[24],
 * cleared on read) says which comparator fired. */
#include "cortexm/cortexm_priv.h"

#define DWT_V7_FN_READ 5u
#define DWT_V7_FN_WRITE 6u
#define DWT_V7_FN_ACCESS 7u
#define DWT_V7_DATAVMATCH (1u << 8)
#define DWT_V7_LNK1ENA (1u << 9)
#define DWT_V7_DATAVADDR0(n) ((uint32_t)(n) << 12)
#define DWT_V8_MATCH_DADDR_RW 4u
#define DWT_V8_MATCH_DADDR_W 5u
#define DWT_V8_MATCH_DADDR_R 6u
#define DWT_V8_MATCH_DADDR_LIMIT 7u
#define DWT_V8_MATCH_DVALUE_LINKED 0xBu
#define DWT_V8_ACTION_DEBUG (1u << 4)
#define DWT_DATAVSIZE(log2) ((uint32_t)(log2) << 10)
#define DWT_V8_ID_DVALUE (1u << 2)
#define DWT_V8_ID_LIMIT (1u << 4)

/* What one or two comparators are written with. */
struct dwt_prog {
	unsigned n;
	uint32_t comp, mask, func;
};

static unsigned log2_ceil(uint32_t v)
{
	unsigned n = 0;

	while ((1u << n) < v && n < 31)
		n++;
	return n;
}

static unsigned ncomps(const struct sw_core *c)
{
	return c->info.dwt_comps < CM_MAX_DWT ? c->info.dwt_comps : CM_MAX_DWT;
}

/* Comparators with a rare ability (v7 comparator 1: data value; v8 limit
 * or data value IDs) are used for plain watchpoints only when nothing else
 * is free, so a range or value watch still finds its pair. */
static bool special(const struct sw_core *c, unsigned i)
{
	if (c->info.arch == 7)
		return i == 1;
	return (c->dwt_id[i] & (DWT_V8_ID_LIMIT | DWT_V8_ID_DVALUE)) != 0;
}

static unsigned pick_single(const struct sw_core *c)
{
	for (int pass = 0; pass < 2; pass++)
		for (unsigned i = 0; i < ncomps(c); i++)
			if (!c->wp[i].used && (pass || !special(c, i)))
				return i;
	return CM_NO_LINK;
}

/* ARMv8-M: the upper comparator n of a free pair (n-1, n) whose ID has `need`. */
static unsigned pick_pair(const struct sw_core *c, uint8_t need)
{
	for (unsigned n = 1; n < ncomps(c); n++)
		if ((c->dwt_id[n] & need) == need && !c->wp[n].used && !c->wp[n - 1].used)
			return n;
	return CM_NO_LINK;
}

/* Writes the second comparator first, so the first never matches alone
 * with a half-written pair (one round trip either way). */
static int program(struct sw_core *c, const struct dwt_prog *p, unsigned count)
{
	int r;

	for (unsigned k = count; k-- > 0;)
		if ((r = sw_mem_queue_write32(c->ap, DWT_COMP(p[k].n), p[k].comp)) ||
		    (c->info.arch == 7 && (r = sw_mem_queue_write32(c->ap, DWT_MASK(p[k].n), p[k].mask))) ||
		    (r = sw_mem_queue_write32(c->ap, DWT_FUNCTION(p[k].n), p[k].func)))
			return r;
	return sw_dap_run(sw_ap_dap(c->ap));
}

static int disarm(struct sw_core *c, unsigned i)
{
	unsigned link = c->wp[i].link;
	int r;

	if ((r = sw_mem_queue_write32(c->ap, DWT_FUNCTION(i), 0)) ||
	    (link != CM_NO_LINK && (r = sw_mem_queue_write32(c->ap, DWT_FUNCTION(link), 0))) ||
	    (r = sw_dap_run(sw_ap_dap(c->ap))))
		return r;
	if (link != CM_NO_LINK)
		c->wp[link] = (struct cm_watch){.link = CM_NO_LINK};
	c->wp[i] = (struct cm_watch){.link = CM_NO_LINK};
	return SW_OK;
}

static int set_v7(struct sw_core *c, uint32_t addr, unsigned len, unsigned kind)
{
	static const uint32_t fn[] = {[2] = DWT_V7_FN_WRITE, [3] = DWT_V7_FN_READ, [4] = DWT_V7_FN_ACCESS};
	/* The smallest naturally aligned power-of-two block covering the range;
	 * MASK ignores that many low address bits. gdb checks the value for
	 * `watch`, so bytes of the block outside the range cost a silent resume. */
	unsigned m = log2_ceil(len), i;

	while (m < 31 && ((addr >> m) != ((addr + len - 1) >> m)))
		m++;
	if (m > 15)
		return sw_fail(c->ctx, SW_ERR_NOT_SUPPORTED,
			       "watchpoint 0x%08x len %u: range too large for one DWT comparator", addr, len);
	if ((i = pick_single(c)) == CM_NO_LINK)
		return sw_fail(c->ctx, SW_ERR_BUSY, "all %u DWT comparators in use: delete a watchpoint first",
			       c->info.dwt_comps);
	struct dwt_prog p = {i, addr & ~((1u << m) - 1u), m, fn[kind]};
	int r = program(c, &p, 1);
	if (!r)
		c->wp[i] = (struct cm_watch){.used = true, .addr = addr, .len = len, .kind = kind, .link = CM_NO_LINK};
	return r;
}

static int set_v8(struct sw_core *c, uint32_t addr, unsigned len, unsigned kind)
{
	static const uint32_t match[] = {[2] = DWT_V8_MATCH_DADDR_W, [3] = DWT_V8_MATCH_DADDR_R,
					 [4] = DWT_V8_MATCH_DADDR_RW};
	struct dwt_prog p[2];
	unsigned n;
	int r;

	if ((len == 1 || len == 2 || len == 4) && !(addr & (len - 1))) {
		/* One comparator covers an aligned 1, 2 or 4 byte block. */
		if ((n = pick_single(c)) == CM_NO_LINK)
			return sw_fail(c->ctx, SW_ERR_BUSY,
				       "all %u DWT comparators in use: delete a watchpoint first", c->info.dwt_comps);
		p[0] = (struct dwt_prog){n, addr, 0, match[kind] | DWT_V8_ACTION_DEBUG | DWT_DATAVSIZE(log2_ceil(len))};
		if (!(r = program(c, p, 1)))
			c->wp[n] = (struct cm_watch){.used = true, .addr = addr, .len = len, .kind = kind,
						     .link = CM_NO_LINK};
		return r;
	}
	/* Anything else: base (byte size) on n-1, Data Address Limit on n. */
	if ((uint64_t)addr + len - 1 > 0xFFFFFFFFu)
		return sw_fail(c->ctx, SW_ERR_ARG, "watchpoint 0x%08x len %u wraps the address space", addr, len);
	if ((n = pick_pair(c, DWT_V8_ID_LIMIT)) == CM_NO_LINK)
		return sw_fail(c->ctx, SW_ERR_BUSY,
			       "watchpoint 0x%08x len %u needs a free pair of DWT comparators with address limit: delete a watchpoint first",
			       addr, len);
	p[0] = (struct dwt_prog){n - 1, addr, 0, match[kind] | DWT_V8_ACTION_DEBUG | DWT_DATAVSIZE(0)};
	p[1] = (struct dwt_prog){n, addr + len - 1, 0, DWT_V8_MATCH_DADDR_LIMIT};
	if ((r = program(c, p, 2)))
		return r;
	c->wp[n - 1] = (struct cm_watch){.used = true, .addr = addr, .len = len, .kind = kind, .link = n};
	c->wp[n] = (struct cm_watch){.used = true, .aux = true, .link = CM_NO_LINK};
	return SW_OK;
}

int sw_core_wp_set(struct sw_core *c, uint32_t addr, unsigned len, unsigned kind)
{
	if (kind < 2 || kind > 4 || !len)
		return sw_fail(c->ctx, SW_ERR_ARG, "watchpoint: bad kind %u or length %u", kind, len);
	for (unsigned i = 0; i < ncomps(c); i++)
		if (c->wp[i].used && !c->wp[i].aux && !c->wp[i].value && c->wp[i].addr == addr &&
		    c->wp[i].len == len && c->wp[i].kind == kind)
			return SW_OK; /* already set */
	return c->info.arch == 8 ? set_v8(c, addr, len, kind) : set_v7(c, addr, len, kind);
}

int sw_core_wp_clear(struct sw_core *c, uint32_t addr, unsigned len, unsigned kind)
{
	for (unsigned i = 0; i < ncomps(c); i++)
		if (c->wp[i].used && !c->wp[i].aux && !c->wp[i].value && c->wp[i].addr == addr &&
		    c->wp[i].len == len && c->wp[i].kind == kind)
			return disarm(c, i);
	return SW_OK;
}

int cm_watch_clear_all(struct sw_core *c)
{
	int r;

	for (unsigned i = 0; i < ncomps(c); i++)
		if (c->wp[i].used && !c->wp[i].aux && (r = disarm(c, i)))
			return r;
	return SW_OK;
}

/* After a DWTTRAP halt: which watchpoint fired (MATCHED clears on read).
 * A pair reports through its first comparator (v8 range: the base, whose
 * ACTION raised the event; value watch: the value comparator). */
int cm_watch_hit(struct sw_core *c, uint32_t *addr, unsigned *kind)
{
	uint32_t f[CM_MAX_DWT] = {0};
	int r;

	for (unsigned i = 0; i < ncomps(c); i++)
		if (c->wp[i].used && !c->wp[i].aux && (r = sw_mem_queue_read32(c->ap, DWT_FUNCTION(i), &f[i])))
			return r;
	if ((r = sw_dap_run(sw_ap_dap(c->ap))))
		return r;
	for (unsigned i = 0; i < ncomps(c); i++)
		if (c->wp[i].used && !c->wp[i].aux && (f[i] & DWT_FUNCTION_MATCHED)) {
			*addr = c->wp[i].addr;
			*kind = c->wp[i].value ? 0 : c->wp[i].kind; /* 0 for a data value watch */
			return SW_OK;
		}
	return SW_ERR_NOT_FOUND;
}

/* A data value comparator sees the value in its byte lane (ARMv7-M C1.8.7,
 * ARMv8-M B13): COMP holds it in every lane (byte x4, halfword x2). */
static uint32_t replicate(uint32_t value, unsigned size)
{
	return size == 1 ? (value & 0xFFu) * 0x01010101u : size == 2 ? (value & 0xFFFFu) * 0x00010001u : value;
}

/* ARMv7-M C1.8.7: comparator 1 matches the value (DATAVMATCH), a second
 * comparator with FUNCTION 0 supplies the address through DATAVADDR0. */
static int value_v7(struct sw_core *c, uint32_t addr, uint32_t value, unsigned size, unsigned *vn,
		    unsigned *an)
{
	uint32_t f1 = 0;
	int r;

	if (c->info.dwt_comps < 2 || c->wp[1].used)
		return sw_fail(c->ctx, SW_ERR_BUSY, "data value watch needs DWT comparator 1, which is in use");
	if ((r = sw_mem_read32(c->ap, DWT_FUNCTION(1), &f1)))
		return r;
	if (!(f1 & DWT_V7_LNK1ENA))
		return sw_fail(c->ctx, SW_ERR_NOT_SUPPORTED,
			       "this DWT cannot link a data value to an address (LNK1ENA = 0)");
	*vn = 1;
	if ((*an = pick_single(c)) == CM_NO_LINK)
		return sw_fail(c->ctx, SW_ERR_BUSY, "data value watch needs two free DWT comparators");
	uint32_t rep = replicate(value, size);
	struct dwt_prog p[2] = {
		{1, rep, 0, DWT_V7_FN_WRITE | DWT_V7_DATAVMATCH | DWT_DATAVSIZE(log2_ceil(size)) | DWT_V7_DATAVADDR0(*an)},
		{*an, addr, 0, 0},
	};
	return program(c, p, 2);
}

/* ARMv8-M: address comparator n-1 (write, trigger only: ACTION 00) and
 * linked data value comparator n (debug event). COMP holds the value
 * repeated across the word for byte and halfword sizes, as the
 * architecture asks of a data value comparator. */
static int value_v8(struct sw_core *c, uint32_t addr, uint32_t value, unsigned size, unsigned *vn,
		    unsigned *an)
{
	uint32_t rep = replicate(value, size);
	unsigned n = pick_pair(c, DWT_V8_ID_DVALUE);

	if (n == CM_NO_LINK)
		return sw_fail(c->ctx, SW_ERR_BUSY,
			       "data value watch needs a free pair of DWT comparators with data value match: delete a watchpoint first");
	*vn = n;
	*an = n - 1;
	struct dwt_prog p[2] = {
		{n - 1, addr, 0, DWT_V8_MATCH_DADDR_W | DWT_DATAVSIZE(log2_ceil(size))},
		{n, rep, 0, DWT_V8_MATCH_DVALUE_LINKED | DWT_V8_ACTION_DEBUG | DWT_DATAVSIZE(log2_ceil(size))},
	};
	return program(c, p, 2);
}

int sw_core_wp_value_set(struct sw_core *c, uint32_t addr, uint32_t value, unsigned size)
{
	unsigned vn = 0, an = 0;
	int r;

	if ((size != 1 && size != 2 && size != 4) || (addr & (size - 1)))
		return sw_fail(c->ctx, SW_ERR_ARG, "data value watch: size 1, 2 or 4 at an aligned address");
	if ((r = sw_core_wp_value_clear(c))) /* one data value watch at a time */
		return r;
	r = c->info.arch == 8 ? value_v8(c, addr, value, size, &vn, &an) : value_v7(c, addr, value, size, &vn, &an);
	if (r)
		return r;
	c->wp[an] = (struct cm_watch){.used = true, .aux = true, .addr = addr, .len = size, .link = CM_NO_LINK};
	c->wp[vn] = (struct cm_watch){.used = true, .value = true, .addr = addr, .len = size, .data = value,
				      .link = an};
	return SW_OK;
}

int sw_core_wp_value_clear(struct sw_core *c)
{
	for (unsigned i = 0; i < ncomps(c); i++)
		if (c->wp[i].used && c->wp[i].value)
			return disarm(c, i);
	return SW_OK;
}
