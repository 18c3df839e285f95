/* ELF reader: the real demo image, then damaged copies of it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sw/elf.h"
#include "sw/err.h"
#include "sw/types.h"
#include "tests/test.h"

#define DEMO_ELF BUILD_DIR "/fw/demo-h743.elf"

static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *b;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	b = malloc((size_t)n);
	if (b && fread(b, 1, (size_t)n, f) != (size_t)n) {
		free(b);
		b = NULL;
	}
	fclose(f);
	*len = (size_t)n;
	return b;
}

static void test_demo(void)
{
	struct sw_ctx ctx;
	struct sw_elf *e = NULL;
	uint32_t v = 0, sz = 0;
	int flash_seg = 0;

	sw_ctx_init(&ctx);
	CHECK_OK(sw_elf_open_file(&ctx, DEMO_ELF, &e));
	if (!e)
		return;
	CHECK(sw_elf_seg_count(e) >= 1);
	for (size_t i = 0; i < sw_elf_seg_count(e); i++) {
		const struct sw_elf_seg *s = sw_elf_seg(e, i);
		CHECK(s->filesz <= s->memsz);
		if (s->paddr == 0x08000000)
			flash_seg = 1;
	}
	CHECK(flash_seg);
	/* The vector table starts the flash segment: word 1 is the reset
	 * handler, and the ELF entry point names the same function. */
	CHECK_OK(sw_elf_symbol(e, "Reset_Handler", &v, NULL));
	CHECK_EQ_U(v, sw_elf_entry(e));
	CHECK_EQ_U(v & 1u, 1u);
	CHECK_OK(sw_elf_symbol(e, "counter", &v, &sz));
	CHECK(v >= 0x20000000 && v < 0x30000000);
	CHECK_EQ_U(sz, 4);
	CHECK((sw_elf_symbol(e, "no_such_symbol_here", &v, NULL)) == SW_ERR_NOT_FOUND);
	/* A prefix of a real name is not a match. */
	CHECK((sw_elf_symbol(e, "counte", &v, NULL)) == SW_ERR_NOT_FOUND);
	sw_elf_close(e);
}

static int open_copy(struct sw_ctx *ctx, const uint8_t *img, size_t len)
{
	struct sw_elf *e = NULL;
	int r = sw_elf_open_mem(ctx, "copy", img, len, &e);

	sw_elf_close(e);
	return r;
}

static void test_bad(void)
{
	struct sw_ctx ctx;
	size_t len = 0;
	uint8_t *img = slurp(DEMO_ELF, &len), *c;

	sw_ctx_init(&ctx);
	ctx.level = SW_LOG_ERR;
	CHECK(img != NULL);
	if (!img)
		return;
	c = malloc(len);
	CHECK_OK(open_copy(&ctx, img, len));

	CHECK((open_copy(&ctx, (const uint8_t *)"hello world", 11)) == SW_ERR_PROTO);
	CHECK(strstr(sw_errmsg(&ctx), "not an ELF") != NULL);

	memcpy(c, img, len);
	sw_le16_put(c + 18, 62); /* EM_X86_64 */
	CHECK((open_copy(&ctx, c, len)) == SW_ERR_PROTO);
	CHECK(strstr(sw_errmsg(&ctx), "not an ARM ELF") != NULL);

	memcpy(c, img, len);
	c[4] = 2; /* ELFCLASS64 */
	CHECK((open_copy(&ctx, c, len)) == SW_ERR_PROTO);

	memcpy(c, img, len);
	sw_le16_put(c + 16, 1); /* ET_REL */
	CHECK((open_copy(&ctx, c, len)) == SW_ERR_PROTO);

	/* Truncated anywhere inside the headers or the loaded data. */
	CHECK((open_copy(&ctx, img, 40)) == SW_ERR_PROTO);
	CHECK((open_copy(&ctx, img, 600)) == SW_ERR_PROTO);
	CHECK(strstr(sw_errmsg(&ctx), "truncated") != NULL);

	/* Hostile program header offset. */
	memcpy(c, img, len);
	sw_le32_put(c + 28, 0xFFFFFFF0u);
	CHECK((open_copy(&ctx, c, len)) == SW_ERR_PROTO);

	/* Hostile section headers only lose the symbol table. */
	memcpy(c, img, len);
	sw_le32_put(c + 32, 0xFFFFFFF0u);
	{
		struct sw_elf *e = NULL;
		CHECK_OK(sw_elf_open_mem(&ctx, "copy", c, len, &e));
		CHECK((sw_elf_symbol(e, "counter", NULL, NULL)) == SW_ERR_NOT_FOUND);
		sw_elf_close(e);
	}
	free(c);
	free(img);
}

int main(void)
{
	RUN_TEST(test_demo);
	RUN_TEST(test_bad);
	return TEST_MAIN_END();
}
