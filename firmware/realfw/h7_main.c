/* STM32H743 clock start-up as vendor code does it, written from RM0433:
 * LDO supply, voltage scale 1 then VOS0 (SYSCFG_PWRCR.ODEN), HSE 25 MHz,
 * PLL1 to 400 MHz (M 5, N 160, P 2), flash wait states, bus prescalers,
 * switch to PLL1; each step polls its ready flag. Then a GPIO, SysTick at
 * 1 kHz counting in its handler, and a double-precision loop woken by
 * each tick through WFI. */
#include <stdint.h>

#include "dp_loop.h"

#define REG(a) (*(volatile uint32_t *)(a))
#define RCC_CR REG(0x58024400u)
#define RCC_CFGR REG(0x58024410u)
#define RCC_D1CFGR REG(0x58024418u)
#define RCC_D2CFGR REG(0x5802441Cu)
#define RCC_D3CFGR REG(0x58024420u)
#define RCC_PLLCKSELR REG(0x58024428u)
#define RCC_PLLCFGR REG(0x5802442Cu)
#define RCC_PLL1DIVR REG(0x58024430u)
#define RCC_AHB4ENR REG(0x580244E0u)
#define RCC_APB4ENR REG(0x580244F4u)
#define PWR_CSR1 REG(0x58024804u)
#define PWR_CR3 REG(0x5802480Cu)
#define PWR_D3CR REG(0x58024818u)
#define SYSCFG_PWRCR REG(0x5800042Cu)
#define FLASH_ACR REG(0x52002000u)
#define GPIOB_MODER REG(0x58020400u)
#define GPIOB_BSRR REG(0x58020418u)
#define SYST_CSR REG(0xE000E010u)
#define SYST_RVR REG(0xE000E014u)
#define SYST_CVR REG(0xE000E018u)

volatile uint32_t clock_stage; /* how far the clock set-up got */
volatile uint32_t clock_ok;
volatile uint32_t ticks;
volatile uint32_t loops;
/* Set by a debugger: the loop reads this address once (to show how the
 * simulator reports a block it does not model). */
volatile uint32_t poke_addr;
volatile uint32_t step_a, step_b, step_c;

/* Three one-line statements for a debugger to step through. */
__attribute__((noinline)) static void step_area(void)
{
	step_a++; /* step here */
	step_b++;
	step_c++;
}

void SysTick_Handler(void)
{
	ticks++;
}

static void wait_set(volatile uint32_t *reg, uint32_t mask, uint32_t stage)
{
	clock_stage = stage;
	while ((*reg & mask) != mask)
		;
}

/* What vendor SystemInit does first (RM0433): clock tree back to HSI with
 * every prescaler and PLL at its reset value, the AXI SRAM read issuing
 * capability to 1 (AXI_TARG7_FN_MOD in the interconnect GPV, an erratum
 * workaround), FMC bank 1 disabled (FMC_BCR1). */
static void system_init(void)
{
	RCC_CR |= 1u;                 /* HSION */
	RCC_CFGR = 0;
	RCC_CR &= 0xEAF6ED7Fu;        /* HSEON, CSSON, CSION, HSI48ON, PLLxON off */
	RCC_D1CFGR = 0;
	RCC_D2CFGR = 0;
	RCC_D3CFGR = 0;
	RCC_PLLCKSELR = 0x02020200u;
	RCC_PLLCFGR = 0x01FF0000u;
	RCC_PLL1DIVR = 0x01010280u;
	REG(0x51008108u) = 1u;        /* AXI_TARG7_FN_MOD: READ_ISS_OVERRIDE */
	REG(0x52004000u) = 0x000030D2u; /* FMC_BCR1: MBKEN cleared */
	clock_stage = 0;
}

static void clock_init(void)
{
	/* RM0433 §6.8.4: LDO supply (LDOEN, not BYPASS), then ACTVOSRDY. */
	PWR_CR3 = (PWR_CR3 & ~0x7u) | 0x2u;
	wait_set(&PWR_CSR1, 1u << 13, 1);
	/* Scale 1 (VOS = 11), then VOS0 with ODEN (§6.6.2). */
	PWR_D3CR = 3u << 14;
	wait_set(&PWR_D3CR, 1u << 13, 2);
	RCC_APB4ENR |= 1u << 1; /* SYSCFGEN */
	SYSCFG_PWRCR |= 1u;
	wait_set(&PWR_D3CR, 1u << 13, 3);
	/* HSE on, ready (§8.7.2). */
	RCC_CR |= 1u << 16;
	wait_set(&RCC_CR, 1u << 17, 4);
	/* PLL1 from HSE / 5 = 5 MHz (range 4-8 MHz), x160 = 800 MHz VCO, P /2. */
	RCC_PLLCKSELR = (RCC_PLLCKSELR & ~0x3F3u) | (5u << 4) | 2u;
	RCC_PLLCFGR = (RCC_PLLCFGR & ~0xFu) | (2u << 2) | (1u << 16); /* PLL1RGE, DIVP1EN */
	RCC_PLL1DIVR = (159u << 0) | (1u << 9) | (3u << 16) | (1u << 24);
	RCC_CR |= 1u << 24;
	wait_set(&RCC_CR, 1u << 25, 5);
	/* Flash: 2 wait states and WRHIGHFREQ 2 for a 200 MHz AXI clock, read back (§4.3.8). */
	FLASH_ACR = (2u << 4) | 2u;
	clock_stage = 6;
	while ((FLASH_ACR & 0x3Fu) != 0x22u)
		;
	/* AHB /2 (HPRE), APB3/1/2/4 /2. */
	RCC_D1CFGR = (8u << 0) | (4u << 4);
	RCC_D2CFGR = (4u << 4) | (4u << 8);
	RCC_D3CFGR = 4u << 4;
	/* Switch sys_ck to PLL1 and wait for SWS (§8.7.6). */
	RCC_CFGR = (RCC_CFGR & ~7u) | 3u;
	clock_stage = 7;
	while (((RCC_CFGR >> 3) & 7u) != 3u)
		;
	clock_ok = 1;
}

int main(void)
{
	system_init();
	clock_init();
	RCC_AHB4ENR |= 1u << 1; /* GPIOB */
	GPIOB_MODER = (GPIOB_MODER & ~3u) | 1u; /* PB0 output: the LED */
	/* SysTick at 1 kHz on the 400 MHz processor clock (B3.3). */
	SYST_RVR = 400000u - 1u;
	SYST_CVR = 0;
	SYST_CSR = 7u;
	for (;;) {
		dp_run();
		step_area();
		loops++;
		GPIOB_BSRR = (loops & 1u) ? 1u : 1u << 16;
		if (poke_addr) {
			(void)*(volatile uint32_t *)poke_addr;
			poke_addr = 0;
		}
		__asm volatile("wfi");
	}
}
