/* Alif Ensemble MRAM as a bus region (reference/targets.md §4.4): reads are
 * plain memory; writes are collected per 128-bit unit and reach the array
 * only when the whole aligned 16-byte unit has been written. */
#ifndef SW_SIM_MRAM_H
#define SW_SIM_MRAM_H

#include <stdbool.h>
#include <stdint.h>

#define SIM_MRAM_UNIT 16u
/* Time to program one unit: 16 B at 5.8 MB/s, the write throughput of
 * Renesas' 22 nm embedded STT-MRAM test chip (32 Mbit; 2022 Symposium on
 * VLSI Technology and Circuits, Renesas press release 16 June 2022). Alif
 * publishes no figure; this is the closest published one [model]. */
#define SIM_MRAM_UNIT_NS 2759u

struct sim_mram {
	uint8_t *mem;       /* the array (the bus region's backing) */
	uint32_t size;
	/* The unit being collected: offset, bytes so far, which bytes. */
	bool pending;
	uint32_t unit;
	uint8_t buf[SIM_MRAM_UNIT];
	uint16_t have;
	uint64_t units_programmed;
	/* Virtual time (optional): the array is busy programming a unit until
	 * busy_until; a store arriving before then waits (bus stall). */
	uint64_t (*now_ns)(void *);
	void (*stall_until)(void *, uint64_t);
	void *clock;
	uint64_t busy_until;
	uint64_t partial_dropped; /* units abandoned before all 16 bytes came */
};

void sim_mram_init(struct sim_mram *m, uint8_t *mem, uint32_t size);
/* Give the model a clock: programming a unit takes SIM_MRAM_UNIT_NS. */
void sim_mram_set_clock(struct sim_mram *m, uint64_t (*now_ns)(void *), void (*stall_until)(void *, uint64_t),
			void *clock);
/* Region write handler (opaque = struct sim_mram *); off relative to the base. */
int sim_mram_write(void *opaque, uint32_t off, unsigned size, uint32_t val);
/* Reset of the MRAM controller: an unfinished unit is lost. */
void sim_mram_reset(struct sim_mram *m);

#endif
