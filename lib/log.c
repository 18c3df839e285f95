/* Context-scoped logging and the last-error message. The only place in the
 * server libraries that writes to stderr. */
#include <stdio.h>
#include <string.h>

#include "sw/ctx.h"

static const char *const level_names[] = {"", "error", "warn", "info", "debug", "wire"};

static void stderr_sink(void *user, enum sw_log_level level, const char *line)
{
	(void)user;
	fprintf(stderr, "swdbridge: %s: %s\n", level_names[level], line);
}

void sw_ctx_init(struct sw_ctx *ctx)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->level = SW_LOG_INFO;
}

void sw_vlog(struct sw_ctx *ctx, enum sw_log_level level, const char *fmt, va_list ap)
{
	char line[512];

	if (level > ctx->level || level == SW_LOG_NONE)
		return;
	vsnprintf(line, sizeof(line), fmt, ap);
	if (ctx->sink)
		ctx->sink(ctx->sink_user, level, line);
	else
		stderr_sink(NULL, level, line);
}

void sw_log(struct sw_ctx *ctx, enum sw_log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sw_vlog(ctx, level, fmt, ap);
	va_end(ap);
}

static int record(struct sw_ctx *ctx, int err, int do_log, const char *fmt, va_list ap)
{
	ctx->last_err = err;
	if (fmt) {
		/* Format apart first: callers often pass sw_errmsg(ctx) as an argument. */
		char tmp[SW_ERRMSG_LEN];
		vsnprintf(tmp, sizeof(tmp), fmt, ap);
		memcpy(ctx->errmsg, tmp, sizeof(tmp));
		/* Keep it one line: a newline inside would break RSP 'E' text and logs. */
		for (char *c = ctx->errmsg; *c; c++)
			if (*c == '\n' || *c == '\r')
				*c = ' ';
		/* Layers below record; the top level reports the final line once. */
		if (do_log)
			sw_log(ctx, SW_LOG_DBG, "%s", ctx->errmsg);
	}
	return err;
}

int sw_fail(struct sw_ctx *ctx, int err, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = record(ctx, err, 1, fmt, ap);
	va_end(ap);
	return r;
}

int sw_fail_quiet(struct sw_ctx *ctx, int err, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = record(ctx, err, 0, fmt, ap);
	va_end(ap);
	return r;
}

const char *sw_errmsg(const struct sw_ctx *ctx)
{
	if (ctx->errmsg[0])
		return ctx->errmsg;
	return sw_strerror(ctx->last_err);
}

void sw_clear_err(struct sw_ctx *ctx)
{
	ctx->last_err = SW_OK;
	ctx->errmsg[0] = 0;
}
