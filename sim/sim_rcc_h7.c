/* STM32H743 RCC (RM0433 §8.7), PWR (§6.8) and SYSCFG_PWRCR (§12.3.7).
 * Modelled: the oscillators and PLLs with their ready flags after a
 * start-up delay in virtual time, PLL configuration locked while the PLL
 * runs, the system clock switch (SWS follows SW only to a ready source),
 * the D1 prescalers, the clock tree's CPU frequency (the simulated core
 * runs at it), peripheral clock enables as registers, the supply
 * configuration (written once per power-on) and voltage scaling with
 * VOSRDY/ACTVOSRDY, VOS0 through SYSCFG_PWRCR.ODEN. Other RCC and PWR
 * registers are storage. Delays are typical datasheet values (DS12110
 * [unverified]): HSI 4 us, CSI 2 us, HSI48 4 us, HSE 2 ms (crystal), PLL
 * lock 50 us, voltage scaling 30 us. */
#include <stdlib.h>
#include <string.h>

#include "sim/sim_internal.h"
#include "sim/sim_rcc_h7.h"

#define PAGE_RCC_PWR 0x58024000u
#define PAGE_SYSCFG 0x58000000u
#define RCC_OFF 0x400u
#define PWR_OFF 0x800u
#define SYSCFG_OFF 0x400u

#define RCC_CR 0x00u
#define RCC_CFGR 0x10u
#define RCC_D1CFGR 0x18u
#define RCC_PLLCKSELR 0x28u
#define RCC_PLLCFGR 0x2Cu
#define RCC_PLL1DIVR 0x30u
#define RCC_PLL1FRACR 0x34u
#define RCC_PLL3FRACR 0x44u
#define RCC_RSR 0xD0u
#define RCC_AHB4ENR 0xE0u
#define RCC_APB4ENR 0xF4u
#define RCC_C1_RSR 0x130u /* RCC_C1_* alias RCC_RSR.. RCC_APB4LPENR (+0x60) */
#define RCC_C1_END 0x190u
#define CR_HSIDIV(v) (((v) >> 3) & 3u)
#define CR_D1CKRDY (1u << 14)
#define CR_D2CKRDY (1u << 15)
#define APB4ENR_SYSCFGEN (1u << 1)

#define PWR_CSR1 0x04u
#define PWR_CR3 0x0Cu
#define PWR_D3CR 0x18u
#define CSR1_ACTVOSRDY (1u << 13)
#define D3CR_VOSRDY (1u << 13)
#define D3CR_VOS(v) (((v) >> 14) & 3u)
#define SYSCFG_PWRCR 0x2Cu

#define HSI_HZ 64000000u
#define CSI_HZ 4000000u
#define NEVER UINT64_MAX

/* Oscillators and PLLs in RCC_CR: ON bit, RDY bit, start-up time. */
enum { OSC_HSI, OSC_CSI, OSC_HSI48, OSC_HSE, OSC_PLL1, OSC_PLL2, OSC_PLL3, N_OSC };
static const struct {
	uint32_t on, rdy;
	uint64_t t_ns;
} oscs[N_OSC] = {
	{1u << 0, 1u << 2, 4000},     {1u << 7, 1u << 8, 2000},     {1u << 12, 1u << 13, 4000},
	{1u << 16, 1u << 17, 2000000}, {1u << 24, 1u << 25, 50000}, {1u << 26, 1u << 27, 50000},
	{1u << 28, 1u << 29, 50000},
};
#define T_VOS_NS 30000u

struct sim_rcc_h7 {
	struct sim *sim;
	uint32_t hse_hz;
	uint32_t rcc[0x100];  /* register file, by word (0x400 bytes) */
	uint64_t ready_at[N_OSC]; /* NEVER while off */
	unsigned sws;         /* system clock switch status: 0 HSI, 1 CSI, 2 HSE, 3 PLL1 */
	uint32_t pwr[0x100];
	bool supply_set;      /* PWR_CR3 written since power-on */
	uint64_t vos_ready_at;
	uint32_t syscfg[0x100];
};

static uint64_t now(const struct sim_rcc_h7 *r)
{
	return sim_now_ns(r->sim);
}

static bool ready(const struct sim_rcc_h7 *r, unsigned osc)
{
	return r->ready_at[osc] != NEVER && now(r) >= r->ready_at[osc];
}

/* PLLSRC (PLLCKSELR[1:0]): HSI, CSI, HSE, none. */
static int pll_source(const struct sim_rcc_h7 *r)
{
	static const int src[4] = {OSC_HSI, OSC_CSI, OSC_HSE, -1};

	return src[r->rcc[RCC_PLLCKSELR / 4] & 3u];
}

