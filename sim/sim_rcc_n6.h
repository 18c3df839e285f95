/* STM32N6 RCC (RM0486 RCC; secure alias 0x56028000): registers as storage
 * with their set (+0x800) and clear (+0x1000) aliases, as far as the
 * simulated N657 needs them: AHB5ENR gates XSPI2 and XSPIM. */
#ifndef SW_SIM_RCC_N6_H
#define SW_SIM_RCC_N6_H

#include <stdint.h>

#include "sim/sim_bus.h"

struct sim;
struct sim_rcc_n6;

#define N6_RCC_AHB5ENR 0x260u
#define N6_AHB5ENR_XSPI2EN (1u << 12)
#define N6_AHB5ENR_XSPIMEN (1u << 13)

/* `changed(chip)` is called after every write (a clock gate may have moved). */
int sim_rcc_n6_new(struct sim *sim, struct sim_bus *bus, void (*changed)(void *chip), void *chip,
		   struct sim_rcc_n6 **out);
void sim_rcc_n6_free(struct sim_rcc_n6 *r);
void sim_rcc_n6_reset(struct sim_rcc_n6 *r);
uint32_t sim_rcc_n6_get(const struct sim_rcc_n6 *r, uint32_t off);
/* What the boot ROM turns on (bits of the register at off). */
void sim_rcc_n6_set(struct sim_rcc_n6 *r, uint32_t off, uint32_t bits);

#endif
