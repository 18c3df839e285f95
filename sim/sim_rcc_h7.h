/* STM32H7 clock and power blocks (RM0433): RCC, PWR and SYSCFG_PWRCR, as
 * much as vendor-style start-up code needs to run to main and past its
 * clock set-up: oscillator and PLL ready flags with their start-up
 * delays, system clock switch, bus prescalers, peripheral clock enables,
 * supply configuration and voltage scaling ready. The core clock follows
 * the clock tree. GPIO ports as storage are sim_gpio_stm32.c. */
#ifndef SW_SIM_RCC_H7_H
#define SW_SIM_RCC_H7_H

#include <stdint.h>

#include "sim/sim_bus.h"

struct sim;
struct sim_rcc_h7;

/* Maps the 4 KiB pages 0x58024000 (RCC, PWR) and 0x58000000 (SYSCFG) on
 * `bus`; the rest of those pages is unmodelled. hse_hz: the board's
 * crystal. */
int sim_rcc_h7_new(struct sim *sim, struct sim_bus *bus, uint32_t hse_hz, struct sim_rcc_h7 **out);
void sim_rcc_h7_free(struct sim_rcc_h7 *r);
/* System reset: RCC and SYSCFG to reset values; the PWR supply
 * configuration survives (it is kept until power-on reset, RM0433 6.8.4). */
void sim_rcc_h7_reset(struct sim_rcc_h7 *r);
/* RCC_AHB4ENR (GPIO port clocks), for the GPIO model. */
const uint32_t *sim_rcc_h7_ahb4enr(const struct sim_rcc_h7 *r);

#endif
