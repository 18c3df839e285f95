/* SWO set-up on the target: ITM (ARMv7-M ARM C1.7: TCR, TER, LAR), DEMCR.
 * TRCENA (C1.6.5), and the serial output block: a TPIU (ACPR, SPPR, FFCR;
 * ARMv7-M ARM C1.10, CoreSight TPIU TRM) or the STM32H7's SWO block with
 * its funnel and DBGMCU trace clock (targets.md §1.1/§1.3). */
#ifndef SW_SWO_CFG_H
#define SW_SWO_CFG_H

#include <stdbool.h>
#include <stdint.h>

#include "adi/adi.h"

#define SW_SWO_DEFAULT_BAUD 2000000u
#define SW_SWO_DEFAULT_CLK 64000000u /* STM32H7 out of reset: HSI 64 MHz */

/* Where a target's SWO hardware sits. */
struct sw_swo_layout {
	const char *target;    /* target name; NULL ends the table */
	int trace_ap;          /* AP of the output block; -1: the core's AP */
	uint32_t out_base;     /* TPIU or SWO block (ACPR 0x010, SPPR 0x0F0) */
	bool tpiu;             /* a full TPIU: CSPSR = 1 port bit, FFCR formatter off */
	uint32_t funnel_base;  /* 0: none; else CTRL |= 1 enables the ITM input */
	uint32_t dbgmcu_cr;    /* 0: none; else |= dbgmcu_bits (trace clock) */
	uint32_t dbgmcu_bits;
};

/* The layout for a target name (a generic ARMv7-M TPIU if unknown). */
const struct sw_swo_layout *sw_swo_layout_for(const char *target);

/* ACPR for traceclk/(ACPR+1) nearest to baud; *actual receives that rate.
 * SW_ERR_ARG when no prescaler (13 bits) lands within 3 % (UART). */
int sw_swo_prescaler(struct sw_ctx *ctx, uint32_t traceclk, uint32_t baud, uint32_t *acpr,
		     uint32_t *actual);

/* Program ITM ports `mask`, the output block in NRZ at `baud`. */
int sw_swo_configure(struct sw_ctx *ctx, sw_ap *core_ap, sw_ap *trace_ap,
		     const struct sw_swo_layout *l, uint32_t traceclk, uint32_t baud, uint32_t mask,
		     uint32_t *actual);

#endif
