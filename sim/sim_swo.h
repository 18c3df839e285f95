/* Serial wire output of the simulated chips: the ITM's packets leave the
 * chip as a UART (NRZ) byte stream at the rate the SWO block is programmed
 * for, in virtual time. Probe front ends (the sim probe, vjlink's SWO
 * capture) take the bytes whose transmission has finished. */
#ifndef SW_SIM_SWO_H
#define SW_SIM_SWO_H

#include <stddef.h>
#include <stdint.h>

#include "sim/sim_bus.h"

struct sim;
struct sim_swo;

/* STM32H743 (targets.md §1.1): the SWO block at swo_base and the SWTF
 * funnel at swtf_base on the debug APB; trace runs only while
 * DBGMCU_CR.TRACECLKEN (bit 20) is set in *dbgmcu_cr. The SWO clock is the
 * core clock [simplified: RM0433 derives it from the trace clock]. */
int sim_swo_attach(struct sim *sim, struct sim_bus *apb, uint32_t swo_base, uint32_t swtf_base,
		   const uint32_t *dbgmcu_cr, uint32_t swo_clk_hz);
void sim_swo_free(struct sim_swo *swo);

#endif
