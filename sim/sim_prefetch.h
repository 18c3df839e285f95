/* A serial-flash read stream behind a memory-mapped window, as the core's
 * instruction fetches see it (RT1062 FlexSPI AHB RX buffer with prefetch,
 * N657 XSPI memory-mapped FIFO). A fetch outside what the stream holds or
 * will reach shortly is a miss: a new read command (instruction, address,
 * dummy clocks) before the first byte. After it the controller keeps
 * clocking data in until `ahead` bytes wait unread past the furthest fetch
 * (buffer full: the SPI clock pauses). A buffer keeps the last `keep`
 * bytes clocked in readable (a loop inside them costs nothing); a FIFO
 * (keep 0) only the 8-byte beat being read, so a jump back is a miss. */
#ifndef SW_SIM_PREFETCH_H
#define SW_SIM_PREFETCH_H

#include <stdbool.h>
#include <stdint.h>

struct sim_prefetch {
	uint32_t ahead, keep;  /* geometry (bytes) */
	bool valid;
	uint32_t start;        /* first address of the current command */
	uint32_t head;         /* end of the furthest fetch so far */
	uint32_t fill;         /* end of the data clocked in so far */
	uint64_t fill_ps;      /* when `fill` was reached (or the stream resumes), ps */
	uint64_t commands;     /* read commands issued (misses) */
};

/* Wait, in ns, of a fetch of [addr, addr + size) at now_ns; cmd_ps is the
 * command's overhead before the first data byte, byte_ps a byte's time. */
uint64_t sim_prefetch_fetch(struct sim_prefetch *p, uint32_t addr, unsigned size, uint64_t now_ns,
			    uint64_t cmd_ps, uint64_t byte_ps);
/* The buffer is dropped (controller reset, buffer clear, flash changed). */
void sim_prefetch_flush(struct sim_prefetch *p);

#endif
