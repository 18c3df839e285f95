/* Internals shared by the RSP client's files (not for other layers). */
#ifndef SW_RSP_CLIENT_PRIV_H
#define SW_RSP_CLIENT_PRIV_H

#include <stdint.h>

#include "server/flash/flash_stage.h"
#include "server/flash/read_cache.h"
#include "server/gdb/rsp_client.h"
#include "server/net/outq.h"

#define OUT_MAX (2 * RSP_PACKET_MAX + 8)
#define MEM_CHUNK ((RSP_PACKET_MAX - 8) / 2)
#define XML_MAX 16384
/* Output waits here when gdb does not read: room for two full replies past
 * the point where input stops being processed (one reply). */
#define OUTQ_CAP (3 * OUT_MAX)
#define OUTQ_STALL_NS 5000000000ull /* a gdb that takes none of its reply for 5 s is dropped */
#define IN_MAX 4096

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
	bool extended;           /* '!': extended-remote, the connection outlives D */
	/* Polling a running core: fast at first, slower once it ran quietly
	 * (rsp_client_tick); gdb traffic makes it fast again. */
	bool poll_armed;
	uint64_t poll_next_ns, quiet_since_ns;
	bool closing;
	bool observer;           /* passive second gdb (rsp_observer.c) */
	bool fileio;             /* gdb (it sent qSupported): takes File-I/O F requests */
	bool fileio_pending;     /* a semihosting F request waits for gdb's F reply */
	char refused[160];       /* non-empty: every packet gets this error (rsp_observer.c) */
	uint8_t last[OUT_MAX];   /* last framed packet, resent on NAK */
	size_t last_len;
	struct sw_outq out;      /* never a blocking write: see server/net/outq.h */
	uint8_t in[IN_MAX];      /* read but not yet parsed (parsing waits while output is queued) */
	size_t in_off, in_len;
	struct sw_flash_stage *flash; /* vFlash staging */
	struct sw_read_cache *rcache; /* flash contents gdb read while halted */
	char xml[XML_MAX];
	char reply[OUT_MAX];
	uint8_t mem[RSP_PACKET_MAX];
};

void rsp_send_bin(struct rsp_client *c, const void *data, size_t len);
void rsp_send_str(struct rsp_client *c, const char *s);
void rsp_send_err(struct rsp_client *c, int code);
/* "E.reason" (gdb manual "Standard Replies"): the error reply for a packet
 * that failed for a reason the user should see. gdb 13 shows it for g, G,
 * P and stop replies; for vFlash* and Z it prints its own fixed text, so
 * the reason also goes to the server log (at warning level). Never O
 * packets: outside a run and qRcmd gdb takes an O as the reply itself and
 * falls one packet behind. */
void rsp_send_err_reason(struct rsp_client *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void rsp_flush_console(struct rsp_client *c);
int rsp_parse_hex_pair(const char *p, uint64_t *a, uint64_t *b, const char **end);

/* A passive connection's packets: true when handled here (rsp_observer.c). */
bool rsp_observer_dispatch(struct rsp_client *c, const char *pkt);
void rsp_refused_dispatch(struct rsp_client *c);
/* rsp_semihost.c: a halt on BKPT 0xAB while gdb waits; true when handled
 * (no stop reply now). */
bool rsp_semihost_halt(struct rsp_client *c, const struct sw_core_state *st);
/* gdb's F reply; true when a stop must be reported now (Ctrl-C, failure). */
bool rsp_semihost_reply(struct rsp_client *c, const char *arg);
/* rsp_fault.c: explain a vector-catch or lockup stop; returns the signal
 * for the stop reply. */
int rsp_report_fault(struct rsp_client *c, const struct sw_core_state *st);

void rsp_cmd_m(struct rsp_client *c, const char *arg);
void rsp_cmd_M(struct rsp_client *c, const char *arg);
void rsp_cmd_X(struct rsp_client *c, uint8_t *pkt, size_t pktlen);
void rsp_cmd_crc(struct rsp_client *c, const char *arg);
void rsp_cmd_vflash(struct rsp_client *c, uint8_t *pkt, size_t len);

/* rsp_regs.c */
size_t rsp_put_reg(char *out, uint64_t v, unsigned bits);
void rsp_cmd_g(struct rsp_client *c);
void rsp_cmd_G(struct rsp_client *c, const char *hex);
void rsp_cmd_p(struct rsp_client *c, const char *arg);
void rsp_cmd_P(struct rsp_client *c, const char *arg);

/* rsp_run.c */
uint64_t rsp_mono_ns(void);
void rsp_send_stop(struct rsp_client *c, const struct sw_core_state *st);
void rsp_resume(struct rsp_client *c, bool step);
void rsp_cmd_vcont(struct rsp_client *c, const char *arg);
void rsp_halt_and_report(struct rsp_client *c);
void rsp_cmd_question(struct rsp_client *c);
void rsp_cmd_must_reply_empty(struct rsp_client *c);
/* rsp_client.c */
void rsp_send_notification(struct rsp_client *c, const char *stop);

#endif
