/* ITM/DWT trace packet decoder (ARMv7-M ARM Appendix D4, "Debug ITM and
 * DWT Packet Protocol"): a byte-stream state machine that hands on the
 * payload of software-source (stimulus port) packets of one port and skips
 * everything else (sync, overflow, timestamps, extension and hardware
 * source packets). Pure: no I/O, any split of the stream gives the same
 * result. */
#ifndef SW_ITM_H
#define SW_ITM_H

#include <stddef.h>
#include <stdint.h>

struct sw_itm_dec {
	unsigned state;    /* ITM_* in itm.c */
	unsigned need;     /* payload bytes still due */
	unsigned port;     /* port of the source packet being read */
	int sw;            /* it is a software-source packet */
	unsigned zeros;    /* consecutive 0x00 bytes (synchronisation) */
	uint64_t packets, overflows, syncs;
};

void sw_itm_init(struct sw_itm_dec *d);
/* Decode n bytes; payload bytes of software packets on `port` are written
 * to out (never more than n of them, so max >= n is always enough).
 * Returns the number written. */
size_t sw_itm_feed(struct sw_itm_dec *d, const uint8_t *in, size_t n, unsigned port, uint8_t *out,
		   size_t max);

#endif
