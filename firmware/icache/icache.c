/* Test firmware for the Cortex-M7 I-cache (issue #18): runs code from AXI
 * SRAM at 0x24000000, where the server's H7 flash loader runs, with CCR.IC
 * set, so every line of the loader's place is in the I-cache when a
 * debugger stops it. A server that writes code there (the loader, gdb) and
 * resumes without ICIALLU runs stale lines (ARMv7-M ARM B2.2.7).
 *
 * The routine: RAM_INSNS x "adds r0, #1" then "bx lr", so ram_fn(0) returns
 * RAM_INSNS; main counts the calls and remembers what the last one returned
 * (icache_last; icache_bad counts wrong results). ram_checked() after each
 * call is where a test puts its breakpoint. .text is padded past 16 KiB so
 * gdb's compare-sections asks the server for a CRC on the target (a loader
 * call that puts the RAM back afterwards). No vendor code; the demo's
 * STM32H743 layout. */
#include <stdint.h>

#define RAM_CODE 0x24000000u
#define RAM_BYTES 0x800u /* 64 lines: the whole H7 loader blob */
#define RAM_INSNS (RAM_BYTES / 2u - 1u)
#define SCB_CCR (*(volatile uint32_t *)0xE000ED14u)
#define SCB_ICIALLU (*(volatile uint32_t *)0xE000EF50u)
#define CCR_IC (1u << 17)

extern uint32_t _estack, _sbss, _ebss;
void Reset_Handler(void);
void Default_Handler(void);

volatile uint32_t icache_calls;
volatile uint32_t icache_last;
volatile uint32_t icache_bad;

/* Read so the linker keeps it: the size that makes compare-sections use
 * the target's CRC. */
static const uint8_t pad[16384] = {1};

static void barrier(void)
{
	__asm volatile("dsb\n\tisb" ::: "memory");
}

/* CMSIS SCB_EnableICache: invalidate, then enable (the lines' state at
 * reset is not to be trusted). */
static void icache_enable(void)
{
	barrier();
	SCB_ICIALLU = 0;
	barrier();
	SCB_CCR |= CCR_IC;
	barrier();
}

/* Code written by the CPU's stores: invalidate before running it (B2.2.7). */
static void ram_code_build(void)
{
	volatile uint16_t *p = (volatile uint16_t *)RAM_CODE;

	for (uint32_t i = 0; i < RAM_INSNS; i++)
		p[i] = 0x3001u; /* adds r0, #1 */
	p[RAM_INSNS] = 0x4770u; /* bx lr */
	barrier();
	SCB_ICIALLU = 0;
	barrier();
}

__attribute__((noinline)) void ram_checked(void);
__attribute__((noinline)) void ram_checked(void)
{
	__asm volatile("" ::: "memory");
}

int main(void);
int main(void)
{
	uint32_t (*ram_fn)(uint32_t) = (uint32_t (*)(uint32_t))(RAM_CODE | 1u);

	icache_enable();
	ram_code_build();
	for (;;) {
		uint32_t v = ram_fn(0);
		icache_last = v;
		icache_bad += v != RAM_INSNS;
		(void)*(volatile const uint8_t *)&pad[icache_calls % sizeof(pad)];
		icache_calls++;
		ram_checked();
	}
}

void Reset_Handler(void)
{
	for (uint32_t *p = &_sbss; p < &_ebss;)
		*p++ = 0;
	main();
}

void Default_Handler(void)
{
	for (;;)
		;
}

__attribute__((section(".isr_vector"), used)) static void (*const vectors[16])(void) = {
	(void (*)(void))(uintptr_t)&_estack,
	Reset_Handler,
	Default_Handler, /* NMI */
	Default_Handler, /* HardFault */
	Default_Handler, /* MemManage */
	Default_Handler, /* BusFault */
	Default_Handler, /* UsageFault */
	0, 0, 0, 0,
	Default_Handler, /* SVCall */
	Default_Handler, /* DebugMonitor */
	0,
	Default_Handler, /* PendSV */
	Default_Handler, /* SysTick */
};
