/* RSP command dispatch (gdb manual "Packets", "General Query Packets",
 * "Stop Reply Packets"; reference/clients.md §2 for what gdb 13 sends). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
	rsp_parser_init(&c->parser);
	if (sw_flash_stage_new(s->ctx, s->desc, &c->flash)) {
		free(c);
		return SW_ERR_NOMEM;
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
	sw_flash_stage_free(c->flash);
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

static bool write_all(struct rsp_client *c, const uint8_t *p, size_t n)
{
	while (n) {
		ssize_t w = write(c->fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			c->closing = true;
			return false;
		}
		p += w;
		n -= (size_t)w;
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
	case SW_HALT_VCATCH: {
		static const char *const exc[] = {"thread mode", "Reset", "NMI", "HardFault", "MemManage",
						  "BusFault", "UsageFault", "SecureFault"};
		sw_session_say(c->s, "swdbridge: halted by vector catch: %s (IPSR %u)",
			       st->ipsr < 8 ? exc[st->ipsr] : "exception", st->ipsr);
		break;
	}
	case SW_HALT_LOCKUP:
		sw_session_say(c->s, "swdbridge: the core is locked up (fault in a fault handler)");
		break;
	default:
		break;
	}
	/* O packets are only legal while gdb waits for a resume to end. */
	if ((c->waiting || c->stepping) && !c->nonstop)
		rsp_flush_console(c);
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

int rsp_parse_addr_len(const char *p, uint64_t *addr, uint64_t *len, const char **end)
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
		rsp_send_err(c, 1);
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
			rsp_send_err(c, 1);
			return;
		}
		off += 2 * bytes;
		if (sw_core_reg_write(c->s->core, regs[i], get_le(b, bytes))) {
			rsp_send_err(c, 1);
			return;
		}
	}
	rsp_send_str(c, "OK");
}

