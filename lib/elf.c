/* ELF32 little-endian ARM reader (System V gABI; ARM ELF, IHI 0044).
 * The whole file is kept in memory; every offset and size is checked
 * against its length before use. */
#include "sw/elf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sw/err.h"
#include "sw/types.h"

#define EI_NIDENT 16
#define ELFCLASS32 1
#define ELFDATA2LSB 1
#define ET_EXEC 2
#define EM_ARM 40
#define PT_LOAD 1
#define SHT_SYMTAB 2
#define SHT_NOBITS 8
#define SHF_ALLOC 2u
#define EHDR_SIZE 52u
#define PHDR_SIZE 32u
#define SHDR_SIZE 40u
#define SYM_SIZE 16u

struct sw_elf {
	uint8_t *img;
	size_t len;
	uint32_t entry;
	struct sw_elf_seg *segs;
	size_t n_segs;
	struct sw_elf_seg *loads; /* what gdb's load writes (see sw_elf_load) */
	size_t n_loads;
	/* .symtab and its string table, 0 if absent */
	uint32_t sym_off, sym_len, str_off, str_len;
	/* Opened from a file: its path and what stat() said then (refresh). */
	char *path;
	struct timespec mtime;
	off_t size;
};

static int in_file(const struct sw_elf *e, uint64_t off, uint64_t len)
{
	return off <= e->len && len <= e->len - off;
}

static int parse_segments(struct sw_ctx *ctx, const char *name, struct sw_elf *e)
{
	const uint8_t *h = e->img;
	uint32_t phoff = sw_le32_get(h + 28);
	uint16_t phentsize = sw_le16_get(h + 42), phnum = sw_le16_get(h + 44);

	if (phnum == 0)
		return sw_fail(ctx, SW_ERR_PROTO, "%s: no program headers (not a linked image)", name);
	if (phentsize < PHDR_SIZE || !in_file(e, phoff, (uint64_t)phentsize * phnum))
		return sw_fail(ctx, SW_ERR_PROTO, "%s: truncated file (program headers past the end)",
			       name);
	e->segs = calloc(phnum, sizeof(*e->segs));
	if (!e->segs)
		return sw_fail(ctx, SW_ERR_NOMEM, "%s: out of memory", name);
	for (unsigned i = 0; i < phnum; i++) {
		const uint8_t *ph = h + phoff + (size_t)i * phentsize;
		struct sw_elf_seg *s = &e->segs[e->n_segs];
		uint32_t off = sw_le32_get(ph + 4);

		if (sw_le32_get(ph) != PT_LOAD)
			continue;
		s->vaddr = sw_le32_get(ph + 8);
		s->paddr = sw_le32_get(ph + 12);
		s->filesz = sw_le32_get(ph + 16);
		s->memsz = sw_le32_get(ph + 20);
		s->flags = sw_le32_get(ph + 24);
		if (s->filesz == 0)
			continue;
		if (!in_file(e, off, s->filesz))
			return sw_fail(ctx, SW_ERR_PROTO,
				       "%s: truncated file (segment at 0x%08x needs %u bytes at offset %u)",
				       name, s->paddr, s->filesz, off);
		if ((uint64_t)s->paddr + s->filesz > 0x100000000ull)
			return sw_fail(ctx, SW_ERR_PROTO, "%s: segment at 0x%08x wraps the address space",
				       name, s->paddr);
		s->data = e->img + off;
		e->n_segs++;
	}
	return SW_OK;
}

/* Section headers are optional (e_shoff 0), but when the header promises
 * them they must be in the file: a file cut short is truncated even when its
 * loadable segments happen to come first. */
static int check_sections(struct sw_ctx *ctx, const char *name, const struct sw_elf *e)
{
	uint32_t shoff = sw_le32_get(e->img + 32);
	uint16_t shentsize = sw_le16_get(e->img + 46), shnum = sw_le16_get(e->img + 48);

	if (shoff && !in_file(e, shoff, (uint64_t)shentsize * shnum))
		return sw_fail(ctx, SW_ERR_PROTO, "%s: truncated file (section headers past the end)", name);
	return SW_OK;
}

/* Find .symtab and its linked string table; absence is not an error. */
static void find_symtab(struct sw_elf *e)
{
	const uint8_t *h = e->img;
	uint32_t shoff = sw_le32_get(h + 32);
	uint16_t shentsize = sw_le16_get(h + 46), shnum = sw_le16_get(h + 48);

	if (shoff == 0 || shentsize < SHDR_SIZE || !in_file(e, shoff, (uint64_t)shentsize * shnum))
		return;
	for (unsigned i = 0; i < shnum; i++) {
		const uint8_t *sh = h + shoff + (size_t)i * shentsize;
		uint32_t link = sw_le32_get(sh + 24);
		const uint8_t *str;

		if (sw_le32_get(sh + 4) != SHT_SYMTAB || link >= shnum)
			continue;
		str = h + shoff + (size_t)link * shentsize;
		if (!in_file(e, sw_le32_get(sh + 16), sw_le32_get(sh + 20)) ||
		    !in_file(e, sw_le32_get(str + 16), sw_le32_get(str + 20)))
			return;
		e->sym_off = sw_le32_get(sh + 16);
		e->sym_len = sw_le32_get(sh + 20);
		e->str_off = sw_le32_get(str + 16);
		e->str_len = sw_le32_get(str + 20);
		return;
	}
}

