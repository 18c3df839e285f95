/* STM32 GPIO ports as storage (RM0433 §11.4): what start-up code writes
 * to configure pins reads back, BSRR drives ODR. */
#include <stdlib.h>
#include <string.h>

#include "sim/sim_gpio_stm32.h"
#include "sim/sim_internal.h"

#define MAX_PORTS 11
#define GPIO_IDR 0x10u
#define GPIO_ODR 0x14u
#define GPIO_BSRR 0x18u

struct sim_gpio_stm32 {
	struct sim *sim;
	uint32_t base;
	unsigned n_ports;
	const uint32_t *enr;
	uint32_t regs[MAX_PORTS][10]; /* MODER .. AFRH */
};

void sim_gpio_stm32_reset(struct sim_gpio_stm32 *g)
{
	memset(g->regs, 0, sizeof(g->regs));
	for (unsigned p = 0; p < g->n_ports; p++)
		g->regs[p][0] = 0xFFFFFFFFu; /* analog */
	/* Port A: PA13/PA14 SWD, PA15 JTDI; port B: PB3 SWO, PB4 (RM0433 §11.4.1). */
	g->regs[0][0] = 0xABFFFFFFu;
	g->regs[0][2] = 0x0C000000u;
	g->regs[0][3] = 0x64000000u;
	g->regs[1][0] = 0xFFFFFEBFu;
	g->regs[1][2] = 0x000000C0u;
	g->regs[1][3] = 0x00000100u;
}

static int port_reg(const struct sim_gpio_stm32 *g, uint32_t off, unsigned *port, unsigned *reg)
{
	*port = off / 0x400u;
	*reg = (off & 0x3FFu) / 4;
	if (*port >= g->n_ports || *reg >= 10) {
		sim_unmodelled(g->sim, g->base + off);
		return -1;
	}
	return 0;
}

static int gpio_read(void *opaque, uint32_t off, unsigned size, uint32_t *val)
{
	struct sim_gpio_stm32 *g = opaque;
	unsigned port, reg;
	uint32_t v;

	if (port_reg(g, off, &port, &reg))
		return -1;
	if (reg * 4 == GPIO_IDR)
		v = g->regs[port][GPIO_ODR / 4];
	else if (reg * 4 == GPIO_BSRR)
		v = 0; /* write-only */
	else
		v = g->regs[port][reg];
	*val = sim_sub_word(v, off, size);
	return 0;
}

static int gpio_write(void *opaque, uint32_t off, unsigned size, uint32_t val)
{
	struct sim_gpio_stm32 *g = opaque;
	unsigned port, reg;

	if (port_reg(g, off, &port, &reg))
		return -1;
	if (g->enr && !(*g->enr & (1u << port)))
		return 0; /* port clock off: the write is lost */
	if (size != 4) {
		uint32_t sh = 8 * (off & 3u), mask = (size == 1 ? 0xFFu : 0xFFFFu) << sh;
		val = reg * 4 == GPIO_BSRR ? (val << sh) & mask
					   : (g->regs[port][reg] & ~mask) | ((val << sh) & mask);
	}
	if (reg * 4 == GPIO_BSRR) /* set wins over reset */
		g->regs[port][GPIO_ODR / 4] = (g->regs[port][GPIO_ODR / 4] & ~(val >> 16)) | (val & 0xFFFFu);
	else if (reg * 4 != GPIO_IDR)
		g->regs[port][reg] = val;
	return 0;
}

int sim_gpio_stm32_new(struct sim *sim, struct sim_bus *bus, uint32_t base, unsigned n_ports,
		       const uint32_t *enr, struct sim_gpio_stm32 **out)
{
	struct sim_gpio_stm32 *g = calloc(1, sizeof(*g));
	uint32_t size = (n_ports * 0x400u + 0xFFFu) & ~0xFFFu;

	*out = NULL;
	if (!g || n_ports > MAX_PORTS) {
		free(g);
		return sw_fail(sim->ctx, SW_ERR_NOMEM, "sim: GPIO model");
	}
	g->sim = sim;
	g->base = base;
	g->n_ports = n_ports;
	g->enr = enr;
	sim_gpio_stm32_reset(g);
	if (sim_bus_add_mmio(bus, "gpio", base, size, gpio_read, gpio_write, g)) {
		free(g);
		return sw_fail(sim->ctx, SW_ERR_NOMEM, "sim: cannot map GPIO");
	}
	*out = g;
	return SW_OK;
}

void sim_gpio_stm32_free(struct sim_gpio_stm32 *g)
{
	free(g);
}
