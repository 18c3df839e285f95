/* SW-DP model: ADIv5.2 DPv2 and ADIv6 DPv3 register files (ADIv5.2 B2.2,
 * ADIv6 B2.2), sticky error rules (ADIv5.2 B4.2.1/B4.2.5), posted AP reads
 * (B4.2.2) and the fault-injection hooks. One call = one SWD packet. */
#include "sim/sim_internal.h"
#include "probes/probe.h"

#define CS_STICKY (0x2u | 0x10u | 0x20u | 0x80u) /* STICKYORUN, STICKYCMP, STICKYERR, WDATAERR */
#define CS_ORUNDETECT 0x1u
#define CS_STICKYORUN 0x2u
#define CS_STICKYERR 0x20u
#define CS_WDATAERR 0x80u
#define CS_CDBGPWRUPREQ (1u << 28)
#define CS_CSYSPWRUPREQ (1u << 30)
#define CS_WRITABLE (CS_ORUNDETECT | (0xFFFu << 8) | (3u << 24) | CS_CDBGPWRUPREQ | CS_CSYSPWRUPREQ | (1u << 26))

void sim_dp_init(struct sim *sim)
{
	sim->dp.ctrl_stat = 0;
	sim->dp.select = 0;
	sim->dp.select1 = 0;
	sim->dp.rdbuff = 0;
	sim->dp.need_dpidr = true;
	sim->wire.link = SIM_LINK_JTAG; /* an SWJ-DP powers up in JTAG (ADIv5.2 B5.2) */
}

/* A line reset leaves SELECT undefined-but-kept and requires a DPIDR read. */
void sim_dp_line_reset(struct sim *sim)
{
	sim->dp.need_dpidr = true;
}

static bool is_dp(uint8_t req)
{
	return !(req & SW_REQ_AP);
}

static unsigned dp_bank(const struct sim *sim)
{
	return sim->dp.select & 0xFu;
}

/* Accesses allowed while a sticky flag is set (ADIv5.2 B4.2.1): DPIDR read,
 * CTRL/STAT read, ABORT write (and TARGETSEL on DPv2). */
static bool allowed_when_sticky(const struct sim *sim, uint8_t req)
{
	uint8_t a = SW_REQ_ADDR(req);

	if (!is_dp(req))
		return false;
	if (req & SW_REQ_READ)
		return a == 0x0 || (a == 0x4 && dp_bank(sim) == 0);
	return a == 0x0 || a == 0xC;
}

static bool ap_or_rdbuff(uint8_t req)
{
	return !is_dp(req) || ((req & SW_REQ_READ) && SW_REQ_ADDR(req) == 0xC);
}

/* Fault injection applies to AP accesses and RDBUFF reads for WAIT/FAULT,
 * to reads for PARITY, to writes for WPARITY, and to anything for NORESP. */
static bool injected(struct sim *sim, uint8_t req, enum sim_fault *f)
{
	bool eligible;

	if (!sim->fault_count)
		return false;
	switch (sim->fault) {
	case SIM_FAULT_WAIT:
	case SIM_FAULT_FAULT:
		eligible = ap_or_rdbuff(req);
		break;
	case SIM_FAULT_PARITY: eligible = (req & SW_REQ_READ) != 0; break;
	case SIM_FAULT_WPARITY: eligible = (req & SW_REQ_READ) == 0; break;
	default: eligible = true; break;
	}
	if (!eligible)
		return false;
	if (sim->fault_skip) {
		sim->fault_skip--;
		return false;
	}
	sim->fault_count--;
	sim->cnt.faults_fired++;
	*f = sim->fault;
	return true;
}

