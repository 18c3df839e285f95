/* The core's L1 instruction cache (sim_cache.c) in the fetch path.
 *
 * With CCR.IC set (ARMv7-M ARM B3.2.8; reset 0), instruction fetches from
 * cacheable memory allocate lines; a later change of memory that did not
 * go through the I-cache (a debugger write through the AHB-AP, a CPU data
 * store, flash programming) is not seen until ICIALLU or ICIMVAU invalidate
 * the line (B2.2.7; Cortex-M7 TRM 5.9). TCM fetches bypass the cache.
 *
 * Unicorn executes from the memory it shares with the bus, so a line whose
 * cached bytes differ from memory is executed by swapping: at the start of
 * the next slice the cached bytes are put into memory for as long as the PC
 * stays in that line (its translated code dropped both ways), and memory is
 * put back when the slice ends, keeping any byte the CPU stored meanwhile.
 * The debugger never sees the swapped bytes (slices do not interleave with
 * its accesses). [simplified: a data load from the line being executed
 * stale reads the stale bytes, where silicon reads memory or the D-cache.] */
#include <string.h>

#include "sim/sim_core_priv.h"

#define CCR_IC (1u << 17)
#define SCS_ICIALLU 0xEF50u
#define SCS_ICIMVAU 0xEF58u
#define SCS_CLIDR 0xED78u
#define SCS_CTR 0xED7Cu
#define SCS_CCSIDR 0xED80u
#define SCS_CSSELR 0xED84u

/* ARMv7-M ARM B3.1 (Table B3-1, default memory map): Code and SRAM are
 * Normal cacheable (WT / WBWA), so are the two RAM regions at 0x60000000
 * and 0x80000000; Peripheral, Device and System are not (and are XN).
 * ITCM at 0 and DTCM at 0x20000000 are not cached (Cortex-M7 TRM 5.9). */
static bool cacheable(const struct sim_core *c, uint32_t addr)
{
	if (addr < c->cfg.itcm_size || addr - 0x20000000u < c->cfg.dtcm_size)
		return false;
	return addr < 0x40000000u || (addr >= 0x60000000u && addr < 0xA0000000u);
}

/* Memory behind [addr, addr + len): RAM or ROM backing, or NULL. */
static uint8_t *mem_at(struct sim_core *c, uint32_t addr, unsigned len)
{
	const struct sim_region *r = sim_bus_find(c->bus, addr);

	if (!r || r->kind == SIM_REGION_MMIO || !r->mem || addr - r->base > r->size - len)
		return NULL;
	return r->mem + (addr - r->base);
}

int sim_core_icache_init(struct sim_core *c)
{
	if (!c->cfg.icache.size)
		return SW_OK;
	c->icache = sim_icache_new(&c->cfg.icache);
	if (!c->icache)
		return sw_fail(c->ctx, SW_ERR_ARG, "sim core %s: bad I-cache geometry or out of memory",
			       c->cfg.name);
	return SW_OK;
}

/* Called for every instruction from on_insn before it executes. Returns
 * true when it stopped Unicorn so the instruction runs in the next slice
 * (from the cached bytes, or from memory again). */
bool sim_core_icache_fetch(struct sim_core *c, uint32_t addr, uint32_t size)
{
	struct sim_core_ic_swap *sw = &c->ic_swap;
	unsigned line;
	bool stale = false;

	if (!c->icache)
		return false;
	if (sw->mem) {
		if (addr - sw->addr < sw->len && size <= sw->len - (addr - sw->addr))
			return false; /* still in the line(s) served from the cache */
		goto stop;        /* left them: memory goes back first */
	}
	if (!(c->ccr & CCR_IC))
		return false;
	line = sim_icache_line(c->icache);
	/* Fast path: the line of the previous fetch. Fills happen only below
	 * (which picks a new line) and invalidates drop it. */
	if (c->ic_last_mem && addr - c->ic_last_line <= line - size) {
		uint32_t off = addr - c->ic_last_line;
		uint16_t d0, m0, d1 = 0, m1 = 0;
		memcpy(&d0, c->ic_last_data + off, 2);
		memcpy(&m0, c->ic_last_mem + off, 2);
		if (size == 4) {
			memcpy(&d1, c->ic_last_data + off + 2, 2);
			memcpy(&m1, c->ic_last_mem + off + 2, 2);
		}
		c->ic_fast_hits++;
		if (d0 == m0 && d1 == m1)
			return false;
		goto stop;
	}
	c->ic_last_mem = NULL;
	if (!cacheable(c, addr))
		return false;
	/* One line, or two for a 32-bit instruction in a line's last halfword. */
	for (uint32_t a = addr & ~(line - 1u), last = (addr + size - 1u) & ~(line - 1u);; a += line) {
		uint8_t *m = mem_at(c, a, line);
		const uint8_t *d;
		if (!m)
			return false; /* not memory we model as cacheable storage */
		d = sim_icache_lookup(c->icache, a);
		if (!d) {
			sim_icache_fill(c->icache, a, m);
			d = sim_icache_peek(c->icache, a);
		} else {
			uint32_t lo = a > addr ? a : addr, hi = a + line < addr + size ? a + line : addr + size;
			stale |= memcmp(d + (lo - a), m + (lo - a), hi - lo) != 0;
		}
		if (a == last) {
			if (a == (addr & ~(line - 1u))) { /* one line: remember it */
				c->ic_last_line = a;
				c->ic_last_mem = m;
				c->ic_last_data = d;
			}
			break;
		}
	}
	if (!stale)
		return false;
stop:
	c->stop_request = true;
	uc_emu_stop(c->uc);
	return true;
}

