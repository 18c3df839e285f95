/* swdflash: flash, verify, erase and reset a target through a gdb server.
 *   swdflash [--server HOST:PORT] [--target NAME] [--probe P] COMMAND ...
 * Speaks standard RSP (vFlash*, qCRC, qRcmd, qXfer:memory-map), so any gdb
 * server with a memory map works; without --server it runs a private
 * swdbridge next to this binary. The only process-wide state is the signal
 * flag below (style rule: main.c). */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "client/lib/deploy.h"
#include "client/lib/report.h"
#include "client/lib/rsp_conn.h"
#include "client/lib/rtt_follow.h"
#include "client/lib/spawn.h"
#include "sw_version.h"

/* Exit codes (also in usage() and docs/swdflash.md). */
enum {
	EXIT_OK = 0,
	EXIT_USAGE = 1,
	EXIT_INPUT = 2,   /* the image file: unreadable, not ELF/HEX, not ARM, truncated, outside the map */
	EXIT_SERVER = 3,  /* cannot start or reach the server, protocol error, missing feature */
	EXIT_FLASH = 4,   /* erase, program or memory write failed (e.g. target reset meanwhile) */
	EXIT_VERIFY = 5,  /* the target's content differs from the image */
	EXIT_TARGET = 6,  /* a target command (reset, monitor) failed */
};

#define RTT_BASE_PORT 19021 /* ARCHITECTURE.md §6: RTT channel N on 19021 + N */
#define RTT_FOLLOW_MS 30000 /* deploy --rtt: how long a control block may take to appear */

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

struct opts {
	const char *server, *target, *probe;
	const char *speed, *log, *ftdi_layout; /* passed to a private server */
	bool json, no_reset, all, have_base, rtt;
	bool connect_under_reset; /* passed to a private server */
	uint32_t base;
	unsigned channel, rtt_port;
	int timeout_ms, verbose;
	const char *pos[8]; /* command and its arguments */
	int npos;
};

struct ui {
	const struct opts *o;
	const char *command, *file;
	bool tty, bar;
	double t0, last_draw, t_program;
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: swdflash [--server HOST:PORT] [--target NAME] [--probe P] [--json] [-v] COMMAND\n"
		"  deploy FILE [--base ADDR] [--no-reset]   flash sectors that differ, write RAM, verify by CRC,\n"
		"         [--rtt [--channel N]]             reset and run (ELF, Intel HEX, or .bin with --base);\n"
		"                                           --rtt: then print RTT channel N until Ctrl-C\n"
		"  verify FILE [--base ADDR]                compare the target with the image by CRC\n"
		"  erase --all | erase ADDR LEN             erase all flash, or the sectors covering a range\n"
		"  reset [halt|run]                         system reset; run (default) or stay halted\n"
		"  info                                     server features and the target's memory map\n"
		"  monitor CMD...                           pass a monitor command, print its output\n"
		"  rtt [--channel N] [--rtt-port P]         print RTT channel N (TCP port 19021+N, or P+N, on the\n"
		"                                           server's host) until it closes or Ctrl-C\n"
		"options:\n"
		"  --server HOST:PORT  a running gdb server; without it a private swdbridge is started\n"
		"                      (next to this binary, on an ephemeral loopback port)\n"
		"  --probe P           for the private server: sim, jlink[:SERIAL|:tcp:HOST], ftdi[:VID:PID[:SERIAL]];\n"
		"                      default: the one real probe connected (never the simulator)\n"
		"  --target NAME       for the private server (e.g. stm32h743)\n"
		"  --speed KHZ|auto    --log FILE    --connect-under-reset    --ftdi-layout L\n"
		"                      passed to the private server\n"
		"                      (SWDBRIDGE_PROBE, SWDBRIDGE_TARGET, SWDBRIDGE_SPEED: defaults for it)\n"
		"  --json              only JSON on stdout, one object per line, for every command (start, erase,\n"
		"                      write, program, verify, reset, done, info, monitor, rtt / error)\n"
		"  --timeout SEC       longest wait for one server reply (default 120)\n"
		"  --version           print the version and exit\n"
		"exit codes: 0 ok, 1 usage, 2 bad input file, 3 connection/server, 4 flash programming failed,\n"
		"            5 verify mismatch, 6 target command failed\n");
}

