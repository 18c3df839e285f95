/* A firmware image as swdflash sees it: address-sorted, non-overlapping
 * runs of bytes. Read from ELF (allocated sections with contents at
 * their load addresses, as gdb's load), Intel HEX, or a raw binary at a given base. */
#ifndef SW_CLIENT_IMAGE_H
#define SW_CLIENT_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "client/lib/memmap.h"
#include "sw/ctx.h"

enum sw_image_fmt { SW_IMG_AUTO, SW_IMG_ELF, SW_IMG_HEX, SW_IMG_BIN };

struct sw_image_seg {
	uint32_t addr;
	uint32_t len;
	uint8_t *data; /* owned */
	uint32_t cap;  /* bytes allocated at data */
};

struct sw_image {
	struct sw_image_seg *seg;
	size_t n, cap;
	uint32_t entry;    /* ELF entry, HEX start address, or 0 */
	uint32_t rtt_cb;   /* ELF symbol _SEGGER_RTT (the RTT control block) */
	bool has_rtt_cb;
	bool has_symbols;  /* an ELF with a symbol table: no _SEGGER_RTT there means no RTT */
	enum sw_image_fmt fmt;
};

/* Read `path`. AUTO picks by content and name: ELF magic -> ELF, ".hex" /
 * ".ihex" or a leading ':' -> HEX, ".bin" or have_base -> BIN, else ELF
 * (which then reports "not an ELF file"). BIN needs have_base.
 * Errors: SW_ERR_IO (cannot read), SW_ERR_PROTO (bad or truncated content),
 * SW_ERR_ARG (BIN without a base, empty image); one line naming the file. */
int sw_image_load(struct sw_ctx *ctx, const char *path, enum sw_image_fmt fmt, bool have_base, uint32_t base,
		  struct sw_image *img);
/* Same for a buffer already in memory (name is for messages). */
int sw_image_load_mem(struct sw_ctx *ctx, const char *name, const uint8_t *buf, size_t len,
		      enum sw_image_fmt fmt, bool have_base, uint32_t base, struct sw_image *img);
void sw_image_free(struct sw_image *img);

/* Add a run (copied); overlapping runs are an error (SW_ERR_PROTO). Runs
 * are kept sorted and adjacent runs merged. */
int sw_image_add(struct sw_ctx *ctx, struct sw_image *img, uint32_t addr, const uint8_t *data, uint32_t len);
/* Every byte must lie in flash or RAM of the map (runs may cross from one
 * region into the next, e.g. two flash banks). SW_ERR_ARG naming the first
 * byte outside. */
int sw_image_check(struct sw_ctx *ctx, const struct sw_image *img, const struct sw_memmap *mm,
		   const char *name);
/* Copy the image's bytes in [addr, addr+len) into buf, `fill` elsewhere.
 * Returns the number of image bytes found there. */
size_t sw_image_fill(const struct sw_image *img, uint32_t addr, uint8_t *buf, uint32_t len, uint8_t fill);
uint64_t sw_image_bytes(const struct sw_image *img);

/* Intel HEX text (image_hex.c). */
int sw_image_parse_hex(struct sw_ctx *ctx, const char *name, const uint8_t *buf, size_t len,
		       struct sw_image *img);

#endif
