/* CoreSight ROM-table walk: class 0x1 tables (ADIv5.2 D3) and class 0x9
 * tables (CoreSight v3 D6, DEVARCH ARCHID 0x0AF7), depth-bounded. Component
 * identity comes from CIDR/PIDR (0xFD0-0xFFC), DEVARCH (0xFBC), DEVTYPE
 * (0xFCC). */
#include "adi/adi_priv.h"

#define MAX_DEPTH 4
#define MAX_ENTRIES 960 /* class 0x1: 0x000-0xEFC */

struct part {
	uint16_t designer, partno;
	const char *name;
};

/* Part numbers as OpenOCD's dap_partnums table lists them. */
static const struct part parts[] = {
	{0x43B, 0x000, "Cortex-M3 SCS"}, {0x43B, 0x001, "ITM"},
	{0x43B, 0x002, "DWT"},           {0x43B, 0x003, "FPB"},
	{0x43B, 0x008, "Cortex-M0 SCS"}, {0x43B, 0x00C, "SCS"},
	{0x43B, 0x00E, "FPB"},           {0x43B, 0x4C7, "Cortex-M7 PPB ROM table"},
	{0x43B, 0x4C8, "Cortex-M7 ROM table"}, {0x43B, 0x9A9, "Cortex-M7 TPIU"},
	{0x43B, 0x975, "Cortex-M7 ETM"}, {0x43B, 0x912, "TPIU"},
	{0x43B, 0x4C4, "Cortex-M4 ROM table"},
};

static const char *devarch_name(uint32_t devarch)
{
	if (!(devarch & (1u << 20)))
		return NULL;
	switch (devarch & 0xFFFFu) {
	case 0x2A04: return "SCS";
	case 0x1A01: return "ITM";
	case 0x1A02: return "DWT";
	case 0x1A03: return "FPB";
	case 0x0AF7: return "ROM table";
	case 0x0A17: return "MEM-AP";
	case 0x4A13: return "ETM";
	case 0x1A14: return "CTI";
	default: return NULL;
	}
}

static const char *component_name(const struct sw_component *c)
{
	const char *n = c->cid_class == 0x9 ? devarch_name(c->devarch) : NULL;

	if (n)
		return n;
	if (c->cid_class == 0x1)
		return "ROM table";
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
		if (parts[i].designer == c->designer && parts[i].partno == c->partno)
			return parts[i].name;
	return "unknown component";
}

static int read_id(sw_ap *ap, uint64_t base, struct sw_component *c)
{
	uint32_t id[12], devarch = 0, devtype = 0;
	int r = 0;

	for (unsigned i = 0; i < 12 && !r; i++)
		r = sw_mem_queue_read32(ap, (uint32_t)base + 0xFD0u + 4 * i, &id[i]);
	if (!r)
		r = sw_mem_queue_read32(ap, (uint32_t)base + 0xFBCu, &devarch);
	if (!r)
		r = sw_mem_queue_read32(ap, (uint32_t)base + 0xFCCu, &devtype);
	if (!r)
		r = sw_dap_run(sw_ap_dap(ap));
	if (r)
		return r;
	/* id[0..3] PIDR4-7, id[4..7] PIDR0-3, id[8..11] CIDR0-3. */
	if ((id[8] & 0xFF) != 0x0D || (id[10] & 0xFF) != 0x05 || (id[11] & 0xFF) != 0xB1)
		return sw_fail_quiet(sw_dap_ctx(sw_ap_dap(ap)), SW_ERR_NOT_FOUND,
				     "no CoreSight component at 0x%08llx", (unsigned long long)base);
	c->addr = base;
	c->cid_class = (uint8_t)((id[9] >> 4) & 0xFu);
	c->partno = (uint16_t)((id[4] & 0xFFu) | (id[5] & 0xFu) << 8);
	c->designer = (uint16_t)((id[0] & 0xFu) << 8 | ((id[5] >> 4) & 0xFu) | (id[6] & 0x7u) << 4);
	c->revision = (uint8_t)((id[6] >> 4) & 0xFu);
	c->devarch = c->cid_class == 0x9 ? devarch : 0;
	c->devtype = (uint8_t)devtype;
	c->name = component_name(c);
	return SW_OK;
}

static bool is_table(const struct sw_component *c)
{
	return c->cid_class == 0x1 || (c->cid_class == 0x9 && (c->devarch & 0xFFFFu) == 0x0AF7u);
}

static int walk(sw_ap *ap, uint64_t base, unsigned depth, struct sw_component *out, size_t max, size_t *n)
{
	struct sw_component c = {0};
	int r = read_id(ap, base, &c);

	if (r)
		return r;
	c.depth = depth;
	if (*n < max)
		out[(*n)++] = c;
	if (!is_table(&c) || depth >= MAX_DEPTH)
		return SW_OK;
	for (unsigned i = 0; i < MAX_ENTRIES; i++) {
		uint32_t e;
		if ((r = sw_mem_read32(ap, (uint32_t)base + 4 * i, &e)))
			return r;
		if (e == 0)
			break;
		/* Present: bit 0 (class 0x1), PRESENT == 0b11 (class 0x9). */
		if (c.cid_class == 0x9 ? (e & 3u) != 3u : !(e & 1u))
			continue;
		uint64_t child = (uint64_t)((int64_t)base + (int32_t)(e & 0xFFFFF000u)) & 0xFFFFFFFFull;
		/* A missing component is skipped, not fatal (partially powered systems). */
		walk(ap, child, depth + 1, out, max, n);
	}
	return SW_OK;
}

int sw_romtable_walk(sw_ap *ap, uint64_t base, struct sw_component *out, size_t max, size_t *n)
{
	*n = 0;
	return walk(ap, base, 0, out, max, n);
}
