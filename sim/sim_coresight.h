/* CoreSight identification registers and ROM tables of simulated components
 * (CoreSight Architecture Specification v3.0 B2: PIDR/CIDR at 0xFD0-0xFFC,
 * DEVARCH 0xFBC, DEVTYPE 0xFCC; ADIv5.2 D3 class 0x1 ROM tables). */
#ifndef SW_SIM_CORESIGHT_H
#define SW_SIM_CORESIGHT_H

#include <stdint.h>

#define SIM_JEP_ARM 0x43Bu /* continuation 4, identity 0x3B: "ARM Ltd" (0x4BB as printed by tools) */
#define SIM_JEP_ST 0x020u

struct sim_cs_id {
	uint16_t designer; /* continuation << 8 | 7-bit identity */
	uint16_t partno;
	uint8_t revision;
	uint8_t cid_class; /* 0x1 ROM table, 0x9 CoreSight, 0xE generic IP */
	uint32_t devarch;  /* class 0x9 only */
	uint8_t devtype;
};

/* Serve an ID register at `off` (0xFBC..0xFFC); returns 0 if it is one. */
int sim_cs_id_read(const struct sim_cs_id *id, uint32_t off, uint32_t *val);

struct sim_rom_table {
	struct sim_cs_id id;
	const uint32_t *entries; /* raw entry words, 0-terminated by count */
	unsigned n;
};

/* MMIO read handler for a ROM table region (opaque = struct sim_rom_table *). */
int sim_rom_table_read(void *opaque, uint32_t off, unsigned size, uint32_t *val);

/* Component IDs of the Cortex-M7 PPB (OpenOCD dap_partnums: SCS 0x00C, ITM
 * 0x001, DWT 0x002, FPB 0x00E, PPB ROM 0x4C7) and the ARMv8-M ones (class 0x9
 * with DEVARCH, ARMv8-M ARM D1.2). */
extern const struct sim_cs_id sim_cs_m7_scs, sim_cs_m7_itm, sim_cs_m7_dwt, sim_cs_m7_fpb;
extern const struct sim_cs_id sim_cs_v8m_scs, sim_cs_v8m_itm, sim_cs_v8m_dwt, sim_cs_v8m_fpb;

#endif
