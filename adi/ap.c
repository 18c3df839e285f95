/* Access ports: open, identify (IDR/CFG/BASE), scan (ADIv5 APSEL scan,
 * ADIv6 ROM-table discovery). ADIv5.2 C1.3; ADIv6 C1. */
#include <stdlib.h>

#include "adi/adi_priv.h"

#define IDR_CLASS_MEM 0x8u /* IDR[16:13] */
#define CSW_SIZE_MASK 0x7u
#define CSW_ADDRINC_PACKED (2u << 4)
#define ADIV6_ARCHID_MEMAP 0x0A17u
#define ADIV6_ARCHID_ROM 0x0AF7u

static const char *type_name(enum sw_ap_class cls, unsigned type)
{
	static const char *const names[] = {"JTAG-AP", "AHB3-AP", "APB2/3-AP", "MEM-AP", "AXI3/4-AP",
					    "AHB5-AP", "APB4/5-AP", "AXI5-AP", "AHB5-AP (HPROT)"};

	if (cls != SW_AP_CLASS_MEM)
		return cls == SW_AP_CLASS_JTAG ? "JTAG-AP" : "unknown AP";
	return type < sizeof(names) / sizeof(names[0]) ? names[type] : "MEM-AP";
}

static void decode_idr(struct sw_ap_info *in)
{
	uint32_t cls = (in->idr >> 13) & 0xFu;

	in->type = in->idr & 0xFu;
	in->class_ = cls == IDR_CLASS_MEM ? SW_AP_CLASS_MEM
		     : (cls == 0 && in->type == 0 && in->idr) ? SW_AP_CLASS_JTAG
							       : SW_AP_CLASS_UNKNOWN;
	in->type_name = type_name(in->class_, in->type);
}

/* BASE: ADIv5 format bit 1 and present bit 0 (C2.6.1); 0xFFFFFFFF = legacy none. */
static void decode_base(struct sw_ap_info *in, uint32_t base, uint32_t base_hi)
{
	in->base_present = base != 0xFFFFFFFFu && (base & 3u) == 3u;
	in->base = ((uint64_t)base_hi << 32) | (base & 0xFFFFF000u);
}

int sw_ap_open(sw_dap *dap, sw_ap_addr addr, sw_ap **out)
{
	sw_ap *ap = calloc(1, sizeof(*ap));
	uint32_t base = 0, base_hi = 0, csw = 0, probe = 0;
	int r;

	*out = NULL;
	if (!ap)
		return sw_fail(dap->ctx, SW_ERR_NOMEM, "ap: out of memory");
	ap->dap = dap;
	ap->info.addr = addr;
	if ((r = sw_dap_q_ap_read(dap, addr, sw_ap_reg_offset(dap, SW_AP_IDR), &ap->info.idr)) ||
	    (r = sw_dap_q_ap_read(dap, addr, sw_ap_reg_offset(dap, SW_AP_CFG), &ap->info.cfg)) ||
	    (r = sw_dap_q_ap_read(dap, addr, sw_ap_reg_offset(dap, SW_AP_BASE), &base)) ||
	    (r = sw_dap_q_ap_read(dap, addr, sw_ap_reg_offset(dap, SW_AP_CSW), &csw)) ||
	    (r = sw_dap_run(dap)))
		goto fail;
	if (ap->info.idr == 0) {
		r = sw_fail(dap->ctx, SW_ERR_NOT_FOUND, "ap: no AP at 0x%llx (IDR reads 0)",
			    (unsigned long long)addr);
		goto fail;
	}
	if (ap->info.cfg & 2u) { /* CFG.LA: BASE has an upper half at 0xF0 */
		if ((r = sw_dap_q_ap_read(dap, addr, sw_ap_reg_offset(dap, 0xF0), &base_hi)) ||
		    (r = sw_dap_run(dap)))
			goto fail;
	}
	decode_idr(&ap->info);
	decode_base(&ap->info, base, base_hi);
	ap->csw_base = csw & 0xFF000000u;
	if (ap->info.class_ == SW_AP_CLASS_MEM) {
		/* Probe optional features by writing CSW and reading it back (C2.6.4). */
		if ((r = sw_dap_q_ap_write(dap, addr, sw_ap_reg_offset(dap, SW_AP_CSW),
					   ap->csw_base | CSW_ADDRINC_PACKED | 0u)) ||
		    (r = sw_dap_q_ap_read(dap, addr, sw_ap_reg_offset(dap, SW_AP_CSW), &probe)) ||
		    (r = sw_dap_run(dap)))
			goto fail;
		ap->info.packed = (probe & (3u << 4)) == CSW_ADDRINC_PACKED;
		ap->info.sizes_8_16 = (probe & CSW_SIZE_MASK) == 0;
	}
	*out = ap;
	return SW_OK;
fail:
	free(ap);
	return r;
}

