/* MEM-AP memory access (ADIv5.2 C2.2): CSW size, TAR auto-increment that
 * only carries within TAR[9:0] (so TAR is rewritten at every 1 KiB
 * boundary), byte/halfword lanes for unaligned edges, and block transfers
 * queued whole so the probe can pack them into few round trips. */
#include <stdlib.h>
#include <string.h>

#include "adi/adi_priv.h"
#include "sw/types.h"

#define CSW_SIZE8 0u
#define CSW_SIZE16 1u
#define CSW_SIZE32 2u
#define CSW_ADDRINC_SINGLE (1u << 4)
#define TAR_BLOCK 1024u

static int q_csw(sw_ap *ap, uint32_t size_bits)
{
	uint32_t csw = ap->csw_base | ap->csw_extra | CSW_ADDRINC_SINGLE | size_bits;

	if (ap->csw_cur == csw)
		return SW_OK;
	ap->csw_cur = csw;
	return sw_dap_q_ap_write(ap->dap, ap->info.addr, sw_ap_reg_offset(ap->dap, SW_AP_CSW), csw);
}

static int q_tar(sw_ap *ap, uint32_t addr)
{
	return sw_dap_q_ap_write(ap->dap, ap->info.addr, sw_ap_reg_offset(ap->dap, SW_AP_TAR), addr);
}

static int q_drw_read(sw_ap *ap, uint32_t *dst)
{
	return sw_dap_q_ap_read(ap->dap, ap->info.addr, sw_ap_reg_offset(ap->dap, SW_AP_DRW), dst);
}

static int q_drw_write(sw_ap *ap, uint32_t v)
{
	return sw_dap_q_ap_write(ap->dap, ap->info.addr, sw_ap_reg_offset(ap->dap, SW_AP_DRW), v);
}

static int finish(sw_ap *ap, int r, const char *what, uint32_t addr, size_t len)
{
	if (!r)
		r = sw_dap_run(ap->dap);
	if (r) {
		ap->csw_cur = 0;
		return sw_fail(sw_dap_ctx(ap->dap), r, "%s 0x%08x (%zu bytes): %s", what, addr, len,
			       sw_errmsg(sw_dap_ctx(ap->dap)));
	}
	return SW_OK;
}

int sw_mem_queue_read32(sw_ap *ap, uint32_t addr, uint32_t *dst)
{
	int r = q_csw(ap, CSW_SIZE32);

	if (!r)
		r = q_tar(ap, addr);
	return r ? r : q_drw_read(ap, dst);
}

int sw_mem_queue_write32(sw_ap *ap, uint32_t addr, uint32_t val)
{
	int r = q_csw(ap, CSW_SIZE32);

	if (!r)
		r = q_tar(ap, addr);
	return r ? r : q_drw_write(ap, val);
}

/* Banked data registers (ADIv5.2 C2.6, BD0-BD3; at 0xD10 on ADIv6): BDn
 * reaches word n of the 16-byte block TAR points at and leaves TAR alone,
 * so the four registers at 0xE000EDF0 (DHCSR, DCRSR, DCRDR, DEMCR) cost one
 * transaction each after a single TAR write. The size is set to word in CSW
 * like any other 32-bit access. */
static int q_banked(sw_ap *ap, uint32_t addr, uint16_t *reg)
{
	sw_dap *dap = ap->dap;
	uint32_t block = addr & ~0xFu;
	int r;

	if (addr & 3u)
		return sw_fail(sw_dap_ctx(dap), SW_ERR_ARG, "banked access 0x%08x: not word aligned", addr);
	if ((r = q_csw(ap, CSW_SIZE32)))
		return r;
	if (!dap->tar_known || dap->tar_ap != ap->info.addr || dap->tar != block) {
		if ((r = q_tar(ap, block)))
			return r;
		dap->tar_known = true;
		dap->tar_ap = ap->info.addr;
		dap->tar = block;
	}
	*reg = sw_ap_reg_offset(dap, (uint16_t)(SW_AP_BD0 + (addr & 0xCu)));
	return SW_OK;
}

int sw_mem_queue_banked_read32(sw_ap *ap, uint32_t addr, uint32_t *dst)
{
	uint16_t reg = 0;
	int r = q_banked(ap, addr, &reg);

	return r ? r : sw_dap_q_ap_read(ap->dap, ap->info.addr, reg, dst);
}

int sw_mem_queue_banked_write32(sw_ap *ap, uint32_t addr, uint32_t val)
{
	uint16_t reg = 0;
	int r = q_banked(ap, addr, &reg);

	return r ? r : sw_dap_q_ap_write(ap->dap, ap->info.addr, reg, val);
}

int sw_mem_read32(sw_ap *ap, uint32_t addr, uint32_t *val)
{
	return finish(ap, sw_mem_queue_read32(ap, addr, val), "read", addr, 4);
}

int sw_mem_write32(sw_ap *ap, uint32_t addr, uint32_t val)
{
	return finish(ap, sw_mem_queue_write32(ap, addr, val), "write", addr, 4);
}

/* Edge piece: largest naturally aligned access (1 or 2 bytes) at addr. */
static size_t edge_size(uint32_t addr, size_t len)
{
	if ((addr & 1u) || len < 2)
		return 1;
	return 2;
}

