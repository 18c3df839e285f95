/* vjlink: a virtual J-Link that speaks SEGGER's J-Link-over-TCP protocol as
 * libjaylink 0.3.1 expects it (reference/jlink.md §1-3), backed by the chip
 * simulator. Unmodified libjaylink (ours and OpenOCD's) discovers it by UDP,
 * connects on TCP, and drives the simulated SWD wire through 0xCF SWD_IO.
 * Each command exchange is charged to the simulator as one probe round trip.
 *
 * Threading: vjlink_run()/vjlink_poll() serve every socket from one thread.
 * vjlink_start() runs that loop on a private thread; from then on the sim and
 * the sw_ctx given to vjlink_new() belong to that thread until vjlink_stop(). */
#ifndef SW_VJLINK_H
#define SW_VJLINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/sim.h"
#include "sw/ctx.h"

/* libjaylink always connects TCP to this port and discovers on this UDP port. */
#define VJLINK_PORT 19020u

enum vjlink_discovery {
	VJLINK_DISC_NONE, /* TCP only */
	VJLINK_DISC_UDP,  /* bind UDP 0.0.0.0:19020 (client in another netns) */
	VJLINK_DISC_RAW,  /* raw socket watches for "Discover" (client in the same
			   * netns, which owns UDP 19020); needs CAP_NET_RAW */
};

struct vjlink_cfg {
	uint32_t serial;       /* J-Link serial number (decimal on labels) */
	const char *ip;        /* IPv4 to listen on and to advertise */
	uint16_t port;         /* TCP port; libjaylink only uses VJLINK_PORT */
	enum vjlink_discovery discovery;
	const char *product;   /* advertised product name */
	const char *nickname;  /* advertised nickname */
	uint32_t free_mem;     /* GET_FREE_MEMORY answer; bounds SWD_IO size */
	uint16_t vtref_mv;     /* target voltage reported by GET_HW_STATUS */
};

struct vjlink_stats {
	uint64_t connections; /* TCP connections accepted */
	uint64_t commands;    /* command exchanges served */
	uint64_t swd_io;      /* 0xCF SWD_IO commands */
	uint64_t swd_bits;    /* bits clocked by SWD_IO */
	uint64_t discoveries; /* advertisements sent */
};

struct vjlink;

/* Defaults: serial 123456, 127.0.0.1:19020, UDP discovery, 16400 bytes free
 * (8 KiB per SWD_IO bit array), 3300 mV. */
void vjlink_cfg_init(struct vjlink_cfg *cfg);

/* Opens the sockets (listening at once). The sim is not owned. */
int vjlink_new(struct sw_ctx *ctx, struct sim *sim, const struct vjlink_cfg *cfg,
	       struct vjlink **out);
void vjlink_free(struct vjlink *v);

/* Serve sockets for at most timeout_ms (-1: until something happened). */
int vjlink_poll(struct vjlink *v, int timeout_ms);
/* Serve until stop_fd (may be -1) or the internal stop pipe is readable. */
int vjlink_run(struct vjlink *v, int stop_fd);

/* Run vjlink_run() on a private thread; vjlink_stop() ends and joins it. */
int vjlink_start(struct vjlink *v);
void vjlink_stop(struct vjlink *v);

/* Drop every client connection (a probe unplugged; listening goes on). */
void vjlink_drop_clients(struct vjlink *v);

void vjlink_get_stats(const struct vjlink *v, struct vjlink_stats *s);
/* The firmware string GET_VERSION returns. */
const char *vjlink_firmware_string(void);

#endif
