/* monitor commands (qRcmd). Output goes to the gdb console through the
 * session's console buffer. "reset" alone resets and halts, as J-Link GDB
 * Server does, so existing Cortex-Debug launch configs keep working. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/gdb/rsp_client.h"

static const char help_text[] =
	"swdbridge monitor commands:\n"
	"  reset [halt|run|init]  system reset (SYSRESETREQ); halt at the reset vector by default\n"
	"  reset core             core-only reset (VECTRESET, ARMv7-M; emulated on the AE3)\n"
	"  reset pin              pulse nRST through the probe, then halt at the reset vector\n"
	"  halt                   stop the core\n"
	"  go | resume            let the core run (gdb does not know until the next stop)\n"
	"  speed [kHz]            show or set the SWD clock\n"
	"  step_irq on|off        on: take pending interrupts while single-stepping (step into\n"
	"                         their handlers); off (default): mask them (DHCSR.C_MASKINTS)\n"
	"  vector_catch [NAME...] on|off   halt on: reset hard bus mem usage state chk nocp int all\n"
	"                         (hard is on from attach until the server exits)\n"
	"  targets                list supported targets\n"
	"  flash info             flash regions, sectors and the programming method\n"
	"  flash erase all|REGION|ADDR LEN   erase (blank sectors are skipped; halts the core)\n"
	"  watch ADDR|SYMBOL == VALUE [SIZE]  halt when VALUE (SIZE 1/2/4, default 4 or the\n"
	"                         symbol's size) is written; SYMBOL needs --elf (or --load)\n"
	"  watch clear            remove the data value watch\n"
	"  rtt start|stop|status  RTT channels on TCP 19021+N (control block by ELF symbol or RAM scan)\n"
	"  rtt address ADDR|SYM   use the RTT control block at ADDR\n"
	"  swo start [BAUD [CLK_HZ [MASK]]]|stop|status  SWO capture: raw on TCP 2332, port 0 text next\n"
	"  probe                  probe statistics (round trips, SWD transactions, cycles)\n"
	"  probe reconnect        open the probe and the target again (after an unplug)\n"
	"  sim                    (--probe sim) virtual time, resets and wire counters\n"
	"  semihosting enable|disable  serve ARM semihosting (BKPT 0xAB); also 'arm semihosting ...'\n"
	"  J-Link GDB Server's:   exec SetRTTAddr|SetRTTSearchRanges|memU32 ..., memU8/16/32 ADDR [= V],\n"
	"                         reset 0|1|2, speed auto, sleep MS, waithalt [MS], regs, setbp, clrbp,\n"
	"                         SWO EnableTarget CPU SWO MASK 0, SWO DisableTarget MASK\n"
	"  help                   this text";

static int do_reset(struct sw_session *s, const char *arg, bool *changed)
{
	bool halt = true;
	enum sw_reset_kind kind = SW_RESET_SYSTEM;

	if (!strcmp(arg, "run"))
		halt = false;
	else if (!strcmp(arg, "core"))
		kind = SW_RESET_CORE;
	else if (!strcmp(arg, "pin"))
		kind = SW_RESET_PIN;
	else if (*arg && strcmp(arg, "halt") && strcmp(arg, "init")) {
		sw_session_say(s, "reset: unknown mode '%s' (halt, run, init, core, pin)", arg);
		return -1;
	}
	if (kind == SW_RESET_SYSTEM && halt && s->desc && s->desc->hooks && s->desc->hooks->reset_halt) {
		if (s->desc->hooks->reset_halt(s->core)) {
			sw_session_say(s, "reset failed: %s", sw_errmsg(s->ctx));
			return -1;
		}
	} else if (sw_target_reset(s->ctx, s->desc, s->core, s->core_name, kind, halt)) {
		sw_session_say(s, "reset failed: %s", sw_errmsg(s->ctx));
		return -1;
	}
	*changed = true;
	s->running = !halt;
	sw_session_say(s, "Target reset%s", halt ? ", halted at the reset vector" : ", running");
	return 0;
}

static int do_speed(struct sw_session *s, const char *arg)
{
	uint32_t actual = 0;
	char *end;
	unsigned long khz;

	if (!*arg) {
		sw_session_say(s, "SWD clock: %u kHz", s->probe->freq_hz / 1000);
		return 0;
	}
	khz = strtoul(arg, &end, 10);
	if (*end || khz == 0 || khz > 100000) {
		sw_session_say(s, "speed: give the SWD clock in kHz (1..100000)");
		return -1;
	}
	if (sw_probe_set_freq(s->probe, (uint32_t)khz * 1000u, &actual)) {
		sw_session_say(s, "speed: %s", sw_errmsg(s->ctx));
		return -1;
	}
	sw_session_say(s, "SWD clock set to %u kHz", actual / 1000);
	return 0;
}

/* ADDR of "monitor watch": a number in C syntax, or a symbol of the
 * session's ELF (--elf, or --load with the simulator). *size becomes the
 * symbol's size when it is 1, 2 or 4 bytes. */