static int parse_u32(const char *s, uint32_t *v)
{
	char *end;
	unsigned long long x;

	errno = 0;
	x = strtoull(s, &end, 0);
	if (!*s || *end || errno || x > 0xFFFFFFFFull)
		return -1;
	*v = (uint32_t)x;
	return 0;
}

/* Options may come before or after the command. */
static int parse_opt(struct opts *o, int argc, char **argv, int *i)
{
	const char *a = argv[*i], *val = *i + 1 < argc ? argv[*i + 1] : NULL;
	uint32_t n;

	if (!strcmp(a, "--json") || !strcmp(a, "--no-reset") || !strcmp(a, "--all") || !strcmp(a, "-v") ||
	    !strcmp(a, "--rtt") || !strcmp(a, "--connect-under-reset")) {
		o->json |= !strcmp(a, "--json");
		o->connect_under_reset |= !strcmp(a, "--connect-under-reset");
		o->rtt |= !strcmp(a, "--rtt");
		o->no_reset |= !strcmp(a, "--no-reset");
		o->all |= !strcmp(a, "--all");
		o->verbose += !strcmp(a, "-v");
		return 0;
	}
	if (!val) {
		fprintf(stderr, "swdflash: %s needs a value (see --help)\n", a);
		return -1;
	}
	(*i)++;
	if (!strcmp(a, "--server"))
		o->server = val;
	else if (!strcmp(a, "--target"))
		o->target = val;
	else if (!strcmp(a, "--probe"))
		o->probe = val;
	else if (!strcmp(a, "--speed"))
		o->speed = val;
	else if (!strcmp(a, "--log"))
		o->log = val;
	else if (!strcmp(a, "--ftdi-layout"))
		o->ftdi_layout = val;
	else if (!strcmp(a, "--base") && !parse_u32(val, &o->base))
		o->have_base = true;
	else if (!strcmp(a, "--channel") && !parse_u32(val, &n) && n < 16)
		o->channel = n;
	else if (!strcmp(a, "--rtt-port") && !parse_u32(val, &n) && n > 0 && n < 65536)
		o->rtt_port = n;
	else if (!strcmp(a, "--timeout") && !parse_u32(val, &n) && n > 0 && n < 86400)
		o->timeout_ms = (int)n * 1000;
	else {
		fprintf(stderr, "swdflash: bad option %s %s (see --help)\n", a, val);
		return -1;
	}
	return 0;
}

