/* server/net/outq.c: the bounded non-blocking output queue every socket of
 * the server writes through (issue #15), on a socketpair whose reader
 * stops reading. */
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "server/net/outq.h"
#include "tests/test.h"

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

/* A peer that never reads: puts return at once, bytes wait in the queue
 * up to its bound, and the queue is "stalled" once the peer has taken
 * nothing for the deadline. */
static void test_reader_stops(void)
{
	int sv[2], small = 4096;
	static uint8_t chunk[16384];
	struct sw_outq q;
	size_t put = 0;
	bool ok = true;

	CHECK(!socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &small, sizeof(small));
	sw_outq_init(&q, sv[0], 65536, 50000000ull); /* 50 ms */
	memset(chunk, 'x', sizeof(chunk));
	/* Fill the socket and the queue: never blocks, stops at the bound. */
	while (ok && put < 16u * 1024u * 1024u) {
		ok = sw_outq_put(&q, chunk, sizeof(chunk));
		put += ok ? sizeof(chunk) : 0;
	}
	CHECK_MSG(!ok && q.failed, "put %zu bytes without hitting the bound", put);
	CHECK(sw_outq_len(&q) <= 65536 && sw_outq_len(&q) > 65536 - sizeof(chunk));
	CHECK(!sw_outq_stalled(&q));
	sleep_ms(80);
	CHECK(sw_outq_stalled(&q));
	sw_outq_free(&q);
	close(sv[0]);
	close(sv[1]);
}

/* A slow but steady reader: progress restarts the deadline, and all bytes
 * arrive in order. */
static void test_reader_drains(void)
{
	int sv[2], small = 4096;
	uint8_t data[50000], got[50000];
	struct sw_outq q;
	size_t n = 0;

	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 7u);
	CHECK(!socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &small, sizeof(small));
	sw_outq_init(&q, sv[0], 65536, 50000000ull);
	CHECK(sw_outq_put(&q, data, sizeof(data)));
	CHECK(sw_outq_len(&q) > 0);
	while (n < sizeof(got)) {
		ssize_t r = recv(sv[1], got + n, sizeof(got) - n, MSG_DONTWAIT);
		if (r > 0)
			n += (size_t)r;
		sleep_ms(1);
		CHECK(sw_outq_flush(&q));
		CHECK(!sw_outq_stalled(&q));
	}
	CHECK(!memcmp(data, got, sizeof(data)));
	CHECK_EQ_U(sw_outq_len(&q), 0);
	sw_outq_free(&q);
	close(sv[0]);
	close(sv[1]);
}

/* The peer leaves: the next put or flush reports the failure. */
static void test_peer_gone(void)
{
	int sv[2];
	struct sw_outq q;

	CHECK(!socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	sw_outq_init(&q, sv[0], 1024, 50000000ull);
	close(sv[1]);
	CHECK(!sw_outq_put(&q, "abc", 3));
	CHECK(q.failed);
	sw_outq_free(&q);
	close(sv[0]);
}

int main(void)
{
	RUN_TEST(test_reader_stops);
	RUN_TEST(test_reader_drains);
	RUN_TEST(test_peer_gone);
	return TEST_MAIN_END();
}