/* The LMA of a section as BFD computes it (binutils elf.c,
 * _bfd_elf_make_section_from_shdr): inside a PT_LOAD segment (its file
 * bytes within the segment's, its address within the segment's memory),
 * p_paddr plus the section's offset into the segment's file image; in no
 * segment, its own address. */
static uint32_t section_lma(const struct sw_elf *e, uint32_t off, uint32_t addr, uint32_t size)
{
	const uint8_t *h = e->img;
	uint32_t phoff = sw_le32_get(h + 28);
	uint16_t phentsize = sw_le16_get(h + 42), phnum = sw_le16_get(h + 44);

	for (unsigned i = 0; i < phnum; i++) {
		const uint8_t *ph = h + phoff + (size_t)i * phentsize;
		uint64_t p_off = sw_le32_get(ph + 4), p_vaddr = sw_le32_get(ph + 8), p_filesz = sw_le32_get(ph + 16);
		uint64_t p_memsz = sw_le32_get(ph + 20);

		if (sw_le32_get(ph) != PT_LOAD || off < p_off || off + (uint64_t)size > p_off + p_filesz ||
		    addr < p_vaddr || addr + (uint64_t)size > p_vaddr + p_memsz)
			continue;
		return sw_le32_get(ph + 12) + (uint32_t)(off - p_off);
	}
	return addr;
}

/* What gdb's `load` writes: every section with contents that is allocated
 * (SHF_ALLOC, not SHT_NOBITS, size > 0), at its LMA. A PT_LOAD segment's
 * file range can also cover the ELF and program headers (a .bss-only
 * segment placed at offset 0, or a first segment that starts before its
 * first section); those bytes belong to no section and are not loaded.
 * Without section headers the PT_LOAD segments are all there is. */
static int collect_loads(struct sw_ctx *ctx, const char *name, struct sw_elf *e)
{
	const uint8_t *h = e->img;
	uint32_t shoff = sw_le32_get(h + 32);
	uint16_t shentsize = sw_le16_get(h + 46), shnum = sw_le16_get(h + 48);

	if (!shoff || !shnum || shentsize < SHDR_SIZE) {
		e->loads = e->segs;
		e->n_loads = e->n_segs;
		return SW_OK;
	}
	if (!(e->loads = calloc(shnum, sizeof(*e->loads))))
		return sw_fail(ctx, SW_ERR_NOMEM, "%s: out of memory", name);
	for (unsigned i = 0; i < shnum; i++) {
		const uint8_t *sh = h + shoff + (size_t)i * shentsize;
		uint32_t type = sw_le32_get(sh + 4), flags = sw_le32_get(sh + 8), addr = sw_le32_get(sh + 12);
		uint32_t off = sw_le32_get(sh + 16), size = sw_le32_get(sh + 20);
		struct sw_elf_seg *s = &e->loads[e->n_loads];

		if (!(flags & SHF_ALLOC) || type == SHT_NOBITS || !size)
			continue;
		if (!in_file(e, off, size))
			return sw_fail(ctx, SW_ERR_PROTO,
				       "%s: truncated file (section at 0x%08x needs %u bytes at offset %u)", name, addr,
				       size, off);
		s->vaddr = addr;
		s->paddr = section_lma(e, off, addr, size);
		s->filesz = s->memsz = size;
		s->flags = flags;
		s->data = e->img + off;
		if ((uint64_t)s->paddr + size > 0x100000000ull)
			return sw_fail(ctx, SW_ERR_PROTO, "%s: section at 0x%08x wraps the address space", name,
				       s->paddr);
		e->n_loads++;
	}
	return SW_OK;
}

static int check_header(struct sw_ctx *ctx, const char *name, const uint8_t *h, size_t len)
{
	if (len < 4 || memcmp(h, "\x7f" "ELF", 4) != 0)
		return sw_fail(ctx, SW_ERR_PROTO, "%s: not an ELF file", name);
	if (len < EHDR_SIZE)
		return sw_fail(ctx, SW_ERR_PROTO, "%s: truncated file (ELF header incomplete)", name);
	if (h[4] != ELFCLASS32 || h[5] != ELFDATA2LSB)
		return sw_fail(ctx, SW_ERR_PROTO, "%s: not a 32-bit little-endian ELF (wrong target?)",
			       name);
	if (sw_le16_get(h + 18) != EM_ARM)
		return sw_fail(ctx, SW_ERR_PROTO, "%s: not an ARM ELF (e_machine %u)", name,
			       sw_le16_get(h + 18));
	if (sw_le16_get(h + 16) != ET_EXEC)
		return sw_fail(ctx, SW_ERR_PROTO, "%s: not an executable (object file or library?)",
			       name);
	return SW_OK;
}

