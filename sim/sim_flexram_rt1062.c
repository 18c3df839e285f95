/* i.MX RT1062 FlexRAM banks (i.MX RT1060 RM §31.3, §11.3 IOMUXC_GPR):
 * - GPR17 FLEXRAM_BANK_CFG: two bits per 32 KiB bank, 00 unused, 01 OCRAM,
 *   10 DTCM, 11 ITCM; in effect once GPR16.FLEXRAM_BANK_CFG_SEL (bit 2) is
 *   set, before that the fuse default (128/128/256 KiB) applies;
 * - GPR14 CM7_CFGITCMSZ [19:16], CM7_CFGDTCMSZ [23:20]: the TCM sizes the
 *   core decodes (0 = none, 3 = 4 KiB ... 10 = 512 KiB); 0 is treated as
 *   "the banks given" [simplified];
 * - each window holds its banks in bank-number order; an access past the
 *   last bank (or the decoded TCM size) is a bus error.
 * Every other GPR is storage. */
#include <stdlib.h>
#include <string.h>

#include "sim/sim_flexram_rt1062.h"
#include "sim/sim_internal.h"

#define BANK (32u * 1024u)
#define N_BANKS 16
#define GPR_BASE 0x400AC000u
#define GPR14 (0x38u / 4)
#define GPR16 (0x40u / 4)
#define GPR17 (0x44u / 4)
#define CFG_SEL (1u << 2)
/* Fuse default (FLEXRAM_CFG 0000): banks 0-7 OCRAM, 8-11 DTCM, 12-15 ITCM
 * [bank order unverified; only the sizes are visible]. */
#define FUSE_DEFAULT 0xFFAA5555u

enum { W_NONE, W_OCRAM, W_DTCM, W_ITCM, N_W };
static const uint32_t window_base[N_W] = {0, 0x20280000u, 0x20000000u, 0x00000000u};

struct sim_flexram_rt1062 {
	struct sim *sim;
	struct sim_bus *bus;
	uint8_t *mem[N_W];      /* window backing, RT_FLEXRAM_WINDOW each */
	uint32_t gpr[0x90 / 4];
	uint32_t cfg;           /* the bank configuration in effect */
	uint8_t parked[N_BANKS][BANK]; /* contents of banks assigned to no window */
};

static uint32_t effective_cfg(const struct sim_flexram_rt1062 *f)
{
	return (f->gpr[GPR16] & CFG_SEL) ? f->gpr[GPR17] : FUSE_DEFAULT;
}

/* Where bank b lives under cfg: its window and byte offset (NULL if unused). */
static uint8_t *bank_at(struct sim_flexram_rt1062 *f, uint32_t cfg, unsigned b)
{
	unsigned w = (cfg >> (2 * b)) & 3u, index = 0;

	if (w == W_NONE)
		return f->parked[b];
	for (unsigned i = 0; i < b; i++)
		if (((cfg >> (2 * i)) & 3u) == w)
			index++;
	return f->mem[w] + index * BANK;
}

/* TCM size decoded from a GPR14 field (ARM TCM size encoding). */
static uint32_t tcm_decode(uint32_t field)
{
	return field >= 3 && field <= 10 ? 1024u << (field - 1) : 0;
}

static void apply_sizes(struct sim_flexram_rt1062 *f)
{
	uint32_t bytes[N_W] = {0};

	for (unsigned b = 0; b < N_BANKS; b++)
		bytes[(f->cfg >> (2 * b)) & 3u] += BANK;
	uint32_t itcm_sz = tcm_decode((f->gpr[GPR14] >> 16) & 0xFu);
	uint32_t dtcm_sz = tcm_decode((f->gpr[GPR14] >> 20) & 0xFu);
	if (itcm_sz && itcm_sz < bytes[W_ITCM])
		bytes[W_ITCM] = itcm_sz;
	if (dtcm_sz && dtcm_sz < bytes[W_DTCM])
		bytes[W_DTCM] = dtcm_sz;
	for (unsigned w = W_OCRAM; w < N_W; w++) {
		sim_bus_resize(f->bus, window_base[w], bytes[w]);
		for (unsigned i = 0; i < f->sim->n_cores; i++)
			sim_core_ram_resized(f->sim->cores[i], window_base[w], bytes[w], RT_FLEXRAM_WINDOW);
	}
}

