/* swdflash's RSP client: one TCP connection to a gdb server (ours or any
 * other that speaks standard RSP). GDB manual "Overview" (framing, '}'
 * escapes, '*' run-length), "General Query Packets" (qSupported PacketSize,
 * QStartNoAckMode, qRcmd, qCRC, qXfer) and "Packets" (X, m, vFlash*). */
#ifndef SW_CLIENT_RSP_CONN_H
#define SW_CLIENT_RSP_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sw/ctx.h"

struct sw_rsp; /* opaque connection handle */

/* Called with console text from O packets (qRcmd output, server messages). */
typedef void (*sw_rsp_output_fn)(void *user, const char *text);

/* Connect, send qSupported and enter no-ack mode when offered.
 * Errors: SW_ERR_IO (resolve/connect), SW_ERR_TIMEOUT, SW_ERR_CLOSED, SW_ERR_PROTO. */
int sw_rsp_connect(struct sw_ctx *ctx, const char *host, unsigned port, int timeout_ms, struct sw_rsp **out);
void sw_rsp_close(struct sw_rsp *c);
/* Plain TCP connection (TCP_NODELAY), also used for RTT channels. */
int sw_tcp_open(struct sw_ctx *ctx, const char *host, unsigned port, int *fd);

void sw_rsp_set_output(struct sw_rsp *c, sw_rsp_output_fn fn, void *user);
/* Wall-clock bound on one reply (flash operations take long). */
void sw_rsp_set_timeout(struct sw_rsp *c, int ms);
/* The qSupported reply, and the largest payload the server accepts. */
const char *sw_rsp_features(const struct sw_rsp *c);
size_t sw_rsp_packet_size(const struct sw_rsp *c);
bool sw_rsp_noack(const struct sw_rsp *c);
/* Data bytes that always fit in one X / vFlashWrite packet, even escaped. */
size_t sw_rsp_write_max(const struct sw_rsp *c);
struct sw_ctx *sw_rsp_ctx(const struct sw_rsp *c);
/* Console text (O packets) collected during the last command: the newest
 * RSP_CONSOLE_CAP bytes, without keep-alive lines. */
const char *sw_rsp_console(const struct sw_rsp *c);
/* True for the text of one keep-alive O packet ("monitor CMD: working
 * (N s)"), which swdbridge sends at least once a second while a monitor
 * command runs; the output callback gets them too. */
bool sw_rsp_is_keepalive(const char *text);

/* Send one payload (already escaped where binary), return the reply
 * payload (run-length expanded, NUL-terminated; valid until the next call).
 * O packets before the reply go to the output callback and the console. */
int sw_rsp_transact(struct sw_rsp *c, const uint8_t *pkt, size_t len, const char **reply, size_t *rlen);
/* Text command; an "Enn" reply becomes an error whose message names `what`
 * and quotes the server's console text if there was any. */
int sw_rsp_cmd_ok(struct sw_rsp *c, const char *cmd, int err, const char *what);

/* monitor CMD via qRcmd (hex-encoded); output through the callback. */
int sw_rsp_monitor(struct sw_rsp *c, const char *cmd);
int sw_rsp_read_mem(struct sw_rsp *c, uint32_t addr, uint8_t *buf, size_t len);
/* X packets (binary), split to fit PacketSize. */
int sw_rsp_write_mem(struct sw_rsp *c, uint32_t addr, const uint8_t *buf, size_t len);
int sw_rsp_crc(struct sw_rsp *c, uint32_t addr, uint32_t len, uint32_t *crc);
int sw_rsp_flash_erase(struct sw_rsp *c, uint32_t addr, uint32_t len);
/* One vFlashWrite; len must be <= sw_rsp_write_max(). */
int sw_rsp_flash_write(struct sw_rsp *c, uint32_t addr, const uint8_t *buf, size_t len);
int sw_rsp_flash_done(struct sw_rsp *c);
/* qXfer:OBJECT:read:ANNEX: the whole object, malloc'd and NUL-terminated. */
int sw_rsp_xfer_read(struct sw_rsp *c, const char *object, const char *annex, char **out, size_t *len);

/* Pure helpers (unit-tested): frame a payload as $..#cs; escape binary
 * data ('#', '$', '}', '*' as 0x7d, byte ^ 0x20). Both return the output
 * length, or 0 if cap is too small. */
size_t sw_rsp_frame(const uint8_t *in, size_t len, uint8_t *out, size_t cap);
size_t sw_rsp_escape(const uint8_t *in, size_t len, uint8_t *out, size_t cap);
/* Expand '*' run-length encoding of a received payload; returns the new
 * length, or 0 (with *bad set) if it does not fit in cap. */
size_t sw_rsp_unrle(const uint8_t *in, size_t len, uint8_t *out, size_t cap, bool *bad);

#endif