static void cmd_p(struct rsp_client *c, const char *arg)
{
	uint64_t regno, v;
	const char *end;

	if (sw_hex_u64(arg, &end, &regno) || *end || regno >= SW_REG_COUNT || !reg_known(c, (unsigned)regno) ||
	    sw_core_reg_read(c->s->core, (unsigned)regno, &v)) {
		rsp_send_err(c, 1);
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
		rsp_send_err(c, 1);
		return;
	}
	unsigned bytes = sw_reg_table()[regno].bits / 8;
	if (strlen(p + 1) != 2 * bytes || sw_hex_decode(p + 1, bytes, b) ||
	    sw_core_reg_write(c->s->core, (unsigned)regno, get_le(b, bytes))) {
		rsp_send_err(c, 1);
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

static void cmd_Z(struct rsp_client *c, const char *pkt, bool insert)
{
	uint64_t addr, kind;
	const char *end;
	unsigned type = (unsigned)(pkt[1] - '0');
	int r;

	if (pkt[2] != ',' || rsp_parse_addr_len(pkt + 3, &addr, &kind, &end)) {
		rsp_send_err(c, 1);
		return;
	}
	if (type > 4) {
		rsp_send_str(c, "");
		return;
	}
	if (type >= 2) {
		r = insert ? sw_core_wp_set(c->s->core, (uint32_t)addr, (unsigned)kind, type)
			   : sw_core_wp_clear(c->s->core, (uint32_t)addr, (unsigned)kind, type);
		if (r) {
			SW_LOG_W(c->s->ctx, "watchpoint 0x%08llx: %s", (unsigned long long)addr, sw_errmsg(c->s->ctx));
			sw_session_say(c->s, "swdbridge: watchpoint at 0x%08llx not set: %s",
				       (unsigned long long)addr, sw_errmsg(c->s->ctx));
			rsp_send_err(c, 1);
			return;
		}
		rsp_send_str(c, "OK");
		return;
	}
	/* Z0 in RAM patches a BKPT; Z0 elsewhere (flash, XIP) and Z1 use the FPB. */
	enum sw_bp_kind k = (type == 0 && in_ram(c->s->desc, (uint32_t)addr)) ? SW_BP_SOFT : SW_BP_HARD;
	r = insert ? sw_core_bp_set(c->s->core, (uint32_t)addr, (unsigned)kind, k)
		   : sw_core_bp_clear(c->s->core, (uint32_t)addr, (unsigned)kind, k);
	if (r) {
		/* gdb shows no text for a Z error: say why on its console now and
		 * again at the next stop (clients.md §2.6). */
		SW_LOG_W(c->s->ctx, "breakpoint 0x%08llx: %s", (unsigned long long)addr, sw_errmsg(c->s->ctx));
		sw_session_say(c->s, "swdbridge: breakpoint at 0x%08llx not set: %s", (unsigned long long)addr,
			       sw_errmsg(c->s->ctx));
		rsp_send_err(c, 1);
		return;
	}
	rsp_send_str(c, "OK");
}

static void resume(struct rsp_client *c, bool step)
{
	int r;

	if (c->nonstop) {
		/* Non-stop: acknowledge now, report the stop as a notification. */
		if (step ? sw_core_step(c->s->core, c->s->step_mask_irq) : sw_core_resume(c->s->core)) {
			rsp_send_err(c, 1);
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
		r = sw_core_step(c->s->core, c->s->step_mask_irq);
		if (!r)
			r = sw_core_poll(c->s->core, &st);
		if (r) {
			sw_session_say(c->s, "swdbridge: step failed: %s", sw_errmsg(c->s->ctx));
			rsp_send_str(c, "E01");
			return;
		}
		c->stepping = true;
		st.reason = SW_HALT_STEP;
		send_stop(c, &st);
		return;
	}
	r = sw_core_resume(c->s->core);
	if (r) {
		sw_session_say(c->s, "swdbridge: resume failed: %s", sw_errmsg(c->s->ctx));
		rsp_flush_console(c);
		rsp_send_str(c, "E01");
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

	if (rsp_parse_addr_len(arg, &lo, &hi, NULL)) {
		rsp_send_err(c, 1);
		return;
	}
	if (c->nonstop) {
		resume(c, true); /* non-stop: plain step, the tick reports it */
		return;
	}
	rsp_flush_console(c);
	for (unsigned n = 0; n < RSP_RANGE_STEP_MAX; n++) {
		if ((r = sw_core_step(c->s->core, c->s->step_mask_irq)) || (r = sw_core_poll(c->s->core, &st)))
			break;
		if (st.reason != SW_HALT_STEP && st.reason != SW_HALT_REQUEST)
			break;
		st.reason = SW_HALT_STEP;
		if (st.pc < lo || st.pc >= hi)
			break;
	}
	if (r) {
		sw_session_say(c->s, "swdbridge: range step failed: %s", sw_errmsg(c->s->ctx));
		rsp_send_str(c, "E01");
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
			rsp_send_err(c, 1);
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
		rsp_send_err(c, 1);
	} else {
		rsp_send_err(c, 1);
	}
}

static void halt_and_report(struct rsp_client *c)
{
	struct sw_core_state st;

	if (sw_core_halt(c->s->core) || sw_core_poll(c->s->core, &st)) {
		sw_session_say(c->s, "swdbridge: cannot halt the core: %s", sw_errmsg(c->s->ctx));
		if (c->waiting)
			rsp_flush_console(c);
		rsp_send_str(c, "E01");
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
			rsp_send_err(c, 1);
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
		rsp_send_err(c, 1);
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
	if (rsp_parse_addr_len(p, &off, &len, NULL) || !total) {
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
	rsp_monitor(c->s, cmd, &changed);
	rsp_flush_console(c);
	/* Always OK: an error reply makes Cortex-Debug abort (clients.md §2.7);
	 * the console output above says what failed. */
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
	c->closing = true;
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

static void dispatch(struct rsp_client *c, uint8_t *pkt, size_t len)
{
	const char *s = (const char *)pkt;

	SW_LOG_WIRE(c->s->ctx, "gdb -> %.*s", (int)(len > 200 ? 200 : len), s);
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
	case '!': rsp_send_str(c, "OK"); return;
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
	else if (!strncmp(s, "vKill", 5))
		rsp_send_str(c, "OK");
	else
		rsp_send_str(c, ""); /* unknown: empty reply (vMustReplyEmpty, qTStatus, qOffsets...) */
}

bool rsp_client_readable(struct rsp_client *c)
{
	uint8_t buf[4096];
	ssize_t n = read(c->fd, buf, sizeof(buf));

	if (n < 0 && errno == EINTR)
		return true;
	if (n <= 0)
		return false;
	for (ssize_t i = 0; i < n && !c->closing; i++) {
		switch (rsp_feed(&c->parser, buf[i])) {
		case RSP_EV_PACKET:
			if (!c->noack)
				write_all(c, (const uint8_t *)"+", 1);
			dispatch(c, c->parser.data, c->parser.len);
			break;
		case RSP_EV_NAK:
			if (c->last_len)
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

	if (!c->waiting || c->fileio_pending)
		return !c->closing;
	if (sw_core_poll(c->s->core, &st)) {
		/* The probe or target went away: tell gdb in one line, stop waiting. */
		SW_LOG_E(c->s->ctx, "%s", sw_errmsg(c->s->ctx));
		sw_session_say(c->s, "swdbridge: lost the target: %s", sw_errmsg(c->s->ctx));
		rsp_flush_console(c);
		c->waiting = false;
		rsp_send_str(c, "S0b"); /* SIGSEGV-style stop so gdb regains control */
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
