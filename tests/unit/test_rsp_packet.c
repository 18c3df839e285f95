/* RSP framing and helpers, fed byte by byte as a socket would. */
#include "server/gdb/rsp_packet.h"
#include "sw/hex.h"
#include "tests/test.h"

static struct rsp_parser parser; /* large: keep it off the stack */

static enum rsp_event feed_str(struct rsp_parser *p, const char *s, int *npkt)
{
	enum rsp_event last = RSP_EV_NONE;

	for (; *s; s++) {
		enum rsp_event e = rsp_feed(p, (uint8_t)*s);
		if (e != RSP_EV_NONE)
			last = e;
		if (e == RSP_EV_PACKET && npkt)
			(*npkt)++;
	}
	return last;
}

static void test_valid_packet(void)
{
	int n = 0;

	rsp_parser_init(&parser);
	CHECK_EQ_U(feed_str(&parser, "$qC#b4", &n), RSP_EV_PACKET);
	CHECK_EQ_U(n, 1);
	CHECK(!strcmp((char *)parser.data, "qC"));
}

static void test_bad_checksum(void)
{
	rsp_parser_init(&parser);
	CHECK_EQ_U(feed_str(&parser, "$qC#00", NULL), RSP_EV_BAD);
	CHECK_EQ_U(feed_str(&parser, "$qC#zz", NULL), RSP_EV_BAD);
	CHECK_EQ_U(feed_str(&parser, "$qC#b4", NULL), RSP_EV_PACKET);
}

static void test_acks_and_interrupt(void)
{
	rsp_parser_init(&parser);
	CHECK_EQ_U(rsp_feed(&parser, '+'), RSP_EV_ACK);
	CHECK_EQ_U(rsp_feed(&parser, '-'), RSP_EV_NAK);
	CHECK_EQ_U(rsp_feed(&parser, 0x03), RSP_EV_INTERRUPT);
}

static void test_rle(void)
{
	uint8_t framed[64];
	char pkt[64];

	/* "m240*" + (29+5) expands to m24000000. */
	const char raw[] = {'m', '2', '4', '0', '*', (char)34, ',', '4', 0};
	uint8_t sum = 0;
	for (const char *c = raw; *c; c++)
		sum = (uint8_t)(sum + (uint8_t)*c);
	snprintf(pkt, sizeof(pkt), "$%s#%02x", raw, sum);
	rsp_parser_init(&parser);
	CHECK_EQ_U(feed_str(&parser, pkt, NULL), RSP_EV_PACKET);
	CHECK(!strcmp((char *)parser.data, "m24000000,4"));
	(void)framed;
}

static void test_truncated_and_oversize(void)
{
	rsp_parser_init(&parser);
	CHECK_EQ_U(feed_str(&parser, "$m2400$qC#b4", NULL), RSP_EV_PACKET);
	rsp_parser_init(&parser);
	CHECK_EQ_U(rsp_feed(&parser, '$'), RSP_EV_NONE);
	for (size_t i = 0; i < RSP_PACKET_MAX + 100; i++)
		rsp_feed(&parser, 'a');
	CHECK_EQ_U(feed_str(&parser, "#00", NULL), RSP_EV_BAD);
	CHECK(strstr(parser.why, "PacketSize") != NULL);
	CHECK_EQ_U(feed_str(&parser, "$qC#b4", NULL), RSP_EV_PACKET);
}

static void test_frame_escape_roundtrip(void)
{
	const uint8_t bin[] = {'$', '#', '}', '*', 0, 0xff, 'a'};
	uint8_t out[64];
	size_t n = rsp_frame(bin, sizeof(bin), out, sizeof(out));

	CHECK(n > 0);
	rsp_parser_init(&parser);
	enum rsp_event e = RSP_EV_NONE;
	for (size_t i = 0; i < n; i++)
		e = rsp_feed(&parser, out[i]);
	CHECK_EQ_U(e, RSP_EV_PACKET);
	CHECK_EQ_U(rsp_unescape(parser.data, parser.len), sizeof(bin));
	CHECK(!memcmp(parser.data, bin, sizeof(bin)));
	CHECK_EQ_U(rsp_frame(bin, sizeof(bin), out, 8), 0); /* too small: refused, no overflow */
}

/* Issue #15: every packet's ADDR,LEN goes through one parser that refuses
 * what a 32-bit target cannot address instead of truncating it. */
static void test_parse_range(void)
{
	uint32_t a = 7, n = 7;
	const char *end = NULL;

	CHECK(rsp_parse_range("20000000,4:", &a, &n, &end) == NULL);
	CHECK_EQ_U(a, 0x20000000u);
	CHECK_EQ_U(n, 4u);
	CHECK(*end == ':');
	CHECK(rsp_parse_range("fffffffc,4", &a, &n, NULL) == NULL); /* ends exactly at 2^32 */
	CHECK_EQ_U(a, 0xFFFFFFFCu);
	CHECK(rsp_parse_range("0,0", &a, &n, NULL) == NULL);
	a = n = 7;
	CHECK(rsp_parse_range("120000000,4", &a, &n, NULL) != NULL); /* was truncated to 0x20000000 */
	CHECK_EQ_U(a, 7u);
	CHECK(rsp_parse_range("fffffffd,4", &a, &n, NULL) != NULL);  /* wraps */
	CHECK(rsp_parse_range("ffffffff,ffffffff", &a, &n, NULL) != NULL);
	CHECK(rsp_parse_range("ffffffffffffffff,2", &a, &n, NULL) != NULL); /* the old qCRC overflow */
	CHECK(rsp_parse_range("0,100000000", &a, &n, NULL) != NULL);
	CHECK(rsp_parse_range("10000000000000000,1", &a, &n, NULL) != NULL);
	CHECK(rsp_parse_range("x,1", &a, &n, NULL) != NULL);
	CHECK(rsp_parse_range("1;2", &a, &n, NULL) != NULL);
	CHECK(rsp_check_range(0xFFFFFFFFull, 1) == NULL);
	CHECK(rsp_check_range(0xFFFFFFFFull, 2) != NULL);
	CHECK(rsp_check_range(0x100000000ull, 0) != NULL);
	CHECK_EQ_U(a, 7u);
}

static void test_hex_and_crc(void)
{
	uint8_t b[4];
	char h[9] = {0};
	uint64_t v;

	CHECK_OK(sw_hex_decode("deadBEEF", 4, b));
	CHECK(b[0] == 0xde && b[3] == 0xef);
	CHECK(sw_hex_decode("zz", 1, b) != 0);
	sw_hex_encode(b, 4, h);
	CHECK(!strcmp(h, "deadbeef"));
	CHECK_OK(sw_hex_u64("8000100,", NULL, &v));
	CHECK_EQ_U(v, 0x8000100);
	CHECK(sw_hex_u64("12345678123456781", NULL, &v) != 0);
	/* gdb's qCRC of "123456789" (CRC-32/MPEG-2 check value). */
	CHECK_EQ_U(sw_crc32_gdb(0xFFFFFFFFu, (const uint8_t *)"123456789", 9), 0x0376E6E7u);
}

int main(void)
{
	RUN_TEST(test_valid_packet);
	RUN_TEST(test_bad_checksum);
	RUN_TEST(test_acks_and_interrupt);
	RUN_TEST(test_rle);
	RUN_TEST(test_truncated_and_oversize);
	RUN_TEST(test_frame_escape_roundtrip);
	RUN_TEST(test_hex_and_crc);
	RUN_TEST(test_parse_range);
	return TEST_MAIN_END();
}
