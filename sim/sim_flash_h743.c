#include <stdlib.h>
#include <string.h>

#include "sim/sim_flash_h743.h"

#define BANK_SIZE (1024u * 1024u)
#define SECTOR_SIZE (128u * 1024u)
#define WORD_BYTES 32u

/* Register offsets inside a bank block (bank 2 at +0x100), RM0433 §4.9. */
#define FLASH_KEYR 0x04u
#define FLASH_CR 0x0Cu
#define FLASH_SR 0x10u
#define FLASH_CCR 0x14u
#define FLASH_KEY1 0x45670123u
#define FLASH_KEY2 0xCDEF89ABu

#define CR_LOCK (1u << 0)
#define CR_PG (1u << 1)
#define CR_SER (1u << 2)
#define CR_BER (1u << 3)
#define CR_PSIZE_MASK (3u << 4)
#define CR_FW (1u << 6)
#define CR_START (1u << 7)
#define CR_SNB_SHIFT 8
#define CR_SNB_MASK (7u << 8)
#define SR_BSY (1u << 0)
#define SR_WBNE (1u << 1)
#define SR_QW (1u << 2)
#define SR_EOP (1u << 16)
#define SR_WRPERR (1u << 17)
#define SR_PGSERR (1u << 18)
#define SR_STRBERR (1u << 19)
#define SR_INCERR (1u << 21)
#define SR_OPERR (1u << 22)
#define SR_ERRORS (SR_WRPERR | SR_PGSERR | SR_STRBERR | SR_INCERR | SR_OPERR)

struct bank {
	uint8_t *mem;
	uint32_t cr, sr;
	unsigned key_state; /* 0 none, 1 first key seen */
	bool key_failed;    /* wrong key: CR locked until reset */
	uint64_t busy_until;
	uint8_t wbuf[WORD_BYTES];
	uint32_t wbuf_row; /* offset of the flash word being filled */
	uint32_t wbuf_mask; /* which bytes were written */
};

struct sim_flash_h743 {
	struct sim_flash_h743_cfg cfg;
	struct bank b[2];
	uint32_t acr; /* FLASH_ACR: LATENCY, WRHIGHFREQ (one register for both banks) */
};

/* Program parallelism PSIZE (x8..x64) sets the speed: fewer bits at a
 * time take longer. Sector erase: measured < 1 s at x64, typ. 1.1 s at x32,
 * < 2 s at x8 (reference/targets.md §1.4 [CrEC; ST-community]); x16 is
 * taken between [model]. Word programming scales the same way [model].
 * Factors in tenths of the x64 time. */
static uint64_t psize_scale(const struct bank *b, uint64_t t)
{
	static const unsigned tenths[4] = {20, 15, 11, 10}; /* x8, x16, x32, x64 */

	return t * tenths[(b->cr & CR_PSIZE_MASK) >> 4] / 10u;
}

static bool max_corner(const struct sim_flash_h743 *f)
{
	return f->cfg.max_corner || (f->cfg.max_corner_now && f->cfg.max_corner_now(f->cfg.clock));
}

static uint64_t t_word(const struct sim_flash_h743 *f, const struct bank *b)
{
	return psize_scale(b, max_corner(f) ? 200000u : 100000u);
}

static uint64_t t_sector(const struct sim_flash_h743 *f, const struct bank *b)
{
	return psize_scale(b, max_corner(f) ? 2000000000ull : 1000000000ull);
}

void sim_flash_h743_reset(struct sim_flash_h743 *f)
{
	f->acr = 0x37u; /* reset value: 7 wait states, WRHIGHFREQ 3 */
	for (int i = 0; i < 2; i++) {
		struct bank *b = &f->b[i];
		b->cr = CR_LOCK | (3u << 4); /* reset value 0x31: locked, PSIZE x64 */
		b->sr = 0;
		b->key_state = 0;
		b->key_failed = false;
		b->wbuf_mask = 0;
		b->busy_until = 0;
	}
}

int sim_flash_h743_new(const struct sim_flash_h743_cfg *cfg, struct sim_flash_h743 **out)
{
	struct sim_flash_h743 *f = calloc(1, sizeof(*f));

	*out = f;
	if (!f)
		return -1;
	f->cfg = *cfg;
	f->b[0].mem = cfg->bank[0];
	f->b[1].mem = cfg->bank[1];
	sim_flash_h743_reset(f);
	return 0;
}

void sim_flash_h743_set_banks(struct sim_flash_h743 *f, uint8_t *bank1, uint8_t *bank2)
{
	f->b[0].mem = bank1;
	f->b[1].mem = bank2;
}

void sim_flash_h743_free(struct sim_flash_h743 *f)
{
	free(f);
}

static uint64_t now(const struct sim_flash_h743 *f)
{
	return f->cfg.now_ns(f->cfg.clock);
}

