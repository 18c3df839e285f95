/* RTT: control-block parsing and ring arithmetic (pure), and the engine
 * against a fake target memory (discovery, hostile blocks, down-channel
 * modes, the batched poll's order and read-ahead). test_rtt_sim.c runs it
 * against the simulated STM32H743. */
#include <stdlib.h>
#include <string.h>

#include "server/rtt/rtt.h"
#include "server/rtt/rtt_cb.h"
#include "sw/types.h"
#include "tests/test.h"

#define RAM_BASE 0x20000000u
#define RAM_SIZE 0x10000u

/* ---- pure parser -------------------------------------------------------- */

static void put_ring(uint8_t *d, uint32_t buf, uint32_t size, uint32_t wr, uint32_t rd, uint32_t flags)
{
	sw_le32_put(d + SW_RTT_OFF_NAME, 0);
	sw_le32_put(d + SW_RTT_OFF_BUF, buf);
	sw_le32_put(d + SW_RTT_OFF_SIZE, size);
	sw_le32_put(d + SW_RTT_OFF_WR, wr);
	sw_le32_put(d + SW_RTT_OFF_RD, rd);
	sw_le32_put(d + SW_RTT_OFF_FLAGS, flags);
}

static size_t put_header(uint8_t *b, uint32_t up, uint32_t down)
{
	memset(b, 0, SW_RTT_HDR_SIZE);
	memcpy(b, SW_RTT_ID, sizeof(SW_RTT_ID));
	sw_le32_put(b + 16, up);
	sw_le32_put(b + 20, down);
	return sw_rtt_cb_size(up, down);
}

static void test_parse(void)
{
	uint8_t b[512];
	struct sw_rtt_cb cb;
	struct sw_rtt_range ram = {RAM_BASE, RAM_SIZE};
	size_t len = put_header(b, 2, 1);

	put_ring(b + 24, RAM_BASE + 0x100, 64, 10, 5, 0);
	put_ring(b + 48, RAM_BASE + 0x200, 64, 64, 0, 0);      /* wr == size: out of bounds */
	put_ring(b + 72, RAM_BASE + 0x300, 32, 0, 0, 2);
	CHECK(sw_rtt_cb_parse(b, len, &ram, 1, &cb));
	CHECK_EQ_U(cb.n_up, 2u);
	CHECK_EQ_U(cb.n_down, 1u);
	CHECK(cb.up[0].valid && !cb.up[1].valid && cb.down[0].valid);
	CHECK_EQ_U(sw_rtt_ring_used(&cb.up[0]), 5u);
	CHECK_EQ_U(sw_rtt_ring_free(&cb.up[0]), 58u);
	CHECK_EQ_U(sw_rtt_ring_used(&cb.up[1]), 0u); /* invalid rings are empty */
	CHECK(!sw_rtt_cb_parse(b, len - 1, &ram, 1, &cb)); /* truncated */
	put_ring(b + 24, 0xFFFFFFF0u, 64, 0, 0, 0);           /* wraps the address space */
	CHECK(sw_rtt_cb_parse(b, len, NULL, 0, &cb) && !cb.up[0].valid);
	put_ring(b + 24, 0x40000000u, 64, 0, 0, 0);           /* a peripheral, not RAM */
	CHECK(sw_rtt_cb_parse(b, len, &ram, 1, &cb) && !cb.up[0].valid);
	put_ring(b + 24, RAM_BASE, 1, 0, 0, 0);               /* a one-byte ring holds nothing */
	CHECK(sw_rtt_cb_parse(b, len, &ram, 1, &cb) && !cb.up[0].valid);
	put_ring(b + 24, RAM_BASE, 0x7FFFFFFFu, 0, 0, 0);
	CHECK(sw_rtt_cb_parse(b, len, NULL, 0, &cb) && !cb.up[0].valid);
	put_header(b, 0, 1);
	CHECK(!sw_rtt_cb_parse(b, sizeof(b), NULL, 0, &cb));  /* no up channel */
	put_header(b, 17, 0);
	CHECK(!sw_rtt_cb_parse(b, sizeof(b), NULL, 0, &cb));  /* too many */
	put_header(b, 0xFFFFFFFFu, 1);
	CHECK(!sw_rtt_cb_parse(b, sizeof(b), NULL, 0, &cb));  /* negative */
	put_header(b, 1, 1);
	b[10] = 'x';                                          /* "SEGGER RTTx": not the id */
	CHECK(!sw_rtt_cb_parse(b, sizeof(b), NULL, 0, &cb));
}

