/* Memory-map XML parser: only the <memory> elements and their blocksize
 * property are needed (GDB manual "Memory Map Format"; the DTD allows
 * nothing else of interest). A string scan, not a general XML parser. */
#include <stdlib.h>
#include <string.h>

#include "client/lib/memmap.h"

/* Value of attribute `name` inside [tag, end): copies it into out. */
static int attr(const char *tag, const char *end, const char *name, char *out, size_t cap)
{
	size_t nl = strlen(name);

	for (const char *p = tag; p + nl + 2 < end; p++) {
		if (strncmp(p, name, nl) || p[nl] != '=' || (p[nl + 1] != '"' && p[nl + 1] != '\'') ||
		    (p > tag && p[-1] != ' ' && p[-1] != '\t' && p[-1] != '\n'))
			continue;
		const char *v = p + nl + 2, *q = memchr(v, p[nl + 1], (size_t)(end - v));
		if (!q || (size_t)(q - v) >= cap)
			return -1;
		memcpy(out, v, (size_t)(q - v));
		out[q - v] = 0;
		return 0;
	}
	return -1;
}

static int number(const char *s, uint64_t *v)
{
	char *end;

	if (!*s)
		return -1;
	*v = strtoull(s, &end, 0);
	while (*end == ' ')
		end++;
	return *end ? -1 : 0;
}

static int parse_one(struct sw_ctx *ctx, const char *tag, const char **next, struct sw_mm_region *r)
{
	const char *gt = strchr(tag, '>'), *close;
	char type[16], sv[32], lv[32];
	uint64_t start, length, bs = 0;

	if (!gt || attr(tag, gt, "type", type, sizeof(type)) || attr(tag, gt, "start", sv, sizeof(sv)) ||
	    attr(tag, gt, "length", lv, sizeof(lv)) || number(sv, &start) || number(lv, &length) ||
	    start > 0xFFFFFFFFu || length == 0 || start + length > 0x100000000ull)
		return sw_fail(ctx, SW_ERR_PROTO, "memory map: malformed <memory> element");
	*next = gt + 1;
	r->kind = !strcmp(type, "flash") ? SW_MM_FLASH : !strcmp(type, "rom") ? SW_MM_ROM : SW_MM_RAM;
	if (r->kind == SW_MM_FLASH) {
		/* <memory ...><property name="blocksize">N</property></memory> */
		const char *prop = strstr(gt, "blocksize");
		close = strstr(gt, "</memory>");
		if (!prop || !close || prop > close || !(prop = strchr(prop, '>')))
			return sw_fail(ctx, SW_ERR_PROTO, "memory map: flash at 0x%08llx has no blocksize",
				       (unsigned long long)start);
		bs = strtoull(prop + 1, NULL, 0);
		if (!bs || bs > length || length % bs)
			return sw_fail(ctx, SW_ERR_PROTO, "memory map: flash at 0x%08llx: bad blocksize",
				       (unsigned long long)start);
		*next = close;
	}
	r->start = (uint32_t)start;
	r->length = length;
	r->blocksize = (uint32_t)bs;
	return SW_OK;
}

int sw_memmap_parse(struct sw_ctx *ctx, const char *xml, struct sw_memmap *mm)
{
	const char *p = xml;
	int r;

	mm->n = 0;
	if (!strstr(xml, "<memory-map"))
		return sw_fail(ctx, SW_ERR_PROTO, "memory map: no <memory-map> element");
	while ((p = strstr(p, "<memory "))) {
		if (mm->n == SW_MEMMAP_MAX)
			return sw_fail(ctx, SW_ERR_PROTO, "memory map: more than %d regions", SW_MEMMAP_MAX);
		if ((r = parse_one(ctx, p, &p, &mm->r[mm->n])))
			return r;
		mm->n++;
	}
	return SW_OK;
}

const struct sw_mm_region *sw_memmap_find(const struct sw_memmap *mm, uint32_t addr)
{
	for (size_t i = 0; i < mm->n; i++)
		if (addr >= mm->r[i].start && addr - mm->r[i].start < mm->r[i].length)
			return &mm->r[i];
	return NULL;
}

const char *sw_mm_kind_name(enum sw_mm_kind k)
{
	return k == SW_MM_FLASH ? "flash" : k == SW_MM_ROM ? "rom" : "ram";
}
