/* Vector table and reset handler for the demo (ARMv7-M ARM B1.5.3: word 0 is
 * the initial MSP, word 1 the reset vector). No vendor headers: the demo
 * touches no peripheral, so it runs on the simulator unchanged. */
#include <stdint.h>
#include <string.h>

#include "demo.h"

extern uint32_t _estack, _sidata, _sdata, _edata, _sbss, _ebss;
int main(void);
void Reset_Handler(void);
void HardFault_Handler(void);
void Default_Handler(void);

struct demo_fault_record demo_fault;

#define SCB_CFSR (*(volatile uint32_t *)0xE000ED28u)
#define SCB_HFSR (*(volatile uint32_t *)0xE000ED2Cu)
#define SCB_BFAR (*(volatile uint32_t *)0xE000ED38u)
#define SCB_CPACR (*(volatile uint32_t *)0xE000ED88u)

void Reset_Handler(void)
{
	uint32_t *src = &_sidata, *dst = &_sdata;

	while (dst < &_edata)
		*dst++ = *src++;
	for (dst = &_sbss; dst < &_ebss;)
		*dst++ = 0;
	SCB_CPACR |= 0xFu << 20; /* CP10/CP11 full access: the FPU (B3.2.20) */
	__asm volatile("dsb\n isb");
	main();
	for (;;)
		;
}

/* Record why we faulted, then park where a debugger can find us. */
void HardFault_Handler(void)
{
	demo_fault.cfsr = SCB_CFSR;
	demo_fault.hfsr = SCB_HFSR;
	demo_fault.bfar = SCB_BFAR;
	demo_fault.count++;
	for (;;)
		__asm volatile("nop");
}

void Default_Handler(void)
{
	for (;;)
		;
}

__attribute__((section(".isr_vector"), used)) static void (*const vectors[16])(void) = {
	(void (*)(void))(uintptr_t)&_estack,
	Reset_Handler,
	Default_Handler,   /* NMI */
	HardFault_Handler, /* HardFault */
	Default_Handler,   /* MemManage */
	Default_Handler,   /* BusFault */
	Default_Handler,   /* UsageFault */
	0, 0, 0, 0,
	Default_Handler, /* SVCall */
	Default_Handler, /* DebugMonitor */
	0,
	Default_Handler, /* PendSV */
	Default_Handler, /* SysTick */
};
