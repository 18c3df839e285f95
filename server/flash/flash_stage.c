#include <stdlib.h>
#include <string.h>

#include "server/flash/flash_priv.h"

int sw_flash_stage_new(struct sw_ctx *ctx, const struct sw_target_desc *desc, struct sw_flash_stage **out)
{
	struct sw_flash_stage *st = calloc(1, sizeof(*st));

	*out = NULL;
	if (!st)
		return sw_fail(ctx, SW_ERR_NOMEM, "flash: out of memory");
	st->ctx = ctx;
	st->desc = desc;
	for (size_t i = 0; i < desc->n_regions && st->n < MAX_REGIONS; i++) {
		const struct sw_mem_region *r = &desc->regions[i];
		if (r->kind != SW_MEM_FLASH || !r->sector_size)
			continue;
		st->rs[st->n++].r = r;
		if (r->sector_size > st->max_sector)
			st->max_sector = r->sector_size;
	}
	*out = st;
	return SW_OK;
}

void sw_flash_region_reset(struct region_stage *s)
{
	free(s->img);
	free(s->erase);
	free(s->touched);
	s->img = s->erase = s->touched = NULL;
}

void sw_flash_stage_free(struct sw_flash_stage *st)
{
	if (!st)
		return;
	for (size_t i = 0; i < st->n; i++)
		sw_flash_region_reset(&st->rs[i]);
	free(st->cur);
	free(st);
}

static struct region_stage *find(struct sw_flash_stage *st, uint32_t addr)
{
	for (size_t i = 0; i < st->n; i++)
		if (addr - st->rs[i].r->base < st->rs[i].r->size)
			return &st->rs[i];
	return NULL;
}

static int ensure(struct sw_flash_stage *st, struct region_stage *s)
{
	size_t nsec = s->r->size / s->r->sector_size;

	if (s->img)
		return SW_OK;
	s->img = malloc(s->r->size);
	s->erase = calloc(nsec, 1);
	s->touched = calloc(nsec, 1);
	if (!s->img || !s->erase || !s->touched) {
		sw_flash_region_reset(s);
		return sw_fail(st->ctx, SW_ERR_NOMEM, "flash: out of memory staging %s", s->r->name);
	}
	memset(s->img, st->desc->flash ? st->desc->flash->erased_value : 0xFF, s->r->size);
	return SW_OK;
}

/* Walk [addr, addr+len) region by region; gdb may span regions (clients.md §2.3). */
static int each(struct sw_flash_stage *st, uint32_t addr, size_t len, const uint8_t *buf, bool erase)
{
	if (!st->desc->flash)
		return sw_fail(st->ctx, SW_ERR_NOT_SUPPORTED, "flash: %s has no flash programming support",
			       st->desc->name);
	while (len) {
		struct region_stage *s = find(st, addr);
		int r;
		if (!s)
			return sw_fail(st->ctx, SW_ERR_ARG, "flash: 0x%08x is not in a flash region", addr);
		if ((r = ensure(st, s)))
			return r;
		uint32_t off = addr - s->r->base;
		size_t n = s->r->size - off < len ? s->r->size - off : len;
		for (uint32_t sec = off / s->r->sector_size; sec <= (off + (uint32_t)n - 1) / s->r->sector_size; sec++)
			(erase ? s->erase : s->touched)[sec] = 1;
		if (buf) {
			memcpy(s->img + off, buf, n);
			buf += n;
		}
		addr += (uint32_t)n;
		len -= n;
	}
	return SW_OK;
}

int sw_flash_stage_erase(struct sw_flash_stage *st, uint32_t addr, uint32_t len)
{
	return each(st, addr, len, NULL, true);
}

int sw_flash_stage_write(struct sw_flash_stage *st, uint32_t addr, const uint8_t *buf, size_t len)
{
	return each(st, addr, len, buf, false);
}

static bool all_value(const uint8_t *p, size_t n, uint8_t v)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != v)
			return false;
	return true;
}

