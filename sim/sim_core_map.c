/* Construction of the simulated core and the bus as Unicorn sees it:
 * RAM and ROM buffers are mapped in place (uc_mem_map_ptr), so the CPU and
 * the debugger's MEM-AP share one memory; MMIO regions and the core's own
 * PPB go through the bus callbacks. ROM is mapped read/execute only so a
 * CPU store reaches the region's controller (flash programming), as on the
 * AHB where the flash interface decodes writes to the array. */
#include <stdlib.h>
#include <string.h>

#include "sim/sim_core_priv.h"

#define PPB_BASE 0xE0000000u
#define PPB_SIZE 0x40000u
#define PPB_DHCSR 0xEDF0u
#define PPB_DCRSR 0xEDF4u
#define PPB_DCRDR 0xEDF8u
#define PPB_AIRCR 0xED0Cu

/* An MMIO error response. The access has completed inside Unicorn by now,
 * so the run loop takes the fault before the next instruction: a load is
 * reported precisely (stacked PC = the load, BFAR), a store as imprecise,
 * as the Cortex-M7 write buffer does. */
static void mmio_error(struct sim_core *c, uint32_t addr, bool load)
{
	if (c->fault_pending)
		return;
	c->fault_pending = load ? SIM_BUSERR_LOAD : SIM_BUSERR_IMPRECISE;
	c->fault_addr = addr;
	c->stop_request = true;
	uc_emu_stop(c->uc);
}

static uint64_t uc_mmio_rd(uc_engine *uc, uint64_t off, unsigned size, void *user)
{
	struct sim_core_mmio *m = user;
	uint32_t v = 0;

	(void)uc;
	if (!m->region.rd || m->region.rd(m->region.opaque, (uint32_t)off, size, &v))
		mmio_error(m->core, m->region.base + (uint32_t)off, true);
	return v;
}

static void uc_mmio_wr(uc_engine *uc, uint64_t off, unsigned size, uint64_t v, void *user)
{
	struct sim_core_mmio *m = user;

	(void)uc;
	if (!m->region.wr || m->region.wr(m->region.opaque, (uint32_t)off, size, (uint32_t)v))
		mmio_error(m->core, m->region.base + (uint32_t)off, false);
}

/* CPU-side PPB accesses go through the same registers as the debugger's. */
static uint64_t ppb_cpu_rd(uc_engine *uc, uint64_t off, unsigned size, void *user)
{
	(void)uc;
	return sim_core_ppb_cpu_read(user, (uint32_t)off, size);
}

static void ppb_cpu_wr(uc_engine *uc, uint64_t off, unsigned size, uint64_t v, void *user)
{
	struct sim_core *c = user;
	uint32_t o = (uint32_t)off;

	(void)uc;
	if (o == PPB_DHCSR || o == PPB_DCRSR || o == PPB_DCRDR)
		return; /* debugger-owned (C1.6.2: software writes are ignored here) */
	if (o == PPB_AIRCR && size == 4 && (v >> 16) == 0x05FA && (v & 5u)) {
		/* Software reset request: the instruction completes first. */
		c->aircr_prigroup = (uint32_t)v & 0x700u;
		if (v & 4u)
			c->sysreset_pending = true;
		else if (c->cfg.arch == 7)
			c->vectreset_pending = true; /* VECTRESET is ARMv7-M only */
		c->stop_request = true;
		uc_emu_stop(c->uc);
		return;
	}
	sim_core_ppb_cpu_write(c, o, size, (uint32_t)v);
}

/* Drop every translated block. Code only runs from RAM/ROM regions, so
 * invalidating their ranges is a full flush; uc_ctl_flush_tlb (tb_flush)
 * costs about 250 ms in Unicorn 2.0.1, this about 100 us for 3 MiB. */
void sim_core_invalidate_code(struct sim_core *c)
{
	const struct sim_region *regs;
	size_t n = sim_bus_regions(c->bus, &regs);

	for (size_t i = 0; i < n; i++)
		if (regs[i].kind != SIM_REGION_MMIO)
			uc_ctl_remove_cache(c->uc, regs[i].base, (uint64_t)regs[i].base + regs[i].size);
}

/* Put back the bytes Unicorn stored into ROM behind a handled write. */
void sim_core_rom_undo(struct sim_core *c, bool invalidate)
{
	struct sim_rom_undo *u = &c->rom_undo;

	if (!u->mem)
		return;
	memcpy(u->mem, u->old, u->size);
	if (invalidate) /* no code translated from the raw bytes may survive */
		uc_ctl_remove_cache(c->uc, u->addr, u->addr + u->size);
	u->mem = NULL;
}

/* A CPU store into a ROM region. Unicorn calls this before the store; on
 * "handled" it still writes the raw bytes, so snapshot what the array
 * holds after the controller took the write and undo the raw store at the
 * next chance (the next ROM store, or the return from uc_emu_start). A
 * refused write is a precise BusFault, as an AHB error response. */
static bool on_rom_write(uc_engine *uc, uc_mem_type type, uint64_t addr64, int size,
			 int64_t value, void *user)
{
	struct sim_core *c = user;
	uint32_t addr = (uint32_t)addr64;
	const struct sim_region *r = sim_bus_find(c->bus, addr);
	struct sim_rom_undo *u = &c->rom_undo;

	(void)uc, (void)type;
	sim_core_rom_undo(c, false);
	if (!r || r->kind != SIM_REGION_ROM || !r->wr || size <= 0 || size > 8 ||
	    addr - r->base + (uint32_t)size > r->size ||
	    r->wr(r->opaque, addr - r->base, (unsigned)size, (uint32_t)value)) {
		c->fault_pending = SIM_BUSERR_PRECISE;
		c->fault_addr = addr;
		return false;
	}
	u->mem = r->mem + (addr - r->base);
	u->addr = addr;
	u->size = (unsigned)size;
	memcpy(u->old, u->mem, u->size);
	return true;
}