/* Decide the ACK of a request. *parity_flip is set for an injected parity error. */
static unsigned dp_ack(struct sim *sim, uint8_t req, bool *parity_flip)
{
	enum sim_fault f;

	*parity_flip = false;
	if (sim->dp.need_dpidr && !(is_dp(req) && (req & SW_REQ_READ) && SW_REQ_ADDR(req) == 0))
		return SW_ACK_NONE; /* ADIv5.2 B4.3.3: only a DPIDR read after a line reset */
	/* A set sticky flag answers FAULT before the AP is even asked. */
	if ((sim->dp.ctrl_stat & CS_STICKY) && !allowed_when_sticky(sim, req)) {
		sim->cnt.faults++;
		return SW_ACK_FAULT;
	}
	/* An AP transaction still in progress (a stalled bus access): the next
	 * AP access or RDBUFF read gets WAIT (ADIv5.2 B4.2.3). DP accesses
	 * other than RDBUFF are answered at once. */
	if (sim->stall_armed && ap_or_rdbuff(req)) {
		if (sim->stall_skip) {
			sim->stall_skip--;
		} else {
			sim->stall_armed = false;
			sim->dp.ap_busy_until = sim_now_ns(sim) + sim->stall_ns;
		}
	}
	if (ap_or_rdbuff(req) && sim_now_ns(sim) < sim->dp.ap_busy_until) {
		sim->cnt.waits++;
		return SW_ACK_WAIT;
	}
	if (injected(sim, req, &f)) {
		switch (f) {
		case SIM_FAULT_WAIT: sim->cnt.waits++; return SW_ACK_WAIT;
		case SIM_FAULT_FAULT:
			if (!is_dp(req)) {
				/* The AP access is accepted (OK) and fails on the bus:
				 * STICKYERR is set and the *next* packet reports FAULT,
				 * as a failed posted write does (ADIv5.2 B4.2.1). */
				sim->dp.posted_fault = true;
				return SW_ACK_OK;
			}
			sim->dp.ctrl_stat |= CS_STICKYERR;
			sim->cnt.faults++;
			return SW_ACK_FAULT;
		case SIM_FAULT_PARITY:
		case SIM_FAULT_WPARITY: *parity_flip = true; break;
		case SIM_FAULT_NORESP: return SW_ACK_NONE;
		}
	}
	return SW_ACK_OK;
}

/* Overrun detection (ADIv5.2 B4.2.5): a WAIT or FAULT with ORUNDETECT set
 * makes STICKYORUN, so every later packet FAULTs until ABORT.ORUNERRCLR. */
static void note_not_ok(struct sim *sim, unsigned ack)
{
	if ((ack == SW_ACK_WAIT || ack == SW_ACK_FAULT) && (sim->dp.ctrl_stat & CS_ORUNDETECT))
		sim->dp.ctrl_stat |= CS_STICKYORUN;
}

static struct sim_ap *selected_ap(struct sim *sim, uint8_t req, uint32_t *reg)
{
	uint64_t addr;

	if (sim->dp.version >= 3) {
		/* ADIv6 B2.2.11: SELECT[31:4] and SELECT1 form the register address. */
		addr = ((uint64_t)sim->dp.select1 << 32) | (sim->dp.select & ~0xFu) | SW_REQ_ADDR(req);
		*reg = (uint32_t)(addr & 0xFFFu);
		return sim_ap_find(sim, addr & ~0xFFFull);
	}
	*reg = (sim->dp.select & 0xF0u) | SW_REQ_ADDR(req);
	return sim_ap_find(sim, sim->dp.select >> 24);
}

static uint32_t ctrl_stat_value(const struct sim *sim)
{
	uint32_t v = sim->dp.ctrl_stat;

	/* Power domains acknowledge the requests (ADIv5.2 B2.2.2: ACK follows REQ). */
	if (v & CS_CDBGPWRUPREQ)
		v |= 1u << 29;
	if (v & CS_CSYSPWRUPREQ)
		v |= 1u << 31;
	return v;
}

static uint32_t dp_read(struct sim *sim, uint8_t a)
{
	struct sim_dp *dp = &sim->dp;
	unsigned bank = dp_bank(sim);

	switch (a) {
	case 0x0:
		if (dp->version >= 3 && bank) {
			/* ADIv6: DPIDR1, BASEPTR0, BASEPTR1 are banked at 0x0. */
			return bank == 1 ? dp->dpidr1 : bank == 2 ? dp->baseptr0 : bank == 3 ? dp->baseptr1 : 0;
		}
		dp->need_dpidr = false;
		return dp->dpidr;
	case 0x4:
		switch (bank) {
		case 0: return ctrl_stat_value(sim);
		case 1: return dp->dlcr;
		case 2: return dp->targetid;
		case 3: return dp->dlpidr;
		case 4: return 0; /* EVENTSTAT */
		case 5: return dp->version >= 3 ? dp->select1 : 0;
		default: return 0;
		}
	case 0x8: return dp->last_rdata; /* RESEND: the last AP or RDBUFF read's data (B2.2.7) */
	default: return dp->rdbuff;      /* RDBUFF */
	}
}

