/* J-Link GDB Server's monitor vocabulary (reference/cortex-debug-jlink.md
 * §5; clients.md §1.3): exec SetRTTAddr/SetRTTSearchRanges/memU8..32,
 * memU8/16/32, reset N, speed auto|adaptive, sleep, waithalt, regs, setbp,
 * clrbp, SWO EnableTarget/DisableTarget, semihosting. Commands that share
 * a name with ours (reset halt, speed 4000, go, halt) fall through to
 * monitor.c. Every failure returns -1 with the reason on the console. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "server/gdb/rsp_client.h"
#include "server/rtt/rtt_net.h"
#include "server/swo/swo_cfg.h"
#include "server/swo/swo_net.h"

/* ARMv7-M ARM C1.6.5 DEMCR, C1.8 DWT, C1.7 ITM. */
#define DEMCR 0xE000EDFCu
#define DEMCR_TRCENA (1u << 24)
#define DWT_CTRL 0xE0001000u
#define DWT_CYCCNT 0xE0001004u
#define ITM_TER 0xE0000E00u
#define MEASURE_NS 2000000ull   /* CYCCNT sampled over at least 2 ms */
#define MEASURE_READS 2000u     /* and at most this many reads */
#define JLINK_DEFAULT_KHZ 4000u /* J-Link's default SWD clock (reference §4) */

static int num(const char *s, unsigned long *v)
{
	char *end;

	if (!s || !*s)
		return -1;
	*v = strtoul(s, &end, 0);
	return *end ? -1 : 0;
}

static int mem_cmd(struct sw_session *s, unsigned bits, const char *arg)
{
	char a[32] = "", eq[4] = "", val[32] = "";
	unsigned long addr, v = 0;
	uint8_t b[4];
	int n = sscanf(arg, "%31s %3s %31s", a, eq, val);

	if (n < 1 || num(a, &addr) || addr > 0xFFFFFFFFul || (n >= 2 && (strcmp(eq, "=") || n < 3 || num(val, &v))) ||
	    (bits < 32 && v >> bits) || v > 0xFFFFFFFFul || addr % (bits / 8)) {
		sw_session_say(s, "usage: memU%u ADDR [= VALUE]  (ADDR aligned to %u bytes)", bits, bits / 8);
		return -1;
	}
	if (n >= 3) {
		for (unsigned i = 0; i < bits / 8; i++)
			b[i] = (uint8_t)(v >> (8 * i));
		if (sw_core_mem_write(s->core, (uint32_t)addr, b, bits / 8)) {
			sw_session_say(s, "memU%u: writing 0x%08lx: %s", bits, addr, sw_errmsg(s->ctx));
			return -1;
		}
		sw_session_say(s, "Writing 0x%0*lx @ address 0x%08lx", (int)bits / 4, v, addr);
		return 0;
	}
	if (sw_core_mem_read(s->core, (uint32_t)addr, b, bits / 8)) {
		sw_session_say(s, "memU%u: reading 0x%08lx: %s", bits, addr, sw_errmsg(s->ctx));
		return -1;
	}
	for (unsigned i = 0; i < bits / 8; i++)
		v |= (unsigned long)b[i] << (8 * i);
	sw_session_say(s, "Reading from address 0x%08lx (Data = 0x%0*lx)", addr, (int)bits / 4, v);
	return 0;
}

static struct sw_rtt *rtt_engine(struct sw_session *s)
{
	if (!s->rtt) {
		sw_session_say(s, "RTT: not available in this session");
		return NULL;
	}
	return sw_rtt_net_engine(s->rtt);
}

/* exec SetRTTSearchRanges A S [, A S]... (J-Link: "addr size" pairs). */
static int search_ranges(struct sw_session *s, const char *arg)
{
	struct sw_rtt *e = rtt_engine(s);
	unsigned long base[SW_RTT_MAX_RANGES], size[SW_RTT_MAX_RANGES];
	unsigned n = 0;
	char *end;

	if (!e)
		return -1;
	for (const char *p = arg; *p;) {
		while (*p == ' ' || *p == ',')
			p++;
		if (!*p)
			break;
		if (n == SW_RTT_MAX_RANGES)
			goto bad;
		base[n] = strtoul(p, &end, 0);
		if (end == p)
			goto bad;
		p = end;
		size[n] = strtoul(p, &end, 0);
		if (end == p || base[n] > 0xFFFFFFFFul || size[n] > 0xFFFFFFFFul)
			goto bad;
		p = end;
		n++;
	}
	if (!n)
		goto bad;
	sw_rtt_clear_ranges(e);
	for (unsigned i = 0; i < n; i++)
		if (sw_rtt_add_range(e, (uint32_t)base[i], (uint32_t)size[i])) {
			sw_session_say(s, "SetRTTSearchRanges: %s", sw_errmsg(s->ctx));
			return -1;
		}
	sw_rtt_start(e);
	sw_session_say(s, "RTT: searching %u range(s) for the control block", n);
	return 0;
bad:
	sw_session_say(s, "usage: exec SetRTTSearchRanges ADDR SIZE [, ADDR SIZE]...");
	return -1;
}