static int map_mmio(struct sim_core *c, const struct sim_region *r)
{
	struct sim_core_mmio *m = &c->mmio[c->n_mmio++];

	m->core = c;
	m->region = *r;
	return uc_mmio_map(c->uc, r->base, r->size, uc_mmio_rd, m, uc_mmio_wr, m) == UC_ERR_OK
		       ? 0
		       : -1;
}

int sim_core_map_bus(struct sim_core *c)
{
	const struct sim_region *regs;
	size_t n = sim_bus_regions(c->bus, &regs);

	c->mmio = calloc(n ? n : 1, sizeof(*c->mmio));
	if (!c->mmio)
		return sw_fail(c->ctx, SW_ERR_NOMEM, "sim core: out of memory");
	for (size_t i = 0; i < n; i++) {
		const struct sim_region *r = &regs[i];
		int e;

		if (r->base == PPB_BASE && r->opaque == c)
			e = uc_mmio_map(c->uc, r->base, r->size, ppb_cpu_rd, c, ppb_cpu_wr, c) ? -1 : 0;
		else if (r->kind == SIM_REGION_MMIO)
			e = map_mmio(c, r);
		else
			/* A resizable RAM (sim_bus_resize) is mapped whole, its
			 * unused tail protected. */
			e = uc_mem_map_ptr(c->uc, r->base, r->max_size ? r->max_size : r->size,
					   r->kind == SIM_REGION_RAM ? UC_PROT_ALL
								     : UC_PROT_READ | UC_PROT_EXEC,
					   r->mem)
				    ? -1
				    : 0;
		if (!e && r->max_size)
			sim_core_ram_resized(c, r->base, r->size, r->max_size);
		if (e)
			return sw_fail(c->ctx, SW_ERR_IO,
				       "sim core: cannot map %s at 0x%08x into Unicorn (base and size "
				       "must be 4 KiB aligned)",
				       r->name, r->base);
	}
	if (uc_hook_add(c->uc, &c->rom_hook, UC_HOOK_MEM_WRITE_PROT, (void *)on_rom_write, c, 1, 0))
		return sw_fail(c->ctx, SW_ERR_IO, "sim core: cannot install the ROM write hook");
	return SW_OK;
}

void sim_core_ram_resized(struct sim_core *c, uint32_t base, uint32_t size, uint32_t max_size)
{
	if (size)
		uc_mem_protect(c->uc, base, size, UC_PROT_ALL);
	if (size < max_size) /* access there: a protection fault, taken as a bus error */
		uc_mem_protect(c->uc, (uint64_t)base + size, max_size - size, UC_PROT_NONE);
	uc_ctl_remove_cache(c->uc, base, (uint64_t)base + max_size);
}

void sim_core_set_readable(struct sim_core *c, uint32_t base, uint32_t size, bool readable)
{
	uc_mem_protect(c->uc, base, size, readable ? UC_PROT_READ | UC_PROT_EXEC : UC_PROT_NONE);
	uc_ctl_remove_cache(c->uc, base, (uint64_t)base + size);
}

int sim_core_new(struct sw_ctx *ctx, struct sim_bus *bus, const struct sim_core_cfg *cfg,
		 struct sim_core **out)
{
	struct sim_core *c = calloc(1, sizeof(*c));
	int r;

	*out = NULL;
	if (!c)
		return sw_fail(ctx, SW_ERR_NOMEM, "sim core: out of memory");
	c->ctx = ctx;
	c->cfg = *cfg;
	c->bus = bus;
	if (c->cfg.fpb_code > SIM_FPB_MAX)
		c->cfg.fpb_code = SIM_FPB_MAX;
	if (c->cfg.dwt_comps > SIM_DWT_MAX)
		c->cfg.dwt_comps = SIM_DWT_MAX;
	if (uc_open(UC_ARCH_ARM, UC_MODE_THUMB | UC_MODE_MCLASS, &c->uc) != UC_ERR_OK) {
		free(c);
		return sw_fail(ctx, SW_ERR_IO, "sim core: Unicorn failed to open");
	}
	/* The Cortex-M33 model stands in for the M55 (ARCHITECTURE.md §4). */
	/* CPUID PARTNO 0xC24: Unicorn's Cortex-M4 (FPv4-SP, no double precision). */
	uc_ctl_set_cpu_model(c->uc, cfg->arch == 8 ? UC_CPU_ARM_CORTEX_M33
				    : ((cfg->cpuid >> 4) & 0xFFFu) == 0xC24u ? UC_CPU_ARM_CORTEX_M4
									      : UC_CPU_ARM_CORTEX_M7);
	if (sim_bus_add_mmio(bus, "ppb", PPB_BASE, PPB_SIZE, sim_core_ppb_read, sim_core_ppb_write,
			     c)) {
		uc_close(c->uc);
		free(c);
		return sw_fail(ctx, SW_ERR_ARG, "sim core: PPB region overlaps");
	}
	if ((r = sim_core_map_bus(c)) || (r = sim_core_exc_hooks(c)) || (r = sim_core_run_hooks(c)) ||
	    (r = sim_core_icache_init(c))) {
		sim_core_free(c);
		return r;
	}
	sim_core_reset(c, SIM_RESET_POWER_ON);
	*out = c;
	return SW_OK;
}

void sim_core_free(struct sim_core *c)
{
	if (!c)
		return;
	if (c->uc)
		uc_close(c->uc);
	sim_core_icache_free(c);
	free(c->mmio);
	free(c);
}