int sw_mem_read(sw_ap *ap, uint32_t addr, void *buf, size_t len)
{
	uint8_t *p = buf;
	uint32_t a = addr;
	size_t left = len, nwords, i;
	uint32_t lanes[8];
	size_t nl = 0;
	int r = SW_OK;

	if (!len)
		return SW_OK;
	/* Head: bytes/halfwords up to word alignment (at most 2 accesses). */
	while (left && (a & 3u) && !r) {
		size_t s = edge_size(a, left);
		if (s == 2 && (a & 3u) == 3u)
			s = 1;
		r = q_csw(ap, s == 1 ? CSW_SIZE8 : CSW_SIZE16);
		if (!r)
			r = q_tar(ap, a);
		if (!r)
			r = q_drw_read(ap, &lanes[nl]);
		nl++;
		a += (uint32_t)s;
		left -= s;
	}
	size_t head = len - left;
	nwords = left / 4;
	uint32_t *wbuf = NULL;
	if (!r && nwords) {
		wbuf = malloc(nwords * sizeof(*wbuf));
		if (!wbuf)
			return sw_fail(sw_dap_ctx(ap->dap), SW_ERR_NOMEM, "read: out of memory");
		r = q_csw(ap, CSW_SIZE32);
		for (i = 0; i < nwords && !r; i++) {
			uint32_t wa = a + (uint32_t)(4 * i);
			if (i == 0 || (wa & (TAR_BLOCK - 1)) == 0)
				r = q_tar(ap, wa);
			if (!r)
				r = q_drw_read(ap, &wbuf[i]);
		}
	}
	uint32_t ta = a + (uint32_t)(4 * nwords);
	size_t tail = left - 4 * nwords;
	while (tail && !r) {
		size_t s = edge_size(ta, tail);
		r = q_csw(ap, s == 1 ? CSW_SIZE8 : CSW_SIZE16);
		if (!r)
			r = q_tar(ap, ta);
		if (!r)
			r = q_drw_read(ap, &lanes[nl]);
		nl++;
		ta += (uint32_t)s;
		tail -= s;
	}
	r = finish(ap, r, "read", addr, len);
	if (!r) {
		/* Unpack: byte lanes follow the address (ADIv5.2 C2.2.6). */
		size_t k = 0, off = 0;
		a = addr;
		while (off < head) {
			size_t s = edge_size(a, head - off);
			if (s == 2 && (a & 3u) == 3u)
				s = 1;
			for (size_t b = 0; b < s; b++)
				p[off + b] = (uint8_t)(lanes[k] >> (8 * ((a + b) & 3u)));
			k++, off += s, a += (uint32_t)s;
		}
		for (i = 0; i < nwords; i++)
			sw_le32_put(p + head + 4 * i, wbuf[i]);
		off = head + 4 * nwords;
		a = addr + (uint32_t)off;
		while (off < len) {
			size_t s = edge_size(a, len - off);
			for (size_t b = 0; b < s; b++)
				p[off + b] = (uint8_t)(lanes[k] >> (8 * ((a + b) & 3u)));
			k++, off += s, a += (uint32_t)s;
		}
	}
	free(wbuf);
	return r;
}

int sw_mem_run(sw_ap *ap)
{
	return finish(ap, SW_OK, "queued access", 0, 0);
}

int sw_mem_queue_read_words(sw_ap *ap, uint32_t addr, uint32_t *dst, size_t n)
{
	int r;

	if (addr & 3u)
		return sw_fail(sw_dap_ctx(ap->dap), SW_ERR_ARG, "read 0x%08x: not word aligned", addr);
	r = q_csw(ap, CSW_SIZE32);
	for (size_t i = 0; i < n && !r; i++) {
		uint32_t wa = addr + (uint32_t)(4 * i);
		/* TAR auto-increment covers only the low 10 bits (ADIv5.2 C2.2.2). */
		if (i == 0 || (wa & (TAR_BLOCK - 1)) == 0)
			r = q_tar(ap, wa);
		if (!r)
			r = q_drw_read(ap, &dst[i]);
	}
	return r;
}

int sw_mem_queue_write(sw_ap *ap, uint32_t addr, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	int r;

	if ((addr | len) & 3u)
		return sw_fail(sw_dap_ctx(ap->dap), SW_ERR_ARG, "queued write 0x%08x+%zu not word aligned",
			       addr, len);
	r = len ? q_csw(ap, CSW_SIZE32) : SW_OK;
	for (size_t i = 0; i < len && !r; i += 4, addr += 4) {
		if (i == 0 || (addr & (TAR_BLOCK - 1)) == 0)
			r = q_tar(ap, addr);
		if (!r)
			r = q_drw_write(ap, sw_le32_get(p + i));
	}
	return r;
}

static int q_edge_write(sw_ap *ap, uint32_t a, const uint8_t *p, size_t s)
{
	uint32_t v = 0;
	int r = q_csw(ap, s == 1 ? CSW_SIZE8 : CSW_SIZE16);

	for (size_t b = 0; b < s; b++)
		v |= (uint32_t)p[b] << (8 * ((a + b) & 3u));
	if (!r)
		r = q_tar(ap, a);
	return r ? r : q_drw_write(ap, v);
}

int sw_mem_write(sw_ap *ap, uint32_t addr, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	uint32_t a = addr;
	size_t left = len;
	int r = SW_OK;

	while (left && (a & 3u) && !r) {
		size_t s = edge_size(a, left);
		if (s == 2 && (a & 3u) == 3u)
			s = 1;
		r = q_edge_write(ap, a, p, s);
		a += (uint32_t)s, p += s, left -= s;
	}
	if (!r && left >= 4) {
		size_t words = left & ~(size_t)3;
		r = sw_mem_queue_write(ap, a, p, words);
		a += (uint32_t)words, p += words, left -= words;
	}
	while (left && !r) {
		size_t s = edge_size(a, left);
		r = q_edge_write(ap, a, p, s);
		a += (uint32_t)s, p += s, left -= s;
	}
	return finish(ap, r, "write", addr, len);
}