static int watch_where(struct sw_session *s, const char *tok, unsigned long *addr, unsigned long *size)
{
	uint32_t v = 0, sz = 0;
	char *end;

	*addr = strtoul(tok, &end, 0);
	if (end != tok && !*end)
		return 0;
	if (!s->elf) {
		sw_session_say(s, "watch: '%s' is a symbol but no ELF is loaded: start swdbridge with --elf FILE, or give an address (from gdb: eval \"monitor watch 0x%%x == 3\", &%s)",
			       tok, tok);
		return -1;
	}
	if (sw_elf_symbol(s->elf, tok, &v, &sz)) {
		sw_session_say(s, "watch: no symbol '%s' in the ELF", tok);
		return -1;
	}
	*addr = v;
	if (sz == 1 || sz == 2 || sz == 4)
		*size = sz;
	return 0;
}

static int do_watch(struct sw_session *s, const char *arg)
{
	unsigned long addr, value, size = 4, given = 0;
	char where[64] = "", eq[4] = "";
	int n;

	if (!strcmp(arg, "clear")) {
		if (sw_core_wp_value_clear(s->core)) {
			sw_session_say(s, "watch clear: %s", sw_errmsg(s->ctx));
			return -1;
		}
		sw_session_say(s, "data value watch removed");
		return 0;
	}
	n = sscanf(arg, "%63s %3s %li %lu", where, eq, &value, &given);
	if (n < 3 || strcmp(eq, "==") || value > 0xFFFFFFFFul) {
		sw_session_say(s, "usage: monitor watch ADDR|SYMBOL == VALUE [SIZE]  (numbers in C syntax)");
		return -1;
	}
	if (watch_where(s, where, &addr, &size))
		return -1;
	if (n == 4)
		size = given;
	if (addr > 0xFFFFFFFFul) {
		sw_session_say(s, "watch: address 0x%lx is beyond 32 bits", addr);
		return -1;
	}
	if (sw_core_wp_value_set(s->core, (uint32_t)addr, (uint32_t)value, (unsigned)size)) {
		sw_session_say(s, "watch: %s", sw_errmsg(s->ctx));
		return -1;
	}
	sw_session_say(s, "halting when 0x%lx (%lu bytes) is written to 0x%08lx%s%s", value, size, addr,
		       where[0] >= '0' && where[0] <= '9' ? "" : " = ", where[0] >= '0' && where[0] <= '9' ? "" : where);
	return 0;
}

static const struct {
	const char *name;
	uint32_t bits;
} catches[] = {
	{"reset", 1u << 0}, {"mem", 1u << 4}, {"nocp", 1u << 5}, {"chk", 1u << 6},
	{"state", 1u << 7}, {"bus", 1u << 8}, {"int", 1u << 9}, {"hard", 1u << 10},
	{"usage", (1u << 5) | (1u << 6) | (1u << 7)}, {"all", 0x7F1u},
};

