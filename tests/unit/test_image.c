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

/* --- A crafted ELF (issue #14 item 7) ---------------------------------
 * Three PT_LOAD segments whose file ranges start at offset 0, so they
 * cover the ELF and program headers, the shape a .bss-only RAM segment
 * or a segment starting before its first section has:
 *   A: offset 0, paddr/vaddr 0x07FFFF00, the headers then .text (at file
 *      0x100 = address 0x08000000);
 *   B: offset 0, 0x20000000, filesz 0x94 (headers only), memsz 0x400:
 *      .bss (NOBITS) at 0x20000100;
 *   C: offset 0x110, vaddr 0x20000400, paddr 0x08000010: .data.
 * gdb's load writes .text at 0x08000000 and .data at its LMA 0x08000010,
 * nothing else (not .bss, not the non-allocated .comment, no headers). */
#define X_PH 3u
#define X_SH 6u /* null, .text, .data, .bss, .comment, .shstrtab */
#define X_TEXT_OFF 0x100u
#define X_DATA_OFF 0x110u
#define X_CMT_OFF 0x118u
#define X_STR_OFF 0x120u
#define X_SH_OFF 0x160u
#define X_LEN (X_SH_OFF + 40u * X_SH)

static void put16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v);
	put16(p + 2, v >> 16);
}

static void x_phdr(uint8_t *e, unsigned i, uint32_t off, uint32_t vaddr, uint32_t paddr, uint32_t filesz,
		   uint32_t memsz)
{
	uint8_t *ph = e + 52 + 32 * i;

	put32(ph, 1); /* PT_LOAD */
	put32(ph + 4, off);
	put32(ph + 8, vaddr);
	put32(ph + 12, paddr);
	put32(ph + 16, filesz);
	put32(ph + 20, memsz);
	put32(ph + 24, 6);
	put32(ph + 28, 4);
}

static void x_shdr(uint8_t *e, unsigned i, uint32_t name, uint32_t type, uint32_t flags, uint32_t addr,
		   uint32_t off, uint32_t size)
{
	uint8_t *sh = e + X_SH_OFF + 40 * i;

	put32(sh, name);
	put32(sh + 4, type);
	put32(sh + 8, flags);
	put32(sh + 12, addr);
	put32(sh + 16, off);
	put32(sh + 20, size);
	put32(sh + 32, 4);
}

static void craft_elf(uint8_t *e)
{
	static const char names[] = "\0.text\0.data\0.bss\0.comment\0.shstrtab";

	memset(e, 0, X_LEN);
	memcpy(e, "\x7f" "ELF\x01\x01\x01", 7);
	put16(e + 16, 2);  /* ET_EXEC */
	put16(e + 18, 40); /* EM_ARM */
	put32(e + 20, 1);
	put32(e + 24, 0x08000001u);
	put32(e + 28, 52);
	put32(e + 32, X_SH_OFF);
	put16(e + 40, 52);
	put16(e + 42, 32);
	put16(e + 44, X_PH);
	put16(e + 46, 40);
	put16(e + 48, X_SH);
	put16(e + 50, 5);
	x_phdr(e, 0, 0, 0x07FFFF00u, 0x07FFFF00u, X_TEXT_OFF + 16, X_TEXT_OFF + 16);
	x_phdr(e, 1, 0, 0x20000000u, 0x20000000u, 52 + 32 * X_PH, 0x400);
	x_phdr(e, 2, X_DATA_OFF, 0x20000400u, 0x08000010u, 8, 8);
	for (unsigned i = 0; i < 16; i++)
		e[X_TEXT_OFF + i] = (uint8_t)(0xA0 + i);
	memcpy(e + X_DATA_OFF, "DATADATA", 8);
	memcpy(e + X_CMT_OFF, "comment", 8);
	memcpy(e + X_STR_OFF, names, sizeof(names));
	x_shdr(e, 1, 1, 1 /* PROGBITS */, 6 /* AX */, 0x08000000u, X_TEXT_OFF, 16);
	x_shdr(e, 2, 7, 1, 3 /* WA */, 0x20000400u, X_DATA_OFF, 8);
	x_shdr(e, 3, 13, 8 /* NOBITS */, 3, 0x20000100u, X_DATA_OFF, 0x300);
	x_shdr(e, 4, 18, 1, 0, 0, X_CMT_OFF, 8);
	x_shdr(e, 5, 27, 3 /* STRTAB */, 0, 0, X_STR_OFF, sizeof(names));
}

static void test_elf_sections_not_headers(void)
{
	struct sw_ctx ctx = quiet();
	struct sw_image img;
	uint8_t e[X_LEN];

	craft_elf(e);
	CHECK_ERR(sw_image_load_mem(&ctx, "hdr.elf", e, sizeof(e), SW_IMG_AUTO, false, 0, &img), SW_OK);
	CHECK_EQ_U(img.n, 1);
	if (img.n == 1) {
		CHECK_EQ_U(img.seg[0].addr, 0x08000000u);
		CHECK_EQ_U(img.seg[0].len, 24);
		CHECK(!memcmp(img.seg[0].data, e + X_TEXT_OFF, 16));
		CHECK(!memcmp(img.seg[0].data + 16, "DATADATA", 8));
	}
	for (size_t i = 0; i < img.n; i++) /* never the "\x7fELF" headers, anywhere */
		CHECK(img.seg[i].len < 4 || memcmp(img.seg[i].data, "\x7f" "ELF", 4));
	sw_image_free(&img);
	/* Without section headers only the segments describe the image. */
	put32(e + 32, 0);
	put16(e + 48, 0);
	CHECK_ERR(sw_image_load_mem(&ctx, "nosh.elf", e, sizeof(e), SW_IMG_AUTO, false, 0, &img), SW_OK);
	CHECK_EQ_U(img.n, 2); /* A and C merged at 0x07FFFF00, B at 0x20000000 */
	CHECK(img.n == 2 && img.seg[0].addr == 0x07FFFF00u && img.seg[1].addr == 0x20000000u);
	sw_image_free(&img);
	/* A section whose contents lie past the end of the file. */
	craft_elf(e);
	put32(e + X_SH_OFF + 40 * 2 + 16, X_LEN - 4);
	CHECK_ERR(sw_image_load_mem(&ctx, "cut.elf", e, sizeof(e), SW_IMG_AUTO, false, 0, &img), SW_ERR_PROTO);
	CHECK(strstr(sw_errmsg(&ctx), "truncated") != NULL);
}

int main(void)
{
	RUN_TEST(test_hex_good);
	RUN_TEST(test_hex_bad);
	RUN_TEST(test_bin);
	RUN_TEST(test_merge_and_fill);
	RUN_TEST(test_check_map);
	RUN_TEST(test_elf);
	RUN_TEST(test_elf_sections_not_headers);
	return TEST_MAIN_END();
}
