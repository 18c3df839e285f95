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

uint32_t swl_crc_update(const uint32_t *table, uint32_t crc, const uint8_t *p, uint32_t n)
{
	while (n--)
		crc = (crc << 8) ^ table[((crc >> 24) ^ *p++) & 0xFFu];
	return crc;
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

/* Every entry returns here: the debugger sees a BKPT halt (DFSR.BKPT). */
__attribute__((naked, noreturn, used)) void swl_return(void)
{
	__asm volatile("bkpt #0x53\n\tb swl_return");
}
