/* Semihosting calls carried out (semihost.h). Parameter blocks, results
 * and the exit rules follow "Semihosting for AArch32 and AArch64" v2.0,
 * "Semihosting operations"; the F requests and their replies the gdb
 * manual, "File-I/O Remote Protocol Extension" (numbers in hex, paths as
 * pointer/length including the NUL, struct stat fields big-endian). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "server/semihost.h"
#include "server/session.h"
#include "server/swo/swo_net.h"

#define EIO_ 5            /* errno for what cannot be done here (EIO) */
#define ENOSYS_ 88        /* newlib's ENOSYS: an operation we do not offer */
#define CONSOLE_CHUNK 256u
#define STAT_SIZE_OFF 28u /* gdb's struct stat: st_size (8 bytes, big-endian) */
#define SCRATCH_BELOW 128u /* FLEN/READC answers go below the caller's SP */
/* gdb File-I/O open flags and mode (gdb manual "Open Flags", "mode_t Values"). */
#define GDB_O_WRONLY 0x1u
#define GDB_O_RDWR 0x2u
#define GDB_O_APPEND 0x8u
#define GDB_O_CREAT 0x200u
#define GDB_O_TRUNC 0x400u
#define GDB_MODE_0644 0x1A4u

static int done(struct sw_session *s, uint32_t r0, struct sw_semihost_step *out)
{
	out->action = SW_SH_RESUME;
	s->sh.pending = false;
	return sw_core_semihost_return(s->core, &s->sh.call, r0);
}

static int fail(struct sw_session *s, uint32_t err, struct sw_semihost_step *out)
{
	s->sh.err = err;
	return done(s, 0xFFFFFFFFu, out);
}

