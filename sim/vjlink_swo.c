/* vjlink SWO capture (see vjlink_swo.h). Requests after 07 EB: a
 * sub-command, then parameters as (length, id, value) until a 0 length:
 *   64 start: 04 01 mode, 04 02 baud, 04 04 buffer size -> u32 status
 *   65 stop                                            -> u32 status
 *   66 read:  04 03 max length -> u32 status, u32 n, n bytes
 *   6E speeds: 04 01 mode      -> u32 28, 0, base, min_div, max_div, min_pre, max_pre
 * The probe's UART samples at base / div; a rate more than 3 % off the
 * chip's gives framing errors on real hardware, nothing here [simplified]. */
#include <string.h>

#include "sim/vjlink_swo.h"
#include "sw/types.h"

#define SWO_START 0x64
#define SWO_STOP 0x65
#define SWO_READ 0x66
#define SWO_SPEEDS 0x6E
#define SWO_PARAM_MODE 0x01
#define SWO_PARAM_BAUD 0x02
#define SWO_PARAM_READ_SIZE 0x03
#define SWO_PARAM_BUF_SIZE 0x04
#define SWO_MODE_UART 0u
#define SWO_STATUS_ERR 0x80000000u
/* A J-Link's SWO UART: 60 MHz base, dividers 4..65535 (J-Link BASE class,
 * the same base clock GET_SPEEDS reports). */
#define SWO_BASE_HZ 60000000u
#define SWO_MIN_DIV 4u
#define SWO_MAX_DIV 65535u

long vj_swo_cmd_len(const uint8_t *p, size_t n)
{
	size_t off = 3;

	if (n < 3)
		return 0;
	for (;;) {
		if (off >= n)
			return 0;
		if (p[off] == 0)
			return (long)off + 1;
		if (p[off] > 8)
			return -1;
		off += 1u + 1u + p[off]; /* length byte, id, value */
		if (off > 64)
			return -1;
	}
}

/* Parameter `id` as a u32 (0 if absent). */
static uint32_t param(const uint8_t *p, size_t len, uint8_t id)
{
	for (size_t off = 3; off + 1 < len && p[off]; off += 2u + p[off])
		if (p[off + 1] == id && p[off] == 4 && off + 6 <= len)
			return sw_le32_get(p + off + 2);
	return 0;
}

static void pull(struct vj_swo *s, struct sim *sim)
{
	uint8_t tmp[4096];
	uint32_t chip = 0;
	size_t n;

	while ((n = sim_swo_take(sim, tmp, sizeof(tmp), &chip)) != 0) {
		uint64_t diff = chip > s->baud ? chip - s->baud : s->baud - chip;
		size_t room = s->bufsize - s->len;
		if (!s->baud || diff * 100u > 3u * (uint64_t)s->baud) {
			s->dropped += n;
			continue;
		}
		if (n > room) {
			s->dropped += n - room;
			n = room;
		}
		memcpy(s->buf + s->len, tmp, n);
		s->len += n;
	}
}

size_t vj_swo_exec(struct vj_swo *s, struct sim *sim, const uint8_t *p, size_t len, uint8_t *tx,
		   size_t tx_max)
{
	uint32_t baud, div, max;
	size_t n;

	switch (p[2]) {
	case SWO_START:
		baud = param(p, len, SWO_PARAM_BAUD);
		div = baud ? (SWO_BASE_HZ + baud / 2) / baud : 0;
		if (param(p, len, SWO_PARAM_MODE) != SWO_MODE_UART || div < SWO_MIN_DIV || div > SWO_MAX_DIV) {
			sw_le32_put(tx, SWO_STATUS_ERR);
			return 4;
		}
		s->baud = SWO_BASE_HZ / div;
		s->bufsize = param(p, len, SWO_PARAM_BUF_SIZE);
		if (!s->bufsize || s->bufsize > sizeof(s->buf))
			s->bufsize = sizeof(s->buf);
		s->len = 0;
		sw_le32_put(tx, 0);
		return 4;
	case SWO_STOP:
		s->baud = 0;
		s->len = 0;
		sw_le32_put(tx, 0);
		return 4;
	case SWO_READ:
		max = param(p, len, SWO_PARAM_READ_SIZE);
		if (s->baud)
			pull(s, sim);
		n = s->len < max ? s->len : max;
		if (n > tx_max - 8)
			n = tx_max - 8;
		sw_le32_put(tx, 0);
		sw_le32_put(tx + 4, (uint32_t)n);
		memcpy(tx + 8, s->buf, n);
		memmove(s->buf, s->buf + n, s->len - n);
		s->len -= n;
		return 8 + n;
	case SWO_SPEEDS:
		sw_le32_put(tx, 28);
		sw_le32_put(tx + 4, 0);
		sw_le32_put(tx + 8, SWO_BASE_HZ);
		sw_le32_put(tx + 12, SWO_MIN_DIV);
		sw_le32_put(tx + 16, SWO_MAX_DIV);
		sw_le32_put(tx + 20, 1);
		sw_le32_put(tx + 24, 1);
		return 28;
	default:
		sw_le32_put(tx, SWO_STATUS_ERR);
		return 4;
	}
}