/* Before uc_emu_start at pc: if the line(s) holding the instruction at pc
 * are cached with bytes other than memory's, put the cached bytes in. */
void sim_core_icache_slice_start(struct sim_core *c, uint32_t pc)
{
	struct sim_core_ic_swap *sw = &c->ic_swap;
	unsigned line;
	uint32_t base;
	bool differ = false;

	if (!c->icache || sw->mem || !(c->ccr & CCR_IC) || !cacheable(c, pc & ~1u))
		return;
	line = sim_icache_line(c->icache);
	pc &= ~1u;
	base = pc & ~(line - 1u);
	/* A 32-bit instruction in the last halfword spans two lines. */
	sw->len = (pc - base == line - 2u && cacheable(c, base + line)) ? 2u * line : line;
	sw->mem = mem_at(c, base, sw->len);
	if (!sw->mem && sw->len > line)
		sw->mem = mem_at(c, base, sw->len = line);
	if (!sw->mem)
		return;
	sw->addr = base;
	memcpy(sw->saved, sw->mem, sw->len);
	memcpy(sw->stale, sw->mem, sw->len);
	for (unsigned off = 0; off < sw->len; off += line) {
		const uint8_t *d = sim_icache_peek(c->icache, base + off);
		if (d && memcmp(d, sw->mem + off, line)) {
			memcpy(sw->stale + off, d, line);
			differ = true;
		}
	}
	if (!differ) {
		sw->mem = NULL;
		return;
	}
	memcpy(sw->mem, sw->stale, sw->len);
	uc_ctl_remove_cache(c->uc, base, (uint64_t)base + sw->len);
	sim_icache_note_stale(c->icache);
}

/* After a slice: memory back as it was, with whatever the CPU stored into
 * those bytes meanwhile (a byte that differs from the stale one). */
void sim_core_icache_slice_end(struct sim_core *c)
{
	struct sim_core_ic_swap *sw = &c->ic_swap;

	if (!sw->mem)
		return;
	for (unsigned i = 0; i < sw->len; i++)
		if (sw->mem[i] != sw->stale[i])
			sw->saved[i] = sw->mem[i];
	memcpy(sw->mem, sw->saved, sw->len);
	uc_ctl_remove_cache(c->uc, sw->addr, (uint64_t)sw->addr + sw->len);
	sw->mem = NULL;
}

/* Reset: CCR.IC clears (the caller) and the lines are invalidated by the
 * hardware (Cortex-M7 TRM 5.9.2: automatic invalidation at reset while
 * INITL1RSTDIS is low). */
void sim_core_icache_reset(struct sim_core *c)
{
	c->ic_last_mem = NULL;
	if (c->icache)
		sim_icache_invalidate_all(c->icache);
}

/* SCS cache maintenance writes (B2.2.7, B3.2.? Table B3-9): ICIALLU
 * invalidates all, ICIMVAU the line holding the address. Both ports (CPU
 * and debugger) reach them. The D-cache operations are accepted and do
 * nothing (no D-cache is modelled). True if off was one of them. */
bool sim_core_icache_maint(struct sim_core *c, uint32_t off, uint32_t v, bool cpu)
{
	if (off != SCS_ICIALLU && off != SCS_ICIMVAU)
		return false;
	if (!c->icache)
		return true;
	c->ic_last_mem = NULL;
	if (off == SCS_ICIALLU)
		sim_icache_invalidate_all(c->icache);
	else
		sim_icache_invalidate_mva(c->icache, v);
	/* A line being executed from the cache is gone: fetch from memory
	 * from the next instruction on. */
	if (cpu && c->ic_swap.mem)
		c->stop_request = true;
	return true;
}

/* The cache identification registers (B4.8: CLIDR, CTR, CCSIDR, CSSELR)
 * of a core with caches; true if off was one of them. */
bool sim_core_cache_id_read(struct sim_core *c, uint32_t off, uint32_t *v)
{
	if (off != SCS_CLIDR && off != SCS_CTR && off != SCS_CCSIDR && off != SCS_CSSELR)
		return false;
	if (!c->icache) {
		*v = 0; /* no caches: CLIDR 0 says so */
		return true;
	}
	switch (off) {
	/* LoUU 1, LoC 1, level 1 separate I and D (Cortex-M7 Devices Generic
	 * User Guide 4.5, cache identification registers). */
	case SCS_CLIDR: *v = 0x09000003u; break;
	/* ARMv7 format, CWG and DminLine 8 words, IminLine 8 words. */
	case SCS_CTR: *v = 0x8303C003u; break;
	case SCS_CCSIDR:
		*v = (c->csselr >> 1) ? 0 : sim_cache_ccsidr((c->csselr & 1u) ? &c->cfg.icache : &c->cfg.dcache);
		break;
	default: *v = c->csselr; break;
	}
	return true;
}

/* CSSELR: Level [3:1] and InD [0]; only level 1 exists. */
bool sim_core_cache_id_write(struct sim_core *c, uint32_t off, uint32_t v)
{
	if (off != SCS_CSSELR)
		return false;
	c->csselr = c->icache ? v & 0xFu : 0;
	return true;
}

void sim_core_icache_free(struct sim_core *c)
{
	sim_icache_free(c->icache);
	c->icache = NULL;
}

int sim_core_icache_stats(const struct sim_core *c, struct sim_icache_stats *st)
{
	memset(st, 0, sizeof(*st));
	if (!c->icache)
		return -1;
	sim_icache_get_stats(c->icache, st);
	st->hits += c->ic_fast_hits;
	return 0;
}
