/* The simulator's SWD wire, driven with hand-built bit sequences (no host
 * engine), so the bit path is checked independently of probes/swd_engine.c. */
#include "probes/probe.h"
#include "sim/sim.h"
#include "tests/test.h"

struct bits {
	uint8_t dir[64], out[64], in[64];
	size_t n;
};

static void push(struct bits *b, int drive, uint32_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++, b->n++) {
		if (drive)
			b->dir[b->n / 8] = (uint8_t)(b->dir[b->n / 8] | (1u << (b->n % 8)));
		if (drive && ((v >> i) & 1u))
			b->out[b->n / 8] = (uint8_t)(b->out[b->n / 8] | (1u << (b->n % 8)));
	}
}

static unsigned bit(const struct bits *b, size_t i)
{
	return ((unsigned)b->in[i / 8] >> (i % 8)) & 1u;
}

static void line_reset(struct bits *b)
{
	push(b, 1, 0xFFFFFFFFu, 32);
	push(b, 1, 0xFFFFFFFFu, 24);
	push(b, 1, 0, 8);
}

/* One read packet; returns the index of its ACK's first bit. */
static size_t read_pkt(struct bits *b, unsigned ap, unsigned a)
{
	unsigned a2 = (a >> 2) & 1u, a3 = (a >> 3) & 1u, par = (ap ^ 1u ^ a2 ^ a3) & 1u;
	size_t at;

	push(b, 1, 1u | ap << 1 | 1u << 2 | a2 << 3 | a3 << 4 | par << 5 | 1u << 7, 8);
	push(b, 0, 0, 1);
	at = b->n;
	push(b, 0, 0, 3 + 33 + 1);
	push(b, 1, 0, 2);
	return at;
}

static unsigned ack_at(const struct bits *b, size_t at)
{
	return bit(b, at) | bit(b, at + 1) << 1 | bit(b, at + 2) << 2;
}

static uint32_t data_at(const struct bits *b, size_t at)
{
	uint32_t v = 0;

	for (unsigned i = 0; i < 32; i++)
		v |= (uint32_t)bit(b, at + 3 + i) << i;
	return v;
}

static void jtag_to_swd(struct bits *b)
{
	line_reset(b);
	b->n -= 8;
	push(b, 1, 0xE79E, 16);
	line_reset(b);
}

static void test_jtag_to_swd_dpidr(void)
{
	struct sw_ctx ctx;
	struct sim *sim;
	struct bits b = {0};
	size_t before, after;

	sw_ctx_init(&ctx);
	CHECK_OK(sim_new(&ctx, "stm32h743", &sim));
	/* Power-on state is JTAG: a DPIDR read without the select sequence gets no ACK. */
	line_reset(&b);
	before = read_pkt(&b, 0, 0);
	jtag_to_swd(&b);
	after = read_pkt(&b, 0, 0);
	CHECK_OK(sim_wire_io(sim, b.dir, b.out, b.in, b.n));
	CHECK_EQ_U(ack_at(&b, before), SW_ACK_NONE);
	CHECK_EQ_U(ack_at(&b, after), SW_ACK_OK);
	CHECK_EQ_U(data_at(&b, after), 0x6BA02477u);
	/* Parity bit of the read data. */
	CHECK_EQ_U(bit(&b, after + 35), (unsigned)__builtin_parity(0x6BA02477u));
	sim_free(sim);
}

static void test_dpidr_required_after_reset(void)
{
	struct sw_ctx ctx;
	struct sim *sim;
	struct bits b = {0};
	size_t cs, id, cs2;

	sw_ctx_init(&ctx);
	CHECK_OK(sim_new(&ctx, "stm32h743", &sim));
	jtag_to_swd(&b);
	cs = read_pkt(&b, 0, 0x4); /* CTRL/STAT before DPIDR: refused (protocol error) */
	line_reset(&b);
	id = read_pkt(&b, 0, 0);
	cs2 = read_pkt(&b, 0, 0x4);
	CHECK_OK(sim_wire_io(sim, b.dir, b.out, b.in, b.n));
	CHECK_EQ_U(ack_at(&b, cs), SW_ACK_NONE);
	CHECK_EQ_U(ack_at(&b, id), SW_ACK_OK);
	CHECK_EQ_U(ack_at(&b, cs2), SW_ACK_OK);
	sim_free(sim);
}

