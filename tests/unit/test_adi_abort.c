/* ABORT must be verified (ADIv5.2 B2.2.1 ABORT, B2.2.2 CTRL/STAT): an
 * ABORT write is ACKed before its data phase, so one whose data the DP
 * discarded for a bad parity bit (B4.2.4, the simulator's WPARITY fault)
 * looks done while STICKYERR stays set and every later AP access FAULTs
 * (B4.2.1). The DAP layer reads CTRL/STAT back after each ABORT and fails
 * with a message naming the flags still set. */
#include "adi/adi.h"
#include "probes/sim_probe.h"
#include "sim/sim.h"
#include "tests/test.h"

#define RAM 0x24000000u

struct rig {
	struct sw_ctx ctx;
	struct sim *sim;
	struct sw_probe *probe;
	sw_dap *dap;
};

static int rig_open(struct rig *g)
{
	int r;

	memset(g, 0, sizeof(*g));
	sw_ctx_init(&g->ctx);
	g->ctx.level = SW_LOG_NONE;
	if ((r = sim_new(&g->ctx, "stm32h743", &g->sim)) || (r = sw_sim_probe_open(&g->ctx, g->sim, 0, &g->probe)) ||
	    (r = sw_dap_new(&g->ctx, g->probe, &g->dap)) || (r = sw_dap_connect(g->dap, 0)))
		return r;
	return SW_OK;
}

static void rig_close(struct rig *g)
{
	sw_dap_free(g->dap);
	sw_probe_close(g->probe);
	sim_free(g->sim);
}

/* Leave STICKYERR set: an injected FAULT on a raw RDBUFF read, past the
 * DAP layer, so nothing clears it. */
static void set_stickyerr(struct rig *g)
{
	struct sw_swd_req q = {SW_REQ_READ | SW_REQ_ADDR(0xC), 0, 0};

	sim_inject(g->sim, SIM_FAULT_FAULT, 0, 1);
	CHECK_EQ_U((uint32_t)sw_probe_swd_transfer(g->probe, &q, 1), (uint32_t)SW_ERR_SWD_FAULT);
}

static uint64_t fired(struct rig *g)
{
	struct sim_counters c;

	sim_get_counters(g->sim, &c);
	return c.faults_fired;
}

static uint32_t read_ram(struct rig *g, int *r)
{
	sw_ap *ap = NULL;
	uint32_t v = 0;

	*r = sw_ap_open(g->dap, 0, &ap);
	if (!*r)
		*r = sw_mem_read32(ap, RAM, &v);
	sw_ap_close(ap);
	return v;
}

/* sw_dap_clear_errors: CTRL/STAT read, ABORT of the flags it shows, then
 * CTRL/STAT again. */
static void test_clear_errors_abort_lost(void)
{
	struct rig g;
	uint32_t cs = 0;
	uint64_t n;
	int r;

	CHECK_OK(rig_open(&g));
	set_stickyerr(&g);
	n = fired(&g);
	sim_inject(g.sim, SIM_FAULT_WPARITY, 0, 1); /* the next write: the ABORT */
	r = sw_dap_clear_errors(g.dap, &cs);
	CHECK_EQ_U(fired(&g), n + 1);
	CHECK_MSG(r != SW_OK, "ABORT discarded by the DP, yet clear_errors says OK");
	CHECK_MSG(strstr(sw_errmsg(&g.ctx), "did not clear the sticky flags") &&
			  strstr(sw_errmsg(&g.ctx), "STICKYERR") && strstr(sw_errmsg(&g.ctx), "WDATAERR"),
		  "message: %s", sw_errmsg(&g.ctx));
	CHECK(cs & SW_DP_CTRL_STICKYERR);
	/* A second ABORT that lands clears both flags; memory works again. */
	CHECK_OK(sw_dap_clear_errors(g.dap, &cs));
	CHECK_OK(sw_dp_read(g.dap, SW_DP_CTRL_STAT, &cs));
	CHECK_EQ_U(cs & (SW_DP_CTRL_STICKYERR | SW_DP_CTRL_WDATAERR), 0);
	read_ram(&g, &r);
	CHECK_OK(r);
	rig_close(&g);
}

/* The AP access path: a FAULT is cleared through sw_dap_clear_errors; when
 * that ABORT is lost the error says so instead of "cleared". */
static void test_fault_path_reports_abort_lost(void)
{
	struct rig g;
	int r;

	CHECK_OK(rig_open(&g));
	set_stickyerr(&g);
	/* Writes that meet the set flag answer FAULT before their data phase
	 * (B4.2.1), so the first write to take the parity fault is the ABORT. */
	sim_inject(g.sim, SIM_FAULT_WPARITY, 0, 1);
	read_ram(&g, &r);
	CHECK(r != SW_OK);
	CHECK_MSG(strstr(sw_errmsg(&g.ctx), "did not clear the sticky flags") != NULL, "message: %s",
		  sw_errmsg(&g.ctx));
	CHECK_OK(sw_dap_clear_errors(g.dap, NULL));
	read_ram(&g, &r);
	CHECK_OK(r);
	rig_close(&g);
}

/* sw_dap_connect: the ABORT of a previous session's flags is checked
 * before anything else; the next connect recovers. */
static void test_connect_abort_lost(void)
{
	struct rig g;
	uint64_t n;
	int r;

	CHECK_OK(rig_open(&g));
	set_stickyerr(&g);
	n = fired(&g);
	sim_inject(g.sim, SIM_FAULT_WPARITY, 0, 1); /* connect's first write is its ABORT */
	r = sw_dap_connect(g.dap, 0);
	CHECK_EQ_U(fired(&g), n + 1);
	CHECK_MSG(r != SW_OK, "connect succeeded with the ABORT discarded");
	CHECK_MSG(strstr(sw_errmsg(&g.ctx), "ABORT (0x1e) did not clear the sticky flags") != NULL, "message: %s",
		  sw_errmsg(&g.ctx));
	CHECK_OK(sw_dap_connect(g.dap, 0));
	read_ram(&g, &r);
	CHECK_OK(r);
	rig_close(&g);
}

/* No injected fault: the check costs no failure and connect still works
 * with a flag left set by an earlier session. */
static void test_abort_that_lands(void)
{
	struct rig g;
	uint32_t cs = 0;
	int r;

	CHECK_OK(rig_open(&g));
	set_stickyerr(&g);
	CHECK_OK(sw_dap_connect(g.dap, 0));
	CHECK_OK(sw_dp_read(g.dap, SW_DP_CTRL_STAT, &cs));
	CHECK_EQ_U(cs & SW_DP_CTRL_STICKYERR, 0);
	set_stickyerr(&g);
	CHECK_OK(sw_dap_clear_errors(g.dap, &cs));
	CHECK(cs & SW_DP_CTRL_STICKYERR);
	read_ram(&g, &r);
	CHECK_OK(r);
	rig_close(&g);
}

int main(void)
{
	RUN_TEST(test_clear_errors_abort_lost);
	RUN_TEST(test_fault_path_reports_abort_lost);
	RUN_TEST(test_connect_abort_lost);
	RUN_TEST(test_abort_that_lands);
	return TEST_MAIN_END();
}
