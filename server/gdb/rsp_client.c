/* RSP command dispatch (gdb manual "Packets", "General Query Packets",
 * "Stop Reply Packets"; reference/clients.md §2 for what gdb 13 sends). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "server/gdb/rsp_client_priv.h"
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

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* How often a running core is polled for a halt, by how long it has run
 * with no gdb traffic: every millisecond at first (a `next` or a nearby
 * breakpoint is reported at once), then every 10 ms, then every 50 ms, so
 * a long run costs at most 20 probe round trips per second (issue #20;
 * OpenOCD polls every 100 ms). */
#define POLL_FAST_NS 1000000ull
#define POLL_MID_NS 10000000ull
#define POLL_SLOW_NS 50000000ull
#define QUIET_MID_NS 200000000ull
#define QUIET_SLOW_NS 1000000000ull

static uint64_t poll_interval(uint64_t quiet_ns)
{
	return quiet_ns < QUIET_MID_NS ? POLL_FAST_NS : quiet_ns < QUIET_SLOW_NS ? POLL_MID_NS : POLL_SLOW_NS;
}

int rsp_client_poll_wait_ms(const struct rsp_client *c)
{
	uint64_t now;

	if (!c->waiting)
		return -1;
	if (!c->poll_armed)
		return 0;
	now = mono_ns();
	return now >= c->poll_next_ns ? 0 : (int)((c->poll_next_ns - now + 999999u) / 1000000u);
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
static void send_notification(struct rsp_client *c, const char *stop)
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

static size_t put_reg(char *out, uint64_t v, unsigned bits)
{
	uint8_t b[8];

	for (unsigned i = 0; i < bits / 8; i++)
		b[i] = (uint8_t)(v >> (8 * i));
	return sw_hex_encode(b, bits / 8, out);
}

static bool jlink_bp(const struct sw_session *s, uint32_t pc)
{
	for (unsigned i = 0; i < s->n_jlink_bp; i++)
		if (s->jlink_bp[i] == pc)
			return true;
	return false;
}

/* Stop reply with the reason gdb understands and the PC/SP/LR expedited. */
static void send_stop(struct rsp_client *c, const struct sw_core_state *st)
{
	static const unsigned exp[] = {SW_REG_SP, SW_REG_LR, SW_REG_PC};
	const char *reason = "";
	char wbuf[32];
	int sig = 5;
	char *p = c->reply;
	uint64_t v[3];
	size_t said = strlen(c->s->console);

	switch (st->reason) {
	case SW_HALT_BREAKPOINT:
		/* Only for gdb's own breakpoints: gdb silently resumes from a
		 * hwbreak stop where it has none, so the program's own BKPT (and a
		 * J-Link setbp) would never be reported (plain SIGTRAP instead). */
		reason = c->hwbreak && sw_core_bp_at(c->s->core, st->pc) && !jlink_bp(c->s, st->pc) ? "hwbreak:;" : "";
		break;
	case SW_HALT_WATCHPOINT:
		if (st->watch_kind == 0)
			sw_session_say(c->s, "swdbridge: data value watch hit at 0x%08x", st->watch_addr);
		if (st->watch_kind >= 2 && st->watch_kind <= 4) {
			static const char *const names[] = {"", "", "watch", "rwatch", "awatch"};
			snprintf(wbuf, sizeof(wbuf), "%s:%x;", names[st->watch_kind], st->watch_addr);
			reason = wbuf;
		}
		break;
	case SW_HALT_REQUEST:
	case SW_HALT_EXTERNAL:
		sig = c->stop_signal0 ? 0 : c->stepping ? 5 : 2;
		break;
	case SW_HALT_VCATCH:
	case SW_HALT_LOCKUP:
		sig = rsp_report_fault(c, st);
		break;
	default:
		break;
	}
	/* O packets are only legal while gdb waits for a resume to end. Else
	 * this stop's text (it is on the log too) is dropped rather than shown
	 * at some later resume, where it would read as news. */
	if ((c->waiting || c->stepping) && !c->nonstop)
		rsp_flush_console(c);
	else
		c->s->console[said] = 0;
	p += sprintf(p, "T%02x%sthread:1;", sig, reason);
	if (!sw_core_regs_read(c->s->core, exp, 3, v))
		for (unsigned i = 0; i < 3; i++) {
			p += sprintf(p, "%02x:", exp[i]);
			p += put_reg(p, v[i], 32);
			*p++ = ';';
		}
	*p = 0;
	c->waiting = false;
	c->stepping = false;
	c->s->running = false;
	if (c->nonstop && c->async_stop)
		send_notification(c, c->reply);
	else
		rsp_send_str(c, c->reply);
	c->async_stop = false;
	c->stop_signal0 = false;
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

static void cmd_g(struct rsp_client *c)
{
	unsigned regs[SW_REG_COUNT];
	uint64_t v[SW_REG_COUNT];
	size_t n = rsp_core_regs(sw_core_get_info(c->s->core), regs, SW_REG_COUNT);
	char *p = c->reply;

	if (sw_core_regs_read(c->s->core, regs, n, v)) {
		rsp_send_err_reason(c, "g: %s", sw_errmsg(c->s->ctx));
		return;
	}
	for (size_t i = 0; i < n; i++)
		p += put_reg(p, v[i], sw_reg_table()[regs[i]].bits);
	rsp_send_bin(c, c->reply, (size_t)(p - c->reply));
}

static bool reg_known(struct rsp_client *c, unsigned regno)
{
	unsigned regs[SW_REG_COUNT];
	size_t n = rsp_core_regs(sw_core_get_info(c->s->core), regs, SW_REG_COUNT);

	for (size_t i = 0; i < n; i++)
		if (regs[i] == regno)
			return true;
	return false;
}

static uint64_t get_le(const uint8_t *b, unsigned bytes)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < bytes; i++)
		v |= (uint64_t)b[i] << (8 * i);
	return v;
}

