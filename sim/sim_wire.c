/* SWD wire, bit by bit (ADIv5.2 B4 protocol, B5 SWJ-DP sequences). The host
 * side says per cycle whether it drives SWDIO; the target drives during ACK
 * and read data. A line nobody drives reads 1 (pull-up). */
#include "sim/sim_internal.h"
#include "probes/probe.h"

/* Selection alert (ADIv5.2 B5.3.4), 128 bits sent LSB first. */
static const uint64_t alert_lo = 0x86852D956209F392ull;
static const uint64_t alert_hi = 0x19BC0EA2E3DDAFE9ull;

static void enter_lockout(struct sim_wire *w)
{
	w->phase = PH_LOCKOUT;
}

static void shift_in(struct sim_wire *w, unsigned bit)
{
	w->shift_lo = (w->shift_lo >> 1) | ((w->shift_hi & 1u) << 63);
	w->shift_hi = (w->shift_hi >> 1) | ((uint64_t)bit << 63);
}

static uint16_t last16(const struct sim_wire *w)
{
	return (uint16_t)(w->shift_hi >> 48);
}

/* Link-level sequences on host-driven bits. Returns true if the bit was
 * consumed by a sequence (no packet processing). */
static bool sequences(struct sim *sim, unsigned bit)
{
	struct sim_wire *w = &sim->wire;

	shift_in(w, bit);
	if (w->since_reset < 1000)
		w->since_reset++;
	if (!bit && w->ones >= 50)
		w->since_reset = 1; /* first bit after a line reset */
	if (bit) {
		if (++w->ones >= 50 && w->link == SIM_LINK_SWD) {
			/* Line reset (B4.3.3): protocol back to idle, DPIDR read needed. */
			w->phase = PH_IDLE;
			sim_dp_line_reset(sim);
			return true;
		}
	} else {
		w->ones = 0;
	}
	switch (w->link) {
	case SIM_LINK_JTAG:
		if (last16(w) == 0xE79E) /* JTAG-to-SWD select (B5.2.2) */
			w->link = SIM_LINK_SWD, enter_lockout(w);
		return true;
	case SIM_LINK_DORMANT:
		if (w->alert_seen) {
			/* 4 idle cycles, then the 8-bit activation code 0x1A for SWD. */
			if (++w->alert_bits == 12) {
				w->alert_seen = false;
				if (((w->shift_hi >> 56) & 0xFFu) == 0x1A)
					w->link = SIM_LINK_SWD, enter_lockout(w);
			}
		} else if (w->shift_lo == alert_lo && w->shift_hi == alert_hi) {
			w->alert_seen = true;
			w->alert_bits = 0;
		}
		return true;
	case SIM_LINK_SWD:
		if (w->since_reset == 16 && last16(w) == 0xE3BC) {
			/* SWD-to-dormant: line reset then 0xE3BC (ADIv5.2 B5.3.3). */
			w->link = SIM_LINK_DORMANT;
			w->alert_seen = false;
			return true;
		}
		return w->ones >= 50;
	}
	return false;
}

static bool request_valid(uint8_t r)
{
	/* start=1, parity over APnDP RnW A2 A3, stop=0, park=1 */
	unsigned par = ((r >> 1) ^ (r >> 2) ^ (r >> 3) ^ (r >> 4)) & 1u;

	return (r & 1u) && (((r >> 5) & 1u) == par) && !((r >> 6) & 1u) && ((r >> 7) & 1u);
}

static uint8_t req_byte(uint8_t r)
{
	/* wire bits 1..4 -> SW_REQ_AP, SW_REQ_READ, A2, A3 */
	return (uint8_t)(((r >> 1) & 1u) | (((r >> 2) & 1u) << 1) | (((r >> 3) & 3u) << 2));
}

