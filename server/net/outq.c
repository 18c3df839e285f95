/* Bounded non-blocking output queue (see outq.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "server/net/outq.h"

uint64_t sw_outq_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void sw_outq_init(struct sw_outq *q, int fd, size_t cap, uint64_t deadline_ns)
{
	*q = (struct sw_outq){.fd = fd, .cap = cap, .deadline_ns = deadline_ns};
}

void sw_outq_init_fn(struct sw_outq *q, ssize_t (*send)(void *user, const void *p, size_t n), void *user,
		     size_t cap, uint64_t deadline_ns)
{
	*q = (struct sw_outq){.fd = -1, .cap = cap, .deadline_ns = deadline_ns, .send = send, .user = user};
}

void sw_outq_free(struct sw_outq *q)
{
	free(q->buf);
	q->buf = NULL;
	q->head = q->len = 0;
}

/* One non-blocking write: bytes taken, 0 if the socket is full, -1 on error.
 * Pipes (tests) get write() on a descriptor the caller made non-blocking. */
static ssize_t try_send(struct sw_outq *q, const uint8_t *p, size_t n)
{
	ssize_t w;

	if (q->send) {
		w = q->send(q->user, p, n);
		if (w < 0)
			q->failed = true;
		return w < 0 ? -1 : w;
	}
	w = send(q->fd, p, n, MSG_DONTWAIT | MSG_NOSIGNAL);
	if (w < 0 && errno == ENOTSOCK)
		w = write(q->fd, p, n);
	if (w >= 0)
		return w;
	if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
		return 0;
	q->failed = true;
	return -1;
}

bool sw_outq_flush(struct sw_outq *q)
{
	while (q->len && !q->failed) {
		ssize_t w = try_send(q, q->buf + q->head, q->len);
		if (w <= 0)
			break;
		q->head += (size_t)w;
		q->len -= (size_t)w;
		q->since_ns = sw_outq_now_ns();
	}
	if (!q->len)
		q->head = 0;
	return !q->failed;
}

bool sw_outq_put(struct sw_outq *q, const void *data, size_t n)
{
	const uint8_t *p = data;

	if (q->failed)
		return false;
	if (!q->len && n) {
		ssize_t w = try_send(q, p, n);
		if (w < 0)
			return false;
		p += w;
		n -= (size_t)w;
		if (!n)
			return true;
		q->since_ns = sw_outq_now_ns(); /* the wait starts now */
	}
	if (n > q->cap - q->len) {
		q->failed = true; /* over its bound: the owner drops the peer */
		return false;
	}
	if (!q->buf && !(q->buf = malloc(q->cap))) {
		q->failed = true;
		return false;
	}
	if (q->head + q->len + n > q->cap) {
		memmove(q->buf, q->buf + q->head, q->len);
		q->head = 0;
	}
	memcpy(q->buf + q->head + q->len, p, n);
	q->len += n;
	return true;
}

bool sw_outq_stalled(const struct sw_outq *q)
{
	return q->len && sw_outq_now_ns() - q->since_ns > q->deadline_ns;
}
