/* RT1062 start-up after FlexRAM: DCDC target voltage and STS_DC_OK, the
 * ARM PLL to 1200 MHz (DIV_SELECT 100) and its LOCK bit, ARM_PODF /2 for a
 * 600 MHz core, the USB1 PLL (480 MHz) and its LOCK bit; then SysTick at
 * 1 kHz and the double-precision loop, woken by WFI. From the i.MX RT1060
 * RM (§13 CCM_ANALOG, §14 CCM, §18 DCDC). A deep stack frame in ITCM code
 * proves the stack lives in the repartitioned DTCM. */
#include <stdint.h>

#include "dp_loop.h"

#define REG(a) (*(volatile uint32_t *)(a))
#define DCDC_REG0 REG(0x40080000u)
#define DCDC_REG3 REG(0x4008000Cu)
#define PLL_ARM REG(0x400D8000u)
#define PLL_USB1 REG(0x400D8010u)
#define CCM_CACRR REG(0x400FC010u)
#define CCM_CBCDR REG(0x400FC014u)
#define CCM_CBCMR REG(0x400FC018u)
#define CCM_CDHIPR REG(0x400FC048u)
#define SYST_CSR REG(0xE000E010u)
#define SYST_RVR REG(0xE000E014u)
#define SYST_CVR REG(0xE000E018u)
#define LOCK (1u << 31)

volatile uint32_t clock_stage;
volatile uint32_t clock_ok;
volatile uint32_t ticks;
volatile uint32_t loops;
volatile uint32_t stack_sum;

void SysTick_Handler(void)
{
	ticks++;
}

/* Runs from ITCM; its 32 KiB frame sits near the top of the DTCM. */
__attribute__((section(".itcm"), noinline)) static uint32_t deep_stack(uint32_t seed)
{
	volatile uint32_t buf[8192];

	for (uint32_t i = 0; i < 8192; i++)
		buf[i] = seed + i;
	return buf[0] + buf[8191];
}

static void clocks_init(void)
{
	/* DCDC to 1.25 V (TRG 0x13), wait for STS_DC_OK. */
	DCDC_REG3 = (DCDC_REG3 & ~0x1Fu) | 0x13u;
	clock_stage = 1;
	while (!(DCDC_REG0 & (1u << 31)))
		;
	/* ARM PLL: power down + bypass, then enable at DIV_SELECT 100. */
	PLL_ARM = (1u << 12) | (1u << 16);
	PLL_ARM = (1u << 13) | (1u << 16) | 100u;
	clock_stage = 2;
	while (!(PLL_ARM & LOCK))
		;
	PLL_ARM &= ~(1u << 16); /* out of bypass */
	CCM_CACRR = 1u;          /* ARM_PODF /2: 600 MHz */
	clock_stage = 3;
	while (CCM_CDHIPR & (1u << 16)) /* ARM_PODF_BUSY */
		;
	CCM_CBCMR = (CCM_CBCMR & ~(3u << 18)) | (3u << 18); /* PRE_PERIPH: PLL1 / ARM_PODF */
	CCM_CBCDR &= ~((1u << 25) | (7u << 10));            /* periph from pre_periph, AHB /1 */
	while (CCM_CDHIPR & ((1u << 5) | (1u << 1)))
		;
	/* USB1 PLL (PLL3): POWER, ENABLE, EN_USB_CLKS; wait for LOCK. */
	PLL_USB1 = (1u << 12) | (1u << 13) | (1u << 6);
	clock_stage = 4;
	while (!(PLL_USB1 & LOCK))
		;
	clock_ok = 1;
}

int main(void)
{
	clocks_init();
	stack_sum = deep_stack(0x1234u);
	SYST_RVR = 600000u - 1u; /* 1 kHz on the 600 MHz processor clock */
	SYST_CVR = 0;
	SYST_CSR = 7u;
	for (;;) {
		dp_run();
		loops++;
		__asm volatile("wfi");
	}
}