static int do_vector_catch(struct sw_session *s, char *arg)
{
	uint32_t mask = 0, now = 0;
	int on = -1;
	char *save = NULL;

	for (char *w = strtok_r(arg, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
		bool found = false;
		if (!strcmp(w, "on") || !strcmp(w, "off")) {
			on = !strcmp(w, "on");
			continue;
		}
		for (size_t i = 0; i < sizeof(catches) / sizeof(catches[0]); i++)
			if (!strcmp(w, catches[i].name)) {
				mask |= catches[i].bits;
				found = true;
			}
		if (!found) {
			sw_session_say(s, "vector_catch: unknown catch '%s'", w);
			return -1;
		}
	}
	if (on >= 0 && mask && sw_core_vector_catch(s->core, mask, on)) {
		sw_session_say(s, "vector_catch: %s", sw_errmsg(s->ctx));
		return -1;
	}
	if (on >= 0 && !mask) {
		sw_session_say(s, "vector_catch: name what to catch (e.g. 'vector_catch hard on')");
		return -1;
	}
	if (sw_core_vector_catch_get(s->core, &now)) {
		sw_session_say(s, "vector_catch: %s", sw_errmsg(s->ctx));
		return -1;
	}
	char list[128] = "";
	for (size_t i = 0; i < 8; i++)
		if (now & catches[i].bits) {
			strcat(list, " ");
			strcat(list, catches[i].name);
		}
	sw_session_say(s, "vector catch:%s", list[0] ? list : " none");
	return 0;
}

int rsp_monitor(struct sw_session *s, const char *line, bool *changed)
{
	char cmd[64] = "", arg[128] = "";

	*changed = false;
	if (sscanf(line, " %63s %127[^\n]", cmd, arg) < 1) {
		sw_session_say(s, "%s", help_text);
		return 0;
	}
	for (char *e = arg + strlen(arg); e > arg && (e[-1] == ' ' || e[-1] == '\t'); e--)
		e[-1] = 0;
	int jr = rsp_monitor_jlink(s, cmd, arg, changed);
	if (jr != 1)
		return jr;
	if (!strcmp(cmd, "help")) {
		sw_session_say(s, "%s", help_text);
	} else if (!strcmp(cmd, "reset")) {
		return do_reset(s, arg, changed);
	} else if (!strcmp(cmd, "halt")) {
		if (sw_core_halt(s->core)) {
			sw_session_say(s, "halt failed: %s", sw_errmsg(s->ctx));
			return -1;
		}
		*changed = true;
		sw_session_say(s, "Target halted");
	} else if (!strcmp(cmd, "go") || !strcmp(cmd, "resume")) {
		if (sw_core_resume(s->core)) {
			sw_session_say(s, "resume failed: %s", sw_errmsg(s->ctx));
			return -1;
		}
		*changed = true;
		s->running = true;
		sw_session_say(s, "Target running");
	} else if (!strcmp(cmd, "speed")) {
		return do_speed(s, arg);
	} else if (!strcmp(cmd, "step_irq")) {
		if (strcmp(arg, "on") && strcmp(arg, "off")) {
			sw_session_say(s, "step_irq: on or off (now %s)", s->step_mask_irq ? "off" : "on");
			return -1;
		}
		s->step_mask_irq = !strcmp(arg, "off");
		sw_session_say(s, "interrupts %s while stepping", s->step_mask_irq ? "masked" : "enabled");
	} else if (!strcmp(cmd, "watch")) {
		return do_watch(s, arg);
	} else if (!strcmp(cmd, "flash")) {
		return rsp_monitor_flash(s, arg, changed);
	} else if (!strcmp(cmd, "rtt")) {
		return rsp_monitor_rtt(s, arg);
	} else if (!strcmp(cmd, "swo") || !strcmp(cmd, "SWO")) {
		return rsp_monitor_swo(s, cmd, arg);
	} else if (!strcmp(cmd, "vector_catch")) {
		return do_vector_catch(s, arg);
	} else if (!strcmp(cmd, "probe") && !strcmp(arg, "reconnect")) {
		if (!s->reconnect) {
			sw_session_say(s, "probe reconnect: not available with this probe");
			return -1;
		}
		if (s->reconnect(s->reconnect_user, s)) {
			sw_session_say(s, "probe reconnect failed: %s", sw_errmsg(s->ctx));
			return -1;
		}
		*changed = true;
		sw_session_say(s, "probe reconnected: %s", sw_core_get_info(s->core)->core_name);
	} else if (!strcmp(cmd, "probe")) {
		const struct sw_probe_stats *ps = &s->probe->stats;
		/* swdflash asks this after an error to tell a lost probe apart. */
		if (s->probe->lost)
			sw_session_say(s, "probe %s: lost; %s", s->probe->ops->name,
				       s->probe->reopen[0] ? "it is opened again at the next connection once it is back"
							   : "type 'monitor probe reconnect' once it is back");
		sw_session_say(s, "probe %s: %llu round trips, %llu SWD transactions, %llu SWCLK cycles, %llu WAIT, %llu FAULT, %llu parity errors",
			       s->probe->ops->name, (unsigned long long)ps->round_trips,
			       (unsigned long long)ps->transactions, (unsigned long long)ps->swd_cycles,
			       (unsigned long long)ps->waits, (unsigned long long)ps->faults,
			       (unsigned long long)ps->parity_errors);
	} else if (!strcmp(cmd, "targets")) {
		const struct sw_target_desc *const *t = sw_target_list();
		for (size_t i = 0; t[i]; i++)
			sw_session_say(s, "%-12s %s", t[i]->name, t[i]->summary);
	} else {
		int r = s->ext_monitor ? s->ext_monitor(s->ext_user, s, cmd, arg) : 1;
		if (r == 1) {
			sw_session_say(s, "unknown monitor command '%s' (try 'monitor help')", cmd);
			return -1;
		}
		return r;
	}
	return 0;
}
