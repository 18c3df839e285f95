/* NVIC and the system-handler side of the SCB for the simulated core:
 * ISER/ICER/ISPR/ICPR/IABR/IPR, STIR, ICTR (ARMv7-M ARM B3.4), ICSR,
 * SHPR1-3, SHCSR (B3.2.4, B3.2.10-13), and the priority rules that decide
 * which exception is taken (B1.5.4 execution priority and priority
 * grouping, B1.5.6 preemption). State is kept by exception number: IRQ n is
 * exception 16 + n. Offsets are from 0xE0000000. */
#include <string.h>

#include "sim/sim_core_priv.h"

#define NVIC_ICTR 0xE004u
#define NVIC_ISER 0xE100u
#define NVIC_ICER 0xE180u
#define NVIC_ISPR 0xE200u
#define NVIC_ICPR 0xE280u
#define NVIC_IABR 0xE300u
#define NVIC_IPR 0xE400u
#define NVIC_IPR_END 0xE5F0u
#define NVIC_STIR 0xEF00u
#define SCB_ICSR 0xED04u
#define SCB_SHPR1 0xED18u
#define SCB_SHCSR 0xED24u

#define ICSR_NMIPENDSET (1u << 31)
#define ICSR_PENDSVSET (1u << 28)
#define ICSR_PENDSVCLR (1u << 27)
#define ICSR_PENDSTSET (1u << 26)
#define ICSR_PENDSTCLR (1u << 25)
#define ICSR_ISRPREEMPT (1u << 23)
#define ICSR_ISRPENDING (1u << 22)
#define ICSR_RETTOBASE (1u << 11)

static bool bit(const uint32_t *map, unsigned n)
{
	return (map[n / 32] >> (n % 32)) & 1u;
}

static void set_bit(uint32_t *map, unsigned n, bool on)
{
	if (on)
		map[n / 32] |= 1u << (n % 32);
	else
		map[n / 32] &= ~(1u << (n % 32));
}

static unsigned n_irq(const struct sim_core *c)
{
	unsigned n = c->cfg.n_irq ? c->cfg.n_irq : 240;

	return n > SIM_EXC_MAX - EXC_IRQ0 ? SIM_EXC_MAX - EXC_IRQ0 : n;
}

/* Implemented priority bits are the top ones of each byte (B1.5.4). */
static uint8_t prio_mask(const struct sim_core *c)
{
	unsigned bits = c->cfg.prio_bits ? c->cfg.prio_bits : 4;

	return (uint8_t)(0xFF00u >> bits);
}

/* Group priority: PRIGROUP n splits the byte at bit n (B1.5.4). */
static int group(const struct sim_core *c, int prio)
{
	unsigned prigroup = (c->aircr_prigroup >> 8) & 7u;

	return prio < 0 ? prio : (int)((unsigned)prio & (0xFF00u >> (7 - prigroup)) & 0xFFu);
}

int sim_nvic_exc_priority(const struct sim_core *c, unsigned exc)
{
	switch (exc) {
	case 1: return -3; /* Reset */
	case EXC_NMI: return -2;
	case EXC_HARDFAULT: return -1;
	default: return c->exc_prio[exc];
	}
}

/* Exceptions an exception number can name at all on this core. */
static bool exists(const struct sim_core *c, unsigned exc)
{
	if (exc >= EXC_IRQ0)
		return exc - EXC_IRQ0 < n_irq(c);
	return exc >= EXC_NMI && exc != 7 && exc != 8 && exc != 9 && exc != 10 && exc != 13;
}

static bool enabled(const struct sim_core *c, unsigned exc)
{
	if (exc >= EXC_IRQ0)
		return bit(c->irq_enable, exc);
	if (exc >= EXC_MEMMANAGE && exc <= EXC_USAGEFAULT)
		return sim_nvic_fault_enabled(c, exc);
	return true;
}

bool sim_nvic_fault_enabled(const struct sim_core *c, unsigned exc)
{
	return (c->shcsr >> (16 + exc - EXC_MEMMANAGE)) & 1u; /* SHCSR.MEMFAULTENA.. */
}

void sim_nvic_activate(struct sim_core *c, unsigned exc)
{
	set_bit(c->exc_pending, exc, false);
	set_bit(c->exc_active, exc, true);
}

void sim_nvic_deactivate(struct sim_core *c, unsigned exc)
{
	set_bit(c->exc_active, exc, false);
}

