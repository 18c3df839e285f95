/* RSP command dispatch (gdb manual "Packets", "General Query Packets",
 * "Stop Reply Packets"; reference/clients.md §2 for what gdb 13 sends). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "server/gdb/rsp_client_priv.h"
#include "server/gdb/rsp_keepalive.h"
#include "server/gdb/rsp_xml.h"
#include "sw/hex.h"

int rsp_client_new(struct sw_session *s, int fd, struct rsp_client **out)
{
	struct rsp_client *c = calloc(1, sizeof(*c));

	*out = NULL;
	if (!c)
		return sw_fail(s->ctx, SW_ERR_NOMEM, "gdb: out of memory");
	c->s = s;
	c->fd = fd;
	sw_outq_init(&c->out, fd, OUTQ_CAP, OUTQ_STALL_NS);
	rsp_parser_init(&c->parser);
	if (sw_flash_stage_new(s->ctx, s->desc, &c->flash)) {
		free(c);
		return SW_ERR_NOMEM;
	}
	if (sw_read_cache_new(s->desc, &c->rcache)) {
		sw_flash_stage_free(c->flash);
		free(c);
		return sw_fail(s->ctx, SW_ERR_NOMEM, "gdb: out of memory");
	}
	sw_flash_stage_no_loader(c->flash, s->no_loader);
	*out = c;
	return SW_OK;
}

void rsp_client_free(struct rsp_client *c)
{
	if (!c)
		return;
	close(c->fd);
	sw_outq_free(&c->out);
	sw_flash_stage_free(c->flash);
	sw_read_cache_free(c->rcache);
	free(c);
}

int rsp_client_fd(const struct rsp_client *c)
{
	return c->fd;
}

bool rsp_client_waiting(const struct rsp_client *c)
{
	return c->waiting;
}

/* Queue for gdb without blocking; a failed socket or an overfull queue
 * closes the connection (issue #15: a gdb that stops reading must not stop
 * the server). */
static bool write_all(struct rsp_client *c, const uint8_t *p, size_t n)
{
	if (!sw_outq_put(&c->out, p, n)) {
		c->closing = true;
		return false;
	}
	return true;
}

void rsp_send_bin(struct rsp_client *c, const void *data, size_t len)
{
	c->last_len = rsp_frame(data, len, c->last, sizeof(c->last));
	SW_LOG_WIRE(c->s->ctx, "gdb <- %.*s", (int)(len > 200 ? 200 : len), (const char *)data);
	write_all(c, c->last, c->last_len);
}

void rsp_send_str(struct rsp_client *c, const char *s)
{
	rsp_send_bin(c, s, strlen(s));
}

/* Non-stop notification: %Stop:<reply>#cs, never acknowledged (gdb manual
 * "Notification Packets"). */
void rsp_send_notification(struct rsp_client *c, const char *stop)
{
	uint8_t buf[512];
	char body[400];
	size_t n;

	snprintf(body, sizeof(body), "Stop:%s", stop);
	n = rsp_frame((const uint8_t *)body, strlen(body), buf, sizeof(buf));
	if (n) {
		buf[0] = '%';
		write_all(c, buf, n);
	}
}

void rsp_send_err(struct rsp_client *c, int code)
{
	char e[8];

	snprintf(e, sizeof(e), "E%02x", (unsigned)(code < 0 ? -code : code) & 0xFFu);
	rsp_send_str(c, e);
}

void rsp_send_err_reason(struct rsp_client *c, const char *fmt, ...)
{
	va_list ap;
	size_t n;

	c->reply[0] = 'E';
	c->reply[1] = '.';
	va_start(ap, fmt);
	vsnprintf(c->reply + 2, 240, fmt, ap);
	va_end(ap);
	/* Plain text in the packet: keep it to printable characters without
	 * the framing ones ('$', '#', '}', '*'). */
	for (char *p = c->reply + 2; *p; p++)
		if (*p < 0x20 || *p > 0x7E || *p == '$' || *p == '#' || *p == '}' || *p == '*')
			*p = ' ';
	n = strlen(c->reply);
	SW_LOG_W(c->s->ctx, "gdb: %s", c->reply + 2);
	rsp_send_bin(c, c->reply, n);
}

