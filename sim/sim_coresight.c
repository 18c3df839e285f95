#include "sim/sim_coresight.h"

const struct sim_cs_id sim_cs_m7_scs = {SIM_JEP_ARM, 0x00C, 0, 0xE, 0, 0};
const struct sim_cs_id sim_cs_m7_itm = {SIM_JEP_ARM, 0x001, 0, 0xE, 0, 0};
const struct sim_cs_id sim_cs_m7_dwt = {SIM_JEP_ARM, 0x002, 0, 0xE, 0, 0};
const struct sim_cs_id sim_cs_m7_fpb = {SIM_JEP_ARM, 0x00E, 0, 0xE, 0, 0};
/* ARMv8-M components are CoreSight class 0x9 with DEVARCH: ARCHITECT ARM
 * (0x23B), PRESENT, ARCHID 0x2A04 SCS, 0x1A01 ITM, 0x1A02 DWT, 0x1A03 FPB.
 * Part numbers of the M55 are [unverified]; DEVARCH is what tools decode. */
const struct sim_cs_id sim_cs_v8m_scs = {SIM_JEP_ARM, 0xD22, 0, 0x9, 0x47702A04u, 0};
const struct sim_cs_id sim_cs_v8m_itm = {SIM_JEP_ARM, 0xD22, 0, 0x9, 0x47701A01u, 0x43};
const struct sim_cs_id sim_cs_v8m_dwt = {SIM_JEP_ARM, 0xD22, 0, 0x9, 0x47701A02u, 0};
const struct sim_cs_id sim_cs_v8m_fpb = {SIM_JEP_ARM, 0xD22, 0, 0x9, 0x47701A03u, 0};

int sim_cs_id_read(const struct sim_cs_id *id, uint32_t off, uint32_t *val)
{
	uint32_t cont = (uint32_t)(id->designer >> 8) & 0xF, ident = id->designer & 0x7Fu;

	switch (off) {
	case 0xFBC: *val = id->cid_class == 0x9 ? id->devarch : 0; return 0;
	case 0xFCC: *val = id->devtype; return 0;
	case 0xFD0: *val = cont; return 0;                  /* PIDR4: JEP106 continuation, 4 KiB */
	case 0xFD4: case 0xFD8: case 0xFDC: *val = 0; return 0;
	case 0xFE0: *val = id->partno & 0xFFu; return 0;    /* PIDR0 */
	case 0xFE4: *val = ((uint32_t)id->partno >> 8 & 0xF) | (ident & 0xF) << 4; return 0;
	case 0xFE8: *val = (ident >> 4) | 0x8u | (uint32_t)id->revision << 4; return 0; /* JEDEC bit */
	case 0xFEC: *val = 0; return 0;
	case 0xFF0: *val = 0x0D; return 0;                  /* CIDR preamble */
	case 0xFF4: *val = (uint32_t)id->cid_class << 4; return 0;
	case 0xFF8: *val = 0x05; return 0;
	case 0xFFC: *val = 0xB1; return 0;
	default: return -1;
	}
}

int sim_rom_table_read(void *opaque, uint32_t off, unsigned size, uint32_t *val)
{
	const struct sim_rom_table *t = opaque;

	if (size != 4)
		return -1;
	if (off < 0xF00) {
		*val = off / 4 < t->n ? t->entries[off / 4] : 0;
		return 0;
	}
	if (off == 0xFCC && t->id.cid_class == 0x1) {
		*val = 1; /* MEMTYPE.SYSMEM: system memory present on this bus */
		return 0;
	}
	if (sim_cs_id_read(&t->id, off, val) == 0)
		return 0;
	*val = 0;
	return 0;
}
