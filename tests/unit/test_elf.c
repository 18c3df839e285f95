/* ELF reader: the real demo image, then damaged copies of it. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "sw/elf.h"
#include "sw/err.h"
#include "sw/types.h"
#include "tests/test.h"

#define DEMO_ELF BUILD_DIR "/fw/demo-h743.elf"
#define MOVED_ELF BUILD_DIR "/fw/demo-h743-rttmoved.elf" /* _SEGGER_RTT 1 KiB further */

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

	/* Section headers promised past the end: truncated, even though the
	 * loadable segments come first in the file. */
	memcpy(c, img, len);
	sw_le32_put(c + 32, 0xFFFFFFF0u);
	CHECK(open_copy(&ctx, c, len) == SW_ERR_PROTO);
	CHECK(strstr(sw_errmsg(&ctx), "section headers") != NULL);
	CHECK(open_copy(&ctx, img, len - 1) == SW_ERR_PROTO);

	/* No section headers at all (e_shoff 0) is a valid, stripped image. */
	memcpy(c, img, len);
	sw_le32_put(c + 32, 0);
	{
		struct sw_elf *e = NULL;
		CHECK_OK(sw_elf_open_mem(&ctx, "copy", c, len, &e));
		CHECK(sw_elf_symbol(e, "counter", NULL, NULL) == SW_ERR_NOT_FOUND);
		sw_elf_close(e);
	}
	free(c);
	free(img);
}

static int copy_file(const char *from, const char *to)
{
	FILE *a = fopen(from, "rb"), *b = fopen(to, "wb");
	char buf[4096];
	size_t n;
	int r = a && b ? 0 : -1;

	while (!r && (n = fread(buf, 1, sizeof(buf), a)) > 0)
		r = fwrite(buf, 1, n, b) == n ? 0 : -1;
	if (a)
		fclose(a);
	if (b)
		fclose(b);
	return r;
}

/* A rebuild in place (issue #14 item 6): the same path, a new ELF.
 * sw_elf_refresh reads it again into the same sw_elf; unchanged files and
 * a broken new file leave it as it was. */
static void test_refresh(void)
{
	char path[] = "/tmp/test_elf_refreshXXXXXX";
	struct sw_ctx ctx;
	struct sw_elf *e = NULL;
	uint32_t a0 = 0, a1 = 0, a2 = 0;
	int fd = mkstemp(path);

	sw_ctx_init(&ctx);
	ctx.level = SW_LOG_NONE;
	CHECK(fd >= 0);
	if (fd < 0)
		return;
	close(fd);
	CHECK(copy_file(DEMO_ELF, path) == 0);
	CHECK_OK(sw_elf_open_file(&ctx, path, &e));
	if (!e)
		goto out;
	CHECK_OK(sw_elf_symbol(e, "_SEGGER_RTT", &a0, NULL));
	CHECK_EQ_U(sw_elf_refresh(&ctx, e), 0u);
	CHECK(copy_file(MOVED_ELF, path) == 0);
	struct timespec later[2] = {{0, UTIME_NOW}, {time(NULL) + 5, 0}}; /* a distinct mtime */
	CHECK(utimensat(AT_FDCWD, path, later, 0) == 0);
	CHECK_EQ_U(sw_elf_refresh(&ctx, e), 1u);
	CHECK_OK(sw_elf_symbol(e, "_SEGGER_RTT", &a1, NULL));
	CHECK(a1 != a0 && sw_elf_seg_count(e) > 0 && sw_elf_load_count(e) > 0);
	FILE *f = fopen(path, "wb"); /* the linker has only begun writing */
	if (f) {
		fputs("\x7f" "EL", f);
		fclose(f);
	}
	CHECK(sw_elf_refresh(&ctx, e) < 0);
	CHECK_OK(sw_elf_symbol(e, "_SEGGER_RTT", &a2, NULL));
	CHECK_EQ_U(a2, a1);
	CHECK(sw_elf_has_symbols(e));
out:
	sw_elf_close(e);
	unlink(path);
}

int main(void)
{
	RUN_TEST(test_demo);
	RUN_TEST(test_bad);
	RUN_TEST(test_refresh);
	return TEST_MAIN_END();
}