static uint64_t source_hz(const struct sim_rcc_h7 *r, int osc)
{
	switch (osc) {
	case OSC_HSI: return HSI_HZ >> CR_HSIDIV(r->rcc[RCC_CR / 4]);
	case OSC_CSI: return CSI_HZ;
	case OSC_HSE: return r->hse_hz;
	default: return 0;
	}
}

/* pll1_p_ck = ref / DIVM1 * (DIVN1 + 1 + FRACN1 / 8192) / (DIVP1 + 1). */
static uint64_t pll1_p_hz(const struct sim_rcc_h7 *r)
{
	uint32_t divm = (r->rcc[RCC_PLLCKSELR / 4] >> 4) & 0x3Fu, divr = r->rcc[RCC_PLL1DIVR / 4];
	uint64_t ref, vco;

	if (!divm || pll_source(r) < 0)
		return 0;
	ref = source_hz(r, pll_source(r)) / divm;
	vco = ref * ((divr & 0x1FFu) + 1);
	if (r->rcc[RCC_PLLCFGR / 4] & 1u) /* PLL1FRACEN */
		vco += ref * ((r->rcc[RCC_PLL1FRACR / 4] >> 3) & 0x1FFFu) / 8192;
	return vco / (((divr >> 9) & 0x7Fu) + 1);
}

/* The core runs on sys_d1cpre_ck = sys_ck / D1CPRE (RM0433 Figure 49). */
static void update_core_clock(struct sim_rcc_h7 *r)
{
	static const unsigned shift[8] = {1, 2, 3, 4, 6, 7, 8, 9};
	uint64_t sys = r->sws == 3 ? pll1_p_hz(r) : source_hz(r, (int)r->sws);
	uint32_t d1cpre = (r->rcc[RCC_D1CFGR / 4] >> 8) & 0xFu;

	if (d1cpre & 8u)
		sys >>= shift[d1cpre & 7u];
	if (r->sim->n_cores && sys)
		sim_core_set_hz(r->sim->cores[0], (uint32_t)sys);
}

/* Oscillators that feed sys_ck cannot be stopped (RM0433 §8.7.2). */
static bool in_use(const struct sim_rcc_h7 *r, unsigned osc)
{
	static const int sw_osc[4] = {OSC_HSI, OSC_CSI, OSC_HSE, OSC_PLL1};

	return sw_osc[r->sws] == (int)osc || (r->sws == 3 && pll_source(r) == (int)osc);
}

static void cr_write(struct sim_rcc_h7 *r, uint32_t v)
{
	uint32_t *cr = &r->rcc[RCC_CR / 4];

	for (unsigned i = 0; i < N_OSC; i++) {
		bool on = v & oscs[i].on, was = *cr & oscs[i].on;
		if (!on && in_use(r, i))
			v |= oscs[i].on;
		else if (on && !was) {
			uint64_t start = now(r);
			if (i >= OSC_PLL1) { /* locks once its reference runs */
				int src = pll_source(r);
				uint64_t src_at = src < 0 ? NEVER : r->ready_at[src];
				start = src_at == NEVER ? NEVER : (src_at > start ? src_at : start);
			}
			r->ready_at[i] = start == NEVER ? NEVER : start + oscs[i].t_ns;
		} else if (!on) {
			r->ready_at[i] = NEVER;
		}
	}
	*cr = v & 0x15F5F1BBu; /* the ON and configuration bits; RDY bits are read-only */
}

static uint32_t cr_read(const struct sim_rcc_h7 *r)
{
	uint32_t v = r->rcc[RCC_CR / 4] | CR_D1CKRDY | CR_D2CKRDY;

	for (unsigned i = 0; i < N_OSC; i++)
		if (ready(r, i))
			v |= oscs[i].rdy;
	return v;
}

/* A PLL's dividers and the shared source can only change while the PLLs
 * they feed are off (RM0433 §8.7.11-8.7.13). */
static bool pll_locked_reg(const struct sim_rcc_h7 *r, uint32_t off)
{
	uint32_t cr = r->rcc[RCC_CR / 4];
	uint32_t any = oscs[OSC_PLL1].on | oscs[OSC_PLL2].on | oscs[OSC_PLL3].on;

	if (off == RCC_PLLCKSELR)
		return cr & any;
	if (off >= RCC_PLL1DIVR && off <= RCC_PLL3FRACR)
		return cr & oscs[OSC_PLL1 + (off - RCC_PLL1DIVR) / 8].on;
	return false;
}

