/* Core register transfer through DCRSR/DCRDR (ARMv7-M ARM C1.6.3): write
 * DCRSR, wait for DHCSR.S_REGRDY, move DCRDR. Reads of many registers are
 * queued into one batch (write DCRSR, read DHCSR, read DCRDR per register)
 * and every S_REGRDY is checked afterwards; registers are cached while the
 * core stays halted.
 *
 * DHCSR, DCRSR and DCRDR share the 16-byte block at 0xE000EDF0, so the
 * batches go through the MEM-AP banked data registers (ADIv5.2 C2.6):
 * one TAR write per batch instead of one per access, which puts a whole
 * gdb `g` (53 selectors on an M7 with FPU) into one 16384-bit J-Link
 * exchange. OpenOCD (cortex_m_fast_read_all_regs) and pyOCD
 * (_base_read_core_registers_raw) queue the same three accesses per
 * register but address each through TAR. A batch is one exchange while
 * the core moves a register within an SWD packet; a slow core (S_REGRDY
 * still clear in the batch) gets the transfers from the first late one
 * again, each awaited (C1.6.3). Every batch ends with a read
 * (DHCSR or DCRDR), so a fault in its last posted write is answered on
 * that read (FAULT ack, ADIv5.2 B4.2.1) inside the same exchange. */
#include <stdint.h>

#include "cortexm/cortexm_priv.h"

#define MAX_SEL CM_MAX_SEL

void cm_invalidate_regs(struct sw_core *c)
{
	c->reg_valid = 0;
}

static bool present(const struct sw_core *c, unsigned regno)
{
	switch (sw_reg_table()[regno].feature) {
	case SW_REGF_MPROFILE:
	case SW_REGF_SYSTEM: return true;
	case SW_REGF_VFP: return c->info.fpu;
	case SW_REGF_SECEXT: return c->info.secext;
	case SW_REGF_MVE: return c->info.mve;
	}
	return false;
}

/* REGSELs one register needs (a d register is two S registers). */
static unsigned selectors(unsigned regno, uint8_t sel[2])
{
	const struct sw_reg_desc *d = &sw_reg_table()[regno];

	sel[0] = d->regsel;
	if (d->bits == 64) {
		sel[1] = (uint8_t)(d->regsel + 1);
		return 2;
	}
	return 1;
}

static uint64_t extract(unsigned regno, const uint32_t *raw)
{
	const struct sw_reg_desc *d = &sw_reg_table()[regno];

	if (d->bits == 64)
		return (uint64_t)raw[0] | (uint64_t)raw[1] << 32;
	if (d->width < 32)
		return (raw[0] >> d->shift) & ((1u << d->width) - 1u);
	return raw[0];
}

/* Poll DHCSR until S_REGRDY (a bounded number of round trips), starting
 * from a DHCSR value already read (and noted by the caller). A transfer
 * takes a core clock cycle or more (C1.6.3: "the debugger must poll
 * S_REGRDY"): on a slow core (an H743 on CSI/512 takes 128 us a cycle)
 * longer than many SWD packets. */
static int poll_regrdy(struct sw_core *c, const char *what, uint8_t sel, uint32_t dhcsr)
{
	int r;

	for (unsigned i = 0;; i++) {
		if (!(dhcsr & DHCSR_S_HALT)) {
			c->halted = false;
			return sw_fail(c->ctx, SW_ERR_TARGET_STATE,
				       "%s: the core is no longer halted (DHCSR 0x%08x)", what, dhcsr);
		}
		if (dhcsr & DHCSR_S_REGRDY)
			return SW_OK;
		if (i == CM_REGRDY_POLLS)
			break;
		if ((r = sw_mem_read32(c->ap, CM_DHCSR, &dhcsr)))
			return r;
		cm_note_dhcsr(c, dhcsr);
	}
	return sw_fail(c->ctx, SW_ERR_TIMEOUT, "%s: S_REGRDY stays clear for REGSEL 0x%02x (DHCSR 0x%08x)",
		       what, sel, dhcsr);
}

/* Read transfers from..ns-1 again, each awaited, nothing else in flight:
 * one exchange per register (DCRDR of one, DCRSR and DHCSR of the next)
 * when a round trip outlasts a transfer, plus polls when it does not. */
