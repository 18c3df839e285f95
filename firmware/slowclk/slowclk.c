/* Test firmware for debug-register timing on a slow core (issue #18):
 * switch the STM32H743 system clock to CSI (4 MHz) and divide the CPU
 * clock by 512 (D1CPRE), so the Cortex-M7 runs at 7.8125 kHz and one core
 * clock cycle (128 us) outlasts ten SWD packets at 4 MHz. Then spin with
 * known values in r4-r11 and a counter in r0, for a debugger to read,
 * write and step. RM0433 §8.7.2 RCC_CR (CSION, CSIRDY), §8.7.6 RCC_CFGR
 * (SW, SWS), §8.7.8 RCC_D1CFGR (D1CPRE, HPRE). */
#include <stdint.h>

#define RCC_BASE 0x58024400u
#define RCC_CR (*(volatile uint32_t *)(RCC_BASE + 0x00u))
#define RCC_CFGR (*(volatile uint32_t *)(RCC_BASE + 0x10u))
#define RCC_D1CFGR (*(volatile uint32_t *)(RCC_BASE + 0x18u))
#define CR_CSION (1u << 7)
#define CR_CSIRDY (1u << 8)
#define CFGR_SW_MASK 7u
#define CFGR_SW_CSI 1u
#define CFGR_SWS_SHIFT 3
#define D1CFGR_D1CPRE_SHIFT 8
#define D1CFGR_D1CPRE_DIV512 0xFu /* 1xxx: /2 ... /512 */
#define D1CFGR_HPRE_MASK 0xFu     /* 0xxx: rcc_hclk = sys_d1cpre_ck */

extern uint32_t _estack;
void slowclk_reset(void);
void slowclk_fault(void);

/* Set once the core runs from CSI/512 (the test reads it). */
volatile uint32_t slowclk_ready;

__attribute__((section(".vectors"), used)) static const void *const vectors[16] = {
	&_estack, slowclk_reset, slowclk_fault, slowclk_fault, slowclk_fault, slowclk_fault, slowclk_fault,
};

void slowclk_fault(void)
{
	for (;;)
		;
}

/* r0 counts; r4-r11 hold 0x44444444 .. 0xBBBBBBBB. */
__attribute__((naked, noreturn)) static void slowclk_spin(void)
{
	__asm volatile("ldr r4, =0x44444444\n\t"
		       "ldr r5, =0x55555555\n\t"
		       "ldr r6, =0x66666666\n\t"
		       "ldr r7, =0x77777777\n\t"
		       "ldr r8, =0x88888888\n\t"
		       "ldr r9, =0x99999999\n\t"
		       "ldr r10, =0xAAAAAAAA\n\t"
		       "ldr r11, =0xBBBBBBBB\n\t"
		       "movs r0, #0\n\t"
		       ".global slowclk_loop\n"
		       "slowclk_loop:\n\t"
		       "adds r0, r0, #1\n\t"
		       "b slowclk_loop\n\t"
		       ".ltorg\n");
}

void slowclk_reset(void)
{
	RCC_CR |= CR_CSION;
	while (!(RCC_CR & CR_CSIRDY))
		;
	RCC_CFGR = (RCC_CFGR & ~CFGR_SW_MASK) | CFGR_SW_CSI;
	while (((RCC_CFGR >> CFGR_SWS_SHIFT) & 7u) != CFGR_SW_CSI)
		;
	RCC_D1CFGR = (RCC_D1CFGR & ~(0xFu << D1CFGR_D1CPRE_SHIFT) & ~D1CFGR_HPRE_MASK) |
		     (D1CFGR_D1CPRE_DIV512 << D1CFGR_D1CPRE_SHIFT);
	slowclk_ready = 1;
	slowclk_spin();
}
