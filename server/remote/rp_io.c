/* Message framing on top of the TLS (or plain) connection. */
#include "server/remote/rp_io.h"

int sw_rp_send(struct sw_tls_conn *c, uint8_t type, uint8_t *buf, size_t len, int timeout_ms)
{
	sw_rp_hdr_put(buf, type, (uint32_t)len);
	return sw_tls_conn_write(c, buf, SW_RP_HDR + len, timeout_ms);
}

int sw_rp_recv(struct sw_ctx *ctx, struct sw_tls_conn *c, struct sw_rp_hdr *h, uint8_t *buf, int timeout_ms)
{
	int r = sw_tls_conn_read(c, buf, SW_RP_HDR, timeout_ms);

	if (r || (r = sw_rp_hdr_get(ctx, buf, h)))
		return r;
	return h->len ? sw_tls_conn_read(c, buf + SW_RP_HDR, h->len, timeout_ms) : SW_OK;
}
