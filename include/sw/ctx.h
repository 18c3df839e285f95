/* The context handle every layer hangs off (no mutable globals, style-anchors
 * §4 habit 4). It carries the log sink and the last human-readable error. */
#ifndef SW_CTX_H
#define SW_CTX_H

#include <stdarg.h>
#include <stddef.h>

#include "sw/err.h"

enum sw_log_level {
	SW_LOG_NONE = 0,
	SW_LOG_ERR = 1,
	SW_LOG_WARN = 2,
	SW_LOG_INFO = 3,
	SW_LOG_DBG = 4,
	SW_LOG_WIRE = 5, /* SWD and RSP traffic, one line per event */
};

typedef void (*sw_log_sink)(void *user, enum sw_log_level level, const char *line);

#define SW_ERRMSG_LEN 256

struct sw_ctx {
	enum sw_log_level level;
	sw_log_sink sink; /* NULL: stderr */
	void *sink_user;
	int last_err;
	char errmsg[SW_ERRMSG_LEN]; /* one line, no trailing newline */
};

/* Initialise with level INFO and the stderr sink. */
void sw_ctx_init(struct sw_ctx *ctx);

#if defined(__GNUC__)
#define SW_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define SW_PRINTF(a, b)
#endif

void sw_log(struct sw_ctx *ctx, enum sw_log_level level, const char *fmt, ...) SW_PRINTF(3, 4);
void sw_vlog(struct sw_ctx *ctx, enum sw_log_level level, const char *fmt, va_list ap)
	SW_PRINTF(3, 0);

/* Record a one-line message for `err` (logged at DBG level; the top level
 * reports the final message once), return err.
 * Use as: return sw_fail(ctx, SW_ERR_TIMEOUT, "halt: DHCSR.S_HALT not set");
 * A NULL fmt keeps the message already recorded (pass an error up). */
int sw_fail(struct sw_ctx *ctx, int err, const char *fmt, ...) SW_PRINTF(3, 4);

/* Like sw_fail but does not log (the caller expects and handles it). */
int sw_fail_quiet(struct sw_ctx *ctx, int err, const char *fmt, ...) SW_PRINTF(3, 4);

/* The last message, or sw_strerror(last_err) if none was recorded. */
const char *sw_errmsg(const struct sw_ctx *ctx);

void sw_clear_err(struct sw_ctx *ctx);

#define SW_LOG_E(ctx, ...) sw_log((ctx), SW_LOG_ERR, __VA_ARGS__)
#define SW_LOG_W(ctx, ...) sw_log((ctx), SW_LOG_WARN, __VA_ARGS__)
#define SW_LOG_I(ctx, ...) sw_log((ctx), SW_LOG_INFO, __VA_ARGS__)
#define SW_LOG_D(ctx, ...)                                                                         \
	do {                                                                                       \
		if ((ctx)->level >= SW_LOG_DBG)                                                    \
			sw_log((ctx), SW_LOG_DBG, __VA_ARGS__);                                    \
	} while (0)
#define SW_LOG_WIRE(ctx, ...)                                                                      \
	do {                                                                                       \
		if ((ctx)->level >= SW_LOG_WIRE)                                                   \
			sw_log((ctx), SW_LOG_WIRE, __VA_ARGS__);                                   \
	} while (0)

#endif
