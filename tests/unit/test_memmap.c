/* gdb memory-map XML as swdflash parses it (GDB manual "Memory Map Format"). */
#include <string.h>

#include "client/lib/memmap.h"
#include "tests/test.h"

static void test_parse(void)
{
	struct sw_ctx ctx;
	struct sw_memmap mm;
	const char *xml = "<?xml version=\"1.0\"?>\n<!DOCTYPE memory-map PUBLIC \"x\" \"y\">\n<memory-map>\n"
			  "  <memory type=\"ram\" start=\"0x20000000\" length=\"0x20000\"/>\n"
			  "  <memory type='flash' start='0x08000000' length='0x100000'>\n"
			  "    <property name=\"blocksize\">0x20000</property>\n  </memory>\n"
			  "  <memory type=\"rom\" start=\"536805376\" length=\"0x7800\"/>\n"
			  "  <memory type=\"ram\" start=\"0xe0000000\" length=\"0x20000000\"/>\n</memory-map>\n";

	sw_ctx_init(&ctx);
	ctx.level = SW_LOG_NONE;
	CHECK_OK(sw_memmap_parse(&ctx, xml, &mm));
	CHECK_EQ_U(mm.n, 4);
	CHECK(mm.r[1].kind == SW_MM_FLASH && mm.r[1].blocksize == 0x20000 && mm.r[1].length == 0x100000);
	CHECK(mm.r[2].kind == SW_MM_ROM && mm.r[2].start == 536805376);
	CHECK_EQ_U(mm.r[3].length, 0x20000000); /* up to the top of the address space */
	CHECK(sw_memmap_find(&mm, 0x080fffff) == &mm.r[1]);
	CHECK(sw_memmap_find(&mm, 0x08100000) == NULL);
	CHECK(sw_memmap_find(&mm, 0xffffffff) == &mm.r[3]);
}

static void test_bad(void)
{
	struct sw_ctx ctx;
	struct sw_memmap mm;

	sw_ctx_init(&ctx);
	ctx.level = SW_LOG_NONE;
	CHECK(sw_memmap_parse(&ctx, "<memory-map><memory type=\"flash\" start=\"0x0\" length=\"0x100\"/>"
				    "</memory-map>", &mm) == SW_ERR_PROTO);
	CHECK(strstr(sw_errmsg(&ctx), "blocksize") != NULL);
	CHECK(sw_memmap_parse(&ctx, "<memory-map><memory type=\"ram\" start=\"0xffffff00\" length=\"0x200\"/>"
				    "</memory-map>", &mm) == SW_ERR_PROTO);
	CHECK(sw_memmap_parse(&ctx, "<target/>", &mm) == SW_ERR_PROTO);
	CHECK(sw_memmap_parse(&ctx, "<memory-map><memory type=\"flash\" start=\"0\" length=\"0x300\">"
				    "<property name=\"blocksize\">0x200</property></memory></memory-map>", &mm) ==
	      SW_ERR_PROTO);
}

int main(void)
{
	RUN_TEST(test_parse);
	RUN_TEST(test_bad);
	return TEST_MAIN_END();
}
