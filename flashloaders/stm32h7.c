/* STM32H743 flash loader (RM0433 §4.3.9 programming, §4.3.10 erase,
 * §4.9 registers). Two banks, each with its own controller: when the host
 * gives one job per bank both are erased and programmed at the same time.
 * Erase happens sector by sector just before programming reaches it, and
 * only when the sector is not blank, so the host streams data into the
 * ring while the first erase runs. Each sector is read back by CRC once
 * programmed (job crc_out), so the host needs no verify pass. */
#include "common.h"
#include "../targets/regs/stm32h7_flash.h"


struct bank_run {
	struct swl_job *job;
	uint32_t bank;
	uint32_t next;  /* next flash word to program */
	uint32_t ready; /* sectors below this address are erased (or blank) */
	uint32_t end;
	uint32_t checked; /* sectors below this address are verified */
	uint32_t erasing; /* an erase was started and may still run */
	uint32_t pg;      /* CR holds PG */
	uint32_t back;    /* flash words below this address are read back into crc */
	uint32_t crc;     /* CRC of the sector's words read back so far */
};

/* Read back the flash word at br->back (done: the bank is idle) and run it
 * through the CRC. The loads come first, the CRC of the copy later, while
 * the next word programs. */
static void read_back(const struct bank_run *br, uint32_t *copy)
{
	const volatile uint32_t *w = (const volatile uint32_t *)br->back;

	for (uint32_t i = 0; i < H7_FLASH_WORD / 4u; i++)
		copy[i] = w[i];
}

static uint32_t bank_of(uint32_t addr)
{
	return addr >= H7_FLASH_BANK2 ? 1u : 0u;
}

static uint32_t unlock(uint32_t b)
{
	/* Key only a locked bank: a wrong sequence locks it until reset (§4.5.1). */
	if (SWL_REG(H7_FLASH_CR(b)) & H7_CR_LOCK) {
		SWL_REG(H7_FLASH_KEYR(b)) = H7_KEY1;
		SWL_REG(H7_FLASH_KEYR(b)) = H7_KEY2;
	}
	if (SWL_REG(H7_FLASH_CR(b)) & H7_CR_LOCK)
		return SWL_ERR_LOCKED;
	SWL_REG(H7_FLASH_CCR(b)) = H7_SR_CLEAR;
	return SWL_OK;
}

static uint32_t fail(struct swl_params *p, uint32_t b, uint32_t addr, uint32_t sr)
{
	p->err_addr = addr;
	p->err_status = sr;
	SWL_REG(H7_FLASH_CCR(b)) = H7_SR_CLEAR;
	return SWL_ERR_FLASH;
}

/* Start erasing the sector at addr of bank b unless it is blank; returns 1
 * if an erase was started. */
static uint32_t prepare_sector(const struct swl_params *p, uint32_t b, uint32_t addr)
{
	uint32_t snb = (addr - H7_FLASH_BASE - b * H7_FLASH_BANK_SIZE) / p->sector_size;

	if (swl_all_ones((const uint32_t *)addr, p->sector_size / 4u))
		return 0;
	SWL_REG(H7_FLASH_CR(b)) = H7_CR_PSIZE_X64 | H7_CR_SER | H7_CR_SNB(snb);
	SWL_REG(H7_FLASH_CR(b)) = H7_CR_PSIZE_X64 | H7_CR_SER | H7_CR_SNB(snb) | H7_CR_START;
	return 1;
}

/* One step of one bank; returns 1 if it did something, 0 if it must wait,
 * or SWL_ERR_* | 0x100 on an error. */
