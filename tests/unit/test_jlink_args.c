/* Issue #17: J-Link GDB Server argv translation (server/jlink_args.c) and
 * the RTT telnet config string (server/rtt/rtt_telnet.c). */
#include <stdio.h>
#include <string.h>

#include "server/jlink_args.h"
#include "server/rtt/rtt_telnet.h"
#include "tests/test.h"

/* The native value of the last `opt` in the translated argv (getopt's rule). */
static const char *last(const struct sw_jlink_mode *m, const char *opt)
{
	const char *v = NULL;

	for (int i = 1; i + 1 < m->argc; i++)
		if (!strcmp(m->argv[i], opt))
			v = m->argv[i + 1];
	return v;
}

static bool has(const struct sw_jlink_mode *m, const char *opt)
{
	for (int i = 1; i < m->argc; i++)
		if (!strcmp(m->argv[i], opt))
			return true;
	return false;
}

static int translate(char **argv, int argc, struct sw_jlink_mode *m, char *err, size_t errlen)
{
	FILE *f = fmemopen(err, errlen, "w");
	int r = sw_jlink_args_translate(argc, argv, m, f);

	fclose(f);
	return r;
}

static void test_detect(void)
{
	char *a[] = {"/usr/libexec/swdbridge/JLinkGDBServerCLExe", NULL};
	char *b[] = {"swdbridge", "--jlink-args", NULL};
	char *c[] = {"/usr/bin/swdbridge", "-device", NULL};
	char *d[] = {"JLinkGDBServer", NULL};

	CHECK(sw_jlink_args_wanted(1, a));
	CHECK(sw_jlink_args_wanted(2, b));
	CHECK(!sw_jlink_args_wanted(2, c));
	CHECK(sw_jlink_args_wanted(1, d));
}

/* jlink.ts:137-181 order, serverArgs last. */
static void test_cortex_debug_argv(void)
{
	char *argv[] = {"JLinkGDBServerCLExe", "-singlerun", "-nogui", "-if", "swd", "-port", "50000", "-swoport",
			"50001", "-telnetport", "50002", "-device", "STM32H743VI", "-rtttelnetport", "19021",
			"-select", "usb=123456", "-rtos", "GDBServer/RTOSPlugin_FreeRTOS.so", "-nohalt", "--probe", "sim"};
	struct sw_jlink_mode m;
	char err[512] = "";

	CHECK_OK(translate(argv, 22, &m, err, sizeof(err)));
	CHECK(m.singlerun);
	CHECK_EQ_U(m.rtt_telnet_port, 19021);
	CHECK_EQ_U(m.telnet_port, 50002);
	CHECK(!strcmp(last(&m, "--port"), "50000"));
	CHECK(!strcmp(last(&m, "--swo-port"), "50001"));
	CHECK(!strcmp(last(&m, "--target"), "STM32H743VI"));
	CHECK(!strcmp(last(&m, "--probe"), "sim")); /* serverArgs win over -select */
	CHECK(has(&m, "--attach"));
	CHECK_MSG(strstr(err, "-rtos") != NULL, "no -rtos warning: %s", err);
	CHECK(!has(&m, "--listen"));
}

static void test_defaults_and_select(void)
{
	char *a[] = {"JLinkGDBServer", "-device", "STM32H743VI", "-select", "ip=192.168.1.7", "-speed", "12000",
		     "-localhostonly", "0", "-vd", "-endian", "little", "-timeout", "500", "-log", "/tmp/x.log"};
	char *b[] = {"JLinkGDBServer", "-device", "STM32H743VI"};
	struct sw_jlink_mode m;
	char err[512] = "";

	CHECK_OK(translate(a, 16, &m, err, sizeof(err)));
	CHECK(!strcmp(last(&m, "--probe"), "jlink:tcp:192.168.1.7"));
	CHECK(!strcmp(last(&m, "--speed"), "12000"));
	CHECK(!strcmp(last(&m, "--listen"), "0.0.0.0"));
	CHECK(!strcmp(last(&m, "--log"), "/tmp/x.log"));
	CHECK_OK(translate(b, 3, &m, err, sizeof(err)));
	/* J-Link's defaults: the J-Link probe, gdb 2331, SWO 2332, RTT 19021. */
	CHECK(!strcmp(last(&m, "--probe"), "jlink"));
	CHECK(!strcmp(last(&m, "--port"), "2331"));
	CHECK(!strcmp(last(&m, "--swo-port"), "2332"));
	CHECK_EQ_U(m.rtt_telnet_port, 19021);
	CHECK(!m.singlerun);
	CHECK(!has(&m, "--speed"));
}

static void test_refusals(void)
{
	char *jtag[] = {"JLinkGDBServer", "-if", "JTAG", "-device", "STM32H743VI"};
	char *port[] = {"JLinkGDBServer", "-port", "70000"};
	char *strict[] = {"JLinkGDBServer", "-strict", "-noif"};
	char *loose[] = {"JLinkGDBServer", "-noif", "-device", "X"};
	char *big[] = {"JLinkGDBServer", "-endian", "big"};
	struct sw_jlink_mode m;
	char err[512] = "";

	CHECK_EQ_U(translate(jtag, 5, &m, err, sizeof(err)), 2);
	CHECK(strstr(err, "only SWD") != NULL);
	CHECK_EQ_U(translate(port, 3, &m, err, sizeof(err)), 2);
	CHECK_EQ_U(translate(strict, 3, &m, err, sizeof(err)), 2);
	CHECK(strstr(err, "Unknown command line parameter -noif") != NULL);
	CHECK_OK(translate(loose, 4, &m, err, sizeof(err)));
	CHECK_EQ_U(translate(big, 3, &m, err, sizeof(err)), 2);
}

static void test_telnet_config(void)
{
	struct sw_rtt_telnet_cfg c;
	const char *s1 = "RTTCh;3", *s2 = "SetRTTAddr;0x24000000;RTTCh;1",
		   *s3 = "SetRTTSearchRanges;0x20000000 0x1000, 0x24000000 0x8000";

	CHECK_OK(sw_rtt_telnet_parse(s1, strlen(s1), &c));
	CHECK_EQ_U(c.channel, 3);
	CHECK(!c.has_addr);
	CHECK_OK(sw_rtt_telnet_parse(s2, strlen(s2), &c));
	CHECK(c.has_addr && c.addr == 0x24000000u && c.channel == 1);
	CHECK_OK(sw_rtt_telnet_parse(s3, strlen(s3), &c));
	CHECK_EQ_U(c.n_ranges, 2);
	CHECK(c.range_base[1] == 0x24000000u && c.range_size[1] == 0x8000u);
	CHECK(sw_rtt_telnet_parse("RTTCh;16", 8, &c) != 0);
	CHECK(sw_rtt_telnet_parse("Foo;1", 5, &c) != 0);
	CHECK(sw_rtt_telnet_parse("RTTCh", 5, &c) != 0);
}

int main(void)
{
	RUN_TEST(test_detect);
	RUN_TEST(test_cortex_debug_argv);
	RUN_TEST(test_defaults_and_select);
	RUN_TEST(test_refusals);
	RUN_TEST(test_telnet_config);
	return TEST_MAIN_END();
}
