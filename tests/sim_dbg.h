/* A debugger's view of a simulated core for unit tests: word accesses on
 * the bus the MEM-AP would use, core registers through DCRSR/DCRDR
 * (ARMv7-M ARM C1.6.3). */
#ifndef SW_TEST_SIM_DBG_H
#define SW_TEST_SIM_DBG_H

#include "sim/sim_bus.h"
#include "sim/sim_core.h"
#include "tests/test.h"

#define DBG_DHCSR 0xE000EDF0u
#define DBG_DCRSR 0xE000EDF4u
#define DBG_DCRDR 0xE000EDF8u
#define DBG_S_REGRDY (1u << 16)

static inline uint32_t dbg_rd(struct sim_bus *bus, uint32_t addr)
{
	uint32_t v = 0xDEADBEEFu;

	CHECK_OK(sim_bus_read(bus, addr, 4, &v));
	return v;
}

static inline void dbg_wr(struct sim_bus *bus, uint32_t addr, uint32_t v)
{
	CHECK_OK(sim_bus_write(bus, addr, 4, v));
}

/* A debug request (DCRSR transfer, C_HALT, C_STEP) completes a core clock
 * cycle later (sim/sim_core_dbg.c): let 1 us of virtual time pass, about
 * one SWD packet at 46 MHz, as the debugger's next access would. */
static inline void dbg_settle(struct sim_core *core)
{
	sim_core_run(core, 1000);
}

static inline uint32_t dbg_reg_rd(struct sim_bus *bus, struct sim_core *core, uint32_t sel)
{
	dbg_wr(bus, DBG_DCRSR, sel);
	dbg_settle(core);
	CHECK_MSG(dbg_rd(bus, DBG_DHCSR) & DBG_S_REGRDY, "S_REGRDY after reading REGSEL %u", sel);
	return dbg_rd(bus, DBG_DCRDR);
}

static inline void dbg_reg_wr(struct sim_bus *bus, struct sim_core *core, uint32_t sel, uint32_t v)
{
	dbg_wr(bus, DBG_DCRDR, v);
	dbg_wr(bus, DBG_DCRSR, (1u << 16) | sel);
	dbg_settle(core);
}

/* Little-endian stores into a region's backing memory (code, vectors). */
static inline void put16(uint8_t *mem, uint32_t off, uint16_t v)
{
	mem[off] = (uint8_t)v;
	mem[off + 1] = (uint8_t)(v >> 8);
}

static inline void put32(uint8_t *mem, uint32_t off, uint32_t v)
{
	for (unsigned i = 0; i < 4; i++)
		mem[off + i] = (uint8_t)(v >> (8 * i));
}

#endif
