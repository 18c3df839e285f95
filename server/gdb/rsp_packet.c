#include <string.h>

#include "server/gdb/rsp_packet.h"
#include "sw/hex.h"

enum { ST_IDLE, ST_DATA, ST_CS1, ST_CS2 };

void rsp_parser_init(struct rsp_parser *p)
{
	memset(p, 0, sizeof(*p));
}


static enum rsp_event bad(struct rsp_parser *p, const char *why)
{
	strncpy(p->why, why, sizeof(p->why) - 1);
	p->state = ST_IDLE;
	return RSP_EV_BAD;
}

static void put(struct rsp_parser *p, uint8_t c)
{
	if (p->len < RSP_PACKET_MAX)
		p->data[p->len++] = c;
	else
		p->overflow = true;
}

enum rsp_event rsp_feed(struct rsp_parser *p, uint8_t c)
{
	int v;

	switch (p->state) {
	case ST_IDLE:
		if (c == '$') {
			p->state = ST_DATA;
			p->len = 0;
			p->sum = 0;
			p->overflow = false;
			p->escape_rle = false;
			return RSP_EV_NONE;
		}
		if (c == '+')
			return RSP_EV_ACK;
		if (c == '-')
			return RSP_EV_NAK;
		if (c == 0x03)
			return RSP_EV_INTERRUPT;
		return RSP_EV_NONE; /* noise between packets is ignored */
	case ST_DATA:
		if (c == '#') {
			p->state = ST_CS1;
			return RSP_EV_NONE;
		}
		if (c == '$') { /* a new packet started: the old one was truncated */
			p->len = 0;
			p->sum = 0;
			p->overflow = false;
			p->escape_rle = false;
			strncpy(p->why, "truncated packet", sizeof(p->why) - 1);
			return RSP_EV_BAD; /* state stays ST_DATA: collect the new one */
		}
		p->sum = (uint8_t)(p->sum + c);
		if (p->escape_rle) {
			/* '*' then a count byte: repeat the previous byte (n - 29) times. */
			p->escape_rle = false;
			if (!p->len || c < 29 + 3 || c > 126)
				return bad(p, "bad run-length encoding");
			for (int i = 0; i < c - 29; i++)
				put(p, p->data[p->len - 1]);
			return RSP_EV_NONE;
		}
		if (c == '*' && !(p->len && p->data[p->len - 1] == '}')) {
			p->escape_rle = true;
			return RSP_EV_NONE;
		}
		put(p, c);
		return RSP_EV_NONE;
	case ST_CS1:
		if ((v = sw_hex_nibble(c)) < 0)
			return bad(p, "bad checksum digit");
		p->rx_sum = (uint8_t)(v << 4);
		p->state = ST_CS2;
		return RSP_EV_NONE;
	default:
		if ((v = sw_hex_nibble(c)) < 0)
			return bad(p, "bad checksum digit");
		p->rx_sum = (uint8_t)(p->rx_sum | v);
		p->state = ST_IDLE;
		if (p->overflow)
			return bad(p, "packet larger than PacketSize");
		if (p->rx_sum != p->sum)
			return bad(p, "checksum mismatch");
		p->data[p->len] = 0;
		return RSP_EV_PACKET;
	}
}

size_t rsp_frame(const uint8_t *data, size_t len, uint8_t *out, size_t cap)
{
	size_t n = 0;
	uint8_t sum = 0;
	static const char hexd[] = "0123456789abcdef";

	if (cap < 4)
		return 0;
	out[n++] = '$';
	for (size_t i = 0; i < len; i++) {
		uint8_t c = data[i];
		if (c == '$' || c == '#' || c == '}' || c == '*') {
			if (n + 2 > cap - 3)
				return 0;
			out[n++] = '}';
			sum = (uint8_t)(sum + '}');
			c ^= 0x20;
		} else if (n + 1 > cap - 3) {
			return 0;
		}
		out[n++] = c;
		sum = (uint8_t)(sum + c);
	}
	out[n++] = '#';
	out[n++] = (uint8_t)hexd[sum >> 4];
	out[n++] = (uint8_t)hexd[sum & 0xF];
	return n;
}

size_t rsp_unescape(uint8_t *buf, size_t len)
{
	size_t o = 0;

	for (size_t i = 0; i < len; i++) {
		if (buf[i] == '}' && i + 1 < len)
			buf[o++] = buf[++i] ^ 0x20;
		else
			buf[o++] = buf[i];
	}
	return o;
}

const char *rsp_check_range(uint64_t addr, uint64_t len)
{
	if (addr > 0xFFFFFFFFull)
		return "address beyond 32 bits";
	if (len > 0x100000000ull - addr)
		return "range runs past the end of the 32-bit address space";
	return NULL;
}

const char *rsp_parse_range(const char *p, uint32_t *addr, uint32_t *len, const char **end)
{
	uint64_t a, n;
	const char *why;

	if (sw_hex_u64(p, &p, &a) || *p != ',' || sw_hex_u64(p + 1, &p, &n))
		return "malformed ADDR,LENGTH";
	if ((why = rsp_check_range(a, n)))
		return why;
	/* A range that ends exactly at 2^32 has a length that still fits. */
	if (n > 0xFFFFFFFFull)
		return "length beyond 32 bits";
	*addr = (uint32_t)a;
	*len = (uint32_t)n;
	if (end)
		*end = p;
	return NULL;
}