/* Console text as O packets (hex), split to stay under PacketSize. */
static void send_console(struct rsp_client *c, const char *text)
{
	size_t len = strlen(text);

	for (size_t off = 0; off < len; off += 1024) {
		size_t n = len - off < 1024 ? len - off : 1024;
		c->reply[0] = 'O';
		sw_hex_encode((const uint8_t *)text + off, n, c->reply + 1);
		rsp_send_bin(c, c->reply, 1 + 2 * n);
	}
}

void rsp_flush_console(struct rsp_client *c)
{
	if (c->s->console[0]) {
		send_console(c, c->s->console);
		c->s->console[0] = 0;
	}
}

/* "A,B" in hex, for what is not a target range (qXfer offset,length;
 * vCont;r start,end). Target ranges use rsp_parse_range(). */
int rsp_parse_hex_pair(const char *p, uint64_t *addr, uint64_t *len, const char **end)
{
	if (sw_hex_u64(p, &p, addr) || *p != ',' || sw_hex_u64(p + 1, &p, len))
		return -1;
	if (end)
		*end = p;
	return 0;
}

static bool in_ram(const struct sw_target_desc *d, uint32_t addr)
{
	for (size_t i = 0; i < d->n_regions; i++)
		if (addr - d->regions[i].base < d->regions[i].size)
			return d->regions[i].kind == SW_MEM_RAM;
	return false;
}

/* Z/z TYPE,ADDR,KIND. A failure's reason is in the reply itself (gdb 13
 * prints its own "Could not insert ..." text; newer ones and the log show
 * ours), never queued for a later stop. */
static void cmd_Z(struct rsp_client *c, const char *pkt, bool insert)
{
	uint32_t addr, kind;
	const char *end, *why;
	unsigned type = (unsigned)(pkt[1] - '0');
	int r;

	if (pkt[2] != ',' || (pkt[1] < '0' || pkt[1] > '9')) {
		rsp_send_err_reason(c, "%c: malformed", pkt[0]);
		return;
	}
	if (type > 4) {
		rsp_send_str(c, "");
		return;
	}
	if ((why = rsp_parse_range(pkt + 3, &addr, &kind, &end)) || (*end && *end != ';')) {
		rsp_send_err_reason(c, "%c%u: %s", pkt[0], type, why ? why : "malformed");
		return;
	}
	if (type >= 2) {
		r = insert ? sw_core_wp_set(c->s->core, addr, kind, type) : sw_core_wp_clear(c->s->core, addr, kind, type);
	} else {
		/* Z0 in RAM patches a BKPT; Z0 elsewhere (flash, XIP) and Z1 use the FPB. */
		enum sw_bp_kind k = (type == 0 && in_ram(c->s->desc, addr)) ? SW_BP_SOFT : SW_BP_HARD;
		r = insert ? sw_core_bp_set(c->s->core, addr, kind, k) : sw_core_bp_clear(c->s->core, addr, kind, k);
	}
	if (r)
		rsp_send_err_reason(c, "%s at 0x%08x not %s: %s", type >= 2 ? "watchpoint" : "breakpoint", addr,
				    insert ? "set" : "removed", sw_errmsg(c->s->ctx));
	else
		rsp_send_str(c, "OK");
}

