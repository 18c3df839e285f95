/* Internals shared by the RSP client's files (not for other layers). */
#ifndef SW_RSP_CLIENT_PRIV_H
#define SW_RSP_CLIENT_PRIV_H

#include <stdint.h>

#include "server/flash/flash_stage.h"
#include "server/gdb/rsp_client.h"

#define OUT_MAX (2 * RSP_PACKET_MAX + 8)
#define MEM_CHUNK ((RSP_PACKET_MAX - 8) / 2)
#define XML_MAX 16384

struct rsp_client {
	struct sw_session *s;
	int fd;
	struct rsp_parser parser;
	bool noack, noack_pending;
	bool swbreak, hwbreak;   /* gdb said it understands these stop reasons */
	bool waiting;            /* gdb waits for a stop reply */
	bool nonstop;            /* QNonStop:1: stops are %Stop notifications */
	bool async_stop;         /* the stop being reported is asynchronous */
	bool stop_signal0;       /* vCont;t in non-stop: report signal 0 */
	bool stepping;
	bool closing;
	bool observer;           /* passive second gdb (rsp_observer.c) */
	bool fileio;             /* gdb (it sent qSupported): takes File-I/O F requests */
	bool fileio_pending;     /* a semihosting F request waits for gdb's F reply */
	char refused[160];       /* non-empty: every packet gets this error (rsp_observer.c) */
	uint8_t last[OUT_MAX];   /* last framed packet, resent on NAK */
	size_t last_len;
	struct sw_flash_stage *flash; /* vFlash staging */
	char xml[XML_MAX];
	char reply[OUT_MAX];
	uint8_t mem[RSP_PACKET_MAX];
};

void rsp_send_bin(struct rsp_client *c, const void *data, size_t len);
void rsp_send_str(struct rsp_client *c, const char *s);
void rsp_send_err(struct rsp_client *c, int code);
void rsp_flush_console(struct rsp_client *c);
int rsp_parse_addr_len(const char *p, uint64_t *addr, uint64_t *len, const char **end);

/* A passive connection's packets: true when handled here (rsp_observer.c). */
bool rsp_observer_dispatch(struct rsp_client *c, const char *pkt);
void rsp_refused_dispatch(struct rsp_client *c);
/* rsp_semihost.c: a halt on BKPT 0xAB while gdb waits; true when handled
 * (no stop reply now). */
bool rsp_semihost_halt(struct rsp_client *c, const struct sw_core_state *st);
/* gdb's F reply; true when a stop must be reported now (Ctrl-C, failure). */
bool rsp_semihost_reply(struct rsp_client *c, const char *arg);

void rsp_cmd_m(struct rsp_client *c, const char *arg);
void rsp_cmd_M(struct rsp_client *c, const char *arg);
void rsp_cmd_X(struct rsp_client *c, uint8_t *pkt, size_t pktlen);
void rsp_cmd_crc(struct rsp_client *c, const char *arg);
void rsp_cmd_vflash(struct rsp_client *c, uint8_t *pkt, size_t len);

#endif
