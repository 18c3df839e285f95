/* The swdbridge demo: something to debug. A counter loop, a call chain with
 * arguments (break compute / bt / step / finish), globals of several types,
 * a struct, a buffer in AXI SRAM, and a fault path a debugger can trigger by
 * setting demo_fault_trigger. */
#include <stdint.h>

#include "demo.h"

volatile uint32_t counter;
volatile uint32_t demo_fault_trigger;
/* A small state machine for data value watchpoints (monitor watch g_state == 3). */
volatile uint32_t g_state;
int32_t demo_int = -42;
double demo_double = 3.25;
float demo_float = 1.5f;
char demo_text[32] = DEMO_TEXT; /* one line: tests pin this file's line numbers */
struct demo_state demo_state = {.ticks = 0, .temp = 215, .name = "openmv", .ratio = 0.5f, .pair = {1, 2}};
__attribute__((section(".axisram"))) uint32_t demo_buffer[256];

__attribute__((noinline)) static int32_t leaf_scale(int32_t v, int32_t k)
{
	return v * k + 1;
}

__attribute__((noinline)) static int32_t leaf_offset(int32_t v)
{
	return v - 3;
}

__attribute__((noinline)) int32_t compute(int32_t x, int32_t y)
{
	int32_t a = leaf_scale(x, 3);
	int32_t b = leaf_offset(y);

	demo_float = demo_float * 1.0001f;
	return a + b;
}

__attribute__((noinline)) void demo_step(uint32_t n)
{
	int32_t r = compute((int32_t)n, 7);

	demo_state.ticks++;
	demo_state.ratio = (float)r / 100.0f;
	demo_buffer[n & 0xFFu] = (uint32_t)r;
	/* Keep demo_double for gdb to print; double-precision arithmetic is
	 * exercised by firmware/realfw (the simulator emulates it). */
	demo_buffer[256 - 1] = *(const volatile uint32_t *)(const volatile void *)&demo_double;
}

__attribute__((noinline)) static void delay(uint32_t n)
{
	for (volatile uint32_t i = 0; i < n; i++)
		;
}

/* Reading unmapped memory raises a precise BusFault, escalated to HardFault. */
__attribute__((noinline)) static uint32_t bad_access(void)
{
	return *(volatile uint32_t *)0xA0000000u;
}

int main(void)
{
#ifdef DEMO_TEXT_IMAGE
	(void)*(volatile char *)demo_text; /* keep it (--gc-sections) for gdb to print */
#endif
	demo_io_init();
	for (;;) {
		counter++;
		g_state = (g_state + 1u) & 7u;
		demo_step(counter);
		demo_io_poll(counter); /* before the fault check: awatch counter sees read then write */
		if (demo_fault_trigger)
			demo_int = (int32_t)bad_access();
		delay(100);
	}
}
