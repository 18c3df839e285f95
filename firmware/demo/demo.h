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

#endif