static bool busy(const struct sim_flash_h743 *f, const struct bank *b)
{
	return now(f) < b->busy_until;
}

/* Start an operation of duration t; a queued one waits for the previous. */
static void start_op(struct sim_flash_h743 *f, struct bank *b, uint64_t t)
{
	uint64_t n = now(f);

	if (b->busy_until > n) /* one operation at a time: the bus stalls (QW) */
		f->cfg.stall_until(f->cfg.clock, b->busy_until), n = b->busy_until;
	b->busy_until = n + t;
	b->sr |= SR_EOP; /* reported once the operation is over (see sr_value) */
}

static uint32_t sr_value(const struct sim_flash_h743 *f, const struct bank *b)
{
	uint32_t v = b->sr;

	if (busy(f, b))
		v = (v | SR_BSY | SR_QW) & ~SR_EOP;
	if (b->wbuf_mask)
		v |= SR_WBNE;
	return v;
}

static void program_word(struct sim_flash_h743 *f, struct bank *b)
{
	uint8_t *dst = b->mem + b->wbuf_row;

	/* A flash word can be programmed once after erase (ECC, targets.md
	 * §1.4); programming a word that is not erased is flagged [model: PGSERR]. */
	for (unsigned i = 0; i < WORD_BYTES; i++)
		if (dst[i] != 0xFF && (b->wbuf_mask & (1u << i))) {
			b->sr |= SR_PGSERR;
			b->wbuf_mask = 0;
			return;
		}
	for (unsigned i = 0; i < WORD_BYTES; i++)
		if (b->wbuf_mask & (1u << i))
			dst[i] = b->wbuf[i];
	if (f->cfg.program_fault &&
	    f->cfg.program_fault(f->cfg.clock, 0x08000000u + (uint32_t)(b - f->b) * BANK_SIZE + b->wbuf_row))
		dst[0] |= 1u; /* [model: injected fault, no flag] the cell did not take the 0 */
	b->wbuf_mask = 0;
	start_op(f, b, t_word(f, b));
}

static int flash_store(struct sim_flash_h743 *f, int bank, uint32_t off, unsigned size, uint32_t val)
{
	struct bank *b = &f->b[bank];
	uint32_t row = off & ~(WORD_BYTES - 1);

	if (!(b->cr & CR_PG) || (b->cr & CR_LOCK)) {
		b->sr |= SR_PGSERR; /* store to flash outside a programming sequence */
		return 0;
	}
	if (b->wbuf_mask && row != b->wbuf_row) {
		b->sr |= SR_INCERR; /* the previous flash word was left incomplete */
		b->wbuf_mask = 0;
	}
	b->wbuf_row = row;
	for (unsigned i = 0; i < size; i++) {
		unsigned pos = (off & (WORD_BYTES - 1)) + i;
		if (b->wbuf_mask & (1u << pos)) {
			/* RM0433 FLASH_SR STRBERR: a byte of the write buffer
			 * written twice before the flash word was complete; the
			 * word is not programmed. */
			b->sr |= SR_STRBERR;
			b->wbuf_mask = 0;
			return 0;
		}
		b->wbuf[pos] = (uint8_t)(val >> (8 * i));
		b->wbuf_mask |= 1u << pos;
	}
	if (b->wbuf_mask == 0xFFFFFFFFu)
		program_word(f, b);
	return 0;
}

/* A read of a bank that is programming or erasing stalls on the AXI bus
 * until the operation ends (RM0433 §4.3.8 read-while-write is only between
 * banks); an erase leaves the sector all ones only once it is over, so the
 * stalled read sees the final data. */
static int bank_read(struct sim_flash_h743 *f, int bank)
{
	struct bank *b = &f->b[bank];

	if (busy(f, b))
		f->cfg.stall_until(f->cfg.clock, b->busy_until);
	return 0;
}

int sim_flash_h743_bank1_read(void *f, uint32_t off, unsigned size, uint32_t *val)
{
	(void)off, (void)size, (void)val;
	return bank_read(f, 0);
}

int sim_flash_h743_bank2_read(void *f, uint32_t off, unsigned size, uint32_t *val)
{
	(void)off, (void)size, (void)val;
	return bank_read(f, 1);
}

/* The core fetches an instruction from a bank: a bank that is programming
 * or erasing holds the fetch like any other read until the operation ends
 * (RM0433 §4.3.8: read-while-write only between the two banks), so code
 * running from the bank it erases waits out the erase. */
static uint64_t bank_fetch(struct sim_flash_h743 *f, int bank)
{
	const struct bank *b = &f->b[bank];
	uint64_t n;

	if (!b->busy_until)
		return 0; /* never programmed or erased since reset */
	n = now(f);
	return b->busy_until > n ? b->busy_until - n : 0;
}

