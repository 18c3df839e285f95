/* FTDI adapters on USB, found through libftdi1 (ftdi_usb_find_all) for the
 * VID:PIDs of the layout table (probes/ftdi_layouts.c). Opening a device to
 * read its strings may fail without USB permissions: it is listed anyway,
 * with empty strings. */
#include <stdio.h>
#include <string.h>

#include <ftdi.h>

#include "probes/ftdi.h"

/* Each VID:PID once, in table order. */
static bool seen_before(const struct sw_ftdi_layout *l, size_t i)
{
	for (size_t k = 0; k < i; k++)
		if (l[k].vid == l[i].vid && l[k].pid == l[i].pid)
			return true;
	return false;
}

static void found_layouts(struct sw_ftdi_found *f)
{
	size_t n;
	const struct sw_ftdi_layout *l = sw_ftdi_layouts(&n);

	for (size_t i = 0; i < n; i++) {
		if (l[i].vid != f->vid || l[i].pid != f->pid)
			continue;
		if (!f->n_layouts)
			snprintf(f->layout, sizeof(f->layout), "%s", l[i].name);
		size_t len = strlen(f->layouts);
		snprintf(f->layouts + len, sizeof(f->layouts) - len, "%s%s", len ? ", " : "", l[i].name);
		f->n_layouts++;
	}
	if (f->n_layouts != 1)
		f->layout[0] = 0;
}

static void scan_one(struct ftdi_context *ftdi, int vid, int pid, struct sw_ftdi_found *out, size_t max,
		     size_t *count)
{
	struct ftdi_device_list *list = NULL;

	if (ftdi_usb_find_all(ftdi, &list, vid, pid) <= 0) {
		ftdi_list_free(&list);
		return;
	}
	for (struct ftdi_device_list *d = list; d; d = d->next, (*count)++) {
		struct sw_ftdi_found *f = &out[*count];
		if (*count >= max)
			continue;
		memset(f, 0, sizeof(*f));
		f->vid = (uint16_t)vid;
		f->pid = (uint16_t)pid;
		if (ftdi_usb_get_strings(ftdi, d->dev, f->manufacturer, (int)sizeof(f->manufacturer),
					 f->description, (int)sizeof(f->description), f->serial,
					 (int)sizeof(f->serial)) < 0)
			f->manufacturer[0] = f->description[0] = f->serial[0] = 0;
		found_layouts(f);
	}
	ftdi_list_free(&list);
}

int sw_ftdi_list(struct sw_ctx *ctx, struct sw_ftdi_found *out, size_t max, size_t *count)
{
	size_t n;
	const struct sw_ftdi_layout *l = sw_ftdi_layouts(&n);
	struct ftdi_context *ftdi = ftdi_new();

	*count = 0;
	if (!ftdi) { /* libusb_init failed: no USB here */
		SW_LOG_D(ctx, "ftdi: no USB access (ftdi_new failed); no adapters listed");
		return SW_OK;
	}
	for (size_t i = 0; i < n; i++)
		if (!seen_before(l, i))
			scan_one(ftdi, l[i].vid, l[i].pid, out, max, count);
	ftdi_free(ftdi);
	return SW_OK;
}
