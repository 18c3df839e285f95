/* gdb memory-map XML (GDB manual "Memory Map Format"), as swdflash needs
 * it: where flash is, its erase blocks, and where RAM is. */
#ifndef SW_CLIENT_MEMMAP_H
#define SW_CLIENT_MEMMAP_H

#include <stddef.h>
#include <stdint.h>

#include "sw/ctx.h"

#define SW_MEMMAP_MAX 64

enum sw_mm_kind { SW_MM_RAM, SW_MM_ROM, SW_MM_FLASH };

struct sw_mm_region {
	enum sw_mm_kind kind;
	uint32_t start;
	uint64_t length;    /* up to 4 GiB */
	uint32_t blocksize; /* flash erase unit; 0 for RAM/ROM */
};

struct sw_memmap {
	struct sw_mm_region r[SW_MEMMAP_MAX];
	size_t n;
};

/* Parse the XML. SW_ERR_PROTO with a message on malformed input (a flash
 * region without a usable blocksize, bad numbers, too many regions). */
int sw_memmap_parse(struct sw_ctx *ctx, const char *xml, struct sw_memmap *mm);
/* The region holding addr, or NULL. */
const struct sw_mm_region *sw_memmap_find(const struct sw_memmap *mm, uint32_t addr);
const char *sw_mm_kind_name(enum sw_mm_kind k);

#endif
