/* The probe's busy hook (probes/probe.h): called after every exchange
 * while set and never inside itself; rsp_keepalive.c sends gdb its
 * keep-alive lines from it during a long monitor command. */
#include "adi/adi.h"
#include "probes/sim_probe.h"
#include "sim/sim.h"
#include "tests/test.h"

struct hook {
	struct sw_probe *probe;
	unsigned calls, nested;
	bool reenter; /* the hook does a probe exchange of its own */
};

static void on_busy(void *user)
{
	struct hook *h = user;

	h->calls++;
	if (h->reenter && h->calls < 100) { /* bounded: without the guard this would recurse */
		unsigned before = h->calls;
		struct sw_swd_req rq = {SW_REQ_READ, 0, 0}; /* DP DPIDR */
		(void)sw_probe_swd_transfer(h->probe, &rq, 1);
		h->nested += h->calls != before;
	}
}

static void test_busy_hook(void)
{
	struct sw_ctx ctx;
	struct sim *sim;
	struct sw_probe *probe;
	sw_dap *dap;
	struct hook h = {NULL, 0, 0, false};
	struct sw_swd_req rq = {SW_REQ_READ, 0, 0};

	sw_ctx_init(&ctx);
	ctx.level = SW_LOG_NONE;
	CHECK_OK(sim_new(&ctx, "stm32h743", &sim));
	CHECK_OK(sw_sim_probe_open(&ctx, sim, 0, &probe));
	h.probe = probe;
	CHECK_OK(sw_dap_new(&ctx, probe, &dap));
	CHECK_OK(sw_dap_connect(dap, 0));
	/* Not set: nothing is called. */
	sw_probe_busy(probe);
	CHECK_EQ_U(h.calls, 0);
	sw_probe_set_busy(probe, on_busy, &h);
	CHECK_OK(sw_probe_swd_transfer(probe, &rq, 1));
	CHECK_EQ_U(h.calls, 1);
	CHECK_OK(sw_swj_line_reset(probe));
	CHECK_EQ_U(h.calls, 2);
	CHECK_OK(sw_dap_connect(dap, 0)); /* the ADI layer's exchanges count too */
	CHECK(h.calls > 2);
	/* An exchange inside the hook does not call it again. */
	h.reenter = true;
	h.calls = 0;
	CHECK_OK(sw_probe_swd_transfer(probe, &rq, 1));
	CHECK_EQ_U(h.calls, 1);
	CHECK_EQ_U(h.nested, 0);
	h.reenter = false;
	/* Removed: nothing more. */
	sw_probe_set_busy(probe, NULL, NULL);
	h.calls = 0;
	CHECK_OK(sw_probe_swd_transfer(probe, &rq, 1));
	sw_probe_busy(probe);
	CHECK_EQ_U(h.calls, 0);
	sw_dap_free(dap);
	sw_probe_close(probe);
	sim_free(sim);
}

int main(void)
{
	RUN_TEST(test_busy_hook);
	return TEST_MAIN_END();
}
