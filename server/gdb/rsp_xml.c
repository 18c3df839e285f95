#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "server/gdb/rsp_xml.h"

static bool reg_present(const struct sw_core_info *in, enum sw_reg_feature f)
{
	switch (f) {
	case SW_REGF_MPROFILE:
	case SW_REGF_SYSTEM: return true;
	case SW_REGF_VFP: return in->fpu;
	case SW_REGF_SECEXT: return in->secext;
	case SW_REGF_MVE: return in->mve;
	}
	return false;
}

size_t rsp_core_regs(const struct sw_core_info *info, unsigned *regnos, size_t max)
{
	const struct sw_reg_desc *t = sw_reg_table();
	size_t n = 0;

	for (unsigned i = 0; i < SW_REG_COUNT && n < max; i++)
		if (reg_present(info, t[i].feature))
			regnos[n++] = i;
	return n;
}

struct out {
	char *buf;
	size_t cap, len;
	bool full;
};

static void add(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->full)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->len, o->cap - o->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= o->cap - o->len)
		o->full = true;
	else
		o->len += (size_t)n;
}

static const char *const feature_names[] = {
	[SW_REGF_MPROFILE] = "org.gnu.gdb.arm.m-profile",
	[SW_REGF_SYSTEM] = "org.gnu.gdb.arm.m-system",
	[SW_REGF_VFP] = "org.gnu.gdb.arm.vfp",
	[SW_REGF_SECEXT] = "org.gnu.gdb.arm.secext",
	[SW_REGF_MVE] = "org.gnu.gdb.arm.m-profile-mve",
};

size_t rsp_target_xml(const struct sw_core_info *info, char *buf, size_t cap)
{
	const struct sw_reg_desc *t = sw_reg_table();
	struct out o = {buf, cap, 0, false};

	add(&o, "<?xml version=\"1.0\"?>\n<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n"
		"<target version=\"1.0\">\n<architecture>arm</architecture>\n");
	for (unsigned f = SW_REGF_MPROFILE; f <= SW_REGF_MVE; f++) {
		if (!reg_present(info, (enum sw_reg_feature)f))
			continue;
		add(&o, "<feature name=\"%s\">\n", feature_names[f]);
		for (unsigned i = 0; i < SW_REG_COUNT; i++) {
			if (t[i].feature != f)
				continue;
			add(&o, "  <reg name=\"%s\" bitsize=\"%u\" regnum=\"%u\" type=\"%s\"", t[i].name,
			    t[i].bits, i, t[i].type);
			if (t[i].group)
				add(&o, " group=\"%s\"", t[i].group);
			add(&o, "/>\n");
		}
		add(&o, "</feature>\n");
	}
	add(&o, "</target>\n");
	return o.full ? 0 : o.len;
}

size_t rsp_memory_map_xml(const struct sw_target_desc *d, char *buf, size_t cap)
{
	struct out o = {buf, cap, 0, false};

	add(&o, "<?xml version=\"1.0\"?>\n<!DOCTYPE memory-map PUBLIC \"+//IDN gnu.org//DTD GDB Memory "
		"Map V1.0//EN\" \"http://sourceware.org/gdb/gdb-memory-map.dtd\">\n<memory-map>\n");
	for (size_t i = 0; i < d->n_regions; i++) {
		const struct sw_mem_region *r = &d->regions[i];
		/* Peripherals and the PPB are listed as ram: gdb refuses to touch
		 * unmapped addresses once a map exists (clients.md §2.2). */
		const char *type = r->kind == SW_MEM_FLASH ? "flash" : r->kind == SW_MEM_ROM ? "rom" : "ram";
		add(&o, "  <memory type=\"%s\" start=\"0x%08x\" length=\"0x%x\"", type, r->base, r->size);
		if (r->kind == SW_MEM_FLASH)
			add(&o, "><property name=\"blocksize\">0x%x</property></memory>\n", r->sector_size);
		else
			add(&o, "/>\n");
	}
	add(&o, "</memory-map>\n");
	return o.full ? 0 : o.len;
}
