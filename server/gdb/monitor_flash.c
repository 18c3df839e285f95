/* monitor flash info | flash erase all | flash erase REGION | flash erase ADDR LEN */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/flash/flash_stage.h"
#include "server/gdb/rsp_client.h"

static void info(struct sw_session *s)
{
	const struct sw_target_desc *d = s->desc;
	const struct sw_loader_desc *ld = d->loader;

	for (size_t i = 0; i < d->n_regions; i++) {
		const struct sw_mem_region *r = &d->regions[i];
		if (r->kind != SW_MEM_FLASH)
			continue;
		sw_session_say(s, "%-12s 0x%08x-0x%08x %5u KiB, %u sectors of %u KiB", r->name, r->base,
			       r->base + r->size - 1, r->size / 1024, r->sector_size ? r->size / r->sector_size : 0,
			       r->sector_size / 1024);
	}
	if (!d->flash) {
		sw_session_say(s, "%s: no flash programming support", d->name);
		return;
	}
	if (ld && !s->no_loader)
		sw_session_say(s, "programming: on-target loader '%s' (%zu bytes) in RAM at 0x%08x-0x%08x, "
			       "%u region(s) in parallel", ld->image->name, ld->image->size, ld->work_base,
			       ld->work_base + ld->work_size - 1, ld->max_jobs ? ld->max_jobs : 1);
	else
		sw_session_say(s, "programming: host-driven (register level)%s",
			       ld ? " (--no-loader)" : "");
	sw_session_say(s, "option bytes are never written");
}

/* The ranges to erase: "all", a region name, or ADDR LEN. */
static int parse_erase(struct sw_session *s, const char *arg, struct sw_flash_stage *st)
{
	const struct sw_target_desc *d = s->desc;
	char *end;
	bool any = false;
	int r = SW_OK;

	for (size_t i = 0; i < d->n_regions && !r; i++) {
		const struct sw_mem_region *rg = &d->regions[i];
		if (rg->kind == SW_MEM_FLASH && (!strcmp(arg, "all") || !strcmp(arg, rg->name))) {
			r = sw_flash_stage_erase(st, rg->base, rg->size);
			any = true;
		}
	}
	if (any || r)
		return r;
	unsigned long addr = strtoul(arg, &end, 0), len;
	if (end == arg || *end != ' ')
		return sw_fail(s->ctx, SW_ERR_ARG, "flash erase: all, a region name, or ADDR LEN");
	len = strtoul(end + 1, &end, 0);
	if (*end || !len || addr > 0xFFFFFFFFul || len > 0x100000000ul - addr)
		return sw_fail(s->ctx, SW_ERR_ARG, "flash erase: bad ADDR LEN");
	return sw_flash_stage_erase(st, (uint32_t)addr, (uint32_t)len);
}

int rsp_monitor_flash(struct sw_session *s, const char *arg, bool *changed)
{
	struct sw_flash_stage *st = NULL;
	struct sw_flash_stats fs;
	int r;

	if (!strcmp(arg, "info") || !*arg) {
		info(s);
		return 0;
	}
	if (strncmp(arg, "erase ", 6) != 0) {
		sw_session_say(s, "flash: info | erase all | erase REGION | erase ADDR LEN");
		return -1;
	}
	if ((r = sw_flash_stage_new(s->ctx, s->desc, &st)))
		goto out;
	sw_flash_stage_no_loader(st, s->no_loader);
	if ((r = parse_erase(s, arg + 6, st)))
		goto out;
	*changed = true; /* the core is halted for the erase */
	s->running = false;
	if (!(r = sw_flash_stage_done(st, s->core, &fs)))
		sw_session_say(s, "flash: %u sectors erased, %u already blank", fs.sectors_erased,
			       fs.sectors_skipped);
out:
	if (r)
		sw_session_say(s, "flash erase failed: %s", sw_errmsg(s->ctx));
	sw_flash_stage_free(st);
	return r ? -1 : 0;
}
