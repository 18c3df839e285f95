/* Debug port: connect sequence, DP registers, SELECT caching, sticky-error
 * recovery and the request queue (ADIv5.2 B2, B4; ADIv6 B2). */
#include <stdlib.h>
#include <string.h>

#include "adi/adi_priv.h"

#define POWERUP_POLLS 100

int sw_dap_new(struct sw_ctx *ctx, struct sw_probe *probe, sw_dap **out)
{
	sw_dap *dap = calloc(1, sizeof(*dap));

	*out = NULL;
	if (!dap)
		return sw_fail(ctx, SW_ERR_NOMEM, "dap: out of memory");
	dap->ctx = ctx;
	dap->probe = probe;
	dap->select = SW_SELECT_UNKNOWN;
	*out = dap;
	return SW_OK;
}

void sw_dap_free(sw_dap *dap)
{
	if (!dap)
		return;
	free(dap->q);
	free(dap->dst);
	free(dap);
}

const struct sw_dp_info *sw_dap_info(const sw_dap *dap)
{
	return &dap->info;
}

struct sw_ctx *sw_dap_ctx(const sw_dap *dap)
{
	return dap->ctx;
}

struct sw_probe *sw_dap_probe(const sw_dap *dap)
{
	return dap->probe;
}

static int q_push(sw_dap *dap, uint8_t req, uint32_t data, uint32_t *dst)
{
	if (dap->qn == dap->qcap) {
		size_t cap = dap->qcap ? dap->qcap * 2 : 256;
		struct sw_swd_req *q = realloc(dap->q, cap * sizeof(*q));
		uint32_t **d;

		if (!q)
			return sw_fail(dap->ctx, SW_ERR_NOMEM, "dap: out of memory");
		dap->q = q;
		d = realloc(dap->dst, cap * sizeof(*d));
		if (!d)
			return sw_fail(dap->ctx, SW_ERR_NOMEM, "dap: out of memory");
		dap->dst = d;
		dap->qcap = cap;
	}
	dap->q[dap->qn] = (struct sw_swd_req){req, 0, data};
	dap->dst[dap->qn] = dst;
	dap->qn++;
	return SW_OK;
}

/* Make SELECT (and SELECT1 on ADIv6) hold `sel`, writing only what changes. */
static int q_select(sw_dap *dap, uint64_t sel)
{
	int r;

	if (dap->info.adiv6 && (dap->select == SW_SELECT_UNKNOWN || (dap->select >> 32) != (sel >> 32))) {
		/* SELECT1 is DP register 0x4 in bank 5 (ADIv6 B2.2.10). */
		uint32_t lo = (dap->select == SW_SELECT_UNKNOWN ? 0 : (uint32_t)dap->select & ~0xFu) | 5u;
		if ((r = q_push(dap, SW_REQ_ADDR(0x8), lo, NULL)) ||
		    (r = q_push(dap, SW_REQ_ADDR(0x4), (uint32_t)(sel >> 32), NULL)))
			return r;
		dap->select = ((sel >> 32) << 32) | lo;
	}
	if (dap->select == SW_SELECT_UNKNOWN || (uint32_t)dap->select != (uint32_t)sel) {
		if ((r = q_push(dap, SW_REQ_ADDR(0x8), (uint32_t)sel, NULL)))
			return r;
		dap->select = (sel & 0xFFFFFFFF00000000ull) | (uint32_t)sel;
		if (!dap->info.adiv6)
			dap->select &= 0xFFFFFFFFull;
	}
	return SW_OK;
}

/* DP registers in banks (DPBANKSEL, SELECT[3:0]) keep the AP half of SELECT. */
static int q_dp_bank(sw_dap *dap, uint8_t reg)
{
	uint8_t a = reg & 0xCu, bank = (uint8_t)(reg >> 4);
	uint64_t cur = dap->select == SW_SELECT_UNKNOWN ? 0 : dap->select;

	/* Only CTRL/STAT (0x4) and, on DPv3, 0x0 are banked. */
	if (!(a == 0x4 || (a == 0x0 && dap->info.version >= 3)))
		return SW_OK;
	if (bank == 0 && a == 0x0)
		bank = 0;
	return q_select(dap, (cur & ~0xFull) | bank);
}

int sw_dap_q_dp_read(sw_dap *dap, uint8_t reg, uint32_t *dst)
{
	int r = q_dp_bank(dap, reg);

	return r ? r : q_push(dap, (uint8_t)(SW_REQ_READ | SW_REQ_ADDR(reg)), 0, dst);
}

