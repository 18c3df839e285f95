/* STM32N657 FSBL: what it can rely on after the boot ROM loaded it from the
 * XSPI2 NOR (RM0486): XSPI2 and XSPIM clocked (RCC_AHB5ENR) and the NOR
 * memory-mapped at 0x70000000, where its own STM32 header ("STM2") is.
 * Then SysTick at 1 kHz on the processor clock and a WFI loop. Built for
 * the Cortex-M33 stand-in (ARCHITECTURE.md §4). */
#include <stdint.h>

#include "crt.h"

#define REG(a) (*(volatile uint32_t *)(a))
#define RCC_AHB5ENR REG(0x56028260u)
#define NOR_HEADER REG(0x70000000u)
#define SYST_CSR REG(0xE000E010u)
#define SYST_RVR REG(0xE000E014u)
#define SYST_CVR REG(0xE000E018u)
#define CORE_HZ 64000000u /* the simulated N657's core clock out of the ROM */

volatile uint32_t xspi_clocks; /* RCC_AHB5ENR as the FSBL found it */
volatile uint32_t hdr_magic;   /* the first word of the NOR, read through XSPI2 */
volatile uint32_t ticks;
volatile uint32_t loops;

void SysTick_Handler(void)
{
	ticks++;
}

int main(void)
{
	xspi_clocks = RCC_AHB5ENR;
	hdr_magic = NOR_HEADER;
	SYST_RVR = CORE_HZ / 1000u - 1u;
	SYST_CVR = 0;
	SYST_CSR = 7u;
	for (;;) {
		loops++;
		__asm volatile("wfi");
	}
}
