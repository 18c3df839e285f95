/* Minimal test harness: each check prints "PASS: name" or "FAIL: name: why";
 * scripts/run-tests counts those lines across all suites. A test binary
 * exits non-zero when any check failed. */
#ifndef SW_TEST_H
#define SW_TEST_H

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct test_state {
	int passed;
	int failed;
	const char *current;
	int current_failed;
};

static struct test_state test_st; /* test binaries only; not part of libsw */

static inline void test_fail_msg(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static inline void test_fail_msg(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	if (!test_st.current_failed)
		printf("FAIL: %s: ", test_st.current);
	else
		printf("      also: ");
	printf("%s:%d: ", file, line);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	test_st.current_failed = 1;
}

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond))                                                                       \
			test_fail_msg(__FILE__, __LINE__, "check failed: %s", #cond);              \
	} while (0)

#define CHECK_MSG(cond, ...)                                                                       \
	do {                                                                                       \
		if (!(cond))                                                                       \
			test_fail_msg(__FILE__, __LINE__, __VA_ARGS__);                            \
	} while (0)

#define CHECK_EQ_U(a, b)                                                                           \
	do {                                                                                       \
		unsigned long long a_ = (unsigned long long)(a), b_ = (unsigned long long)(b);     \
		if (a_ != b_)                                                                      \
			test_fail_msg(__FILE__, __LINE__, "%s == %s: 0x%llx != 0x%llx", #a, #b,   \
				      a_, b_);                                                     \
	} while (0)

#define CHECK_OK(expr)                                                                             \
	do {                                                                                       \
		int r_ = (expr);                                                                   \
		if (r_ != 0)                                                                       \
			test_fail_msg(__FILE__, __LINE__, "%s returned %d", #expr, r_);            \
	} while (0)

/* Run one test function as a named case. */
#define RUN_TEST(fn)                                                                               \
	do {                                                                                       \
		test_st.current = #fn;                                                             \
		test_st.current_failed = 0;                                                        \
		fn();                                                                              \
		if (test_st.current_failed)                                                        \
			test_st.failed++;                                                          \
		else {                                                                             \
			test_st.passed++;                                                          \
			printf("PASS: %s\n", #fn);                                                 \
		}                                                                                  \
		fflush(stdout);                                                                    \
	} while (0)

#define TEST_MAIN_END() (test_st.failed ? 1 : 0)

/* Informational output that the runner passes through (figures for notes). */
#define TEST_INFO(...)                                                                             \
	do {                                                                                       \
		printf("INFO: " __VA_ARGS__);                                                      \
		printf("\n");                                                                      \
	} while (0)

#endif
