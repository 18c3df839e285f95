/* vjlink internals shared by its socket side (vjlink.c) and its command
 * interpreter (vjlink_cmd.c). Not for use outside sim/vjlink*.c. */
#ifndef SW_VJLINK_PRIV_H
#define SW_VJLINK_PRIV_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "sim/vjlink.h"
#include "sim/vjlink_swo.h"

/* libjaylink 0.3.1 never closes its socket (jaylink_close leaks it), so a
 * client process that reopens accumulates idle connections. */
#define VJ_MAX_CONNS 32
#define VJ_MAX_REGS 16       /* JAYLINK_MAX_CONNECTIONS */
#define VJ_RX_MAX (5 + 2 * 8192 + 64) /* largest request: SWD_IO of 65535 bits */
#define VJ_TX_MAX (8192 + 1)
#define VJ_ADV_LEN 128       /* ADV_MESSAGE_SIZE */
#define VJ_REG_MIN_REPLY 76  /* REG_MIN_SIZE: libjaylink reads at least this much */

/* Hardware version, decimal packed type*1e6+major*1e4+minor*100+rev: a
 * J-Link (type 0) V11.00. GET_HW_VERSION and the UDP advertisement report it. */
#define VJ_HW_VERSION 110000u
#define TIF_JTAG 0u
#define TIF_SWD 1u

struct vj_reg {
	bool used;
	uint16_t handle;
	uint32_t pid;
	uint8_t hid[4];
	uint8_t iid, cid;
	uint32_t timestamp;
	int owner_fd;
};

struct vj_conn {
	int fd;
	size_t rx_len;
	uint8_t *rx;
};

struct vjlink {
	struct sw_ctx *ctx;
	struct sim *sim;
	struct vjlink_cfg cfg;
	struct in_addr addr;
	char ip[INET_ADDRSTRLEN];
	int listen_fd, udp_fd, raw_fd, reply_fd;
	int pipe_rd, pipe_wr;
	struct vj_conn conns[VJ_MAX_CONNS];
	struct vj_reg regs[VJ_MAX_REGS];
	uint16_t next_handle;
	unsigned tif;
	bool nrst_released;
	uint16_t speed_khz;
	struct timespec t0;
	uint8_t tx[VJ_TX_MAX + VJ_REG_MIN_REPLY + 512];
	uint8_t *line; /* scratch: the simulated line, one bit per cycle */
	struct vjlink_stats stats;
	pthread_t thread;
	bool thread_running;
	struct vj_swo *swo;
};

/* Bytes of the request starting at p (CMD_CLIENT prefix included): 0 if more
 * bytes are needed to tell, -1 if the opcode is unknown. */
long vj_cmd_len(const uint8_t *p, size_t n);
/* Execute one complete request from connection fd; returns the reply length
 * in v->tx. */
size_t vj_exec(struct vjlink *v, const uint8_t *p, int fd);
/* Forget the registrations (0x09) a closing connection made. */
void vj_drop_regs_of(struct vjlink *v, int fd);

#endif
