/* Thin wrappers over struct sw_probe_ops, and the standard SWJ sequences. */
#include "probes/probe.h"

void sw_probe_set_busy(struct sw_probe *p, void (*fn)(void *user), void *user)
{
	if (!p)
		return;
	p->busy = fn;
	p->busy_user = fn ? user : NULL;
}

void sw_probe_busy(struct sw_probe *p)
{
	void (*fn)(void *user);

	if (!p || !(fn = p->busy))
		return;
	/* The hook must not run inside itself (it never uses the probe, but
	 * a future one might). */
	p->busy = NULL;
	fn(p->busy_user);
	p->busy = fn;
}

int sw_probe_swd_transfer(struct sw_probe *p, struct sw_swd_req *reqs, size_t n)
{
	int r;

	if (!p || !p->ops || !p->ops->swd_transfer)
		return SW_ERR_NOT_SUPPORTED;
	r = p->ops->swd_transfer(p, reqs, n);
	sw_probe_busy(p);
	return r;
}

int sw_probe_swj_sequence(struct sw_probe *p, const uint8_t *bits, size_t nbits)
{
	int r;

	if (!p || !p->ops || !p->ops->swj_sequence)
		return SW_ERR_NOT_SUPPORTED;
	r = p->ops->swj_sequence(p, bits, nbits);
	sw_probe_busy(p);
	return r;
}

int sw_probe_set_freq(struct sw_probe *p, uint32_t hz, uint32_t *actual_hz)
{
	uint32_t dummy;

	if (!p || !p->ops || !p->ops->set_freq_hz)
		return SW_ERR_NOT_SUPPORTED;
	return p->ops->set_freq_hz(p, hz, actual_hz ? actual_hz : &dummy);
}

int sw_probe_set_nrst(struct sw_probe *p, bool asserted)
{
	int r;

	if (!p || !p->ops || !p->ops->set_nrst)
		return SW_ERR_NOT_SUPPORTED;
	r = p->ops->set_nrst(p, asserted);
	sw_probe_busy(p);
	return r;
}

void sw_probe_close(struct sw_probe *p)
{
	if (p && p->ops && p->ops->close)
		p->ops->close(p);
}

/* ADIv5.2 B5.2.1 line reset: at least 50 cycles with SWDIO high, then at
 * least two idle cycles (low) so a following packet header is recognised. */
static const uint8_t line_reset_bits[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00};

int sw_swj_line_reset(struct sw_probe *p)
{
	return sw_probe_swj_sequence(p, line_reset_bits, 64);
}

/* ADIv5.2 B5.2.2: line reset, the 16-bit JTAG-to-SWD select 0xE79E (sent LSB
 * first), line reset, then idle. 136 cycles in all (reference/perf.md §6). */
int sw_swj_jtag_to_swd(struct sw_probe *p)
{
	static const uint8_t seq[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x9e, 0xe7,
				      0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00};

	return sw_probe_swj_sequence(p, seq, 136);
}

/* ADIv6 B5.3 (ADIv5.2 B5.3.4): from dormant, at least 8 cycles high, the
 * 128-bit Selection Alert sequence, 4 cycles low, then the 8-bit SWD
 * activation code 0x1A, then a line reset. */
int sw_swj_dormant_to_swd(struct sw_probe *p)
{
	static const uint8_t seq[] = {
		0xff,                                           /* 8 cycles high */
		0x92, 0xf3, 0x09, 0x62, 0x95, 0x2d, 0x85, 0x86, /* selection alert, LSB first */
		0xe9, 0xaf, 0xdd, 0xe3, 0xa2, 0x0e, 0xbc, 0x19,
		0xa0, 0x01,                                     /* 4 low, 0x1A activation, 4 low */
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, /* line reset + idle */
	};

	return sw_probe_swj_sequence(p, seq, sizeof(seq) * 8);
}
