/* Vector table and reset handler of the RT1062 FlexRAM test firmware,
 * from the i.MX RT1060 reference manual. The boot ROM enters with MSP =
 * vector 0 (the top of the 384 KiB DTCM the fuse default does not have),
 * so the handler must not touch the stack before FlexRAM is repartitioned:
 * it is naked, writes IOMUXC_GPR17 (bank types), GPR16 (take them from
 * GPR17, enable both TCMs) and GPR14 (TCM sizes), then sets SP again. */
#include <stdint.h>

#include "crt.h"

extern uint32_t _estack, _sitcm, _stext_itcm, _etext_itcm;
void Reset_Handler(void);
__attribute__((used)) void startup_c(void);

__attribute__((naked)) void Reset_Handler(void)
{
	__asm volatile(
		"ldr r0, =0x400AC044\n"   /* IOMUXC_GPR_GPR17: FLEXRAM_BANK_CFG */
		"ldr r1, =_flexram_bank_config\n"
		"str r1, [r0]\n"
		"ldr r0, =0x400AC040\n"   /* GPR16: FLEXRAM_BANK_CFG_SEL | INIT_DTCM_EN | INIT_ITCM_EN */
		"ldr r1, [r0]\n"
		"orr r1, r1, #7\n"
		"str r1, [r0]\n"
		"ldr r0, =0x400AC038\n"   /* GPR14: CM7_CFGDTCMSZ 512 KiB, CM7_CFGITCMSZ 512 KiB */
		"ldr r1, =0x00AA0000\n"
		"str r1, [r0]\n"
		"ldr r0, =_estack\n"
		"mov sp, r0\n"
		"b startup_c\n");
}

void startup_c(void)
{
	crt_init();
	for (uint32_t *src = &_sitcm, *dst = &_stext_itcm; dst < &_etext_itcm;)
		*dst++ = *src++; /* code that runs from ITCM */
	main();
	for (;;)
		;
}

__attribute__((section(".isr_vector"), used)) static void (*const vectors[16])(void) = {
	(void (*)(void))(uintptr_t)&_estack,
	Reset_Handler,
	Fault_Handler, Fault_Handler, Fault_Handler, Fault_Handler, Fault_Handler,
	0, 0, 0, 0,
	Fault_Handler, Fault_Handler, 0, Fault_Handler,
	SysTick_Handler,
};
