/* Flash-loader runner: see loader.h and flashloaders/abi.h.
 *
 * Work area layout (from its base): the blob, the parameter block, the
 * range list, 1 KiB scratch (CRC table), the loader stack, then the rings
 * (one per job). Each poll while the loader runs is one batch: ring data
 * and the new write offsets go out, the loader's status and read offsets
 * and DHCSR come back, all in one probe round trip. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/flash/loader.h"
#include "sw/types.h"

#define DHCSR_ADDR 0xE000EDF0u /* ARMv7-M ARM C1.6.2; read only here */
#define DHCSR_S_HALT (1u << 17)
#define DHCSR_S_LOCKUP (1u << 19)
#define DHCSR_S_RESET_ST (1u << 25) /* sticky: the core was reset since the last read */
#define XPSR_T (1u << 24)
#define RANGES_MAX 128u
#define STACK_SIZE 512u
#define SCRATCH_SIZE 1024u
#define CHUNK_MAX (16u * 1024u) /* ring data per poll: ~4 probe round trips at 4 MHz */
/* Polls without progress before giving up: each costs at least one probe
 * round trip (>= 0.25 ms), so this outlasts a 4 s worst-case sector erase
 * (x8, perf.md §3.1) several times over. */
#define STALL_POLLS 60000u

_Static_assert(sizeof(struct swl_params) == SWL_PARAMS_SIZE, "ABI: parameter block size");
_Static_assert(sizeof(struct swl_range) == 12, "ABI: range size");
_Static_assert(RANGES_MAX * 12u >= SWL_MAX_JOBS * 4u * SW_LOADER_JOB_SECTORS_MAX, "verify CRCs fit the range list");
_Static_assert(offsetof(struct swl_params, progress) == SWL_OFF_PROGRESS, "ABI: progress");
_Static_assert(offsetof(struct swl_params, job[1].erased) == SWL_OFF_JOB(1) + SWL_OFF_JOB_ERASED, "ABI: job");

/* Registers saved around loader calls and restored at close. SP (13) is
 * not written back: MSP/PSP and CONTROL.SPSEL restore it. */
static const unsigned saved_regs[] = {
	0,  1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, SW_REG_LR, SW_REG_PC, SW_REG_XPSR,
	SW_REG_MSP, SW_REG_PSP, SW_REG_PRIMASK, SW_REG_BASEPRI, SW_REG_FAULTMASK, SW_REG_CONTROL,
};
#define N_SAVED (sizeof(saved_regs) / sizeof(saved_regs[0]))

struct sw_loader {
	struct sw_ctx *ctx;
	struct sw_core *core;
	const struct sw_loader_desc *ld;
	uint64_t saved[N_SAVED];
	uint32_t code, params, ranges, scratch, stack_top, rings;
	uint32_t ring_size; /* per job */
	uint32_t sector_size;
	struct swl_params p;
	struct sw_loader_stats st;
	uint8_t *backup; /* what the blob, parameters and stack overwrote */
	uint32_t demcr;  /* DEMCR before the user's watchpoints were suspended */
	bool suspended;
};

static uint32_t align_up(uint32_t v, uint32_t a)
{
	return (v + a - 1u) & ~(a - 1u);
}

static int layout(struct sw_loader *l)
{
	const struct sw_loader_desc *ld = l->ld;
	uint32_t end = ld->work_base + ld->work_size, jobs = ld->max_jobs ? ld->max_jobs : 1u;

	l->code = ld->work_base;
	l->params = align_up(l->code + (uint32_t)ld->image->size, 1024); /* data apart from code */
	l->ranges = l->params + SWL_PARAMS_SIZE;
	l->scratch = align_up(l->ranges + RANGES_MAX * 12u, 64);
	l->stack_top = l->scratch + SCRATCH_SIZE + STACK_SIZE;
	l->rings = align_up(l->stack_top, 1024);
	if (l->rings >= end || (end - l->rings) / jobs < 4096u)
		return sw_fail(l->ctx, SW_ERR_ARG, "flash loader: work area at 0x%08x too small",
			       ld->work_base);
	l->ring_size = ((end - l->rings) / jobs) & ~1023u;
	return SW_OK;
}

