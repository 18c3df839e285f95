/* swdflash image reader: Intel HEX, raw binaries, ELF (the demo and damaged
 * copies), run merging and overlap, and the check against a memory map. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/lib/image.h"
#include "client/lib/memmap.h"
#include "sw/ctx.h"
#include "tests/test.h"

#define DEMO_ELF BUILD_DIR "/fw/demo-h743.elf"

/* An expected failure code (error codes are negative ints). */
#define CHECK_ERR(expr, code) CHECK_MSG((expr) == (code), "%s != %s (%s)", #expr, #code, sw_errmsg(&ctx))

static const char map_xml[] =
	"<memory-map>\n"
	"<memory type=\"ram\" start=\"0x00000000\" length=\"0x10000\"/>\n"
	"<memory type=\"flash\" start=\"0x08000000\" length=\"0x100000\"><property name=\"blocksize\">0x20000"
	"</property></memory>\n"
	"<memory type=\"flash\" start=\"0x08100000\" length=\"0x100000\"><property name=\"blocksize\">0x20000"
	"</property></memory>\n"
	"<memory type=\"rom\" start=\"0x1ff00000\" length=\"0x20000\"/>\n"
	"<memory type=\"ram\" start=\"0x20000000\" length=\"0x20000\"/>\n"
	"</memory-map>\n";

static struct sw_ctx quiet(void)
{
	struct sw_ctx ctx;

	sw_ctx_init(&ctx);
	ctx.level = SW_LOG_NONE;
	return ctx;
}

static int load_str(struct sw_ctx *ctx, const char *name, const char *text, struct sw_image *img)
{
	return sw_image_load_mem(ctx, name, (const uint8_t *)text, strlen(text), SW_IMG_AUTO, false, 0, img);
}

static void test_hex_good(void)
{
	struct sw_ctx ctx = quiet();
	struct sw_image img;
	/* ELA 0x0800, 4 bytes at 0, 2 bytes at 4 (merged), start linear address, EOF. */
	const char *hex = ":020000040800F2\r\n:0400000001020304F2\n:020004000506EF\n"
			  ":040000050800019955\n:00000001FF\n";

	CHECK_ERR(load_str(&ctx, "a.hex", hex, &img), SW_OK);
	CHECK_EQ_U(img.n, 1);
	if (img.n != 1)
		return;
	CHECK_EQ_U(img.entry, 0x08000199);
	CHECK_EQ_U(img.seg[0].addr, 0x08000000);
	CHECK_EQ_U(img.seg[0].len, 6);
	CHECK(img.n && !memcmp(img.seg[0].data, "\x01\x02\x03\x04\x05\x06", 6));
	sw_image_free(&img);
}

static void test_hex_bad(void)
{
	struct sw_ctx ctx = quiet();
	struct sw_image img;

	CHECK_ERR(load_str(&ctx, "a.hex", ":0400000001020304F3\n:00000001FF\n", &img), SW_ERR_PROTO);
	CHECK(strstr(sw_errmsg(&ctx), "checksum") != NULL);
	CHECK_ERR(load_str(&ctx, "a.hex", ":0400000001020304F2\n", &img), SW_ERR_PROTO);
	CHECK(strstr(sw_errmsg(&ctx), "truncated") != NULL);
	CHECK_ERR(load_str(&ctx, "a.hex", ":04000000010203\n", &img), SW_ERR_PROTO);
	CHECK(strstr(sw_errmsg(&ctx), "line 1") != NULL);
	/* Two records writing the same byte. */
	CHECK_ERR(load_str(&ctx, "a.hex", ":0100000001FE\n:0100000002FD\n:00000001FF\n", &img), SW_ERR_PROTO);
	CHECK(strstr(sw_errmsg(&ctx), "overlap") != NULL);
}

static void test_bin(void)
{
	struct sw_ctx ctx = quiet();
	struct sw_image img;
	uint8_t data[300];

	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)i;
	CHECK_ERR(sw_image_load_mem(&ctx, "fw.bin", data, sizeof(data), SW_IMG_AUTO, false, 0, &img), SW_ERR_ARG);
	CHECK(strstr(sw_errmsg(&ctx), "--base") != NULL);
	CHECK_OK(sw_image_load_mem(&ctx, "fw.bin", data, sizeof(data), SW_IMG_AUTO, true, 0x08000100, &img));
	CHECK_EQ_U(img.n, 1);
	CHECK_EQ_U(img.seg[0].addr, 0x08000100);
	CHECK_EQ_U(sw_image_bytes(&img), 300);
	sw_image_free(&img);
	CHECK_ERR(sw_image_load_mem(&ctx, "empty.bin", data, 0, SW_IMG_AUTO, true, 0x08000000, &img), SW_ERR_ARG);
}

