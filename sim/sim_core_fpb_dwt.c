/* FPB breakpoints and DWT comparators of the simulated core, as registers
 * and as Unicorn hooks. Hooks exist only while a comparator is armed, so a
 * core without breakpoints or watchpoints runs at full speed.
 * FPB: ARMv7-M ARM C1.11 (v1: COMP[28:2] + REPLACE), ARMv8-M ARM D1.2 (v2:
 * BPADDR[31:1] | BE). DWT: ARMv7-M ARM C1.8 (FUNCTION 4-7, MASK, DATAVMATCH),
 * ARMv8-M ARM B13/D1.2 (FUNCTION.MATCH/ACTION/DATAVSIZE). */
#include "sim/sim_core_priv.h"

#define FP_CTRL 0x000u
#define FP_REMAP 0x004u
#define FP_COMP0 0x008u
#define DWT_CTRL 0x000u
#define DWT_CYCCNT 0x004u
#define DWT_PCSR 0x01Cu
#define DWT_COMP0 0x020u
#define DWT_DEVARCH 0xFBCu
#define DWT_MATCHED (1u << 24)
#define DWT_V7_DATAVMATCH (1u << 8)
#define DWT_V7_LNK1ENA (1u << 9)
/* ARMv8-M DWT_FUNCTION.MATCH encodings (ARMv8-M ARM D1.2, DWT_FUNCTIONn). */
#define DWT_V8_DADDR_RW 0x4u
#define DWT_V8_DADDR_W 0x5u
#define DWT_V8_DADDR_R 0x6u
#define DWT_V8_DADDR_LIMIT 0x7u
#define DWT_V8_DVALUE_RW 0x8u
#define DWT_V8_DVALUE_W 0x9u
#define DWT_V8_DVALUE_R 0xAu
#define DWT_V8_DVALUE_LINKED 0xBu
/* DWT_FUNCTIONn.ID[31:27]: bit 0 cycle counter, 1 instruction address,
 * 2 data value (and linked data value), 3 data address, 4 address limit
 * (this comparator can be the upper end of a pair with comparator n-1).
 * Values of the Cortex-M33/M55 DWT with 4 comparators (TRMs, "DWT
 * comparator IDs"): 0 CC+IA+DA, 1 IA+IAL+DA+DAL, 2 IA+DA, 3 all but CC;
 * repeated for a DWT with 8. */
static const uint32_t dwt_v8_id[8] = {0x0Bu, 0x1Au, 0x0Au, 0x1Eu, 0x0Au, 0x1Au, 0x0Au, 0x1Eu};
#define DWT_V8_ID_DVALUE (1u << 2)
#define DWT_V8_ID_LIMIT (1u << 4)

/* --- FPB ------------------------------------------------------------------ */

static uint32_t fp_ctrl(const struct sim_core *c)
{
	uint32_t n = c->cfg.fpb_code;

	/* NUM_CODE is split: [14:12] high bits, [7:4] low bits; KEY reads 0. */
	return (c->cfg.fpb_rev & 0xFu) << 28 | ((n >> 4) & 7u) << 12 | (c->cfg.fpb_lit & 0xFu) << 8 |
	       (n & 0xFu) << 4 | (c->fpb_enable ? 1u : 0u);
}

void sim_core_fpb_read(struct sim_core *c, uint32_t off, uint32_t *v)
{
	if (off == FP_CTRL)
		*v = fp_ctrl(c);
	else if (off == FP_REMAP)
		*v = c->fp_remap; /* RMPSPT = 0: no flash patch remapping */
	else if (off >= FP_COMP0 && (off - FP_COMP0) / 4 < c->cfg.fpb_code)
		*v = c->fp_comp[(off - FP_COMP0) / 4];
	else
		*v = 0;
}

void sim_core_fpb_write(struct sim_core *c, uint32_t off, uint32_t v)
{
	if (off == FP_CTRL) {
		if (!(v & 2u))
			return; /* KEY must be written as 1 (C1.11.3) */
		c->fpb_enable = v & 1u;
	} else if (off == FP_REMAP) {
		c->fp_remap = v & 0x1FFFFFE0u;
	} else if (off >= FP_COMP0 && (off - FP_COMP0) / 4 < c->cfg.fpb_code) {
		c->fp_comp[(off - FP_COMP0) / 4] = v;
	} else {
		return;
	}
	sim_core_update_fpb(c);
}

