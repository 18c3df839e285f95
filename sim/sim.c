/* Simulator object: chip registry, virtual clock, counters, fault injection
 * and the test/--load back door. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/sim_internal.h"
#include "sim/sim_swo.h"
#include "sw/types.h"

/* reference/perf.md §6: J-Link HS 0.5 ms round trip, 4 MHz default SWCLK,
 * about 35 MB/s practical USB HS; FTDI HS with SEND_IMMEDIATE 0.3 ms. */
const struct sim_timing sim_timing_jlink_hs = {500000, 4000000, 35000000};
const struct sim_timing sim_timing_ftdi_hs = {300000, 30000000, 35000000};

static const struct sim_chip *const chips[] = {&sim_chip_stm32h743, &sim_chip_adiv6_m55, &sim_chip_stm32f407,
					       &sim_chip_mimxrt1062, &sim_chip_stm32n657, &sim_chip_ae3, NULL};
static const char *const chip_names[] = {"stm32h743", "adiv6-m55", "stm32f407", "mimxrt1062", "stm32n657", "ae3", NULL};

const char *const *sim_chip_names(void)
{
	return chip_names;
}

int sim_add_bus(struct sim *sim, struct sim_bus **out)
{
	if (sim->n_buses == SW_ARRAY_LEN(sim->buses) || sim_bus_new(out))
		return SW_ERR_NOMEM;
	sim->buses[sim->n_buses++] = *out;
	return SW_OK;
}

int sim_add_ap(struct sim *sim, const struct sim_ap *ap)
{
	if (sim->n_aps == SIM_MAX_APS)
		return SW_ERR_NOMEM;
	sim->aps[sim->n_aps++] = *ap;
	return SW_OK;
}

int sim_new(struct sw_ctx *ctx, const char *chip, struct sim **out)
{
	struct sim *sim;
	int r;

	*out = NULL;
	for (size_t i = 0; chips[i]; i++) {
		if (strcmp(chips[i]->name, chip) != 0)
			continue;
		sim = calloc(1, sizeof(*sim));
		if (!sim)
			return sw_fail(ctx, SW_ERR_NOMEM, "sim: out of memory");
		sim->ctx = ctx;
		sim->chip = chips[i];
		sim->timing = sim_timing_jlink_hs;
		sim_dp_init(sim);
		r = chips[i]->build(sim);
		if (r) {
			sim_free(sim);
			return r;
		}
		*out = sim;
		return SW_OK;
	}
	return sw_fail(ctx, SW_ERR_NOT_FOUND, "sim: unknown chip '%s'", chip);
}

void sim_free(struct sim *sim)
{
	if (!sim)
		return;
	for (unsigned i = 0; i < sim->n_cores; i++)
		sim_core_free(sim->cores[i]);
	if (sim->chip && sim->chip->free_priv)
		sim->chip->free_priv(sim);
	sim_swo_free(sim->swo);
	for (unsigned i = 0; i < sim->n_buses; i++)
		sim_bus_free(sim->buses[i]);
	free(sim);
}

/* Convert wire cycles into time, then let the cores catch up. Cores run in
 * slices of at least 20 us so Unicorn is not entered per transaction. */
void sim_sync(struct sim *sim)
{
	if (sim->pending_cycles) {
		sim->now_ns += sim->pending_cycles * 1000000000ull / sim->timing.swclk_hz;
		sim->pending_cycles = 0;
	}
	if (sim->reset_at && sim->now_ns >= sim->reset_at) {
		/* Let the cores reach the moment of the reset, then pull it. */
		uint64_t now = sim->now_ns;
		sim->now_ns = sim->reset_at;
		sim->reset_at = 0;
		sim->cnt.resets_fired++;
		sim_sync(sim);
		sim_system_reset(sim);
		sim->now_ns = now;
	}
	/* A debug request that is due (sim_core_dbg.c) is completed by running
	 * the cores now, not at the next slice, so it lands on its cycle. */
	bool due = false;
	for (unsigned i = 0; i < sim->n_cores; i++)
		due |= sim_core_debug_due(sim->cores[i], sim->now_ns);
	if (due || sim->now_ns - sim->core_ns >= 20000) {
		for (unsigned i = 0; i < sim->n_cores; i++) {
			sim->running = sim->cores[i];
			sim_core_run(sim->cores[i], sim->now_ns - sim->core_ns);
		}
		sim->running = NULL;
		sim->core_ns = sim->now_ns;
	}
	for (unsigned i = 0; i < sim->n_cores; i++)
		sim_core_debug_tick(sim->cores[i], sim->now_ns);
}