static void test_ring_math(void)
{
	struct sw_rtt_ring r = {.buf = RAM_BASE, .size = 16, .wr = 3, .rd = 12, .valid = true};
	uint32_t len[2], drop;

	CHECK_EQ_U(sw_rtt_ring_used(&r), 7u);
	CHECK_EQ_U(sw_rtt_ring_free(&r), 8u);
	CHECK_EQ_U(sw_rtt_ring_split(&r, 12, 7, len), 2u);
	CHECK_EQ_U(len[0], 4u);
	CHECK_EQ_U(len[1], 3u);
	CHECK_EQ_U(sw_rtt_ring_split(&r, 2, 5, len), 1u);
	CHECK_EQ_U(len[0], 5u);
	CHECK_EQ_U(sw_rtt_ring_split(&r, 16, 1, len), 0u);
	r.flags = SW_RTT_MODE_BLOCK;
	CHECK_EQ_U(sw_rtt_down_plan(&r, 20, &drop), 8u);
	CHECK_EQ_U(drop, 0u);
	r.flags = SW_RTT_MODE_TRIM;
	CHECK_EQ_U(sw_rtt_down_plan(&r, 20, &drop), 8u);
	CHECK_EQ_U(drop, 12u);
	r.flags = SW_RTT_MODE_SKIP;
	CHECK_EQ_U(sw_rtt_down_plan(&r, 20, &drop), 0u);
	CHECK_EQ_U(drop, 20u);
	CHECK_EQ_U(sw_rtt_down_plan(&r, 8, &drop), 8u);
	CHECK_EQ_U(drop, 0u);
	CHECK_EQ_U(sw_rtt_ring_used_from(&r, 14), 5u); /* a reader ahead of RdOff */
	CHECK_EQ_U(sw_rtt_ring_used_from(&r, 16), 0u);
	{
		/* Max-min fair: the small demand is met whole, the rest is shared. */
		uint32_t want[3] = {40, 5000, 5000}, got[3];
		sw_rtt_fair_share(want, 3, 1000, 0, got);
		CHECK(got[0] == 40 && got[1] == 480 && got[2] == 480);
		sw_rtt_fair_share(want, 3, 20000, 0, got); /* enough for all */
		CHECK(got[0] == 40 && got[1] == 5000 && got[2] == 5000);
		want[0] = want[1] = want[2] = 10;
		sw_rtt_fair_share(want, 3, 2, 1, got); /* the odd bytes go round robin */
		CHECK(got[0] == 0 && got[1] == 1 && got[2] == 1);
	}
	CHECK(sw_rtt_find_id((const uint8_t *)"xxSEGGER RTT\0", 13) == 2);
	CHECK(sw_rtt_find_id((const uint8_t *)"xxSEGGER RTT", 12) == -1);
}

/* ---- engine against a fake memory -------------------------------------- */

struct fake {
	uint8_t ram[RAM_SIZE];
	uint64_t now;
	unsigned bad_access; /* accesses outside RAM */
	unsigned reads;
	uint8_t out[4096];
	size_t out_len;
	size_t room;
	/* The firmware writes this line into up ring 0 of the block at
	 * write_off just before the next write_times reads that start in
	 * [trig_lo, trig_hi) (offsets in RAM). */
	const char *write_on_read;
	uint32_t write_off, trig_lo, trig_hi;
	unsigned write_times;
};

static void fake_up_write(struct fake *f, uint32_t off, const char *s);

static int fake_read(void *user, uint32_t addr, void *buf, size_t len)
{
	struct fake *f = user;

	f->reads++;
	f->now += 100000; /* 0.1 ms per access */
	if (addr < RAM_BASE || (uint64_t)addr + len > RAM_BASE + (uint64_t)RAM_SIZE) {
		f->bad_access++;
		return SW_ERR_MEM_FAULT;
	}
	if (f->write_times && addr >= RAM_BASE + f->trig_lo && addr < RAM_BASE + f->trig_hi) {
		f->write_times--;
		fake_up_write(f, f->write_off, f->write_on_read);
	}
	memcpy(buf, f->ram + (addr - RAM_BASE), len);
	return 0;
}