static int redo_reads(struct sw_core *c, struct cm_regq *q, size_t from)
{
	uint32_t dhcsr = 0;
	int r;

	if ((r = sw_mem_queue_banked_write32(c->ap, CM_DCRSR, q->sel[from])) ||
	    (r = sw_mem_queue_banked_read32(c->ap, CM_DHCSR, &dhcsr)) || (r = sw_dap_run(sw_ap_dap(c->ap))))
		return sw_fail(c->ctx, r, "register read: %s", sw_errmsg(c->ctx));
	for (size_t i = from; i < q->ns; i++) {
		cm_note_dhcsr(c, dhcsr);
		if ((r = poll_regrdy(c, "register read", q->sel[i], dhcsr)) ||
		    (r = sw_mem_queue_banked_read32(c->ap, CM_DCRDR, &q->data[i])))
			return r;
		if (i + 1 < q->ns && ((r = sw_mem_queue_banked_write32(c->ap, CM_DCRSR, q->sel[i + 1])) ||
				      (r = sw_mem_queue_banked_read32(c->ap, CM_DHCSR, &dhcsr))))
			return r;
		if ((r = sw_dap_run(sw_ap_dap(c->ap))))
			return sw_fail(c->ctx, r, "register read: %s", sw_errmsg(c->ctx));
	}
	return SW_OK;
}

/* Wait for the transfer still in flight at the end of a batch, if any. */
static int settle(struct sw_core *c, const char *what, uint8_t sel, uint32_t last_dhcsr)
{
	uint32_t dhcsr = 0;
	int r;

	if (last_dhcsr & DHCSR_S_REGRDY)
		return SW_OK;
	if ((r = sw_mem_read32(c->ap, CM_DHCSR, &dhcsr)))
		return r;
	cm_note_dhcsr(c, dhcsr);
	return poll_regrdy(c, what, sel, dhcsr);
}

/* Index of the first transfer of a batch whose DHCSR read showed S_REGRDY
 * clear, or n. Every later one is suspect too: its DCRSR write reached a
 * core still busy with an earlier transfer, which C1.6.3 makes
 * UNPREDICTABLE (the write may be lost and S_REGRDY then report the
 * earlier transfer), so the redo starts there. */
static size_t first_late(const uint32_t *dhcsr, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!(dhcsr[i] & DHCSR_S_REGRDY))
			return i;
	return n;
}

/* Distinct selectors for the requested, not yet cached registers. */
static int collect(struct sw_core *c, const unsigned *regnos, size_t n, uint8_t *sel, size_t *ns)
{
	*ns = 0;
	for (size_t i = 0; i < n; i++) {
		uint8_t s[2];
		unsigned k;
		if (regnos[i] >= SW_REG_COUNT || !present(c, regnos[i]))
			return sw_fail(c->ctx, SW_ERR_NOT_FOUND, "register %u does not exist on this core",
				       regnos[i]);
		if (c->reg_valid & (1ull << regnos[i]))
			continue;
		k = selectors(regnos[i], s);
		for (unsigned j = 0; j < k; j++) {
			bool dup = false;
			for (size_t q = 0; q < *ns; q++)
				dup |= sel[q] == s[j];
			if (!dup && *ns < MAX_SEL)
				sel[(*ns)++] = s[j];
		}
	}
	return SW_OK;
}

/* Fill the cache for every register whose selectors were all fetched. */
static void fill_cache(struct sw_core *c, const uint8_t *sel, const uint32_t *data, size_t ns)
{
	for (unsigned regno = 0; regno < SW_REG_COUNT; regno++) {
		uint8_t s[2];
		uint32_t raw[2] = {0, 0};
		unsigned k = selectors(regno, s), got = 0;
		if (!present(c, regno) || (c->reg_valid & (1ull << regno)))
			continue;
		for (unsigned j = 0; j < k; j++)
			for (size_t q = 0; q < ns; q++)
				if (sel[q] == s[j]) {
					raw[j] = data[q];
					got++;
					break;
				}
		if (got == k) {
			c->regs[regno] = extract(regno, raw);
			c->reg_valid |= 1ull << regno;
		}
	}
}

int cm_regs_queue(struct sw_core *c, const unsigned *regnos, size_t n, struct cm_regq *q)
{
	int r;

	if ((r = collect(c, regnos, n, q->sel, &q->ns)))
		return r;
	for (size_t i = 0; i < q->ns; i++) {
		if ((r = sw_mem_queue_banked_write32(c->ap, CM_DCRSR, q->sel[i])) ||
		    (r = sw_mem_queue_banked_read32(c->ap, CM_DHCSR, &q->dhcsr[i])) ||
		    (r = sw_mem_queue_banked_read32(c->ap, CM_DCRDR, &q->data[i])))
			return r;
	}
	return SW_OK;
}