static const char *status_text(uint32_t s)
{
	switch (s) {
	case SWL_ERR_FLASH: return "the flash controller reported an error";
	case SWL_ERR_TIMEOUT: return "the flash controller stayed busy";
	case SWL_ERR_ARG: return "bad parameters";
	case SWL_ERR_LOCKED: return "the flash stays locked after the unlock sequence (reset the target)";
	case SWL_ERR_VERSION: return "ABI version mismatch";
	default: return "unknown status";
	}
}

/* Set the registers for a call and resume. */
static int start(struct sw_loader *l, uint32_t entry_off)
{
	struct sw_core *c = l->core;
	sw_ap *ap = sw_core_ap(c);
	int r;

	l->p.status = SWL_RUNNING;
	/* CONTROL 0: privileged, MSP, no FP context; PRIMASK 1: no interrupt
	 * between a loader's stores. One batch. */
	const unsigned regs[] = {SW_REG_CONTROL, SW_REG_PRIMASK, SW_REG_MSP, 0, SW_REG_LR, SW_REG_PC, SW_REG_XPSR};
	const uint64_t vals[] = {0, 1, l->stack_top, l->params, (l->code + l->ld->image->off_return) | 1u,
				 l->code + entry_off, XPSR_T};

	if ((r = sw_mem_write(ap, l->params, &l->p, sizeof(l->p))) ||
	    (r = sw_core_regs_write(c, regs, vals, sizeof(regs) / sizeof(regs[0]))))
		return sw_fail(l->ctx, r, "flash loader: start: %s", sw_errmsg(l->ctx));
	/* A reset while the loader sat halted between calls leaves the core
	 * halted (DHCSR survives it, ARMv7-M C1.6.3) but the flash relocked
	 * and the clocks reset: only S_RESET_ST tells. */
	if (sw_core_take_reset(c))
		return sw_fail(l->ctx, SW_ERR_TARGET_STATE,
			       "target reset during flash programming: flash not programmed (run the load again)");
	if ((r = sw_core_resume(c)))
		return sw_fail(l->ctx, r, "flash loader: start: %s", sw_errmsg(l->ctx));
	l->st.calls++;
	return SW_OK;
}

/* The loader returned (status no longer RUNNING) or the core stopped:
 * make sure it halted on the return BKPT, then read the parameters back. */
static int finish(struct sw_loader *l, uint32_t dhcsr)
{
	struct sw_core_state cs;
	int r;

	for (int i = 0; i < 100 && !(dhcsr & DHCSR_S_HALT); i++)
		if ((r = sw_mem_read32(sw_core_ap(l->core), DHCSR_ADDR, &dhcsr)))
			return r;
	if ((r = sw_core_poll(l->core, &cs)))
		return r;
	if (!cs.halted)
		return sw_fail(l->ctx, SW_ERR_TIMEOUT, "flash loader did not return (core still running)");
	if (cs.pc != l->code + l->ld->image->off_return)
		return sw_fail(l->ctx, SW_ERR_FLASH, "flash loader crashed: halted at 0x%08x%s", cs.pc,
			       cs.ipsr ? " in an exception handler" : "");
	if ((r = sw_mem_read(sw_core_ap(l->core), l->params, &l->p, sizeof(l->p))))
		return r;
	if (l->p.status == SWL_ERR_FLASH && l->ld->status_text)
		return sw_fail(l->ctx, SW_ERR_FLASH, "flash error at 0x%08x: status 0x%08x (%s)", l->p.err_addr,
			       l->p.err_status, l->ld->status_text(l->p.err_status));
	if (l->p.status != SWL_OK)
		return sw_fail(l->ctx, l->p.status == SWL_ERR_LOCKED ? SW_ERR_LOCKED : SW_ERR_FLASH,
			       "flash loader: %s at 0x%08x (status register 0x%08x)",
			       status_text(l->p.status), l->p.err_addr, l->p.err_status);
	return SW_OK;
}

