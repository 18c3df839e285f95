/* ELF32 little-endian ARM reader: load segments and the symbol table.
 * Shared by the server (--elf, symbol names in monitor commands, RTT) and
 * the swdflash client. Everything is checked against the file size before it
 * is used, so a truncated or hostile file gives an error, never a bad read. */
#ifndef SW_ELF_H
#define SW_ELF_H

#include <stddef.h>
#include <stdint.h>

#include "sw/ctx.h"

struct sw_elf; /* opaque; owns a copy of the file */

struct sw_elf_seg {
	uint32_t paddr;	   /* load (physical) address: where flash tools write */
	uint32_t vaddr;	   /* run address */
	uint32_t filesz;   /* bytes of data in the file */
	uint32_t memsz;	   /* bytes in memory (>= filesz; the rest is .bss) */
	uint32_t flags;	   /* PF_X 1, PF_W 2, PF_R 4 */
	const uint8_t *data; /* filesz bytes, valid until sw_elf_close */
};

/* Open a file / parse a buffer (copied). Errors: SW_ERR_IO (cannot read),
 * SW_ERR_PROTO (not ELF, not 32-bit little-endian, not ARM, not an
 * executable, truncated headers or segments), with a one-line message that
 * names the file and the reason. */
int sw_elf_open_file(struct sw_ctx *ctx, const char *path, struct sw_elf **out);
int sw_elf_open_mem(struct sw_ctx *ctx, const char *name, const uint8_t *data, size_t len,
		    struct sw_elf **out);
void sw_elf_close(struct sw_elf *elf);
/* A file rebuilt since it was opened (its mtime or size changed): read it
 * again in place, so pointers to this sw_elf see the new symbols. Returns
 * 1 reloaded, 0 unchanged (or not opened from a file), or an error code
 * with a message (unreadable or not a valid ELF now: the old contents
 * stay). Pointers into the old data (sw_elf_seg/sw_elf_load) are invalid
 * after a reload. */
int sw_elf_refresh(struct sw_ctx *ctx, struct sw_elf *elf);

uint32_t sw_elf_entry(const struct sw_elf *elf);

/* PT_LOAD segments with filesz > 0, in program-header order. */
size_t sw_elf_seg_count(const struct sw_elf *elf);
const struct sw_elf_seg *sw_elf_seg(const struct sw_elf *elf, size_t i);

/* What gdb's `load` writes: the allocated sections with contents
 * (SHF_ALLOC, not SHT_NOBITS, size > 0), in section-header order, paddr =
 * the section's load address (LMA) as BFD computes it, vaddr = sh_addr,
 * filesz = memsz = sh_size, flags = sh_flags. Never the ELF or program
 * headers a PT_LOAD segment's file range may cover. A file without section
 * headers gives its PT_LOAD segments. */
size_t sw_elf_load_count(const struct sw_elf *elf);
const struct sw_elf_seg *sw_elf_load(const struct sw_elf *elf, size_t i);

/* Whether the file has a symbol table (.symtab) at all. */
int sw_elf_has_symbols(const struct sw_elf *elf);

/* Look a symbol up in .symtab (global or local, first match). Returns
 * SW_OK, or SW_ERR_NOT_FOUND (no symbol table, or no such name; no message
 * recorded). value has the Thumb bit as stored (functions end in 1). */
int sw_elf_symbol(const struct sw_elf *elf, const char *name, uint32_t *value, uint32_t *size);

#endif
