/* RSP framing, pure (no I/O): bytes in, events out; packets out as bytes.
 * GDB manual "Overview" (checksums, '}' escapes, '*' run-length encoding,
 * acks) and "Interrupts" (0x03). */
#ifndef SW_RSP_PACKET_H
#define SW_RSP_PACKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RSP_PACKET_MAX 0x20000 /* advertised PacketSize: 128 KiB, so a 64 KiB X or m fits in one packet */

enum rsp_event {
	RSP_EV_NONE,
	RSP_EV_PACKET,    /* a complete, checksum-valid packet in data/len */
	RSP_EV_ACK,       /* '+' */
	RSP_EV_NAK,       /* '-': resend the last packet */
	RSP_EV_INTERRUPT, /* 0x03 outside a packet */
	RSP_EV_BAD,       /* bad checksum, oversize or malformed: answer '-' */
};

struct rsp_parser {
	int state;
	uint8_t data[RSP_PACKET_MAX + 1];
	size_t len;
	uint8_t sum, rx_sum;
	bool overflow;
	bool escape_rle; /* previous byte was a run-length marker */
	char why[64];    /* reason for the last RSP_EV_BAD */
};

void rsp_parser_init(struct rsp_parser *p);
/* Feed one byte. On RSP_EV_PACKET, p->data[0..len) holds the payload with
 * run-length encoding expanded (binary '}' escapes are left for the
 * command, which knows whether its payload is binary) and NUL-terminated. */
enum rsp_event rsp_feed(struct rsp_parser *p, uint8_t byte);

/* Frame `len` bytes as $...#cs, escaping '$', '#', '}' and '*'. Returns the
 * framed length, or 0 if `cap` is too small. */
size_t rsp_frame(const uint8_t *data, size_t len, uint8_t *out, size_t cap);
/* Undo '}' escapes in place; returns the new length. */
size_t rsp_unescape(uint8_t *buf, size_t len);

/* The one parser for a target address range "ADDR,LEN" (hex), used by
 * m, M, X, Z, z, qCRC and vFlashErase: the target has a 32-bit address
 * space, so an address or length beyond 32 bits, or a range that runs past
 * 2^32, is refused rather than truncated. Returns NULL, or why it was
 * refused (a constant string). *end points after LEN. */
const char *rsp_parse_range(const char *p, uint32_t *addr, uint32_t *len, const char **end);
/* The same check for a range whose start was parsed alone (vFlashWrite:
 * ADDR, then the data). */
const char *rsp_check_range(uint64_t addr, uint64_t len);

#endif
