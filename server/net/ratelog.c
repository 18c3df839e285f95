/* Rate-limited connection logs (see ratelog.h). */
#include "server/net/outq.h"
#include "server/net/ratelog.h"

#define WINDOW_NS 10000000000ull /* 10 s */
#define PER_WINDOW 5u

bool sw_ratelog_ok(struct sw_ratelog *r, struct sw_ctx *ctx, const char *what)
{
	uint64_t t = sw_outq_now_ns();

	if (!r->window_start_ns || t - r->window_start_ns >= WINDOW_NS) {
		if (r->suppressed)
			SW_LOG_W(ctx, "%u more %s were not logged", r->suppressed, what);
		r->window_start_ns = t;
		r->count = r->suppressed = 0;
	}
	if (r->count < PER_WINDOW) {
		r->count++;
		return true;
	}
	r->suppressed++;
	return false;
}
