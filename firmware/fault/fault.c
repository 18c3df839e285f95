/* Test firmware that faults on its own (issue #14 item 8), the way vendor
 * start-up code does when it touches a peripheral that is absent or not
 * clocked, or a program follows a stray pointer: after some loops it reads
 * unmapped address space. That is a precise BusFault, escalated to HardFault
 * because SHCSR.BUSFAULTENA is 0 out of reset (ARMv7-M ARM B1.5.14, B3.2.13).
 * With -DFAULT_LOCKUP the HardFault handler faults too, which locks the core
 * up (B1.5.15). No vendor code; linked with the demo's STM32H743 layout. */
#include <stdint.h>

#define STRAY 0xA0000000u /* nothing is mapped there on the H743 */

extern uint32_t _estack, _sbss, _ebss;
void Reset_Handler(void);
void HardFault_Handler(void);
void Default_Handler(void);

volatile uint32_t fault_loops;
volatile uint32_t fault_value;

__attribute__((noinline)) static uint32_t read_stray(uint32_t addr)
{
	return *(volatile uint32_t *)addr;
}

int main(void);
int main(void)
{
	for (;;)
		if (++fault_loops == 20000u)
			fault_value = read_stray(STRAY);
}

void Reset_Handler(void)
{
	for (uint32_t *p = &_sbss; p < &_ebss;)
		*p++ = 0;
	main();
}

void HardFault_Handler(void)
{
#ifdef FAULT_LOCKUP
	fault_value = read_stray(STRAY + 4u);
#endif
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