int cm_regs_queued_done(struct sw_core *c, struct cm_regq *q)
{
	size_t late;
	int r;

	for (size_t i = 0; i < q->ns; i++)
		cm_note_dhcsr(c, q->dhcsr[i]);
	late = first_late(q->dhcsr, q->ns);
	if (late < q->ns) {
		/* DCRDR was read before the transfer finished: let the one still
		 * in flight end, then redo from the first late one, polling. */
		SW_LOG_D(c->ctx, "register read: REGSEL 0x%02x not ready in the batch, polling from there",
			 q->sel[late]);
		if ((r = settle(c, "register read", q->sel[q->ns - 1], q->dhcsr[q->ns - 1])) ||
		    (r = redo_reads(c, q, late)))
			return r;
	}
	fill_cache(c, q->sel, q->data, q->ns);
	return SW_OK;
}

int sw_core_regs_read(struct sw_core *c, const unsigned *regnos, size_t n, uint64_t *vals)
{
	struct cm_regq q;
	int r;

	if (!c->halted)
		return sw_fail(c->ctx, SW_ERR_TARGET_STATE, "registers: core is running (halt it first)");
	/* Fast path: every transfer in one batch (one probe round trip). */
	if ((r = cm_regs_queue(c, regnos, n, &q)))
		return r;
	if (q.ns && (r = sw_dap_run(sw_ap_dap(c->ap))))
		return sw_fail(c->ctx, r, "register read: %s", sw_errmsg(c->ctx));
	if ((r = cm_regs_queued_done(c, &q)))
		return r;
	for (size_t i = 0; i < n; i++)
		vals[i] = c->regs[regnos[i]];
	return SW_OK;
}

int sw_core_reg_read(struct sw_core *c, unsigned regno, uint64_t *val)
{
	return sw_core_regs_read(c, &regno, 1, val);
}

static int write_sel(struct sw_core *c, uint8_t sel, uint32_t v)
{
	uint32_t dhcsr = 0;
	int r;

	if ((r = sw_mem_queue_banked_write32(c->ap, CM_DCRDR, v)) ||
	    (r = sw_mem_queue_banked_write32(c->ap, CM_DCRSR, DCRSR_REGWNR | sel)) ||
	    (r = sw_mem_queue_banked_read32(c->ap, CM_DHCSR, &dhcsr)) || (r = sw_dap_run(sw_ap_dap(c->ap))))
		return sw_fail(c->ctx, r, "register write: %s", sw_errmsg(c->ctx));
	cm_note_dhcsr(c, dhcsr);
	/* Batched write done before the core took the value: poll S_REGRDY,
	 * so the next transfer does not reach a busy core (C1.6.3). */
	return poll_regrdy(c, "register write", sel, dhcsr);
}

int sw_core_reg_write(struct sw_core *c, unsigned regno, uint64_t val)
{
	const struct sw_reg_desc *d;
	int r;

	if (!c->halted)
		return sw_fail(c->ctx, SW_ERR_TARGET_STATE, "registers: core is running (halt it first)");
	if (regno >= SW_REG_COUNT || !present(c, regno))
		return sw_fail(c->ctx, SW_ERR_NOT_FOUND, "register %u does not exist on this core", regno);
	d = &sw_reg_table()[regno];
	if (d->bits == 64) {
		r = write_sel(c, d->regsel, (uint32_t)val);
		if (!r)
			r = write_sel(c, (uint8_t)(d->regsel + 1), (uint32_t)(val >> 32));
	} else if (d->width < 32) {
		/* Packed CONTROL/FAULTMASK/BASEPRI/PRIMASK: read-modify-write. */
		uint32_t cur = 0, mask = ((1u << d->width) - 1u) << d->shift;
		uint64_t tmp[4];
		unsigned parts[4] = {SW_REG_PRIMASK, SW_REG_BASEPRI, SW_REG_FAULTMASK, SW_REG_CONTROL};
		if ((r = sw_core_regs_read(c, parts, 4, tmp)))
			return r;
		for (unsigned i = 0; i < 4; i++)
			cur |= (uint32_t)tmp[i] << sw_reg_table()[parts[i]].shift;
		cur = (cur & ~mask) | (((uint32_t)val << d->shift) & mask);
		r = write_sel(c, d->regsel, cur);
		for (unsigned i = 0; i < 4; i++)
			c->reg_valid &= ~(1ull << parts[i]);
	} else {
		r = write_sel(c, d->regsel, (uint32_t)val);
	}
	c->reg_valid &= ~(1ull << regno);
	/* Writing SP or MSP/PSP changes the others' view: drop them all. */
	if (regno == SW_REG_SP || regno == SW_REG_MSP || regno == SW_REG_PSP || regno == SW_REG_CONTROL)
		c->reg_valid &= ~((1ull << SW_REG_SP) | (1ull << SW_REG_MSP) | (1ull << SW_REG_PSP));
	return r;
}

