/* Whole-message I/O for the remote-probe protocol over a sw_tls_conn.
 * Buffers are SW_RP_BUF bytes: the header slot, then the payload. */
#ifndef SW_REMOTE_RP_IO_H
#define SW_REMOTE_RP_IO_H

#include "server/net/tls.h"
#include "server/remote/proto.h"

#define SW_RP_BUF (SW_RP_HDR + SW_RP_MAX_PAYLOAD)

/* Fill buf[0..8) with the header and send header + payload (buf + 8, len). */
int sw_rp_send(struct sw_tls_conn *c, uint8_t type, uint8_t *buf, size_t len, int timeout_ms);
/* Receive one message: header checked (type, bound) before the payload is
 * read; the payload lands at buf + SW_RP_HDR. */
int sw_rp_recv(struct sw_ctx *ctx, struct sw_tls_conn *c, struct sw_rp_hdr *h, uint8_t *buf, int timeout_ms);

#endif