static void cmd_xfer(struct rsp_client *c, const char *arg)
{
	size_t total;
	uint64_t off, len;
	const char *p;

	if (!strncmp(arg, "features:read:target.xml:", 25)) {
		p = arg + 25;
		total = rsp_target_xml(sw_core_get_info(c->s->core), c->xml, sizeof(c->xml));
	} else if (!strncmp(arg, "memory-map:read::", 17)) {
		p = arg + 17;
		total = rsp_memory_map_xml(c->s->desc, c->xml, sizeof(c->xml));
	} else {
		rsp_send_str(c, "");
		return;
	}
	if (rsp_parse_hex_pair(p, &off, &len, NULL) || !total) {
		rsp_send_err(c, 0);
		return;
	}
	if (off >= total) {
		rsp_send_str(c, "l");
		return;
	}
	if (len > RSP_PACKET_MAX - 8)
		len = RSP_PACKET_MAX - 8;
	size_t n = total - off < len ? total - (size_t)off : (size_t)len;
	c->reply[0] = off + n < total ? 'm' : 'l';
	memcpy(c->reply + 1, c->xml + off, n);
	rsp_send_bin(c, c->reply, n + 1);
}

static void cmd_rcmd(struct rsp_client *c, const char *hex)
{
	size_t n = strlen(hex) / 2;
	char cmd[512];
	bool changed = false;

	if (n >= sizeof(cmd) || sw_hex_decode(hex, n, (uint8_t *)cmd)) {
		rsp_send_err(c, 1);
		return;
	}
	cmd[n] = 0;
	struct rsp_keepalive ka; /* O lines while it runs: gdb's timeout restarts on each */
	rsp_keepalive_begin(&ka, c, cmd);
	int r = rsp_monitor(c->s, cmd, &changed);
	rsp_keepalive_end(&ka);
	/* O packets are legal in reply to qRcmd: the output first, whole. */
	rsp_flush_console(c);
	/* A failed command fails in gdb too, so scripts stop (issue #14). Exx,
	 * not E.reason: gdb 13's qRcmd code reads "E." as hex output ("Invalid
	 * hex digit 46") but Exx as "Protocol error with Rcmd"; the output
	 * above says what failed. */
	if (r)
		rsp_send_err(c, 1);
	else
		rsp_send_str(c, "OK");
}

static void cmd_detach(struct rsp_client *c)
{
	/* Leave the target running, with no breakpoint of ours left behind. */
	sw_core_bp_clear_all(c->s->core);
	if (sw_core_resume(c->s->core))
		SW_LOG_W(c->s->ctx, "detach: %s", sw_errmsg(c->s->ctx));
	c->s->running = true;
	rsp_send_str(c, "OK");
	/* In extended-remote mode gdb keeps the connection after detach and may
	 * attach again or send monitor commands (gdb manual "Connecting", as
	 * gdbserver --multi and OpenOCD do); it closes on k or disconnect. */
	if (!c->extended)
		c->closing = true;
}

/* vAttach;PID (extended-remote "attach"): one thread, any pid; halt and
 * report the stop as for "?". */
static void cmd_vattach(struct rsp_client *c)
{
	c->s->console[0] = 0;
	if (c->nonstop) {
		rsp_send_str(c, "OK");
		c->waiting = true; /* the tick notifies once it is halted */
		c->stop_signal0 = true;
		if (sw_core_halt(c->s->core))
			SW_LOG_W(c->s->ctx, "attach: %s", sw_errmsg(c->s->ctx));
		return;
	}
	c->stop_signal0 = true; /* attach reports signal 0, as gdbserver does */
	rsp_halt_and_report(c);
}

static void cmd_qsupported(struct rsp_client *c, const char *arg)
{
	c->fileio = true; /* gdb: it understands File-I/O requests */
	c->swbreak = strstr(arg, "swbreak+") != NULL;
	c->hwbreak = strstr(arg, "hwbreak+") != NULL;
	snprintf(c->reply, sizeof(c->reply),
		 "PacketSize=%x;qXfer:features:read+;qXfer:memory-map:read+;QStartNoAckMode+;"
		 "vContSupported+;QNonStop+%s%s",
		 RSP_PACKET_MAX, c->swbreak ? ";swbreak+" : "", c->hwbreak ? ";hwbreak+" : "");
	rsp_send_str(c, c->reply);
}

