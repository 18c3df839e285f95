/* libFuzzer target: the whole RSP dispatcher. The input is a byte stream as
 * gdb writes it ($packet#cs, acks, Ctrl-C); the harness fixes each packet's
 * checksum so mutations reach the commands instead of dying in framing, and
 * feeds it to a gdb connection (rsp_client) on a socket pair, in the
 * 4 KiB reads the server does, into a session on a simulated STM32H743 with
 * the demo loaded: registers, memory, breakpoints and watchpoints, stepping
 * and continuing, flash (vFlash*), qXfer, monitor commands. Seeds are gdb
 * sessions recorded by tests/fuzz/record_rsp_seeds.py at build time. */
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "server/gdb/rsp_client.h"
#include "tests/fuzz/fuzz_board.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_INPUT (256u * 1024u)

/* Rewrite the two checksum digits after each $...# with the right ones. */
static void fix_checksums(uint8_t *buf, size_t n)
{
	static const char hex[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		if (buf[i] != '$')
			continue;
		size_t j = i + 1;
		unsigned sum = 0;
		while (j < n && buf[j] != '#')
			sum += buf[j++];
		if (j + 2 >= n)
			return;
		buf[j + 1] = (uint8_t)hex[(sum >> 4) & 0xF];
		buf[j + 2] = (uint8_t)hex[sum & 0xF];
		i = j + 2;
	}
}

static void drain(int fd)
{
	uint8_t sink[65536];

	while (read(fd, sink, sizeof(sink)) > 0)
		;
}

/* Erasing the whole chip or a bank costs seconds of simulated flash time per
 * input; sector erases (vFlashErase, monitor flash erase ADDR LEN) stay. */
static bool too_slow(const uint8_t *buf, size_t n)
{
	static const char *const slow[] = {
		"65726173652061", /* hex "erase a(ll)" in qRcmd */
		"657261736520666c6173682d62616e6b", /* "erase flash-bank" */
	};

	for (size_t i = 0; i < sizeof(slow) / sizeof(slow[0]); i++)
		if (memmem(buf, n, slow[i], strlen(slow[i])))
			return true;
	return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t buf[MAX_INPUT]; /* fuzz harness only */
	struct board *b = board_get();
	struct rsp_client *c = NULL;
	int sv[2], big = 4 << 20;
	bool alive = true;
	size_t off = 0;

	if (size > MAX_INPUT)
		return 0;
	memcpy(buf, data, size);
	fix_checksums(buf, size);
	if (too_slow(buf, size))
		return 0;
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		abort();
	/* Large buffers and a non-blocking server side: replies never block the
	 * single thread (a full buffer closes the connection, as a dead peer would). */
	for (int i = 0; i < 2; i++) {
		setsockopt(sv[i], SOL_SOCKET, SO_SNDBUF, &big, sizeof(big));
		setsockopt(sv[i], SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
		fcntl(sv[i], F_SETFL, O_NONBLOCK);
	}
	if (rsp_client_new(&b->s, sv[0], &c))
		abort();
	/* Each input starts as gdb finds a halted core (a detach or continue in
	 * the previous one left it running, and a running simulated core makes
	 * every packet slow). */
	sw_core_halt(b->s.core);
	b->s.running = false;
	while (off < size && alive) {
		size_t n = size - off < 4096 ? size - off : 4096;
		ssize_t w = write(sv[1], buf + off, n);
		if (w <= 0)
			break;
		off += (size_t)w;
		alive = rsp_client_readable(c);
		drain(sv[1]);
		/* A continue or step: let the core run a little, then interrupt. */
		for (int k = 0; k < 4 && alive && rsp_client_waiting(c); k++) {
			alive = rsp_client_tick(c);
			drain(sv[1]);
		}
		if (alive && rsp_client_waiting(c) && write(sv[1], "\x03", 1) == 1) {
			alive = rsp_client_readable(c);
			drain(sv[1]);
		}
	}
	rsp_client_free(c); /* closes sv[0] */
	close(sv[1]);
	b->s.console[0] = 0;
	return 0;
}
