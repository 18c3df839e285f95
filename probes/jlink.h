/* J-Link probe driver on libjaylink (USB, or TCP/IP through UDP discovery).
 * SWD goes through the generic bit engine (probes/swd_engine.h) with
 * jaylink_swd_io as the one-round-trip backend, sized from the probe's free
 * memory so a batch carries as many transactions as the probe can hold. */
#ifndef SW_JLINK_H
#define SW_JLINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "probes/probe.h"

/* What sw_jlink_list scans and reports. */
#define SW_JLINK_LIST_USB 0x1u
#define SW_JLINK_LIST_TCP 0x2u
#define SW_JLINK_LIST_FIRMWARE 0x4u /* open each probe to read its firmware string */

struct sw_jlink_info {
	uint32_t serial;
	bool tcp;           /* false: USB */
	char ipv4[16];      /* TCP only */
	char product[32];   /* advertised product name (TCP), may be empty */
	char nickname[32];  /* may be empty */
	uint32_t hw_type, hw_major, hw_minor, hw_rev;
	char firmware[128]; /* with SW_JLINK_LIST_FIRMWARE, else empty */
};

/* Fill up to max entries; *count receives how many probes were found (may
 * exceed max). A failing USB scan (no libusb access) is logged and skipped.
 * Note: libjaylink 0.3.1 never closes a TCP socket on jaylink_close, so
 * SW_JLINK_LIST_FIRMWARE leaves one idle connection per TCP probe until the
 * process exits. */
int sw_jlink_list(struct sw_ctx *ctx, unsigned flags, struct sw_jlink_info *out, size_t max,
		  size_t *count);

/* Open a J-Link. selector (the "jlink" prefix is optional):
 *   "jlink"                 first probe found (USB first, then TCP)
 *   "jlink:SERIAL"          by decimal serial number (USB, then TCP)
 *   "jlink:tcp:HOST[:PORT]" the TCP probe that advertises HOST (IPv4 or a
 *                           name); PORT may only be 19020, the one port
 *                           libjaylink 0.3.1 connects to.
 * Checks caps, selects SWD, reads speeds/free memory/target voltage and sets
 * 4 MHz (or the probe's maximum if lower). Frees with sw_probe_close. */
int sw_jlink_open(struct sw_ctx *ctx, const char *selector, struct sw_probe **out);

/* Bits the driver puts in one jaylink_swd_io call for a probe reporting
 * free_mem bytes (0 = the capability is missing). Exposed for tests. */
size_t sw_jlink_max_bits(uint32_t free_mem);

#endif
