/* The demo's text output: a periodic line on RTT up channel 0 and on ITM
 * stimulus port 0 (SWO), an echo of RTT down channel 0, and a flood mode
 * for the throughput bench (demo_rtt_flood != 0: up channel 1 is kept full
 * with a byte sequence the host can check for gaps). */
#include <stdint.h>

#include "demo.h"
#include "rtt.h"

/* ARMv7-M ARM C1.7 (ITM) and C1.6.5 (DEMCR). */
#define ITM_STIM0 (*(volatile uint32_t *)0xE0000000u)
#define ITM_STIM0_U8 (*(volatile uint8_t *)0xE0000000u)
#define ITM_TER (*(volatile uint32_t *)0xE0000E00u)
#define ITM_TCR (*(volatile uint32_t *)0xE0000E80u)
#define DEMCR (*(volatile uint32_t *)0xE000EDFCu)
#define DEMCR_TRCENA (1u << 24)
#define ITM_TCR_ITMENA 1u

#define LINE_EVERY 512u /* loop iterations between lines (about 8 ms virtual) */

volatile uint32_t demo_rtt_flood;
uint32_t demo_rtt_lines;
static uint8_t flood_next;

/* Only when a debugger has set trace up: a disabled port would drop the
 * bytes anyway, but polling FIFOREADY on a dead ITM could hang. */
static int itm_enabled(void)
{
	return (DEMCR & DEMCR_TRCENA) && (ITM_TCR & ITM_TCR_ITMENA) && (ITM_TER & 1u);
}

static void itm_puts(const char *s, uint32_t n)
{
	if (!itm_enabled())
		return;
	for (uint32_t i = 0; i < n; i++) {
		while (!(ITM_STIM0 & 1u)) /* FIFOREADY */
			;
		ITM_STIM0_U8 = (uint8_t)s[i];
	}
}

static uint32_t fmt_line(char *out, const char *prefix, uint32_t n)
{
	char digits[10];
	uint32_t len = 0, nd = 0;

	while (*prefix)
		out[len++] = *prefix++;
	do {
		digits[nd++] = (char)('0' + n % 10u);
		n /= 10u;
	} while (n);
	while (nd)
		out[len++] = digits[--nd];
	out[len++] = '\n';
	return len;
}

__attribute__((noinline)) void demo_rtt_line(uint32_t n)
{
	char line[32];
	uint32_t len = fmt_line(line, "rtt: tick ", n);

	rtt_write(0, line, len);
	len = fmt_line(line, "itm: tick ", n);
	itm_puts(line, len);
	demo_rtt_lines++;
}

static void flood(void)
{
	uint8_t chunk[64];
	size_t room;

	while ((room = rtt_up_free(1)) != 0) {
		size_t n = room < sizeof(chunk) ? room : sizeof(chunk);
		for (size_t i = 0; i < n; i++)
			chunk[i] = flood_next++;
		rtt_write(1, chunk, n);
	}
}

#ifdef DEMO_RTT_SHIFT
/* Test build: more .bss ahead of rtt.c's (this file links first), so
 * _SEGGER_RTT moves by DEMO_RTT_SHIFT bytes, as a rebuild moves it. */
static volatile uint8_t rtt_shift_pad[DEMO_RTT_SHIFT];
#endif

void demo_io_init(void)
{
#ifdef DEMO_RTT_SHIFT
	rtt_shift_pad[0] = 1; /* referenced: --gc-sections keeps it */
#endif
	flood_next = 0;
	rtt_init();
}

void demo_io_poll(uint32_t iteration)
{
	char echo[32];
	size_t n;

	if (iteration % LINE_EVERY == 0)
		demo_rtt_line(iteration / LINE_EVERY);
	while ((n = rtt_read(0, echo, sizeof(echo))) != 0)
		rtt_write(0, echo, n);
	if (demo_rtt_flood)
		flood();
}