static int parse(int argc, char **argv, struct opts *o)
{
	*o = (struct opts){.timeout_ms = 120000};
	for (int i = 1; i < argc; i++) {
		/* After "monitor", everything is the monitor command. */
		bool rest = o->npos && !strcmp(o->pos[0], "monitor");
		if (!rest && (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))) {
			usage(stdout);
			exit(EXIT_OK);
		}
		if (!rest && !strcmp(argv[i], "--version")) {
			printf("swdflash " SW_VERSION " (" SW_GIT ")\n");
			exit(EXIT_OK);
		}
		if (!rest && argv[i][0] == '-' && argv[i][1]) {
			if (parse_opt(o, argc, argv, &i))
				return -1;
		} else if (o->npos < 8) {
			o->pos[o->npos++] = argv[i];
		} else {
			fprintf(stderr, "swdflash: too many arguments\n");
			return -1;
		}
	}
	if (!o->npos) {
		usage(stderr);
		return -1;
	}
	if (o->server && (o->speed || o->log || o->ftdi_layout || o->connect_under_reset)) {
		fprintf(stderr, "swdflash: --speed, --log, --ftdi-layout and --connect-under-reset are for the private "
				"server; with --server give them to that server (or use monitor speed)\n");
		return -1;
	}
	return 0;
}

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void on_event(void *user, const struct sw_event *ev)
{
	struct ui *u = user;
	char line[1024];
	double t = now_s();

	if (u->o->json) {
		sw_ev_json(ev, u->command, u->file, t - u->t0, line, sizeof(line));
		printf("%s\n", line);
		fflush(stdout);
		return;
	}
	if (ev->kind == SW_EV_ERASE && ev->sectors + ev->skipped)
		fprintf(stderr, "swdflash: %u flash sectors to write, %u unchanged\n", ev->sectors, ev->skipped);
	if (ev->kind == SW_EV_WRITE && u->tty && (t - u->last_draw > 0.1 || ev->done == ev->total)) {
		sw_progress_line(ev->done, ev->total, t - u->t0, line, sizeof(line));
		fprintf(stderr, "\r%s", line);
		u->bar = true;
		u->last_draw = t;
	}
	if (ev->kind == SW_EV_PROGRAM && !ev->done) {
		fprintf(stderr, "%sswdflash: the server is programming the flash...\n", u->bar ? "\n" : "");
		u->bar = false;
		u->t_program = t;
	}
	if (ev->kind == SW_EV_PROGRAM && ev->done)
		fprintf(stderr, "swdflash: flash programmed in %.2f s\n", t - u->t_program);
	if (ev->kind == SW_EV_VERIFY && !ev->ok)
		fprintf(stderr, "%sswdflash: 0x%08x..0x%08x differs (CRC %08x on the target, %08x in the image)\n",
			u->bar ? "\n" : "", ev->addr, ev->addr + ev->len - 1, ev->crc_target, ev->crc_image);
}

/* Report a failure once, in the chosen format; returns the exit code. */
static int fail(const struct opts *o, int code, const char *msg)
{
	char line[1024];

	if (o->json) {
		sw_json_error(code, msg, line, sizeof(line));
		printf("%s\n", line);
		fflush(stdout);
	} else {
		fprintf(stderr, "swdflash: %s\n", msg);
	}
	return code;
}

static int exit_for(int err)
{
	switch (err) {
	case SW_ERR_FLASH:
	case SW_ERR_MEM_FAULT:
	case SW_ERR_LOCKED:
		return EXIT_FLASH;
	case SW_ERR_FLASH_VERIFY:
		return EXIT_VERIFY;
	case SW_ERR_TARGET_STATE:
		return EXIT_TARGET;
	case SW_ERR_ARG:
		return EXIT_USAGE;
	default:
		return EXIT_SERVER;
	}
}

struct session {
	struct sw_ctx ctx;
	struct sw_spawn sp;
	struct sw_rsp *c;
	char host[256];
	unsigned port;
};

/* swdbridge next to this binary (or $SWDBRIDGE). */
static void server_path(char *out, size_t cap)
{
	char self[PATH_MAX];
	ssize_t n;
	const char *env = getenv("SWDBRIDGE");

	if (env && *env) {
		snprintf(out, cap, "%s", env);
		return;
	}
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	self[n > 0 ? n : 0] = 0;
	char *slash = strrchr(self, '/');
	if (slash)
		slash[1] = 0;
	snprintf(out, cap, "%sswdbridge", slash ? self : "./");
}