int sw_elf_open_mem(struct sw_ctx *ctx, const char *name, const uint8_t *data, size_t len,
		    struct sw_elf **out)
{
	struct sw_elf *e;
	int r;

	*out = NULL;
	if ((r = check_header(ctx, name, data, len)))
		return r;
	e = calloc(1, sizeof(*e));
	if (!e || !(e->img = malloc(len))) {
		free(e);
		return sw_fail(ctx, SW_ERR_NOMEM, "%s: out of memory", name);
	}
	memcpy(e->img, data, len);
	e->len = len;
	e->entry = sw_le32_get(e->img + 24);
	if ((r = parse_segments(ctx, name, e)) || (r = check_sections(ctx, name, e)) ||
	    (r = collect_loads(ctx, name, e))) {
		sw_elf_close(e);
		return r;
	}
	find_symtab(e);
	*out = e;
	return SW_OK;
}

int sw_elf_open_file(struct sw_ctx *ctx, const char *path, struct sw_elf **out)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	struct stat st;
	long size;
	int r;

	*out = NULL;
	if (!f)
		return sw_fail(ctx, SW_ERR_IO, "%s: cannot open", path);
	if (fstat(fileno(f), &st) || fseek(f, 0, SEEK_END) || (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET)) {
		fclose(f);
		return sw_fail(ctx, SW_ERR_IO, "%s: cannot read", path);
	}
	buf = malloc(size ? (size_t)size : 1);
	if (!buf || fread(buf, 1, (size_t)size, f) != (size_t)size) {
		fclose(f);
		free(buf);
		return sw_fail(ctx, SW_ERR_IO, "%s: cannot read", path);
	}
	fclose(f);
	r = sw_elf_open_mem(ctx, path, buf, (size_t)size, out);
	free(buf);
	if (!r && !((*out)->path = strdup(path))) {
		sw_elf_close(*out);
		*out = NULL;
		return sw_fail(ctx, SW_ERR_NOMEM, "%s: out of memory", path);
	}
	if (!r) {
		(*out)->mtime = st.st_mtim;
		(*out)->size = st.st_size;
	}
	return r;
}

int sw_elf_refresh(struct sw_ctx *ctx, struct sw_elf *e)
{
	struct sw_elf *n = NULL, old;
	struct stat st;
	int r;

	if (!e->path || stat(e->path, &st) ||
	    (st.st_mtim.tv_sec == e->mtime.tv_sec && st.st_mtim.tv_nsec == e->mtime.tv_nsec && st.st_size == e->size))
		return 0;
	if ((r = sw_elf_open_file(ctx, e->path, &n)))
		return r; /* half-written by the linker? the old contents stay */
	old = *e;
	*e = *n;     /* the caller's pointer stays valid, the contents are new */
	*n = old;
	sw_elf_close(n);
	return 1;
}

void sw_elf_close(struct sw_elf *e)
{
	if (!e)
		return;
	if (e->loads != e->segs)
		free(e->loads);
	free(e->segs);
	free(e->img);
	free(e->path);
	free(e);
}

uint32_t sw_elf_entry(const struct sw_elf *e)
{
	return e->entry;
}

size_t sw_elf_seg_count(const struct sw_elf *e)
{
	return e->n_segs;
}

const struct sw_elf_seg *sw_elf_seg(const struct sw_elf *e, size_t i)
{
	return i < e->n_segs ? &e->segs[i] : NULL;
}

size_t sw_elf_load_count(const struct sw_elf *e)
{
	return e->n_loads;
}

const struct sw_elf_seg *sw_elf_load(const struct sw_elf *e, size_t i)
{
	return i < e->n_loads ? &e->loads[i] : NULL;
}

int sw_elf_has_symbols(const struct sw_elf *e)
{
	return e->sym_len >= SYM_SIZE;
}

int sw_elf_symbol(const struct sw_elf *e, const char *name, uint32_t *value, uint32_t *size)
{
	size_t nlen = strlen(name);

	for (uint32_t o = 0; o + SYM_SIZE <= e->sym_len; o += SYM_SIZE) {
		const uint8_t *s = e->img + e->sym_off + o;
		uint32_t n = sw_le32_get(s);
		const char *str = (const char *)e->img + e->str_off;

		/* The name must end inside the string table. */
		if (n >= e->str_len || e->str_len - n <= nlen || memcmp(str + n, name, nlen + 1) != 0)
			continue;
		if (sw_le16_get(s + 14) == 0) /* SHN_UNDEF: a reference, not a definition */
			continue;
		if (value)
			*value = sw_le32_get(s + 4);
		if (size)
			*size = sw_le32_get(s + 8);
		return SW_OK;
	}
	return SW_ERR_NOT_FOUND;
}