/* Packets after which flash reads gdb made are still true: reads, register
 * access, single steps, breakpoints (FPB or RAM patches, never flash) and
 * queries. Anything else (vFlash, monitor, resets, continue, writes, kill,
 * detach) may change flash and drops the read cache. */
static bool keeps_read_cache(const char *s)
{
	static const char *const keep[] = {"qSupported", "qXfer:", "qfThreadInfo", "qsThreadInfo", "qC",
					   "qAttached", "qSymbol", "qCRC:", "qOffsets", "qTStatus", "vCont?",
					   "vMustReplyEmpty", "QStartNoAckMode"};

	switch (s[0]) {
	case 'm': case 'g': case 'p': case 's': case 'Z': case 'z': case 'H': case 'T': case '?': case '!':
		return true;
	}
	if (!strncmp(s, "vCont;", 6))
		return s[6] == 's' && (s[7] == 0 || s[7] == ':'); /* a single step, not c/r/t */
	for (size_t i = 0; i < sizeof(keep) / sizeof(keep[0]); i++)
		if (!strncmp(s, keep[i], strlen(keep[i])))
			return true;
	return false;
}

static void dispatch(struct rsp_client *c, uint8_t *pkt, size_t len)
{
	const char *s = (const char *)pkt;

	SW_LOG_WIRE(c->s->ctx, "gdb -> %.*s", (int)(len > 200 ? 200 : len), s);
	c->quiet_since_ns = c->poll_next_ns = rsp_mono_ns(); /* gdb is active: poll fast again */
	if (c->refused[0]) {
		rsp_refused_dispatch(c);
		return;
	}
	if (c->observer && rsp_observer_dispatch(c, s))
		return;
	if (c->fileio_pending && s[0] == 'F') {
		if (rsp_semihost_reply(c, s + 1))
			rsp_halt_and_report(c);
		return;
	}
	/* During a File-I/O request gdb reads and writes memory (m, M, X). */
	if (c->waiting && !c->nonstop && !c->fileio_pending && strcmp(s, "vCtrlC") != 0) {
		/* Only interrupts make sense while the target runs; ignore others. */
		return;
	}
	if (!keeps_read_cache(s))
		sw_read_cache_drop(c->rcache);
	switch (s[0]) {
	case 'g': rsp_cmd_g(c); return;
	case 'G': rsp_cmd_G(c, s + 1); return;
	case 'p': rsp_cmd_p(c, s + 1); return;
	case 'P': rsp_cmd_P(c, s + 1); return;
	case 'm': rsp_cmd_m(c, s + 1); return;
	case 'M': rsp_cmd_M(c, s + 1); return;
	case 'X': rsp_cmd_X(c, pkt, len); return;
	case 'c': rsp_resume(c, false); return;
	case 's': rsp_resume(c, true); return;
	case '?': rsp_cmd_question(c); return;
	case 'D': cmd_detach(c); return;
	case 'Z': cmd_Z(c, s, true); return;
	case 'z': cmd_Z(c, s, false); return;
	case 'H': rsp_send_str(c, "OK"); return;
	case '!':
		c->extended = true;
		rsp_send_str(c, "OK");
		return;
	case 'T': rsp_send_str(c, "OK"); return; /* thread 1 is always alive */
	case 'k':
		c->closing = true; /* target left as it is; gdb closes the link */
		return;
	default: break;
	}
	if (!strncmp(s, "qSupported", 10))
		cmd_qsupported(c, s);
	else if (!strcmp(s, "QStartNoAckMode")) {
		rsp_send_str(c, "OK");
		c->noack = true;
	} else if (!strncmp(s, "QNonStop:", 9)) {
		c->nonstop = s[9] == '1';
		rsp_send_str(c, "OK");
	} else if (!strcmp(s, "vStopped"))
		rsp_send_str(c, "OK"); /* one thread: nothing more to report */
	else if (!strcmp(s, "vCont?"))
		rsp_send_str(c, "vCont;c;C;s;S;t;r");
	else if (!strncmp(s, "vCont;", 6))
		rsp_cmd_vcont(c, s + 6);
	else if (!strcmp(s, "vCtrlC")) {
		rsp_halt_and_report(c);
	} else if (!strncmp(s, "qXfer:", 6))
		cmd_xfer(c, s + 6);
	else if (!strcmp(s, "qfThreadInfo"))
		rsp_send_str(c, "m1");
	else if (!strcmp(s, "qsThreadInfo"))
		rsp_send_str(c, "l");
	else if (!strcmp(s, "qC"))
		rsp_send_str(c, "QC1");
	else if (!strncmp(s, "qAttached", 9))
		rsp_send_str(c, "1");
	else if (!strncmp(s, "qSymbol", 7))
		rsp_send_str(c, "OK");
	else if (!strncmp(s, "qRcmd,", 6))
		cmd_rcmd(c, s + 6);
	else if (!strncmp(s, "qCRC:", 5))
		rsp_cmd_crc(c, s + 5);
	else if (!strncmp(s, "vFlash", 6))
		rsp_cmd_vflash(c, pkt, len);
	else if (!strncmp(s, "vAttach;", 8))
		cmd_vattach(c);
	else if (!strncmp(s, "vKill", 5))
		rsp_send_str(c, "OK");
	else if (!strcmp(s, "vMustReplyEmpty"))
		rsp_cmd_must_reply_empty(c);
	else
		rsp_send_str(c, ""); /* unknown: empty reply (qTStatus, qOffsets...) */
}

