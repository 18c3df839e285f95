/* Cores that were not running when the server started (the AE3's HE until
 * the HP firmware starts it, reference/targets.md §4.3) get their gdb port
 * when they come up: a service of the server loop reads each such core's
 * AP CSW (DeviceEn) every SW_CORE_WATCH_NS and, once the core is powered,
 * attaches it (without halting) and hands it to the program to serve. */
#ifndef SW_CORE_WATCH_H
#define SW_CORE_WATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "server/net/server.h"
#include "targets/target.h"

/* 200 ms: one AP read per waiting core, a fraction of a percent of the
 * wire even with a J-Link's 0.5 ms round trip (perf.md). */
#define SW_CORE_WATCH_NS 200000000ull

struct sw_core_watch {
	struct sw_ctx *ctx;
	struct sw_target *const *t; /* the program's target (replaced on probe reconnect) */
	bool want[SW_SERVER_MAX_PORTS];
	uint64_t next_ns;
	/* Serve core i now that it has a sw_core (open its gdb port...). */
	int (*up)(void *user, size_t i);
	void *user;
	struct sw_server_svc svc;
};

void sw_core_watch_init(struct sw_core_watch *w, struct sw_ctx *ctx, struct sw_target *const *t,
			int (*up)(void *user, size_t i), void *user);
void sw_core_watch_add(struct sw_core_watch *w, size_t i);
bool sw_core_watch_active(const struct sw_core_watch *w);
/* One round now (the service calls it when due); tests call it directly. */
void sw_core_watch_poll(struct sw_core_watch *w);

#endif
