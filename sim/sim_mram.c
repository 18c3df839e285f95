/* MRAM write-unit model. What the sources say (reference/targets.md §4.4):
 * the unit is 128 bits; every writer we know of (Alif's CMSIS FLM, Alif's
 * Zephyr flash_mram driver, OpenMV's mram.h) stores a whole aligned 16-byte
 * unit as back-to-back stores with interrupts off, and turns a partial
 * update into read-modify-write of the full unit in software. So a partial
 * unit does not change the array by itself. What happens to it exactly is
 * not documented; the model collects the stores of one unit and programs
 * the array once all 16 bytes have arrived (in any order), and drops an
 * unfinished unit when a store to another unit or a controller reset comes
 * first [unverified: the drop is our reading of those drivers]. Reads see
 * the array only: a collected but unprogrammed unit reads back old data.
 * Programming a unit takes SIM_MRAM_UNIT_NS (sim_mram.h: the published
 * 22 nm STT-MRAM write throughput); a store that arrives while the array
 * is still busy waits on the bus until it is free, so a writer faster
 * than the array (the flash loader on the core) is held to its rate. */
#include <string.h>

#include "sim/sim_mram.h"

void sim_mram_init(struct sim_mram *m, uint8_t *mem, uint32_t size)
{
	memset(m, 0, sizeof(*m));
	m->mem = mem;
	m->size = size;
}

void sim_mram_set_clock(struct sim_mram *m, uint64_t (*now_ns)(void *), void (*stall_until)(void *, uint64_t),
			void *clock)
{
	m->now_ns = now_ns;
	m->stall_until = stall_until;
	m->clock = clock;
}

void sim_mram_reset(struct sim_mram *m)
{
	if (m->pending)
		m->partial_dropped++;
	m->pending = false;
	m->have = 0;
}

int sim_mram_write(void *opaque, uint32_t off, unsigned size, uint32_t val)
{
	struct sim_mram *m = opaque;
	uint32_t unit = off & ~(SIM_MRAM_UNIT - 1u), lane = off - unit;

	if (size != 1 && size != 2 && size != 4)
		return -1;
	if (off >= m->size || size > m->size - off || lane + size > SIM_MRAM_UNIT)
		return -1;
	if (m->now_ns && m->stall_until && m->now_ns(m->clock) < m->busy_until)
		m->stall_until(m->clock, m->busy_until); /* array busy: the store waits */
	if (m->pending && m->unit != unit)
		sim_mram_reset(m);
	if (!m->pending) {
		m->pending = true;
		m->unit = unit;
		m->have = 0;
	}
	for (unsigned i = 0; i < size; i++) {
		m->buf[lane + i] = (uint8_t)(val >> (8 * i));
		m->have |= (uint16_t)(1u << (lane + i));
	}
	if (m->have == 0xFFFFu) {
		memcpy(m->mem + unit, m->buf, SIM_MRAM_UNIT);
		m->units_programmed++;
		if (m->now_ns)
			m->busy_until = m->now_ns(m->clock) + SIM_MRAM_UNIT_NS;
		m->pending = false;
		m->have = 0;
	}
	return 0;
}
