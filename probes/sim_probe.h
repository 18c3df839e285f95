/* The in-process "sim" probe: drives a struct sim through the generic SWD
 * bit engine at the bit level (sim_wire_io), charging each batch as one
 * probe round trip with the J-Link-style cost model of reference/perf.md §6.
 * SW_SIM_PROBE_TXN selects the transaction-level shortcut instead (faster,
 * used only where a test says so). */
#ifndef SW_SIM_PROBE_H
#define SW_SIM_PROBE_H

#include "probes/probe.h"
#include "sim/sim.h"

#define SW_SIM_PROBE_TXN 0x1u

/* The probe does not own the sim; free the probe (sw_probe_close) first. */
int sw_sim_probe_open(struct sw_ctx *ctx, struct sim *sim, unsigned flags, struct sw_probe **out);

#endif