static int fake_write(void *user, uint32_t addr, const void *buf, size_t len)
{
	struct fake *f = user;

	f->now += 100000;
	if (addr < RAM_BASE || (uint64_t)addr + len > RAM_BASE + (uint64_t)RAM_SIZE) {
		f->bad_access++;
		return SW_ERR_MEM_FAULT;
	}
	memcpy(f->ram + (addr - RAM_BASE), buf, len);
	return 0;
}

/* Queued accesses execute at once (the fake has no wire to batch on). */
static int fake_qread(void *user, uint32_t addr, uint32_t *dst, size_t n)
{
	uint8_t b[64];
	int r;

	if (n * 4 > sizeof(b))
		return fake_read(user, addr, dst, n * 4);
	if ((r = fake_read(user, addr, b, n * 4)))
		return r;
	for (size_t i = 0; i < n; i++)
		dst[i] = sw_le32_get(b + 4 * i);
	return 0;
}

static int fake_qwrite(void *user, uint32_t addr, const void *buf, size_t len)
{
	return fake_write(user, addr, buf, len);
}

static int fake_run(void *user)
{
	(void)user;
	return 0;
}

static uint64_t fake_clock(void *user)
{
	return ((struct fake *)user)->now;
}

static size_t fake_room(void *user, unsigned ch)
{
	struct fake *f = user;

	return ch == 0 ? f->room : 0;
}

static void fake_data(void *user, unsigned ch, const uint8_t *data, size_t len)
{
	struct fake *f = user;

	if (ch == 0 && f->out_len + len <= sizeof(f->out)) {
		memcpy(f->out + f->out_len, data, len);
		f->out_len += len;
	}
}

/* A block at `off` with up ring 0 (256 B at off+0x100) and down ring 0
 * (16 B at off+0x200, mode `down_mode`). */
static void fake_block(struct fake *f, uint32_t off, uint32_t down_mode)
{
	uint8_t *b = f->ram + off;

	put_header(b, 1, 1);
	put_ring(b + 24, RAM_BASE + off + 0x100, 256, 0, 0, 0);
	put_ring(b + 48, RAM_BASE + off + 0x200, 16, 0, 0, down_mode);
}

static void fake_up_write(struct fake *f, uint32_t off, const char *s)
{
	uint8_t *d = f->ram + off + 24;
	uint32_t wr = sw_le32_get(d + SW_RTT_OFF_WR);

	for (; *s; s++) {
		f->ram[off + 0x100 + wr] = (uint8_t)*s;
		wr = (wr + 1) % 256;
	}
	sw_le32_put(d + SW_RTT_OFF_WR, wr);
}

static struct sw_rtt *fake_engine(struct fake *f, struct sw_ctx *ctx, bool batched)
{
	struct sw_rtt_ops ops = {fake_read, fake_write, fake_clock, fake_room, fake_data, f, NULL, NULL, NULL, NULL};
	struct sw_rtt *rtt = NULL;

	if (batched) {
		ops.q_read_words = fake_qread;
		ops.q_write = fake_qwrite;
		ops.run = fake_run;
	}
	sw_ctx_init(ctx);
	ctx->level = SW_LOG_NONE;
	if (sw_rtt_new(ctx, &ops, &rtt) || sw_rtt_add_range(rtt, RAM_BASE, RAM_SIZE))
		return NULL;
	return rtt;
}

static void poll_n(struct sw_rtt *rtt, int n)
{
	for (int i = 0; i < n; i++)
		sw_rtt_poll(rtt, true);
}