static void cmd_G(struct rsp_client *c, const char *hex)
{
	unsigned regs[SW_REG_COUNT];
	size_t n = rsp_core_regs(sw_core_get_info(c->s->core), regs, SW_REG_COUNT), off = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned bytes = sw_reg_table()[regs[i]].bits / 8;
		uint8_t b[8];
		if (strlen(hex + off) < 2 * bytes || sw_hex_decode(hex + off, bytes, b)) {
			rsp_send_err_reason(c, "G: register data too short or not hex");
			return;
		}
		off += 2 * bytes;
		if (sw_core_reg_write(c->s->core, regs[i], get_le(b, bytes))) {
			rsp_send_err_reason(c, "G: writing %s: %s", sw_reg_table()[regs[i]].name, sw_errmsg(c->s->ctx));
			return;
		}
	}
	rsp_send_str(c, "OK");
}

static void cmd_p(struct rsp_client *c, const char *arg)
{
	uint64_t regno, v;
	const char *end;

	if (sw_hex_u64(arg, &end, &regno) || *end || regno >= SW_REG_COUNT || !reg_known(c, (unsigned)regno)) {
		rsp_send_err_reason(c, "p: no such register");
		return;
	}
	if (sw_core_reg_read(c->s->core, (unsigned)regno, &v)) {
		rsp_send_err_reason(c, "p: reading %s: %s", sw_reg_table()[regno].name, sw_errmsg(c->s->ctx));
		return;
	}
	rsp_send_bin(c, c->reply, put_reg(c->reply, v, sw_reg_table()[regno].bits));
}

