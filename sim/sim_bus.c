/* Simulated bus: a sorted table of regions, each RAM, ROM-with-controller or
 * MMIO. Accesses are little-endian, as on every Cortex-M bus here. */
#include <stdlib.h>
#include <string.h>

#include "sim/sim_bus.h"

#define SIM_BUS_MAX_REGIONS 64

struct sim_bus {
	struct sim_region regions[SIM_BUS_MAX_REGIONS];
	size_t n;
};

int sim_bus_new(struct sim_bus **out)
{
	*out = calloc(1, sizeof(**out));
	return *out ? 0 : -1;
}

void sim_bus_free(struct sim_bus *bus)
{
	if (!bus)
		return;
	for (size_t i = 0; i < bus->n; i++)
		if (!bus->regions[i].borrowed)
			free(bus->regions[i].mem);
	free(bus);
}

static int overlaps(const struct sim_bus *bus, uint32_t base, uint32_t size)
{
	uint64_t end = (uint64_t)base + size;

	for (size_t i = 0; i < bus->n; i++) {
		const struct sim_region *r = &bus->regions[i];
		if (base < (uint64_t)r->base + r->size && end > r->base)
			return 1;
	}
	return 0;
}

static int add(struct sim_bus *bus, const struct sim_region *r)
{
	size_t pos;

	if (bus->n == SIM_BUS_MAX_REGIONS || r->size == 0 || overlaps(bus, r->base, r->size) ||
	    (uint64_t)r->base + r->size > 0x100000000ull)
		return -1;
	for (pos = 0; pos < bus->n && bus->regions[pos].base < r->base; pos++)
		;
	memmove(&bus->regions[pos + 1], &bus->regions[pos], (bus->n - pos) * sizeof(*r));
	bus->regions[pos] = *r;
	bus->n++;
	return 0;
}

static int add_mem(struct sim_bus *bus, struct sim_region *r, uint8_t fill, uint8_t **mem)
{
	r->mem = malloc(r->size);
	if (!r->mem)
		return -1;
	memset(r->mem, fill, r->size);
	if (add(bus, r)) {
		free(r->mem);
		return -1;
	}
	if (mem)
		*mem = r->mem;
	return 0;
}

int sim_bus_add_ram(struct sim_bus *bus, const char *name, uint32_t base, uint32_t size,
		    uint8_t **mem)
{
	struct sim_region r = {.name = name, .base = base, .size = size, .kind = SIM_REGION_RAM};

	return add_mem(bus, &r, 0, mem);
}

int sim_bus_add_rom(struct sim_bus *bus, const char *name, uint32_t base, uint32_t size,
		    uint8_t fill, sim_mmio_write_fn wr, void *opaque, uint8_t **mem)
{
	struct sim_region r = {.name = name,
			       .base = base,
			       .size = size,
			       .kind = SIM_REGION_ROM,
			       .wr = wr,
			       .opaque = opaque};

	return add_mem(bus, &r, fill, mem);
}

int sim_bus_add_mmio(struct sim_bus *bus, const char *name, uint32_t base, uint32_t size,
		     sim_mmio_read_fn rd, sim_mmio_write_fn wr, void *opaque)
{
	struct sim_region r = {.name = name,
			       .base = base,
			       .size = size,
			       .kind = SIM_REGION_MMIO,
			       .rd = rd,
			       .wr = wr,
			       .opaque = opaque};

	return add(bus, &r);
}

int sim_bus_add_alias(struct sim_bus *bus, const struct sim_region *src, const char *name,
		      uint32_t base)
{
	struct sim_region r = *src;

	if (src->kind == SIM_REGION_MMIO || !src->mem)
		return -1;
	r.name = name;
	r.base = base;
	r.borrowed = 1;
	return add(bus, &r);
}

int sim_bus_resize(struct sim_bus *bus, uint32_t base, uint32_t size)
{
	for (size_t i = 0; i < bus->n; i++) {
		struct sim_region *r = &bus->regions[i];
		if (r->base != base || r->kind != SIM_REGION_RAM)
			continue;
		if (!r->max_size)
			r->max_size = r->size;
		if (size > r->max_size)
			return -1;
		r->size = size;
		return 0;
	}
	return -1;
}

int sim_bus_set_read_gate(struct sim_bus *bus, uint32_t base, sim_mmio_read_fn gate, void *opaque)
{
	for (size_t i = 0; i < bus->n; i++) {
		struct sim_region *r = &bus->regions[i];
		if (r->base != base || r->kind != SIM_REGION_ROM)
			continue;
		if (r->wr && r->opaque != opaque)
			return -1;
		r->rd = gate;
		r->opaque = opaque;
		return 0;
	}
	return -1;
}

int sim_bus_set_fetch_gate(struct sim_bus *bus, uint32_t base, sim_fetch_fn fetch, void *opaque)
{
	for (size_t i = 0; i < bus->n; i++) {
		struct sim_region *r = &bus->regions[i];
		if (r->base != base || r->kind != SIM_REGION_ROM)
			continue;
		r->fetch = fetch;
		r->fetch_opaque = opaque;
		return 0;
	}
	return -1;
}

const struct sim_region *sim_bus_find(const struct sim_bus *bus, uint32_t addr)
{
	size_t lo = 0, hi = bus->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		const struct sim_region *r = &bus->regions[mid];
		if (addr < r->base)
			hi = mid;
		else if (addr - r->base >= r->size)
			lo = mid + 1;
		else
			return r;
	}
	return NULL;
}

size_t sim_bus_regions(const struct sim_bus *bus, const struct sim_region **list)
{
	*list = bus->regions;
	return bus->n;
}

static uint32_t load_le(const uint8_t *p, unsigned size)
{
	uint32_t v = 0;

	for (unsigned i = 0; i < size; i++)
		v |= (uint32_t)p[i] << (8 * i);
	return v;
}

static void store_le(uint8_t *p, unsigned size, uint32_t v)
{
	for (unsigned i = 0; i < size; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

int sim_bus_read(struct sim_bus *bus, uint32_t addr, unsigned size, uint32_t *val)
{
	const struct sim_region *r = sim_bus_find(bus, addr);
	uint32_t off;

	if (!r || (size != 1 && size != 2 && size != 4) || (addr & (size - 1)))
		return -1;
	off = addr - r->base;
	if (off + size > r->size)
		return -1;
	if (r->kind == SIM_REGION_MMIO)
		return r->rd ? r->rd(r->opaque, off, size, val) : -1;
	if (r->rd) {
		int g = r->rd(r->opaque, off, size, val);
		if (g)
			return g < 0 ? -1 : 0;
	}
	*val = load_le(r->mem + off, size);
	return 0;
}

int sim_bus_write(struct sim_bus *bus, uint32_t addr, unsigned size, uint32_t val)
{
	const struct sim_region *r = sim_bus_find(bus, addr);
	uint32_t off;

	if (!r || (size != 1 && size != 2 && size != 4) || (addr & (size - 1)))
		return -1;
	off = addr - r->base;
	if (off + size > r->size)
		return -1;
	switch (r->kind) {
	case SIM_REGION_RAM:
		store_le(r->mem + off, size, val);
		return 0;
	case SIM_REGION_ROM:
		return r->wr ? r->wr(r->opaque, off, size, val) : -1;
	case SIM_REGION_MMIO:
		return r->wr ? r->wr(r->opaque, off, size, val) : -1;
	}
	return -1;
}