static uint32_t step(struct swl_params *p, struct bank_run *br)
{
	struct swl_job *j = br->job;
	uint32_t sr = SWL_REG(H7_FLASH_SR(br->bank)), idle = !(sr & (H7_SR_BSY | H7_SR_QW | H7_SR_WBNE));

	if (sr & H7_SR_ERRORS)
		return 0x100u | fail(p, br->bank, br->next, sr);
	if (idle)
		br->erasing = 0;
	if (br->checked < br->next && br->next == br->ready) {
		/* The sector below `ready` is programmed: read its last word back
		 * once done (a read of a busy bank stalls, §4.3.8) and store the
		 * sector's CRC before the next erase. */
		uint32_t copy[H7_FLASH_WORD / 4u];
		if (!idle)
			return 0;
		read_back(br, copy);
		br->crc = swl_crc_update((const uint32_t *)p->scratch, br->crc, (const uint8_t *)copy, H7_FLASH_WORD);
		swl_store_crc(p, j, br->ready - p->sector_size, br->crc);
		br->checked = br->back = br->next;
		br->crc = 0xFFFFFFFFu;
		return 1;
	}
	if (br->next >= br->end)
		return 0;
	if (br->next >= br->ready) {
		if (!idle)
			return 0;
		br->erasing = prepare_sector(p, br->bank, br->ready);
		j->erased += br->erasing;
		br->ready += p->sector_size;
		br->pg = 0;
		return 1;
	}
	if (!idle || (uint32_t)(j->wp - j->rp) < H7_FLASH_WORD)
		return 0; /* the previous word still programs, or the host has not sent this one */
	/* Verify as we go: the word programmed last is read back now (the bank
	 * is idle), the next one starts, and the CRC of the copy is computed
	 * while it programs. */
	uint32_t copy[H7_FLASH_WORD / 4u], had = br->back < br->next;
	if (had)
		read_back(br, copy);
	const uint32_t *src = (const uint32_t *)(j->ring_base + j->rp % j->ring_size);
	if (src[0] != 0xFFFFFFFFu || !swl_all_ones(src, H7_FLASH_WORD / 4u)) {
		volatile uint32_t *dst = (volatile uint32_t *)br->next;
		if (!br->pg)
			SWL_REG(H7_FLASH_CR(br->bank)) = H7_CR_PSIZE_X64 | H7_CR_PG;
		br->pg = 1;
		for (uint32_t i = 0; i < H7_FLASH_WORD / 4u; i++)
			dst[i] = src[i]; /* the eighth store starts the flash word (§4.3.9) */
	}
	if (had) {
		br->crc = swl_crc_update((const uint32_t *)p->scratch, br->crc, (const uint8_t *)copy, H7_FLASH_WORD);
		br->back += H7_FLASH_WORD;
	}
	br->next += H7_FLASH_WORD;
	j->rp += H7_FLASH_WORD;
	return 1;
}

uint32_t swl_program(struct swl_params *p)
{
	struct bank_run br[SWL_MAX_JOBS];
	uint32_t n = p->n_jobs, r = swl_check(p);

	if (r != SWL_OK || n == 0 || n > SWL_MAX_JOBS || p->sector_size % H7_FLASH_WORD)
		return p->status = r != SWL_OK ? r : SWL_ERR_ARG;
	for (uint32_t i = 0; i < n; i++) {
		struct swl_job *j = &p->job[i];
		if (j->addr % p->sector_size || j->len % p->sector_size || j->ring_size % H7_FLASH_WORD ||
		    bank_of(j->addr) != bank_of(j->addr + j->len - 1u) ||
		    (i && bank_of(j->addr) == br[0].bank))
			return p->status = SWL_ERR_ARG;
		br[i].job = j;
		br[i].bank = bank_of(j->addr);
		br[i].next = br[i].ready = br[i].checked = br[i].back = j->addr;
		br[i].crc = 0xFFFFFFFFu;
		br[i].end = j->addr + j->len;
		br[i].erasing = br[i].pg = 0;
		if ((r = unlock(br[i].bank)) != SWL_OK)
			return p->status = r;
	}
	for (;;) {
		uint32_t busy = 0, done = 0, erasing = 0;
		for (uint32_t i = 0; i < n; i++) {
			uint32_t s = step(p, &br[i]);
			if (s & 0x100u)
				return p->status = s & 0xFFu;
			busy |= s;
			done += br[i].checked >= br[i].end;
			erasing += br[i].erasing;
		}
		if (done == n)
			break;
		/* Nothing to do: poll again at once while a flash word programs
		 * (100 us, the next one should follow without a gap), wait 20 us
		 * when every bank still at work is erasing (about 1 s). */
		if (!busy && erasing == n - done)
			swl_pause(640u);
	}
	/* The last flash words are complete once QW drops in both banks. */
	for (uint32_t i = 0; i < n; i++) {
		uint32_t sr;
		while ((sr = SWL_REG(H7_FLASH_SR(br[i].bank))) & (H7_SR_BSY | H7_SR_QW | H7_SR_WBNE))
			swl_pause(32);
		if (sr & H7_SR_ERRORS)
			return p->status = fail(p, br[i].bank, br[i].end, sr);
		SWL_REG(H7_FLASH_CR(br[i].bank)) = H7_CR_LOCK;
	}
	return p->status = SWL_OK;
}

