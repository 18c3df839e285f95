/* i.MX RT1062 clock and power blocks (i.MX RT1060 RM §14 CCM, §13
 * CCM_ANALOG, §18 DCDC): PLL lock bits after a lock time, the ARM core
 * clock from PLL1 and the CCM dividers (the simulated core runs at it),
 * clock gates as registers, DCDC STS_DC_OK after a voltage change. */
#ifndef SW_SIM_CCM_RT1062_H
#define SW_SIM_CCM_RT1062_H

#include "sim/sim_bus.h"

struct sim;
struct sim_ccm_rt1062;

/* Maps CCM_ANALOG (0x400D8000), CCM (0x400FC000) and DCDC (0x40080000). */
int sim_ccm_rt1062_new(struct sim *sim, struct sim_bus *bus, struct sim_ccm_rt1062 **out);
void sim_ccm_rt1062_free(struct sim_ccm_rt1062 *c);
void sim_ccm_rt1062_reset(struct sim_ccm_rt1062 *c);

#endif
