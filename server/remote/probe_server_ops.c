/* probe-server request handlers: each checks the payload exactly, runs the
 * probe call, and answers with {status, message, body}. Any malformed
 * request ends the connection (logged with the peer address). */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "server/remote/probe_server_priv.h"
#include "server/remote/rp_io.h"

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void status(struct sw_probe_server *ps, struct sw_rp_wr *w, int r)
{
	sw_rp_put_status(w, r, r ? sw_errmsg(ps->ctx) : NULL);
}

static int on_hello(struct sw_probe_server *ps, struct sw_rp_rd *rd, struct sw_rp_wr *w)
{
	uint32_t magic = sw_rp_u32(rd);
	uint16_t major = sw_rp_u16(rd);
	const char *name = ps->cfg.probe->ops->name;

	if (rd->bad || magic != SW_RP_MAGIC)
		return sw_fail_quiet(&ps->peer_ctx, SW_ERR_PROTO, "HELLO without the SWRP magic");
	if (major != SW_RP_VERSION_MAJOR) {
		char m[80];
		snprintf(m, sizeof(m), "protocol %u not supported (server speaks %u.%u)", major, SW_RP_VERSION_MAJOR,
			 SW_RP_VERSION_MINOR);
		sw_rp_put_status(w, SW_ERR_NOT_SUPPORTED, m);
		return sw_fail_quiet(&ps->peer_ctx, SW_ERR_NOT_SUPPORTED, "%s", m);
	}
	sw_rp_put_status(w, SW_OK, NULL);
	sw_rp_put16(w, SW_RP_VERSION_MAJOR);
	sw_rp_put16(w, SW_RP_VERSION_MINOR);
	sw_rp_put32(w, SW_RP_MAX_BATCH);
	sw_rp_put32(w, ps->cfg.probe->freq_hz);
	sw_rp_put8(w, (uint8_t)strlen(name));
	sw_rp_putbytes(w, name, strlen(name));
	ps->hello_done = true;
	return SW_OK;
}

static int on_batch(struct sw_probe_server *ps, const uint8_t *p, size_t len, struct sw_rp_wr *w)
{
	size_t n;
	uint64_t t0;
	int r;

	if ((r = sw_rp_batch_decode(&ps->peer_ctx, p, len, ps->reqs, SW_RP_MAX_BATCH, &n)))
		return r;
	t0 = mono_ns();
	r = sw_probe_swd_transfer(ps->cfg.probe, ps->reqs, n);
	status(ps, w, r);
	sw_rp_batch_reply_encode(w, ps->reqs, n, r == SW_OK, (uint32_t)((mono_ns() - t0) / 1000u));
	return SW_OK;
}

static int on_small(struct sw_probe_server *ps, uint8_t type, struct sw_rp_rd *rd, struct sw_rp_wr *w)
{
	struct sw_probe *pr = ps->cfg.probe;
	uint32_t v = 0, nbits;
	int r = SW_OK;

	switch (type) {
	case SW_RP_SWJ:
		nbits = sw_rp_u32(rd);
		if (rd->bad || !nbits || nbits > SW_RP_MAX_SWJ_BITS || rd->n != 4 + (nbits + 7) / 8)
			return sw_fail_quiet(&ps->peer_ctx, SW_ERR_PROTO, "bad line sequence message");
		r = sw_probe_swj_sequence(pr, rd->p + 4, nbits);
		status(ps, w, r);
		return SW_OK;
	case SW_RP_FREQ:
		v = sw_rp_u32(rd);
		if (rd->n != 4 || !v)
			return sw_fail_quiet(&ps->peer_ctx, SW_ERR_PROTO, "bad FREQ message");
		r = sw_probe_set_freq(pr, v, &v);
		break;
	case SW_RP_NRST:
		v = sw_rp_u8(rd);
		if (rd->n != 1 || v > 1)
			return sw_fail_quiet(&ps->peer_ctx, SW_ERR_PROTO, "bad NRST message");
		r = sw_probe_set_nrst(pr, v != 0);
		status(ps, w, r);
		return SW_OK;
	case SW_RP_VOLTAGE:
		if (rd->n)
			return sw_fail_quiet(&ps->peer_ctx, SW_ERR_PROTO, "bad VOLTAGE message");
		r = pr->ops->target_voltage_mv ? pr->ops->target_voltage_mv(pr, &v)
					      : sw_fail(ps->ctx, SW_ERR_NOT_SUPPORTED, "probe cannot measure voltage");
		break;
	default:
		return sw_fail_quiet(&ps->peer_ctx, SW_ERR_PROTO, "unexpected message type 0x%02x", type);
	}
	status(ps, w, r);
	if (!r)
		sw_rp_put32(w, v);
	return SW_OK;
}