/* Target side of one cycle. Returns the bit the target drives, or -1. */
static int target_cycle(struct sim *sim, bool host_drives, unsigned hbit)
{
	struct sim_wire *w = &sim->wire;
	int drive = -1;

	switch (w->phase) {
	case PH_LOCKOUT:
		break;
	case PH_IDLE:
		if (host_drives && hbit) {
			w->req = 1;
			w->nbit = 1;
			w->phase = PH_REQ;
		}
		break;
	case PH_REQ:
		w->req |= (uint8_t)((host_drives ? hbit : 1u) << w->nbit);
		if (++w->nbit == 8) {
			if (!request_valid(w->req)) {
				enter_lockout(w); /* protocol error: no reply (B4.2.5) */
				break;
			}
			w->phase = PH_TRN1;
		}
		break;
	case PH_TRN1: {
		bool flip;
		uint8_t r = req_byte(w->req);
		w->ack = (uint8_t)sim_dp_begin(sim, r, &flip);
		w->write = !(r & SW_REQ_READ);
		w->wdata_flip = w->write && flip;
		w->data_phase = w->ack == SW_ACK_OK || (sim->dp.ctrl_stat & 0x1u);
		if (w->ack == SW_ACK_NONE) {
			enter_lockout(w);
			break;
		}
		if (w->ack == SW_ACK_OK && !w->write) {
			uint32_t v = sim_dp_read_data(sim, r);
			unsigned p = (unsigned)__builtin_parity(v) ^ (flip ? 1u : 0u);
			w->data = v | ((uint64_t)p << 32);
		}
		w->nbit = 0;
		w->phase = PH_ACK;
		break;
	}
	case PH_ACK:
		drive = (w->ack >> w->nbit) & 1;
		if (++w->nbit == 3) {
			w->nbit = 0;
			if (w->write || !w->data_phase)
				w->phase = PH_TRN2;
			else
				w->phase = PH_RDATA;
		}
		break;
	case PH_RDATA:
		if (w->ack == SW_ACK_OK)
			drive = (int)((w->data >> w->nbit) & 1u);
		if (++w->nbit == 33)
			w->phase = PH_TRN2, w->nbit = 0;
		break;
	case PH_TRN2:
		w->nbit = 0;
		w->data = 0;
		w->phase = (w->write && w->data_phase) ? PH_WDATA : PH_IDLE;
		break;
	case PH_WDATA:
		w->data |= (uint64_t)(host_drives ? hbit : 1u) << w->nbit;
		if (++w->nbit == 33) {
			uint32_t v = (uint32_t)w->data;
			bool pok = (unsigned)__builtin_parity(v) == ((w->data >> 32) & 1u) && !w->wdata_flip;
			if (w->ack == SW_ACK_OK)
				sim_dp_write_data(sim, req_byte(w->req), v, pok);
			w->phase = PH_IDLE;
		}
		break;
	}
	return drive;
}

int sim_wire_io(struct sim *sim, const uint8_t *dir, const uint8_t *out, uint8_t *in, size_t nbits)
{
	for (size_t i = 0; i < nbits; i++) {
		bool hd = dir ? (((unsigned)dir[i / 8] >> (i % 8)) & 1u) : true;
		unsigned hb = (hd && out) ? ((unsigned)out[i / 8] >> (i % 8)) & 1u : 0u;
		int tb = -1;

		sim->pending_cycles++;
		if (!(hd && sequences(sim, hb)))
			tb = target_cycle(sim, hd, hb);
		else if (!hd)
			tb = -1;
		if (in && !hd) {
			unsigned v = tb < 0 ? 1u : (unsigned)tb;
			if (v)
				in[i / 8] = (uint8_t)(in[i / 8] | (1u << (i % 8)));
			else
				in[i / 8] = (uint8_t)(in[i / 8] & ~(1u << (i % 8)));
		}
	}
	sim->cnt.swclk_cycles += nbits;
	return SW_OK;
}

/* Transaction shortcut: same register semantics, 46 cycles charged
 * (8 request + 1 turnaround + 3 ACK + 33 data + 1 turnaround). */
unsigned sim_swd_raw(struct sim *sim, uint8_t req, uint32_t *data, bool *parity_ok)
{
	unsigned ack;

	*parity_ok = true;
	sim->pending_cycles += 46;
	sim->cnt.swclk_cycles += 46;
	if (sim->wire.link != SIM_LINK_SWD || sim->wire.phase == PH_LOCKOUT)
		return SW_ACK_NONE;
	ack = sim_dp_transaction(sim, req, data, parity_ok);
	if (ack == SW_ACK_NONE)
		sim->wire.phase = PH_LOCKOUT;
	return ack;
}
