/* Deploy / verify / erase with standard RSP only, so any gdb server with a
 * memory map, vFlash and qCRC will do (ARCHITECTURE.md §1). The delta step
 * is ours: a sector whose on-target CRC already equals the image's is not
 * sent at all, so an unchanged re-flash transfers and erases nothing. */
#include <stdlib.h>
#include <string.h>

#include "client/lib/deploy.h"
#include "sw/hex.h"

#define ERASED 0xFFu /* every flash gdb's vFlash model covers erases to 0xFF */

struct sector {
	uint32_t base, size;
};

struct job {
	struct sw_rsp *c;
	struct sw_ctx *ctx;
	const struct sw_job_opts *o;
	struct sw_job_result *res;
	uint64_t sent, total; /* bytes to send: changed flash sectors' data plus RAM */
	uint64_t ram_total;
};

static void emit(struct job *j, struct sw_event ev)
{
	if (j->o->ev)
		j->o->ev(j->o->user, &ev);
}

/* The flash sectors any image byte falls in, in address order. */
static int touched_sectors(struct sw_ctx *ctx, const struct sw_image *img, const struct sw_memmap *mm,
			   struct sector **out, size_t *n)
{
	size_t cap = 0;

	*out = NULL;
	*n = 0;
	for (size_t i = 0; i < mm->n; i++) {
		const struct sw_mm_region *r = &mm->r[i];
		if (r->kind != SW_MM_FLASH)
			continue;
		for (uint64_t off = 0; off < r->length; off += r->blocksize) {
			uint64_t lo = r->start + off, hi = lo + r->blocksize;
			bool hit = false;
			for (size_t k = 0; k < img->n && !hit; k++)
				hit = img->seg[k].addr < hi && img->seg[k].addr + (uint64_t)img->seg[k].len > lo;
			if (!hit)
				continue;
			if (*n == cap) {
				cap = cap ? cap * 2 : 16;
				struct sector *ns = realloc(*out, cap * sizeof(*ns));
				if (!ns) {
					free(*out);
					*out = NULL;
					return sw_fail(ctx, SW_ERR_NOMEM, "out of memory");
				}
				*out = ns;
			}
			(*out)[(*n)++] = (struct sector){(uint32_t)lo, r->blocksize};
		}
	}
	return SW_OK;
}

/* vFlashWrite the image bytes of one sector, in packet-sized chunks. */
static int write_sector(struct job *j, const struct sw_image *img, const struct sector *s)
{
	size_t max = sw_rsp_write_max(j->c);
	uint64_t end = (uint64_t)s->base + s->size;
	int r;

	for (size_t k = 0; k < img->n; k++) {
		const struct sw_image_seg *g = &img->seg[k];
		uint64_t lo = g->addr > s->base ? g->addr : s->base;
		uint64_t hi = (uint64_t)g->addr + g->len < end ? (uint64_t)g->addr + g->len : end;
		for (uint64_t a = lo; a < hi;) {
			size_t n = hi - a < max ? (size_t)(hi - a) : max;
			if ((r = sw_rsp_flash_write(j->c, (uint32_t)a, g->data + (a - g->addr), n)))
				return r;
			a += n;
			j->sent += n;
			j->res->bytes_flash += n;
			emit(j, (struct sw_event){.kind = SW_EV_WRITE, .done = j->sent, .total = j->total});
		}
	}
	return SW_OK;
}

/* What a range should hold: CRC of the image there (0xFF where it has no
 * data), the CRC of the same range blank, and how many image bytes it has. */
struct want {
	uint32_t crc, blank;
	uint64_t bytes;
};

static int image_crc(struct job *j, const struct sw_image *img, uint32_t base, uint32_t size, struct want *w)
{
	uint8_t *buf = malloc(size);

	if (!buf)
		return sw_fail(j->ctx, SW_ERR_NOMEM, "out of memory");
	w->bytes = sw_image_fill(img, base, buf, size, ERASED);
	w->crc = sw_crc32_gdb(0xFFFFFFFFu, buf, size);
	memset(buf, ERASED, size);
	w->blank = sw_crc32_gdb(0xFFFFFFFFu, buf, size);
	free(buf);
	return SW_OK;
}

