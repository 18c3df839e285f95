#ifndef DEMO_H
#define DEMO_H

#include <stdint.h>

struct demo_fault_record {
	uint32_t cfsr, hfsr, bfar, count;
};

struct demo_state {
	uint32_t ticks;
	int16_t temp;
	char name[16];
	float ratio;
	struct {
		uint8_t a, b;
	} pair;
};

extern struct demo_fault_record demo_fault;

/* demo_io.c: RTT and ITM output, RTT echo, the RTT flood for the bench. */
void demo_io_init(void);
void demo_io_poll(uint32_t iteration);
void demo_rtt_line(uint32_t n);

/* Test images built from the demo's sources tell themselves apart by
 * their text (-DDEMO_TEXT="..."); the default build keeps its own. */
#ifdef DEMO_TEXT
#define DEMO_TEXT_IMAGE 1
#else
#define DEMO_TEXT "hello from swdbridge"
#endif

#endif
