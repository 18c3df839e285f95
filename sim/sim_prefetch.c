/* Prefetch stream timing (see sim_prefetch.h). Time is kept in picoseconds
 * so a 30 MHz SPI clock (33 333 ps) does not round to whole ns per byte. */
#include "sim/sim_prefetch.h"

void sim_prefetch_flush(struct sim_prefetch *p)
{
	p->valid = false;
}

/* Clock data in from fill_ps up to now, stopping when the buffer is full. */
static void advance(struct sim_prefetch *p, uint64_t now_ps, uint64_t byte_ps)
{
	uint64_t cap = (uint64_t)p->head + p->ahead, n;

	if (now_ps <= p->fill_ps || p->fill >= cap)
		return;
	n = (now_ps - p->fill_ps) / byte_ps;
	if (p->fill + n >= cap) {
		p->fill = (uint32_t)cap;
		p->fill_ps = now_ps; /* paused: resumes when the core reads on */
		return;
	}
	p->fill += (uint32_t)n;
	p->fill_ps += n * byte_ps;
}

uint64_t sim_prefetch_fetch(struct sim_prefetch *p, uint32_t addr, unsigned size, uint64_t now_ns,
			    uint64_t cmd_ps, uint64_t byte_ps)
{
	uint64_t now_ps = now_ns * 1000u, end = (uint64_t)addr + size, ready, low = 0;

	if (!byte_ps)
		byte_ps = 1;
	if (p->valid) {
		if (p->fill >= (uint64_t)p->head + p->ahead) {
			if (p->fill_ps < now_ps)
				p->fill_ps = now_ps; /* paused (full) until this read */
		} else {
			advance(p, now_ps, byte_ps);
		}
		/* what is still held: a buffer keeps the last `keep` bytes
		 * clocked in; a FIFO only the beat being read */
		low = p->keep ? (p->fill - p->start > p->keep ? p->fill - p->keep : p->start)
			      : (p->head & ~7u) > p->start ? (p->head & ~7u) : p->start;
	}
	if (!p->valid || addr < low || end > (uint64_t)p->head + p->ahead) {
		/* Miss: a new read command from the 8-byte beat holding addr
		 * (64-bit AHB/AXI data path). */
		p->valid = true;
		p->start = p->head = p->fill = addr & ~7u;
		p->fill_ps = now_ps + cmd_ps;
		p->commands++;
	}
	if (end > p->fill) { /* wait for the stream to clock it in */
		ready = p->fill_ps + (end - p->fill) * byte_ps;
		p->fill = (uint32_t)end;
		p->fill_ps = ready;
	} else { /* already on its way in: when did its last byte arrive? */
		uint64_t back = (p->fill - end) * byte_ps;

		ready = p->fill_ps > back ? p->fill_ps - back : 0;
	}
	if (end > p->head)
		p->head = (uint32_t)end;
	return ready > now_ps ? (ready - now_ps + 999u) / 1000u : 0;
}
