/* Set-associative instruction cache holding line bytes: see sim_cache.h. */
#include "sim/sim_cache.h"

#include <stdlib.h>
#include <string.h>

struct ic_line {
	bool valid;
	uint32_t tag; /* address >> (line bits + set bits) */
	uint8_t data[SIM_ICACHE_LINE_MAX];
};

struct sim_icache {
	unsigned ways, sets, line, line_shift, set_shift;
	unsigned *next; /* round-robin victim per set */
	struct ic_line *lines; /* sets x ways */
	struct sim_icache_stats st;
};

static bool pow2(uint32_t v)
{
	return v && !(v & (v - 1u));
}

static unsigned log2u(uint32_t v)
{
	unsigned n = 0;

	while (v > 1u) {
		v >>= 1;
		n++;
	}
	return n;
}

struct sim_icache *sim_icache_new(const struct sim_icache_cfg *cfg)
{
	struct sim_icache *ic;
	uint32_t sets;

	if (!cfg->size || !cfg->ways || !pow2(cfg->line) || cfg->line > SIM_ICACHE_LINE_MAX ||
	    cfg->size % (cfg->ways * cfg->line))
		return NULL;
	sets = cfg->size / (cfg->ways * cfg->line);
	if (!pow2(sets))
		return NULL;
	ic = calloc(1, sizeof(*ic));
	if (!ic)
		return NULL;
	ic->ways = cfg->ways;
	ic->sets = sets;
	ic->line = cfg->line;
	ic->line_shift = log2u(cfg->line);
	ic->set_shift = log2u(sets);
	ic->next = calloc(sets, sizeof(*ic->next));
	ic->lines = calloc((size_t)sets * cfg->ways, sizeof(*ic->lines));
	if (!ic->next || !ic->lines) {
		sim_icache_free(ic);
		return NULL;
	}
	return ic;
}

void sim_icache_free(struct sim_icache *ic)
{
	if (!ic)
		return;
	free(ic->next);
	free(ic->lines);
	free(ic);
}

unsigned sim_icache_line(const struct sim_icache *ic)
{
	return ic->line;
}

static unsigned set_of(const struct sim_icache *ic, uint32_t addr)
{
	return (addr >> ic->line_shift) & (ic->sets - 1u);
}

static uint32_t tag_of(const struct sim_icache *ic, uint32_t addr)
{
	return addr >> (ic->line_shift + ic->set_shift);
}

static struct ic_line *find(struct sim_icache *ic, uint32_t addr)
{
	struct ic_line *set = &ic->lines[(size_t)set_of(ic, addr) * ic->ways];
	uint32_t tag = tag_of(ic, addr);

	for (unsigned w = 0; w < ic->ways; w++)
		if (set[w].valid && set[w].tag == tag)
			return &set[w];
	return NULL;
}

const uint8_t *sim_icache_lookup(struct sim_icache *ic, uint32_t addr)
{
	struct ic_line *l = find(ic, addr);

	if (!l) {
		ic->st.misses++;
		return NULL;
	}
	ic->st.hits++;
	return l->data;
}

const uint8_t *sim_icache_peek(struct sim_icache *ic, uint32_t addr)
{
	struct ic_line *l = find(ic, addr);

	return l ? l->data : NULL;
}

void sim_icache_fill(struct sim_icache *ic, uint32_t addr, const uint8_t *bytes)
{
	unsigned s = set_of(ic, addr);
	struct ic_line *l = find(ic, addr);

	if (!l) {
		struct ic_line *set = &ic->lines[(size_t)s * ic->ways];
		unsigned w = ic->ways;
		for (unsigned i = 0; i < ic->ways && w == ic->ways; i++)
			if (!set[i].valid)
				w = i; /* an invalid way first */
		if (w == ic->ways) {
			w = ic->next[s];
			ic->next[s] = (w + 1u) % ic->ways;
		}
		l = &set[w];
	}
	l->valid = true;
	l->tag = tag_of(ic, addr);
	memcpy(l->data, bytes, ic->line);
}

void sim_icache_invalidate_all(struct sim_icache *ic)
{
	for (size_t i = 0; i < (size_t)ic->sets * ic->ways; i++)
		ic->lines[i].valid = false;
	memset(ic->next, 0, ic->sets * sizeof(*ic->next));
	ic->st.invalidates++;
}

void sim_icache_invalidate_mva(struct sim_icache *ic, uint32_t addr)
{
	struct ic_line *l = find(ic, addr);

	if (l)
		l->valid = false;
}

void sim_icache_add_hits(struct sim_icache *ic, uint64_t n)
{
	ic->st.hits += n;
}

void sim_icache_note_stale(struct sim_icache *ic)
{
	ic->st.stale_hits++;
}

void sim_icache_get_stats(const struct sim_icache *ic, struct sim_icache_stats *st)
{
	*st = ic->st;
}

/* CCSIDR (ARMv7-M ARM B4.8.3): WT, WB, RA, WA [31:28], NumSets - 1
 * [27:13], Associativity - 1 [12:3], log2(words per line) - 2 [2:0]. All
 * four attribute bits set as the Cortex-M7 TRM lists for its data cache
 * [the instruction cache's unverified]. */
uint32_t sim_cache_ccsidr(const struct sim_icache_cfg *g)
{
	uint32_t sets;

	if (!g->size || !g->ways || !g->line)
		return 0;
	sets = g->size / (g->ways * g->line);
	return 0xF0000000u | ((sets - 1u) & 0x7FFFu) << 13 | ((g->ways - 1u) & 0x3FFu) << 3 |
	       ((log2u(g->line / 4u) - 2u) & 7u);
}
