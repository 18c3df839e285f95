/* Run control for a controlling gdb connection: stop replies, c/s/vCont
 * (range stepping), ?, halting, and polling a running core for its stop
 * (with the quiet-run back-off of issue #20). */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "server/gdb/rsp_client_priv.h"
#include "sw/hex.h"

uint64_t rsp_mono_ns(void)
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
	now = rsp_mono_ns();
	return now >= c->poll_next_ns ? 0 : (int)((c->poll_next_ns - now + 999999u) / 1000000u);
}

static bool jlink_bp(const struct sw_session *s, uint32_t pc)
{
	for (unsigned i = 0; i < s->n_jlink_bp; i++)
		if (s->jlink_bp[i] == pc)
			return true;
	return false;
}

/* Stop reply with the reason gdb understands and the PC/SP/LR expedited. */
void rsp_send_stop(struct rsp_client *c, const struct sw_core_state *st)
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
			p += rsp_put_reg(p, v[i], 32);
			*p++ = ';';
		}
	*p = 0;
	c->waiting = false;
	c->stepping = false;
	c->s->running = false;
	if (c->nonstop && c->async_stop)
		rsp_send_notification(c, c->reply);
	else
		rsp_send_str(c, c->reply);
	c->async_stop = false;
	c->stop_signal0 = false;
}

void rsp_resume(struct rsp_client *c, bool step)
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
		rsp_send_stop(c, &st);
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
		rsp_resume(c, true); /* non-stop: plain step, the tick reports it */
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
	rsp_send_stop(c, &st);
}

void rsp_cmd_vcont(struct rsp_client *c, const char *arg)
{
	/* One thread: the first action decides (vCont;s:1;c steps). */
	if (arg[0] == 'r')
		range_step(c, arg + 1);
	else if (arg[0] == 's' || arg[0] == 'S')
		rsp_resume(c, true);
	else if (arg[0] == 'c' || arg[0] == 'C')
		rsp_resume(c, false);
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
				rsp_send_stop(c, &st);
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

void rsp_halt_and_report(struct rsp_client *c)
{
	struct sw_core_state st;

	if (sw_core_halt(c->s->core) || sw_core_poll(c->s->core, &st)) {
		rsp_send_err_reason(c, "cannot halt the core: %s", sw_errmsg(c->s->ctx));
		return;
	}
	if (st.reason == SW_HALT_REQUEST)
		c->stepping = false;
	rsp_send_stop(c, &st);
}

/* Why the target cannot be reached, for gdb: a lost probe is named as
 * such (the probe drivers set probe->lost on their first failed I/O). */
static void unreachable_reason(struct rsp_client *c, const char *what, char *buf, size_t size)
{
	const struct sw_probe *p = c->s->probe;

	if (p && p->lost)
		snprintf(buf, size, "swdbridge: probe lost: %s (%s)", sw_errmsg(c->s->ctx),
			 p->reopen[0] ? "reopened at the next gdb connection once it is back"
				      : "once it is back: swdflash monitor probe reconnect");
	else
		snprintf(buf, size, "swdbridge: %s: %s", what, sw_errmsg(c->s->ctx));
}

/* vMustReplyEmpty, gdb's check of the stub before it sends `?` (gdb
 * remote.c, remote_target::start_remote): any reply but "" or "OK" makes
 * gdb print "Remote replied unexpectedly to 'vMustReplyEmpty': <reply>"
 * and abandon `target remote`. It is the one early packet whose error gdb
 * both shows and stops on (an E to qSupported is only a warning; an E to
 * `?` is queued as a stop reply that gdb 13 waits on forever, spinning).
 * So the probe is checked here, with a read of CPUID (ARMv7-M B3.2.3):
 * read-only, no side effect, unlike DHCSR whose S_RESET_ST clears on read
 * (C1.6.2), so a passive connection may do it too. Afterwards
 * every packet gets the same E until gdb closes (closing at once could
 * reset the socket before gdb read the reason). */
void rsp_cmd_must_reply_empty(struct rsp_client *c)
{
	char why[200];
	uint32_t cpuid;

	if (!sw_core_mem_read(c->s->core, 0xE000ED00u /* CPUID */, &cpuid, 4)) {
		rsp_send_str(c, "");
		return;
	}
	unreachable_reason(c, "cannot reach the target", why, sizeof(why));
	rsp_send_err_reason(c, "%s", why);
	rsp_client_set_refused(c, c->reply + 2);
}

/* `?` failed: the reason in an E reply, then the connection closes. gdb
 * takes any reply to `?` as the stop reply (remote_target::start_remote),
 * and for an E one it waits forever; it only ends on the closed socket
 * ("Remote connection closed"). The reason stays in the server log. */
static void question_fail(struct rsp_client *c, const char *what)
{
	char why[200];

	unreachable_reason(c, what, why, sizeof(why));
	rsp_send_err_reason(c, "%s", why);
	c->closing = true;
}

void rsp_cmd_question(struct rsp_client *c)
{
	struct sw_core_state st;

	c->s->console[0] = 0; /* a new gdb: old console text is not for it */
	if (c->nonstop) {
		/* Non-stop attach: never halt; report a stop only if there is one. */
		if (sw_core_poll(c->s->core, &st)) {
			question_fail(c, "cannot read the core state");
			return;
		}
		if (st.halted)
			rsp_send_stop(c, &st);
		else {
			c->waiting = true; /* notify if it stops later */
			rsp_send_str(c, "OK");
		}
		return;
	}
	/* All-stop gdb needs a stopped thread at connect: halt if running. */
	if (sw_core_poll(c->s->core, &st)) {
		question_fail(c, "cannot read the core state");
		return;
	}
	if (!st.halted && st.locked_up) {
		if (halt_lockup(c, &st))
			question_fail(c, "cannot halt the locked-up core");
		else
			rsp_send_stop(c, &st);
		return;
	}
	if (!st.halted) {
		if (sw_core_halt(c->s->core) || sw_core_poll(c->s->core, &st)) {
			question_fail(c, "cannot halt the core");
			return;
		}
		if (st.reason == SW_HALT_REQUEST)
			c->stepping = false; /* as rsp_halt_and_report */
	}
	rsp_send_stop(c, &st);
}

bool rsp_client_tick(struct rsp_client *c)
{
	struct sw_core_state st;

	uint64_t now;

	if (!c->waiting || c->fileio_pending) {
		c->poll_armed = false;
		return !c->closing;
	}
	now = rsp_mono_ns();
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
		rsp_send_stop(c, &st);
	}
	return !c->closing;
}