static int start_private(struct session *s, const struct opts *o)
{
	char exe[PATH_MAX + 16];
	char *argv[28], rtt_port[16];
	const char *env_target = getenv("SWDBRIDGE_TARGET");
	int n = 0, r;

	if (!o->target && !(env_target && *env_target))
		return sw_fail(&s->ctx, SW_ERR_ARG,
			       "without --server, --target NAME (or SWDBRIDGE_TARGET) is needed (e.g. stm32h743)");
	server_path(exe, sizeof(exe));
	argv[n++] = exe;
	/* The user's --probe only: without one the server picks the one real
	 * probe connected (or SWDBRIDGE_PROBE), never the simulator. */
	const char *const pass[][2] = {
		{"--probe", o->probe}, {"--target", o->target}, {"--speed", o->speed}, {"--log", o->log},
		{"--ftdi-layout", o->ftdi_layout}};
	for (size_t i = 0; i < sizeof(pass) / sizeof(pass[0]); i++)
		if (pass[i][1]) {
			argv[n++] = (char *)(uintptr_t)pass[i][0];
			argv[n++] = (char *)(uintptr_t)pass[i][1];
		}
	if (o->connect_under_reset)
		argv[n++] = (char *)(uintptr_t)"--connect-under-reset";
	argv[n++] = (char *)(uintptr_t)"--port";
	argv[n++] = (char *)(uintptr_t)"0";
	argv[n++] = (char *)(uintptr_t)"--listen";
	argv[n++] = (char *)(uintptr_t)"127.0.0.1";
	if (o->rtt_port) {
		snprintf(rtt_port, sizeof(rtt_port), "%u", o->rtt_port);
		argv[n++] = (char *)(uintptr_t)"--rtt-port";
		argv[n++] = rtt_port;
	}
	argv[n] = NULL;
	snprintf(s->host, sizeof(s->host), "127.0.0.1");
	r = sw_spawn_server(&s->ctx, exe, argv, 30000, &s->sp);
	s->port = s->sp.port;
	/* Say which probe it chose, and loudly when that is the simulator. */
	if (!r && s->sp.probe_line[0])
		fprintf(stderr, "swdflash: private server: %s\n", s->sp.probe_line);
	return r;
}

/* Reach the server (starting a private one if needed); connect to its GDB
 * port unless !rsp (rtt leaves the single gdb slot free for a debugger). */
static int open_session(struct session *s, const struct opts *o, bool rsp)
{
	int r;

	memset(s, 0, sizeof(*s));
	s->sp.out_fd = -1;
	sw_ctx_init(&s->ctx);
	s->ctx.level = o->verbose >= 2 ? SW_LOG_DBG : SW_LOG_NONE;
	if (o->server) {
		const char *colon = strrchr(o->server, ':');
		uint32_t port;
		if (!colon || colon == o->server || parse_u32(colon + 1, &port) || !port || port > 65535)
			return sw_fail(&s->ctx, SW_ERR_ARG, "--server %s: expected HOST:PORT", o->server);
		snprintf(s->host, sizeof(s->host), "%.*s", (int)(colon - o->server), o->server);
		s->port = port;
	} else if ((r = start_private(s, o))) {
		return r;
	}
	return rsp ? sw_rsp_connect(&s->ctx, s->host, s->port, o->timeout_ms, &s->c) : SW_OK;
}

static void close_session(struct session *s)
{
	sw_rsp_close(s->c);
	s->c = NULL;
	sw_spawn_stop(&s->sp);
}

static int read_map(struct session *s, struct sw_memmap *mm)
{
	char *xml;
	int r;

	if ((r = sw_rsp_xfer_read(s->c, "memory-map", "", &xml, NULL)))
		return sw_fail(&s->ctx, r, "the server has no memory map (%s)", sw_errmsg(&s->ctx));
	r = sw_memmap_parse(&s->ctx, xml, mm);
	free(xml);
	return r;
}

/* deploy and verify: the file is read and checked before anything is touched. */
static int cmd_rtt(const struct opts *o, struct session *s);