/* Program the runs of flash words that are not blank. */
static int program_sector(struct sw_flash_stage *st, struct sw_core *core, const struct sw_mem_region *r,
			  uint32_t base, const uint8_t *want, struct sw_flash_stats *stats)
{
	const struct sw_flash_ops *ops = st->desc->flash;
	uint32_t unit = ops->program_unit, n = r->sector_size;
	int rc;

	for (uint32_t i = 0; i < n;) {
		if (all_value(want + i, unit, ops->erased_value)) {
			i += unit;
			continue;
		}
		uint32_t j = i;
		while (j < n && !all_value(want + j, unit, ops->erased_value))
			j += unit;
		if ((rc = ops->program(core, r, base + i, want + i, j - i)))
			return rc;
		stats->bytes_programmed += j - i;
		i = j;
	}
	return SW_OK;
}

static int apply_sector(struct sw_flash_stage *st, struct sw_core *core, struct region_stage *s, uint32_t sec,
			struct sw_flash_stats *stats)
{
	const struct sw_flash_ops *ops = st->desc->flash;
	uint32_t size = s->r->sector_size, base = s->r->base + sec * size;
	const uint8_t *want = s->img + sec * size;
	int r;

	if ((r = sw_core_mem_read(core, base, st->cur, size)))
		return r;
	if (!memcmp(st->cur, want, size)) {
		stats->sectors_skipped++; /* already holds exactly this: leave it alone */
		return SW_OK;
	}
	if (!all_value(st->cur, size, ops->erased_value)) {
		if ((r = ops->erase_sector(core, s->r, base)))
			return r;
		stats->sectors_erased++;
	}
	if ((r = program_sector(st, core, s->r, base, want, stats)))
		return r;
	stats->sectors_programmed++;
	if ((r = sw_core_mem_read(core, base, st->cur, size)))
		return r;
	for (uint32_t i = 0; i < size; i++)
		if (st->cur[i] != want[i])
			return sw_fail(st->ctx, SW_ERR_FLASH_VERIFY,
				       "flash verify failed at 0x%08x: read 0x%02x, wrote 0x%02x", base + i,
				       st->cur[i], want[i]);
	return SW_OK;
}

enum { SEC_SKIP = 0, SEC_ERASE = 2, SEC_PROGRAM = 3 };

static int verify_sector(struct sw_flash_stage *st, struct sw_core *core, uint32_t base, const uint8_t *want,
			 uint32_t size)
{
	int r;

	if ((r = sw_core_mem_read(core, base, st->cur, size)))
		return r;
	for (uint32_t i = 0; i < size; i++)
		if (st->cur[i] != want[i])
			return sw_fail(st->ctx, SW_ERR_FLASH_VERIFY,
				       "flash verify failed at 0x%08x: read 0x%02x, wrote 0x%02x", base + i,
				       st->cur[i], want[i]);
	return SW_OK;
}

/* Flash with an erase_range hook (external NOR): classify every staged
 * sector, hand each run of sectors to erase to the driver in one call (blank
 * sectors inside a run included, so it can use its large erases), then
 * program and verify. s->erase is reused for the per-sector state. */
static int apply_region_ranged(struct sw_flash_stage *st, struct sw_core *core, struct region_stage *s,
			       struct sw_flash_stats *stats)
{
	const struct sw_flash_ops *ops = st->desc->flash;
	uint32_t ss = s->r->sector_size, nsec = s->r->size / ss;
	uint8_t *state = s->erase;
	int r;

	for (uint32_t i = 0; i < nsec; i++) {
		if (!s->erase[i] && !s->touched[i])
			continue;
		if ((r = sw_core_mem_read(core, s->r->base + i * ss, st->cur, ss)))
			return r;
		if (!memcmp(st->cur, s->img + i * ss, ss)) {
			state[i] = SEC_SKIP;
			stats->sectors_skipped++;
		} else {
			state[i] = all_value(st->cur, ss, ops->erased_value) ? SEC_PROGRAM : SEC_ERASE;
		}
	}
	for (uint32_t i = 0; i < nsec;) {
		uint32_t j = i, last = i, n = 0;
		if (state[i] != SEC_ERASE) {
			i++;
			continue;
		}
		for (; j < nsec && (state[j] == SEC_ERASE || state[j] == SEC_PROGRAM); j++)
			if (state[j] == SEC_ERASE)
				last = j, n++;
		if ((r = ops->erase_range(core, s->r, s->r->base + i * ss, (last + 1 - i) * ss)))
			return r;
		stats->sectors_erased += n;
		i = last + 1;
	}
	for (uint32_t i = 0; i < nsec; i++) {
		uint32_t base = s->r->base + i * ss;
		if (state[i] != SEC_ERASE && state[i] != SEC_PROGRAM)
			continue;
		if ((r = program_sector(st, core, s->r, base, s->img + i * ss, stats)) ||
		    (r = verify_sector(st, core, base, s->img + i * ss, ss)))
			return r;
		stats->sectors_programmed++;
	}
	return SW_OK;
}