static void dp_write(struct sim *sim, uint8_t a, uint32_t v)
{
	struct sim_dp *dp = &sim->dp;

	switch (a) {
	case 0x0: /* ABORT */
		if (v & 0x1u) {
			/* DAPABORT ends the AP transaction in flight (B2.2.1); a
			 * stalled read leaves RDBUFF unknown. */
			dp->ap_busy_until = 0;
			if (sim->fault == SIM_FAULT_WAIT)
				sim->fault_count = 0;
			dp->rdbuff = 0;
		}
		if (v & 0x2u)
			dp->ctrl_stat &= ~0x10u;
		if (v & 0x4u)
			dp->ctrl_stat &= ~CS_STICKYERR;
		if (v & 0x8u)
			dp->ctrl_stat &= ~CS_WDATAERR;
		if (v & 0x10u)
			dp->ctrl_stat &= ~CS_STICKYORUN;
		break;
	case 0x4:
		if (dp_bank(sim) == 0)
			dp->ctrl_stat = (dp->ctrl_stat & CS_STICKY) | (v & CS_WRITABLE);
		else if (dp_bank(sim) == 1)
			dp->dlcr = v & 0x300u;
		else if (dp_bank(sim) == 5 && dp->version >= 3)
			dp->select1 = v;
		break;
	case 0x8: dp->select = v; break;
	default: break; /* TARGETSEL: single-drop DP, ignored */
	}
}

static bool powered(const struct sim *sim)
{
	return (sim->dp.ctrl_stat & CS_CDBGPWRUPREQ) != 0;
}

static void ap_access(struct sim *sim, uint8_t req, uint32_t *data)
{
	uint32_t reg, v = 0;
	struct sim_ap *ap;

	sim_sync(sim);
	ap = selected_ap(sim, req, &reg);
	if (!powered(sim)) {
		/* Debug power domain off: the access cannot complete. */
		sim->dp.ctrl_stat |= CS_STICKYERR;
		if (req & SW_REQ_READ)
			*data = sim->dp.rdbuff;
		return;
	}
	if (sim->dp.posted_fault) {
		/* Injected bus failure: the access has no effect, STICKYERR. */
		sim->dp.posted_fault = false;
		sim->dp.ctrl_stat |= CS_STICKYERR;
		if (req & SW_REQ_READ) {
			*data = sim->dp.rdbuff;
			sim->dp.rdbuff = 0;
		}
		return;
	}
	sim->dp.in_ap_access = true;
	if (req & SW_REQ_READ) {
		/* Posted read (ADIv5.2 B4.2.2): return the previous result. */
		*data = sim->dp.rdbuff;
		if (!ap) {
			sim->dp.rdbuff = 0; /* an absent AP reads as zero (IDR 0 ends a scan) */
		} else {
			if (sim_ap_read(sim, ap, reg, &v))
				sim->dp.ctrl_stat |= CS_STICKYERR;
			sim->dp.rdbuff = v;
		}
	} else if (ap && sim_ap_write(sim, ap, reg, *data)) {
		sim->dp.ctrl_stat |= CS_STICKYERR;
	}
	sim->dp.in_ap_access = false;
}

/* Phase 1 of a packet: the ACK. */
unsigned sim_dp_begin(struct sim *sim, uint8_t req, bool *parity_flip)
{
	unsigned ack;

	sim->cnt.transactions++;
	ack = dp_ack(sim, req, parity_flip);
	note_not_ok(sim, ack);
	return ack;
}

/* Phase 2 for an OK read: the data. */
uint32_t sim_dp_read_data(struct sim *sim, uint8_t req)
{
	uint32_t v = 0;

	if (req & SW_REQ_AP)
		ap_access(sim, req, &v);
	else
		v = dp_read(sim, SW_REQ_ADDR(req));
	if (ap_or_rdbuff(req))
		sim->dp.last_rdata = v;
	return v;
}

/* Phase 2 for an OK write: the data and whether its parity was right. */
void sim_dp_write_data(struct sim *sim, uint8_t req, uint32_t v, bool parity_ok)
{
	if (!parity_ok) {
		sim->dp.ctrl_stat |= CS_WDATAERR; /* ADIv5.2 B4.2.4: write discarded */
		return;
	}
	if (req & SW_REQ_AP)
		ap_access(sim, req, &v);
	else
		dp_write(sim, SW_REQ_ADDR(req), v);
}

unsigned sim_dp_transaction(struct sim *sim, uint8_t req, uint32_t *data, bool *parity_ok)
{
	bool flip;
	unsigned ack = sim_dp_begin(sim, req, &flip);

	*parity_ok = true;
	if (ack != SW_ACK_OK)
		return ack;
	if (req & SW_REQ_READ) {
		*data = sim_dp_read_data(sim, req);
		*parity_ok = !flip;
	} else {
		sim_dp_write_data(sim, req, *data, !flip);
	}
	return ack;
}
