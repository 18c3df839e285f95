/* Firmware images for swdflash: ELF through sw_elf (the allocated sections
 * with contents at their load addresses, what gdb's load writes),
 * raw binaries at a base address, Intel HEX in image_hex.c. Everything is
 * checked here, before the server is asked to erase anything. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/lib/image.h"
#include "sw/elf.h"

#define MAX_FILE (64u << 20) /* larger than any MCU's flash */

void sw_image_free(struct sw_image *img)
{
	for (size_t i = 0; i < img->n; i++)
		free(img->seg[i].data);
	free(img->seg);
	memset(img, 0, sizeof(*img));
}

static int grow_seg(struct sw_ctx *ctx, struct sw_image_seg *s, uint32_t need)
{
	uint32_t cap = s->cap ? s->cap : 256;
	uint8_t *d;

	if (need <= s->cap)
		return SW_OK;
	while (cap < need)
		cap = cap > 0x7FFFFFFFu ? need : cap * 2;
	if (!(d = realloc(s->data, cap)))
		return sw_fail(ctx, SW_ERR_NOMEM, "out of memory");
	s->data = d;
	s->cap = cap;
	return SW_OK;
}

/* Merge run i+1 into run i when they touch. */
static int merge_next(struct sw_ctx *ctx, struct sw_image *img, size_t i)
{
	struct sw_image_seg *a = &img->seg[i], *b = &img->seg[i + 1];
	int r;

	if ((uint64_t)a->addr + a->len != b->addr)
		return SW_OK;
	if ((r = grow_seg(ctx, a, a->len + b->len)))
		return r;
	memcpy(a->data + a->len, b->data, b->len);
	a->len += b->len;
	free(b->data);
	memmove(b, b + 1, (img->n - i - 2) * sizeof(*b));
	img->n--;
	return SW_OK;
}

