/* Generic SWD bit engine for bit-level probes (J-Link raw SWD I/O, FTDI MPSSE,
 * the in-process simulator wire). It turns logical requests into one packed
 * bit sequence per round trip and parses ACK/data/parity back (ADIv5.2 B4).
 *
 * The backend clocks bits: dir bit 1 = host drives SWDIO with out bit,
 * 0 = host samples SWDIO into in bit. This is the shape of
 * jaylink_swd_io(devh, dir, out, in, nbits), so a J-Link backend is one call. */
#ifndef SW_SWD_ENGINE_H
#define SW_SWD_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "probes/probe.h"

struct sw_swd_backend {
	void *user;
	/* Clock nbits in one round trip. All buffers are nbits long (LSB first). */
	int (*io)(void *user, const uint8_t *dir, const uint8_t *out, uint8_t *in, size_t nbits);
	/* Most bits one io() call may carry (probe buffer size), > 0. */
	size_t max_bits;
	/* Bytes a round trip of nbits costs each way on the host link, for stats. */
	void (*cost)(void *user, size_t nbits, size_t *bytes_out, size_t *bytes_in);
	/* Optional transaction-level backend (no bit stream): one raw SWD
	 * packet, returns the ACK; *parity_ok for read data. When set, io is
	 * used only for sequences. end_batch (optional) marks a round trip. */
	unsigned (*txn)(void *user, uint8_t req, uint32_t *data, bool *parity_ok);
	void (*end_batch)(void *user, size_t ntxn);
	/* Clock for the WAIT policy (optional): the simulator passes virtual
	 * time; NULL means CLOCK_MONOTONIC and nanosleep. */
	uint64_t (*now_ns)(void *user);
	void (*sleep_ns)(void *user, uint64_t ns);
};

struct sw_swd_engine;

int sw_swd_engine_new(struct sw_ctx *ctx, const struct sw_swd_backend *be, struct sw_probe_stats *stats,
		      struct sw_swd_engine **out);
void sw_swd_engine_free(struct sw_swd_engine *e);

/* Logical batched transfer (see probes/probe.h). */
int sw_swd_engine_transfer(struct sw_swd_engine *e, struct sw_swd_req *reqs, size_t n);
/* Raw host-driven sequence, split into backend-sized chunks. */
int sw_swd_engine_sequence(struct sw_swd_engine *e, const uint8_t *bits, size_t nbits);
/* Idle cycles inserted after each AP access and at the end of a batch. */
void sw_swd_engine_set_idle(struct sw_swd_engine *e, unsigned after_ap, unsigned tail);

#endif
