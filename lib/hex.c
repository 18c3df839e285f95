#include "sw/hex.h"

static const char digits[] = "0123456789abcdef";

size_t sw_hex_encode(const uint8_t *in, size_t len, char *out)
{
	for (size_t i = 0; i < len; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 0xF];
	}
	return 2 * len;
}

int sw_hex_nibble(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int sw_hex_decode(const char *in, size_t len, uint8_t *out)
{
	for (size_t i = 0; i < len; i++) {
		int hi = sw_hex_nibble(in[2 * i]), lo = hi < 0 ? -1 : sw_hex_nibble(in[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

int sw_hex_u64(const char *s, const char **end, uint64_t *val)
{
	uint64_t v = 0;
	int n = 0, d;

	while ((d = sw_hex_nibble(s[n])) >= 0) {
		if (n == 16)
			return -1;
		v = v << 4 | (uint64_t)d;
		n++;
	}
	if (!n)
		return -1;
	*val = v;
	if (end)
		*end = s + n;
	return 0;
}

uint32_t sw_crc32_gdb(uint32_t crc, const uint8_t *buf, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		crc ^= (uint32_t)buf[i] << 24;
		for (int b = 0; b < 8; b++)
			crc = (crc & 0x80000000u) ? (crc << 1) ^ 0x04C11DB7u : crc << 1;
	}
	return crc;
}