/* Many registers in one batch (DCRDR, DCRSR with REGWnR, DHCSR per
 * selector, in the caller's order); a selector whose S_REGRDY was still
 * clear is written again with polling. The packed special registers
 * (PRIMASK, BASEPRI, FAULTMASK, CONTROL) share one selector: their new
 * values are merged into one write at the first one's place. */
int sw_core_regs_write(struct sw_core *c, const unsigned *regnos, const uint64_t *vals, size_t n)
{
	static const unsigned parts[4] = {SW_REG_PRIMASK, SW_REG_BASEPRI, SW_REG_FAULTMASK, SW_REG_CONTROL};
	uint32_t sel_v[CM_MAX_SEL], dhcsr[CM_MAX_SEL], packed = 0;
	uint8_t sel[CM_MAX_SEL];
	size_t ns = 0, packed_at = SIZE_MAX;
	uint64_t cur[4];
	int r;

	if (!c->halted)
		return sw_fail(c->ctx, SW_ERR_TARGET_STATE, "registers: core is running (halt it first)");
	for (size_t i = 0; i < n; i++) {
		if (regnos[i] >= SW_REG_COUNT || !present(c, regnos[i]))
			return sw_fail(c->ctx, SW_ERR_NOT_FOUND, "register %u does not exist on this core", regnos[i]);
		const struct sw_reg_desc *d = &sw_reg_table()[regnos[i]];
		if (ns + 2 > CM_MAX_SEL)
			return sw_fail(c->ctx, SW_ERR_ARG, "registers: too many in one write");
		if (d->width < 32) {
			if (packed_at == SIZE_MAX) {
				if ((r = sw_core_regs_read(c, parts, 4, cur)))
					return r;
				for (unsigned k = 0; k < 4; k++)
					packed |= (uint32_t)cur[k] << sw_reg_table()[parts[k]].shift;
				packed_at = ns;
				sel[ns++] = d->regsel;
			}
			uint32_t mask = ((1u << d->width) - 1u) << d->shift;
			packed = (packed & ~mask) | (((uint32_t)vals[i] << d->shift) & mask);
			continue;
		}
		sel[ns] = d->regsel;
		sel_v[ns++] = (uint32_t)vals[i];
		if (d->bits == 64) {
			sel[ns] = (uint8_t)(d->regsel + 1);
			sel_v[ns++] = (uint32_t)(vals[i] >> 32);
		}
	}
	if (packed_at != SIZE_MAX)
		sel_v[packed_at] = packed;
	for (size_t q = 0; q < ns; q++)
		if ((r = sw_mem_queue_banked_write32(c->ap, CM_DCRDR, sel_v[q])) ||
		    (r = sw_mem_queue_banked_write32(c->ap, CM_DCRSR, DCRSR_REGWNR | sel[q])) ||
		    (r = sw_mem_queue_banked_read32(c->ap, CM_DHCSR, &dhcsr[q])))
			return r;
	r = ns ? sw_dap_run(sw_ap_dap(c->ap)) : SW_OK;
	/* Whatever happened, the cache no longer knows these registers. */
	c->reg_valid = 0;
	if (r)
		return sw_fail(c->ctx, r, "register write: %s", sw_errmsg(c->ctx));
	for (size_t q = 0; q < ns; q++)
		cm_note_dhcsr(c, dhcsr[q]);
	/* From the first transfer not ready in the batch on, the DCRSR writes
	 * reached a busy core (UNPREDICTABLE, C1.6.3): let the one in flight
	 * end, then write those again one at a time, each awaited. */
	size_t late = first_late(dhcsr, ns);
	if (late < ns && (r = settle(c, "register write", sel[ns - 1], dhcsr[ns - 1])))
		return r;
	for (size_t q = late; q < ns; q++)
		if ((r = write_sel(c, sel[q], sel_v[q])))
			return r;
	return SW_OK;
}
