/* RTT engine: finds the control block, moves bytes between the target's
 * rings and per-channel host queues. No sockets here (rtt_net.c does
 * those): the engine sees memory through two callbacks and time through a
 * clock, so tests drive it against a byte array or the simulator.
 *
 * Discovery order: an address given by the user (monitor rtt address;
 * then only there), the ELF symbol _SEGGER_RTT, the last address found,
 * then a scan of the RAM ranges (4 KiB per search poll), also with an ELF:
 * a rebuilt firmware may have moved the block. A block found elsewhere is
 * left for the ELF's as soon as that one holds a block. Every poll re-reads the header and
 * descriptors (with batching: the up ones, in the poll's one batch; the
 * down ones too when down data waits), so a reset or re-initialisation
 * (id gone, or counts changed) is noticed at once and the search starts
 * again. */
#ifndef SW_RTT_H
#define SW_RTT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "server/rtt/rtt_cb.h"
#include "sw/ctx.h"

#define SW_RTT_MAX_RANGES 16 /* the AE3 lists 13 RAM regions (targets.md §4.2) */
#define SW_RTT_DOWN_QUEUE 1024u   /* host-side bytes waiting for a down ring */
#define SW_RTT_SCAN_CHUNK 4096u  /* RAM scanned per search poll (3 ms of wire at 4 MHz per KiB) */
/* Poll interval: fast while data flows, doubling while idle (perf.md §4:
 * peers poll every 10-100 ms; we stay under 5 ms when data flows). */
#define SW_RTT_FAST_NS 1000000ull
#define SW_RTT_IDLE_MAX_NS 16000000ull
/* Quiet for a second: poll every 50 ms (with the core poll, <= 50 round
 * trips per second on a quiet running target; issue #20). */
#define SW_RTT_QUIET_NS 1000000000ull
#define SW_RTT_QUIET_MAX_NS 50000000ull
#define SW_RTT_HOLD_NS 50000000ull /* stay fast this long after data moved */
#define SW_RTT_SEARCH_NS 5000000ull

struct sw_rtt_ops {
	int (*read)(void *user, uint32_t addr, void *buf, size_t len);
	int (*write)(void *user, uint32_t addr, const void *buf, size_t len);
	uint64_t (*clock_ns)(void *user); /* virtual time with the simulator */
	/* Room the consumer of up channel ch has now (0 = do not read it). */
	size_t (*up_room)(void *user, unsigned ch);
	void (*up_data)(void *user, unsigned ch, const uint8_t *data, size_t len);
	void *user;
	/* Optional batching (all three or none): queue word reads and
	 * word-aligned writes, then run them in as few round trips as the
	 * probe allows. Used to read an up ring's data, re-check its offsets
	 * and write RdOff in one go. */
	int (*q_read_words)(void *user, uint32_t addr, uint32_t *dst, size_t n);
	int (*q_write)(void *user, uint32_t addr, const void *buf, size_t len);
	int (*run)(void *user);
	/* Optional: the probe's SWD clock now, to size a busy poll's data
	 * from the wire time (NULL or 0: 4 MHz assumed). */
	uint32_t (*swclk_hz)(void *user);
};

enum sw_rtt_state { SW_RTT_STOPPED, SW_RTT_SEARCHING, SW_RTT_FOUND };

struct sw_rtt_status {
	enum sw_rtt_state state;
	uint32_t addr;             /* control block (FOUND) */
	const char *source;        /* how it was found: "user", "elf", "scan", "last" */
	uint32_t n_up, n_down;
	uint64_t interval_ns;
	uint64_t polls, found_count; /* found_count: discoveries (1 + re-discoveries) */
	uint64_t scans;            /* complete passes of the RAM scan */
	bool has_user, has_elf;    /* the addresses searched first */
	uint32_t user_addr, elf_addr;
	uint64_t reinits;          /* re-initialised in place (our RdOff reset under us) */
	uint64_t bytes_up[SW_RTT_MAX_CHANNELS], bytes_down[SW_RTT_MAX_CHANNELS];
	uint64_t dropped_down;
	uint32_t up_size[SW_RTT_MAX_CHANNELS], down_size[SW_RTT_MAX_CHANNELS];
	uint32_t down_mode[SW_RTT_MAX_CHANNELS];
};

struct sw_rtt;

int sw_rtt_new(struct sw_ctx *ctx, const struct sw_rtt_ops *ops, struct sw_rtt **out);
void sw_rtt_free(struct sw_rtt *rtt);
/* RAM the block and its rings may live in (scanned in this order). */
int sw_rtt_add_range(struct sw_rtt *rtt, uint32_t base, uint32_t size);
/* Forget the ranges (J-Link's SetRTTSearchRanges replaces them). */
void sw_rtt_clear_ranges(struct sw_rtt *rtt);
void sw_rtt_set_elf_addr(struct sw_rtt *rtt, uint32_t addr);
void sw_rtt_clear_elf_addr(struct sw_rtt *rtt); /* the ELF has no _SEGGER_RTT (any more) */
void sw_rtt_set_user_addr(struct sw_rtt *rtt, uint32_t addr);
void sw_rtt_start(struct sw_rtt *rtt);
void sw_rtt_stop(struct sw_rtt *rtt);

/* Poll if due (or always with force). Returns SW_OK; target access errors
 * are not errors of the poll (the target may be in reset): the block is
 * considered lost and searched for again. */
int sw_rtt_poll(struct sw_rtt *rtt, bool force);
/* Absolute clock time of the next poll (UINT64_MAX when stopped). */
uint64_t sw_rtt_next_ns(const struct sw_rtt *rtt);

/* Queue bytes for down channel ch; returns how many were taken (0 when
 * the queue is full: stop reading the socket until it drains). */
size_t sw_rtt_down_push(struct sw_rtt *rtt, unsigned ch, const uint8_t *data, size_t len);
size_t sw_rtt_down_room(const struct sw_rtt *rtt, unsigned ch);

void sw_rtt_get_status(const struct sw_rtt *rtt, struct sw_rtt_status *st);

#endif