static void rcc_write(struct sim_rcc_h7 *r, uint32_t off, uint32_t v)
{
	if (off >= RCC_C1_RSR && off < RCC_C1_END)
		off -= 0x60u;
	if (off == RCC_CR) {
		cr_write(r, v);
	} else if (off == RCC_CFGR) {
		unsigned sw = v & 7u;
		static const unsigned sw_osc[4] = {OSC_HSI, OSC_CSI, OSC_HSE, OSC_PLL1};
		if (sw < 4 && ready(r, sw_osc[sw]))
			r->sws = sw; /* else SWS keeps the old source */
		r->rcc[off / 4] = v & ~0x38u;
		update_core_clock(r);
	} else if (off == RCC_RSR) {
		if (v & (1u << 16)) /* RMVF clears the reset flags */
			r->rcc[off / 4] = 0;
	} else if (!pll_locked_reg(r, off)) {
		r->rcc[off / 4] = v;
		if (off == RCC_D1CFGR)
			update_core_clock(r);
	}
}

static uint32_t rcc_read(const struct sim_rcc_h7 *r, uint32_t off)
{
	if (off >= RCC_C1_RSR && off < RCC_C1_END)
		off -= 0x60u;
	if (off == RCC_CR)
		return cr_read(r);
	if (off == RCC_CFGR)
		return r->rcc[off / 4] | r->sws << 3;
	return r->rcc[off / 4];
}

/* Voltage scaling: VOS in PWR_D3CR, VOS0 = scale 1 + SYSCFG_PWRCR.ODEN. */
static bool vos_ready(const struct sim_rcc_h7 *r)
{
	return r->supply_set && now(r) >= r->vos_ready_at;
}

static void pwr_write(struct sim_rcc_h7 *r, uint32_t off, uint32_t v)
{
	if (off == PWR_CR3) {
		/* The supply configuration (BYPASS, LDOEN, SCUEN) is written
		 * once after power-on; later writes keep it (§6.8.4). */
		uint32_t keep = r->supply_set ? r->pwr[off / 4] & 7u : v & 7u;
		if (!r->supply_set)
			r->vos_ready_at = now(r) + T_VOS_NS;
		r->supply_set = true;
		r->pwr[off / 4] = (v & ~7u) | keep;
	} else if (off == PWR_D3CR) {
		if (D3CR_VOS(v) != D3CR_VOS(r->pwr[off / 4]))
			r->vos_ready_at = now(r) + T_VOS_NS;
		r->pwr[off / 4] = v & 0xC000u;
	} else if (off != PWR_CSR1) {
		r->pwr[off / 4] = v;
	}
}

static uint32_t pwr_read(const struct sim_rcc_h7 *r, uint32_t off)
{
	uint32_t vos = D3CR_VOS(r->pwr[PWR_D3CR / 4]);

	if (off == PWR_CSR1)
		return (vos << 14) | (vos_ready(r) ? CSR1_ACTVOSRDY : 0) | 0x00010000u; /* AVDO */
	if (off == PWR_D3CR)
		return r->pwr[off / 4] | (vos_ready(r) ? D3CR_VOSRDY : 0);
	return r->pwr[off / 4];
}

static int page_rcc_pwr_read(void *opaque, uint32_t off, unsigned size, uint32_t *val)
{
	struct sim_rcc_h7 *r = opaque;
	uint32_t w = off & ~3u;

	if (w >= RCC_OFF && w < RCC_OFF + 0x400u)
		*val = sim_sub_word(rcc_read(r, w - RCC_OFF), off, size);
	else if (w >= PWR_OFF && w < PWR_OFF + 0x400u)
		*val = sim_sub_word(pwr_read(r, w - PWR_OFF), off, size);
	else {
		sim_unmodelled(r->sim, PAGE_RCC_PWR + off);
		return -1;
	}
	return 0;
}

static int page_rcc_pwr_write(void *opaque, uint32_t off, unsigned size, uint32_t val)
{
	struct sim_rcc_h7 *r = opaque;
	uint32_t w = off & ~3u;
	bool is_rcc = w >= RCC_OFF && w < RCC_OFF + 0x400u, is_pwr = w >= PWR_OFF && w < PWR_OFF + 0x400u;

	if (!is_rcc && !is_pwr) {
		sim_unmodelled(r->sim, PAGE_RCC_PWR + off);
		return -1;
	}
	if (size != 4) { /* a byte or halfword store merges into the register */
		uint32_t sh = 8 * (off & 3u), mask = (size == 1 ? 0xFFu : 0xFFFFu) << sh;
		uint32_t cur = is_rcc ? rcc_read(r, w - RCC_OFF) : pwr_read(r, w - PWR_OFF);
		val = (cur & ~mask) | ((val << sh) & mask);
	}
	if (is_rcc)
		rcc_write(r, w - RCC_OFF, val);
	else
		pwr_write(r, w - PWR_OFF, val);
	return 0;
}

