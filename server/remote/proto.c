/* Remote-probe message encoding and strict decoding (docs/remote-protocol.md). */
#include <string.h>

#include "server/remote/proto.h"

#define REQ_BITS (SW_REQ_AP | SW_REQ_READ | 0x0Cu)

void sw_rp_hdr_put(uint8_t out[SW_RP_HDR], uint8_t type, uint32_t len)
{
	out[0] = type;
	out[1] = out[2] = out[3] = 0;
	out[4] = (uint8_t)len;
	out[5] = (uint8_t)(len >> 8);
	out[6] = (uint8_t)(len >> 16);
	out[7] = (uint8_t)(len >> 24);
}

int sw_rp_hdr_get(struct sw_ctx *ctx, const uint8_t in[SW_RP_HDR], struct sw_rp_hdr *h)
{
	uint8_t t = in[0] & 0x7fu;

	h->type = in[0];
	h->len = (uint32_t)in[4] | (uint32_t)in[5] << 8 | (uint32_t)in[6] << 16 | (uint32_t)in[7] << 24;
	if (in[1] || in[2] || in[3])
		return sw_fail_quiet(ctx, SW_ERR_PROTO, "bad message header (reserved bytes not zero)");
	if (t < SW_RP_HELLO || t > SW_RP_STATS)
		return sw_fail_quiet(ctx, SW_ERR_PROTO, "unknown message type 0x%02x", in[0]);
	if (h->len > SW_RP_MAX_PAYLOAD)
		return sw_fail_quiet(ctx, SW_ERR_PROTO, "message of %u bytes exceeds the %u-byte limit", h->len,
				     SW_RP_MAX_PAYLOAD);
	return SW_OK;
}

static const uint8_t *take(struct sw_rp_rd *r, size_t n)
{
	const uint8_t *p;

	if (r->bad || r->n - r->off < n) {
		r->bad = true;
		return NULL;
	}
	p = r->p + r->off;
	r->off += n;
	return p;
}

uint8_t sw_rp_u8(struct sw_rp_rd *r)
{
	const uint8_t *p = take(r, 1);

	return p ? p[0] : 0;
}

uint16_t sw_rp_u16(struct sw_rp_rd *r)
{
	const uint8_t *p = take(r, 2);

	return p ? (uint16_t)((unsigned)p[0] | (unsigned)p[1] << 8) : 0;
}

uint32_t sw_rp_u32(struct sw_rp_rd *r)
{
	const uint8_t *p = take(r, 4);

	return p ? (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24 : 0;
}

uint64_t sw_rp_u64(struct sw_rp_rd *r)
{
	uint64_t lo = sw_rp_u32(r);

	return lo | (uint64_t)sw_rp_u32(r) << 32;
}

void sw_rp_putbytes(struct sw_rp_wr *w, const void *b, size_t n)
{
	if (!n)
		return;
	if (w->bad || w->cap - w->n < n) {
		w->bad = true;
		return;
	}
	memcpy(w->p + w->n, b, n);
	w->n += n;
}

void sw_rp_put8(struct sw_rp_wr *w, uint8_t v)
{
	sw_rp_putbytes(w, &v, 1);
}

void sw_rp_put16(struct sw_rp_wr *w, uint16_t v)
{
	uint8_t b[2] = {(uint8_t)v, (uint8_t)(v >> 8)};

	sw_rp_putbytes(w, b, 2);
}

void sw_rp_put32(struct sw_rp_wr *w, uint32_t v)
{
	uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};

	sw_rp_putbytes(w, b, 4);
}

void sw_rp_put64(struct sw_rp_wr *w, uint64_t v)
{
	sw_rp_put32(w, (uint32_t)v);
	sw_rp_put32(w, (uint32_t)(v >> 32));
}

void sw_rp_put_status(struct sw_rp_wr *w, int status, const char *msg)
{
	size_t n = msg ? strnlen(msg, SW_RP_MAX_MSG) : 0;

	sw_rp_put32(w, (uint32_t)status);
	sw_rp_put16(w, (uint16_t)n);
	sw_rp_putbytes(w, msg, n);
}

