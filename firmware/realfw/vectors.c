/* Vector table and reset handler of the H743 and N657 realfw images
 * (ARMv7-M ARM B1.5.3: word 0 the initial MSP, word 1 the reset vector).
 * Our own code, from the architecture manual only. */
#include <stdint.h>

#include "crt.h"

extern uint32_t _estack;
void Reset_Handler(void);

void Reset_Handler(void)
{
	crt_init();
	main();
	for (;;)
		;
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