uint64_t sim_flash_h743_bank1_fetch(void *f, uint32_t off, unsigned size)
{
	(void)off, (void)size;
	return bank_fetch(f, 0);
}

uint64_t sim_flash_h743_bank2_fetch(void *f, uint32_t off, unsigned size)
{
	(void)off, (void)size;
	return bank_fetch(f, 1);
}

int sim_flash_h743_bank1_write(void *f, uint32_t off, unsigned size, uint32_t val)
{
	return flash_store(f, 0, off, size, val);
}

int sim_flash_h743_bank2_write(void *f, uint32_t off, unsigned size, uint32_t val)
{
	return flash_store(f, 1, off, size, val);
}

static void cr_write(struct sim_flash_h743 *f, struct bank *b, uint32_t v)
{
	if (b->cr & CR_LOCK) {
		return; /* CR is write-protected while LOCK is set */
	}
	if (busy(f, b)) {
		/* RM0433 §4.3.9/§4.3.10, FLASH_CR: the operation bits and SNB
		 * must not change while BSY/QW are set; a new START before QW
		 * drops is lost [model: the write is ignored, only LOCK takes]. */
		b->cr |= v & CR_LOCK;
		return;
	}
	b->cr = v & (CR_LOCK | CR_PG | CR_SER | CR_BER | CR_PSIZE_MASK | CR_FW | CR_SNB_MASK | (1u << 15));
	if ((v & CR_FW) && b->wbuf_mask) {
		/* Force-write: program a partial flash word, the rest stays erased. */
		for (unsigned i = 0; i < WORD_BYTES; i++)
			if (!(b->wbuf_mask & (1u << i)))
				b->wbuf[i] = 0xFF;
		b->wbuf_mask = 0xFFFFFFFFu;
		program_word(f, b);
		b->cr &= ~CR_FW;
	}
	if (!(v & CR_START))
		return;
	if (v & CR_BER) {
		start_op(f, b, 8 * t_sector(f, b)); /* bank erase modelled as 8 sectors [perf.md §3.1] */
		memset(b->mem, 0xFF, BANK_SIZE);
	} else if (v & CR_SER) {
		unsigned snb = (v & CR_SNB_MASK) >> CR_SNB_SHIFT;
		start_op(f, b, t_sector(f, b));
		memset(b->mem + snb * SECTOR_SIZE, 0xFF, SECTOR_SIZE);
	} else {
		b->sr |= SR_PGSERR; /* START without an erase request */
	}
}

int sim_flash_h743_reg_read(void *opaque, uint32_t off, unsigned size, uint32_t *val)
{
	struct sim_flash_h743 *f = opaque;
	struct bank *b = &f->b[off >= 0x100 && off < 0x200 ? 1 : 0];
	uint32_t r = off & 0xFFu, v = 0;

	switch (r) {
	case FLASH_CR: v = b->cr | (b->key_failed ? CR_LOCK : 0); break;
	case FLASH_SR: v = sr_value(f, b); break;
	case 0x00: v = f->acr; break; /* ACR */
	case 0x1C: v = 0xAAu << 8; break; /* OPTSR_CUR: RDP level 0 (0xAA) */
	/* WPSN_CUR1/2: one bit per sector, 1 = not write-protected; a virgin
	 * chip has all 8 set (RM0433 §4.9.13, factory value 0xFF). */
	case 0x38: v = 0xFFu; break;
	default: v = 0; break;
	}
	*val = size == 4 ? v : (v >> (8 * (off & 3u))) & (size == 1 ? 0xFFu : 0xFFFFu);
	return 0;
}

int sim_flash_h743_reg_write(void *opaque, uint32_t off, unsigned size, uint32_t val)
{
	struct sim_flash_h743 *f = opaque;
	struct bank *b = &f->b[off >= 0x100 && off < 0x200 ? 1 : 0];

	if (size != 4)
		return -1; /* registers are word-accessed */
	switch (off & 0xFFu) {
	case FLASH_KEYR:
		if (b->key_failed || !(b->cr & CR_LOCK)) {
			/* Keying an unlocked controller is an error (targets.md §1.4). */
			b->key_failed = true;
			b->cr |= CR_LOCK;
		} else if (b->key_state == 0 && val == FLASH_KEY1) {
			b->key_state = 1;
		} else if (b->key_state == 1 && val == FLASH_KEY2) {
			b->key_state = 0;
			b->cr &= ~CR_LOCK;
		} else {
			b->key_failed = true; /* wrong sequence: locked until reset */
		}
		return 0;
	case FLASH_CR: cr_write(f, b, val); return 0;
	case FLASH_CCR: b->sr &= ~(val & (SR_EOP | SR_ERRORS)); return 0;
	case 0x00: f->acr = val & 0x3Fu; return 0; /* ACR: clock set-up writes its wait states */
	default: return 0;
	}
}