/* Do the target's bytes equal the image where the image has data inside
 * [base, base+size)? Bytes the image does not cover are not compared: their
 * erased value is the server's business (NOR reads 0xFF, the AE3's MRAM is
 * "erased" to 0x00), so a sector whose image bytes all match is unchanged. */
static int image_bytes_match(struct job *j, const struct sw_image *img, uint32_t base, uint32_t size, bool *match)
{
	uint64_t end = (uint64_t)base + size;

	*match = true;
	for (size_t i = 0; i < img->n && *match; i++) {
		const struct sw_image_seg *g = &img->seg[i];
		uint64_t lo = g->addr > base ? g->addr : base, hi = (uint64_t)g->addr + g->len;
		uint32_t have = 0;
		int r;
		if (hi > end)
			hi = end;
		if (lo >= hi)
			continue;
		if ((r = sw_rsp_crc(j->c, (uint32_t)lo, (uint32_t)(hi - lo), &have)))
			return r;
		*match = have == sw_crc32_gdb(0xFFFFFFFFu, g->data + (lo - g->addr), (size_t)(hi - lo));
	}
	return SW_OK;
}

/* Does sector k of a run that differs need writing? On a blank run the
 * answer is known without asking: where the image has non-blank data. */
static int sector_differs(struct job *j, const struct sw_image *img, const struct sector *s, bool run_blank,
			  bool *differs, uint64_t *bytes)
{
	struct want w;
	uint32_t have = 0;
	int r;

	if ((r = image_crc(j, img, s->base, s->size, &w)))
		return r;
	*bytes = w.bytes;
	if (run_blank) {
		*differs = w.crc != w.blank;
		return SW_OK;
	}
	if ((r = sw_rsp_crc(j->c, s->base, s->size, &have)))
		return r;
	*differs = have != w.crc;
	if (*differs && w.bytes) { /* maybe only the bytes outside the image differ */
		bool match = false;
		if ((r = image_bytes_match(j, img, s->base, s->size, &match)))
			return r;
		*differs = !match;
	}
	return SW_OK;
}

/* Keep only the sectors that differ from the image. Sectors come in runs
 * of neighbours in one region: one qCRC over a whole run first (servers
 * compute a CRC within one flash region on the target); per sector only
 * when the run differs and is not blank. An unchanged image costs one qCRC
 * per run, and so does a blank chip. */
static int plan_flash(struct job *j, const struct sw_image *img, const struct sw_memmap *mm, struct sector *secs,
		      size_t *n)
{
	size_t keep = 0;
	int r = SW_OK;

	for (size_t i = 0; i < *n && !r;) {
		const struct sw_mm_region *reg = sw_memmap_find(mm, secs[i].base);
		size_t e = i + 1;
		uint32_t have = 0;
		struct want w;
		while (e < *n && secs[e].base == secs[e - 1].base + secs[e - 1].size &&
		       sw_memmap_find(mm, secs[e].base) == reg)
			e++;
		uint32_t size = secs[e - 1].base + secs[e - 1].size - secs[i].base;
		if ((r = image_crc(j, img, secs[i].base, size, &w)) || (r = sw_rsp_crc(j->c, secs[i].base, size, &have)))
			break;
		if (have != w.crc && have != w.blank) { /* equal where the image has data? */
			bool match = false;
			if ((r = image_bytes_match(j, img, secs[i].base, size, &match)))
				break;
			if (match)
				have = w.crc;
		}
		for (size_t k = i; have != w.crc && k < e; k++) {
			bool differs = true;
			uint64_t bytes = w.bytes;
			if (e - i > 1 && (r = sector_differs(j, img, &secs[k], have == w.blank, &differs, &bytes)))
				break;
			if (differs) {
				secs[keep++] = secs[k];
				j->total += bytes;
			}
		}
		i = e;
	}
	*n = keep;
	return r;
}

