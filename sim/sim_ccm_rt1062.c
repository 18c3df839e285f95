/* i.MX RT1062 CCM, CCM_ANALOG and DCDC (i.MX RT1060 RM §13, §14, §18).
 * - CCM_ANALOG PLLs (ARM, USB1, USB2, SYS, AUDIO, VIDEO, ENET): LOCK (bit
 *   31) sets a lock time after the PLL powers up or its divider changes
 *   while powered; USB PLLs power up with POWER (bit 12) set, the others
 *   with POWERDOWN (bit 12) clear. SET/CLR/TOG aliases at +4/+8/+C.
 * - CCM: dividers and muxes as registers; ARM_CLK_ROOT = PLL1 / ARM_PODF
 *   (or PLL2, its PFDs, periph_clk2 by CBCMR/CBCDR) / AHB_PODF is the
 *   simulated core's clock; CDHIPR handshakes complete at once
 *   [simplified: busy bits read 0].
 * - DCDC_REG0.STS_DC_OK clears for a settling time after REG3.TRG changes.
 * - The rest of the CCM_ANALOG page (PFDs, PMU, TEMPMON, USB analog) is
 *   storage, with SET/CLR/TOG for every register [simplified]. Start-up
 *   code (Teensy 4's tempmon_init, reset_PFD) writes these.
 * Lock and settling times: 50 us and 20 us [unverified typical values]. */
#include <stdlib.h>
#include <string.h>

#include "sim/sim_ccm_rt1062.h"
#include "sim/sim_internal.h"

#define ANALOG_BASE 0x400D8000u
#define CCM_BASE 0x400FC000u
#define DCDC_BASE 0x40080000u
#define PLL_ARM 0x00u
#define PLL_USB1 0x10u
#define PLL_USB2 0x20u
#define PLL_SYS 0x30u
#define PLL_AUDIO 0x70u
#define PLL_VIDEO 0xA0u
#define PLL_ENET 0xE0u
#define PLL_LOCK (1u << 31)
#define PLL_BYPASS (1u << 16)
#define CCM_CSR 0x08u
#define CCM_CACRR 0x10u
#define CCM_CBCDR 0x14u
#define CCM_CBCMR 0x18u
#define CCM_CDHIPR 0x48u
#define DCDC_REG0 0x00u
#define DCDC_REG3 0x0Cu
#define T_LOCK_NS 50000u
#define T_DCDC_NS 20000u
#define OSC_HZ 24000000u

static const uint32_t plls[] = {PLL_ARM, PLL_USB1, PLL_USB2, PLL_SYS, PLL_AUDIO, PLL_VIDEO, PLL_ENET};
#define N_PLL (sizeof(plls) / sizeof(plls[0]))

struct sim_ccm_rt1062 {
	struct sim *sim;
	uint32_t analog[0x1000 / 4]; /* the page: PLLs, PFDs, PMU, TEMPMON, USB analog */
	uint64_t lock_at[N_PLL]; /* UINT64_MAX: powered down */
	uint32_t ccm[0x90 / 4];
	uint32_t dcdc[0x20 / 4];
	uint64_t dcdc_ok_at;
};

static uint64_t now(const struct sim_ccm_rt1062 *c)
{
	return sim_now_ns(c->sim);
}

static int pll_index(uint32_t off)
{
	for (unsigned i = 0; i < N_PLL; i++)
		if (plls[i] == off)
			return (int)i;
	return -1;
}

static bool pll_powered(uint32_t off, uint32_t v)
{
	bool bit12 = v & (1u << 12);

	return off == PLL_USB1 || off == PLL_USB2 ? bit12 : !bit12;
}

static bool pll_locked(const struct sim_ccm_rt1062 *c, unsigned i)
{
	return c->lock_at[i] != UINT64_MAX && now(c) >= c->lock_at[i];
}

