/* i.MX RT106x FlexSPI controller model (register offsets as in
 * reference/targets.md §3.4, i.MX RT1060 RM chapter "FlexSPI"): the LUT
 * (16 sequences x 8 instructions, LUTKEY/LUTCR lock), IP commands (IPCR0
 * address, IPCR1 size/sequence, IPCMD trigger) with the 128-byte RX and TX
 * FIFOs (RFDR/TFDR windows, watermarks, IPRXWA/IPTXWE pop/push), INTR
 * flags, and flash A1 with a serial NOR behind it. IP commands take the
 * time their LUT instructions need on the SPI bus (INTR.IPCMDDONE comes
 * then; a trigger before it gets IPCMDGE). The AHB (XIP) window at
 * 0x60000000, as a debugger reads it, goes through an AHB RX buffer that
 * keeps a 1 KiB line until a software reset (MCR0.SWRESET) or a buffer
 * clear drops it, and reads garbage while the NOR is busy. */
#ifndef SW_SIM_FLEXSPI_H
#define SW_SIM_FLEXSPI_H

#include <stdint.h>

#include "sim/sim_spinor.h"

#define SIM_FLEXSPI_FIFO 128u /* IP RX / TX FIFO bytes on the RT1060 */

struct sim_flexspi;

int sim_flexspi_new(struct sim_spinor *nor, uint32_t nor_size, struct sim_flexspi **out);
/* Virtual clock for SPI bus time (and the bus stall of an AHB read). */
void sim_flexspi_set_clock(struct sim_flexspi *x, uint64_t (*now_ns)(void *), void (*stall_until)(void *, uint64_t),
			   void *clock);
/* Read gate of the AHB window (sim_bus_set_read_gate): returns 1 with
 * *val when the data comes from the AHB RX buffer or a busy NOR. */
int sim_flexspi_ahb_read(void *x, uint32_t off, unsigned size, uint32_t *val);
/* Fetch gate of the AHB window (sim_bus_set_fetch_gate): ns the core's
 * instruction fetch waits for the AHB RX buffer / a new read command. */
uint64_t sim_flexspi_fetch(void *x, uint32_t off, unsigned size);
/* Read commands the core's fetches issued so far (buffer misses). */
uint64_t sim_flexspi_fetch_commands(const struct sim_flexspi *x);
void sim_flexspi_free(struct sim_flexspi *x);
/* System reset: every register to its reset value (MCR0.MDIS set). */
void sim_flexspi_reset(struct sim_flexspi *x);
/* What the boot ROM does before XIP: enable the module, size flash A1 and
 * load the LUT from a 512-byte FCB (reference/targets.md §3.4). Returns -1
 * when the FCB tag is not "FCFB" (the ROM then does not boot from NOR). */
int sim_flexspi_boot_config(struct sim_flexspi *x, const uint8_t *fcb);

/* MMIO handlers for the register block at 0x402A8000. */
int sim_flexspi_reg_read(void *x, uint32_t off, unsigned size, uint32_t *val);
int sim_flexspi_reg_write(void *x, uint32_t off, unsigned size, uint32_t val);

#endif
