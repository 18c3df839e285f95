#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "server/session.h"

void sw_session_init(struct sw_session *s, struct sw_ctx *ctx, struct sw_core *core,
		     const struct sw_target_desc *desc, struct sw_probe *probe, unsigned port)
{
	memset(s, 0, sizeof(*s));
	s->ctx = ctx;
	s->core = core;
	s->desc = desc;
	s->probe = probe;
	s->port = port;
	s->step_mask_irq = true;
}

void sw_session_say(struct sw_session *s, const char *fmt, ...)
{
	size_t len = strlen(s->console);
	va_list ap;

	if (len + 2 >= sizeof(s->console))
		return;
	va_start(ap, fmt);
	vsnprintf(s->console + len, sizeof(s->console) - len - 1, fmt, ap);
	va_end(ap);
	len = strlen(s->console);
	if (len && s->console[len - 1] != '\n' && len + 1 < sizeof(s->console)) {
		s->console[len] = '\n';
		s->console[len + 1] = 0;
	}
}

uint64_t sw_session_now_ns(const struct sw_session *s)
{
	struct timespec ts;

	if (s->clock_ns)
		return s->clock_ns(s->clock_user);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void sw_session_write(struct sw_session *s, const char *text, size_t len)
{
	while (len) {
		size_t have = strlen(s->console), n = sizeof(s->console) - 1 - have;
		if (!n && s->console_flush) {
			s->console_flush(s->console_flush_user);
			continue;
		}
		if (!n)
			return; /* nobody to take it: the rest is dropped */
		n = len < n ? len : n;
		memcpy(s->console + have, text, n);
		s->console[have + n] = 0;
		text += n;
		len -= n;
	}
}