/* Call an entry that needs no streaming and wait for it. */
static int call(struct sw_loader *l, uint32_t entry_off)
{
	sw_ap *ap = sw_core_ap(l->core);
	uint32_t status = SWL_RUNNING, dhcsr = 0, progress = 0, last = 0;
	unsigned stall = 0;
	int r;

	if ((r = start(l, entry_off)))
		return r;
	while (status == SWL_RUNNING && !(dhcsr & (DHCSR_S_HALT | DHCSR_S_LOCKUP))) {
		if ((r = sw_mem_queue_read32(ap, l->params + SWL_OFF_STATUS, &status)) ||
		    (r = sw_mem_queue_read32(ap, l->params + SWL_OFF_PROGRESS, &progress)) ||
		    (r = sw_mem_queue_read32(ap, DHCSR_ADDR, &dhcsr)) || (r = sw_dap_run(sw_ap_dap(ap))))
			return sw_fail(l->ctx, r, "flash loader: poll: %s", sw_errmsg(l->ctx));
		l->st.polls++;
		if (dhcsr & DHCSR_S_RESET_ST)
			return sw_fail(l->ctx, SW_ERR_TARGET_STATE, "target reset while the flash loader ran");
		stall = progress != last ? 0 : stall + 1;
		last = progress;
		if (stall > STALL_POLLS)
			return sw_fail(l->ctx, SW_ERR_TIMEOUT, "flash loader: no progress (halted it)");
	}
	return finish(l, dhcsr);
}

int sw_loader_open(struct sw_ctx *ctx, struct sw_core *core, const struct sw_loader_desc *ld,
		   uint32_t sector_size, bool keep_ram, struct sw_loader **out)
{
	struct sw_loader *l = calloc(1, sizeof(*l));
	struct sw_core_state cs;
	int r;

	*out = NULL;
	if (!l)
		return sw_fail(ctx, SW_ERR_NOMEM, "flash loader: out of memory");
	*l = (struct sw_loader){.ctx = ctx, .core = core, .ld = ld, .sector_size = sector_size};
	if ((r = layout(l)) || (r = sw_core_poll(core, &cs)))
		goto fail;
	if (!cs.halted) {
		r = sw_fail(ctx, SW_ERR_TARGET_STATE, "flash loader: the core must be halted");
		goto fail;
	}
	/* Keep the RAM under the blob, parameters and stack (a few KiB) so a
	 * qCRC in the middle of a debug session changes nothing; the rings are
	 * the caller's business (see flash_stage.h). */
	if (keep_ram && !(l->backup = malloc(l->rings - l->code))) {
		r = sw_fail(ctx, SW_ERR_NOMEM, "flash loader: out of memory");
		goto fail;
	}
	if ((r = sw_core_regs_read(core, saved_regs, N_SAVED, l->saved)) ||
	    (r = sw_core_traps_suspend(core, &l->demcr)))
		goto fail;
	l->suspended = true;
	/* The blob goes where the program may have run code with CCR.IC set
	 * (AXI SRAM on the H743 is cacheable): clean and invalidate before the
	 * core fetches it (ARMv7-M ARM B2.2.7). OpenOCD avoids the case by
	 * putting the H7 work area in DTCM (tcl/target/stm32h7x.cfg) and does
	 * the same maintenance around code it writes for breakpoints
	 * (cortex_m.c cortex_m_set_breakpoint: armv7m_d_cache_flush,
	 * armv7m_i_cache_inval). */
	if ((l->backup && (r = sw_mem_read(sw_core_ap(core), l->code, l->backup, l->rings - l->code))) ||
	    (r = sw_mem_write(sw_core_ap(core), l->code, ld->image->code, ld->image->size)) ||
	    (r = sw_core_sync_code(core, l->code, ld->image->size)))
		goto fail;
	l->p.magic = SWL_MAGIC;
	l->p.version = SWL_ABI_VERSION;
	l->p.scratch = l->scratch;
	l->p.sector_size = sector_size;
	l->p.ranges = l->ranges;
	if ((r = call(l, ld->image->off_init))) {
		char msg[SW_ERRMSG_LEN];
		snprintf(msg, sizeof(msg), "%s", sw_errmsg(ctx));
		sw_loader_close(l, NULL);
		return sw_fail_quiet(ctx, r, "%s", msg);
	}
	*out = l;
	return SW_OK;
fail:
	if (l->suspended)
		sw_core_traps_resume(core, l->demcr); /* best effort: the first error is reported */
	free(l->backup);
	free(l);
	return r;
}

