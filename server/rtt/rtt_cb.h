/* SEGGER RTT control block, the public layout (SEGGER UM08001 "RTT"
 * chapter; also documented by OpenOCD src/target/rtt.h and probe-rs):
 *   char id[16] = "SEGGER RTT"; int32 max_up; int32 max_down;
 *   up[max_up], down[max_down] descriptors of 6 words each:
 *   name, buffer, size, wr_off, rd_off, flags.
 * Pure functions over bytes read from the target: every size and offset is
 * checked here, because the block lives in memory the firmware (or a bug,
 * or an attacker) may have filled with anything. */
#ifndef SW_RTT_CB_H
#define SW_RTT_CB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SW_RTT_ID "SEGGER RTT"
#define SW_RTT_ID_LEN 16u       /* the id field, NUL padded */
#define SW_RTT_HDR_SIZE 24u     /* id + max_up + max_down */
#define SW_RTT_DESC_SIZE 24u    /* one ring descriptor */
#define SW_RTT_MAX_CHANNELS 16u /* per direction; more is treated as garbage */
#define SW_RTT_MAX_BUF (16u << 20)

/* Descriptor word offsets (bytes) within a descriptor. */
#define SW_RTT_OFF_NAME 0u
#define SW_RTT_OFF_BUF 4u
#define SW_RTT_OFF_SIZE 8u
#define SW_RTT_OFF_WR 12u
#define SW_RTT_OFF_RD 16u
#define SW_RTT_OFF_FLAGS 20u

/* Down-buffer policy (flags bits 1:0). */
#define SW_RTT_MODE_MASK 3u
#define SW_RTT_MODE_SKIP 0u
#define SW_RTT_MODE_TRIM 1u
#define SW_RTT_MODE_BLOCK 2u

struct sw_rtt_ring {
	uint32_t name_addr, buf, size, wr, rd, flags;
	bool valid; /* size != 0, offsets inside, buffer range sane */
};

struct sw_rtt_cb {
	uint32_t n_up, n_down;
	struct sw_rtt_ring up[SW_RTT_MAX_CHANNELS];
	struct sw_rtt_ring down[SW_RTT_MAX_CHANNELS];
};

/* A memory range rings may live in (target RAM). */
struct sw_rtt_range {
	uint32_t base, size;
};

/* Check the id and the channel counts of a header (len >= 24). Returns
 * false for anything that is not a plausible control block. */
bool sw_rtt_cb_header(const uint8_t *buf, size_t len, uint32_t *n_up, uint32_t *n_down);
/* Total bytes of a block with these counts (header + descriptors). */
size_t sw_rtt_cb_size(uint32_t n_up, uint32_t n_down);
/* Parse header and descriptors. A ring whose buffer lies outside every
 * range (when n_ranges > 0), or whose offsets are out of bounds, is kept
 * with valid = false so its channel number still exists. */
bool sw_rtt_cb_parse(const uint8_t *buf, size_t len, const struct sw_rtt_range *ranges,
		     size_t n_ranges, struct sw_rtt_cb *cb);

/* The same for the header and the up descriptors only (len >= the block
 * with no down channels); the down rings are left zero. */
bool sw_rtt_cb_parse_up(const uint8_t *buf, size_t len, const struct sw_rtt_range *ranges,
			size_t n_ranges, struct sw_rtt_cb *cb);

/* Bytes waiting in a ring (writer at wr, reader at rd). */
uint32_t sw_rtt_ring_used(const struct sw_rtt_ring *r);
/* Bytes waiting for a reader that has consumed up to rd (the host's read
 * position may run ahead of the RdOff it has written back). */
uint32_t sw_rtt_ring_used_from(const struct sw_rtt_ring *r, uint32_t rd);
/* Split budget among n channels wanting want[i] (max-min fair: a channel
 * wanting less than an equal share gets all of it, the rest is shared by
 * the others; leftover single bytes go round robin from `first`). */
void sw_rtt_fair_share(const uint32_t *want, unsigned n, uint32_t budget, unsigned first, uint32_t *got);
/* Room for the writer (one slot stays free: wr == rd means empty). */
uint32_t sw_rtt_ring_free(const struct sw_rtt_ring *r);
/* Split a transfer of n bytes starting at offset off into at most two
 * contiguous pieces (the second starts at offset 0). Returns the count. */
unsigned sw_rtt_ring_split(const struct sw_rtt_ring *r, uint32_t off, uint32_t n, uint32_t len[2]);
/* How many of `queued` bytes the host may write to a down ring now, given
 * its mode: BLOCK and TRIM take what fits, SKIP all or nothing. *drop says
 * how many queued bytes the mode discards (TRIM: the excess; SKIP: all when
 * they do not fit). */
uint32_t sw_rtt_down_plan(const struct sw_rtt_ring *r, uint32_t queued, uint32_t *drop);

/* Find the id string in buf: offset, or -1. */
long sw_rtt_find_id(const uint8_t *buf, size_t len);

#endif