void sim_nvic_set_pending(struct sim_core *c, unsigned exc)
{
	if (exc < SIM_EXC_MAX && exists(c, exc))
		set_bit(c->exc_pending, exc, true);
}

unsigned sim_nvic_active_count(const struct sim_core *c)
{
	unsigned n = 0;

	for (unsigned i = 0; i < SIM_EXC_WORDS; i++)
		n += (unsigned)__builtin_popcount(c->exc_active[i]);
	return n;
}

/* B1.5.4 ExecutionPriority: the highest group priority of the active
 * exceptions, boosted by BASEPRI, PRIMASK and FAULTMASK. */
int sim_nvic_exec_priority(struct sim_core *c, bool with_masks)
{
	int pri = 256;

	for (unsigned w = 0; w < SIM_EXC_WORDS; w++)
		for (uint32_t m = c->exc_active[w]; m; m &= m - 1) {
			int p = group(c, sim_nvic_exc_priority(c, w * 32 + (unsigned)__builtin_ctz(m)));
			pri = p < pri ? p : pri;
		}
	if (!with_masks)
		return pri;
	uint32_t basepri = sim_core_rd(c, UC_ARM_REG_BASEPRI) & prio_mask(c);
	if (basepri && group(c, (int)basepri) < pri)
		pri = group(c, (int)basepri);
	if ((sim_core_rd(c, UC_ARM_REG_PRIMASK) & 1u) && pri > 0)
		pri = 0;
	if ((sim_core_rd(c, UC_ARM_REG_FAULTMASK) & 1u) && pri > -1)
		pri = -1;
	return pri;
}

/* DHCSR.C_MASKINTS (C1.6.2): with debug enabled, PendSV, SysTick and the
 * external interrupts are not taken; NMI and faults still are. */
static bool masked_by_debug(const struct sim_core *c, unsigned exc)
{
	return (c->dhcsr_ctrl & (DHCSR_C_DEBUGEN | DHCSR_C_MASKINTS)) ==
		       (DHCSR_C_DEBUGEN | DHCSR_C_MASKINTS) &&
	       (exc == EXC_PENDSV || exc == EXC_SYSTICK || exc >= EXC_IRQ0);
}

/* The highest-priority pending and enabled exception: lowest priority
 * value, then lowest exception number (B1.5.4); 0 if none. */
static unsigned highest_pending(struct sim_core *c, bool debug_masks)
{
	unsigned best = 0;
	int best_pri = 1000;

	for (unsigned w = 0; w < SIM_EXC_WORDS; w++)
		for (uint32_t m = c->exc_pending[w]; m; m &= m - 1) {
			unsigned exc = w * 32 + (unsigned)__builtin_ctz(m);
			int p = sim_nvic_exc_priority(c, exc);
			if (!enabled(c, exc) || (debug_masks && masked_by_debug(c, exc)))
				continue;
			if (p < best_pri) {
				best_pri = p;
				best = exc;
			}
		}
	return best;
}

unsigned sim_nvic_preempting(struct sim_core *c, bool for_wfi)
{
	unsigned exc = highest_pending(c, true);
	int exec;

	if (!exc)
		return 0;
	/* WFI wakes for an exception that would preempt if PRIMASK were 0
	 * (B1.5.19); the masks are otherwise part of the execution priority. */
	exec = for_wfi && (sim_core_rd(c, UC_ARM_REG_PRIMASK) & 1u) ? sim_nvic_exec_priority(c, false)
								     : sim_nvic_exec_priority(c, true);
	return group(c, sim_nvic_exc_priority(c, exc)) < exec ? exc : 0;
}

bool sim_nvic_can_preempt(struct sim_core *c, unsigned exc)
{
	return group(c, sim_nvic_exc_priority(c, exc)) < sim_nvic_exec_priority(c, true);
}

bool sim_nvic_held(struct sim_core *c)
{
	return highest_pending(c, true) != 0;
}

bool sim_nvic_take(struct sim_core *c)
{
	unsigned exc = sim_nvic_preempting(c, false);

	if (!exc)
		return false;
	sim_core_exception_entry(c, exc, sim_core_rd(c, UC_ARM_REG_PC));
	return true;
}

void sim_nvic_reset(struct sim_core *c)
{
	memset(c->exc_pending, 0, sizeof(c->exc_pending));
	memset(c->exc_active, 0, sizeof(c->exc_active));
	memset(c->irq_enable, 0, sizeof(c->irq_enable));
	memset(c->exc_prio, 0, sizeof(c->exc_prio));
}