/* exec <J-Link command string>: the ones that mean something here. */
static int exec_cmd(struct sw_session *s, const char *arg)
{
	char verb[32] = "", rest[128] = "";
	unsigned long addr;
	struct sw_rtt *e;

	sscanf(arg, "%31s %127[^\n]", verb, rest);
	if (!strcasecmp(verb, "SetRTTAddr")) {
		if (num(rest, &addr) || addr > 0xFFFFFFFFul) {
			sw_session_say(s, "usage: exec SetRTTAddr ADDR");
			return -1;
		}
		if (!(e = rtt_engine(s)))
			return -1;
		sw_rtt_set_user_addr(e, (uint32_t)addr);
		sw_rtt_start(e);
		sw_session_say(s, "RTT: control block address set to 0x%08lx", addr);
		return 0;
	}
	if (!strcasecmp(verb, "SetRTTSearchRanges"))
		return search_ranges(s, rest);
	if (!strcasecmp(verb, "memU8") || !strcasecmp(verb, "memU16") || !strcasecmp(verb, "memU32"))
		return mem_cmd(s, (unsigned)atoi(verb + 4), rest);
	sw_session_say(s, "exec %s: not a J-Link command swdbridge carries out (SetRTTAddr, SetRTTSearchRanges, memU8/16/32)",
		       verb);
	return -1;
}

/* reset N: J-Link reset strategies that exist on every Cortex-M: 0 normal
 * (SYSRESETREQ), 1 core (VECTRESET), 2 reset pin; each halts after. */
static int reset_n(struct sw_session *s, const char *arg, bool *changed)
{
	static const enum sw_reset_kind kinds[] = {SW_RESET_SYSTEM, SW_RESET_CORE, SW_RESET_PIN};
	static const char *const names[] = {"normal", "core", "reset pin"};
	unsigned long n;

	if (num(arg, &n) || n > 2) {
		sw_session_say(s, "reset %s: J-Link reset strategies here are 0 (normal), 1 (core), 2 (reset pin)", arg);
		return -1;
	}
	if (n == 0 && s->desc && s->desc->hooks && s->desc->hooks->reset_halt ? s->desc->hooks->reset_halt(s->core)
	    : sw_target_reset(s->ctx, s->desc, s->core, s->core_name, kinds[n], true)) {
		sw_session_say(s, "reset failed: %s", sw_errmsg(s->ctx));
		return -1;
	}
	*changed = true;
	s->running = false;
	sw_session_say(s, "Resetting target (%s), halted", names[n]);
	return 0;
}