/* Erase params->ranges (sector-aligned). A range that is a whole bank
 * uses bank erase (CR.BER, RM0433 §4.3.10), and both banks erase at the
 * same time when both are asked for; other sectors are erased one by one
 * unless blank. */
static uint32_t wait_erase(struct swl_params *p, uint32_t b, uint32_t addr)
{
	uint32_t sr;

	while (SWL_REG(H7_FLASH_SR(b)) & (H7_SR_BSY | H7_SR_QW))
		swl_pause(640);
	sr = SWL_REG(H7_FLASH_SR(b));
	SWL_REG(H7_FLASH_CR(b)) = H7_CR_LOCK;
	return (sr & H7_SR_ERRORS) ? fail(p, b, addr, sr) : SWL_OK;
}

uint32_t swl_erase(struct swl_params *p)
{
	struct swl_range *rg = (struct swl_range *)p->ranges;
	uint32_t r = swl_check(p), banks = 0;

	if (r != SWL_OK)
		return p->status = r;
	for (uint32_t i = 0; i < p->n_ranges; i++) {
		uint32_t b = bank_of(rg[i].addr);
		if (rg[i].addr != H7_FLASH_BASE + b * H7_FLASH_BANK_SIZE || rg[i].len != H7_FLASH_BANK_SIZE)
			continue;
		if ((r = unlock(b)) != SWL_OK)
			return p->status = r;
		SWL_REG(H7_FLASH_CR(b)) = H7_CR_PSIZE_X64 | H7_CR_BER;
		SWL_REG(H7_FLASH_CR(b)) = H7_CR_PSIZE_X64 | H7_CR_BER | H7_CR_START;
		banks |= 1u << b;
	}
	for (uint32_t b = 0; b < 2; b++)
		if ((banks & (1u << b)) && (r = wait_erase(p, b, H7_FLASH_BASE + b * H7_FLASH_BANK_SIZE)) != SWL_OK)
			return p->status = r;
	for (uint32_t i = 0; i < p->n_ranges; i++) {
		if (banks & (1u << bank_of(rg[i].addr)) && rg[i].len == H7_FLASH_BANK_SIZE)
			continue;
		for (uint32_t a = rg[i].addr; a < rg[i].addr + rg[i].len; a += p->sector_size) {
			uint32_t b = bank_of(a);
			if ((r = unlock(b)) != SWL_OK)
				return p->status = r;
			prepare_sector(p, b, a);
			if ((r = wait_erase(p, b, a)) != SWL_OK)
				return p->status = r;
		}
		p->progress = i + 1;
	}
	return p->status = SWL_OK;
}

uint32_t swl_crc(struct swl_params *p)
{
	uint32_t r = swl_check(p);

	return p->status = r != SWL_OK ? r : swl_crc_ranges(p);
}

uint32_t swl_uninit(struct swl_params *p)
{
	SWL_REG(H7_FLASH_CR(0)) = H7_CR_LOCK;
	SWL_REG(H7_FLASH_CR(1)) = H7_CR_LOCK;
	swl_caches_restore(p);
	return p->status = SWL_OK;
}
