/* Text for swdflash's output, kept pure so it can be unit-tested: JSON
 * event lines (one object per line, for CI) and the terminal progress bar.
 * All return the length written (NUL-terminated, truncated to cap). */
#ifndef SW_CLIENT_REPORT_H
#define SW_CLIENT_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "client/lib/deploy.h"

/* JSON string contents: quotes, backslashes and control characters escaped. */
size_t sw_json_escape(const char *s, char *out, size_t cap);
/* Raw bytes (RTT data, may hold NUL) as JSON string contents: ASCII as
 * text, every other byte as \u00XX, so bytes = string.encode("latin-1"). */
size_t sw_json_escape_bytes(const uint8_t *b, size_t n, char *out, size_t cap);
/* {"event":"write","done":N,"total":N} and so on; `command` and `file`
 * appear in the start event, `seconds` (wall) in done. */
size_t sw_ev_json(const struct sw_event *ev, const char *command, const char *file, double seconds, char *out,
		  size_t cap);
/* {"event":"error","exit":N,"message":"..."} */
size_t sw_json_error(int exit_code, const char *msg, char *out, size_t cap);
/* "[#######-------]  512/1024 KiB  240.0 KB/s  ETA 2s", no newline. */
size_t sw_progress_line(uint64_t done, uint64_t total, double elapsed_s, char *out, size_t cap);

#endif
