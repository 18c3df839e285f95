/* --log FILE (server/log_file.h). */
#include <errno.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "server/log_file.h"

static const char *const level_names[] = {"", "error", "warn", "info", "debug", "wire"};

static void file_sink(void *user, enum sw_log_level level, const char *line)
{
	struct sw_log_file *lf = user;
	struct timeval tv;
	struct tm tm;
	char when[32];

	gettimeofday(&tv, NULL);
	localtime_r(&tv.tv_sec, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
	fprintf(lf->f, "%s.%03ld %s: %s\n", when, (long)(tv.tv_usec / 1000), level_names[level], line);
	fflush(lf->f);
	if (level == SW_LOG_ERR)
		fprintf(stderr, "swdbridge: error: %s\n", line);
}

int sw_log_file_open(struct sw_ctx *ctx, const char *path, struct sw_log_file *lf)
{
	lf->f = fopen(path, "a");
	if (!lf->f)
		return sw_fail(ctx, SW_ERR_IO, "--log %s: %s", path, strerror(errno));
	ctx->sink = file_sink;
	ctx->sink_user = lf;
	return SW_OK;
}

void sw_log_file_close(struct sw_ctx *ctx, struct sw_log_file *lf)
{
	if (ctx->sink == file_sink) {
		ctx->sink = NULL;
		ctx->sink_user = NULL;
	}
	if (lf->f)
		fclose(lf->f);
	lf->f = NULL;
}
