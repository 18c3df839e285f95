/* MEM-AP model (ADIv5.2 C2; ADIv6 C2 with registers at 0xD00): CSW, TAR,
 * DRW with byte lanes, banked data BD0-3, auto-increment that wraps inside
 * a 1 KiB block (C2.2.2: only TAR[9:0] increments), packed transfers
 * (C2.2.7), CFG/BASE/IDR. Bus errors are returned so the DP sets STICKYERR. */
#include "sim/sim_internal.h"

#define CSW_SIZE_MASK 0x7u
#define CSW_ADDRINC_SHIFT 4
#define CSW_DEVICEEN (1u << 6)
#define CSW_WRITABLE (CSW_SIZE_MASK | (3u << CSW_ADDRINC_SHIFT) | (0x7Fu << 24) | (1u << 31) | (0xFu << 8))

struct sim_ap *sim_ap_find(struct sim *sim, uint64_t addr)
{
	for (unsigned i = 0; i < sim->n_aps; i++)
		if (sim->aps[i].addr == addr)
			return &sim->aps[i];
	return NULL;
}

static bool bus_dead(const struct sim *sim, const struct sim_ap *ap)
{
	return (ap->dead_in_reset && sim->nrst) || (ap->is_locked && ap->is_locked(sim));
}

static uint32_t tar_inc(uint32_t tar, uint32_t by)
{
	return (tar & ~0x3FFu) | ((tar + by) & 0x3FFu);
}

static unsigned csw_size(const struct sim_ap *ap)
{
	unsigned s = ap->csw & CSW_SIZE_MASK;

	return s <= 2 ? 1u << s : 0;
}

/* A memory write through the AP: translated code from those bytes is stale. */
static int bus_write(struct sim *sim, struct sim_ap *ap, uint32_t addr, unsigned size, uint32_t val)
{
	int r = sim_bus_write(ap->bus, addr, size, val);

	for (unsigned i = 0; i < sim->n_cores; i++)
		sim_core_code_written(sim->cores[i], addr, size);
	return r;
}

/* One DRW access: single (lane by TAR[1:0]) or packed (4 bytes in a word). */
static int drw(struct sim *sim, struct sim_ap *ap, bool write, uint32_t *val)
{
	unsigned size = csw_size(ap), inc = (ap->csw >> CSW_ADDRINC_SHIFT) & 3u;
	uint32_t v, out = 0;
	int r = 0;

	if (!size || bus_dead(sim, ap))
		return -1;
	if (inc == 2 && size < 4) {
		/* Packed: 4/size beats, lanes follow the address (C2.2.7). */
		for (unsigned b = 0; b < 4 / size && !r; b++) {
			uint32_t addr = (ap->tar & ~3u) + b * size;
			unsigned sh = 8 * (addr & 3u);
			uint32_t mask = size == 1 ? 0xFFu : 0xFFFFu;
			if (write)
				r = bus_write(sim, ap, addr, size, (*val >> sh) & mask);
			else if (!(r = sim_bus_read(ap->bus, addr, size, &v)))
				out |= (v & mask) << sh;
		}
		if (!write)
			*val = out;
		ap->tar = tar_inc(ap->tar, 4);
		return r;
	}
	uint32_t addr = ap->tar & ~(uint32_t)(size - 1);
	unsigned sh = 8 * (ap->tar & 3u & ~(size - 1));
	uint32_t mask = size == 4 ? 0xFFFFFFFFu : (1u << (8 * size)) - 1;
	if (write)
		r = bus_write(sim, ap, addr, size, (*val >> sh) & mask);
	else if (!(r = sim_bus_read(ap->bus, addr, size, &v)))
		*val = (v & mask) << sh;
	if (inc)
		ap->tar = tar_inc(ap->tar, size);
	return r;
}

/* Map an ADIv6 register offset to the ADIv5 layout; -1 for ID registers. */
static int reg_index(const struct sim_ap *ap, uint32_t reg, uint32_t *r5)
{
	if (ap->ids) {
		if (reg >= 0xD00 && reg < 0xE00) {
			*r5 = reg - 0xD00;
			return 0;
		}
		return -1;
	}
	*r5 = reg;
	return 0;
}

int sim_ap_read(struct sim *sim, struct sim_ap *ap, uint32_t reg, uint32_t *val)
{
	uint32_t r5;

	if (ap->rom)
		return sim_rom_table_read((void *)(uintptr_t)ap->rom, reg, 4, val);
	if (reg_index(ap, reg, &r5)) {
		if (sim_cs_id_read(ap->ids, reg, val))
			*val = 0;
		return 0;
	}
	switch (r5) {
	case 0x00:
		*val = ap->csw | ap->csw_fixed;
		if (ap->is_locked && ap->is_locked(sim))
			*val &= ~CSW_DEVICEEN;
		return 0;
	case 0x04: *val = ap->tar; return 0;
	case 0x08: *val = 0; return 0; /* TAR[63:32]: 32-bit bus */
	case 0x0C: return drw(sim, ap, false, val);
	case 0x10: case 0x14: case 0x18: case 0x1C:
		if (bus_dead(sim, ap))
			return -1;
		return sim_bus_read(ap->bus, (ap->tar & ~0xFu) | (r5 & 0xCu), 4, val);
	case 0xF4: *val = ap->cfg; return 0;
	case 0xF8: *val = ap->base; return 0;
	case 0xFC: *val = ap->idr; return 0;
	default: *val = 0; return 0;
	}
}

int sim_ap_write(struct sim *sim, struct sim_ap *ap, uint32_t reg, uint32_t val)
{
	uint32_t r5;

	if (ap->rom || reg_index(ap, reg, &r5))
		return 0; /* read-only space: writes ignored */
	switch (r5) {
	case 0x00:
		ap->csw = val & CSW_WRITABLE;
		if (ap->apb) /* APB-AP: 32-bit only (Size reads as word) */
			ap->csw = (ap->csw & ~CSW_SIZE_MASK) | 2u;
		return 0;
	case 0x04: ap->tar = val; return 0;
	case 0x0C: return drw(sim, ap, true, &val);
	case 0x10: case 0x14: case 0x18: case 0x1C:
		if (bus_dead(sim, ap))
			return -1;
		return bus_write(sim, ap, (ap->tar & ~0xFu) | (r5 & 0xCu), 4, val);
	default: return 0;
	}
}