/* Parsing stops while a full reply's worth of output waits, so the queue
 * stays bounded and a peer that never reads gets no further work done. */
static bool output_room(const struct rsp_client *c)
{
	return sw_outq_len(&c->out) < OUT_MAX;
}

bool rsp_client_wants_input(const struct rsp_client *c)
{
	return c->in_off == c->in_len && output_room(c);
}

bool rsp_client_has_input(const struct rsp_client *c)
{
	return c->in_off < c->in_len && output_room(c);
}

bool rsp_client_output_pending(const struct rsp_client *c)
{
	return sw_outq_len(&c->out) != 0;
}

bool rsp_client_writable(struct rsp_client *c)
{
	if (!sw_outq_flush(&c->out))
		c->closing = true;
	return !c->closing;
}

const char *rsp_client_stalled(const struct rsp_client *c)
{
	if (c->out.failed)
		return "its socket failed or it left too much output unread";
	if (sw_outq_stalled(&c->out))
		return "it has read none of its output for 5 s";
	return NULL;
}

bool rsp_client_readable(struct rsp_client *c)
{
	if (c->in_off == c->in_len) {
		ssize_t n = read(c->fd, c->in, sizeof(c->in));
		if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK))
			return true;
		if (n <= 0)
			return false;
		c->in_off = 0;
		c->in_len = (size_t)n;
	}
	while (c->in_off < c->in_len && !c->closing && output_room(c)) {
		switch (rsp_feed(&c->parser, c->in[c->in_off++])) {
		case RSP_EV_PACKET:
			if (!c->noack)
				write_all(c, (const uint8_t *)"+", 1);
			dispatch(c, c->parser.data, c->parser.len);
			break;
		case RSP_EV_NAK:
			/* Resend only once the last copy has left: a NAK for a
			 * packet still queued comes from a storm, not a line error. */
			if (c->last_len && !sw_outq_len(&c->out))
				write_all(c, c->last, c->last_len);
			break;
		case RSP_EV_INTERRUPT:
			if (c->waiting && !c->fileio_pending)
				rsp_halt_and_report(c);
			break;
		case RSP_EV_BAD:
			SW_LOG_D(c->s->ctx, "gdb: %s", c->parser.why);
			if (!c->noack)
				write_all(c, (const uint8_t *)"-", 1);
			break;
		default:
			break;
		}
	}
	return !c->closing;
}