static int ranges_call(struct sw_loader *l, struct swl_range *rg, size_t n, uint32_t entry_off)
{
	sw_ap *ap = sw_core_ap(l->core);
	int r;

	for (size_t i = 0; i < n; i += RANGES_MAX) {
		size_t k = n - i < RANGES_MAX ? n - i : RANGES_MAX;
		l->p.n_ranges = (uint32_t)k;
		l->p.progress = 0;
		if ((r = sw_mem_write(ap, l->ranges, &rg[i], k * sizeof(*rg))) || (r = call(l, entry_off)) ||
		    (r = sw_mem_read(ap, l->ranges, &rg[i], k * sizeof(*rg))))
			return r;
	}
	return SW_OK;
}

int sw_loader_crc(struct sw_loader *l, struct swl_range *ranges, size_t n)
{
	l->st.crc_calls++;
	return ranges_call(l, ranges, n, l->ld->image->off_crc);
}

int sw_loader_erase(struct sw_loader *l, const struct swl_range *ranges, size_t n)
{
	struct swl_range *copy = malloc(n * sizeof(*copy) + 1);
	int r;

	if (!copy)
		return sw_fail(l->ctx, SW_ERR_NOMEM, "flash loader: out of memory");
	memcpy(copy, ranges, n * sizeof(*copy));
	r = ranges_call(l, copy, n, l->ld->image->off_erase);
	free(copy);
	return r;
}

/* Queue the next piece of job i's data that fits in its ring. */
static int feed(struct sw_loader *l, size_t i, const struct sw_loader_job *job, uint32_t rp)
{
	struct swl_job *j = &l->p.job[i];
	uint32_t wp = j->wp, room = j->ring_size - (wp - rp), left = job->len - wp;
	uint32_t off = wp % j->ring_size, n = room < left ? room : left;
	sw_ap *ap = sw_core_ap(l->core);
	int r;

	if (n > CHUNK_MAX)
		n = CHUNK_MAX;
	if (n > j->ring_size - off)
		n = j->ring_size - off; /* up to the end of the ring; the rest next poll */
	if (!n)
		return SW_OK;
	if ((r = sw_mem_queue_write(ap, j->ring_base + off, job->data + wp, n)))
		return r;
	j->wp = wp + n;
	return sw_mem_queue_write32(ap, l->params + SWL_OFF_JOB(i) + SWL_OFF_JOB_WP, j->wp);
}