static int cmd_image(const struct opts *o, bool deploy)
{
	struct ui u = {.o = o, .command = o->pos[0], .file = o->pos[1], .tty = isatty(STDERR_FILENO), .t0 = now_s()};
	struct sw_job_opts jo = {.reset = !o->no_reset, .ev = on_event, .user = &u};
	struct sw_job_result res;
	struct sw_image img;
	struct sw_memmap mm;
	struct session s;
	int r, code = EXIT_OK;

	if (o->npos != 2)
		return fail(o, EXIT_USAGE, deploy ? "usage: deploy FILE [--base ADDR] [--no-reset]"
						  : "usage: verify FILE [--base ADDR]");
	sw_ctx_init(&s.ctx);
	s.ctx.level = SW_LOG_NONE;
	if ((r = sw_image_load(&s.ctx, o->pos[1], SW_IMG_AUTO, o->have_base, o->base, &img)))
		return fail(o, r == SW_ERR_NOMEM ? EXIT_SERVER : EXIT_INPUT, sw_errmsg(&s.ctx));
	if ((r = open_session(&s, o, true)))
		code = fail(o, r == SW_ERR_ARG ? EXIT_USAGE : EXIT_SERVER, sw_errmsg(&s.ctx));
	else if ((r = read_map(&s, &mm)))
		code = fail(o, EXIT_SERVER, sw_errmsg(&s.ctx));
	else if ((r = sw_image_check(&s.ctx, &img, &mm, o->pos[1])))
		code = fail(o, EXIT_INPUT, sw_errmsg(&s.ctx));
	else if ((r = deploy ? sw_deploy(s.c, &img, &mm, &jo, &res) : sw_verify(s.c, &img, &mm, &jo, &res)))
		code = fail(o, exit_for(r), sw_errmsg(&s.ctx));
	else if (!o->json && deploy)
		fprintf(stderr, "%sswdflash: %s: %llu bytes to flash, %llu to RAM; %u of %u flash sectors rewritten; "
				"verified%s (%.2f s)\n",
			u.bar ? "\n" : "", o->pos[1], (unsigned long long)res.bytes_flash,
			(unsigned long long)res.bytes_ram, res.sectors_erased, res.sectors_touched,
			o->no_reset ? "" : "; reset and running", now_s() - u.t0);
	else if (!o->json)
		fprintf(stderr, "swdflash: %s: target matches the image (%zu runs)\n", o->pos[1], img.n);
	/* deploy --rtt: the firmware runs now; have the server find its RTT
	 * control block and stream the channel (the session keeps a private
	 * server alive). */
	if (code == EXIT_OK && deploy && o->rtt) {
		if ((r = sw_rtt_follow(s.c, &img, o->pos[1], RTT_FOLLOW_MS)))
			code = fail(o, r == SW_ERR_NOT_FOUND ? EXIT_TARGET : EXIT_SERVER, sw_errmsg(&s.ctx));
		else
			code = cmd_rtt(o, &s);
	}
	close_session(&s);
	sw_image_free(&img);
	return code;
}

static int cmd_erase(const struct opts *o, struct session *s)
{
	struct ui u = {.o = o, .command = "erase", .t0 = now_s()};
	struct sw_job_opts jo = {.ev = on_event, .user = &u};
	struct sw_job_result res;
	struct sw_memmap mm;
	uint32_t addr = 0, len = 0;
	int r;

	if (o->all ? o->npos != 1
		   : (o->npos != 3 || parse_u32(o->pos[1], &addr) || parse_u32(o->pos[2], &len) || !len))
		return fail(o, EXIT_USAGE, "usage: erase --all | erase ADDR LEN");
	if ((r = read_map(s, &mm)))
		return fail(o, EXIT_SERVER, sw_errmsg(&s->ctx));
	if ((r = sw_erase(s->c, &mm, addr, len, &jo, &res)))
		return fail(o, exit_for(r), sw_errmsg(&s->ctx));
	if (!o->json)
		fprintf(stderr, "swdflash: erased %u sectors\n", res.sectors_erased);
	return EXIT_OK;
}

/* Console text of a monitor command: printed as it comes, or (--json)
 * collected for one JSON object. */
struct console {
	bool json;
	char *text;
	size_t len;
};

