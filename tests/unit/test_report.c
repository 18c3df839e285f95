/* swdflash output text: JSON event lines and the progress bar. */
#include <string.h>

#include "client/lib/report.h"
#include "tests/test.h"

static void test_json_escape(void)
{
	char out[64];

	sw_json_escape("a\"b\\c\nd\x01", out, sizeof(out));
	CHECK_MSG(!strcmp(out, "a\\\"b\\\\c\\nd\\u0001"), "%s", out);
	sw_json_escape("abcdef", out, 4); /* truncates, stays terminated */
	CHECK(!strcmp(out, "abc"));
}

/* RTT bytes for swdflash --json rtt: NUL, high bytes and quotes survive as
 * \u00XX / escapes, so the consumer gets the bytes back with latin-1. */
static void test_json_escape_bytes(void)
{
	static const uint8_t raw[] = {'o', 'k', 0x00, 0xC3, 0xA9, '"', '\n', 0x7F};
	char out[96];

	sw_json_escape_bytes(raw, sizeof(raw), out, sizeof(out));
	CHECK_MSG(!strcmp(out, "ok\\u0000\\u00c3\\u00a9\\\"\\n\\u007f"), "%s", out);
	sw_json_escape_bytes(raw, sizeof(raw), out, 8); /* cut before a whole escape */
	CHECK_MSG(!strcmp(out, "ok"), "%s", out);
}

static void test_events(void)
{
	struct sw_job_result res = {.sectors_touched = 3, .sectors_erased = 0, .sectors_skipped = 3};
	char out[512];

	sw_ev_json(&(struct sw_event){.kind = SW_EV_START, .total = 508}, "deploy", "a \"b\".elf", 0, out,
		   sizeof(out));
	CHECK_MSG(!strcmp(out, "{\"event\":\"start\",\"command\":\"deploy\",\"file\":\"a \\\"b\\\".elf\","
			       "\"bytes\":508}"), "%s", out);
	sw_ev_json(&(struct sw_event){.kind = SW_EV_ERASE, .sectors = 2, .skipped = 5}, NULL, NULL, 0, out,
		   sizeof(out));
	CHECK(!strcmp(out, "{\"event\":\"erase\",\"sectors\":2,\"skipped\":5}"));
	sw_ev_json(&(struct sw_event){.kind = SW_EV_VERIFY, .addr = 0x08000000, .len = 16, .ok = false,
				       .crc_image = 0x1234, .crc_target = 0xabcd},
		   NULL, NULL, 0, out, sizeof(out));
	CHECK(strstr(out, "\"ok\":false") && strstr(out, "\"addr\":134217728") && strstr(out, "\"crc_target\":\"0000abcd\""));
	sw_ev_json(&(struct sw_event){.kind = SW_EV_DONE, .ok = true, .res = &res}, NULL, NULL, 1.5, out,
		   sizeof(out));
	CHECK(strstr(out, "\"sectors_erased\":0") && strstr(out, "\"sectors_skipped\":3") &&
	      strstr(out, "\"seconds\":1.500"));
	sw_json_error(4, "flash: \"bad\"", out, sizeof(out));
	CHECK(!strcmp(out, "{\"event\":\"error\",\"exit\":4,\"message\":\"flash: \\\"bad\\\"\"}"));
}

static void test_progress(void)
{
	char out[128];

	sw_progress_line(512 * 1024, 1024 * 1024, 2.0, out, sizeof(out));
	CHECK_MSG(strstr(out, "[###############---------------]") && strstr(out, "512/1024 KiB") &&
		  strstr(out, "262.1 KB/s") && strstr(out, "ETA 2s"), "%s", out);
	sw_progress_line(100, 100, 1.0, out, sizeof(out));
	CHECK(!strstr(out, "ETA") && strstr(out, "[##############################]"));
	CHECK_EQ_U(sw_progress_line(1, 2, 0, out, 8), 7);
}

int main(void)
{
	RUN_TEST(test_json_escape);
	RUN_TEST(test_json_escape_bytes);
	RUN_TEST(test_events);
	RUN_TEST(test_progress);
	return TEST_MAIN_END();
}