/* A new bank configuration: each bank's contents move to where the bank
 * now appears (the RAM is the same, its address changes). */
static void remap(struct sim_flexram_rt1062 *f, uint32_t cfg)
{
	uint8_t *tmp = malloc((size_t)N_BANKS * BANK);

	if (tmp) {
		for (unsigned b = 0; b < N_BANKS; b++)
			memcpy(tmp + b * BANK, bank_at(f, f->cfg, b), BANK);
		for (unsigned b = 0; b < N_BANKS; b++)
			memcpy(bank_at(f, cfg, b), tmp + b * BANK, BANK);
		free(tmp);
	}
	f->cfg = cfg;
	apply_sizes(f);
}

static int gpr_read(void *opaque, uint32_t off, unsigned size, uint32_t *val)
{
	struct sim_flexram_rt1062 *f = opaque;
	uint32_t v;

	if (off >= sizeof(f->gpr)) {
		sim_unmodelled(f->sim, GPR_BASE + off);
		return -1;
	}
	v = f->gpr[off / 4];
	*val = sim_sub_word(v, off, size);
	return 0;
}

static int gpr_write(void *opaque, uint32_t off, unsigned size, uint32_t val)
{
	struct sim_flexram_rt1062 *f = opaque;

	if (off >= sizeof(f->gpr)) {
		sim_unmodelled(f->sim, GPR_BASE + off);
		return -1;
	}
	if (size != 4)
		return 0; /* [simplified: GPR writes are word writes] */
	f->gpr[off / 4] = val;
	if (off / 4 == GPR14 || off / 4 == GPR16 || off / 4 == GPR17) {
		if (effective_cfg(f) != f->cfg)
			remap(f, effective_cfg(f));
		else
			apply_sizes(f);
	}
	return 0;
}

void sim_flexram_rt1062_reset(struct sim_flexram_rt1062 *f)
{
	memset(f->gpr, 0, sizeof(f->gpr));
	f->gpr[GPR16] = 0x00200000u; /* CM7_INIT_VTOR [unverified], FLEXRAM_BANK_CFG_SEL 0 */
	f->gpr[GPR17] = 0;
	if (f->cfg != FUSE_DEFAULT)
		remap(f, FUSE_DEFAULT);
	else
		apply_sizes(f);
}

int sim_flexram_rt1062_new(struct sim *sim, struct sim_bus *bus, struct sim_flexram_rt1062 **out)
{
	struct sim_flexram_rt1062 *f = calloc(1, sizeof(*f));
	int r = 0;

	*out = NULL;
	if (!f)
		return sw_fail(sim->ctx, SW_ERR_NOMEM, "sim: out of memory (FlexRAM)");
	f->sim = sim;
	f->bus = bus;
	f->cfg = FUSE_DEFAULT;
	r |= sim_bus_add_ram(bus, "itcm", window_base[W_ITCM], RT_FLEXRAM_WINDOW, &f->mem[W_ITCM]);
	r |= sim_bus_add_ram(bus, "dtcm", window_base[W_DTCM], RT_FLEXRAM_WINDOW, &f->mem[W_DTCM]);
	r |= sim_bus_add_ram(bus, "flexram-ocram", window_base[W_OCRAM], RT_FLEXRAM_WINDOW,
			     &f->mem[W_OCRAM]);
	r |= sim_bus_add_mmio(bus, "iomuxc-gpr", GPR_BASE, 0x1000, gpr_read, gpr_write, f);
	if (r) {
		free(f);
		return sw_fail(sim->ctx, SW_ERR_NOMEM, "sim: cannot map FlexRAM");
	}
	sim_flexram_rt1062_reset(f);
	*out = f;
	return SW_OK;
}

void sim_flexram_rt1062_free(struct sim_flexram_rt1062 *f)
{
	free(f);
}
