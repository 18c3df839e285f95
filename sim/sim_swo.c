/* SWO output model (see sim_swo.h). The SWO block uses the TPIU register
 * layout for what matters here (CoreSight TPIU TRM / ARMv7-M ARM C1.10):
 * ACPR/CODR 0x010 (baud = clk / (CODR + 1)), SPPR 0x0F0 (1 Manchester,
 * 2 NRZ). The funnel's CTRL (0x000) bit 0 enables its input 0, the M7's
 * ITM. Only NRZ is modelled; Manchester output reaches no UART. Trace
 * data is the ITM's packet stream, unformatted (a SWO has no formatter). */
#include <stdlib.h>
#include <string.h>

#include "sim/sim_core.h"
#include "sim/sim_internal.h"
#include "sim/sim_swo.h"

#define SWO_CODR 0x010u
#define SWO_SPPR 0x0F0u
#define SWO_SPPR_NRZ 2u
#define SWTF_CTRL 0x000u
#define SWTF_ENS0 1u
#define DBGMCU_TRACECLKEN (1u << 20)
#define SWO_FIFO 8192u

struct sim_swo {
	struct sim *sim;
	const uint32_t *dbgmcu_cr;
	uint32_t clk_hz;
	uint32_t codr, sppr, swtf_ctrl;
	uint64_t last_ns;
	uint64_t bit_carry; /* bit-times (x1e9) not yet a whole byte */
	uint8_t fifo[SWO_FIFO];
	size_t len;
};

static int swo_read(void *opaque, uint32_t off, unsigned size, uint32_t *val)
{
	struct sim_swo *s = opaque;

	(void)size;
	*val = off == SWO_CODR ? s->codr : off == SWO_SPPR ? s->sppr : 0;
	return 0;
}

static int swo_write(void *opaque, uint32_t off, unsigned size, uint32_t val)
{
	struct sim_swo *s = opaque;

	if (size != 4)
		return 0;
	if (off == SWO_CODR)
		s->codr = val & 0x1FFFu;
	else if (off == SWO_SPPR)
		s->sppr = val & 3u;
	return 0;
}

static int swtf_read(void *opaque, uint32_t off, unsigned size, uint32_t *val)
{
	struct sim_swo *s = opaque;

	(void)size;
	*val = off == SWTF_CTRL ? s->swtf_ctrl : 0;
	return 0;
}

static int swtf_write(void *opaque, uint32_t off, unsigned size, uint32_t val)
{
	struct sim_swo *s = opaque;

	if (size == 4 && off == SWTF_CTRL)
		s->swtf_ctrl = val & 0xFFFu;
	return 0;
}

int sim_swo_attach(struct sim *sim, struct sim_bus *apb, uint32_t swo_base, uint32_t swtf_base,
		   const uint32_t *dbgmcu_cr, uint32_t swo_clk_hz)
{
	struct sim_swo *s = calloc(1, sizeof(*s));

	if (!s)
		return sw_fail(sim->ctx, SW_ERR_NOMEM, "sim: out of memory (SWO)");
	s->sim = sim;
	s->dbgmcu_cr = dbgmcu_cr;
	s->clk_hz = swo_clk_hz;
	s->sppr = 1; /* reset value: Manchester */
	if (sim_bus_add_mmio(apb, "swo", swo_base, 0x1000, swo_read, swo_write, s) ||
	    sim_bus_add_mmio(apb, "swtf", swtf_base, 0x1000, swtf_read, swtf_write, s)) {
		free(s);
		return sw_fail(sim->ctx, SW_ERR_NOMEM, "sim: cannot map the SWO block");
	}
	sim->swo = s;
	return SW_OK;
}

void sim_swo_free(struct sim_swo *swo)
{
	free(swo);
}

static bool swo_on(const struct sim_swo *s)
{
	return s->sppr == SWO_SPPR_NRZ && (s->swtf_ctrl & SWTF_ENS0) &&
	       (!s->dbgmcu_cr || (*s->dbgmcu_cr & DBGMCU_TRACECLKEN));
}

size_t sim_swo_take(struct sim *sim, uint8_t *buf, size_t max, uint32_t *baud)
{
	struct sim_swo *s = sim->swo;
	uint64_t now = sim_now_ns(sim), bytes;
	uint32_t rate;
	size_t n;

	*baud = 0;
	if (!s)
		return 0;
	/* Packets the ITM made meanwhile join the output FIFO (whether or not
	 * the pin runs: with trace off they are simply lost). */
	if (sim->n_cores)
		s->len += sim_core_itm_packets_take(sim->cores[0], s->fifo + s->len, SWO_FIFO - s->len);
	if (!swo_on(s)) {
		s->len = 0;
		s->last_ns = now;
		s->bit_carry = 0;
		return 0;
	}
	rate = s->clk_hz / (s->codr + 1u);
	*baud = rate;
	/* UART 8N1: 10 bit times per byte. An idle line carries nothing over. */
	s->bit_carry += (now - s->last_ns) * (uint64_t)rate;
	s->last_ns = now;
	bytes = s->bit_carry / (10ull * 1000000000ull);
	if (bytes > s->len) {
		bytes = s->len;
		s->bit_carry = 0;
	} else {
		s->bit_carry -= bytes * 10ull * 1000000000ull;
	}
	n = bytes < max ? (size_t)bytes : max;
	memcpy(buf, s->fifo, n);
	memmove(s->fifo, s->fifo + n, s->len - n);
	s->len -= n;
	return n;
}
