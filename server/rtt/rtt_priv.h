/* RTT engine internals shared by rtt.c (discovery, unbatched polls, the
 * down rings) and rtt_batch.c (the batched poll). */
#ifndef SW_RTT_PRIV_H
#define SW_RTT_PRIV_H

#include "server/rtt/rtt.h"

#define UP_READ_MAX 16384u /* bytes read per poll (unbatched: from one ring) */
/* Least read-ahead past the known write offset of a ring with room (one
 * short line); more while the firmware writes more per poll. */
#define PEEK_BYTES 16u
/* Wire time a busy poll aims at. A line written just after a poll's block
 * read waits for the next poll's block read and that poll's round trip:
 * about W + 2 x (0.5 ms + USB) with J-Link HS, so 3 ms keeps it under
 * 5 ms (issue #20) while reads fill ~85 % of the wire. A poll also stays
 * within one J-Link exchange (16384 bits, reference/jlink.md "SWD
 * queueing and batching"), since a second one adds a round trip. */
#define POLL_WIRE_NS 3000000ull
#define POLL_MAX_BITS (16384u - 8u)
#define TXN_BITS 46u /* one SWD transaction (perf.md §1.1) */
#define TAR_BLOCK 1024u /* TAR auto-increment wraps here (ADIv5.2 C2.2.2) */
#define SPARE_TXNS 2u   /* a CSW write, should another access have changed it */
#define DEFAULT_SWCLK_HZ 4000000u
#define BLOCK_MAX (SW_RTT_HDR_SIZE + 2 * SW_RTT_MAX_CHANNELS * SW_RTT_DESC_SIZE)

struct down_queue {
	uint8_t buf[SW_RTT_DOWN_QUEUE];
	size_t len;
};

struct sw_rtt {
	struct sw_ctx *ctx;
	struct sw_rtt_ops ops;
	struct sw_rtt_range ranges[SW_RTT_MAX_RANGES];
	size_t n_ranges;
	uint32_t user_addr, elf_addr, last_addr, addr;
	bool has_user, has_elf, has_last;
	bool elf_empty_said; /* logged that the ELF's address holds no block (this search) */
	const char *source;
	enum sw_rtt_state state;
	struct sw_rtt_cb cb;
	uint32_t rd_written[SW_RTT_MAX_CHANNELS]; /* last RdOff we wrote + 1; 0 = none */
	/* Batched: how far the host has delivered each up ring; written back
	 * as RdOff at the start of the next poll, after its check read. */
	uint32_t cons[SW_RTT_MAX_CHANNELS];
	unsigned rr; /* round-robin start of the fair share */
	size_t scan_range;
	uint32_t scan_off;
	uint64_t next_ns, interval_ns;
	uint64_t last_data_ns; /* clock when data last moved */
	bool backlog;          /* a ring was at least half full: poll again at once */
	struct sw_rtt_status st; /* counters */
	struct down_queue down[SW_RTT_MAX_CHANNELS];
	uint8_t block[BLOCK_MAX];
	uint8_t data[UP_READ_MAX];
	uint32_t words[UP_READ_MAX / 4 + 8 * SW_RTT_MAX_CHANNELS];
	uint32_t peek[SW_RTT_MAX_CHANNELS]; /* read-ahead past the known WrOff, per up ring */
	uint32_t head[BLOCK_MAX / 4]; /* the header and descriptors, read in a batch */
	uint8_t scan[SW_RTT_SCAN_CHUNK + SW_RTT_ID_LEN];
};

uint32_t sw_rtt_desc_addr(const struct sw_rtt *rtt, bool up, unsigned ch);
/* What the target's RdOff of up ring ch holds, as far as we know. */
uint32_t sw_rtt_expected_rd(const struct sw_rtt *rtt, unsigned ch);
bool sw_rtt_same_shape(const struct sw_rtt_ring *a, const struct sw_rtt_ring *b);
/* Write what is queued for down ring ch; <0 on access error. */
int sw_rtt_service_down(struct sw_rtt *rtt, unsigned ch, bool *moved);
/* One batched poll of a found block; false if it is gone or changed shape. */
bool sw_rtt_service_batched(struct sw_rtt *rtt, bool *moved);

#endif