/* A code hook runs before its instruction: halting here stops before it
 * executes (C1.11: breakpoint debug event, DFSR.BKPT). */
static void on_fpb(uc_engine *uc, uint64_t addr, uint32_t size, void *user)
{
	struct sim_core *c = user;

	(void)uc, (void)addr, (void)size;
	if (c->slice_done || c->stop_request || c->halted)
		return; /* not executing this instruction in this slice anyway */
	if (!(c->dhcsr_ctrl & DHCSR_C_DEBUGEN))
		return; /* no DebugMonitor for FPB matches in this model */
	if (c->insn_count)
		c->insn_count--; /* the count hook ran first and counted it */
	sim_core_enter_halt(c, DFSR_BKPT);
}

static void add_fpb_hook(struct sim_core *c, uint32_t addr)
{
	if (c->n_fpb_hooks < SIM_FPB_MAX * 2 &&
	    uc_hook_add(c->uc, &c->fpb_hooks[c->n_fpb_hooks], UC_HOOK_CODE, (void *)on_fpb, c, addr,
			addr) == UC_ERR_OK)
		c->n_fpb_hooks++;
}

static void add_fpb_hooks(struct sim_core *c)
{
	for (unsigned i = 0; i < c->cfg.fpb_code; i++) {
		uint32_t v = c->fp_comp[i], base, rep;

		if (!(v & 1u))
			continue;
		if (c->cfg.fpb_rev >= 1) {
			add_fpb_hook(c, v & ~1u); /* FPB v2: BPADDR[31:1] */
			continue;
		}
		/* FPB v1: COMP[28:2] word address (code region only), REPLACE
		 * [31:30] 01 lower halfword, 10 upper, 11 both; 00 remaps. */
		base = v & 0x1FFFFFFCu;
		rep = v >> 30;
		if (rep & 1u)
			add_fpb_hook(c, base);
		if (rep & 2u)
			add_fpb_hook(c, base + 2);
	}
}

void sim_core_update_fpb(struct sim_core *c)
{
	bool had = c->n_fpb_hooks != 0;

	for (unsigned i = 0; i < c->n_fpb_hooks; i++)
		uc_hook_del(c->uc, c->fpb_hooks[i]);
	c->n_fpb_hooks = 0;
	if (c->fpb_enable)
		add_fpb_hooks(c);
	/* Translated blocks carry the hooks they were built with: drop them. */
	if (had || c->n_fpb_hooks)
		sim_core_invalidate_code(c);
}

/* --- DWT ------------------------------------------------------------------ */

void sim_core_dwt_read(struct sim_core *c, uint32_t off, uint32_t *v)
{
	unsigned n = (off - DWT_COMP0) / 16;

	*v = 0;
	if (off == DWT_CTRL) {
		/* NUMCOMP; no trace, external match or profiling counters. */
		*v = (c->cfg.dwt_comps & 0xFu) << 28 | (c->dwt_ctrl & 0x0FFFFFFFu);
	} else if (off == DWT_CYCCNT) {
		*v = c->cyccnt;
	} else if (off == DWT_PCSR) {
		/* PC sample without halting (ARMv7-M C1.8.9 DWT_PCSR): 0xFFFFFFFF
		 * in Debug state or reset; else the PC of the running code. */
		*v = c->halted || c->reset_line ? 0xFFFFFFFFu : sim_core_rd(c, UC_ARM_REG_PC) & ~1u;
	} else if (off >= DWT_COMP0 && n < c->cfg.dwt_comps) {
		switch ((off - DWT_COMP0) % 16) {
		case 0: *v = c->dwt_comp[n]; break;
		case 4: *v = c->dwt_mask[n]; break;
		case 8:
			*v = c->dwt_func[n];
			if (c->cfg.arch == 7 && n == 1)
				*v |= DWT_V7_LNK1ENA; /* comparator 1 can link a data value match */
			if (c->cfg.arch == 8)
				*v |= dwt_v8_id[n % 8] << 27;
			c->dwt_func[n] &= ~DWT_MATCHED; /* MATCHED clears on read */
			break;
		default: break;
		}
	} else if (off == DWT_DEVARCH && c->cfg.arch == 8) {
		*v = 0x47701A02u; /* ARCHITECT ARM, PRESENT, DWT v2.0 */
	}
}

/* May comparator n take this MATCH value? (its ID, and a pair needs an
 * odd comparator: the lower half is n-1). [Simplified: the architecture
 * makes an unsupported MATCH value UNPREDICTABLE; we disable.] */