/* ICSR (B3.2.4). VECTPENDING ignores the masks; ISRPREEMPT says whether
 * the pending exception would be taken on leaving Debug state. */
static uint32_t icsr_read(struct sim_core *c)
{
	uint32_t ipsr = sim_core_rd(c, UC_ARM_REG_IPSR) & 0x1FFu, v = ipsr;
	bool irq_pending = false;

	for (unsigned w = 0; w < SIM_EXC_WORDS; w++)
		irq_pending |= (c->exc_pending[w] & (w ? ~0u : 0xFFFF0000u)) != 0;
	if (ipsr && sim_nvic_active_count(c) <= 1)
		v |= ICSR_RETTOBASE;
	v |= (uint32_t)highest_pending(c, false) << 12;
	if (irq_pending)
		v |= ICSR_ISRPENDING;
	if (c->halted && sim_nvic_preempting(c, false))
		v |= ICSR_ISRPREEMPT;
	if (bit(c->exc_pending, EXC_SYSTICK))
		v |= ICSR_PENDSTSET;
	if (bit(c->exc_pending, EXC_PENDSV))
		v |= ICSR_PENDSVSET;
	if (bit(c->exc_pending, EXC_NMI))
		v |= ICSR_NMIPENDSET;
	return v;
}

static void icsr_write(struct sim_core *c, uint32_t v)
{
	if (v & ICSR_NMIPENDSET)
		set_bit(c->exc_pending, EXC_NMI, true);
	if (v & ICSR_PENDSVSET)
		set_bit(c->exc_pending, EXC_PENDSV, true);
	else if (v & ICSR_PENDSVCLR)
		set_bit(c->exc_pending, EXC_PENDSV, false);
	if (v & ICSR_PENDSTSET)
		set_bit(c->exc_pending, EXC_SYSTICK, true);
	else if (v & ICSR_PENDSTCLR)
		set_bit(c->exc_pending, EXC_SYSTICK, false);
}

/* SHCSR (B3.2.13): active and pended bits of the system handlers, then
 * the fault enables (SECUREFAULTENA only with the Security Extension). */
static const struct {
	uint8_t bit, exc;
	bool pended;
} shcsr_bits[] = {
	{0, EXC_MEMMANAGE, false}, {1, EXC_BUSFAULT, false}, {3, EXC_USAGEFAULT, false},
	{7, EXC_SVCALL, false},    {8, EXC_DEBUGMON, false}, {10, EXC_PENDSV, false},
	{11, EXC_SYSTICK, false},  {12, EXC_USAGEFAULT, true}, {13, EXC_MEMMANAGE, true},
	{14, EXC_BUSFAULT, true},  {15, EXC_SVCALL, true},
};

static uint32_t shcsr_read(const struct sim_core *c)
{
	uint32_t v = c->shcsr;

	for (size_t i = 0; i < sizeof(shcsr_bits) / sizeof(shcsr_bits[0]); i++)
		if (bit(shcsr_bits[i].pended ? c->exc_pending : c->exc_active, shcsr_bits[i].exc))
			v |= 1u << shcsr_bits[i].bit;
	return v;
}

static void shcsr_write(struct sim_core *c, uint32_t v)
{
	for (size_t i = 0; i < sizeof(shcsr_bits) / sizeof(shcsr_bits[0]); i++)
		set_bit(shcsr_bits[i].pended ? c->exc_pending : c->exc_active, shcsr_bits[i].exc,
			(v >> shcsr_bits[i].bit) & 1u);
	c->shcsr = v & (c->cfg.secext ? 0x000F0000u : 0x00070000u);
}

/* 32 IRQs of a set/clear register as a word of bits. */
static uint32_t irq_word(const struct sim_core *c, const uint32_t *map, unsigned word)
{
	uint32_t v = 0;

	for (unsigned i = 0; i < 32; i++) {
		unsigned irq = word * 32 + i;
		if (irq < n_irq(c) && bit(map, EXC_IRQ0 + irq))
			v |= 1u << i;
	}
	return v;
}

static void irq_word_set(struct sim_core *c, uint32_t *map, unsigned word, uint32_t v, bool on)
{
	for (unsigned i = 0; i < 32; i++)
		if (((v >> i) & 1u) && word * 32 + i < n_irq(c))
			set_bit(map, EXC_IRQ0 + word * 32 + i, on);
}

/* Priority bytes: IPR n holds IRQ n, SHPR byte k holds exception 4 + k;
 * a byte that names no configurable exception reads 0, ignores writes. */