int sw_rp_get_status(struct sw_rp_rd *r, char *msg, size_t cap)
{
	int32_t st = (int32_t)sw_rp_u32(r);
	uint16_t n = sw_rp_u16(r);
	const uint8_t *p = n <= SW_RP_MAX_MSG ? take(r, n) : NULL;
	size_t k = 0;

	if (n > SW_RP_MAX_MSG)
		r->bad = true;
	msg[0] = 0;
	for (size_t i = 0; p && i < n && k + 1 < cap; i++)
		msg[k++] = (p[i] >= 0x20 && p[i] < 0x7f) ? (char)p[i] : '?'; /* never echo control bytes */
	msg[k] = 0;
	if (st > 0 || st < SW_ERR_UNKNOWN)
		st = SW_ERR_UNKNOWN;
	return st;
}

void sw_rp_batch_encode(struct sw_rp_wr *w, const struct sw_swd_req *reqs, size_t n)
{
	sw_rp_put32(w, (uint32_t)n);
	for (size_t i = 0; i < n; i++) {
		sw_rp_put8(w, reqs[i].req & REQ_BITS);
		if (!(reqs[i].req & SW_REQ_READ))
			sw_rp_put32(w, reqs[i].data);
	}
}

int sw_rp_batch_decode(struct sw_ctx *ctx, const uint8_t *p, size_t len, struct sw_swd_req *reqs, size_t cap,
		       size_t *n)
{
	struct sw_rp_rd r = {p, len, 0, false};
	uint32_t cnt = sw_rp_u32(&r);

	*n = 0;
	if (r.bad || cnt == 0 || cnt > SW_RP_MAX_BATCH || cnt > cap)
		return sw_fail_quiet(ctx, SW_ERR_PROTO, "batch: bad request count %u", cnt);
	for (uint32_t i = 0; i < cnt; i++) {
		uint8_t q = sw_rp_u8(&r);
		if (q & ~REQ_BITS)
			return sw_fail_quiet(ctx, SW_ERR_PROTO, "batch: request %u: bad request byte 0x%02x", i, q);
		reqs[i] = (struct sw_swd_req){q, 0, (q & SW_REQ_READ) ? 0 : sw_rp_u32(&r)};
	}
	if (r.bad || r.off != r.n)
		return sw_fail_quiet(ctx, SW_ERR_PROTO, "batch: length %zu does not match %u requests", len, cnt);
	*n = cnt;
	return SW_OK;
}

void sw_rp_batch_reply_encode(struct sw_rp_wr *w, const struct sw_swd_req *reqs, size_t n, bool ok,
			      uint32_t probe_us)
{
	size_t issued = ok ? n : 0;

	/* On failure the driver left later requests unissued (ack 0). */
	while (!ok && issued < n && reqs[issued].ack)
		issued++;
	sw_rp_put32(w, (uint32_t)issued);
	sw_rp_put32(w, probe_us);
	for (size_t i = 0; i < issued; i++) {
		sw_rp_put8(w, reqs[i].ack);
		if (reqs[i].req & SW_REQ_READ)
			sw_rp_put32(w, reqs[i].data);
	}
}

int sw_rp_batch_reply_decode(struct sw_ctx *ctx, struct sw_rp_rd *r, struct sw_swd_req *reqs, size_t n,
			     uint32_t *probe_us)
{
	uint32_t issued = sw_rp_u32(r);

	*probe_us = sw_rp_u32(r);
	if (r->bad || issued > n)
		return sw_fail(ctx, SW_ERR_PROTO, "remote: batch reply covers %u of %zu requests", issued, n);
	for (size_t i = 0; i < n; i++) {
		reqs[i].ack = 0;
		if (i >= issued)
			continue;
		reqs[i].ack = sw_rp_u8(r) & 7u;
		reqs[i].ack = reqs[i].ack ? reqs[i].ack : SW_ACK_OK; /* issued, driver left it 0 */
		if (reqs[i].req & SW_REQ_READ)
			reqs[i].data = sw_rp_u32(r);
	}
	if (r->bad || r->off != r->n)
		return sw_fail(ctx, SW_ERR_PROTO, "remote: malformed batch reply");
	return SW_OK;
}