int sw_loader_program(struct sw_loader *l, const struct sw_loader_job *jobs, size_t n, bool *verified)
{
	sw_ap *ap = sw_core_ap(l->core);
	uint32_t status = SWL_RUNNING, dhcsr = 0, rp[SWL_MAX_JOBS] = {0}, erased[SWL_MAX_JOBS] = {0};
	uint32_t progress = 0, last = 0;
	unsigned stall = 0;
	uint32_t want = 0;
	int r;

	*verified = false;
	if (n == 0 || n > SWL_MAX_JOBS || n > (l->ld->max_jobs ? l->ld->max_jobs : 1u))
		return sw_fail(l->ctx, SW_ERR_ARG, "flash loader: %zu parallel jobs not supported", n);
	memset(l->p.job, 0, sizeof(l->p.job));
	l->p.n_jobs = (uint32_t)n;
	l->p.verified = 0;
	for (size_t i = 0; i < n; i++) {
		uint32_t secs = jobs[i].len / l->sector_size;
		/* The read-back CRCs land in the range list's space (free while
		 * programming), SW_LOADER_JOB_SECTORS_MAX words per job. */
		bool crc = jobs[i].crc && secs <= SW_LOADER_JOB_SECTORS_MAX;
		l->p.job[i] = (struct swl_job){.addr = jobs[i].addr, .len = jobs[i].len,
					       .ring_base = l->rings + (uint32_t)i * l->ring_size,
					       .ring_size = l->ring_size,
					       .crc_out = crc ? l->ranges + (uint32_t)i * 4u * SW_LOADER_JOB_SECTORS_MAX : 0};
		want += crc ? secs : 0;
	}
	if ((r = start(l, l->ld->image->off_program)))
		return r;
	while (status == SWL_RUNNING && !(dhcsr & (DHCSR_S_HALT | DHCSR_S_LOCKUP))) {
		for (size_t i = 0; i < n && !r; i++)
			r = feed(l, i, &jobs[i], rp[i]);
		for (size_t i = 0; i < n && !r; i++)
			if (!(r = sw_mem_queue_read32(ap, l->params + SWL_OFF_JOB(i) + SWL_OFF_JOB_RP, &rp[i])))
				r = sw_mem_queue_read32(ap, l->params + SWL_OFF_JOB(i) + SWL_OFF_JOB_ERASED, &erased[i]);
		if (r || (r = sw_mem_queue_read32(ap, l->params + SWL_OFF_STATUS, &status)) ||
		    (r = sw_mem_queue_read32(ap, DHCSR_ADDR, &dhcsr)) || (r = sw_dap_run(sw_ap_dap(ap))))
			return sw_fail(l->ctx, r, "flash loader: streaming: %s", sw_errmsg(l->ctx));
		l->st.polls++;
		if (dhcsr & DHCSR_S_RESET_ST)
			return sw_fail(l->ctx, SW_ERR_TARGET_STATE,
				       "target reset during flash programming: flash not programmed (run the load again)");
		if (l->st.polls % 200 == 0)
			SW_LOG_D(l->ctx, "loader: poll %u: job0 wp %u rp %u erased %u", l->st.polls, l->p.job[0].wp,
				 rp[0], erased[0]);
		progress = 0;
		for (size_t i = 0; i < n; i++)
			progress += rp[i] + erased[i];
		stall = progress != last ? 0 : stall + 1;
		last = progress;
		if (stall > STALL_POLLS)
			return sw_fail(l->ctx, SW_ERR_TIMEOUT, "flash loader: programming made no progress");
	}
	if ((r = finish(l, dhcsr)))
		return r;
	for (size_t i = 0; i < n; i++)
		l->st.sectors_erased += l->p.job[i].erased;
	if (!want || l->p.verified != want)
		return SW_OK; /* a loader without read-back: the caller verifies */
	for (size_t i = 0; i < n && !r; i++)
		if (l->p.job[i].crc_out)
			r = sw_mem_read(ap, l->p.job[i].crc_out, jobs[i].crc, jobs[i].len / l->sector_size * 4u);
	if (r)
		return sw_fail(l->ctx, r, "flash loader: reading the verify CRCs: %s", sw_errmsg(l->ctx));
	*verified = true;
	l->st.sectors_verified += want;
	return SW_OK;
}

int sw_loader_close(struct sw_loader *l, struct sw_loader_stats *stats)
{
	int r, r2 = SW_OK;

	struct sw_core_state cs;

	if (!l)
		return SW_OK;
	/* After a reset (or anything else that set the core running) the
	 * saved context belongs to a program that no longer runs: leave it. */
	if (sw_core_poll(l->core, &cs) || !cs.halted) {
		SW_LOG_I(l->ctx, "flash loader: core not halted at close; registers not restored");
		sw_core_traps_resume(l->core, l->demcr); /* DEMCR survives a system reset */
		if (stats)
			*stats = l->st;
		free(l->backup);
		free(l);
		return SW_OK;
	}
	r = call(l, l->ld->image->off_uninit);
	/* CONTROL before MSP/PSP so the stack pointers land where they belong. */
	unsigned order[N_SAVED];
	uint64_t vals[N_SAVED];
	for (size_t i = 0; i < N_SAVED; i++) {
		order[i] = saved_regs[N_SAVED - 1 - i];
		vals[i] = l->saved[N_SAVED - 1 - i];
	}
	r2 = sw_core_regs_write(l->core, order, vals, N_SAVED);
	/* The program's code may live where the blob ran: after putting it
	 * back, the I-cache holds loader lines the core fetched after the
	 * loader's own ICIALLU (ARMv7-M ARM B2.2.7); invalidate before the
	 * program resumes. */
	if (!r2 && l->backup && !(r2 = sw_mem_write(sw_core_ap(l->core), l->code, l->backup, l->rings - l->code)))
		r2 = sw_core_sync_code(l->core, l->code, l->rings - l->code);
	if (!r2)
		r2 = sw_core_traps_resume(l->core, l->demcr);
	if (stats)
		*stats = l->st;
	free(l->backup);
	free(l);
	return r ? r : r2;
}