static void engine_scan_and_data(bool batched)
{
	struct fake *f = calloc(1, sizeof(*f));
	struct sw_ctx ctx;
	struct sw_rtt *rtt = fake_engine(f, &ctx, batched);
	struct sw_rtt_status st;
	/* The id straddles the first two scan chunks. */
	uint32_t off = SW_RTT_SCAN_CHUNK - 8;

	CHECK(rtt != NULL);
	if (!rtt)
		return;
	f->room = 4096;
	memcpy(f->ram + 0x40, SW_RTT_ID "x", sizeof(SW_RTT_ID) + 1); /* a decoy */
	fake_block(f, off, SW_RTT_MODE_BLOCK);
	fake_up_write(f, off, "hello ");
	sw_rtt_poll(rtt, true);
	sw_rtt_get_status(rtt, &st);
	CHECK(st.state == SW_RTT_STOPPED && st.polls == 0);
	sw_rtt_start(rtt);
	poll_n(rtt, 3);
	sw_rtt_get_status(rtt, &st);
	CHECK(st.state == SW_RTT_FOUND && st.addr == RAM_BASE + off && !strcmp(st.source, "scan"));
	CHECK(f->out_len == 6 && !memcmp(f->out, "hello ", 6));
	CHECK_EQ_U(sw_le32_get(f->ram + off + 24 + SW_RTT_OFF_RD), 6u);
	/* Data wrapping the end of the ring, and a consumer with little room. */
	sw_le32_put(f->ram + off + 24 + SW_RTT_OFF_WR, 250);
	sw_le32_put(f->ram + off + 24 + SW_RTT_OFF_RD, 250);
	sw_rtt_poll(rtt, true); /* the host's RdOff moved under it: counted as re-init */
	f->out_len = 0;
	fake_up_write(f, off, "0123456789");
	f->room = 4;
	sw_rtt_poll(rtt, true);
	f->room = 4096;
	sw_rtt_poll(rtt, true);
	CHECK(f->out_len == 10 && !memcmp(f->out, "0123456789", 10));
	if (batched) /* RdOff goes back at the start of the next poll, after its check read */
		sw_rtt_poll(rtt, true);
	CHECK(f->out_len == 10);
	CHECK_EQ_U(sw_le32_get(f->ram + off + 24 + SW_RTT_OFF_RD), 4u);
	sw_rtt_get_status(rtt, &st);
	CHECK_EQ_U(st.reinits, 1u);
	CHECK_EQ_U(st.bytes_up[0], 16u);
	/* Adaptive interval: fast while data flows, backing off when idle. */
	CHECK_EQ_U(st.interval_ns, SW_RTT_FAST_NS);
	poll_n(rtt, 2);
	sw_rtt_get_status(rtt, &st);
	CHECK_EQ_U(st.interval_ns, SW_RTT_FAST_NS); /* held fast for a while */
	f->now += SW_RTT_HOLD_NS;
	poll_n(rtt, 10);
	sw_rtt_get_status(rtt, &st);
	CHECK_EQ_U(st.interval_ns, SW_RTT_IDLE_MAX_NS);
	CHECK(sw_rtt_next_ns(rtt) > f->now);
	CHECK_EQ_U(f->bad_access, 0u);
	sw_rtt_free(rtt);
	free(f);
}

static void test_engine_scan_and_data(void)
{
	engine_scan_and_data(false);
}

static void test_engine_batched(void)
{
	engine_scan_and_data(true);
}

/* Batched: a poll delivers what it read at once but writes RdOff back at
 * the start of the next one. A re-initialisation in between (RdOff 0 then
 * as before, so only the write offset tells) must not get our stale RdOff:
 * it is put back, and the new ring's bytes come once. */
