/* vFlashDone through the on-target loader: compare every staged sector
 * with the flash (sampled words over the MEM-AP, then CRC on the target),
 * leave equal sectors alone, program runs of changed sectors (one run per
 * flash region at a time, regions in parallel when the loader can), and
 * verify every programmed sector by CRC: the loader reads each back as
 * soon as it is programmed; a separate pass only for what it did not. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/flash/flash_priv.h"
#include "server/flash/loader.h"
#include "sw/hex.h"

struct sec_ref {
	struct region_stage *s;
	uint32_t sec;
};

static size_t collect(struct sw_flash_stage *st, struct sec_ref *refs, struct swl_range *rg)
{
	size_t n = 0;

	for (size_t i = 0; i < st->n; i++) {
		struct region_stage *s = &st->rs[i];
		uint32_t size = s->r->sector_size;
		if (!s->img)
			continue;
		for (uint32_t sec = 0; sec < s->r->size / size; sec++) {
			if (!s->erase[sec] && !s->touched[sec])
				continue;
			if (refs) {
				refs[n] = (struct sec_ref){s, sec};
				rg[n] = (struct swl_range){s->r->base + sec * size, size, 0};
			}
			n++;
		}
	}
	return n;
}

static bool blank_image(const struct sec_ref *ref, uint8_t erased)
{
	uint32_t size = ref->s->r->sector_size;
	const uint8_t *p = ref->s->img + (size_t)ref->sec * size;

	for (uint32_t i = 0; i < size; i++)
		if (p[i] != erased)
			return false;
	return true;
}

/* Changed sectors whose new content is blank only need an erase: no data
 * goes over the wire. A region erased whole becomes one range, so the
 * loader can use a bank erase (both banks at once). Clears their flags. */
static int erase_only(struct sw_flash_stage *st, struct sw_loader *l, const struct sec_ref *refs,
		      uint8_t *changed, size_t n)
{
	struct swl_range *rg = calloc(n + 1, sizeof(*rg));
	size_t m = 0;
	int r;

	if (!rg)
		return sw_fail(st->ctx, SW_ERR_NOMEM, "flash: out of memory");
	for (size_t i = 0; i < n; i++) {
		if (!changed[i] || !blank_image(&refs[i], st->desc->flash->erased_value))
			continue;
		uint32_t size = refs[i].s->r->sector_size, addr = refs[i].s->r->base + refs[i].sec * size;
		if (m && rg[m - 1].addr + rg[m - 1].len == addr &&
		    addr - refs[i].s->r->base == rg[m - 1].addr - refs[i].s->r->base + rg[m - 1].len)
			rg[m - 1].len += size; /* extends the previous run in the same region */
		else
			rg[m++] = (struct swl_range){addr, size, 0};
		changed[i] = 2; /* erased, nothing to program */
	}
	r = m ? sw_loader_erase(l, rg, m) : SW_OK;
	free(rg);
	return r;
}

static uint32_t want_crc(const struct sec_ref *ref)
{
	uint32_t size = ref->s->r->sector_size;

	return sw_crc32_gdb(0xFFFFFFFFu, ref->s->img + (size_t)ref->sec * size, size);
}

/* Program the changed sectors (changed[i] != 0): runs of consecutive
 * sectors of one region become one job; runs of different regions go
 * together when the loader drives more than one bank at once. */
