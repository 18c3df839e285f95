/* STM32N6 RCC (RM0486): a register file at 0x56028000 whose enable, reset
 * and oscillator registers (offsets below 0x800) also answer at +0x800
 * (write 1 to set) and +0x1000 (write 1 to clear). After reset every
 * peripheral clock the model cares about is off; the chip's boot ROM
 * model turns on what the ROM would. Ready flags: HSI on and ready
 * (RCC_CR/RCC_SR bit 3) [other oscillators and PLLs not modelled]. */
#include <stdlib.h>
#include <string.h>

#include "sim/sim_internal.h"
#include "sim/sim_rcc_n6.h"

#define RCC_BASE 0x56028000u
#define RCC_CR 0x000u
#define RCC_SR 0x004u
#define SET_ALIAS 0x800u
#define CLR_ALIAS 0x1000u
#define HSI (1u << 3)

struct sim_rcc_n6 {
	struct sim *sim;
	void (*changed)(void *chip);
	void *chip;
	uint32_t reg[SET_ALIAS / 4];
};

void sim_rcc_n6_reset(struct sim_rcc_n6 *r)
{
	memset(r->reg, 0, sizeof(r->reg));
	r->reg[RCC_CR / 4] = HSI;
	r->reg[RCC_SR / 4] = HSI;
}

uint32_t sim_rcc_n6_get(const struct sim_rcc_n6 *r, uint32_t off)
{
	return r->reg[(off & (SET_ALIAS - 1u)) / 4];
}

void sim_rcc_n6_set(struct sim_rcc_n6 *r, uint32_t off, uint32_t bits)
{
	r->reg[(off & (SET_ALIAS - 1u)) / 4] |= bits;
	if (r->changed)
		r->changed(r->chip);
}

static int rcc_read(void *opaque, uint32_t off, unsigned size, uint32_t *val)
{
	struct sim_rcc_n6 *r = opaque;

	if (off >= CLR_ALIAS + SET_ALIAS) {
		sim_unmodelled(r->sim, RCC_BASE + off);
		return -1;
	}
	*val = sim_sub_word(r->reg[(off % SET_ALIAS) / 4], off, size);
	return 0;
}

static int rcc_write(void *opaque, uint32_t off, unsigned size, uint32_t val)
{
	struct sim_rcc_n6 *r = opaque;
	uint32_t *reg;

	if (off >= CLR_ALIAS + SET_ALIAS) {
		sim_unmodelled(r->sim, RCC_BASE + off);
		return -1;
	}
	reg = &r->reg[(off % SET_ALIAS) / 4];
	if (size != 4 || (off % SET_ALIAS) == RCC_SR)
		return 0; /* [simplified: word writes]; SR is read-only */
	if (off >= CLR_ALIAS)
		*reg &= ~val;
	else if (off >= SET_ALIAS)
		*reg |= val;
	else
		*reg = val;
	if (r->changed)
		r->changed(r->chip);
	return 0;
}

int sim_rcc_n6_new(struct sim *sim, struct sim_bus *bus, void (*changed)(void *chip), void *chip,
		   struct sim_rcc_n6 **out)
{
	struct sim_rcc_n6 *r = calloc(1, sizeof(*r));

	*out = NULL;
	if (!r)
		return sw_fail(sim->ctx, SW_ERR_NOMEM, "sim: out of memory (RCC)");
	r->sim = sim;
	r->changed = changed;
	r->chip = chip;
	sim_rcc_n6_reset(r);
	if (sim_bus_add_mmio(bus, "rcc", RCC_BASE, 0x2000, rcc_read, rcc_write, r)) {
		free(r);
		return sw_fail(sim->ctx, SW_ERR_NOMEM, "sim: cannot map the N6 RCC");
	}
	*out = r;
	return SW_OK;
}

void sim_rcc_n6_free(struct sim_rcc_n6 *r)
{
	free(r);
}