int sw_image_add(struct sw_ctx *ctx, struct sw_image *img, uint32_t addr, const uint8_t *data, uint32_t len)
{
	size_t i = img->n;
	int r;

	if (!len)
		return SW_OK;
	if ((uint64_t)addr + len > 0x100000000ull)
		return sw_fail(ctx, SW_ERR_PROTO, "data at 0x%08x runs past the 4 GiB address space", addr);
	/* Fast path: appending right after the last run (HEX records, ELF in order). */
	if (i && img->seg[i - 1].addr + (uint64_t)img->seg[i - 1].len == addr) {
		struct sw_image_seg *s = &img->seg[i - 1];
		if ((r = grow_seg(ctx, s, s->len + len)))
			return r;
		memcpy(s->data + s->len, data, len);
		s->len += len;
		return SW_OK;
	}
	while (i && img->seg[i - 1].addr > addr)
		i--;
	if ((i && img->seg[i - 1].addr + (uint64_t)img->seg[i - 1].len > addr) ||
	    (i < img->n && (uint64_t)addr + len > img->seg[i].addr))
		return sw_fail(ctx, SW_ERR_PROTO, "data at 0x%08x overlaps other data of the image", addr);
	if (img->n == img->cap) {
		size_t cap = img->cap ? img->cap * 2 : 8;
		struct sw_image_seg *ns = realloc(img->seg, cap * sizeof(*ns));
		if (!ns)
			return sw_fail(ctx, SW_ERR_NOMEM, "out of memory");
		img->seg = ns;
		img->cap = cap;
	}
	memmove(&img->seg[i + 1], &img->seg[i], (img->n - i) * sizeof(img->seg[0]));
	img->seg[i] = (struct sw_image_seg){.addr = addr};
	img->n++;
	if ((r = grow_seg(ctx, &img->seg[i], len)))
		return r;
	memcpy(img->seg[i].data, data, len);
	img->seg[i].len = len;
	if (i + 1 < img->n && (r = merge_next(ctx, img, i)))
		return r;
	return i ? merge_next(ctx, img, i - 1) : SW_OK;
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static int load_elf(struct sw_ctx *ctx, const char *name, const uint8_t *buf, size_t len, struct sw_image *img)
{
	struct sw_elf *elf;
	int r;

	if ((r = sw_elf_open_mem(ctx, name, buf, len, &elf)))
		return r;
	/* The loadable data may sit early in the file; a file cut before its
	 * section header table (e_shoff, e_shentsize, e_shnum: gABI "ELF
	 * Header") is still truncated, and flashing half a download is what
	 * this check is for. sw_elf has validated the 52-byte header. */
	uint64_t shentsize = (uint64_t)buf[46] | (uint64_t)buf[47] << 8, shnum = (uint64_t)buf[48] | (uint64_t)buf[49] << 8;
	uint64_t sh_end = le32(buf + 32) + shentsize * shnum;
	if (le32(buf + 32) && sh_end > len) {
		sw_elf_close(elf);
		return sw_fail(ctx, SW_ERR_PROTO, "%s: truncated: the section headers end at byte %llu, the file at %zu",
			       name, (unsigned long long)sh_end, len);
	}
	img->entry = sw_elf_entry(elf);
	img->has_rtt_cb = !sw_elf_symbol(elf, "_SEGGER_RTT", &img->rtt_cb, NULL);
	img->has_symbols = sw_elf_has_symbols(elf) != 0;
	/* gdb's load: section contents at their LMAs, not segment file ranges. */
	for (size_t i = 0; i < sw_elf_load_count(elf) && !r; i++) {
		const struct sw_elf_seg *s = sw_elf_load(elf, i);
		r = sw_image_add(ctx, img, s->paddr, s->data, s->filesz);
	}
	sw_elf_close(elf);
	return r;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && !strcasecmp(s + a - b, suffix);
}

static enum sw_image_fmt guess(const char *name, const uint8_t *buf, size_t len, bool have_base)
{
	if (len >= 4 && !memcmp(buf, "\x7f" "ELF", 4))
		return SW_IMG_ELF;
	if (ends_with(name, ".hex") || ends_with(name, ".ihex") || ends_with(name, ".ihx") ||
	    (len && buf[0] == ':'))
		return SW_IMG_HEX;
	if (ends_with(name, ".bin") || have_base)
		return SW_IMG_BIN;
	return SW_IMG_ELF;
}

int sw_image_load_mem(struct sw_ctx *ctx, const char *name, const uint8_t *buf, size_t len,
		      enum sw_image_fmt fmt, bool have_base, uint32_t base, struct sw_image *img)
{
	int r;

	memset(img, 0, sizeof(*img));
	if (fmt == SW_IMG_AUTO)
		fmt = guess(name, buf, len, have_base);
	img->fmt = fmt;
	if (fmt == SW_IMG_BIN) {
		if (!have_base)
			return sw_fail(ctx, SW_ERR_ARG, "%s: a raw binary needs --base ADDR", name);
		if (len > 0xFFFFFFFFu)
			return sw_fail(ctx, SW_ERR_PROTO, "%s: too large", name);
		r = sw_image_add(ctx, img, base, buf, (uint32_t)len);
	} else if (fmt == SW_IMG_HEX) {
		r = sw_image_parse_hex(ctx, name, buf, len, img);
	} else {
		r = load_elf(ctx, name, buf, len, img);
	}
	if (!r && !img->n)
		r = sw_fail(ctx, SW_ERR_ARG, "%s: no data to load", name);
	if (r)
		sw_image_free(img);
	return r;
}

int sw_image_load(struct sw_ctx *ctx, const char *path, enum sw_image_fmt fmt, bool have_base, uint32_t base,
		  struct sw_image *img)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t len = 0, cap = 0;
	int r;

	memset(img, 0, sizeof(*img));
	if (!f)
		return sw_fail(ctx, SW_ERR_IO, "%s: %s", path, strerror(errno));
	for (;;) {
		if (len == cap) {
			uint8_t *nb = cap < MAX_FILE ? realloc(buf, cap ? cap * 2 : 65536) : NULL;
			if (!nb) {
				free(buf);
				fclose(f);
				return sw_fail(ctx, cap < MAX_FILE ? SW_ERR_NOMEM : SW_ERR_PROTO,
					       "%s: cannot read (larger than %u MiB?)", path, MAX_FILE >> 20);
			}
			buf = nb;
			cap = cap ? cap * 2 : 65536;
		}
		size_t n = fread(buf + len, 1, cap - len, f);
		len += n;
		if (n == 0)
			break;
	}
	r = ferror(f) ? sw_fail(ctx, SW_ERR_IO, "%s: read error", path)
		      : sw_image_load_mem(ctx, path, buf, len, fmt, have_base, base, img);
	fclose(f);
	free(buf);
	return r;
}

int sw_image_check(struct sw_ctx *ctx, const struct sw_image *img, const struct sw_memmap *mm,
		   const char *name)
{
	for (size_t i = 0; i < img->n; i++) {
		uint64_t a = img->seg[i].addr, end = a + img->seg[i].len;
		while (a < end) {
			const struct sw_mm_region *r = sw_memmap_find(mm, (uint32_t)a);
			if (!r || r->kind == SW_MM_ROM)
				return sw_fail(ctx, SW_ERR_ARG,
					       "%s: data at 0x%08llx (segment 0x%08x..0x%08llx) is outside the "
					       "target's flash and RAM",
					       name, (unsigned long long)a, img->seg[i].addr,
					       (unsigned long long)end - 1);
			a = r->start + r->length;
		}
	}
	return SW_OK;
}

size_t sw_image_fill(const struct sw_image *img, uint32_t addr, uint8_t *buf, uint32_t len, uint8_t fill)
{
	uint64_t end = (uint64_t)addr + len;
	size_t found = 0;

	memset(buf, fill, len);
	for (size_t i = 0; i < img->n; i++) {
		const struct sw_image_seg *s = &img->seg[i];
		uint64_t lo = s->addr > addr ? s->addr : addr;
		uint64_t hi = (uint64_t)s->addr + s->len < end ? (uint64_t)s->addr + s->len : end;
		if (lo >= hi)
			continue;
		memcpy(buf + (lo - addr), s->data + (lo - s->addr), (size_t)(hi - lo));
		found += (size_t)(hi - lo);
	}
	return found;
}

uint64_t sw_image_bytes(const struct sw_image *img)
{
	uint64_t n = 0;

	for (size_t i = 0; i < img->n; i++)
		n += img->seg[i].len;
	return n;
}