/* ARM_CLK_ROOT (RM §14.4 clock tree). */
static void update_core_clock(struct sim_ccm_rt1062 *c)
{
	uint32_t arm = c->analog[PLL_ARM / 4], cbcdr = c->ccm[CCM_CBCDR / 4];
	uint64_t pll1 = (arm & PLL_BYPASS) ? OSC_HZ : (uint64_t)OSC_HZ * (arm & 0x7Fu) / 2;
	uint64_t pll2 = (c->analog[PLL_SYS / 4] & PLL_BYPASS) ? OSC_HZ : 528000000u, hz;

	switch ((c->ccm[CCM_CBCMR / 4] >> 18) & 3u) {
	case 0: hz = pll2; break;
	case 1: hz = 396000000u; break; /* PLL2 PFD2 at its reset fraction */
	case 2: hz = 352000000u; break; /* PLL2 PFD0 */
	default: hz = pll1 / ((c->ccm[CCM_CACRR / 4] & 7u) + 1); break;
	}
	if (cbcdr & (1u << 25)) /* PERIPH_CLK_SEL: periph_clk2 (the oscillator) */
		hz = OSC_HZ;
	hz /= ((cbcdr >> 10) & 7u) + 1; /* AHB_PODF */
	if (hz && c->sim->n_cores)
		sim_core_set_hz(c->sim->cores[0], (uint32_t)hz);
}

static void analog_write(struct sim_ccm_rt1062 *c, uint32_t off, uint32_t v)
{
	uint32_t reg = off & ~0xFu, old, nv;
	int i;

	if (reg / 4 >= sizeof(c->analog) / 4)
		return;
	old = c->analog[reg / 4];
	switch (off & 0xFu) {
	case 0x4: nv = old | v; break;
	case 0x8: nv = old & ~v; break;
	case 0xC: nv = old ^ v; break;
	default: nv = v; break;
	}
	i = pll_index(reg);
	if (i >= 0) {
		nv &= ~PLL_LOCK; /* read-only */
		if (!pll_powered(reg, nv))
			c->lock_at[i] = UINT64_MAX;
		else if (!pll_powered(reg, old) || ((nv ^ old) & 0x7Fu))
			c->lock_at[i] = now(c) + T_LOCK_NS; /* (re)lock */
	}
	c->analog[reg / 4] = nv;
	if (reg == PLL_ARM || reg == PLL_SYS)
		update_core_clock(c);
}

static uint32_t analog_read(const struct sim_ccm_rt1062 *c, uint32_t off)
{
	uint32_t reg = off & ~0xFu, v;
	int i = pll_index(reg);

	if (reg / 4 >= sizeof(c->analog) / 4)
		return 0;
	v = c->analog[reg / 4];
	if (i >= 0 && pll_locked(c, (unsigned)i))
		v |= PLL_LOCK;
	return v;
}

static int analog_rd(void *opaque, uint32_t off, unsigned size, uint32_t *val)
{
	struct sim_ccm_rt1062 *c = opaque;

	if (off >= sizeof(c->analog)) {
		sim_unmodelled(c->sim, ANALOG_BASE + off);
		return -1;
	}
	*val = sim_sub_word(analog_read(c, off & ~3u), off, size);
	return 0;
}

static int analog_wr(void *opaque, uint32_t off, unsigned size, uint32_t val)
{
	struct sim_ccm_rt1062 *c = opaque;

	if (off >= sizeof(c->analog)) {
		sim_unmodelled(c->sim, ANALOG_BASE + off);
		return -1;
	}
	if (size == 4)
		analog_write(c, off, val);
	return 0;
}

static int ccm_rd(void *opaque, uint32_t off, unsigned size, uint32_t *val)
{
	struct sim_ccm_rt1062 *c = opaque;

	if (off >= sizeof(c->ccm)) {
		sim_unmodelled(c->sim, CCM_BASE + off);
		return -1;
	}
	*val = sim_sub_word((off & ~3u) == CCM_CDHIPR ? 0 : c->ccm[off / 4], off, size);
	return 0;
}

static int ccm_wr(void *opaque, uint32_t off, unsigned size, uint32_t val)
{
	struct sim_ccm_rt1062 *c = opaque;

	if (off >= sizeof(c->ccm)) {
		sim_unmodelled(c->sim, CCM_BASE + off);
		return -1;
	}
	if (size != 4 || off == CCM_CDHIPR || off == CCM_CSR)
		return 0;
	c->ccm[off / 4] = val;
	if (off == CCM_CACRR || off == CCM_CBCDR || off == CCM_CBCMR)
		update_core_clock(c);
	return 0;
}

