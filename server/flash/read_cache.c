/* Flash read cache: direct-mapped lines of RC_LINE bytes. A read that is
 * not wholly cached reads the line-aligned span around it in one go (one
 * batch on the wire) and keeps every line of it. */
#include <stdlib.h>
#include <string.h>

#include "server/flash/read_cache.h"

#define RC_LINE 64u
#define RC_LINES 256u /* 16 KiB: a few functions around the PC */
#define RC_SPAN 1024u /* larger reads (dumps, x/1000) bypass the cache */
/* A miss also fetches this much on either side (clipped to the region):
 * gdb reads a few bytes before and after the PC after every step, and the
 * next step's PC is a few bytes on, so one fill serves several steps even
 * where the code crosses a line boundary. */
#define RC_MARGIN 32u

struct rc_line {
	uint32_t tag; /* line address; valid only with `valid` */
	bool valid;
	uint8_t data[RC_LINE];
};

struct sw_read_cache {
	const struct sw_target_desc *desc;
	struct rc_line line[RC_LINES];
	struct sw_read_cache_stats stats;
	uint8_t span[RC_SPAN];
};

int sw_read_cache_new(const struct sw_target_desc *desc, struct sw_read_cache **out)
{
	*out = calloc(1, sizeof(**out));
	if (!*out)
		return SW_ERR_NOMEM;
	(*out)->desc = desc;
	return SW_OK;
}

void sw_read_cache_free(struct sw_read_cache *rc)
{
	free(rc);
}

void sw_read_cache_drop(struct sw_read_cache *rc)
{
	if (!rc)
		return;
	for (unsigned i = 0; i < RC_LINES; i++)
		rc->line[i].valid = false;
}

void sw_read_cache_get_stats(const struct sw_read_cache *rc, struct sw_read_cache_stats *st)
{
	*st = rc->stats;
}

static const struct sw_mem_region *flash_region(const struct sw_target_desc *d, uint32_t lo, uint64_t hi)
{
	for (size_t i = 0; i < d->n_regions; i++) {
		const struct sw_mem_region *r = &d->regions[i];
		if ((r->kind == SW_MEM_FLASH || r->kind == SW_MEM_ROM) && lo >= r->base && hi <= (uint64_t)r->base + r->size)
			return r;
	}
	return NULL;
}

static struct rc_line *slot(struct sw_read_cache *rc, uint32_t tag)
{
	return &rc->line[(tag / RC_LINE) % RC_LINES];
}

static bool cached(struct sw_read_cache *rc, uint32_t lo, uint64_t hi)
{
	for (uint32_t a = lo; a < hi; a += RC_LINE) {
		struct rc_line *l = slot(rc, a);
		if (!l->valid || l->tag != a)
			return false;
	}
	return true;
}

static void copy_out(struct sw_read_cache *rc, uint32_t addr, uint8_t *dst, size_t len)
{
	while (len) {
		uint32_t tag = addr & ~(RC_LINE - 1u), off = addr - tag;
		size_t n = RC_LINE - off < len ? RC_LINE - off : len;
		memcpy(dst, slot(rc, tag)->data + off, n);
		dst += n;
		addr += (uint32_t)n;
		len -= n;
	}
}

int sw_read_cache_read(struct sw_read_cache *rc, struct sw_core *core, uint32_t addr, void *buf, size_t len)
{
	uint64_t end = (uint64_t)addr + len;
	uint32_t lo = addr & ~(RC_LINE - 1u);
	uint64_t hi = (end + RC_LINE - 1u) & ~(uint64_t)(RC_LINE - 1u);
	int r;

	/* Only small reads of flash with both span ends inside one region; the
	 * rest (RAM, peripherals, big dumps) goes straight to the target. */
	if (!rc || !len || hi - lo > sizeof(rc->span) || hi > 0x100000000ull ||
	    !flash_region(rc->desc, lo, hi))
		return sw_core_mem_read(core, addr, buf, len);
	if (cached(rc, lo, hi)) {
		rc->stats.hits++;
		copy_out(rc, addr, buf, len);
		return SW_OK;
	}
	const struct sw_mem_region *reg = flash_region(rc->desc, lo, hi);
	uint32_t flo = lo >= reg->base + RC_MARGIN ? (lo - RC_MARGIN) & ~(RC_LINE - 1u) : reg->base;
	uint64_t fhi = hi + RC_MARGIN <= (uint64_t)reg->base + reg->size ? hi + RC_MARGIN : hi;

	fhi = (fhi + RC_LINE - 1u) & ~(uint64_t)(RC_LINE - 1u);
	if (fhi - flo > sizeof(rc->span) || fhi > (uint64_t)reg->base + reg->size) {
		flo = lo; /* no room for the margins: the request's own lines */
		fhi = hi;
	}
	lo = flo;
	hi = fhi;
	if ((r = sw_core_mem_read(core, lo, rc->span, (size_t)(hi - lo))))
		return r;
	rc->stats.fills++;
	for (uint32_t a = lo; a < hi; a += RC_LINE) {
		struct rc_line *l = slot(rc, a);
		l->tag = a;
		l->valid = true;
		memcpy(l->data, rc->span + (a - lo), RC_LINE);
	}
	copy_out(rc, addr, buf, len);
	return SW_OK;
}
