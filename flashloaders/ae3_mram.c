/* Alif AE3 MRAM loader (reference/targets.md §4.4). MRAM needs no erase:
 * every write is a whole aligned 128-bit unit, stored as four back-to-back
 * 32-bit stores (as Alif's CMSIS FLM and Zephyr flash_mram driver do), and
 * a unit takes any value directly. So program writes each unit from the
 * ring as the host streams it (the data crosses the wire once), erase
 * writes the erased value 0x00 without any data on the wire, and crc lets
 * the host compare without reading MRAM back; program reads each sector
 * back by CRC as soon as it is written (job crc_out, issue #20).
 * Interrupts stay masked (PRIMASK = 1, abi.h) so no handler store lands
 * between the four stores of a unit. */
#include "common.h"

#define UNIT 16u

static void store_unit(uint32_t addr, const uint32_t *src)
{
	volatile uint32_t *dst = (volatile uint32_t *)addr;

	dst[0] = src[0];
	dst[1] = src[1];
	dst[2] = src[2];
	dst[3] = src[3];
}

static uint32_t aligned(uint32_t addr, uint32_t len)
{
	return (addr | len) % UNIT == 0;
}

uint32_t swl_program(struct swl_params *p)
{
	uint32_t r = swl_check(p);

	if (r != SWL_OK)
		return p->status = r;
	for (uint32_t k = 0; k < p->n_jobs; k++) {
		struct swl_job *j = &p->job[k];
		if (!aligned(j->addr, j->len) || j->ring_size % UNIT)
			return p->status = SWL_ERR_ARG;
	}
	/* One job after the other: the ring of a later job fills while an
	 * earlier one is written (the host streams every job at once). */
	for (uint32_t k = 0; k < p->n_jobs; k++) {
		struct swl_job *j = &p->job[k];
		for (uint32_t a = j->addr; a < j->addr + j->len;) {
			if ((uint32_t)(j->wp - j->rp) < UNIT) {
				swl_pause(16); /* the host has not sent this unit yet */
				continue;
			}
			store_unit(a, (const uint32_t *)(j->ring_base + j->rp % j->ring_size));
			a += UNIT;
			j->rp += UNIT;
			/* A sector complete: read it back by CRC while the host
			 * still streams (the loader waits for the wire anyway). */
			if (p->sector_size && (a - j->addr) % p->sector_size == 0) {
				__asm volatile("dsb");
				swl_verify_sector(p, j, a - p->sector_size);
			}
		}
	}
	__asm volatile("dsb");
	return p->status = SWL_OK;
}

uint32_t swl_erase(struct swl_params *p)
{
	const uint32_t zero[4] = {0, 0, 0, 0}; /* on the stack: no .rodata in a blob */
	struct swl_range *rg = (struct swl_range *)p->ranges;
	uint32_t r = swl_check(p);

	for (uint32_t i = 0; i < p->n_ranges && r == SWL_OK; i++) {
		if (!aligned(rg[i].addr, rg[i].len))
			r = SWL_ERR_ARG;
		for (uint32_t a = rg[i].addr; r == SWL_OK && a < rg[i].addr + rg[i].len; a += UNIT)
			store_unit(a, zero);
		p->progress = i + 1;
	}
	__asm volatile("dsb");
	return p->status = r;
}

uint32_t swl_crc(struct swl_params *p)
{
	uint32_t r = swl_check(p);

	return p->status = r != SWL_OK ? r : swl_crc_ranges(p);
}

uint32_t swl_uninit(struct swl_params *p)
{
	swl_caches_restore(p);
	return p->status = SWL_OK;
}
