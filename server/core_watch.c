/* Late cores (see core_watch.h). */
#include <time.h>

#include "server/core_watch.h"

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void sw_core_watch_poll(struct sw_core_watch *w)
{
	const struct sw_target_desc *desc = sw_target_get_desc(*w->t);

	for (size_t i = 0; i < SW_SERVER_MAX_PORTS; i++) {
		int r;
		if (!w->want[i])
			continue;
		if ((r = sw_target_core_retry(*w->t, i)) == SW_ERR_NOT_FOUND)
			continue;
		if (r) { /* probe trouble: try again next round */
			SW_LOG_D(w->ctx, "core watch: %s: %s", desc->cores[i].name, sw_errmsg(w->ctx));
			sw_clear_err(w->ctx);
			continue;
		}
		w->want[i] = false;
		SW_LOG_I(w->ctx, "target %s: core %s came up (its AP reports DeviceEn=1); opening its gdb port",
			 desc->name, desc->cores[i].name);
		if ((r = w->up(w->user, i)))
			SW_LOG_E(w->ctx, "target %s: core %s: %s", desc->name, desc->cores[i].name, sw_errmsg(w->ctx));
	}
}

static unsigned watch_fds(void *user, struct pollfd *pfd, unsigned max, uint64_t *wake_ns)
{
	struct sw_core_watch *w = user;
	uint64_t now = mono_ns();

	(void)pfd;
	(void)max;
	if (sw_core_watch_active(w)) {
		uint64_t left = w->next_ns > now ? w->next_ns - now : 0;
		if (left < *wake_ns)
			*wake_ns = left;
	}
	return 0;
}

static void watch_run(void *user, const struct pollfd *pfd, unsigned n)
{
	struct sw_core_watch *w = user;
	uint64_t now = mono_ns();

	(void)pfd;
	(void)n;
	if (!sw_core_watch_active(w) || now < w->next_ns)
		return;
	w->next_ns = now + SW_CORE_WATCH_NS;
	sw_core_watch_poll(w);
}

void sw_core_watch_init(struct sw_core_watch *w, struct sw_ctx *ctx, struct sw_target *const *t,
			int (*up)(void *user, size_t i), void *user)
{
	*w = (struct sw_core_watch){.ctx = ctx, .t = t, .up = up, .user = user};
	w->svc = (struct sw_server_svc){watch_fds, watch_run, w};
}

void sw_core_watch_add(struct sw_core_watch *w, size_t i)
{
	if (i < SW_SERVER_MAX_PORTS)
		w->want[i] = true;
}

bool sw_core_watch_active(const struct sw_core_watch *w)
{
	for (size_t i = 0; i < SW_SERVER_MAX_PORTS; i++)
		if (w->want[i])
			return true;
	return false;
}
