/* The in-process "sim" probe: the generic SWD engine driving the simulated
 * chip's wire bit by bit, costed like a J-Link (reference/perf.md §6). */
#include <stdlib.h>

#include "probes/sim_probe.h"
#include "probes/swd_engine.h"

/* A J-Link's SWD buffer as OpenOCD and libjaylink assume it: three
 * 2048-byte bit arrays (direction, out, in), so 16384 bits per
 * jaylink_swd_io() exchange (OpenOCD jlink.c: the default when the probe
 * reports no free memory, and its cap when it does; reference/jlink.md
 * "SWD queueing and batching"). */
#define SIM_PROBE_MAX_BITS 16384

struct sim_probe {
	struct sw_probe probe;
	struct sim *sim;
	struct sw_swd_engine *eng;
	unsigned flags;
	uint32_t swo_baud; /* SWO capture running at this rate; 0 = off */
};

static int wire_io(void *user, const uint8_t *dir, const uint8_t *out, uint8_t *in, size_t nbits)
{
	struct sim_probe *sp = user;
	size_t bo = 4 + 2 * ((nbits + 7) / 8), bi = (nbits + 7) / 8 + 1;
	int r = sim_wire_io(sp->sim, dir, out, in, nbits);

	sim_round_trip(sp->sim, bo, bi);
	return r;
}

/* J-Link EMU_CMD_HW_JTAG3 sizes: 4-byte header + dir + out, in + status. */
static void jlink_cost(void *user, size_t nbits, size_t *bo, size_t *bi)
{
	(void)user;
	*bo = 4 + 2 * ((nbits + 7) / 8);
	*bi = (nbits + 7) / 8 + 1;
}

static unsigned txn(void *user, uint8_t req, uint32_t *data, bool *parity_ok)
{
	struct sim_probe *sp = user;

	return sim_swd_raw(sp->sim, req, data, parity_ok);
}

static void end_batch(void *user, size_t ntxn)
{
	struct sim_probe *sp = user;

	sim_round_trip(sp->sim, 4 + 2 * ((ntxn * 46 + 7) / 8), (ntxn * 46 + 7) / 8 + 1);
}

/* The WAIT policy runs on virtual time: a backoff lets the chip run. */
static uint64_t sp_now(void *user)
{
	return sim_now_ns(((struct sim_probe *)user)->sim);
}

static void sp_sleep(void *user, uint64_t ns)
{
	sim_advance_ns(((struct sim_probe *)user)->sim, ns);
}

static int sp_transfer(struct sw_probe *p, struct sw_swd_req *reqs, size_t n)
{
	struct sim_probe *sp = p->priv;

	return sw_swd_engine_transfer(sp->eng, reqs, n);
}

static int sp_sequence(struct sw_probe *p, const uint8_t *bits, size_t nbits)
{
	struct sim_probe *sp = p->priv;

	return sw_swd_engine_sequence(sp->eng, bits, nbits);
}

static int sp_freq(struct sw_probe *p, uint32_t hz, uint32_t *actual)
{
	struct sim_probe *sp = p->priv;
	struct sim_timing t;

	if (hz == 0)
		return sw_fail(p->ctx, SW_ERR_ARG, "sim probe: frequency must be > 0");
	if (hz > 50000000u)
		hz = 50000000u; /* the fastest J-Link (ULTRA+/PRO) clamp, perf.md §6 */
	sim_get_timing(sp->sim, &t);
	t.swclk_hz = hz;
	sim_set_timing(sp->sim, &t);
	p->freq_hz = hz;
	*actual = hz;
	return SW_OK;
}

static int sp_nrst(struct sw_probe *p, bool asserted)
{
	struct sim_probe *sp = p->priv;

	sim_set_nrst(sp->sim, asserted);
	sim_round_trip(sp->sim, 4, 1);
	p->stats.round_trips++;
	return SW_OK;
}

static int sp_voltage(struct sw_probe *p, uint32_t *mv)
{
	(void)p;
	*mv = 3300;
	return SW_OK;
}

static void sp_close(struct sw_probe *p)
{
	struct sim_probe *sp = p->priv;

	sw_swd_engine_free(sp->eng);
	free(sp);
}

/* SWO: the probe's UART samples the simulated SWO pin. A rate more than
 * 3 % off the chip's yields framing errors on a real UART; here it yields
 * nothing [simplified]. One read is one USB exchange. */
static int sp_swo_start(struct sw_probe *p, uint32_t baud, uint32_t *actual)
{
	struct sim_probe *sp = p->priv;

	if (!baud)
		return sw_fail(p->ctx, SW_ERR_ARG, "sim probe: SWO baud rate 0");
	sp->swo_baud = baud;
	*actual = baud;
	return SW_OK;
}

static int sp_swo_read(struct sw_probe *p, uint8_t *buf, size_t max, size_t *len)
{
	struct sim_probe *sp = p->priv;
	uint32_t chip = 0;
	size_t n;

	*len = 0;
	if (!sp->swo_baud)
		return sw_fail(p->ctx, SW_ERR_TARGET_STATE, "sim probe: SWO capture not started");
	n = sim_swo_take(sp->sim, buf, max, &chip);
	sim_round_trip(sp->sim, 9, 8 + n);
	p->stats.round_trips++;
	if (chip && (uint64_t)(chip > sp->swo_baud ? chip - sp->swo_baud : sp->swo_baud - chip) * 100u <=
			    3u * (uint64_t)sp->swo_baud)
		*len = n;
	return SW_OK;
}

static int sp_swo_stop(struct sw_probe *p)
{
	((struct sim_probe *)p->priv)->swo_baud = 0;
	return SW_OK;
}

static const struct sw_probe_ops sim_ops = {
	.name = "sim",
	.swd_transfer = sp_transfer,
	.swj_sequence = sp_sequence,
	.set_freq_hz = sp_freq,
	.set_nrst = sp_nrst,
	.target_voltage_mv = sp_voltage,
	.close = sp_close,
	.swo_start = sp_swo_start,
	.swo_read = sp_swo_read,
	.swo_stop = sp_swo_stop,
};

int sw_sim_probe_open(struct sw_ctx *ctx, struct sim *sim, unsigned flags, struct sw_probe **out)
{
	struct sim_probe *sp = calloc(1, sizeof(*sp));
	struct sw_swd_backend be = {0};
	struct sim_timing t;
	int r;

	*out = NULL;
	if (!sp)
		return sw_fail(ctx, SW_ERR_NOMEM, "sim probe: out of memory");
	sp->sim = sim;
	sp->flags = flags;
	be.user = sp;
	be.io = wire_io;
	be.max_bits = SIM_PROBE_MAX_BITS;
	be.cost = jlink_cost;
	be.now_ns = sp_now;
	be.sleep_ns = sp_sleep;
	if (flags & SW_SIM_PROBE_TXN) {
		be.txn = txn;
		be.end_batch = end_batch;
	}
	sp->probe.ops = &sim_ops;
	sp->probe.ctx = ctx;
	sp->probe.priv = sp;
	sim_get_timing(sim, &t);
	sp->probe.freq_hz = t.swclk_hz;
	r = sw_swd_engine_new(ctx, &be, &sp->probe.stats, &sp->eng);
	if (r) {
		free(sp);
		return r;
	}
	*out = &sp->probe;
	return SW_OK;
}
