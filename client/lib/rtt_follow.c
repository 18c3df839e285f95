/* deploy --rtt (see rtt_follow.h). The server's `monitor rtt status`
 * text is the interface: "RTT: control block at 0x..." once found, else
 * "RTT: searching (N polls, RAM scanned M times...)" (server/gdb/
 * monitor_rtt.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "client/lib/rtt_follow.h"

#define POLL_MS 100u

struct text {
	char buf[2048];
	size_t len;
};

static void collect(void *user, const char *s)
{
	struct text *t = user;
	size_t n = strlen(s);

	if (n > sizeof(t->buf) - 1 - t->len)
		n = sizeof(t->buf) - 1 - t->len;
	memcpy(t->buf + t->len, s, n);
	t->len += n;
	t->buf[t->len] = 0;
}

static int monitor_text(struct sw_rsp *c, const char *cmd, struct text *t)
{
	int r;

	t->len = 0;
	t->buf[0] = 0;
	sw_rsp_set_output(c, collect, t);
	r = sw_rsp_monitor(c, cmd);
	sw_rsp_set_output(c, NULL, NULL);
	return r;
}

static unsigned long long scans_of(const char *status)
{
	const char *p = strstr(status, "RAM scanned ");

	return p ? strtoull(p + strlen("RAM scanned "), NULL, 10) : 0;
}

int sw_rtt_follow(struct sw_rsp *c, const struct sw_image *img, const char *name, unsigned timeout_ms)
{
	struct sw_ctx *ctx = sw_rsp_ctx(c);
	struct timespec pause = {0, POLL_MS * 1000000l};
	struct text t;
	char cmd[48];
	int r;

	/* SEGGER's RTT code, and the other implementations J-Link and probe-rs
	 * find, name the block _SEGGER_RTT: a symbol table without it is a
	 * firmware without RTT. */
	if (!img->has_rtt_cb && img->has_symbols)
		return sw_fail(ctx, SW_ERR_NOT_FOUND, "%s has no RTT control block (no _SEGGER_RTT in its symbol table)",
			       name);
	if (img->has_rtt_cb)
		snprintf(cmd, sizeof(cmd), "rtt address 0x%08x", img->rtt_cb);
	else
		snprintf(cmd, sizeof(cmd), "rtt start");
	if ((r = monitor_text(c, cmd, &t)))
		return sw_fail(ctx, r, "monitor %s: %s", cmd, t.len ? t.buf : sw_errmsg(ctx));
	if (strstr(t.buf, "not available"))
		return sw_fail(ctx, SW_ERR_NOT_SUPPORTED, "the server has no RTT service: %s", t.buf);
	for (unsigned waited = 0;; waited += POLL_MS) {
		if (strstr(t.buf, "RTT: control block at 0x"))
			return SW_OK;
		/* Without symbols (HEX, BIN, a stripped ELF) the server scans RAM:
		 * one whole pass without a find is the answer (the firmware was
		 * reset and running before the scan began). */
		if (!img->has_rtt_cb && scans_of(t.buf) >= 1)
			return sw_fail(ctx, SW_ERR_NOT_FOUND,
				       "%s has no RTT control block: a whole scan of the target's RAM found none", name);
		if (waited >= timeout_ms)
			return img->has_rtt_cb
				       ? sw_fail(ctx, SW_ERR_NOT_FOUND,
						 "%s: no RTT control block at _SEGGER_RTT 0x%08x after %.1f s (the "
						 "firmware never initialised it?)",
						 name, img->rtt_cb, timeout_ms / 1000.0)
				       : sw_fail(ctx, SW_ERR_NOT_FOUND,
						 "%s: no RTT control block found in %.1f s (the RAM scan did not "
						 "finish)",
						 name, timeout_ms / 1000.0);
		nanosleep(&pause, NULL);
		if ((r = monitor_text(c, "rtt status", &t)))
			return sw_fail(ctx, r, "monitor rtt status: %s", sw_errmsg(ctx));
	}
}
