/* Probe interface: one batched SWD transfer call plus line control.
 * Every driver (sim, jlink, ftdi, remote) fills a struct sw_probe_ops; the
 * probe is always the first argument and every call returns an sw_err.
 *
 * swd_transfer() has *logical* semantics (as CMSIS-DAP's DAP_Transfer): the
 * data of an AP read request is that read's own value. Posted AP reads
 * (ADIv5 B4.2.2: an AP read returns the previous AP read's data, RDBUFF the
 * last) are resolved by the driver or the generic bit engine, never by ADI. */
#ifndef SW_PROBE_H
#define SW_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sw/ctx.h"

/* Request byte: APnDP, RnW and A[3:2] as in the SWD packet header. */
#define SW_REQ_AP 0x01u
#define SW_REQ_READ 0x02u
#define SW_REQ_ADDR(a) ((uint8_t)((a) & 0x0Cu)) /* register offset 0x0/0x4/0x8/0xC */

/* SWD ACK values as seen on the wire (LSB first: OK=001b, WAIT=010b, FAULT=100b). */
#define SW_ACK_OK 0x1u
#define SW_ACK_WAIT 0x2u
#define SW_ACK_FAULT 0x4u
#define SW_ACK_NONE 0x7u /* line not driven: reads as all ones with a pull-up */

struct sw_swd_req {
	uint8_t req;  /* SW_REQ_* */
	uint8_t ack;  /* out: last ACK seen for this request; 0 if never issued */
	uint32_t data; /* in for writes, out for reads */
};

/* Counters consumed by the timing model (reference/perf.md §6). */
struct sw_probe_stats {
	uint64_t swd_cycles;   /* SWCLK cycles driven, including idles and sequences */
	uint64_t transactions; /* SWD packets on the wire (retries included) */
	uint64_t round_trips;  /* host <-> probe exchanges (USB flushes, TCP batches) */
	uint64_t bytes_out;    /* host -> probe payload bytes */
	uint64_t bytes_in;     /* probe -> host payload bytes */
	uint64_t waits;        /* WAIT acks seen */
	uint64_t faults;       /* FAULT acks seen */
	uint64_t parity_errors;
};

struct sw_probe;

struct sw_probe_ops {
	const char *name; /* "sim", "jlink", "ftdi", "remote" */
	/* Run n requests in as few round trips as the probe allows. On failure
	 * the failing request has its ack set, later ones are left unissued
	 * (ack 0), and the code is one of SW_ERR_SWD_*. WAIT is retried inside
	 * within a bounded time before SW_ERR_SWD_WAIT is returned. */
	int (*swd_transfer)(struct sw_probe *p, struct sw_swd_req *reqs, size_t n);
	/* Clock out a raw SWDIO sequence (line reset, JTAG-to-SWD, dormant
	 * wake-up), LSB of bits[0] first. */
	int (*swj_sequence)(struct sw_probe *p, const uint8_t *bits, size_t nbits);
	/* Set SWCLK; *actual_hz receives the frequency really used. */
	int (*set_freq_hz)(struct sw_probe *p, uint32_t hz, uint32_t *actual_hz);
	/* Drive nRST: true = asserted (low). */
	int (*set_nrst)(struct sw_probe *p, bool asserted);
	/* Target voltage in mV, or SW_ERR_NOT_SUPPORTED. May be NULL. */
	int (*target_voltage_mv)(struct sw_probe *p, uint32_t *mv);
	void (*close)(struct sw_probe *p);
	/* SWO capture, UART (NRZ) mode; NULL when the probe has none. start:
	 * *actual_baud receives the rate the probe really samples at. read:
	 * bytes captured since the last read, up to max (*len may be 0). */
	int (*swo_start)(struct sw_probe *p, uint32_t baud, uint32_t *actual_baud);
	int (*swo_read)(struct sw_probe *p, uint8_t *buf, size_t max, size_t *len);
	int (*swo_stop)(struct sw_probe *p);
};

struct sw_probe {
	const struct sw_probe_ops *ops;
	struct sw_ctx *ctx;
	struct sw_probe_stats stats;
	uint32_t freq_hz;
	void *priv; /* driver state */
	/* The probe stopped answering (unplugged, vjlink or the probe-server
	 * gone): every later call fails until it is opened again. */
	bool lost;
	/* A --probe selector that finds this very probe again (J-Link by
	 * serial, remote by address, FTDI by USB serial string); "" when it
	 * cannot be recognised (an FTDI adapter without a serial, or one of
	 * several alike opened without one), so it is never reopened
	 * automatically. */
	char reopen[64];
	/* Called after every exchange with the probe while set (a long
	 * monitor command: rsp_keepalive.c sends gdb a line meanwhile). Set
	 * with sw_probe_set_busy; NULL when nobody waits. */
	void (*busy)(void *user);
	void *busy_user;
};

/* Convenience wrappers that check for NULL ops. */
int sw_probe_swd_transfer(struct sw_probe *p, struct sw_swd_req *reqs, size_t n);
int sw_probe_swj_sequence(struct sw_probe *p, const uint8_t *bits, size_t nbits);
int sw_probe_set_freq(struct sw_probe *p, uint32_t hz, uint32_t *actual_hz);
int sw_probe_set_nrst(struct sw_probe *p, bool asserted);
void sw_probe_close(struct sw_probe *p);
/* Install (fn != NULL) or remove the busy hook; sw_probe_busy calls it
 * (the wrappers above do after each exchange; code that waits without
 * the probe, such as monitor sleep, calls it itself). */
void sw_probe_set_busy(struct sw_probe *p, void (*fn)(void *user), void *user);
void sw_probe_busy(struct sw_probe *p);

/* Standard SWJ sequences (ADIv5.2 B5.2, ADIv6 B5.3). They are sent through
 * swj_sequence; each returns its bit count in *nbits. */
int sw_swj_line_reset(struct sw_probe *p);  /* >=50 ones + 2 idle zeros */
int sw_swj_jtag_to_swd(struct sw_probe *p); /* line reset, 0xE79E, line reset, idle */
int sw_swj_dormant_to_swd(struct sw_probe *p); /* 8 ones, selection alert, activation code */

#endif