static void test_engine_batched_reinit_before_writeback(void)
{
	struct fake *f = calloc(1, sizeof(*f));
	struct sw_ctx ctx;
	struct sw_rtt *rtt = fake_engine(f, &ctx, true);
	struct sw_rtt_status st;
	uint8_t *up;

	CHECK(rtt != NULL);
	if (!rtt)
		return;
	f->room = 4096;
	fake_block(f, 0x800, SW_RTT_MODE_SKIP);
	up = f->ram + 0x800 + 24;
	sw_rtt_set_user_addr(rtt, RAM_BASE + 0x800);
	sw_rtt_start(rtt);
	sw_rtt_poll(rtt, true);
	fake_up_write(f, 0x800, "abc");
	sw_rtt_poll(rtt, true);
	CHECK(f->out_len == 3 && !memcmp(f->out, "abc", 3));
	CHECK_EQ_U(sw_le32_get(up + SW_RTT_OFF_RD), 0u); /* not written back yet */
	sw_le32_put(up + SW_RTT_OFF_WR, 0);                /* re-initialised in place */
	fake_up_write(f, 0x800, "x");
	sw_rtt_poll(rtt, true);
	sw_rtt_get_status(rtt, &st);
	CHECK_EQ_U(st.reinits, 1u);
	CHECK_EQ_U(sw_le32_get(up + SW_RTT_OFF_RD), 0u); /* our stale 3 was put back */
	poll_n(rtt, 2);
	CHECK(f->out_len == 4 && !memcmp(f->out, "abcx", 4));
	CHECK_EQ_U(sw_le32_get(up + SW_RTT_OFF_RD), 1u);
	/* Stop writes back what was delivered: a restart brings nothing twice. */
	fake_up_write(f, 0x800, "yz");
	sw_rtt_poll(rtt, true);
	CHECK(f->out_len == 6 && !memcmp(f->out, "abcxyz", 6));
	sw_rtt_stop(rtt);
	CHECK_EQ_U(sw_le32_get(up + SW_RTT_OFF_RD), 3u);
	sw_rtt_start(rtt);
	poll_n(rtt, 3);
	CHECK_EQ_U(f->out_len, 6u);
	CHECK_EQ_U(f->bad_access, 0u);
	sw_rtt_free(rtt);
	free(f);
}

/* Issue #20: a poll reads the rings' known data first and the block
 * (the fresh WrOffs) after it, then reads ahead past what the last look
 * showed: a line the firmware writes while the poll reads a ring's older
 * data comes out in that same poll, not one poll later. */
static void test_engine_batched_block_read_after_data(void)
{
	struct fake *f = calloc(1, sizeof(*f));
	struct sw_ctx ctx;
	struct sw_rtt *rtt = fake_engine(f, &ctx, true);

	CHECK(rtt != NULL);
	if (!rtt)
		return;
	fake_block(f, 0x800, SW_RTT_MODE_SKIP);
	sw_rtt_set_user_addr(rtt, RAM_BASE + 0x800);
	sw_rtt_start(rtt);
	sw_rtt_poll(rtt, true);
	f->room = 2; /* the consumer takes 2 bytes: "cdef" stays known, unread */
	fake_up_write(f, 0x800, "abcdef");
	sw_rtt_poll(rtt, true);
	CHECK(f->out_len == 2 && !memcmp(f->out, "ab", 2));
	f->room = 4096;
	f->write_on_read = "XY";
	f->write_off = 0x800;
	f->trig_lo = 0x900; /* the ring's buffer */
	f->trig_hi = 0xA00;
	f->write_times = 1;
	sw_rtt_poll(rtt, true);
	CHECK_EQ_U(f->write_times, 0u);
	CHECK(f->out_len == 8 && !memcmp(f->out, "abcdefXY", 8));
	sw_rtt_poll(rtt, true);
	CHECK(f->out_len == 8);
	CHECK_EQ_U(f->bad_access, 0u);
	sw_rtt_free(rtt);
	free(f);
}

/* The read-ahead follows what the firmware writes per poll: 40 bytes
 * written during every poll (before its block read) come partly one poll
 * late at first (16 bytes read ahead), then whole in their own poll. */
static void test_engine_batched_read_ahead_adapts(void)
{
	struct fake *f = calloc(1, sizeof(*f));
	struct sw_ctx ctx;
	struct sw_rtt *rtt = fake_engine(f, &ctx, true);
	const char *line = "0123456789012345678901234567890123456789";
	size_t before;

	CHECK(rtt != NULL);
	if (!rtt)
		return;
	f->room = 4096;
	fake_block(f, 0x800, SW_RTT_MODE_SKIP);
	sw_rtt_set_user_addr(rtt, RAM_BASE + 0x800);
	sw_rtt_start(rtt);
	sw_rtt_poll(rtt, true);
	f->write_on_read = line;
	f->write_off = 0x800;
	f->trig_lo = 0x800; /* the block's header: every poll reads it once */
	f->trig_hi = 0x804;
	f->write_times = 1;
	sw_rtt_poll(rtt, true);
	CHECK_EQ_U(f->out_len, 16u);
	f->write_times = 3;
	poll_n(rtt, 3);
	before = f->out_len;
	f->write_times = 1;
	sw_rtt_poll(rtt, true);
	CHECK_EQ_U(f->out_len, before + 40u);
	CHECK_EQ_U(f->out_len, 5u * 40u);
	for (size_t k = 0; k < f->out_len; k++)
		CHECK(f->out[k] == (uint8_t)line[k % 40]);
	CHECK_EQ_U(f->bad_access, 0u);
	sw_rtt_free(rtt);
	free(f);
}