static void on_console(void *user, const char *text)
{
	struct console *c = user;
	size_t n = strlen(text);
	char *t;

	/* Keep-alive lines (a long monitor command) are progress: on stderr,
	 * never in the command's output or its JSON. */
	if (sw_rsp_is_keepalive(text)) {
		if (!c->json)
			fputs(text, stderr);
		return;
	}
	if (!c->json) {
		fputs(text, stdout);
		return;
	}
	if (!(t = realloc(c->text, c->len + n + 1)))
		return;
	memcpy(t + c->len, text, n + 1);
	c->text = t;
	c->len += n;
}

/* {"event":EVENT,"command":CMD,"output":TEXT} on stdout. */
static void json_text_event(const char *event, const char *cmd, const char *text)
{
	size_t cap = 6 * strlen(text) + 6 * strlen(cmd) + 64;
	char *t = malloc(cap), *c = t ? t + 6 * strlen(text) + 1 : NULL;

	if (!t)
		return;
	sw_json_escape(text, t, 6 * strlen(text) + 1);
	sw_json_escape(cmd, c, 6 * strlen(cmd) + 1);
	printf("{\"event\":\"%s\",\"command\":\"%s\",\"output\":\"%s\"}\n", event, c, t);
	fflush(stdout);
	free(t);
}

static void info_json(struct session *s, const struct sw_memmap *mm)
{
	char feat[2048];

	sw_json_escape(sw_rsp_features(s->c), feat, sizeof(feat));
	printf("{\"event\":\"info\",\"server\":\"%s:%u\",\"features\":\"%s\",\"noack\":%s,"
	       "\"packet_size\":%zu,\"memory_map\":[",
	       s->host, s->port, feat, sw_rsp_noack(s->c) ? "true" : "false", sw_rsp_packet_size(s->c));
	for (size_t i = 0; i < mm->n; i++)
		printf("%s{\"kind\":\"%s\",\"start\":%u,\"length\":%llu,\"blocksize\":%u}", i ? "," : "",
		       sw_mm_kind_name(mm->r[i].kind), mm->r[i].start, (unsigned long long)mm->r[i].length,
		       mm->r[i].blocksize);
	printf("]}\n");
	fflush(stdout);
}

static int cmd_info(const struct opts *o, struct session *s)
{
	struct sw_memmap mm;
	int r;

	if ((r = read_map(s, &mm)))
		return fail(o, EXIT_SERVER, sw_errmsg(&s->ctx));
	if (o->json) {
		info_json(s, &mm);
		return EXIT_OK;
	}
	printf("server %s:%u\nfeatures: %s\nno-ack mode: %s, packet size: %zu\n", s->host, s->port,
	       sw_rsp_features(s->c), sw_rsp_noack(s->c) ? "yes" : "no", sw_rsp_packet_size(s->c));
	printf("memory map:\n");
	for (size_t i = 0; i < mm.n; i++) {
		printf("  %-5s 0x%08x..0x%08llx  %8llu KiB", sw_mm_kind_name(mm.r[i].kind), mm.r[i].start,
		       (unsigned long long)(mm.r[i].start + mm.r[i].length - 1),
		       (unsigned long long)(mm.r[i].length / 1024));
		if (mm.r[i].blocksize)
			printf("  %llu sectors of %u KiB", (unsigned long long)(mm.r[i].length / mm.r[i].blocksize),
			       mm.r[i].blocksize / 1024);
		printf("\n");
	}
	return EXIT_OK;
}

/* monitor CMD, and reset (as "reset halt|run"). */
static int cmd_monitor(const struct opts *o, struct session *s, const char *cmd)
{
	struct console con = {.json = o->json};
	int r;

	sw_rsp_set_output(s->c, on_console, &con);
	r = sw_rsp_monitor(s->c, cmd);
	sw_rsp_set_output(s->c, NULL, NULL);
	if (o->json)
		json_text_event("monitor", cmd, con.text ? con.text : "");
	free(con.text);
	fflush(stdout);
	if (r)
		return fail(o, r == SW_ERR_TARGET_STATE ? EXIT_TARGET : EXIT_SERVER, sw_errmsg(&s->ctx));
	return EXIT_OK;
}

