/* Output of one socket: a bounded queue drained without ever blocking.
 *
 * Every socket the server writes to (gdb, RTT, SWO, probe-server) goes
 * through one of these, so one peer that stops reading can never stop the
 * loop: bytes wait in the queue, the loop polls for POLLOUT, and a peer
 * that has taken nothing for the queue's deadline while bytes waited is
 * "stalled" and the owner drops it (issue #15). */
#ifndef SW_NET_OUTQ_H
#define SW_NET_OUTQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct sw_outq {
	int fd;
	uint8_t *buf;          /* cap bytes, allocated on first use */
	size_t cap, head, len; /* pending bytes are buf[head, head + len) */
	uint64_t deadline_ns;  /* how long a peer may take nothing while bytes wait */
	uint64_t since_ns;     /* when the peer last took bytes (or the queue filled from empty) */
	bool failed;           /* the socket reported an error: drop the peer */
	/* Other transports (TLS): bytes taken, 0 = would block, < 0 = error.
	 * NULL: send() on fd. */
	ssize_t (*send)(void *user, const void *p, size_t n);
	void *user;
};

/* fd stays the caller's; nothing is allocated until bytes must wait. */
void sw_outq_init(struct sw_outq *q, int fd, size_t cap, uint64_t deadline_ns);
/* The same over a transport of the caller's (see send above). */
void sw_outq_init_fn(struct sw_outq *q, ssize_t (*send)(void *user, const void *p, size_t n), void *user,
		     size_t cap, uint64_t deadline_ns);
void sw_outq_free(struct sw_outq *q);
/* Send what the socket takes now, queue the rest. Returns false (and sets
 * failed) if the socket failed or the bytes do not fit in the queue. */
bool sw_outq_put(struct sw_outq *q, const void *data, size_t n);
/* Send queued bytes the socket takes now (call on POLLOUT). Returns false
 * if the socket failed. */
bool sw_outq_flush(struct sw_outq *q);
static inline size_t sw_outq_len(const struct sw_outq *q) { return q->len; }
static inline size_t sw_outq_room(const struct sw_outq *q) { return q->cap - q->len; }
/* Bytes have waited and the peer has taken none for the deadline. */
bool sw_outq_stalled(const struct sw_outq *q);
/* The monotonic clock used for the deadlines, in ns. */
uint64_t sw_outq_now_ns(void);

#endif
