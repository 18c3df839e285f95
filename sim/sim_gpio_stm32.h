/* STM32 GPIO ports (RM0433 §11.4) as storage: MODER, OTYPER, OSPEEDR,
 * PUPDR, ODR with BSRR set/reset, LCKR, AFRL/H; IDR reads back ODR
 * [simplified: no pins, inputs read what the port drives]. A port whose
 * clock is off in *enr ignores writes. */
#ifndef SW_SIM_GPIO_STM32_H
#define SW_SIM_GPIO_STM32_H

#include <stdint.h>

#include "sim/sim_bus.h"

struct sim;
struct sim_gpio_stm32;

/* n_ports ports of 0x400 bytes from base (4 KiB aligned); reset values of
 * port A and B differ (debug pins), the others are analog mode. */
int sim_gpio_stm32_new(struct sim *sim, struct sim_bus *bus, uint32_t base, unsigned n_ports,
		       const uint32_t *enr, struct sim_gpio_stm32 **out);
void sim_gpio_stm32_reset(struct sim_gpio_stm32 *g);
void sim_gpio_stm32_free(struct sim_gpio_stm32 *g);

#endif