static int do_flash(struct job *j, const struct sw_image *img, const struct sw_memmap *mm)
{
	struct sector *secs;
	size_t n, touched;
	int r;

	if ((r = touched_sectors(j->ctx, img, mm, &secs, &n)))
		return r;
	touched = n;
	j->res->sectors_touched = (unsigned)touched;
	if ((r = plan_flash(j, img, mm, secs, &n)))
		goto out;
	j->res->sectors_erased = (unsigned)n;
	j->res->sectors_skipped = (unsigned)(touched - n);
	emit(j, (struct sw_event){.kind = SW_EV_ERASE, .sectors = (unsigned)n, .skipped = (unsigned)(touched - n)});
	if (!n)
		goto out;
	for (size_t i = 0; i < n && !r; i++)
		r = sw_rsp_flash_erase(j->c, secs[i].base, secs[i].size);
	for (size_t i = 0; i < n && !r; i++)
		r = write_sector(j, img, &secs[i]);
	if (r)
		goto out;
	emit(j, (struct sw_event){.kind = SW_EV_PROGRAM, .done = 0});
	r = sw_rsp_flash_done(j->c);
	if (!r)
		emit(j, (struct sw_event){.kind = SW_EV_PROGRAM, .done = 1});
out:
	free(secs);
	return r;
}

/* Pieces of runs that lie in RAM go out as X packets (sw_image_check made
 * sure nothing is outside flash and RAM; flash pieces went per sector). */
static int do_ram(struct job *j, const struct sw_image *img, const struct sw_memmap *mm, bool count_only)
{
	const uint32_t max = 0x4000; /* progress granularity; sw_rsp splits to PacketSize */
	int r;

	for (size_t k = 0; k < img->n; k++) {
		const struct sw_image_seg *g = &img->seg[k];
		uint64_t a = g->addr, end = (uint64_t)g->addr + g->len;
		while (a < end) {
			const struct sw_mm_region *reg = sw_memmap_find(mm, (uint32_t)a);
			uint64_t stop = reg && reg->start + reg->length < end ? reg->start + reg->length : end;
			for (; reg && reg->kind == SW_MM_RAM && a < stop;) {
				uint32_t m = stop - a < max ? (uint32_t)(stop - a) : max;
				if (count_only) {
					j->ram_total += m;
				} else {
					if ((r = sw_rsp_write_mem(j->c, (uint32_t)a, g->data + (a - g->addr), m)))
						return r;
					j->sent += m;
					j->res->bytes_ram += m;
					emit(j, (struct sw_event){.kind = SW_EV_WRITE, .done = j->sent,
								  .total = j->total});
				}
				a += m;
			}
			a = stop;
		}
	}
	return SW_OK;
}

static int verify_piece(struct job *j, const struct sw_image_seg *g, uint32_t addr, uint32_t len)
{
	const uint8_t *data = g->data + (addr - g->addr);
	uint32_t want = sw_crc32_gdb(0xFFFFFFFFu, data, len), have;
	int r = sw_rsp_crc(j->c, addr, len, &have);

	if (r)
		return r;
	emit(j, (struct sw_event){.kind = SW_EV_VERIFY, .addr = addr, .len = len, .ok = want == have,
				  .crc_image = want, .crc_target = have});
	if (want != have && !j->res->verify_failed++)
		return sw_fail(j->ctx, SW_ERR_FLASH_VERIFY,
			       "verify failed: 0x%08x..0x%08x differs from the image (CRC 0x%08x on the target, "
			       "0x%08x in the file)",
			       addr, addr + len - 1, have, want);
	return want != have ? SW_ERR_FLASH_VERIFY : SW_OK;
}

/* qCRC every run, split where memory-map regions meet (a server computes a
 * CRC inside one flash region with its loader). All pieces are checked;
 * the first mismatch is the error. */
static int verify_runs(struct job *j, const struct sw_image *img, const struct sw_memmap *mm)
{
	int first = SW_OK;

	for (size_t k = 0; k < img->n; k++) {
		const struct sw_image_seg *g = &img->seg[k];
		uint64_t a = g->addr, end = (uint64_t)g->addr + g->len;
		while (a < end) {
			const struct sw_mm_region *reg = mm ? sw_memmap_find(mm, (uint32_t)a) : NULL;
			uint64_t stop = reg && reg->start + reg->length < end ? reg->start + reg->length : end;
			int r = verify_piece(j, g, (uint32_t)a, (uint32_t)(stop - a));
			if (r && r != SW_ERR_FLASH_VERIFY)
				return r;
			if (r && !first)
				first = r;
			a = stop;
		}
	}
	return first;
}