int sw_dap_q_dp_write(sw_dap *dap, uint8_t reg, uint32_t val)
{
	int r = 0;

	if ((reg & 0xCu) == 0x4)
		r = q_dp_bank(dap, reg);
	if (!r && (reg & 0xCu) == 0x8)
		dap->select = SW_SELECT_UNKNOWN; /* caller wrote SELECT itself */
	return r ? r : q_push(dap, SW_REQ_ADDR(reg), val, NULL);
}

uint16_t sw_ap_reg_offset(const sw_dap *dap, uint16_t reg)
{
	/* ADIv6 MEM-AP registers sit at 0xD00 in the AP's 4 KiB (ADIv6 C2.5). */
	return dap->info.adiv6 && reg < 0x100 ? (uint16_t)(0xD00u + reg) : reg;
}

/* Any access to the AP holding the known TAR, other than to BD0-BD3
 * (which never move TAR, ADIv5.2 C2.6), may change it: DRW
 * auto-increments, a TAR write sets it. */
static void note_ap_access(sw_dap *dap, uint64_t ap, uint16_t reg)
{
	uint16_t bd0 = sw_ap_reg_offset(dap, SW_AP_BD0);

	if (dap->tar_known && ap == dap->tar_ap && (reg < bd0 || reg >= bd0 + 0x10u))
		dap->tar_known = false;
}

static uint64_t ap_select(const sw_dap *dap, uint64_t ap, uint16_t reg)
{
	if (dap->info.adiv6)
		return (ap + reg) & ~0xFull;
	return (ap & 0xFFu) << 24 | (reg & 0xF0u);
}

int sw_dap_q_ap_read(sw_dap *dap, uint64_t ap, uint16_t reg, uint32_t *dst)
{
	int r = q_select(dap, ap_select(dap, ap, reg));

	note_ap_access(dap, ap, reg);
	return r ? r : q_push(dap, (uint8_t)(SW_REQ_AP | SW_REQ_READ | SW_REQ_ADDR(reg)), 0, dst);
}

int sw_dap_q_ap_write(sw_dap *dap, uint64_t ap, uint16_t reg, uint32_t val)
{
	int r = q_select(dap, ap_select(dap, ap, reg));

	note_ap_access(dap, ap, reg);
	return r ? r : q_push(dap, (uint8_t)(SW_REQ_AP | SW_REQ_ADDR(reg)), val, NULL);
}

/* One raw DP access outside the queue (used while recovering). */
static int dp_now(sw_dap *dap, uint8_t req, uint32_t *val)
{
	struct sw_swd_req q = {req, 0, val ? *val : 0};
	int r = sw_probe_swd_transfer(dap->probe, &q, 1);

	if (!r && val)
		*val = q.data;
	return r;
}

#define STICKY_BITS (SW_DP_CTRL_STICKYORUN | SW_DP_CTRL_STICKYCMP | SW_DP_CTRL_STICKYERR | SW_DP_CTRL_WDATAERR)

/* Write ABORT and read CTRL/STAT back in the same batch (one probe round
 * trip): the write is ACKed before its data phase, so a write whose data
 * the DP discarded (bad parity, ADIv5.2 B4.2.4) still looks done; only
 * CTRL/STAT tells whether the sticky flags (B2.2.2) really cleared, and
 * while one is set every AP access and most DP accesses answer FAULT
 * (B4.2.1). select0: write SELECT 0 between them, for a CTRL/STAT read
 * when DPBANKSEL is unknown (B2.2.9); that write itself FAULTs if a
 * sticky flag is still set. */
