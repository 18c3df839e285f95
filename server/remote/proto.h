/* The remote-probe wire format, version 1 (docs/remote-protocol.md).
 *
 * Every message is an 8-byte header {u8 type, u8 0, u16 0, u32 payload
 * length} and a payload of at most SW_RP_MAX_PAYLOAD bytes, little-endian.
 * Replies carry type | 0x80 and start with {i32 status, u16 msglen,
 * msg[msglen]}; the type-specific body follows (always for BATCH, only on
 * success for the others). This file only encodes and checks; it does no
 * I/O, so the parser can be tested (and fuzzed) on its own. */
#ifndef SW_REMOTE_PROTO_H
#define SW_REMOTE_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "probes/probe.h"
#include "sw/ctx.h"

#define SW_RP_MAGIC 0x50525753u /* "SWRP" little-endian */
#define SW_RP_VERSION_MAJOR 1u
#define SW_RP_VERSION_MINOR 0u
#define SW_RP_HDR 8u
#define SW_RP_MAX_BATCH 16384u /* SWD requests per BATCH message */
#define SW_RP_MAX_PAYLOAD (8u + 5u * SW_RP_MAX_BATCH + 512u)
#define SW_RP_MAX_SWJ_BITS 4096u
#define SW_RP_MAX_MSG 200u /* error text in replies */

enum sw_rp_type {
	SW_RP_HELLO = 0x01,   /* u32 magic, u16 major, u16 minor */
	SW_RP_BATCH = 0x02,   /* u32 n, n x {u8 req, [u32 data if write]} */
	SW_RP_SWJ = 0x03,     /* u32 nbits, bits[(nbits+7)/8] */
	SW_RP_FREQ = 0x04,    /* u32 hz */
	SW_RP_NRST = 0x05,    /* u8 asserted */
	SW_RP_VOLTAGE = 0x06, /* empty */
	SW_RP_STATS = 0x07,   /* empty */
	SW_RP_REPLY = 0x80,
};

struct sw_rp_hdr {
	uint8_t type;
	uint32_t len;
};

/* Little-endian cursor over a received payload; any overrun sets bad. */
struct sw_rp_rd {
	const uint8_t *p;
	size_t n, off;
	bool bad;
};

/* Appending writer into a caller buffer; overflow sets bad. */
struct sw_rp_wr {
	uint8_t *p;
	size_t cap, n;
	bool bad;
};

void sw_rp_hdr_put(uint8_t out[SW_RP_HDR], uint8_t type, uint32_t len);
/* Check a received header: known type, reserved bytes zero, length bounded. */
int sw_rp_hdr_get(struct sw_ctx *ctx, const uint8_t in[SW_RP_HDR], struct sw_rp_hdr *h);

uint8_t sw_rp_u8(struct sw_rp_rd *r);
uint16_t sw_rp_u16(struct sw_rp_rd *r);
uint32_t sw_rp_u32(struct sw_rp_rd *r);
uint64_t sw_rp_u64(struct sw_rp_rd *r);
void sw_rp_put8(struct sw_rp_wr *w, uint8_t v);
void sw_rp_put16(struct sw_rp_wr *w, uint16_t v);
void sw_rp_put32(struct sw_rp_wr *w, uint32_t v);
void sw_rp_put64(struct sw_rp_wr *w, uint64_t v);
void sw_rp_putbytes(struct sw_rp_wr *w, const void *b, size_t n);

/* Reply prologue {status, msglen, msg}. */
void sw_rp_put_status(struct sw_rp_wr *w, int status, const char *msg);
/* Read it back; msg receives the text (NUL-terminated, cap >= 1). */
int sw_rp_get_status(struct sw_rp_rd *r, char *msg, size_t cap);

/* BATCH request. encode: payload for reqs[0..n). decode: checks the exact
 * length and that each request byte has only APnDP/RnW/A[3:2] bits set. */
void sw_rp_batch_encode(struct sw_rp_wr *w, const struct sw_swd_req *reqs, size_t n);
int sw_rp_batch_decode(struct sw_ctx *ctx, const uint8_t *p, size_t len, struct sw_swd_req *reqs, size_t cap,
		       size_t *n);
/* BATCH reply body: u32 issued, u32 probe_us, issued x {u8 ack, [u32 data if read]}. */
void sw_rp_batch_reply_encode(struct sw_rp_wr *w, const struct sw_swd_req *reqs, size_t n, bool ok,
			      uint32_t probe_us);
int sw_rp_batch_reply_decode(struct sw_ctx *ctx, struct sw_rp_rd *r, struct sw_swd_req *reqs, size_t n,
			     uint32_t *probe_us);

#endif