int sw_deploy(struct sw_rsp *c, const struct sw_image *img, const struct sw_memmap *mm,
	      const struct sw_job_opts *opts, struct sw_job_result *res)
{
	struct job j = {.c = c, .ctx = sw_rsp_ctx(c), .o = opts, .res = res};
	int r;

	memset(res, 0, sizeof(*res));
	emit(&j, (struct sw_event){.kind = SW_EV_START, .total = sw_image_bytes(img)});
	/* Halt first, as gdb does before load: the firmware may run from (or
	 * write to) what we change, and servers compute qCRC on a halted
	 * target with their loader. Not fatal: a server may halt by itself. */
	if (sw_rsp_monitor(c, "halt"))
		SW_LOG_D(j.ctx, "monitor halt: %s (continuing)", sw_errmsg(j.ctx));
	do_ram(&j, img, mm, true);
	j.total = j.ram_total;
	if ((r = do_flash(&j, img, mm)))
		return r;
	if ((r = do_ram(&j, img, mm, false)) || (r = verify_runs(&j, img, mm)))
		return r;
	if (opts->reset) {
		if ((r = sw_rsp_monitor(c, "reset run")))
			return r;
		emit(&j, (struct sw_event){.kind = SW_EV_RESET});
	}
	emit(&j, (struct sw_event){.kind = SW_EV_DONE, .ok = true, .res = res});
	return SW_OK;
}

int sw_verify(struct sw_rsp *c, const struct sw_image *img, const struct sw_memmap *mm, const struct sw_job_opts *opts,
	      struct sw_job_result *res)
{
	struct job j = {.c = c, .ctx = sw_rsp_ctx(c), .o = opts, .res = res};
	int r;

	memset(res, 0, sizeof(*res));
	emit(&j, (struct sw_event){.kind = SW_EV_START, .total = sw_image_bytes(img)});
	if ((r = verify_runs(&j, img, mm)))
		return r;
	emit(&j, (struct sw_event){.kind = SW_EV_DONE, .ok = true, .res = res});
	return SW_OK;
}

int sw_erase(struct sw_rsp *c, const struct sw_memmap *mm, uint32_t addr, uint32_t len,
	     const struct sw_job_opts *opts, struct sw_job_result *res)
{
	struct job j = {.c = c, .ctx = sw_rsp_ctx(c), .o = opts, .res = res};
	uint64_t end = (uint64_t)addr + len;
	int r;

	memset(res, 0, sizeof(*res));
	for (size_t i = 0; i < mm->n; i++) {
		const struct sw_mm_region *g = &mm->r[i];
		for (uint64_t a = g->start; g->kind == SW_MM_FLASH && a < g->start + g->length; a += g->blocksize) {
			if (len && (a + g->blocksize <= addr || a >= end))
				continue;
			if (!res->sectors_erased && sw_rsp_monitor(c, "halt"))
				SW_LOG_D(j.ctx, "monitor halt: %s (continuing)", sw_errmsg(j.ctx));
			if ((r = sw_rsp_flash_erase(c, (uint32_t)a, g->blocksize)))
				return r;
			res->sectors_erased++;
		}
	}
	if (!res->sectors_erased)
		return sw_fail(j.ctx, SW_ERR_ARG, "erase: 0x%08x+0x%x is not in flash", addr, len);
	emit(&j, (struct sw_event){.kind = SW_EV_ERASE, .sectors = res->sectors_erased});
	emit(&j, (struct sw_event){.kind = SW_EV_PROGRAM, .done = 0});
	if ((r = sw_rsp_flash_done(c)))
		return r;
	emit(&j, (struct sw_event){.kind = SW_EV_PROGRAM, .done = 1});
	emit(&j, (struct sw_event){.kind = SW_EV_DONE, .ok = true, .res = res});
	return SW_OK;
}
