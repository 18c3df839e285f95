/* Simulated memory buses: RAM, ROM-like memory whose writes go to a
 * controller (flash), and MMIO regions with callbacks. One bus per AP view
 * (e.g. the H743 system bus behind AP0, the debug APB behind AP2). The
 * simulated CPU (sim_core) maps the same RAM buffers, so the core and the
 * debugger see one memory. */
#ifndef SW_SIM_BUS_H
#define SW_SIM_BUS_H

#include <stddef.h>
#include <stdint.h>

/* Return 0, or -1 for a bus error (AHB ERROR response -> MEM-AP sticky error). */
typedef int (*sim_mmio_read_fn)(void *opaque, uint32_t offset, unsigned size, uint32_t *val);
typedef int (*sim_mmio_write_fn)(void *opaque, uint32_t offset, unsigned size, uint32_t val);
/* The core fetches an instruction at `offset`: returns the virtual ns the
 * fetch waits for its memory (0: data at once), see sim_bus_set_fetch_gate. */
typedef uint64_t (*sim_fetch_fn)(void *opaque, uint32_t offset, unsigned size);

enum sim_region_kind {
	SIM_REGION_RAM,  /* plain read/write memory */
	SIM_REGION_ROM,  /* readable memory; writes go to `wr` (flash controller) or fault */
	SIM_REGION_MMIO, /* every access through rd/wr */
};

struct sim_region {
	const char *name;
	uint32_t base;
	uint32_t size;
	enum sim_region_kind kind;
	uint8_t *mem; /* RAM/ROM backing, owned by the bus */
	sim_mmio_read_fn rd;
	sim_mmio_write_fn wr;
	void *opaque;
	int borrowed; /* mem belongs to another region (an alias): not freed here */
	uint32_t max_size; /* size at creation once sim_bus_resize changed it, else 0 */
	sim_fetch_fn fetch; /* instruction-fetch timing of a ROM region, or NULL */
	void *fetch_opaque;
};

struct sim_bus;

int sim_bus_new(struct sim_bus **out);
void sim_bus_free(struct sim_bus *bus);

/* Backing memory is zero-filled for RAM; ROM is filled with `fill` (0xFF for
 * erased flash). *mem may be NULL if the caller does not want it. */
int sim_bus_add_ram(struct sim_bus *bus, const char *name, uint32_t base, uint32_t size,
		    uint8_t **mem);
int sim_bus_add_rom(struct sim_bus *bus, const char *name, uint32_t base, uint32_t size,
		    uint8_t fill, sim_mmio_write_fn wr, void *opaque, uint8_t **mem);
int sim_bus_add_mmio(struct sim_bus *bus, const char *name, uint32_t base, uint32_t size,
		     sim_mmio_read_fn rd, sim_mmio_write_fn wr, void *opaque);

/* Map `src` (a RAM or ROM region of another bus, or of this one) again at
 * `base`, sharing its memory and write handler: shared SRAM seen by two
 * cores, or a TCM's core-local view next to its global address. The alias
 * must not outlive the bus that owns the memory. */
int sim_bus_add_alias(struct sim_bus *bus, const struct sim_region *src, const char *name,
		      uint32_t base);

/* Shrink or regrow a RAM region within the size it was created with (its
 * backing memory stays): the part beyond `size` answers with bus errors.
 * For memories whose size is configurable at run time (RT1062 FlexRAM). */
int sim_bus_resize(struct sim_bus *bus, uint32_t base, uint32_t size);

/* A read gate for the ROM region at `base`: called before each bus read
 * of it (the flash controller stalls a read of a busy bank); returns 0 to
 * read the backing memory, 1 when it set *val itself (a controller's
 * buffer), negative for a bus error. The core's own fetches and loads
 * bypass it [simplified] (fetches are timed by the fetch gate below).
 * `opaque` must match the write handler's, if any. */
int sim_bus_set_read_gate(struct sim_bus *bus, uint32_t base, sim_mmio_read_fn gate, void *opaque);

/* Instruction-fetch timing for the ROM region at `base` (XIP behind a
 * serial-flash controller, a flash bank that can be busy): the simulated
 * core calls it for each instruction it executes from there and waits the
 * time it returns (sim_fetch.c). Data loads still bypass it [simplified]. */
int sim_bus_set_fetch_gate(struct sim_bus *bus, uint32_t base, sim_fetch_fn fetch, void *opaque);

const struct sim_region *sim_bus_find(const struct sim_bus *bus, uint32_t addr);
/* All regions in address order; returns their count. */
size_t sim_bus_regions(const struct sim_bus *bus, const struct sim_region **list);

/* size is 1, 2 or 4; addr must be size-aligned (the MEM-AP guarantees it). */
int sim_bus_read(struct sim_bus *bus, uint32_t addr, unsigned size, uint32_t *val);
int sim_bus_write(struct sim_bus *bus, uint32_t addr, unsigned size, uint32_t val);

#endif
