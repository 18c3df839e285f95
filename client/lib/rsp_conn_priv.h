/* Internals of struct sw_rsp shared by rsp_conn.c (transport, framing) and
 * rsp_cmds.c (the packets swdflash sends). */
#ifndef SW_CLIENT_RSP_CONN_PRIV_H
#define SW_CLIENT_RSP_CONN_PRIV_H

#include "client/lib/rsp_conn.h"

#define RSP_RX_CAP 0x40000   /* raw bytes buffered from the socket */
#define RSP_PKT_CAP 0x40000  /* one decoded reply */
#define RSP_CONSOLE_CAP 4096 /* newest O-packet text, kept for error messages */

struct sw_rsp {
	struct sw_ctx *ctx;
	int fd;
	int timeout_ms;
	bool noack;
	size_t packet_size; /* PacketSize from qSupported: the largest packet the server takes */
	sw_rsp_output_fn out;
	void *out_user;
	uint8_t *rx;        /* RSP_RX_CAP raw bytes from the socket */
	size_t rx_len;
	uint8_t *pkt;       /* RSP_PKT_CAP + 1: decoded reply, NUL-terminated */
	size_t pkt_len;
	uint8_t *tx;        /* framing buffer: 2 * packet_size + 8 */
	size_t tx_cap;
	uint8_t *scratch;   /* escaped payload for X / vFlashWrite, packet_size bytes */
	char console[RSP_CONSOLE_CAP];
	size_t console_len;
	char features[512];
};

/* Record a failure for a bad reply: quotes the server's console text when
 * it said something (that is usually the real reason). */
int rsp_fail_reply(struct sw_rsp *c, int err, const char *what, const char *reply);

#endif