static void test_engine_down_modes(void)
{
	struct fake *f = calloc(1, sizeof(*f));
	struct sw_ctx ctx;
	struct sw_rtt *rtt = fake_engine(f, &ctx, false);
	struct sw_rtt_status st;
	uint8_t *down;
	const uint8_t msg[] = "0123456789abcdefghij"; /* 20 bytes; the ring takes 15 */

	CHECK(rtt != NULL);
	if (!rtt)
		return;
	fake_block(f, 0x800, SW_RTT_MODE_BLOCK);
	down = f->ram + 0x800 + 48;
	sw_rtt_set_user_addr(rtt, RAM_BASE + 0x800);
	sw_rtt_start(rtt);
	CHECK_EQ_U(sw_rtt_down_push(rtt, 0, msg, 20), 20u);
	sw_rtt_poll(rtt, true);
	CHECK_EQ_U(sw_le32_get(down + SW_RTT_OFF_WR), 15u);
	CHECK(!memcmp(f->ram + 0x800 + 0x200, msg, 15));
	CHECK_EQ_U(sw_rtt_down_room(rtt, 0), SW_RTT_DOWN_QUEUE - 5u); /* BLOCK keeps the rest */
	sw_le32_put(down + SW_RTT_OFF_RD, 15);                        /* the target read it */
	sw_rtt_poll(rtt, true);
	CHECK_EQ_U(sw_le32_get(down + SW_RTT_OFF_WR), 4u);            /* wrapped */
	CHECK(!memcmp(f->ram + 0x800 + 0x200 + 15, msg + 15, 1) && !memcmp(f->ram + 0x800 + 0x200, msg + 16, 4));
	CHECK_EQ_U(sw_rtt_down_room(rtt, 0), SW_RTT_DOWN_QUEUE);
	/* SKIP: a write that does not fit is dropped whole. */
	sw_le32_put(down + SW_RTT_OFF_FLAGS, SW_RTT_MODE_SKIP);
	sw_rtt_down_push(rtt, 0, msg, 20);
	sw_rtt_poll(rtt, true);
	sw_rtt_get_status(rtt, &st);
	CHECK_EQ_U(sw_le32_get(down + SW_RTT_OFF_WR), 4u);
	CHECK_EQ_U(st.dropped_down, 20u);
	/* TRIM: what fits goes, the rest is dropped. */
	sw_le32_put(down + SW_RTT_OFF_FLAGS, SW_RTT_MODE_TRIM);
	sw_rtt_down_push(rtt, 0, msg, 20);
	sw_rtt_poll(rtt, true);
	sw_rtt_get_status(rtt, &st);
	CHECK_EQ_U(sw_le32_get(down + SW_RTT_OFF_WR), 14u); /* 10 bytes of room */
	CHECK_EQ_U(st.dropped_down, 30u);
	CHECK_EQ_U(st.bytes_down[0], 30u);
	CHECK_EQ_U(f->bad_access, 0u);
	sw_rtt_free(rtt);
	free(f);
}

