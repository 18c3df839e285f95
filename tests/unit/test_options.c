/* swdbridge's options (server/options.c): environment defaults, flags
 * winning over them, --speed KHZ|auto, and the one-line refusals. */
#include <stdlib.h>
#include <string.h>

#include "server/options.h"
#include "tests/test.h"

static int parse(struct options *o, char **argv)
{
	int argc = 0;

	while (argv[argc])
		argc++;
	return sw_options_parse(argc, argv, o);
}

static void clear_env(void)
{
	unsetenv("SWDBRIDGE_PROBE");
	unsetenv("SWDBRIDGE_TARGET");
	unsetenv("SWDBRIDGE_SPEED");
}

/* No --probe and no SWDBRIDGE_PROBE: no probe is chosen here (main picks
 * the one real probe); never "sim". */
static void test_no_default_probe(void)
{
	char *argv[] = {"swdbridge", "--target", "stm32h743", NULL};
	struct options o;

	clear_env();
	CHECK_OK(parse(&o, argv));
	CHECK(o.probe == NULL && o.probe_from == NULL);
	CHECK(!strcmp(o.target, "stm32h743") && o.port == SW_DEFAULT_GDB_PORT);
	CHECK(o.speed_khz == 0 && !o.speed_auto && !o.connect_under_reset && !o.log_path);
}

static void test_env_defaults(void)
{
	char *bare[] = {"swdbridge", NULL};
	char *flags[] = {"swdbridge", "--probe", "jlink:1", "--target", "ae3", "--speed", "auto", NULL};
	struct options o;

	clear_env();
	setenv("SWDBRIDGE_PROBE", "sim", 1);
	setenv("SWDBRIDGE_TARGET", "stm32h743", 1);
	setenv("SWDBRIDGE_SPEED", "2000", 1);
	CHECK_OK(parse(&o, bare));
	CHECK(o.probe && !strcmp(o.probe, "sim") && !strcmp(o.probe_from, "SWDBRIDGE_PROBE"));
	CHECK(!strcmp(o.target, "stm32h743") && o.speed_khz == 2000 && !o.speed_auto);
	CHECK_OK(parse(&o, flags));
	CHECK(!strcmp(o.probe, "jlink:1") && !strcmp(o.probe_from, "--probe"));
	CHECK(!strcmp(o.target, "ae3") && o.speed_auto && o.speed_khz == 0);
	setenv("SWDBRIDGE_SPEED", "fast", 1);
	CHECK_EQ_U(parse(&o, bare), 2);
	clear_env();
}

static void test_flags(void)
{
	char *argv[] = {"swdbridge", "--target", "stm32h743", "--speed", "1000", "--log", "x.log",
			"--connect-under-reset", "-vv", NULL};
	char *zero[] = {"swdbridge", "--target", "stm32h743", "--speed", "0", NULL};
	char *big[] = {"swdbridge", "--target", "stm32h743", "--speed", "100001", NULL};
	char *both[] = {"swdbridge", "--target", "stm32h743", "--attach", "--connect-under-reset", NULL};
	char *none[] = {"swdbridge", "--probe", "sim", NULL};
	struct options o;

	clear_env();
	CHECK_OK(parse(&o, argv));
	CHECK(o.speed_khz == 1000 && !strcmp(o.log_path, "x.log") && o.connect_under_reset && o.verbose == 2);
	CHECK_EQ_U(parse(&o, zero), 2);
	CHECK_EQ_U(parse(&o, big), 2);
	CHECK_EQ_U(parse(&o, both), 2);
	CHECK_EQ_U(parse(&o, none), 2); /* --target is required */
}

static void test_version(void)
{
	CHECK(!strncmp(sw_version_string(), "swdbridge ", 10) && strstr(sw_version_string(), "("));
}

int main(void)
{
	RUN_TEST(test_no_default_probe);
	RUN_TEST(test_env_defaults);
	RUN_TEST(test_flags);
	RUN_TEST(test_version);
	return TEST_MAIN_END();
}
