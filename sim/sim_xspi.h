/* STM32N6 XSPI controller model (reference/targets.md §2.4 register
 * offsets: CR 0x000, DCR1 0x008, SR 0x020, FCR 0x024, DLR 0x040, AR 0x048,
 * DR 0x050, CCR 0x100, TCR 0x108, IR 0x110; RM0486 XSPI, same scheme as
 * the OCTOSPI). Indirect write / indirect read against a serial NOR, flags
 * TCF/TEF/FTF/BUSY, and memory-mapped mode (CR.FMODE = 3) for the window
 * at 0x70000000, which reads the NOR array directly [simplified: the window
 * also reads while not memory-mapped; instruction phases of one byte on any
 * lines, no DTR/16-bit octal commands, no auto-polling mode]. */
#ifndef SW_SIM_XSPI_H
#define SW_SIM_XSPI_H

#include <stdint.h>

#include "sim/sim_spinor.h"

struct sim_xspi;

int sim_xspi_new(struct sim_spinor *nor, struct sim_xspi **out);
void sim_xspi_free(struct sim_xspi *x);
void sim_xspi_reset(struct sim_xspi *x);
/* The boot ROM leaves XSPI2 in memory-mapped mode with 1-bit READ (03h /
 * 13h for parts above 16 MiB) after loading the FSBL [model]. */
void sim_xspi_boot_config(struct sim_xspi *x, uint32_t nor_size);
uint32_t sim_xspi_cr(const struct sim_xspi *x);
/* Virtual clock: commands take their bus time (BUSY, TCF). */
void sim_xspi_set_clock(struct sim_xspi *x, uint64_t (*now_ns)(void *), void *clock);
/* Fetch gate of the memory-mapped window (sim_bus_set_fetch_gate). */
uint64_t sim_xspi_fetch(void *x, uint32_t off, unsigned size);
/* Read commands the core's fetches issued so far. */
uint64_t sim_xspi_fetch_commands(const struct sim_xspi *x);

int sim_xspi_reg_read(void *x, uint32_t off, unsigned size, uint32_t *val);
int sim_xspi_reg_write(void *x, uint32_t off, unsigned size, uint32_t val);

#endif