static int program_changed(struct sw_loader *l, const struct sw_target_desc *desc, struct sw_core *core,
			   const struct sec_ref *refs, const uint8_t *changed, size_t n, uint32_t *vcrc,
			   uint8_t *vdone)
{
	const struct sw_loader_desc *ld = desc->loader;
	void (*ld_check)(struct sw_core *, const struct sw_mem_region *, uint32_t, const uint8_t *, size_t) =
		desc->flash->check_image;
	struct run {
		struct sw_loader_job job;
		const struct region_stage *s;
		size_t first; /* index in refs */
		bool done;
	} *runs = calloc(n + 1, sizeof(*runs));
	size_t nr = 0, left, max = ld->max_jobs ? ld->max_jobs : 1u;
	int r = SW_OK;

	if (!runs)
		return SW_ERR_NOMEM;
	for (size_t i = 0; i < n; i++) {
		if (changed[i] != 1)
			continue;
		size_t k = i;
		while (k + 1 < n && changed[k + 1] == 1 && refs[k + 1].s == refs[i].s &&
		       refs[k + 1].sec == refs[k].sec + 1 && k + 1 - i < SW_LOADER_JOB_SECTORS_MAX)
			k++;
		uint32_t size = refs[i].s->r->sector_size;
		if (ld_check)
			ld_check(core, refs[i].s->r, refs[i].s->r->base + refs[i].sec * size,
				 refs[i].s->img + (size_t)refs[i].sec * size, (uint32_t)(k - i + 1) * size);
		runs[nr++] = (struct run){{refs[i].s->r->base + refs[i].sec * size, (uint32_t)(k - i + 1) * size,
					   refs[i].s->img + (size_t)refs[i].sec * size, &vcrc[i]},
					  refs[i].s, i, false};
		i = k;
	}
	for (left = nr; left && !r;) {
		struct sw_loader_job jobs[SWL_MAX_JOBS];
		size_t nj = 0, pick[SWL_MAX_JOBS];
		for (size_t i = 0; i < nr && nj < max && nj < SWL_MAX_JOBS; i++) {
			bool clash = false;
			for (size_t j = 0; j < nj; j++)
				clash |= runs[pick[j]].s == runs[i].s;
			if (!runs[i].done && !clash)
				pick[nj] = i, jobs[nj++] = runs[i].job;
		}
		bool verified = false;
		r = sw_loader_program(l, jobs, nj, &verified);
		for (size_t j = 0; j < nj; j++) {
			runs[pick[j]].done = true;
			if (verified)
				memset(vdone + runs[pick[j]].first, 1, jobs[j].len / runs[pick[j]].s->r->sector_size);
		}
		left -= nj;
	}
	free(runs);
	return r;
}

/* A few words of each staged sector read straight over the MEM-AP (one
 * batch for many sectors): one that differs from the image proves the
 * sector changed, with no CRC on the target. Sets changed[i] = 1 for
 * those; the others stay 0 (unknown: the CRC decides). */
#define SAMPLE_SECTORS 64u
static int sample_changed(struct sw_core *core, const struct sec_ref *refs, uint8_t *changed, size_t n)
{
	sw_ap *ap = sw_core_ap(core);
	uint32_t got[SAMPLE_SECTORS * 4u];
	int r = SW_OK;

	for (size_t i0 = 0; i0 < n && !r; i0 += SAMPLE_SECTORS) {
		size_t m = n - i0 < SAMPLE_SECTORS ? n - i0 : SAMPLE_SECTORS, q = 0;
		for (size_t i = i0; i < i0 + m && !r; i++) {
			uint32_t size = refs[i].s->r->sector_size, k = size >= 0x10000u ? 4u : 1u;
			for (uint32_t w = 0; w < k && !r; w++)
				r = sw_mem_queue_read32(ap, refs[i].s->r->base + refs[i].sec * size + w * (size / k), &got[q++]);
		}
		if (r || (r = sw_dap_run(sw_ap_dap(ap))))
			break;
		q = 0;
		for (size_t i = i0; i < i0 + m; i++) {
			uint32_t size = refs[i].s->r->sector_size, k = size >= 0x10000u ? 4u : 1u;
			for (uint32_t w = 0; w < k; w++, q++) {
				const uint8_t *img = refs[i].s->img + (size_t)refs[i].sec * size + w * (size / k);
				uint32_t want = (uint32_t)img[0] | (uint32_t)img[1] << 8 | (uint32_t)img[2] << 16 |
						(uint32_t)img[3] << 24;
				changed[i] |= got[q] != want;
			}
		}
	}
	return r;
}

