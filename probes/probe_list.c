/* list-probes and the default probe (probes/probe_list.h). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "probes/ftdi.h"
#include "probes/jlink.h"
#include "probes/probe_list.h"

/* Append to a bounded string; longer text is cut. */
static void append(char *buf, size_t cap, const char *fmt, ...) SW_PRINTF(3, 4);
static void append(char *buf, size_t cap, const char *fmt, ...)
{
	size_t len = strlen(buf);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf + len, cap - len, fmt, ap);
	va_end(ap);
}

/* The next entry to fill (zeroed), or NULL when out is full; counted either way. */
static struct sw_probe_found *next_slot(struct sw_probe_found *out, size_t max, size_t *count)
{
	struct sw_probe_found *f = *count < max ? &out[*count] : NULL;

	(*count)++;
	if (f)
		memset(f, 0, sizeof(*f));
	return f;
}

static void add_jlinks(struct sw_ctx *ctx, bool firmware, struct sw_probe_found *out, size_t max, size_t *count)
{
	struct sw_jlink_info info[SW_PROBE_LIST_MAX];
	size_t n = 0;
	unsigned flags = SW_JLINK_LIST_USB | SW_JLINK_LIST_TCP | (firmware ? SW_JLINK_LIST_FIRMWARE : 0);

	if (sw_jlink_list(ctx, flags, info, SW_PROBE_LIST_MAX, &n)) {
		SW_LOG_W(ctx, "J-Link scan: %s", sw_errmsg(ctx));
		return;
	}
	for (size_t i = 0; i < n && i < SW_PROBE_LIST_MAX; i++) {
		struct sw_probe_found *f = next_slot(out, max, count);
		if (!f)
			continue;
		snprintf(f->selector, sizeof(f->selector), "jlink:%u", info[i].serial);
		append(f->text, sizeof(f->text), "J-Link %s%s%s%s%s%s", info[i].tcp ? "tcp " : "usb",
		       info[i].tcp ? info[i].ipv4 : "", info[i].product[0] ? "  " : "", info[i].product,
		       info[i].firmware[0] ? "  " : "", info[i].firmware);
	}
}

static void add_ftdis(struct sw_ctx *ctx, struct sw_probe_found *out, size_t max, size_t *count)
{
	struct sw_ftdi_found fd[SW_PROBE_LIST_MAX];
	size_t n = 0;

	if (sw_ftdi_list(ctx, fd, SW_PROBE_LIST_MAX, &n)) {
		SW_LOG_W(ctx, "FTDI scan: %s", sw_errmsg(ctx));
		return;
	}
	for (size_t i = 0; i < n && i < SW_PROBE_LIST_MAX; i++) {
		struct sw_probe_found *f = next_slot(out, max, count);
		if (!f)
			continue;
		snprintf(f->selector, sizeof(f->selector), "ftdi:%04x:%04x%s%.60s", fd[i].vid, fd[i].pid,
			 fd[i].serial[0] ? ":" : "", fd[i].serial);
		snprintf(f->layout, sizeof(f->layout), "%s", fd[i].layout);
		snprintf(f->layouts, sizeof(f->layouts), "%s", fd[i].layouts);
		append(f->text, sizeof(f->text), "%s %s  layout%s %s", fd[i].manufacturer[0] ? fd[i].manufacturer : "FTDI",
		       fd[i].description[0] ? fd[i].description : "adapter",
		       fd[i].n_layouts > 1 ? "s (choose with --ftdi-layout):" : ":", fd[i].layouts);
	}
}

int sw_probe_list_all(struct sw_ctx *ctx, bool firmware, struct sw_probe_found *out, size_t max,
		      size_t *count)
{
	*count = 0;
	add_jlinks(ctx, firmware, out, max, count);
	add_ftdis(ctx, out, max, count);
	return SW_OK;
}

int sw_probe_pick(struct sw_ctx *ctx, const char *ftdi_layout, struct sw_probe_found *out)
{
	struct sw_probe_found all[SW_PROBE_LIST_MAX];
	char names[256] = "";
	size_t n = 0;

	sw_probe_list_all(ctx, false, all, SW_PROBE_LIST_MAX, &n);
	if (n == 0)
		return sw_fail(ctx, SW_ERR_NOT_FOUND,
			       "no probe given and none connected (J-Link on USB or LAN, FTDI adapter); "
			       "--probe sim runs the simulator");
	if (n > 1) {
		for (size_t i = 0; i < n && i < SW_PROBE_LIST_MAX; i++)
			append(names, sizeof(names), "%s%s", i ? ", " : "", all[i].selector);
		return sw_fail(ctx, SW_ERR_BUSY,
			       "no probe given and %zu connected (%s): choose one with --probe; "
			       "--probe sim runs the simulator", n, names);
	}
	*out = all[0];
	if (!strncmp(out->selector, "ftdi", 4) && !out->layout[0] && !(ftdi_layout && *ftdi_layout))
		return sw_fail(ctx, SW_ERR_ARG,
			       "the one probe connected, %s, fits several FTDI layouts (%s): give --ftdi-layout",
			       out->selector, out->layouts);
	return SW_OK;
}