static bool v8_match_supported(unsigned n, uint32_t match)
{
	uint32_t id = dwt_v8_id[n % 8];

	if (match == DWT_V8_DADDR_LIMIT)
		return (id & DWT_V8_ID_LIMIT) && n > 0;
	if (match >= DWT_V8_DVALUE_RW && match <= DWT_V8_DVALUE_R)
		return (id & DWT_V8_ID_DVALUE) != 0;
	if (match == DWT_V8_DVALUE_LINKED)
		return (id & DWT_V8_ID_DVALUE) && n > 0;
	return true;
}

void sim_core_dwt_write(struct sim_core *c, uint32_t off, uint32_t v)
{
	unsigned n = (off - DWT_COMP0) / 16;

	if (off == DWT_CTRL) {
		c->dwt_ctrl = v & 0x0FFFFFFFu;
	} else if (off == DWT_CYCCNT) {
		c->cyccnt = v;
	} else if (off >= DWT_COMP0 && n < c->cfg.dwt_comps) {
		switch ((off - DWT_COMP0) % 16) {
		case 0: c->dwt_comp[n] = v; break;
		case 4: c->dwt_mask[n] = v & 0x1Fu; break;
		case 8:
			/* ARMv7-M: DATAVMATCH (bit 8) only on comparator 1, as on
			 * most Cortex-M parts (DBG_LEVEL 3); elsewhere it reads 0. */
			if (c->cfg.arch == 7 && n != 1)
				v &= ~DWT_V7_DATAVMATCH;
			v &= c->cfg.arch == 7 ? 0x000FFDFFu : 0x00000C3Fu;
			if (c->cfg.arch == 8 && !v8_match_supported(n, v & 0xFu))
				v &= ~0xFu; /* unsupported MATCH: the comparator stays disabled */
			c->dwt_func[n] = (c->dwt_func[n] & DWT_MATCHED) | v;
			break;
		default: break;
		}
		sim_core_update_dwt(c);
	}
}

/* ARMv7-M data value match (C1.8.7, DWT_COMPn and DATAVSIZE): COMP holds
 * the value replicated across the word (byte x4, halfword x2), and the
 * comparison is made per byte lane of the data bus: each DATAVSIZE-sized
 * lane the access drives is compared with the same lane of COMP, so an
 * access wider than DATAVSIZE matches when any of its lanes holds the value
 * and a byte at an odd address is compared with COMP[15:8], not COMP[7:0].
 * DATAVADDR0 links an address comparator (none if it names itself). */
static bool dwt_value_match(const struct sim_core *c, unsigned n, uint32_t addr, unsigned size,
			    bool write, uint32_t value)
{
	uint32_t f = c->dwt_func[n], fn = f & 0xFu, vsize = 1u << ((f >> 10) & 3u);
	unsigned link = (f >> 12) & 0xFu;
	uint32_t mask = vsize == 4 ? 0xFFFFFFFFu : (1u << (8 * vsize)) - 1u;

	if (fn < 5 || fn > 7 || (fn == 5 && write) || (fn == 6 && !write) || size < vsize)
		return false;
	if (link != n && link < c->cfg.dwt_comps) {
		uint32_t m = c->dwt_mask[link], base = c->dwt_comp[link] & ~((1u << m) - 1u);
		if (addr + size <= base || addr >= base + (1u << m))
			return false;
	}
	for (unsigned i = 0; i + vsize <= size; i += vsize) {
		unsigned lane = ((addr & 3u) + i) & 3u;
		if (((value >> (8 * i)) & mask) == ((c->dwt_comp[n] >> (8 * lane)) & mask))
			return true;
	}
	return false;
}

/* ARMv7-M address match: FUNCTION 5 read, 6 write, 7 either, over the
 * 2^MASK bytes at COMP (C1.8.7). */
static bool dwt_v7_addr_match(const struct sim_core *c, unsigned n, uint32_t addr, unsigned size,
			      bool write)
{
	uint32_t f = c->dwt_func[n] & 0xFu, lo, hi;

	if (f < 5 || f > 7 || (f == 5 && write) || (f == 6 && !write))
		return false;
	lo = c->dwt_comp[n] & ~((1u << c->dwt_mask[n]) - 1u);
	hi = lo + (1u << c->dwt_mask[n]);
	return addr < hi && addr + size > lo;
}

