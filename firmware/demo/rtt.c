/* RTT for the demo: rings in RAM the debugger reads and writes through the
 * MEM-AP while the core runs. Ordering: data first, then a DMB, then the
 * offset (ARMv7-M ARM A3.7.3), so the host never sees an offset ahead of
 * its data. */
#include <string.h>

#include "rtt.h"

#ifdef DEMO_NO_RTT
/* Test build without RTT: no control block in RAM and no _SEGGER_RTT
 * symbol (nothing references it, so --gc-sections drops it). */
void rtt_init(void)
{
}

size_t rtt_up_free(unsigned ch)
{
	(void)ch;
	return 0;
}

size_t rtt_write(unsigned ch, const void *data, size_t len)
{
	(void)ch;
	(void)data;
	(void)len;
	return 0;
}

size_t rtt_read(unsigned ch, void *data, size_t max)
{
	(void)ch;
	(void)data;
	(void)max;
	return 0;
}
#else

#define UP0_SIZE 1024u
#define UP1_SIZE 8192u /* the bench channel: big enough to amortise a poll */
#define DOWN0_SIZE 64u
#define DOWN1_SIZE 16u

struct rtt_control_block _SEGGER_RTT;

static char up0_buf[UP0_SIZE];
static char up1_buf[UP1_SIZE];
static char down0_buf[DOWN0_SIZE];
static char down1_buf[DOWN1_SIZE];

static inline void dmb(void)
{
	__asm volatile("dmb" ::: "memory");
}

static void ring_init(struct rtt_ring *r, const char *name, char *buf, uint32_t size, uint32_t flags)
{
	r->name = name;
	r->buf = buf;
	r->size = size;
	r->wr = 0;
	r->rd = 0;
	r->flags = flags;
}

/* The id goes in last, back to front, so a host scanning RAM never finds a
 * half-built block, and the string never sits whole in the flash image. */
void rtt_init(void)
{
	static const char tail[] = "RTT";
	struct rtt_control_block *cb = &_SEGGER_RTT;
	volatile char *id = cb->id;

	memset(cb, 0, sizeof(*cb));
	cb->max_up = RTT_UP_CHANNELS;
	cb->max_down = RTT_DOWN_CHANNELS;
	ring_init(&cb->up[0], "Terminal", up0_buf, UP0_SIZE, RTT_MODE_SKIP);
	ring_init(&cb->up[1], "Bench", up1_buf, UP1_SIZE, RTT_MODE_TRIM);
	ring_init(&cb->down[0], "Terminal", down0_buf, DOWN0_SIZE, RTT_MODE_BLOCK);
	ring_init(&cb->down[1], "Bench", down1_buf, DOWN1_SIZE, RTT_MODE_TRIM);
	dmb();
	for (int i = 2; i >= 0; i--)
		id[7 + i] = tail[i];
	id[6] = ' ';
	for (int i = 5; i >= 0; i--)
		id[i] = "SEGGER"[i];
	dmb();
}

size_t rtt_up_free(unsigned ch)
{
	const struct rtt_ring *r = &_SEGGER_RTT.up[ch];
	uint32_t rd = r->rd, wr = r->wr;

	return rd > wr ? rd - wr - 1u : r->size - (wr - rd) - 1u;
}

size_t rtt_write(unsigned ch, const void *data, size_t len)
{
	struct rtt_ring *r;
	const char *p = data;
	size_t room, done = 0;
	uint32_t wr;

	if (ch >= RTT_UP_CHANNELS)
		return 0;
	r = &_SEGGER_RTT.up[ch];
	room = rtt_up_free(ch);
	if (len > room) {
		if ((r->flags & 3u) == RTT_MODE_SKIP)
			return 0;
		if ((r->flags & 3u) == RTT_MODE_TRIM)
			len = room;
	}
	wr = r->wr;
	while (done < len) {
		size_t n;
		if ((r->flags & 3u) == RTT_MODE_BLOCK) {
			while (!rtt_up_free(ch))
				;
			room = rtt_up_free(ch);
		}
		n = r->size - wr;
		if (n > len - done)
			n = len - done;
		if (n > room)
			n = room;
		memcpy(r->buf + wr, p + done, n);
		done += n;
		room -= n;
		wr += (uint32_t)n;
		if (wr == r->size)
			wr = 0;
		dmb();
		r->wr = wr;
	}
	return done;
}

size_t rtt_read(unsigned ch, void *data, size_t max)
{
	struct rtt_ring *r;
	char *p = data;
	size_t done = 0;
	uint32_t rd, wr;

	if (ch >= RTT_DOWN_CHANNELS)
		return 0;
	r = &_SEGGER_RTT.down[ch];
	rd = r->rd;
	wr = r->wr;
	dmb();
	while (done < max && rd != wr && rd < r->size) {
		p[done++] = r->buf[rd++];
		if (rd == r->size)
			rd = 0;
	}
	dmb();
	r->rd = rd;
	return done;
}
#endif /* DEMO_NO_RTT */