static void engine_hostile_and_rediscovery(bool batched)
{
	struct fake *f = calloc(1, sizeof(*f));
	struct sw_ctx ctx;
	struct sw_rtt *rtt = fake_engine(f, &ctx, batched);
	struct sw_rtt_status st;

	CHECK(rtt != NULL);
	if (!rtt)
		return;
	f->room = 4096;
	fake_block(f, 0x400, SW_RTT_MODE_BLOCK);
	/* Up ring pointing at a peripheral, with data "waiting": never read. */
	put_ring(f->ram + 0x400 + 24, 0x40021000u, 256, 100, 0, 0);
	sw_rtt_start(rtt);
	poll_n(rtt, 3);
	sw_rtt_get_status(rtt, &st);
	CHECK(st.state == SW_RTT_FOUND && f->out_len == 0 && f->bad_access == 0);
	/* Firmware re-initialises elsewhere: the old id vanishes. */
	memset(f->ram + 0x400, 0, 16);
	fake_block(f, 0x9000, SW_RTT_MODE_BLOCK);
	fake_up_write(f, 0x9000, "again");
	poll_n(rtt, 2);
	sw_rtt_get_status(rtt, &st);
	CHECK(st.state == SW_RTT_SEARCHING);
	poll_n(rtt, 20);
	sw_rtt_get_status(rtt, &st);
	CHECK(st.state == SW_RTT_FOUND && st.addr == RAM_BASE + 0x9000 && st.found_count == 2);
	CHECK(f->out_len == 5 && !memcmp(f->out, "again", 5));
	/* The channel count changes in place: searched again, found again. */
	sw_le32_put(f->ram + 0x9000 + 20, 0);
	poll_n(rtt, 1);
	sw_rtt_get_status(rtt, &st);
	CHECK(st.state == SW_RTT_FOUND && st.n_down == 0 && st.found_count == 3);
	sw_rtt_stop(rtt);
	CHECK(sw_rtt_next_ns(rtt) == UINT64_MAX);
	CHECK_EQ_U(f->bad_access, 0u);
	sw_rtt_free(rtt);
	free(f);
}

static void test_engine_hostile_and_rediscovery(void)
{
	engine_hostile_and_rediscovery(false);
	engine_hostile_and_rediscovery(true);
}

/* Issue #14 item 6: an ELF from another build names an address with no
 * control block. The engine scans RAM anyway and finds the block where the
 * rebuilt firmware put it; once the ELF's address holds a block (the
 * firmware it describes initialised it), that one wins. With no block at
 * all, the status counts complete RAM scans, so "not found" is a fact. */
static void test_engine_stale_elf_falls_back_to_scan(void)
{
	struct fake *f = calloc(1, sizeof(*f));
	struct sw_ctx ctx;
	struct sw_rtt *rtt = fake_engine(f, &ctx, true);
	struct sw_rtt_status st;

	CHECK(rtt != NULL);
	if (!rtt)
		return;
	f->room = 4096;
	sw_rtt_set_elf_addr(rtt, RAM_BASE + 0x1000);
	sw_rtt_start(rtt);
	poll_n(rtt, 2 * (int)(RAM_SIZE / SW_RTT_SCAN_CHUNK) + 2);
	sw_rtt_get_status(rtt, &st);
	CHECK(st.state == SW_RTT_SEARCHING && st.scans >= 1 && st.has_elf && st.elf_addr == RAM_BASE + 0x1000);
	fake_block(f, 0x3000, SW_RTT_MODE_SKIP); /* the rebuilt firmware's block */
	fake_up_write(f, 0x3000, "moved");
	poll_n(rtt, (int)(RAM_SIZE / SW_RTT_SCAN_CHUNK) + 2);
	sw_rtt_get_status(rtt, &st);
	CHECK(st.state == SW_RTT_FOUND && st.addr == RAM_BASE + 0x3000 && !strcmp(st.source, "scan"));
	CHECK(f->out_len == 5 && !memcmp(f->out, "moved", 5));
	fake_block(f, 0x1000, SW_RTT_MODE_SKIP); /* now the ELF's address holds one */
	poll_n(rtt, 2);
	sw_rtt_get_status(rtt, &st);
	CHECK(st.state == SW_RTT_FOUND && st.addr == RAM_BASE + 0x1000 && !strcmp(st.source, "elf"));
	CHECK_EQ_U(f->bad_access, 0u);
	sw_rtt_free(rtt);
	free(f);
}

int main(void)
{
	RUN_TEST(test_parse);
	RUN_TEST(test_ring_math);
	RUN_TEST(test_engine_scan_and_data);
	RUN_TEST(test_engine_batched);
	RUN_TEST(test_engine_batched_reinit_before_writeback);
	RUN_TEST(test_engine_batched_block_read_after_data);
	RUN_TEST(test_engine_batched_read_ahead_adapts);
	RUN_TEST(test_engine_down_modes);
	RUN_TEST(test_engine_hostile_and_rediscovery);
	RUN_TEST(test_engine_stale_elf_falls_back_to_scan);
	return TEST_MAIN_END();
}