static int dcdc_rd(void *opaque, uint32_t off, unsigned size, uint32_t *val)
{
	struct sim_ccm_rt1062 *c = opaque;
	uint32_t v;

	if (off >= sizeof(c->dcdc)) {
		sim_unmodelled(c->sim, DCDC_BASE + off);
		return -1;
	}
	v = c->dcdc[off / 4];
	if ((off & ~3u) == DCDC_REG0 && now(c) >= c->dcdc_ok_at)
		v |= 1u << 31; /* STS_DC_OK */
	*val = sim_sub_word(v, off, size);
	return 0;
}

static int dcdc_wr(void *opaque, uint32_t off, unsigned size, uint32_t val)
{
	struct sim_ccm_rt1062 *c = opaque;

	if (off >= sizeof(c->dcdc)) {
		sim_unmodelled(c->sim, DCDC_BASE + off);
		return -1;
	}
	if (size != 4)
		return 0;
	if (off == DCDC_REG3 && ((val ^ c->dcdc[off / 4]) & 0x1Fu)) /* TRG: new target voltage */
		c->dcdc_ok_at = now(c) + T_DCDC_NS;
	c->dcdc[off / 4] = off == DCDC_REG0 ? val & ~(1u << 31) : val;
	return 0;
}

void sim_ccm_rt1062_reset(struct sim_ccm_rt1062 *c)
{
	/* Reset values, RM §13.5 and §14.7 [CBCMR, CBCDR unverified]. */
	static const uint32_t pll_reset[N_PLL] = {0x00013063u, 0x00012000u, 0x00012000u, 0x00013001u,
						  0x00011006u, 0x0001100Cu, 0x00011001u};

	memset(c->analog, 0, sizeof(c->analog));
	memset(c->ccm, 0, sizeof(c->ccm));
	memset(c->dcdc, 0, sizeof(c->dcdc));
	for (unsigned i = 0; i < N_PLL; i++) {
		c->analog[plls[i] / 4] = pll_reset[i];
		c->lock_at[i] = pll_powered(plls[i], pll_reset[i]) ? 0 : UINT64_MAX;
	}
	c->ccm[CCM_CSR / 4] = 1u << 5; /* OSC_STABLE */
	c->ccm[CCM_CACRR / 4] = 1;
	c->ccm[CCM_CBCDR / 4] = 0x000A8300u;
	c->ccm[CCM_CBCMR / 4] = 0x2DAE8324u;
	for (unsigned i = 0; i < 7; i++)
		c->ccm[0x68 / 4 + i] = 0xFFFFFFFFu; /* CCGR0-6: clocks on */
	c->dcdc[DCDC_REG3 / 4] = 0x0000000Fu; /* TRG 1.1 V [unverified] */
	c->dcdc_ok_at = 0;
}

int sim_ccm_rt1062_new(struct sim *sim, struct sim_bus *bus, struct sim_ccm_rt1062 **out)
{
	struct sim_ccm_rt1062 *c = calloc(1, sizeof(*c));

	*out = NULL;
	if (!c)
		return sw_fail(sim->ctx, SW_ERR_NOMEM, "sim: out of memory (CCM)");
	c->sim = sim;
	sim_ccm_rt1062_reset(c);
	if (sim_bus_add_mmio(bus, "ccm-analog", ANALOG_BASE, 0x1000, analog_rd, analog_wr, c) ||
	    sim_bus_add_mmio(bus, "ccm", CCM_BASE, 0x1000, ccm_rd, ccm_wr, c) ||
	    sim_bus_add_mmio(bus, "dcdc", DCDC_BASE, 0x1000, dcdc_rd, dcdc_wr, c)) {
		free(c);
		return sw_fail(sim->ctx, SW_ERR_NOMEM, "sim: cannot map CCM");
	}
	*out = c;
	return SW_OK;
}

void sim_ccm_rt1062_free(struct sim_ccm_rt1062 *c)
{
	free(c);
}
