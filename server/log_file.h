/* --log FILE: log lines appended to a file with time stamps; errors also
 * on stderr, so a failure still reaches the user at the terminal. */
#ifndef SW_SERVER_LOG_FILE_H
#define SW_SERVER_LOG_FILE_H

#include <stdio.h>

#include "sw/ctx.h"

struct sw_log_file {
	FILE *f;
};

/* Open (append) and make it ctx's sink. */
int sw_log_file_open(struct sw_ctx *ctx, const char *path, struct sw_log_file *lf);
/* Back to stderr; safe on a zeroed struct. */
void sw_log_file_close(struct sw_ctx *ctx, struct sw_log_file *lf);

#endif
