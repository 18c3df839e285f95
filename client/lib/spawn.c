/* Private server process for swdflash (ARCHITECTURE.md §1: "with none
 * given it starts a private server on an ephemeral loopback port"). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "client/lib/spawn.h"

static long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* "swdbridge: stm32h743 core cm7: gdb port 127.0.0.1:45831" */
static bool port_line(const char *line, unsigned *port)
{
	const char *p = strstr(line, "gdb port "), *colon;
	unsigned long v;
	char *end;

	if (!p || !(colon = strrchr(p, ':')))
		return false;
	v = strtoul(colon + 1, &end, 10);
	if (end == colon + 1 || v == 0 || v > 65535)
		return false;
	*port = (unsigned)v;
	return true;
}

static int child_exec(const char *exe, char *const argv[], int fds[2])
{
	/* Die with swdflash, whatever way it ends (Ctrl-C included). */
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	close(fds[0]);
	dup2(fds[1], STDOUT_FILENO);
	dup2(fds[1], STDERR_FILENO);
	close(fds[1]);
	execv(exe, argv);
	dprintf(STDERR_FILENO, "cannot run %s: %s\n", exe, strerror(errno));
	_exit(127);
}

/* Read its output line by line until the port line, an exit, or the deadline. */
static int wait_port(struct sw_ctx *ctx, const char *exe, int timeout_ms, struct sw_spawn *sp)
{
	char buf[4096], last[256] = "";
	size_t len = 0;
	long deadline = now_ms() + timeout_ms;

	for (;;) {
		struct pollfd p = {.fd = sp->out_fd, .events = POLLIN};
		long left = deadline - now_ms();
		if (left <= 0 || poll(&p, 1, (int)left) == 0)
			return sw_fail(ctx, SW_ERR_TIMEOUT, "%s did not report its port in time", exe);
		ssize_t n = read(sp->out_fd, buf + len, sizeof(buf) - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return sw_fail(ctx, SW_ERR_CLOSED, "private server exited: %s", last[0] ? last : exe);
		len += (size_t)n;
		buf[len] = 0;
		char *nl;
		while ((nl = strchr(buf, '\n'))) {
			*nl = 0;
			if (port_line(buf, &sp->port))
				return SW_OK;
			if (!strncmp(buf, "swdbridge: probe ", 17)) {
				snprintf(sp->probe_line, sizeof(sp->probe_line), "%.240s", buf + 11);
				sp->sim = !strncmp(buf + 17, "sim", 3);
			}
			if (buf[0]) /* its own one-line error, without the program name */
				snprintf(last, sizeof(last), "%.200s",
					 strncmp(buf, "swdbridge: ", 11) ? buf : buf + 11);
			len -= (size_t)(nl + 1 - buf);
			memmove(buf, nl + 1, len + 1);
		}
		if (len == sizeof(buf) - 1)
			len = 0; /* an absurdly long line: drop it */
	}
}

int sw_spawn_server(struct sw_ctx *ctx, const char *exe, char *const argv[], int timeout_ms, struct sw_spawn *sp)
{
	int fds[2], r;

	sp->pid = 0;
	sp->port = 0;
	sp->out_fd = -1;
	sp->probe_line[0] = 0;
	sp->sim = false;
	if (access(exe, X_OK))
		return sw_fail(ctx, SW_ERR_IO, "cannot run %s: %s (give --server HOST:PORT)", exe, strerror(errno));
	if (pipe2(fds, O_CLOEXEC))
		return sw_fail(ctx, SW_ERR_IO, "pipe: %s", strerror(errno));
	sp->pid = fork();
	if (sp->pid < 0) {
		close(fds[0]);
		close(fds[1]);
		sp->pid = 0;
		return sw_fail(ctx, SW_ERR_IO, "fork: %s", strerror(errno));
	}
	if (sp->pid == 0)
		child_exec(exe, argv, fds);
	close(fds[1]);
	sp->out_fd = fds[0];
	if ((r = wait_port(ctx, exe, timeout_ms, sp)))
		sw_spawn_stop(sp);
	return r;
}

void sw_spawn_stop(struct sw_spawn *sp)
{
	int status;

	if (sp->pid > 0) {
		kill(sp->pid, SIGTERM);
		for (int i = 0; i < 500; i++) {
			pid_t w = waitpid(sp->pid, &status, WNOHANG);
			if (w == sp->pid || (w < 0 && errno != EINTR))
				break;
			if (i == 499) {
				kill(sp->pid, SIGKILL);
				waitpid(sp->pid, &status, 0);
			}
			usleep(10000);
		}
		sp->pid = 0;
	}
	if (sp->out_fd >= 0)
		close(sp->out_fd);
	sp->out_fd = -1;
}
