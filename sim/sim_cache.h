/* A set-associative L1 instruction cache that holds the bytes it fetched,
 * so a core can execute what the cache holds rather than what memory holds
 * now (ARMv7-M ARM B2.2.7: a debugger or data write to code is not seen by
 * the I-cache until ICIALLU/ICIMVAU). Geometry per core from its TRM:
 * Cortex-M7 TRM 5.9 (I-cache 2-way, 32-byte lines, size set by the
 * implementer: 16 KiB on the STM32H743, RM0433 §2.1). */
#ifndef SW_SIM_CACHE_H
#define SW_SIM_CACHE_H

#include <stdbool.h>
#include <stdint.h>

#define SIM_ICACHE_LINE_MAX 64u

struct sim_icache_cfg {
	uint32_t size; /* bytes; 0 = no cache */
	unsigned ways;
	unsigned line; /* bytes, a power of two <= SIM_ICACHE_LINE_MAX */
};

struct sim_icache_stats {
	uint64_t hits, misses, stale_hits, invalidates;
};

struct sim_icache;

/* NULL on a bad geometry (sets and line not powers of two) or no memory. */
struct sim_icache *sim_icache_new(const struct sim_icache_cfg *cfg);
void sim_icache_free(struct sim_icache *ic);
unsigned sim_icache_line(const struct sim_icache *ic);

/* The cached bytes of the line holding addr (line-aligned, `line` bytes),
 * or NULL on a miss. Counts a hit or a miss. The pointer stays that line's
 * until the next fill or invalidate. */
const uint8_t *sim_icache_lookup(struct sim_icache *ic, uint32_t addr);
/* The same without counting (the model looking again). */
const uint8_t *sim_icache_peek(struct sim_icache *ic, uint32_t addr);
/* Allocate the line holding addr with `line` bytes read from memory at
 * the line-aligned address; the victim is picked round robin per set
 * [simplified: the M7's replacement policy is not documented]. */
void sim_icache_fill(struct sim_icache *ic, uint32_t addr, const uint8_t *bytes);
/* ICIALLU (and reset): every line invalid. */
void sim_icache_invalidate_all(struct sim_icache *ic);
/* ICIMVAU: the line holding addr, if present, invalid. */
void sim_icache_invalidate_mva(struct sim_icache *ic, uint32_t addr);
/* Hits the caller served from a line pointer it kept (counted in bulk). */
void sim_icache_add_hits(struct sim_icache *ic, uint64_t n);
/* The core executed a line whose cached bytes differ from memory's. */
void sim_icache_note_stale(struct sim_icache *ic);
void sim_icache_get_stats(const struct sim_icache *ic, struct sim_icache_stats *st);

/* CCSIDR of a cache with this geometry (0 for none), for the cache
 * identification registers; also used for the D-cache, which has no model. */
uint32_t sim_cache_ccsidr(const struct sim_icache_cfg *g);

#endif
