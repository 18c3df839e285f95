/* vjlink's SWO capture: the J-Link EMU_CMD_SWO (0xEB) sub-commands as
 * libjaylink swo.c sends them (reference/jlink.md §3), fed from the
 * simulated chip's SWO pin (sim_swo_take). */
#ifndef SW_VJLINK_SWO_H
#define SW_VJLINK_SWO_H

#include <stddef.h>
#include <stdint.h>

#include "sim/sim.h"

#define VJ_CMD_SWO 0xEB

struct vj_swo {
	uint32_t baud;     /* capture running at this rate; 0 = stopped */
	uint32_t bufsize;  /* probe-side buffer the host asked for */
	size_t len;
	uint8_t buf[65536];
	uint64_t dropped;  /* bytes lost to a full buffer or a wrong baud rate */
};

/* Length of the request at p (0x07 prefix included): 0 = need more bytes,
 * -1 = malformed. */
long vj_swo_cmd_len(const uint8_t *p, size_t n);
/* Execute it; the reply (at most tx_max >= 28 bytes) goes to tx; returns
 * its length. */
size_t vj_swo_exec(struct vj_swo *s, struct sim *sim, const uint8_t *p, size_t len, uint8_t *tx,
		   size_t tx_max);

#endif