void sw_flash_stage_no_loader(struct sw_flash_stage *st, bool no_loader)
{
	st->no_loader = no_loader;
}

void sw_flash_stage_note_ram_write(struct sw_flash_stage *st, uint32_t addr, size_t len)
{
	const struct sw_loader_desc *ld = st->desc->loader;
	uint64_t lo = addr, hi = (uint64_t)addr + len;

	if (!ld || !len || hi <= ld->work_base || lo >= (uint64_t)ld->work_base + ld->work_size)
		return;
	if (st->ram_lo == st->ram_hi) {
		st->ram_lo = lo, st->ram_hi = hi;
		return;
	}
	/* One bounding range is enough: gdb writes a few sections at most. */
	st->ram_lo = lo < st->ram_lo ? lo : st->ram_lo;
	st->ram_hi = hi > st->ram_hi ? hi : st->ram_hi;
}

/* Every staged sector must be one the target lets us write: checked before
 * anything is erased or programmed. */
static int check_writable(struct sw_flash_stage *st, struct sw_core *core)
{
	int (*writable)(struct sw_core *, const struct sw_mem_region *, uint32_t, size_t) =
		st->desc->flash->writable;
	int r;

	for (size_t i = 0; writable && i < st->n; i++) {
		const struct region_stage *s = &st->rs[i];
		for (uint32_t sec = 0; s->img && sec < s->r->size / s->r->sector_size; sec++)
			if ((s->erase[sec] || s->touched[sec]) &&
			    (r = writable(core, s->r, s->r->base + sec * s->r->sector_size, s->r->sector_size)))
				return r;
	}
	return SW_OK;
}

int sw_flash_stage_done(struct sw_flash_stage *st, struct sw_core *core, struct sw_flash_stats *stats)
{
	int r = SW_OK;

	memset(stats, 0, sizeof(*stats));
	/* Never program under running firmware: it may execute from (or
	 * write to) the flash being changed. gdb halts before `load`; others
	 * (monitor flash erase, swdflash) may not. */
	struct sw_core_state cs;
	bool loader = st->desc->loader && !st->no_loader;
	r = check_writable(st, core);
	if (!r)
		r = sw_core_poll(core, &cs);
	if (!r && !cs.halted)
		r = sw_core_halt(core);
	/* Flash (and a loader's RAM) change behind the I-cache: the next
	 * resume invalidates it (ARMv7-M ARM B2.2.7). */
	sw_core_code_changed(core);
	if (!r && loader)
		r = sw_flash_done_loader(st, core, stats);
	if (r || loader) {
		for (size_t i = 0; i < st->n; i++)
			sw_flash_region_reset(&st->rs[i]);
		st->ram_lo = st->ram_hi = 0;
		return r;
	}
	if (!st->cur && st->max_sector && !(st->cur = malloc(st->max_sector)))
		return sw_fail(st->ctx, SW_ERR_NOMEM, "flash: out of memory");
	for (size_t i = 0; i < st->n && !r; i++) {
		struct region_stage *s = &st->rs[i];
		if (!s->img)
			continue;
		if (st->desc->flash->prepare && (r = st->desc->flash->prepare(core, s->r)))
			break;
		if (st->desc->flash->erase_range) {
			r = apply_region_ranged(st, core, s, stats);
			continue;
		}
		for (uint32_t sec = 0; sec < s->r->size / s->r->sector_size && !r; sec++)
			if (s->erase[sec] || s->touched[sec])
				r = apply_sector(st, core, s, sec, stats);
	}
	for (size_t i = 0; i < st->n; i++)
		sw_flash_region_reset(&st->rs[i]);
	return r;
}
