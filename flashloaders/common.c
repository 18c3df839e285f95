/* Shared loader helpers: CRC-32 for qCRC/skip-unchanged, pauses, checks. */
#include "common.h"

void swl_crc_table(uint32_t *table)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i << 24;
		for (int b = 0; b < 8; b++)
			c = (c & 0x80000000u) ? (c << 1) ^ 0x04C11DB7u : c << 1;
		table[i] = c;
	}
}

/* Byte-table CRC, four bytes per aligned word load: the loader's CRC time
 * is CPU bound (the core runs at its reset clock, 64 MHz on the H743). */
uint32_t swl_crc_update(const uint32_t *table, uint32_t crc, const uint8_t *p, uint32_t n)
{
	while (n && ((uint32_t)p & 3u)) {
		crc = (crc << 8) ^ table[(crc >> 24) ^ *p++];
		n--;
	}
	for (; n >= 4u; n -= 4u, p += 4) {
		uint32_t w = *(const uint32_t *)p; /* little endian: first byte lowest */
		crc = (crc << 8) ^ table[(crc >> 24) ^ (w & 0xFFu)];
		crc = (crc << 8) ^ table[(crc >> 24) ^ ((w >> 8) & 0xFFu)];
		crc = (crc << 8) ^ table[(crc >> 24) ^ ((w >> 16) & 0xFFu)];
		crc = (crc << 8) ^ table[(crc >> 24) ^ (w >> 24)];
	}
	while (n--)
		crc = (crc << 8) ^ table[(crc >> 24) ^ *p++];
	return crc;
}

void swl_store_crc(struct swl_params *p, const struct swl_job *j, uint32_t addr, uint32_t crc)
{
	if (!j->crc_out)
		return;
	((uint32_t *)j->crc_out)[(addr - j->addr) / p->sector_size] = crc;
	p->verified++;
}

void swl_verify_sector(struct swl_params *p, const struct swl_job *j, uint32_t addr)
{
	if (j->crc_out)
		swl_store_crc(p, j, addr,
			      swl_crc_update((const uint32_t *)p->scratch, 0xFFFFFFFFu, (const uint8_t *)addr,
					     p->sector_size));
}

uint32_t swl_crc_ranges(struct swl_params *p)
{
	struct swl_range *r = (struct swl_range *)p->ranges;
	const uint32_t *table = (const uint32_t *)p->scratch;

	for (uint32_t i = 0; i < p->n_ranges; i++) {
		r[i].crc = swl_crc_update(table, 0xFFFFFFFFu, (const uint8_t *)r[i].addr, r[i].len);
		p->progress = i + 1;
	}
	return SWL_OK;
}

void swl_pause(uint32_t n)
{
	__asm volatile("1: subs %0, %0, #1\n\tbne 1b" : "+r"(n));
}

int swl_all_ones(const uint32_t *w, uint32_t words)
{
	for (uint32_t i = 0; i < words; i++)
		if (w[i] != 0xFFFFFFFFu)
			return 0;
	return 1;
}

uint32_t swl_check(const struct swl_params *p)
{
	return p->magic == SWL_MAGIC && p->version == SWL_ABI_VERSION ? SWL_OK : SWL_ERR_VERSION;
}

#define SCB_CCR 0xE000ED14u
#define CCR_DC (1u << 16)
#define CCR_IC (1u << 17)
#define SCB_CCSIDR 0xE000ED80u
#define SCB_CSSELR 0xE000ED84u
#define SCB_ICIALLU 0xE000EF50u
#define SCB_DCCISW 0xE000EF74u

/* Clean and invalidate the whole L1 D-cache by set/way (CCSIDR geometry). */
static void dcache_clean_invalidate(void)
{
	uint32_t ccsidr, sets, ways, shift = 0;

	SWL_REG(SCB_CSSELR) = 0; /* level 1 data cache */
	__asm volatile("dsb");
	ccsidr = SWL_REG(SCB_CCSIDR);
	sets = ((ccsidr >> 13) & 0x7FFFu) + 1u;
	ways = ((ccsidr >> 3) & 0x3FFu) + 1u;
	for (uint32_t w = ways - 1u; w; w >>= 1)
		shift++;
	for (uint32_t set = 0; set < sets; set++)
		for (uint32_t way = 0; way < ways; way++)
			SWL_REG(SCB_DCCISW) = (way << (32u - (shift ? shift : 1u))) |
					      (set << (((ccsidr & 7u) + 4u)));
	__asm volatile("dsb\n\tisb");
}

void swl_caches_off(struct swl_params *p)
{
	uint32_t ccr = SWL_REG(SCB_CCR);

	p->saved_ccr = ccr;
	if (ccr & CCR_DC) {
		dcache_clean_invalidate();
		SWL_REG(SCB_CCR) = ccr & ~CCR_DC;
		__asm volatile("dsb\n\tisb");
	}
}

void swl_caches_restore(const struct swl_params *p)
{
	if (p->saved_ccr & CCR_DC)
		dcache_clean_invalidate();
	if (p->saved_ccr & (CCR_DC | CCR_IC)) {
		SWL_REG(SCB_ICIALLU) = 0;
		SWL_REG(SCB_CCR) = p->saved_ccr;
		__asm volatile("dsb\n\tisb");
	}
}

/* The init entry of every loader: check the ABI, switch the caches off,
 * build the CRC table. */
uint32_t swl_init(struct swl_params *p)
{
	uint32_t r = swl_check(p);

	if (r == SWL_OK) {
		swl_caches_off(p);
		swl_crc_table((uint32_t *)p->scratch);
	}
	return p->status = r;
}

uint32_t swl_nor_unit(uint32_t addr, uint32_t end)
{
	return !(addr & (SWL_NOR_BLOCK - 1u)) && end - addr >= SWL_NOR_BLOCK ? SWL_NOR_BLOCK : SWL_NOR_SECTOR;
}

/* Every entry returns here: the debugger sees a BKPT halt (DFSR.BKPT). */
__attribute__((naked, noreturn, used)) void swl_return(void)
{
	__asm volatile("bkpt #0x53\n\tb swl_return");
}