/* Compare the staged sectors with the flash: sampled words first, then a
 * CRC on the target for the sectors the sample did not tell apart. */
static int compare(struct sw_flash_stage *st, struct sw_core *core, struct sw_loader *l, const struct sec_ref *refs,
		   struct swl_range *rg, uint8_t *changed, size_t n)
{
	struct swl_range *rest = calloc(n + 1, sizeof(*rest));
	size_t *idx = calloc(n + 1, sizeof(*idx)), m = 0;
	int r;

	if (!rest || !idx) {
		r = sw_fail(st->ctx, SW_ERR_NOMEM, "flash: out of memory");
		goto out;
	}
	if ((r = sample_changed(core, refs, changed, n)))
		goto out;
	for (size_t i = 0; i < n; i++)
		if (!changed[i])
			rest[m] = rg[i], idx[m++] = i;
	if (m && (r = sw_loader_crc(l, rest, m)))
		goto out;
	for (size_t i = 0; i < m; i++)
		changed[idx[i]] = rest[i].crc != want_crc(&refs[idx[i]]);
out:
	free(rest);
	free(idx);
	return r;
}

int sw_flash_done_loader(struct sw_flash_stage *st, struct sw_core *core, struct sw_flash_stats *stats)
{
	size_t n = collect(st, NULL, NULL), nchanged = 0;
	struct sec_ref *refs = calloc(n + 1, sizeof(*refs));
	struct swl_range *rg = calloc(n + 1, sizeof(*rg));
	uint8_t *changed = calloc(n + 1, 1), *vdone = calloc(n + 1, 1), *backup = NULL;
	uint32_t *vcrc = calloc(n + 1, sizeof(*vcrc));
	size_t blen = (size_t)(st->ram_hi - st->ram_lo);
	struct sw_loader *l = NULL;
	struct sw_loader_stats ls = {0};
	char msg[SW_ERRMSG_LEN];
	int r = SW_OK, r2;

	stats->loader = true;
	if (!refs || !rg || !changed || !vdone || !vcrc || (blen && !(backup = malloc(blen)))) {
		r = sw_fail(st->ctx, SW_ERR_NOMEM, "flash: out of memory");
		goto out;
	}
	if (n == 0)
		goto out;
	collect(st, refs, rg);
	if (blen && (r = sw_core_mem_read(core, (uint32_t)st->ram_lo, backup, blen)))
		goto out;
	/* Controller set-up the loader relies on (FlexSPI LUT sequences). */
	for (size_t i = 0; i < st->n && !r; i++)
		if (st->rs[i].img && st->desc->flash->prepare)
			r = st->desc->flash->prepare(core, st->rs[i].r);
	if (r || (r = sw_loader_open(st->ctx, core, st->desc->loader, refs[0].s->r->sector_size, false, &l)) ||
	    (r = compare(st, core, l, refs, rg, changed, n)))
		goto close;
	for (size_t i = 0; i < n; i++)
		nchanged += changed[i];
	stats->sectors_skipped = (unsigned)(n - nchanged);
	if (!nchanged || (r = erase_only(st, l, refs, changed, n)) ||
	    (r = program_changed(l, st->desc, core, refs, changed, n, vcrc, vdone)))
		goto close;
	/* Verify every programmed or erased sector by CRC: the loader read
	 * most back while programming (vdone); the rest in one pass now. */
	size_t m = 0;
	for (size_t i = 0; i < n; i++)
		if (changed[i] && !vdone[i])
			rg[m] = rg[i], m++;
	if (m && (r = sw_loader_crc(l, rg, m)))
		goto close;
	m = 0;
	for (size_t i = 0; i < n && !r; i++) {
		uint32_t got;
		if (!changed[i])
			continue;
		got = vdone[i] ? vcrc[i] : rg[m++].crc;
		if (got != want_crc(&refs[i]))
			r = sw_fail(st->ctx, SW_ERR_FLASH_VERIFY,
				    "flash verify failed in the sector at 0x%08x: CRC 0x%08x, expected 0x%08x",
				    refs[i].s->r->base + refs[i].sec * refs[i].s->r->sector_size, got, want_crc(&refs[i]));
		stats->sectors_programmed++;
		stats->bytes_programmed += refs[i].s->r->sector_size;
	}
close:
	if (r) /* keep the first failure's message over any from the clean-up */
		snprintf(msg, sizeof(msg), "%s", sw_errmsg(st->ctx));
	r2 = sw_loader_close(l, &ls);
	if (r)
		sw_fail_quiet(st->ctx, r, "%s", msg);
	r = r ? r : r2;
	stats->sectors_erased = ls.sectors_erased;
	for (size_t i = 0; i < n; i++)
		stats->sectors_erased += changed && changed[i] == 2;
	if (l)
		SW_LOG_I(st->ctx, "flash loader: %u calls, %u CRC calls, %u sectors verified while programming",
			 ls.calls, ls.crc_calls, ls.sectors_verified);
	struct sw_core_state cs;
	if (blen && !sw_core_poll(core, &cs) && cs.halted &&
	    (r2 = sw_core_mem_write(core, (uint32_t)st->ram_lo, backup, blen)))
		r = r ? r : r2;
out:
	free(refs);
	free(rg);
	free(changed);
	free(vdone);
	free(vcrc);
	free(backup);
	return r;
}