static int abort_verified(sw_dap *dap, uint32_t bits, bool select0)
{
	struct sw_swd_req q[3];
	size_t n = 0;
	uint32_t cs;
	int r;

	q[n++] = (struct sw_swd_req){SW_REQ_ADDR(0x0), 0, bits};
	if (select0)
		q[n++] = (struct sw_swd_req){SW_REQ_ADDR(0x8), 0, 0};
	q[n++] = (struct sw_swd_req){SW_REQ_READ | SW_REQ_ADDR(0x4), 0, 0};
	dap->select = SW_SELECT_UNKNOWN;
	r = sw_probe_swd_transfer(dap->probe, q, n);
	if (r == SW_ERR_SWD_FAULT && select0)
		return sw_fail(dap->ctx, r,
			       "dap: ABORT (0x%02x) did not clear the sticky flags: the DP still answers FAULT (ADIv5.2 B4.2.1)",
			       bits);
	if (r)
		return sw_fail(dap->ctx, r, "dap: ABORT failed: %s", sw_strerror(r));
	cs = q[n - 1].data;
	if (cs & STICKY_BITS)
		return sw_fail(dap->ctx, SW_ERR_SWD_FAULT,
			       "dap: ABORT (0x%02x) did not clear the sticky flags: CTRL/STAT 0x%08x still has%s%s%s%s",
			       bits, cs, cs & SW_DP_CTRL_STICKYERR ? " STICKYERR" : "",
			       cs & SW_DP_CTRL_STICKYCMP ? " STICKYCMP" : "",
			       cs & SW_DP_CTRL_STICKYORUN ? " STICKYORUN" : "",
			       cs & SW_DP_CTRL_WDATAERR ? " WDATAERR" : "");
	return SW_OK; /* SELECT stays unknown: SELECT1 (ADIv6) was not written */
}

int sw_dap_clear_errors(sw_dap *dap, uint32_t *ctrl_stat)
{
	uint32_t cs = 0, abort_bits;
	int r;

	/* CTRL/STAT reads are allowed with a sticky flag set (ADIv5.2 B4.2.1);
	 * our SELECT always keeps DPBANKSEL 0 outside connect. If the read
	 * fails anyway, clear everything and select bank 0 explicitly. */
	dap->select = SW_SELECT_UNKNOWN;
	r = dp_now(dap, SW_REQ_READ | SW_REQ_ADDR(0x4), &cs);
	if (r) {
		uint32_t sel = 0;
		if ((r = dp_now(dap, SW_REQ_ADDR(0x0), &(uint32_t){0x1Eu})) ||
		    (r = dp_now(dap, SW_REQ_ADDR(0x8), &sel)) ||
		    (r = dp_now(dap, SW_REQ_READ | SW_REQ_ADDR(0x4), &cs)))
			return sw_fail(dap->ctx, r, "dap: cannot read CTRL/STAT to clear errors");
		dap->select = 0;
	}
	abort_bits = 0;
	if (cs & SW_DP_CTRL_STICKYERR)
		abort_bits |= SW_DP_ABORT_STKERRCLR;
	if (cs & SW_DP_CTRL_STICKYCMP)
		abort_bits |= SW_DP_ABORT_STKCMPCLR;
	if (cs & SW_DP_CTRL_WDATAERR)
		abort_bits |= SW_DP_ABORT_WDERRCLR;
	if (cs & SW_DP_CTRL_STICKYORUN)
		abort_bits |= SW_DP_ABORT_ORUNERRCLR;
	if (ctrl_stat)
		*ctrl_stat = cs;
	/* CTRL/STAT was just read at 0x4, so DPBANKSEL is 0 for the check. */
	return abort_bits ? abort_verified(dap, abort_bits, false) : SW_OK;
}

int sw_dap_run(sw_dap *dap)
{
	int r;
	uint32_t cs = 0;

	dap->tar_known = false;
	if (!dap->qn)
		return SW_OK;
	r = sw_probe_swd_transfer(dap->probe, dap->q, dap->qn);
	if (!r) {
		for (size_t i = 0; i < dap->qn; i++)
			if (dap->dst[i])
				*dap->dst[i] = dap->q[i].data;
		dap->qn = 0;
		return SW_OK;
	}
	dap->qn = 0;
	dap->select = SW_SELECT_UNKNOWN;
	if (r == SW_ERR_SWD_FAULT) {
		/* A sticky error: find out which and clear it (ADIv5.2 B4.2.1). */
		if (sw_dap_clear_errors(dap, &cs))
			return r;
		if (cs & SW_DP_CTRL_STICKYERR)
			return sw_fail(dap->ctx, SW_ERR_MEM_FAULT,
				       "bus fault on a memory/AP access (STICKYERR, cleared)");
		return sw_fail(dap->ctx, r, "SWD FAULT (CTRL/STAT 0x%08x, cleared)", cs);
	}
	if (r == SW_ERR_SWD_PARITY || r == SW_ERR_SWD_WAIT)
		sw_dap_clear_errors(dap, NULL);
	return r;
}

int sw_dp_read(sw_dap *dap, uint8_t reg, uint32_t *val)
{
	int r = sw_dap_q_dp_read(dap, reg, val);

	return r ? r : sw_dap_run(dap);
}

int sw_dp_write(sw_dap *dap, uint8_t reg, uint32_t val)
{
	int r = sw_dap_q_dp_write(dap, reg, val);

	return r ? r : sw_dap_run(dap);
}

