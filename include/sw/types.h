/* Small shared helpers: sizes and little-endian access. */
#ifndef SW_TYPES_H
#define SW_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SW_KIB 1024u
#define SW_MIB (1024u * 1024u)
#define SW_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static inline uint32_t sw_le32_get(const uint8_t *p)
{
	return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
	       ((uint32_t)p[3] << 24);
}

static inline void sw_le32_put(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static inline uint16_t sw_le16_get(const uint8_t *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}

static inline void sw_le16_put(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

/* Parity (number of set bits mod 2) of a 32-bit word, as SWD uses it. */
static inline unsigned sw_parity32(uint32_t v)
{
	return (unsigned)__builtin_parity(v);
}

#endif