#define CRC_ON_TARGET_MIN (16u * 1024u) /* below this, reading it is cheaper than a loader call */

/* The flash controllers' set-up (prepare) for the regions [addr, addr+len) touches. */
static int prepare_overlapping(struct sw_flash_stage *st, struct sw_core *core, uint32_t addr, uint32_t len)
{
	int r = SW_OK;

	for (size_t i = 0; i < st->n && !r; i++)
		if (st->desc->flash->prepare && st->rs[i].r->base < addr + (uint64_t)len &&
		    addr < (uint64_t)st->rs[i].r->base + st->rs[i].r->size)
			r = st->desc->flash->prepare(core, st->rs[i].r);
	return r;
}

int sw_flash_stage_crc(struct sw_flash_stage *st, struct sw_core *core, uint32_t addr, uint32_t len,
		       uint32_t *crc)
{
	const struct sw_loader_desc *ld = st->desc->loader;
	struct swl_range rg = {addr, len, 0};
	struct sw_loader *l = NULL;
	struct sw_core_state cs;
	bool in_flash = false;
	int r, r2;

	/* Every byte in some flash region (a range may run from one bank into
	 * the next: the loader only reads). */
	in_flash = len > 0;
	for (uint64_t a = addr, end = (uint64_t)addr + len; a < end && in_flash;) {
		bool found = false;
		for (size_t i = 0; i < st->n && !found; i++)
			if (a - st->rs[i].r->base < st->rs[i].r->size) {
				a = (uint64_t)st->rs[i].r->base + st->rs[i].r->size;
				found = true;
			}
		in_flash = found;
	}
	if (!ld || st->no_loader || !in_flash || len < CRC_ON_TARGET_MIN) {
		/* The host reads the flash itself: its controller must map it
		 * (a blank N657's XSPI2 is unclocked and off). */
		if (in_flash && (r = prepare_overlapping(st, core, addr, len)))
			return r;
		return SW_ERR_NOT_SUPPORTED;
	}
	if ((r = sw_core_poll(core, &cs)) || !cs.halted)
		return r ? r : SW_ERR_NOT_SUPPORTED;
	if ((r = prepare_overlapping(st, core, addr, len)) ||
	    (r = sw_loader_open(st->ctx, core, ld, st->rs[0].r->sector_size, true, &l)))
		return r;
	r = sw_loader_crc(l, &rg, 1);
	r2 = sw_loader_close(l, NULL);
	*crc = rg.crc;
	return r ? r : r2;
}