void sim_round_trip(struct sim *sim, size_t bytes_out, size_t bytes_in)
{
	sim->cnt.round_trips++;
	sim->cnt.bytes_out += bytes_out;
	sim->cnt.bytes_in += bytes_in;
	sim->now_ns += sim->timing.t_rt_ns;
	if (sim->timing.usb_bytes_per_s)
		sim->now_ns += (uint64_t)(bytes_out + bytes_in) * 1000000000ull /
			       sim->timing.usb_bytes_per_s;
	sim_sync(sim);
}

void sim_set_timing(struct sim *sim, const struct sim_timing *t)
{
	sim_sync(sim);
	sim->timing = *t;
	if (!sim->timing.swclk_hz)
		sim->timing.swclk_hz = 1000000;
}

void sim_get_timing(const struct sim *sim, struct sim_timing *t)
{
	*t = sim->timing;
}

uint64_t sim_now_ns(const struct sim *sim)
{
	/* A CPU access during a slice happens at the CPU's own point in the
	 * slice, not at the slice's end (the wire clock already ran ahead). */
	if (sim->running)
		return sim->core_ns + sim_core_slice_ns(sim->running);
	return sim->now_ns + sim->pending_cycles * 1000000000ull / sim->timing.swclk_hz;
}

void sim_stall_until(struct sim *sim, uint64_t ns)
{
	uint64_t t = sim_now_ns(sim);

	/* A debugger access the bus holds up (flash array busy, RM0433 §4.3.9)
	 * keeps the AP busy; the DP answers WAIT until it completes (ADIv5.2
	 * B4.2.3) instead of the wire stretching. */
	if (sim->dp.in_ap_access && !sim->running) {
		if (ns > sim->dp.ap_busy_until)
			sim->dp.ap_busy_until = ns;
		return;
	}
	/* The CPU's own access (a store to a busy flash bank, RM0433 §4.3.8):
	 * the core waits, spending its instruction budget; the debugger's
	 * wire clock does not move. */
	if (sim->running) {
		if (ns > t)
			sim_core_stall_ns(sim->running, ns - t);
		return;
	}
	if (ns > t)
		sim->now_ns += ns - t;
}

void sim_advance_ns(struct sim *sim, uint64_t ns)
{
	sim->now_ns += ns;
	sim_sync(sim);
}

void sim_get_counters(const struct sim *sim, struct sim_counters *c)
{
	*c = sim->cnt;
	c->halts = 0;
	for (unsigned i = 0; i < sim->n_cores; i++)
		c->halts += sim_core_halt_entries(sim->cores[i]);
}

void sim_inject(struct sim *sim, enum sim_fault fault, unsigned skip, unsigned count)
{
	sim->fault = fault;
	sim->fault_skip = skip;
	sim->fault_count = count;
}

void sim_inject_flash_bit(struct sim *sim, uint32_t addr)
{
	sim->flash_fault_addr = addr;
	sim->flash_fault_armed = true;
}

void sim_inject_clear(struct sim *sim)
{
	sim->flash_fault_armed = false;
	sim->fault_count = 0;
	sim->stall_armed = false;
}

void sim_inject_stall(struct sim *sim, unsigned skip, uint64_t ns)
{
	sim->stall_armed = true;
	sim->stall_skip = skip;
	sim->stall_ns = ns;
}

void sim_set_nrst(struct sim *sim, bool asserted)
{
	sim_sync(sim);
	if (sim->nrst && !asserted) {
		sim->cnt.resets++;
		if (sim->chip->reset)
			sim->chip->reset(sim);
	}
	sim->nrst = asserted;
	for (unsigned i = 0; i < sim->n_cores; i++)
		sim_core_set_reset_line(sim->cores[i], asserted);
}

void sim_set_max_corner(struct sim *sim, bool on)
{
	sim->max_corner = on;
}

void sim_schedule_reset(struct sim *sim, uint64_t delay_ns)
{
	sim_sync(sim);
	sim->reset_at = delay_ns ? sim->now_ns + delay_ns : 0;
}