void sw_ap_close(sw_ap *ap)
{
	free(ap);
}

const struct sw_ap_info *sw_ap_get_info(const sw_ap *ap)
{
	return &ap->info;
}

sw_dap *sw_ap_dap(const sw_ap *ap)
{
	return ap->dap;
}

void sw_ap_set_csw_extra(sw_ap *ap, uint32_t bits)
{
	ap->csw_extra = bits;
	ap->csw_cur = 0;
}

int sw_ap_read(sw_ap *ap, uint16_t reg, uint32_t *val)
{
	int r = sw_dap_q_ap_read(ap->dap, ap->info.addr, sw_ap_reg_offset(ap->dap, reg), val);

	ap->csw_cur = 0;
	return r ? r : sw_dap_run(ap->dap);
}

int sw_ap_write(sw_ap *ap, uint16_t reg, uint32_t val)
{
	int r = sw_dap_q_ap_write(ap->dap, ap->info.addr, sw_ap_reg_offset(ap->dap, reg), val);

	ap->csw_cur = 0;
	return r ? r : sw_dap_run(ap->dap);
}

static int scan_v5(sw_dap *dap, struct sw_ap_info *out, size_t max, size_t *n)
{
	uint32_t idr[256];
	int r;

	/* All 256 IDR reads go out in one batch. */
	for (unsigned i = 0; i < 256; i++)
		if ((r = sw_dap_q_ap_read(dap, i, SW_AP_IDR, &idr[i])))
			return r;
	if ((r = sw_dap_run(dap)))
		return r;
	for (unsigned i = 0; i < 256 && *n < max; i++) {
		sw_ap *ap;
		if (!idr[i] || sw_ap_open(dap, i, &ap))
			continue;
		out[(*n)++] = ap->info;
		sw_ap_close(ap);
	}
	return SW_OK;
}

static int read_cs(sw_dap *dap, uint64_t addr, uint16_t off, uint32_t *v)
{
	int r = sw_dap_q_ap_read(dap, addr & ~0xFFFull, (uint16_t)((addr & 0xFFFu) + off), v);

	return r ? r : sw_dap_run(dap);
}

/* ADIv6: APs are CoreSight components found from the DP's root ROM table. */
static int scan_v6_table(sw_dap *dap, uint64_t table, unsigned depth, struct sw_ap_info *out,
			 size_t max, size_t *n)
{
	int r;

	if (depth > 4)
		return SW_OK;
	for (unsigned i = 0; i < 512 && *n < max; i++) {
		uint32_t e, devarch = 0, cidr1 = 0;
		uint64_t comp;
		if ((r = read_cs(dap, table, (uint16_t)(4 * i), &e)))
			return r;
		if (e == 0)
			break;
		if ((e & 3u) != 3u)
			continue;
		comp = table + (uint64_t)(int64_t)(int32_t)(e & 0xFFFFF000u);
		if ((r = read_cs(dap, comp, 0xFF4, &cidr1)) || (r = read_cs(dap, comp, 0xFBC, &devarch)))
			return r;
		if (((cidr1 >> 4) & 0xFu) != 0x9)
			continue;
		if ((devarch & 0xFFFFu) == ADIV6_ARCHID_ROM) {
			if ((r = scan_v6_table(dap, comp, depth + 1, out, max, n)))
				return r;
		} else if ((devarch & 0xFFFFu) == ADIV6_ARCHID_MEMAP) {
			sw_ap *ap;
			if (!sw_ap_open(dap, comp, &ap)) {
				out[(*n)++] = ap->info;
				sw_ap_close(ap);
			}
		}
	}
	return SW_OK;
}

int sw_ap_scan(sw_dap *dap, struct sw_ap_info *out, size_t max, size_t *n)
{
	*n = 0;
	if (dap->info.adiv6)
		return scan_v6_table(dap, dap->info.baseptr, 0, out, max, n);
	return scan_v5(dap, out, max, n);
}