/* SYSCFG (0x58000400): storage; PWRCR.ODEN starts a voltage change. Its
 * registers take writes only with APB4ENR.SYSCFGEN set. */
static int page_syscfg_read(void *opaque, uint32_t off, unsigned size, uint32_t *val)
{
	struct sim_rcc_h7 *r = opaque;

	if (off < SYSCFG_OFF || off >= SYSCFG_OFF + 0x400u) {
		sim_unmodelled(r->sim, PAGE_SYSCFG + off);
		return -1;
	}
	*val = sim_sub_word(r->syscfg[(off - SYSCFG_OFF) / 4], off, size);
	return 0;
}

static int page_syscfg_write(void *opaque, uint32_t off, unsigned size, uint32_t val)
{
	struct sim_rcc_h7 *r = opaque;
	uint32_t reg = (off - SYSCFG_OFF) & ~3u;

	if (off < SYSCFG_OFF || off >= SYSCFG_OFF + 0x400u) {
		sim_unmodelled(r->sim, PAGE_SYSCFG + off);
		return -1;
	}
	if (!(r->rcc[RCC_APB4ENR / 4] & APB4ENR_SYSCFGEN) || size != 4)
		return 0;
	if (reg == SYSCFG_PWRCR && ((val ^ r->syscfg[reg / 4]) & 1u))
		r->vos_ready_at = now(r) + T_VOS_NS;
	r->syscfg[reg / 4] = val;
	return 0;
}

void sim_rcc_h7_reset(struct sim_rcc_h7 *r)
{
	memset(r->rcc, 0, sizeof(r->rcc));
	memset(r->syscfg, 0, sizeof(r->syscfg));
	/* Reset values (RM0433 §8.7): HSI on and ready, divided by 1. */
	r->rcc[RCC_CR / 4] = 0x00000001u | (1u << 5); /* HSION, HSIDIVF */
	r->rcc[RCC_PLLCKSELR / 4] = 0x02020200u;
	r->rcc[RCC_PLLCFGR / 4] = 0x01FF0000u;
	r->rcc[RCC_PLL1DIVR / 4] = r->rcc[0x38 / 4] = r->rcc[0x40 / 4] = 0x01010280u;
	r->rcc[RCC_RSR / 4] = 0x00C00000u; /* PINRSTF, PORRSTF [unverified] */
	for (unsigned i = 0; i < N_OSC; i++)
		r->ready_at[i] = NEVER;
	r->ready_at[OSC_HSI] = 0;
	r->sws = 0;
	update_core_clock(r);
}

int sim_rcc_h7_new(struct sim *sim, struct sim_bus *bus, uint32_t hse_hz, struct sim_rcc_h7 **out)
{
	struct sim_rcc_h7 *r = calloc(1, sizeof(*r));

	*out = NULL;
	if (!r)
		return sw_fail(sim->ctx, SW_ERR_NOMEM, "sim: out of memory (RCC)");
	r->sim = sim;
	r->hse_hz = hse_hz;
	r->pwr[0] = 0xF000C000u;            /* PWR_CR1 */
	r->pwr[PWR_CR3 / 4] = 0x00000006u;  /* SCUEN, LDOEN */
	r->pwr[PWR_D3CR / 4] = 0x00004000u; /* VOS scale 3 */
	sim_rcc_h7_reset(r);
	if (sim_bus_add_mmio(bus, "rcc-pwr", PAGE_RCC_PWR, 0x1000, page_rcc_pwr_read,
			     page_rcc_pwr_write, r) ||
	    sim_bus_add_mmio(bus, "exti-syscfg", PAGE_SYSCFG, 0x1000, page_syscfg_read,
			     page_syscfg_write, r)) {
		free(r);
		return sw_fail(sim->ctx, SW_ERR_NOMEM, "sim: cannot map RCC/PWR");
	}
	*out = r;
	return SW_OK;
}

void sim_rcc_h7_free(struct sim_rcc_h7 *r)
{
	free(r);
}

const uint32_t *sim_rcc_h7_ahb4enr(const struct sim_rcc_h7 *r)
{
	return &r->rcc[RCC_AHB4ENR / 4];
}