static void test_merge_and_fill(void)
{
	struct sw_ctx ctx = quiet();
	struct sw_image img = {0};
	uint8_t a[4] = {1, 2, 3, 4}, b[4] = {5, 6, 7, 8}, buf[16];

	CHECK_OK(sw_image_add(&ctx, &img, 0x108, b, 4));
	CHECK_OK(sw_image_add(&ctx, &img, 0x100, a, 4));
	CHECK_EQ_U(img.n, 2);
	CHECK_OK(sw_image_add(&ctx, &img, 0x104, a, 4)); /* fills the gap: one run */
	CHECK_EQ_U(img.n, 1);
	CHECK_EQ_U(img.seg[0].len, 12);
	CHECK_ERR(sw_image_add(&ctx, &img, 0x10a, a, 4), SW_ERR_PROTO);
	CHECK_EQ_U(sw_image_fill(&img, 0xfc, buf, 16, 0xFF), 12);
	CHECK(buf[0] == 0xFF && buf[4] == 1 && buf[12] == 5 && buf[15] == 8);
	sw_image_free(&img);
}

static void test_check_map(void)
{
	struct sw_ctx ctx = quiet();
	struct sw_memmap mm;
	struct sw_image img = {0};
	static uint8_t big[0x200000];

	CHECK_OK(sw_memmap_parse(&ctx, map_xml, &mm));
	CHECK_OK(sw_image_add(&ctx, &img, 0x08000000, big, sizeof(big))); /* both banks */
	CHECK_OK(sw_image_add(&ctx, &img, 0x20000000, big, 64));
	CHECK_OK(sw_image_check(&ctx, &img, &mm, "x"));
	sw_image_free(&img);
	CHECK_OK(sw_image_add(&ctx, &img, 0x081fff00, big, 0x200)); /* runs off the end of flash */
	CHECK_ERR(sw_image_check(&ctx, &img, &mm, "x"), SW_ERR_ARG);
	CHECK(strstr(sw_errmsg(&ctx), "0x08200000") != NULL);
	sw_image_free(&img);
	CHECK_OK(sw_image_add(&ctx, &img, 0x1ff00000, big, 4)); /* ROM is not writable */
	CHECK_ERR(sw_image_check(&ctx, &img, &mm, "x"), SW_ERR_ARG);
	sw_image_free(&img);
}

static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *b = NULL;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	if (n > 0 && (b = malloc((size_t)n)) && fread(b, 1, (size_t)n, f) != (size_t)n) {
		free(b);
		b = NULL;
	}
	fclose(f);
	*len = (size_t)n;
	return b;
}

static void test_elf(void)
{
	struct sw_ctx ctx = quiet();
	struct sw_image img;
	struct sw_memmap mm;
	size_t len = 0;
	uint8_t *elf = slurp(DEMO_ELF, &len);

	CHECK(elf != NULL);
	if (!elf)
		return;
	CHECK_OK(sw_memmap_parse(&ctx, map_xml, &mm));
	CHECK_OK(sw_image_load(&ctx, DEMO_ELF, SW_IMG_AUTO, false, 0, &img));
	CHECK(img.n >= 1 && img.seg[0].addr == 0x08000000); /* vectors at the flash base (paddr) */
	CHECK_OK(sw_image_check(&ctx, &img, &mm, "demo"));
	sw_image_free(&img);
	CHECK_ERR(sw_image_load_mem(&ctx, "cut.elf", elf, len / 3, SW_IMG_AUTO, false, 0, &img), SW_ERR_PROTO);
	/* Cut by one byte: segments intact, section headers not. */
	CHECK_ERR(sw_image_load_mem(&ctx, "cut1.elf", elf, len - 1, SW_IMG_AUTO, false, 0, &img), SW_ERR_PROTO);
	CHECK(strstr(sw_errmsg(&ctx), "truncated") != NULL);
	elf[18] = 3; /* e_machine EM_386 */
	CHECK_ERR(sw_image_load_mem(&ctx, "x86.elf", elf, len, SW_IMG_AUTO, false, 0, &img), SW_ERR_PROTO);
	CHECK(strstr(sw_errmsg(&ctx), "ARM") != NULL);
	CHECK_ERR(sw_image_load_mem(&ctx, "text.elf", (const uint8_t *)"hello", 5, SW_IMG_AUTO, false, 0, &img), SW_ERR_PROTO);
	CHECK_ERR(sw_image_load(&ctx, "/nonexistent.elf", SW_IMG_AUTO, false, 0, &img), SW_ERR_IO);
	free(elf);
}

int main(void)
{
	RUN_TEST(test_hex_good);
	RUN_TEST(test_hex_bad);
	RUN_TEST(test_bin);
	RUN_TEST(test_merge_and_fill);
	RUN_TEST(test_check_map);
	RUN_TEST(test_elf);
	return TEST_MAIN_END();
}