/* RTT bytes to stdout: raw, or (--json) {"event":"rtt","channel":N,"data":...}. */
static void rtt_out(const struct opts *o, const uint8_t *buf, size_t n)
{
	char esc[6 * 4096 + 1];

	if (!o->json) {
		fwrite(buf, 1, n, stdout);
	} else {
		sw_json_escape_bytes(buf, n, esc, sizeof(esc));
		printf("{\"event\":\"rtt\",\"channel\":%u,\"data\":\"%s\"}\n", o->channel, esc);
	}
	fflush(stdout);
}

/* RTT: the server serves channel N on TCP port 19021+N; copy it to stdout. */
static int cmd_rtt(const struct opts *o, struct session *s)
{
	struct sigaction sa = {.sa_handler = on_signal};
	char buf[4096];
	int fd = -1;

	/* The server opens a channel's port once it has found the control
	 * block (right after a deploy, the firmware may still be starting). */
	for (int tries = 0; sw_tcp_open(&s->ctx, s->host, (o->rtt_port ? o->rtt_port : RTT_BASE_PORT) + o->channel,
					&fd);
	     tries++) {
		if (tries >= 50)
			return fail(o, EXIT_SERVER, sw_errmsg(&s->ctx));
		usleep(100 * 1000);
	}
	/* Ctrl-C ends the stream cleanly (and stops a private server). */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	while (!stop_requested) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		if (poll(&p, 1, 200) <= 0)
			continue;
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n <= 0)
			break;
		rtt_out(o, (const uint8_t *)buf, (size_t)n);
	}
	close(fd);
	return EXIT_OK;
}

static int run_command(const struct opts *o)
{
	const char *cmd = o->pos[0];
	char text[512] = "";
	struct session s;
	int code;

	if (!strcmp(cmd, "deploy") || !strcmp(cmd, "verify"))
		return cmd_image(o, !strcmp(cmd, "deploy"));
	if (strcmp(cmd, "erase") && strcmp(cmd, "reset") && strcmp(cmd, "info") && strcmp(cmd, "monitor") &&
	    strcmp(cmd, "rtt")) {
		fprintf(stderr, "swdflash: unknown command '%s'\n", cmd);
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(cmd, "reset") && (o->npos > 2 || (o->npos == 2 && strcmp(o->pos[1], "halt") &&
						     strcmp(o->pos[1], "run"))))
		return fail(o, EXIT_USAGE, "usage: reset [halt|run]");
	for (int i = 1; i < o->npos; i++)
		snprintf(text + strlen(text), sizeof(text) - strlen(text), "%s%s", i > 1 ? " " : "", o->pos[i]);
	if (!strcmp(cmd, "monitor") && !text[0])
		return fail(o, EXIT_USAGE, "usage: monitor CMD...");
	if (open_session(&s, o, strcmp(cmd, "rtt") != 0)) {
		code = fail(o, EXIT_SERVER, sw_errmsg(&s.ctx));
		close_session(&s);
		return code;
	}
	if (!strcmp(cmd, "erase"))
		code = cmd_erase(o, &s);
	else if (!strcmp(cmd, "info"))
		code = cmd_info(o, &s);
	else if (!strcmp(cmd, "rtt"))
		code = cmd_rtt(o, &s);
	else if (!strcmp(cmd, "reset"))
		code = cmd_monitor(o, &s, o->npos == 2 && !strcmp(o->pos[1], "halt") ? "reset halt" : "reset run");
	else
		code = cmd_monitor(o, &s, text);
	close_session(&s);
	return code;
}

int main(int argc, char **argv)
{
	struct opts o;

	if (parse(argc, argv, &o))
		return EXIT_USAGE;
	signal(SIGPIPE, SIG_IGN);
	return run_command(&o);
}
