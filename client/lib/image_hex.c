/* Intel HEX (Intel "Hexadecimal Object File Format Specification" rev A):
 * records ":LLAAAATT<data>CC", types 00 data, 01 end of file, 02 extended
 * segment address, 03 start segment address, 04 extended linear address,
 * 05 start linear address. The checksum makes the record's bytes sum to 0. */
#include <string.h>

#include "client/lib/image.h"
#include "sw/hex.h"

enum { REC_DATA = 0, REC_EOF = 1, REC_EXT_SEG = 2, REC_START_SEG = 3, REC_EXT_LIN = 4, REC_START_LIN = 5 };

struct hex_rec {
	uint8_t len, type;
	uint16_t addr;
	uint8_t data[255];
};

/* Decode one record starting after ':' in [p, end); line is for messages. */
static int parse_record(struct sw_ctx *ctx, const char *name, unsigned line, const char *p, const char *end,
			struct hex_rec *rec)
{
	uint8_t raw[5 + 255], sum = 0;
	size_t n = (size_t)(end - p);

	if (n < 10 || sw_hex_decode(p, 1, raw))
		return sw_fail(ctx, SW_ERR_PROTO, "%s: line %u: not an Intel HEX record", name, line);
	if (n != 10u + 2u * raw[0])
		return sw_fail(ctx, SW_ERR_PROTO, "%s: line %u: record length does not match its byte count "
			       "(truncated?)", name, line);
	if (sw_hex_decode(p, 5u + raw[0], raw))
		return sw_fail(ctx, SW_ERR_PROTO, "%s: line %u: bad hex digit", name, line);
	for (size_t i = 0; i < 5u + raw[0]; i++)
		sum = (uint8_t)(sum + raw[i]);
	if (sum)
		return sw_fail(ctx, SW_ERR_PROTO, "%s: line %u: checksum mismatch", name, line);
	rec->len = raw[0];
	rec->addr = (uint16_t)(raw[1] << 8 | raw[2]);
	rec->type = raw[3];
	memcpy(rec->data, raw + 4, rec->len);
	return SW_OK;
}

static int apply(struct sw_ctx *ctx, const char *name, unsigned line, const struct hex_rec *rec,
		 uint32_t *upper, struct sw_image *img)
{
	switch (rec->type) {
	case REC_DATA:
		return sw_image_add(ctx, img, *upper + rec->addr, rec->data, rec->len);
	case REC_EXT_SEG:
	case REC_EXT_LIN:
		if (rec->len != 2)
			break;
		*upper = (uint32_t)(rec->data[0] << 8 | rec->data[1]) << (rec->type == REC_EXT_LIN ? 16 : 4);
		return SW_OK;
	case REC_START_SEG:
	case REC_START_LIN:
		if (rec->len != 4)
			break;
		img->entry = (uint32_t)rec->data[0] << 24 | (uint32_t)rec->data[1] << 16 |
			     (uint32_t)rec->data[2] << 8 | rec->data[3];
		return SW_OK;
	default:
		return sw_fail(ctx, SW_ERR_PROTO, "%s: line %u: unknown record type %02x", name, line, rec->type);
	}
	return sw_fail(ctx, SW_ERR_PROTO, "%s: line %u: bad length for record type %02x", name, line, rec->type);
}

int sw_image_parse_hex(struct sw_ctx *ctx, const char *name, const uint8_t *buf, size_t len,
		       struct sw_image *img)
{
	const char *p = (const char *)buf, *stop = p + len;
	uint32_t upper = 0;
	unsigned line = 0;
	struct hex_rec rec;
	int r;

	while (p < stop) {
		const char *nl = memchr(p, '\n', (size_t)(stop - p)), *end = nl ? nl : stop;
		line++;
		while (end > p && (end[-1] == '\r' || end[-1] == ' ' || end[-1] == '\t'))
			end--;
		if (end == p) { /* blank line */
			p = nl ? nl + 1 : stop;
			continue;
		}
		if (*p != ':')
			return sw_fail(ctx, SW_ERR_PROTO, "%s: line %u: not an Intel HEX record", name, line);
		if ((r = parse_record(ctx, name, line, p + 1, end, &rec)))
			return r;
		if (rec.type == REC_EOF)
			return SW_OK;
		if ((r = apply(ctx, name, line, &rec, &upper, img)))
			return r;
		p = nl ? nl + 1 : stop;
	}
	return sw_fail(ctx, SW_ERR_PROTO, "%s: no end-of-file record (truncated?)", name);
}