static int on_stats(struct sw_probe_server *ps, struct sw_rp_rd *rd, struct sw_rp_wr *w)
{
	const struct sw_probe_stats *s = &ps->cfg.probe->stats;

	if (rd->n)
		return sw_fail_quiet(&ps->peer_ctx, SW_ERR_PROTO, "bad STATS message");
	sw_rp_put_status(w, SW_OK, NULL);
	sw_rp_put64(w, s->swd_cycles);
	sw_rp_put64(w, s->transactions);
	sw_rp_put64(w, s->round_trips);
	sw_rp_put64(w, s->bytes_out);
	sw_rp_put64(w, s->bytes_in);
	sw_rp_put64(w, s->waits);
	sw_rp_put64(w, s->faults);
	sw_rp_put64(w, s->parity_errors);
	sw_rp_put64(w, ps->cfg.virtual_ns ? ps->cfg.virtual_ns(ps->cfg.user) : 0);
	return SW_OK;
}

static int dispatch(struct sw_probe_server *ps, const struct sw_rp_hdr *h, struct sw_rp_wr *w)
{
	struct sw_rp_rd rd = {ps->rx + SW_RP_HDR, h->len, 0, false};

	if (h->type & SW_RP_REPLY)
		return sw_fail_quiet(&ps->peer_ctx, SW_ERR_PROTO, "client sent a reply (type 0x%02x)", h->type);
	if (!ps->hello_done && h->type != SW_RP_HELLO)
		return sw_fail_quiet(&ps->peer_ctx, SW_ERR_PROTO, "first message is not HELLO");
	if (ps->hello_done && h->type == SW_RP_HELLO)
		return sw_fail_quiet(&ps->peer_ctx, SW_ERR_PROTO, "second HELLO");
	switch (h->type) {
	case SW_RP_HELLO: return on_hello(ps, &rd, w);
	case SW_RP_BATCH: return on_batch(ps, rd.p, rd.n, w);
	case SW_RP_STATS: return on_stats(ps, &rd, w);
	default: return on_small(ps, h->type, &rd, w);
	}
}

/* One complete request in ps->rx: answer it through the output queue. */
static int answer(struct sw_probe_server *ps)
{
	struct sw_rp_wr w = {ps->tx + SW_RP_HDR, SW_RP_MAX_PAYLOAD, 0, false};
	const struct sw_rp_hdr *h = &ps->rx_hdr;
	int r;

	if (ps->cfg.idle && ps->cfg.lan_model_ns)
		ps->cfg.idle(ps->cfg.user, ps->cfg.lan_model_ns);
	r = dispatch(ps, h, &w);
	/* A refused HELLO still gets its answer before the close. */
	if (w.n && !w.bad) {
		sw_rp_hdr_put(ps->tx, (uint8_t)(SW_RP_REPLY | h->type), (uint32_t)w.n);
		if (!sw_outq_put(&ps->out, ps->tx, SW_RP_HDR + w.n) && !r)
			r = sw_fail_quiet(&ps->peer_ctx, SW_ERR_IO, "its socket failed while taking a reply");
	}
	if (w.bad && !r)
		r = sw_fail_quiet(&ps->peer_ctx, SW_ERR_PROTO, "reply too large");
	return r;
}

/* Read what has arrived, never waiting: the header first (checked before
 * any payload is read), then exactly the payload, so the next request stays
 * in the socket until this one is answered. */
void sw_ps_serve_one(struct sw_probe_server *ps)
{
	char why[SW_ERRMSG_LEN + 32];
	int r = SW_OK;

	while (ps->active.conn && !sw_outq_len(&ps->out)) {
		size_t want = ps->rx_have < SW_RP_HDR ? SW_RP_HDR : SW_RP_HDR + ps->rx_hdr.len;
		ssize_t n = sw_tls_conn_recv(ps->active.conn, ps->rx + ps->rx_have, want - ps->rx_have);
		if (n == SW_ERR_CLOSED && !ps->rx_have) {
			sw_ps_drop_active(ps, "disconnected");
			return;
		}
		if (n < 0) {
			r = (int)n;
			break;
		}
		if (n == 0)
			return;
		if (!ps->rx_have)
			ps->msg_deadline_ms = sw_ps_now_ms() + MSG_MS;
		ps->rx_have += (size_t)n;
		if (ps->rx_have == SW_RP_HDR && (r = sw_rp_hdr_get(&ps->peer_ctx, ps->rx, &ps->rx_hdr)))
			break;
		if (ps->rx_have < SW_RP_HDR || ps->rx_have < SW_RP_HDR + ps->rx_hdr.len)
			continue;
		ps->rx_have = 0;
		ps->last_ms = sw_ps_now_ms();
		if ((r = answer(ps)))
			break;
	}
	if (r && ps->active.conn) {
		snprintf(why, sizeof(why), "dropped: %s", sw_errmsg(&ps->peer_ctx));
		sw_ps_drop_active(ps, why);
	}
}

void sw_ps_check_deadlines(struct sw_probe_server *ps, int64_t now)
{
	const char *why = NULL;

	if (sw_outq_stalled(&ps->out))
		why = "dropped: it took none of its reply for 10 s";
	else if (ps->rx_have && now > ps->msg_deadline_ms)
		why = "dropped: a request did not arrive whole within 10 s";
	else if (!ps->hello_done && now > ps->hello_deadline_ms)
		why = "dropped: no HELLO within 3 s";
	else if (!ps->rx_have && now - ps->last_ms > IDLE_MS)
		why = "dropped: idle for 30 min";
	if (why)
		sw_ps_drop_active(ps, why);
}