/* ARMv8-M data address match: MATCH 4 either, 5 write, 6 read, over the
 * 2^DATAVSIZE bytes at COMP, or, when comparator n+1 is a Data Address
 * Limit (MATCH 7), over COMP(n)..COMP(n+1) inclusive (the pair matches as
 * comparator n, whose ACTION counts). A limit comparator has no match of
 * its own. */
static bool dwt_v8_addr_match(const struct sim_core *c, unsigned n, uint32_t addr, unsigned size,
			      bool write)
{
	uint32_t f = c->dwt_func[n] & 0xFu, lo = c->dwt_comp[n], last;

	if (f < DWT_V8_DADDR_RW || f > DWT_V8_DADDR_R || (f == DWT_V8_DADDR_W && !write) ||
	    (f == DWT_V8_DADDR_R && write))
		return false;
	if (n + 1 < c->cfg.dwt_comps && (c->dwt_func[n + 1] & 0xFu) == DWT_V8_DADDR_LIMIT)
		last = c->dwt_comp[n + 1];
	else
		last = lo + (1u << ((c->dwt_func[n] >> 10) & 3u)) - 1u;
	return addr <= last && addr + size - 1u >= lo;
}

/* ARMv8-M data value match: MATCH 8/9/10 (RW/W/R, any address) or 11
 * (linked: only when address comparator n-1 matches the same access, whose
 * MATCH gives the direction). DATAVSIZE is the value's size; an access of
 * that size, or a larger one holding it in an aligned lane, compares. */
static bool dwt_v8_value_match(const struct sim_core *c, unsigned n, uint32_t addr, unsigned size,
			       bool write, uint32_t value)
{
	uint32_t f = c->dwt_func[n] & 0xFu, vsize = 1u << ((c->dwt_func[n] >> 10) & 3u);
	uint32_t mask = vsize == 4 ? 0xFFFFFFFFu : (1u << (8 * vsize)) - 1u;

	if (f == DWT_V8_DVALUE_LINKED) {
		if (n == 0 || !dwt_v8_addr_match(c, n - 1, addr, size, write))
			return false;
	} else if (f < DWT_V8_DVALUE_RW || f > DWT_V8_DVALUE_R || (f == DWT_V8_DVALUE_W && !write) ||
		   (f == DWT_V8_DVALUE_R && write)) {
		return false;
	}
	for (unsigned lane = 0; lane + vsize <= size; lane += vsize)
		if (((value >> (8 * lane)) & mask) == (c->dwt_comp[n] & mask))
			return true;
	return false;
}

static bool dwt_match(const struct sim_core *c, unsigned n, uint32_t addr, unsigned size, bool write,
		      uint32_t value)
{
	if (c->cfg.arch == 7)
		return (c->dwt_func[n] & DWT_V7_DATAVMATCH) ? dwt_value_match(c, n, addr, size, write, value)
							    : dwt_v7_addr_match(c, n, addr, size, write);
	if ((c->dwt_func[n] & 0xFu) >= DWT_V8_DVALUE_RW)
		return dwt_v8_value_match(c, n, addr, size, write, value);
	return dwt_v8_addr_match(c, n, addr, size, write);
}

/* Does a match raise a debug event? ARMv7-M: FUNCTION 4-7 do; ARMv8-M:
 * only ACTION = 01 (the others trigger trace, which is not modelled). */
static bool dwt_debug_event(const struct sim_core *c, unsigned n)
{
	return c->cfg.arch == 7 || ((c->dwt_func[n] >> 4) & 3u) == 1u;
}

static void on_mem(uc_engine *uc, uc_mem_type type, uint64_t addr64, int size, int64_t value,
		   void *user)
{
	struct sim_core *c = user;
	bool write = type == UC_MEM_WRITE, event = false;
	uint32_t addr = (uint32_t)addr64, v = (uint32_t)value;

	(void)uc;
	/* DEMCR.TRCENA is the global enable of the DWT (ARMv7-M ARM C1.6.5,
	 * ARMv8-M D1.2.37): with it clear no comparator matches. */
	if (!(c->demcr & DEMCR_TRCENA))
		return;
	if (!write) /* for reads the hook runs before the load: fetch the value */
		sim_bus_read(c->bus, addr & ~((uint32_t)size - 1u), (unsigned)size, &v);
	for (unsigned n = 0; n < c->cfg.dwt_comps; n++) {
		if (!dwt_match(c, n, addr, (unsigned)size, write, v))
			continue;
		c->dwt_func[n] |= DWT_MATCHED;
		event |= dwt_debug_event(c, n);
	}
	if (event && (c->dhcsr_ctrl & DHCSR_C_DEBUGEN) && !c->halted) {
		/* Watchpoints are imprecise: the access completes and the core
		 * halts before the next instruction (the count hook stops it). */
		c->halt_entries++;
		c->halted = true;
		c->dhcsr_ctrl |= DHCSR_C_HALT;
		c->dfsr |= DFSR_DWTTRAP;
		c->stop_request = true;
	}
}

