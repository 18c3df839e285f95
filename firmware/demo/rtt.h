/* The demo's RTT: our own implementation of the public SEGGER RTT control
 * block layout (an "SEGGER RTT" id, then up and down ring descriptors) so
 * any RTT host, ours or J-Link's, finds and reads it. */
#ifndef DEMO_RTT_H
#define DEMO_RTT_H

#include <stddef.h>
#include <stdint.h>

#define RTT_UP_CHANNELS 2
#define RTT_DOWN_CHANNELS 2

/* Flags bits 1:0, the target's policy when an up buffer is full. For a
 * down buffer they tell the host what to do when the target lags. */
#define RTT_MODE_SKIP 0u  /* drop the whole write */
#define RTT_MODE_TRIM 1u  /* write what fits */
#define RTT_MODE_BLOCK 2u /* wait for room */

/* One ring: the writer owns wr, the reader owns rd; wr == rd is empty. */
struct rtt_ring {
	const char *name;
	char *buf;
	uint32_t size;
	volatile uint32_t wr;
	volatile uint32_t rd;
	uint32_t flags;
};

struct rtt_control_block {
	char id[16];
	int32_t max_up;
	int32_t max_down;
	struct rtt_ring up[RTT_UP_CHANNELS];
	struct rtt_ring down[RTT_DOWN_CHANNELS];
};

extern struct rtt_control_block _SEGGER_RTT;

void rtt_init(void);
/* Write up to len bytes to up channel ch following its mode; returns the
 * bytes written. */
size_t rtt_write(unsigned ch, const void *data, size_t len);
/* Read what the host sent on down channel ch. */
size_t rtt_read(unsigned ch, void *data, size_t max);
/* Free space in up channel ch. */
size_t rtt_up_free(unsigned ch);

#endif