static int read_ids(sw_dap *dap)
{
	struct sw_dp_info *in = &dap->info;
	uint32_t d = in->dpidr, dpidr1 = 0, bp0 = 0, bp1 = 0;
	int r;

	in->version = (d >> 12) & 0xFu;
	in->designer = (uint16_t)((((d >> 8) & 0xFu) << 8) | ((d >> 1) & 0x7Fu));
	in->adiv6 = in->version >= 3;
	if (in->version >= 2) {
		if ((r = sw_dap_q_dp_read(dap, SW_DP_TARGETID, &in->targetid)) ||
		    (r = sw_dap_q_dp_read(dap, SW_DP_DLPIDR, &in->dlpidr)))
			return r;
	}
	if (in->adiv6) {
		/* DPIDR1, BASEPTR0/1 are banked at 0x0 (ADIv6 B2.2.5, B2.2.3). */
		if ((r = sw_dap_q_dp_read(dap, 0x10, &dpidr1)) ||
		    (r = sw_dap_q_dp_read(dap, SW_DP_BASEPTR0, &bp0)) ||
		    (r = sw_dap_q_dp_read(dap, SW_DP_BASEPTR1, &bp1)))
			return r;
	}
	if ((r = sw_dap_run(dap)))
		return r;
	if (in->adiv6) {
		if (!(bp0 & 1u))
			return sw_fail(dap->ctx, SW_ERR_NOT_FOUND, "dap: ADIv6 DP has no valid BASEPTR");
		in->baseptr = ((uint64_t)bp1 << 32) | (bp0 & 0xFFFFF000u);
	}
	return SW_OK;
}

static int power_up(sw_dap *dap)
{
	uint32_t want = SW_DP_CTRL_CDBGPWRUPREQ | SW_DP_CTRL_CSYSPWRUPREQ | SW_DP_CTRL_ORUNDETECT;
	uint32_t acks = SW_DP_CTRL_CDBGPWRUPACK | SW_DP_CTRL_CSYSPWRUPACK, cs = 0;
	int r;

	if ((r = sw_dp_write(dap, SW_DP_CTRL_STAT, want)))
		return r;
	for (unsigned i = 0; i < POWERUP_POLLS; i++) {
		if ((r = sw_dp_read(dap, SW_DP_CTRL_STAT, &cs)))
			return r;
		if ((cs & acks) == acks)
			return SW_OK;
	}
	return sw_fail(dap->ctx, SW_ERR_TIMEOUT,
		       "dap: debug power-up not acknowledged (CTRL/STAT 0x%08x)", cs);
}

static int read_dpidr(sw_dap *dap)
{
	dap->select = SW_SELECT_UNKNOWN;
	return dp_now(dap, SW_REQ_READ | SW_REQ_ADDR(0x0), &dap->info.dpidr);
}

int sw_dap_connect(sw_dap *dap, unsigned flags)
{
	int r;

	memset(&dap->info, 0, sizeof(dap->info));
	dap->qn = 0;
	dap->tar_known = false;
	/* SWJ-DPs power up in JTAG: always send the JTAG-to-SWD select, which
	 * also performs the line resets (ADIv5.2 B5.2.2); if that finds no DP
	 * (or the caller asks), try the dormant wake-up (B5.3.4). */
	if (flags & SW_DAP_CONNECT_DORMANT)
		r = sw_swj_dormant_to_swd(dap->probe);
	else
		r = sw_swj_jtag_to_swd(dap->probe);
	if (!r)
		r = read_dpidr(dap);
	if (r && !(flags & SW_DAP_CONNECT_DORMANT)) {
		r = sw_swj_dormant_to_swd(dap->probe);
		if (!r)
			r = read_dpidr(dap);
	}
	if (r)
		return sw_fail(dap->ctx, r, "dap: no SWD target answers (DPIDR read failed: %s)",
			       sw_strerror(r));
	sw_clear_err(dap->ctx);
	/* Clear any sticky flag left by a previous session before anything
	 * else, and check that it is gone (SELECT is unknown here). */
	if ((r = abort_verified(dap, 0x1Eu, true)))
		return r;
	if ((r = read_ids(dap)) || (r = power_up(dap)))
		return r;
	SW_LOG_D(dap->ctx, "dap: DPIDR 0x%08x (DPv%u) TARGETID 0x%08x", dap->info.dpidr,
		 dap->info.version, dap->info.targetid);
	return SW_OK;
}