/* Instruction address comparators: ARMv7-M FUNCTION 4 over the 2^MASK
 * bytes at COMP; ARMv8-M MATCH 2 on one address. Returns the span, 0 if
 * comparator n is not one. */
static uint32_t dwt_pc_span(const struct sim_core *c, unsigned n, uint32_t *lo)
{
	uint32_t f = c->dwt_func[n] & 0xFu;

	if (c->cfg.arch == 8) {
		*lo = c->dwt_comp[n] & ~1u;
		return f == 2 ? 2u : 0u;
	}
	*lo = c->dwt_comp[n] & ~((1u << c->dwt_mask[n]) - 1u) & ~1u;
	return f == 4 ? (1u << c->dwt_mask[n]) | 2u : 0u;
}

/* A PC match halts before the instruction, like a breakpoint, but is
 * reported as DFSR.DWTTRAP [simplified: the architecture leaves the
 * exact halt point of a DWT instruction match to the implementation]. */
static void on_dwt_pc(uc_engine *uc, uint64_t addr, uint32_t size, void *user)
{
	struct sim_core *c = user;
	bool event = false;

	(void)uc, (void)size;
	if (c->slice_done || c->stop_request || c->halted || !(c->demcr & DEMCR_TRCENA))
		return;
	for (unsigned n = 0; n < c->cfg.dwt_comps; n++) {
		uint32_t lo, span = dwt_pc_span(c, n, &lo);
		if (span && addr >= lo && addr < (uint64_t)lo + span) {
			c->dwt_func[n] |= DWT_MATCHED;
			event |= dwt_debug_event(c, n);
		}
	}
	if (!event || !(c->dhcsr_ctrl & DHCSR_C_DEBUGEN))
		return;
	if (c->insn_count)
		c->insn_count--; /* counted by the budget hook, not executed */
	sim_core_enter_halt(c, DFSR_DWTTRAP);
}

static void update_dwt_pc(struct sim_core *c)
{
	bool had = c->n_dwt_pc_hooks != 0;

	for (unsigned i = 0; i < c->n_dwt_pc_hooks; i++)
		uc_hook_del(c->uc, c->dwt_pc_hooks[i]);
	c->n_dwt_pc_hooks = 0;
	for (unsigned n = 0; n < c->cfg.dwt_comps; n++) {
		uint32_t lo, span = dwt_pc_span(c, n, &lo);
		if (span && uc_hook_add(c->uc, &c->dwt_pc_hooks[c->n_dwt_pc_hooks], UC_HOOK_CODE,
					(void *)on_dwt_pc, c, lo, (uint64_t)lo + span - 1) == UC_ERR_OK)
			c->n_dwt_pc_hooks++;
	}
	if (had || c->n_dwt_pc_hooks)
		sim_core_invalidate_code(c);
}

void sim_core_update_dwt(struct sim_core *c)
{
	bool any = false;

	update_dwt_pc(c);
	for (unsigned n = 0; n < c->cfg.dwt_comps; n++) {
		uint32_t f = c->dwt_func[n] & 0xFu;
		if (c->cfg.arch == 8 ? f >= DWT_V8_DADDR_RW && f <= DWT_V8_DVALUE_LINKED && f != DWT_V8_DADDR_LIMIT
				     : f >= 5 && f <= 7)
			any = true;
	}
	/* The hook checks the comparators when it runs; only adding or removing
	 * it needs retranslation (blocks embed the memory hooks they saw). */
	if (any && !c->dwt_hooked) {
		if (uc_hook_add(c->uc, &c->dwt_hook, UC_HOOK_MEM_READ | UC_HOOK_MEM_WRITE,
				(void *)on_mem, c, 1, 0) == UC_ERR_OK)
			c->dwt_hooked = true;
		sim_core_invalidate_code(c);
	} else if (!any && c->dwt_hooked) {
		uc_hook_del(c->uc, c->dwt_hook);
		c->dwt_hooked = false;
		sim_core_invalidate_code(c);
	}
}