static void cmd_P(struct rsp_client *c, const char *arg)
{
	uint64_t regno;
	const char *p;
	uint8_t b[8];

	if (sw_hex_u64(arg, &p, &regno) || *p != '=' || regno >= SW_REG_COUNT || !reg_known(c, (unsigned)regno)) {
		rsp_send_err_reason(c, "P: no such register");
		return;
	}
	unsigned bytes = sw_reg_table()[regno].bits / 8;
	if (strlen(p + 1) != 2 * bytes || sw_hex_decode(p + 1, bytes, b)) {
		rsp_send_err_reason(c, "P: %s takes %u bytes in hex", sw_reg_table()[regno].name, bytes);
		return;
	}
	if (sw_core_reg_write(c->s->core, (unsigned)regno, get_le(b, bytes))) {
		rsp_send_err_reason(c, "P: writing %s: %s", sw_reg_table()[regno].name, sw_errmsg(c->s->ctx));
		return;
	}
	rsp_send_str(c, "OK");
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

static void resume(struct rsp_client *c, bool step)
{
	int r;

	if (c->nonstop) {
		/* Non-stop: acknowledge now, report the stop as a notification. */
		if (step ? sw_core_step(c->s->core, c->s->step_mask_irq) : sw_core_resume(c->s->core)) {
			rsp_send_err_reason(c, "%s failed: %s", step ? "step" : "resume", sw_errmsg(c->s->ctx));
			return;
		}
		rsp_send_str(c, "OK");
		c->stepping = step;
		c->s->running = true;
		c->waiting = true; /* the tick polls and notifies */
		return;
	}
	rsp_flush_console(c);
	if (step) {
		struct sw_core_state st;
		r = sw_core_step_poll(c->s->core, c->s->step_mask_irq, &st);
		if (r) {
			rsp_send_err_reason(c, "step failed: %s", sw_errmsg(c->s->ctx));
			return;
		}
		c->stepping = true;
		st.reason = SW_HALT_STEP;
		send_stop(c, &st);
		return;
	}
	r = sw_core_resume(c->s->core);
	if (r) {
		rsp_send_err_reason(c, "resume failed: %s", sw_errmsg(c->s->ctx));
		return;
	}
	c->s->running = true;
	c->waiting = true;
}

/* Steps per range-stepping packet before reporting anyway: keeps the server
 * responsive in a long one-line loop; gdb range-steps again from there. */
#define RSP_RANGE_STEP_MAX 4096

/* vCont;rSTART,END (gdb manual E.2, "range stepping"): single-step while the
 * PC stays in [START, END), one stop reply at the end instead of one per
 * instruction. Any other halt (breakpoint, watchpoint, vector catch) ends
 * it and is reported as itself. */
static void range_step(struct rsp_client *c, const char *arg)
{
	struct sw_core_state st = {0};
	uint64_t lo, hi;
	int r = SW_OK;

	if (rsp_parse_hex_pair(arg, &lo, &hi, NULL)) {
		rsp_send_err_reason(c, "vCont;r: malformed START,END");
		return;
	}
	if (c->nonstop) {
		resume(c, true); /* non-stop: plain step, the tick reports it */
		return;
	}
	rsp_flush_console(c);
	for (unsigned n = 0; n < RSP_RANGE_STEP_MAX; n++) {
		if ((r = sw_core_step_poll(c->s->core, c->s->step_mask_irq, &st)))
			break;
		if (st.reason != SW_HALT_STEP && st.reason != SW_HALT_REQUEST)
			break;
		st.reason = SW_HALT_STEP;
		if (st.pc < lo || st.pc >= hi)
			break;
	}
	if (r) {
		rsp_send_err_reason(c, "range step failed: %s", sw_errmsg(c->s->ctx));
		return;
	}
	c->stepping = true;
	send_stop(c, &st);
}

static void cmd_vcont(struct rsp_client *c, const char *arg)
{
	/* One thread: the first action decides (vCont;s:1;c steps). */
	if (arg[0] == 'r')
		range_step(c, arg + 1);
	else if (arg[0] == 's' || arg[0] == 'S')
		resume(c, true);
	else if (arg[0] == 'c' || arg[0] == 'C')
		resume(c, false);
	else if (arg[0] == 't' && c->nonstop) {
		if (sw_core_halt(c->s->core)) {
			rsp_send_err_reason(c, "cannot halt the core: %s", sw_errmsg(c->s->ctx));
			return;
		}
		rsp_send_str(c, "OK");
		c->waiting = true; /* the next tick sees the halt and notifies (T00) */
		c->stop_signal0 = true;
	} else if (arg[0] == 't') {
		if (!sw_core_halt(c->s->core)) {
			struct sw_core_state st;
			if (!sw_core_poll(c->s->core, &st)) {
				st.reason = SW_HALT_REQUEST;
				send_stop(c, &st);
				return;
			}
		}
		rsp_send_err_reason(c, "cannot halt the core: %s", sw_errmsg(c->s->ctx));
	} else {
		rsp_send_err_reason(c, "vCont: unknown action '%c'", arg[0]);
	}
}

/* Lockup (DHCSR.S_LOCKUP, ARMv7-M ARM B1.5.15): the core executes nothing
 * more and halting is the debugger's way out; the stop is the lockup. */
static int halt_lockup(struct rsp_client *c, struct sw_core_state *st)
{
	int r = sw_core_halt(c->s->core);

	if (!r)
		r = sw_core_poll(c->s->core, st);
	if (!r)
		st->reason = SW_HALT_LOCKUP;
	return r;
}

static void halt_and_report(struct rsp_client *c)
{
	struct sw_core_state st;

	if (sw_core_halt(c->s->core) || sw_core_poll(c->s->core, &st)) {
		rsp_send_err_reason(c, "cannot halt the core: %s", sw_errmsg(c->s->ctx));
		return;
	}
	if (st.reason == SW_HALT_REQUEST)
		c->stepping = false;
	send_stop(c, &st);
}

static void cmd_question(struct rsp_client *c)
{
	struct sw_core_state st;

	c->s->console[0] = 0; /* a new gdb: old console text is not for it */
	if (c->nonstop) {
		/* Non-stop attach: never halt; report a stop only if there is one. */
		if (sw_core_poll(c->s->core, &st)) {
			rsp_send_err_reason(c, "cannot read the core state: %s", sw_errmsg(c->s->ctx));
			return;
		}
		if (st.halted)
			send_stop(c, &st);
		else {
			c->waiting = true; /* notify if it stops later */
			rsp_send_str(c, "OK");
		}
		return;
	}
	/* All-stop gdb needs a stopped thread at connect: halt if running. */
	if (sw_core_poll(c->s->core, &st)) {
		rsp_send_err_reason(c, "cannot read the core state: %s", sw_errmsg(c->s->ctx));
		return;
	}
	if (!st.halted && st.locked_up) {
		if (halt_lockup(c, &st))
			rsp_send_err_reason(c, "cannot halt the locked-up core: %s", sw_errmsg(c->s->ctx));
		else
			send_stop(c, &st);
		return;
	}
	if (!st.halted) {
		halt_and_report(c);
		return;
	}
	send_stop(c, &st);
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
	int r = rsp_monitor(c->s, cmd, &changed);
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
	halt_and_report(c);
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
	c->quiet_since_ns = c->poll_next_ns = mono_ns(); /* gdb is active: poll fast again */
	if (c->refused[0]) {
		rsp_refused_dispatch(c);
		return;
	}
	if (c->observer && rsp_observer_dispatch(c, s))
		return;
	if (c->fileio_pending && s[0] == 'F') {
		if (rsp_semihost_reply(c, s + 1))
			halt_and_report(c);
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
	case 'g': cmd_g(c); return;
	case 'G': cmd_G(c, s + 1); return;
	case 'p': cmd_p(c, s + 1); return;
	case 'P': cmd_P(c, s + 1); return;
	case 'm': rsp_cmd_m(c, s + 1); return;
	case 'M': rsp_cmd_M(c, s + 1); return;
	case 'X': rsp_cmd_X(c, pkt, len); return;
	case 'c': resume(c, false); return;
	case 's': resume(c, true); return;
	case '?': cmd_question(c); return;
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
		cmd_vcont(c, s + 6);
	else if (!strcmp(s, "vCtrlC")) {
		halt_and_report(c);
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
	else
		rsp_send_str(c, ""); /* unknown: empty reply (vMustReplyEmpty, qTStatus, qOffsets...) */
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
				halt_and_report(c);
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

bool rsp_client_tick(struct rsp_client *c)
{
	struct sw_core_state st;

	uint64_t now;

	if (!c->waiting || c->fileio_pending) {
		c->poll_armed = false;
		return !c->closing;
	}
	now = mono_ns();
	if (!c->poll_armed) {
		c->poll_armed = true;
		c->quiet_since_ns = now;
		c->poll_next_ns = now;
	}
	if (now < c->poll_next_ns)
		return !c->closing;
	c->poll_next_ns = now + poll_interval(now - c->quiet_since_ns);
	if (sw_core_poll(c->s->core, &st)) {
		/* The probe or target went away: tell gdb in one line, stop waiting. */
		SW_LOG_E(c->s->ctx, "%s", sw_errmsg(c->s->ctx));
		sw_session_say(c->s, "swdbridge: lost the target: %s", sw_errmsg(c->s->ctx));
		rsp_flush_console(c);
		c->waiting = false;
		rsp_send_str(c, "S0b"); /* SIGSEGV-style stop so gdb regains control */
		return !c->closing;
	}
	if (!st.halted && st.locked_up && halt_lockup(c, &st)) {
		SW_LOG_E(c->s->ctx, "lockup: %s", sw_errmsg(c->s->ctx));
		return !c->closing;
	}
	if (st.halted && rsp_semihost_halt(c, &st))
		return !c->closing;
	if (st.halted) {
		c->async_stop = true;
		send_stop(c, &st);
	}
	return !c->closing;
}
