/* Semihosting at the RSP layer (server/semihost.h does the calls): when the
 * controlling gdb waits for a stop and the core halts on BKPT 0xAB with
 * semihosting on, the call is carried out and the core resumed without a
 * stop reply; console text goes out as O packets (legal while gdb waits),
 * file operations as F requests whose F reply completes the call (gdb
 * manual "File-I/O Remote Protocol Extension"); an exit is reported as
 * W<status>, which ends gdb's inferior with that exit code. */
#include <stdio.h>

#include "server/gdb/rsp_client_priv.h"
#include "server/semihost.h"

static void flush(void *user)
{
	rsp_flush_console(user);
}

/* Act on a step; false when the call failed and a plain stop should be
 * reported instead. */
static bool act(struct rsp_client *c, int r, const struct sw_semihost_step *step)
{
	struct sw_session *s = c->s;

	s->console_flush = NULL;
	rsp_flush_console(c);
	if (r) {
		sw_session_say(s, "semihosting: %s", sw_errmsg(s->ctx));
		s->sh.pending = false;
		c->fileio_pending = false;
		return false;
	}
	switch (step->action) {
	case SW_SH_FILEIO:
		c->fileio_pending = true;
		rsp_send_str(c, step->fileio);
		return true;
	case SW_SH_EXIT: {
		char w[8];
		SW_LOG_I(s->ctx, "semihosting: the program exited with status %d", step->exit_status);
		snprintf(w, sizeof(w), "W%02x", (unsigned)step->exit_status & 0xFFu);
		c->fileio_pending = false;
		c->waiting = false;
		s->running = false;
		rsp_send_str(c, w);
		return true;
	}
	case SW_SH_RESUME:
	default:
		c->fileio_pending = false;
		if (sw_core_resume(s->core)) {
			sw_session_say(s, "semihosting: resume failed: %s", sw_errmsg(s->ctx));
			return false;
		}
		return true;
	}
}

bool rsp_semihost_halt(struct rsp_client *c, const struct sw_core_state *st)
{
	struct sw_semihost_call call;
	struct sw_semihost_step step;
	bool is_call = false;
	int r;

	if (!c->s->semihosting || c->nonstop || c->stepping)
		return false;
	if ((r = sw_core_semihost_decode(c->s->core, st, &call, &is_call)) || !is_call)
		return false;
	c->s->console_flush = flush;
	c->s->console_flush_user = c;
	r = sw_semihost_start(c->s, &call, c->fileio, &step);
	return act(c, r, &step);
}

bool rsp_semihost_reply(struct rsp_client *c, const char *arg)
{
	struct sw_semihost_step step;
	bool ctrl_c = false;
	int r;

	c->s->console_flush = flush;
	c->s->console_flush_user = c;
	r = sw_semihost_fileio_reply(c->s, arg, &ctrl_c, &step);
	if (!r && ctrl_c && step.action == SW_SH_RESUME) {
		/* The user pressed Ctrl-C during the call: complete it, stay halted. */
		c->s->console_flush = NULL;
		c->fileio_pending = false;
		return true;
	}
	return !act(c, r, &step);
}
