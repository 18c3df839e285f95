/* C run-time start shared by the realfw images: FPU access, .data from
 * its load address, .bss zeroed (ARMv7-M ARM B3.2.20 for CPACR), and the
 * fault handler every image parks in. */
#include <stdint.h>

#include "crt.h"

extern uint32_t _sidata, _sdata, _edata, _sbss, _ebss;

#define SCB_CPACR (*(volatile uint32_t *)0xE000ED88u)

volatile uint32_t fault_count;

void crt_init(void)
{
	uint32_t *src = &_sidata, *dst = &_sdata;

	SCB_CPACR |= 0xFu << 20; /* CP10/CP11 full access before any FP instruction */
	__asm volatile("dsb\n isb");
	while (dst < &_edata)
		*dst++ = *src++;
	for (dst = &_sbss; dst < &_ebss;)
		*dst++ = 0;
}

void Fault_Handler(void)
{
	fault_count++;
	for (;;)
		__asm volatile("nop");
}
