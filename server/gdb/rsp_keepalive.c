/* Keep-alive O packets while a monitor command runs (see rsp_keepalive.h). */
#include <stdio.h>
#include <string.h>

#include "probes/probe.h"
#include "server/gdb/rsp_client_priv.h"
#include "server/gdb/rsp_keepalive.h"
#include "sw/hex.h"

#define SEC_NS 1000000000ull

static void send_line(struct rsp_keepalive *k, uint64_t secs)
{
	char text[128], pkt[1 + 2 * sizeof(text)];
	int n = snprintf(text, sizeof(text), RSP_KEEPALIVE_FMT, k->cmd, (unsigned long long)secs);

	if (n <= 0 || k->c->closing)
		return;
	pkt[0] = 'O';
	sw_hex_encode((const uint8_t *)text, (size_t)n, pkt + 1);
	/* Queued and sent at once (sw_outq_put writes what the socket takes):
	 * the server loop does not run until the command returns. */
	rsp_send_bin(k->c, pkt, 1 + 2 * (size_t)n);
	k->lines++;
}

/* The probe's busy hook (user = struct rsp_keepalive *). */
static void rsp_keepalive_tick(void *user)
{
	struct rsp_keepalive *k = user;
	const struct sw_session *s = k->c->s;
	uint64_t wall = rsp_mono_ns();

	/* The session's clock first: with the simulator it is virtual, so the
	 * lines and their N are the same on every run. */
	if (s->clock_ns) {
		uint64_t v = sw_session_now_ns(s) - k->virt0;
		if (v >= k->virt_next * SEC_NS) {
			k->virt_next = v / SEC_NS + 1;
			k->wall_last = wall;
			send_line(k, v / SEC_NS);
			return;
		}
	}
	/* The wall clock is what gdb's remotetimeout counts. */
	if (wall - k->wall_last >= SEC_NS) {
		k->wall_last = wall;
		send_line(k, (wall - k->wall0) / SEC_NS);
	}
}

void rsp_keepalive_begin(struct rsp_keepalive *k, struct rsp_client *c, const char *cmd)
{
	size_t n = strcspn(cmd, "\r\n");

	memset(k, 0, sizeof(*k));
	k->c = c;
	snprintf(k->cmd, sizeof(k->cmd), "%.*s", (int)(n < sizeof(k->cmd) - 1 ? n : sizeof(k->cmd) - 1), cmd);
	k->wall0 = k->wall_last = rsp_mono_ns();
	k->virt0 = sw_session_now_ns(c->s);
	k->virt_next = 1;
	sw_probe_set_busy(c->s->probe, rsp_keepalive_tick, k);
}

void rsp_keepalive_end(struct rsp_keepalive *k)
{
	sw_probe_set_busy(k->c->s->probe, NULL, NULL);
	if (k->lines)
		SW_LOG_D(k->c->s->ctx, "monitor %s: %u keep-alive lines", k->cmd, k->lines);
}