static void sleep_ms(unsigned long ms)
{
	struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

/* waithalt [MS]: wait until the core halts (default 1000 ms). The probe
 * reads let virtual time pass with the simulator. */
static int waithalt(struct sw_session *s, const char *arg)
{
	unsigned long ms = 1000;
	uint64_t t0 = sw_session_now_ns(s);
	struct sw_core_state st;

	if (*arg && (num(arg, &ms) || ms > 60000)) {
		sw_session_say(s, "usage: waithalt [TIMEOUT_MS] (at most 60000)");
		return -1;
	}
	for (;;) {
		if (sw_core_poll(s->core, &st)) {
			sw_session_say(s, "waithalt: %s", sw_errmsg(s->ctx));
			return -1;
		}
		if (st.halted) {
			sw_session_say(s, "Target halted (PC = 0x%08x)", st.pc);
			return 0;
		}
		if (sw_session_now_ns(s) - t0 >= ms * 1000000ull) {
			sw_session_say(s, "waithalt: the core did not halt within %lu ms", ms);
			return -1;
		}
		if (!s->clock_ns)
			sleep_ms(1);
	}
}

static int regs(struct sw_session *s)
{
	static const unsigned r[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, SW_REG_SP, SW_REG_LR, SW_REG_PC,
				     SW_REG_XPSR, SW_REG_MSP, SW_REG_PSP};
	static const char *const names[] = {"R0", "R1", "R2", "R3", "R4", "R5", "R6", "R7", "R8", "R9", "R10",
					    "R11", "R12", "SP", "LR", "PC", "XPSR", "MSP", "PSP"};
	uint64_t v[19];
	char line[400];
	size_t len = 0;

	if (sw_core_regs_read(s->core, r, 19, v)) {
		sw_session_say(s, "regs: %s (registers are readable while the core is halted)", sw_errmsg(s->ctx));
		return -1;
	}
	for (unsigned i = 0; i < 19; i++) {
		len += (size_t)snprintf(line + len, sizeof(line) - len, "%s = %08llX%s", names[i],
					(unsigned long long)v[i], i % 4 == 3 || i == 18 ? "" : ", ");
		if (i % 4 == 3 || i == 18) {
			sw_session_say(s, "%s", line);
			len = 0;
		}
	}
	return 0;
}

/* setbp ADDR [MASK]: a hardware breakpoint (FPB); clrbp [N]: remove
 * breakpoint N (from 1, in setbp order) or all. */
static int setbp(struct sw_session *s, const char *arg)
{
	char a[32] = "";
	unsigned long addr;

	if (sscanf(arg, "%31s", a) != 1 || num(a, &addr) || addr > 0xFFFFFFFFul || (addr & 1u)) {
		sw_session_say(s, "usage: setbp ADDR (halfword aligned)");
		return -1;
	}
	if (s->n_jlink_bp == sizeof(s->jlink_bp) / sizeof(s->jlink_bp[0])) {
		sw_session_say(s, "setbp: %u breakpoints set already", s->n_jlink_bp);
		return -1;
	}
	if (sw_core_bp_set(s->core, (uint32_t)addr, 2, SW_BP_HARD)) {
		sw_session_say(s, "setbp 0x%08lx: %s", addr, sw_errmsg(s->ctx));
		return -1;
	}
	s->jlink_bp[s->n_jlink_bp++] = (uint32_t)addr;
	sw_session_say(s, "Breakpoint %u set @ addr 0x%08lX", s->n_jlink_bp, addr);
	return 0;
}

static int clrbp(struct sw_session *s, const char *arg)
{
	unsigned long n;

	if (!*arg) {
		for (unsigned i = 0; i < s->n_jlink_bp; i++)
			if (sw_core_bp_clear(s->core, s->jlink_bp[i], 2, SW_BP_HARD)) {
				sw_session_say(s, "clrbp: %s", sw_errmsg(s->ctx));
				return -1;
			}
		sw_session_say(s, "%u breakpoint(s) cleared", s->n_jlink_bp);
		s->n_jlink_bp = 0;
		return 0;
	}
	if (num(arg, &n) || n < 1 || n > s->n_jlink_bp) {
		sw_session_say(s, "clrbp: no breakpoint %s (1..%u)", arg, s->n_jlink_bp);
		return -1;
	}
	if (sw_core_bp_clear(s->core, s->jlink_bp[n - 1], 2, SW_BP_HARD)) {
		sw_session_say(s, "clrbp: %s", sw_errmsg(s->ctx));
		return -1;
	}
	memmove(&s->jlink_bp[n - 1], &s->jlink_bp[n], (s->n_jlink_bp - n) * sizeof(s->jlink_bp[0]));
	s->n_jlink_bp--;
	sw_session_say(s, "Breakpoint %lu cleared", n);
	return 0;
}

static int rd32(struct sw_session *s, uint32_t addr, uint32_t *v)
{
	return sw_core_mem_read(s->core, addr, v, 4);
}

static int wr32(struct sw_session *s, uint32_t addr, uint32_t v)
{
	return sw_core_mem_write(s->core, addr, &v, 4);
}

/* CPU clock 0 = measure: DWT CYCCNT (ARMv7-M C1.8.8) against the session
 * clock. CYCCNT does not count in Debug state, so a halted core cannot be
 * measured: *hz stays 0. */
static int measure_cpu(struct sw_session *s, uint32_t *hz)
{
	uint32_t demcr, ctrl, c0, c1 = 0;
	uint64_t t0, t1 = 0;

	*hz = 0;
	if (rd32(s, DEMCR, &demcr) || wr32(s, DEMCR, demcr | DEMCR_TRCENA) || rd32(s, DWT_CTRL, &ctrl) ||
	    wr32(s, DWT_CTRL, ctrl | 1u) || rd32(s, DWT_CYCCNT, &c0))
		return -1;
	t0 = sw_session_now_ns(s);
	for (unsigned i = 0; i < MEASURE_READS; i++) {
		if (rd32(s, DWT_CYCCNT, &c1))
			return -1;
		t1 = sw_session_now_ns(s);
		if (t1 - t0 >= MEASURE_NS)
			break;
		if (!s->clock_ns)
			sleep_ms(1);
	}
	/* Leave CYCCNTENA as it was (TRCENA stays: SWO needs it). */
	if (wr32(s, DWT_CTRL, ctrl))
		return -1;
	if (t1 > t0 && c1 != c0)
		*hz = (uint32_t)((uint64_t)(uint32_t)(c1 - c0) * 1000000000ull / (t1 - t0));
	return 0;
}

/* SWO EnableTarget CPU_HZ SWO_HZ MASK MODE (J-Link: CPU 0 = measured,
 * SWO 0 = the highest rate possible; eclipse-embed-cdt jlink messages). */
static int swo_enable(struct sw_session *s, const char *arg)
{
	unsigned long cpu, swo, mask, mode;
	struct sw_swo_status st;
	uint32_t hz;

	if (sscanf(arg, "%li %li %li %li", &cpu, &swo, &mask, &mode) != 4 || cpu > 0xFFFFFFFFul ||
	    swo > 0xFFFFFFFFul || mask > 0xFFFFFFFFul) {
		sw_session_say(s, "usage: SWO EnableTarget CPU_HZ SWO_HZ PORT_MASK MODE (0 Hz: measure / highest)");
		return -1;
	}
	if (mode != 0) {
		sw_session_say(s, "SWO EnableTarget: mode %lu: only 0 (UART/NRZ) is supported", mode);
		return -1;
	}
	if (!s->swo) {
		sw_session_say(s, "SWO: not available on this core");
		return -1;
	}
	if (!cpu) {
		if (measure_cpu(s, &hz)) {
			sw_session_say(s, "SWO: measuring the CPU clock: %s", sw_errmsg(s->ctx));
			return -1;
		}
		if (!hz) {
			sw_session_say(s, "SWO: the core is halted, so DWT CYCCNT cannot measure its clock; give CPU_HZ (or let it run first)");
			return -1;
		}
		cpu = hz;
		sw_session_say(s, "SWO: CPU clock measured: %lu Hz", cpu);
	}
	if (swo) {
		if (sw_swo_net_start(s->swo, (uint32_t)swo, (uint32_t)cpu, (uint32_t)mask)) {
			sw_session_say(s, "SWO: %s", sw_errmsg(s->ctx));
			return -1;
		}
	} else {
		/* Highest: the smallest prescaler (ACPR) whose rate the probe takes. */
		int r = -1;
		for (unsigned long div = 1; div <= 8192 && r; div++)
			r = sw_swo_net_start(s->swo, (uint32_t)(cpu / div), (uint32_t)cpu, (uint32_t)mask);
		if (r) {
			sw_session_say(s, "SWO: no rate the probe can capture: %s", sw_errmsg(s->ctx));
			return -1;
		}
	}
	sw_swo_net_status(s->swo, &st);
	sw_session_say(s, "SWO enabled successfully.");
	sw_session_say(s, "SWO: capturing at %u baud (trace clock %u Hz), ITM ports 0x%08x; raw on port %u, port 0 text on port %u",
		       st.baud, st.clk, st.mask, st.raw_port, st.text_port);
	return 0;
}

/* SWO DisableTarget MASK: turn those ITM ports off; capture stops with
 * the last one. */
static int swo_disable(struct sw_session *s, const char *arg)
{
	unsigned long mask;
	uint32_t ter;

	if (num(arg, &mask) || mask > 0xFFFFFFFFul) {
		sw_session_say(s, "usage: SWO DisableTarget PORT_MASK");
		return -1;
	}
	if (rd32(s, ITM_TER, &ter) || wr32(s, ITM_TER, ter & ~(uint32_t)mask)) {
		sw_session_say(s, "SWO: %s", sw_errmsg(s->ctx));
		return -1;
	}
	if (!(ter & ~(uint32_t)mask) && s->swo)
		sw_swo_net_stop(s->swo);
	sw_session_say(s, "SWO disabled successfully.");
	return 0;
}

static int semihosting(struct sw_session *s, const char *arg)
{
	char verb[16] = "";
	unsigned long v = 0;
	int n = sscanf(arg, "%15s %li", verb, &v);

	if (!strcasecmp(verb, "enable") || !strcasecmp(verb, "disable")) {
		s->semihosting = !strcasecmp(verb, "enable");
		sw_session_say(s, "Semihosting %s", s->semihosting ? "enabled" : "disabled");
		return 0;
	}
	/* IOClient 1 telnet, 2 gdb, 3 both: our console output goes to gdb,
	 * the terminal I/O port and the server's terminal in every case. */
	if (!strcasecmp(verb, "IOClient") && n == 2 && v >= 1 && v <= 3) {
		sw_session_say(s, "Semihosting I/O: gdb console, the terminal I/O port and the server's terminal");
		return 0;
	}
	/* ThumbSWI: the SVC number J-Link traps; ARMv7-M semihosting is BKPT
	 * 0xAB only, so the one value that means something is 0xAB. */
	if (!strcasecmp(verb, "ThumbSWI") && n == 2 && v == 0xAB) {
		sw_session_say(s, "Semihosting: BKPT 0xAB");
		return 0;
	}
	sw_session_say(s, "usage: semihosting enable|disable|IOClient 1|2|3|ThumbSWI 0xAB");
	return -1;
}

int rsp_monitor_jlink(struct sw_session *s, const char *cmd, const char *arg, bool *changed)
{
	if (!strcmp(cmd, "exec"))
		return exec_cmd(s, arg);
	if (!strcasecmp(cmd, "memU8") || !strcasecmp(cmd, "memU16") || !strcasecmp(cmd, "memU32"))
		return mem_cmd(s, (unsigned)atoi(cmd + 4), arg);
	if (!strcmp(cmd, "reset") && arg[0] >= '0' && arg[0] <= '9')
		return reset_n(s, arg, changed);
	if (!strcmp(cmd, "speed") && (!strcasecmp(arg, "auto") || !strcasecmp(arg, "adaptive"))) {
		uint32_t actual = 0;
		/* Adaptive clocking is JTAG's RTCK; over SWD both mean J-Link's default. */
		if (sw_probe_set_freq(s->probe, JLINK_DEFAULT_KHZ * 1000u, &actual)) {
			sw_session_say(s, "speed: %s", sw_errmsg(s->ctx));
			return -1;
		}
		sw_session_say(s, "SWD clock set to %u kHz", actual / 1000);
		return 0;
	}
	if (!strcmp(cmd, "sleep")) {
		unsigned long ms;
		if (num(arg, &ms) || ms > 10000) {
			sw_session_say(s, "usage: sleep MS (at most 10000)");
			return -1;
		}
		/* In 100 ms steps: each may send gdb a keep-alive line
		 * (rsp_keepalive.h), so a sleep past remotetimeout is fine. */
		for (unsigned long done = 0; done < ms; done += 100) {
			sleep_ms(ms - done < 100 ? ms - done : 100);
			sw_probe_busy(s->probe);
		}
		return 0;
	}
	if (!strcmp(cmd, "waithalt"))
		return waithalt(s, arg);
	if (!strcmp(cmd, "regs"))
		return regs(s);
	if (!strcmp(cmd, "setbp"))
		return setbp(s, arg);
	if (!strcmp(cmd, "clrbp"))
		return clrbp(s, arg);
	if (!strcmp(cmd, "SWO") && !strncasecmp(arg, "EnableTarget", 12))
		return swo_enable(s, arg + 12);
	if (!strcmp(cmd, "SWO") && !strncasecmp(arg, "DisableTarget", 13))
		return swo_disable(s, arg + 13);
	if (!strcmp(cmd, "semihosting"))
		return semihosting(s, arg);
	/* OpenOCD's spelling, for scripts written for it. */
	if (!strcmp(cmd, "arm") && !strncmp(arg, "semihosting ", 12))
		return semihosting(s, arg + 12);
	return 1;
}
