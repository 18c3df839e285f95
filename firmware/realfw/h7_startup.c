/* Vector table and reset handler of the H7 clock test firmware (ARMv7-M
 * ARM B1.5.3). Our own code, from the reference manuals only. */
#include <stdint.h>

extern uint32_t _estack, _sidata, _sdata, _edata, _sbss, _ebss;
int main(void);
void Reset_Handler(void);
void Fault_Handler(void);
void SysTick_Handler(void);

#define SCB_CPACR (*(volatile uint32_t *)0xE000ED88u)

void Reset_Handler(void)
{
	uint32_t *src = &_sidata, *dst = &_sdata;

	/* CP10/CP11 full access before any FP instruction (B3.2.20). */
	SCB_CPACR |= 0xFu << 20;
	__asm volatile("dsb\n isb");
	while (dst < &_edata)
		*dst++ = *src++;
	for (dst = &_sbss; dst < &_ebss;)
		*dst++ = 0;
	main();
	for (;;)
		;
}

volatile uint32_t fault_count;

void Fault_Handler(void)
{
	fault_count++;
	for (;;)
		__asm volatile("nop");
}

__attribute__((section(".isr_vector"), used)) static void (*const vectors[16])(void) = {
	(void (*)(void))(uintptr_t)&_estack,
	Reset_Handler,
	Fault_Handler, /* NMI */
	Fault_Handler, /* HardFault */
	Fault_Handler, /* MemManage */
	Fault_Handler, /* BusFault */
	Fault_Handler, /* UsageFault */
	0, 0, 0, 0,
	Fault_Handler, /* SVCall */
	Fault_Handler, /* DebugMonitor */
	0,
	Fault_Handler, /* PendSV */
	SysTick_Handler,
};