static uint8_t *prio_byte(struct sim_core *c, uint32_t off)
{
	unsigned exc;

	if (off >= NVIC_IPR && off < NVIC_IPR_END)
		exc = EXC_IRQ0 + (off - NVIC_IPR);
	else if (off >= SCB_SHPR1 && off < SCB_SHPR1 + 12)
		exc = EXC_MEMMANAGE + (off - SCB_SHPR1);
	else
		return NULL;
	if (!exists(c, exc) || (exc == 7 && !c->cfg.secext))
		return NULL;
	return &c->exc_prio[exc];
}

static bool is_prio(uint32_t off)
{
	return (off >= NVIC_IPR && off < NVIC_IPR_END) || (off >= SCB_SHPR1 && off < SCB_SHPR1 + 12);
}

bool sim_nvic_read(struct sim_core *c, uint32_t off, unsigned size, uint32_t *v, bool cpu)
{
	uint32_t w = off & ~3u;

	if (is_prio(off)) {
		*v = 0;
		for (unsigned i = 0; i < size; i++) {
			uint8_t *p = prio_byte(c, off + i);
			*v |= (uint32_t)(p ? *p : 0) << (8 * i);
		}
		return true;
	}
	if (w >= 0xE010u && w < 0xE020u)
		return sim_systick_read(c, w, v, cpu);
	if (w == NVIC_ICTR)
		*v = (n_irq(c) + 31) / 32 - 1; /* INTLINESNUM */
	else if (w >= NVIC_ISER && w < NVIC_ICER + 0x40u)
		*v = irq_word(c, c->irq_enable, (w & 0x3Fu) / 4);
	else if (w >= NVIC_ISPR && w < NVIC_ICPR + 0x40u)
		*v = irq_word(c, c->exc_pending, (w & 0x3Fu) / 4);
	else if (w >= NVIC_IABR && w < NVIC_IABR + 0x40u)
		*v = irq_word(c, c->exc_active, (w & 0x3Fu) / 4);
	else if (w == SCB_ICSR)
		*v = icsr_read(c);
	else if (w == SCB_SHCSR)
		*v = shcsr_read(c);
	else if (w == NVIC_STIR)
		*v = 0; /* write-only */
	else
		return false;
	if (size < 4)
		*v = (*v >> (8 * (off & 3u))) & (size == 1 ? 0xFFu : 0xFFFFu);
	return true;
}

bool sim_nvic_write(struct sim_core *c, uint32_t off, unsigned size, uint32_t v, bool cpu)
{
	uint32_t w = off & ~3u;

	(void)cpu;
	if (is_prio(off)) {
		for (unsigned i = 0; i < size; i++) {
			uint8_t *p = prio_byte(c, off + i);
			if (p)
				*p = (uint8_t)(v >> (8 * i)) & prio_mask(c);
		}
		return true;
	}
	if (w >= 0xE010u && w < 0xE020u)
		return size == 4 ? sim_systick_write(c, w, v) : true;
	if (w == NVIC_ICTR || (w >= NVIC_ISER && w < NVIC_IABR + 0x40u) || w == SCB_ICSR ||
	    w == SCB_SHCSR || w == NVIC_STIR) {
		if (size != 4)
			return true; /* word access only [simplified: sub-word writes ignored] */
	} else {
		return false;
	}
	unsigned word = (w & 0x3Fu) / 4;
	if (w >= NVIC_ISER && w < NVIC_ICER)
		irq_word_set(c, c->irq_enable, word, v, true);
	else if (w >= NVIC_ICER && w < NVIC_ICER + 0x40u)
		irq_word_set(c, c->irq_enable, word, v, false);
	else if (w >= NVIC_ISPR && w < NVIC_ICPR)
		irq_word_set(c, c->exc_pending, word, v, true);
	else if (w >= NVIC_ICPR && w < NVIC_ICPR + 0x40u)
		irq_word_set(c, c->exc_pending, word, v, false);
	else if (w == SCB_ICSR)
		icsr_write(c, v);
	else if (w == SCB_SHCSR)
		shcsr_write(c, v);
	else if (w == NVIC_STIR && (v & 0x1FFu) < n_irq(c))
		set_bit(c->exc_pending, EXC_IRQ0 + (v & 0x1FFu), true);
	return true; /* IABR and ICTR are read-only */
}

void sim_core_irq(struct sim_core *c, unsigned irq)
{
	if (irq < n_irq(c))
		set_bit(c->exc_pending, EXC_IRQ0 + irq, true);
}
