/* libFuzzer target: the ELF reader (lib/elf.c) on hostile files: every
 * header field, offset and size comes from the input. */
#include <stddef.h>
#include <stdint.h>

#include "sw/elf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sw_ctx ctx;
	struct sw_elf *e = NULL;
	uint32_t v, n;

	sw_ctx_init(&ctx);
	ctx.level = SW_LOG_NONE;
	if (sw_elf_open_mem(&ctx, "fuzz", data, size, &e))
		return 0;
	for (size_t i = 0; i < sw_elf_seg_count(e); i++) {
		const struct sw_elf_seg *s = sw_elf_seg(e, i);
		volatile uint8_t sink = 0;
		for (uint32_t k = 0; k < s->filesz; k += 4096)
			sink ^= s->data[k]; /* every byte promised must be readable */
		if (s->filesz)
			sink ^= s->data[s->filesz - 1];
		(void)sink;
	}
	sw_elf_symbol(e, "_SEGGER_RTT", &v, &n);
	sw_elf_symbol(e, "main", &v, &n);
	sw_elf_close(e);
	return 0;
}
