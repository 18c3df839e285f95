/* Hex text and CRC helpers shared by the RSP server and the client. */
#ifndef SW_HEX_H
#define SW_HEX_H

#include <stddef.h>
#include <stdint.h>

/* Write 2*len hex digits (lower case) to out; returns 2*len. */
size_t sw_hex_encode(const uint8_t *in, size_t len, char *out);
/* Value of one hex digit, or -1. */
int sw_hex_nibble(int c);
/* Decode exactly 2*len hex digits; returns 0, or -1 on a bad digit. */
int sw_hex_decode(const char *in, size_t len, uint8_t *out);
/* Parse a hex number of at most 16 digits; *end past it. -1 if none. */
int sw_hex_u64(const char *s, const char **end, uint64_t *val);
/* CRC-32 as gdb's qCRC computes it: poly 0x04C11DB7, MSB first, no
 * reflection, no final XOR; start with 0xFFFFFFFF. */
uint32_t sw_crc32_gdb(uint32_t crc, const uint8_t *buf, size_t len);

#endif
