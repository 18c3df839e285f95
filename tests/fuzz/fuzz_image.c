/* libFuzzer target: swdflash's readers of untrusted input: firmware files
 * (ELF, Intel HEX, raw binary; client/lib/image*.c) and the memory-map XML
 * a server sends (client/lib/memmap.c). The first byte picks the reader. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "client/lib/image.h"
#include "client/lib/memmap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sw_ctx ctx;

	if (size < 1)
		return 0;
	sw_ctx_init(&ctx);
	ctx.level = SW_LOG_NONE;
	if (data[0] < 0x80) {
		struct sw_image img = {0};
		enum sw_image_fmt fmt = (enum sw_image_fmt)(data[0] % 4);
		if (!sw_image_load_mem(&ctx, "fuzz", data + 1, size - 1, fmt, fmt == SW_IMG_BIN, 0x08000000u, &img)) {
			uint8_t buf[64];
			sw_image_fill(&img, 0x08000000u, buf, sizeof(buf), 0xFF);
			(void)sw_image_bytes(&img);
		}
		sw_image_free(&img);
	} else {
		struct sw_memmap mm;
		char *xml = malloc(size);
		memcpy(xml, data + 1, size - 1);
		xml[size - 1] = 0;
		memset(&mm, 0, sizeof(mm));
		sw_memmap_parse(&ctx, xml, &mm); /* fixed-size result, nothing to free */
		free(xml);
	}
	return 0;
}
