/* ITM packet decoder (see itm.h). Header classes, ARMv7-M ARM D4.2:
 *   0x00            part of a synchronisation packet (>= 47 zeros, then 1)
 *   0x70            overflow
 *   xxxx0000 other  local timestamp; bit 7 = continuation bytes follow
 *   10x10100        global timestamp (0x94, 0xB4); continuation bytes follow
 *   xxxx1x00        extension; bit 7 = continuation bytes follow
 *   pppppSss ss!=0  source packet, port p, S = 1 hardware (DWT), 1/2/4 bytes */
#include "server/swo/itm.h"

enum { ITM_HDR, ITM_PAYLOAD, ITM_CONT };

void sw_itm_init(struct sw_itm_dec *d)
{
	*d = (struct sw_itm_dec){0};
}

static void header(struct sw_itm_dec *d, uint8_t h)
{
	if (h == 0x00) {
		d->zeros++;
		return;
	}
	if (h == 0x80 && d->zeros >= 5) {
		d->syncs++;
		d->zeros = 0;
		return;
	}
	d->zeros = 0;
	if (h == 0x70) {
		d->overflows++;
		return;
	}
	if (h & 3u) {
		static const unsigned sizes[4] = {0, 1, 2, 4};
		d->need = sizes[h & 3u];
		d->port = h >> 3;
		d->sw = !(h & 4u);
		d->state = ITM_PAYLOAD;
		return;
	}
	/* Timestamps and extensions: only a continuation bit to follow. */
	if (h & 0x80u)
		d->state = ITM_CONT;
}

size_t sw_itm_feed(struct sw_itm_dec *d, const uint8_t *in, size_t n, unsigned port, uint8_t *out,
		   size_t max)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		uint8_t b = in[i];
		switch (d->state) {
		case ITM_PAYLOAD:
			if (d->sw && d->port == port && k < max)
				out[k++] = b;
			if (--d->need == 0) {
				d->packets++;
				d->state = ITM_HDR;
			}
			break;
		case ITM_CONT:
			if (!(b & 0x80u))
				d->state = ITM_HDR;
			break;
		default:
			header(d, b);
			break;
		}
	}
	return k;
}
