/* i.MX RT1062 FlexRAM banking through IOMUXC_GPR (i.MX RT1060 RM §31,
 * IOMUXC_GPR_GPR14/16/17): sixteen 32 KiB banks shared between ITCM,
 * DTCM and OCRAM. The three windows are RAM regions of the bus created at
 * their largest size (512 KiB); this model sizes them from the bank
 * configuration and moves each bank's contents with it. */
#ifndef SW_SIM_FLEXRAM_RT1062_H
#define SW_SIM_FLEXRAM_RT1062_H

#include <stdint.h>

#include "sim/sim_bus.h"

struct sim;
struct sim_flexram_rt1062;

#define RT_FLEXRAM_WINDOW (512u * 1024u)

/* Adds ITCM (0), DTCM (0x20000000), FlexRAM OCRAM (0x20280000) and the
 * IOMUXC_GPR page (0x400AC000) to `bus`. */
int sim_flexram_rt1062_new(struct sim *sim, struct sim_bus *bus, struct sim_flexram_rt1062 **out);
void sim_flexram_rt1062_free(struct sim_flexram_rt1062 *f);
/* System reset: GPR to reset values, banks back to the fuse default
 * (128 KiB ITCM, 128 KiB DTCM, 256 KiB OCRAM). Also applies the sizes to
 * the core once it exists. */
void sim_flexram_rt1062_reset(struct sim_flexram_rt1062 *f);

#endif