static int fileio(struct sw_session *s, struct sw_semihost_step *out, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int fileio(struct sw_session *s, struct sw_semihost_step *out, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(out->fileio, sizeof(out->fileio), fmt, ap);
	va_end(ap);
	out->action = SW_SH_FILEIO;
	s->sh.pending = true;
	return SW_OK;
}

/* Program output: the gdb console (O packets), the server's terminal and
 * the text port (J-Link's -telnetport, "terminal I/O"). */
static void console(struct sw_session *s, const char *text, size_t len)
{
	sw_session_write(s, text, len);
	if (s->swo)
		sw_swo_net_terminal(s->swo, text, len);
	fwrite(text, 1, len, stdout);
	fflush(stdout);
}

static int write_console(struct sw_session *s, uint32_t addr, uint32_t len)
{
	char buf[CONSOLE_CHUNK];
	int r;

	while (len) {
		uint32_t n = len < sizeof(buf) ? len : (uint32_t)sizeof(buf);
		if ((r = sw_core_mem_read(s->core, addr, buf, n)))
			return r;
		console(s, buf, n);
		addr += n;
		len -= n;
	}
	return SW_OK;
}

/* SYS_WRITE0: a NUL-terminated string, read a chunk at a time. */
static int write0(struct sw_session *s, uint32_t addr)
{
	char buf[64];
	int r;

	for (unsigned total = 0; total < 65536; total += sizeof(buf)) {
		size_t n;
		if ((r = sw_core_mem_read(s->core, addr + total, buf, sizeof(buf))))
			return r;
		n = strnlen(buf, sizeof(buf));
		console(s, buf, n);
		if (n < sizeof(buf))
			return SW_OK;
	}
	return SW_OK;
}

/* SYS_OPEN modes 0-11 = fopen's r rb r+ r+b w wb w+ w+b a ab a+ a+b. */
static uint32_t open_flags(uint32_t mode)
{
	static const uint32_t f[3][2] = {
		{0, GDB_O_RDWR},
		{GDB_O_WRONLY | GDB_O_CREAT | GDB_O_TRUNC, GDB_O_RDWR | GDB_O_CREAT | GDB_O_TRUNC},
		{GDB_O_WRONLY | GDB_O_CREAT | GDB_O_APPEND, GDB_O_RDWR | GDB_O_CREAT | GDB_O_APPEND},
	};

	return f[(mode / 4) % 3][(mode / 2) & 1];
}

static int op_open(struct sw_session *s, const uint32_t *w, bool fio, struct sw_semihost_step *out)
{
	char name[4] = "";
	int r;

	if (w[1] > 11)
		return fail(s, 22, out); /* EINVAL */
	/* ":tt" is the console: stdin for read modes, stdout for write, stderr for append. */
	if (w[2] == 3) {
		if ((r = sw_core_mem_read(s->core, w[0], name, 3)))
			return r;
		if (!memcmp(name, ":tt", 3))
			return done(s, w[1] < 4 ? 0 : w[1] < 8 ? 1 : 2, out);
	}
	if (!fio)
		return fail(s, EIO_, out);
	return fileio(s, out, "Fopen,%x/%x,%x,%x", w[0], w[2] + 1, open_flags(w[1]), GDB_MODE_0644);
}

static int op_rw(struct sw_session *s, const struct sw_semihost_call *c, const uint32_t *w, bool fio,
		 struct sw_semihost_step *out)
{
	bool wr = c->op == SW_SYS_WRITE;
	int r;

	s->sh.len = w[2];
	if (wr && (w[0] == 1 || w[0] == 2)) {
		if ((r = write_console(s, w[1], w[2])))
			return r;
		return done(s, 0, out);
	}
	if (!fio) {
		s->sh.err = EIO_;
		return done(s, w[2], out); /* nothing transferred */
	}
	return fileio(s, out, "F%s,%x,%x,%x", wr ? "write" : "read", w[0], w[1], w[2]);
}

static uint32_t scratch(const struct sw_semihost_call *c)
{
	return (c->sp - SCRATCH_BELOW) & ~7u;
}

/* Calls on a file handle (first word of the block). */
static int op_handle(struct sw_session *s, const struct sw_semihost_call *c, const uint32_t *w, bool fio,
		     struct sw_semihost_step *out)
{
	bool tty = w[0] <= 2;

	switch (c->op) {
	case SW_SYS_CLOSE:
		return tty ? done(s, 0, out) : fio ? fileio(s, out, "Fclose,%x", w[0]) : fail(s, EIO_, out);
	case SW_SYS_ISTTY:
		return tty ? done(s, 1, out) : fio ? fileio(s, out, "Fisatty,%x", w[0]) : fail(s, EIO_, out);
	case SW_SYS_SEEK:
		return tty ? done(s, 0, out) : fio ? fileio(s, out, "Flseek,%x,%x,0", w[0], w[1]) : fail(s, EIO_, out);
	case SW_SYS_FLEN:
		s->sh.scratch = scratch(c);
		return tty ? done(s, 0, out)
		       : fio ? fileio(s, out, "Ffstat,%x,%x", w[0], s->sh.scratch) : fail(s, EIO_, out);
	default:
		return fail(s, ENOSYS_, out);
	}
}

static int exit_call(struct sw_session *s, const struct sw_semihost_call *c, struct sw_semihost_step *out)
{
	uint32_t w[2] = {c->param, 0};
	int r;

	/* AArch32 SYS_EXIT: r1 is the reason itself; EXIT_EXTENDED: a block
	 * of reason and subcode (the exit status). */
	if (c->op == SW_SYS_EXIT_EXTENDED && (r = sw_core_semihost_args(s->core, c, w, 2)))
		return r;
	out->action = SW_SH_EXIT;
	out->exit_status = w[0] != SW_SEMIHOST_APP_EXIT ? 1 : c->op == SW_SYS_EXIT_EXTENDED ? (int)(w[1] & 0xFFu) : 0;
	s->sh.pending = false;
	return SW_OK;
}

int sw_semihost_start(struct sw_session *s, const struct sw_semihost_call *c, bool fio, struct sw_semihost_step *out)
{
	static const uint8_t nwords[0x32] = {
		[SW_SYS_OPEN] = 3, [SW_SYS_CLOSE] = 1, [SW_SYS_WRITE] = 3, [SW_SYS_READ] = 3, [SW_SYS_ISERROR] = 1,
		[SW_SYS_ISTTY] = 1, [SW_SYS_SEEK] = 2, [SW_SYS_FLEN] = 1, [SW_SYS_REMOVE] = 2, [SW_SYS_RENAME] = 4,
		[SW_SYS_SYSTEM] = 2, [SW_SYS_GET_CMDLINE] = 2, [SW_SYS_HEAPINFO] = 1, [SW_SYS_ELAPSED] = 0,
	};
	uint32_t w[4] = {0}, zero[4] = {0};
	uint64_t now = sw_session_now_ns(s);
	int r;

	memset(out, 0, sizeof(*out));
	s->sh.call = *c;
	if (!s->sh.start_ns)
		s->sh.start_ns = now ? now : 1;
	if (c->op < sizeof(nwords) && nwords[c->op] && (r = sw_core_semihost_args(s->core, c, w, nwords[c->op])))
		return r;
	switch (c->op) {
	case SW_SYS_WRITEC: {
		char ch;
		if ((r = sw_core_mem_read(s->core, c->param, &ch, 1)))
			return r;
		console(s, &ch, 1);
		return done(s, 0, out);
	}
	case SW_SYS_WRITE0:
		return (r = write0(s, c->param)) ? r : done(s, 0, out);
	case SW_SYS_OPEN:
		return op_open(s, w, fio, out);
	case SW_SYS_WRITE:
	case SW_SYS_READ:
		return op_rw(s, c, w, fio, out);
	case SW_SYS_READC:
		s->sh.scratch = scratch(c);
		return fio ? fileio(s, out, "Fread,0,%x,1", s->sh.scratch) : fail(s, EIO_, out);
	case SW_SYS_CLOSE:
	case SW_SYS_ISTTY:
	case SW_SYS_SEEK:
	case SW_SYS_FLEN:
		return op_handle(s, c, w, fio, out);
	case SW_SYS_ISERROR:
		return done(s, (int32_t)w[0] < 0, out);
	case SW_SYS_REMOVE:
		return fio ? fileio(s, out, "Funlink,%x/%x", w[0], w[1] + 1) : fail(s, EIO_, out);
	case SW_SYS_RENAME:
		return fio ? fileio(s, out, "Frename,%x/%x,%x/%x", w[0], w[1] + 1, w[2], w[3] + 1) : fail(s, EIO_, out);
	case SW_SYS_SYSTEM:
		return fio ? fileio(s, out, "Fsystem,%x/%x", w[0], w[1] + 1) : fail(s, EIO_, out);
	case SW_SYS_CLOCK: /* centiseconds since the program's first call */
		return done(s, (uint32_t)((now - s->sh.start_ns) / 10000000ull), out);
	case SW_SYS_TIME:
		return done(s, (uint32_t)time(NULL), out);
	case SW_SYS_ERRNO:
		return done(s, s->sh.err, out);
	case SW_SYS_GET_CMDLINE: /* an empty command line */
		if (w[1] < 1 || (r = sw_core_mem_write(s->core, w[0], zero, 1)) ||
		    (r = sw_core_mem_write(s->core, c->param + 4, zero, 4)))
			return r ? r : fail(s, 22, out);
		return done(s, 0, out);
	case SW_SYS_HEAPINFO: /* zeros: "not known", the C library uses its own */
		return (r = sw_core_mem_write(s->core, w[0], zero, 16)) ? r : done(s, 0, out);
	case SW_SYS_ELAPSED: { /* microsecond ticks, 64 bits */
		uint64_t t = (now - s->sh.start_ns) / 1000u;
		uint32_t v[2] = {(uint32_t)t, (uint32_t)(t >> 32)};
		return (r = sw_core_mem_write(s->core, c->param, v, 8)) ? r : done(s, 0, out);
	}
	case SW_SYS_TICKFREQ:
		return done(s, 1000000u, out);
	case SW_SYS_EXIT:
	case SW_SYS_EXIT_EXTENDED:
		return exit_call(s, c, out);
	default:
		sw_session_say(s, "semihosting: operation 0x%02x is not supported", c->op);
		return fail(s, ENOSYS_, out);
	}
}

int sw_semihost_fileio_reply(struct sw_session *s, const char *reply, bool *ctrl_c, struct sw_semihost_step *out)
{
	const struct sw_semihost_call *c = &s->sh.call;
	bool neg = *reply == '-';
	char *end;
	long ret = (long)strtoul(reply + neg, &end, 16);
	uint8_t b[8];
	int r;

	memset(out, 0, sizeof(*out));
	*ctrl_c = false;
	if (neg)
		ret = -ret;
	if (*end == ',') {
		unsigned long e = strtoul(end + 1, &end, 16);
		if (ret < 0)
			s->sh.err = (uint32_t)e;
		*ctrl_c = *end == ',' && end[1] == 'C';
	}
	switch (c->op) {
	case SW_SYS_READ:
	case SW_SYS_WRITE: /* the bytes NOT transferred */
		return done(s, ret < 0 || (uint32_t)ret > s->sh.len ? s->sh.len : s->sh.len - (uint32_t)ret, out);
	case SW_SYS_READC:
		if (ret != 1)
			return done(s, 0xFFFFFFFFu, out);
		return (r = sw_core_mem_read(s->core, s->sh.scratch, b, 1)) ? r : done(s, b[0], out);
	case SW_SYS_SEEK:
		return done(s, ret < 0 ? 0xFFFFFFFFu : 0, out);
	case SW_SYS_FLEN:
		if (ret < 0)
			return done(s, 0xFFFFFFFFu, out);
		if ((r = sw_core_mem_read(s->core, s->sh.scratch + STAT_SIZE_OFF, b, 8)))
			return r;
		return done(s, (uint32_t)b[4] << 24 | (uint32_t)b[5] << 16 | (uint32_t)b[6] << 8 | b[7], out);
	default: /* OPEN (the handle), CLOSE, ISTTY, REMOVE, RENAME, SYSTEM */
		return done(s, (uint32_t)ret, out);
	}
}
