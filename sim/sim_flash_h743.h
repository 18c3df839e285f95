/* STM32H743 embedded flash controller model (RM0433 §4, reference/targets.md
 * §1.4): two banks with their own KEYR/CR/SR/CCR, 256-bit flash-word
 * programming through a write buffer, sector and bank erase, error flags,
 * and busy times in virtual time (reference/perf.md §3.1: x64 100 us per
 * word, 1.0 s per 128 KiB sector; "max" corner 200 us / 2.0 s). */
#ifndef SW_SIM_FLASH_H743_H
#define SW_SIM_FLASH_H743_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/sim_bus.h"

struct sim_flash_h743;

struct sim_flash_h743_cfg {
	uint8_t *bank[2];           /* backing memory of each 1 MiB bank */
	uint64_t (*now_ns)(void *); /* the simulator's virtual clock */
	void (*stall_until)(void *, uint64_t ns); /* the bus waits (AHB wait states) */
	void *clock;
	bool max_corner;            /* datasheet maxima instead of typical values */
	bool (*max_corner_now)(void *clock); /* or ask the simulator (optional) */
	/* Fault injection (optional): true when the program of the flash word
	 * at this address is to fail silently (a worn cell: bit 0 stays 1). */
	bool (*program_fault)(void *clock, uint32_t addr);
};

int sim_flash_h743_new(const struct sim_flash_h743_cfg *cfg, struct sim_flash_h743 **out);
void sim_flash_h743_free(struct sim_flash_h743 *f);
void sim_flash_h743_set_banks(struct sim_flash_h743 *f, uint8_t *bank1, uint8_t *bank2);
void sim_flash_h743_reset(struct sim_flash_h743 *f);
/* MMIO handlers for the register block at 0x52002000 (size 0x1000). */
int sim_flash_h743_reg_read(void *f, uint32_t off, unsigned size, uint32_t *val);
int sim_flash_h743_reg_write(void *f, uint32_t off, unsigned size, uint32_t val);
/* `wr` handlers for the two flash ROM regions (stores into flash). */
int sim_flash_h743_bank1_write(void *f, uint32_t off, unsigned size, uint32_t val);
int sim_flash_h743_bank2_write(void *f, uint32_t off, unsigned size, uint32_t val);
/* Read gates for the two flash ROM regions (a busy bank stalls the read). */
int sim_flash_h743_bank1_read(void *f, uint32_t off, unsigned size, uint32_t *val);
int sim_flash_h743_bank2_read(void *f, uint32_t off, unsigned size, uint32_t *val);
/* Fetch gates (sim_bus_set_fetch_gate): ns an instruction fetch waits. */
uint64_t sim_flash_h743_bank1_fetch(void *f, uint32_t off, unsigned size);
uint64_t sim_flash_h743_bank2_fetch(void *f, uint32_t off, unsigned size);


#endif