static void test_protocol_error_lockout(void)
{
	struct sw_ctx ctx;
	struct sim *sim;
	struct bits b = {0};
	size_t ok, bad_after, again;

	sw_ctx_init(&ctx);
	CHECK_OK(sim_new(&ctx, "stm32h743", &sim));
	jtag_to_swd(&b);
	ok = read_pkt(&b, 0, 0);
	/* A request with a wrong parity bit: the target must not answer... */
	push(&b, 1, 1u | 1u << 2 | 0u << 5 | 1u << 7, 8);
	push(&b, 0, 0, 40);
	push(&b, 1, 0, 4);
	/* ...and stays silent until a line reset. */
	bad_after = read_pkt(&b, 0, 0);
	line_reset(&b);
	again = read_pkt(&b, 0, 0);
	CHECK_OK(sim_wire_io(sim, b.dir, b.out, b.in, b.n));
	CHECK_EQ_U(ack_at(&b, ok), SW_ACK_OK);
	CHECK_EQ_U(ack_at(&b, bad_after), SW_ACK_NONE);
	CHECK_EQ_U(ack_at(&b, again), SW_ACK_OK);
	sim_free(sim);
}

static void test_dormant_wakeup(void)
{
	static const uint8_t alert[16] = {0x92, 0xf3, 0x09, 0x62, 0x95, 0x2d, 0x85, 0x86,
					  0xe9, 0xaf, 0xdd, 0xe3, 0xa2, 0x0e, 0xbc, 0x19};
	struct sw_ctx ctx;
	struct sim *sim;
	struct bits b = {0};
	size_t asleep, awake;

	sw_ctx_init(&ctx);
	CHECK_OK(sim_new(&ctx, "adiv6-m55", &sim));
	jtag_to_swd(&b);
	b.n -= 8;
	push(&b, 1, 0xE3BC, 16); /* SWD-to-dormant after a line reset */
	asleep = read_pkt(&b, 0, 0);
	push(&b, 1, 0xFF, 8);
	for (unsigned i = 0; i < 16; i++)
		push(&b, 1, alert[i], 8);
	push(&b, 1, 0x1A0u, 12); /* 4 idle cycles, then activation code 0x1A */
	line_reset(&b);
	awake = read_pkt(&b, 0, 0);
	CHECK_OK(sim_wire_io(sim, b.dir, b.out, b.in, b.n));
	CHECK_EQ_U(ack_at(&b, asleep), SW_ACK_NONE);
	CHECK_EQ_U(ack_at(&b, awake), SW_ACK_OK);
	CHECK_EQ_U(data_at(&b, awake), 0x4C013477u);
	sim_free(sim);
}

static void test_counters(void)
{
	struct sw_ctx ctx;
	struct sim *sim;
	struct bits b = {0};
	struct sim_counters c;

	sw_ctx_init(&ctx);
	CHECK_OK(sim_new(&ctx, "stm32h743", &sim));
	jtag_to_swd(&b);
	read_pkt(&b, 0, 0);
	CHECK_OK(sim_wire_io(sim, b.dir, b.out, b.in, b.n));
	sim_get_counters(sim, &c);
	CHECK_EQ_U(c.swclk_cycles, b.n);
	CHECK_EQ_U(c.transactions, 1);
	/* 4 MHz default: 250 ns per cycle. */
	CHECK_EQ_U(sim_now_ns(sim), b.n * 250u);
	sim_free(sim);
}

int main(void)
{
	RUN_TEST(test_jtag_to_swd_dpidr);
	RUN_TEST(test_dpidr_required_after_reset);
	RUN_TEST(test_protocol_error_lockout);
	RUN_TEST(test_dormant_wakeup);
	RUN_TEST(test_counters);
	return TEST_MAIN_END();
}