/* AIRCR.SYSRESETREQ: peripherals and every core reset; the DP does not. */
void sim_system_reset(void *opaque)
{
	struct sim *sim = opaque;

	sim->cnt.resets++;
	if (sim->chip->reset)
		sim->chip->reset(sim);
	for (unsigned i = 0; i < sim->n_cores; i++)
		sim_core_reset(sim->cores[i], SIM_RESET_SYSTEM);
}

void sim_power_on_reset(struct sim *sim)
{
	sim->cnt.resets++;
	if (sim->chip->reset)
		sim->chip->reset(sim);
	for (unsigned i = 0; i < sim->n_cores; i++)
		sim_core_reset(sim->cores[i], SIM_RESET_POWER_ON);
}

/* Back door: byte-wise so any alignment works; ROM (flash) backing is
 * written directly, bypassing its controller. */
static int backdoor(struct sim *sim, uint32_t addr, uint8_t *rd, const uint8_t *wr, size_t len)
{
	while (len) {
		const struct sim_region *r = sim_bus_find(sim->sysbus, addr);
		uint32_t off, n;

		if (!r || r->kind == SIM_REGION_MMIO)
			return sw_fail(sim->ctx, SW_ERR_MEM_FAULT,
				       "sim: no memory at 0x%08x for the back door", addr);
		off = addr - r->base;
		n = r->size - off;
		if (n > len)
			n = (uint32_t)len;
		if (rd) {
			memcpy(rd, r->mem + off, n);
			rd += n;
		} else {
			memcpy(r->mem + off, wr, n);
			wr += n;
		}
		addr += n;
		len -= n;
	}
	return SW_OK;
}

int sim_mem_read(struct sim *sim, uint32_t addr, void *buf, size_t len)
{
	return backdoor(sim, addr, buf, NULL, len);
}

int sim_mem_write(struct sim *sim, uint32_t addr, const void *buf, size_t len)
{
	for (unsigned i = 0; i < sim->n_cores; i++)
		sim_core_flush_code(sim->cores[i]);
	return backdoor(sim, addr, NULL, buf, len);
}

/* ELF32 little-endian ARM, PT_LOAD segments placed at p_paddr (LMA), the
 * way a flash programmer places them. Every offset is bounds-checked. */
int sim_load_elf(struct sim *sim, const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *img = NULL;
	long size;
	int r = SW_OK;

	if (!f)
		return sw_fail(sim->ctx, SW_ERR_IO, "sim: cannot open %s", path);
	if (fseek(f, 0, SEEK_END) || (size = ftell(f)) < 52 || fseek(f, 0, SEEK_SET)) {
		fclose(f);
		return sw_fail(sim->ctx, SW_ERR_PROTO, "sim: %s: not an ELF file", path);
	}
	img = malloc((size_t)size);
	if (!img || fread(img, 1, (size_t)size, f) != (size_t)size) {
		fclose(f);
		free(img);
		return sw_fail(sim->ctx, SW_ERR_IO, "sim: cannot read %s", path);
	}
	fclose(f);
	if (memcmp(img, "\x7f" "ELF", 4) || img[4] != 1 || img[5] != 1 ||
	    sw_le16_get(img + 18) != 40 /* EM_ARM */) {
		r = sw_fail(sim->ctx, SW_ERR_PROTO, "sim: %s: not a 32-bit little-endian ARM ELF",
			    path);
		goto out;
	}
	uint32_t phoff = sw_le32_get(img + 28);
	uint16_t phentsize = sw_le16_get(img + 42), phnum = sw_le16_get(img + 44);
	if (phentsize < 32 || (uint64_t)phoff + (uint64_t)phentsize * phnum > (uint64_t)size) {
		r = sw_fail(sim->ctx, SW_ERR_PROTO, "sim: %s: bad program headers", path);
		goto out;
	}
	for (unsigned i = 0; i < phnum && !r; i++) {
		const uint8_t *ph = img + phoff + (size_t)i * phentsize;
		uint32_t type = sw_le32_get(ph), off = sw_le32_get(ph + 4);
		uint32_t paddr = sw_le32_get(ph + 12), filesz = sw_le32_get(ph + 16);

		if (type != 1 /* PT_LOAD */ || filesz == 0)
			continue;
		if ((uint64_t)off + filesz > (uint64_t)size) {
			r = sw_fail(sim->ctx, SW_ERR_PROTO, "sim: %s: segment past end of file",
				    path);
			break;
		}
		r = sim_mem_write(sim, paddr, img + off, filesz);
	}
out:
	free(img);
	return r;
}
