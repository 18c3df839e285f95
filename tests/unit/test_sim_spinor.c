/* The serial NOR device model on its own: ID, SFDP (JESD216B), WEL/WIP,
 * page program wrap, erase sizes, bits only cleared, timings. */
#include "sim/sim_spinor.h"
#include "tests/test.h"

#define NOR_SIZE (1u << 20)

struct rig {
	uint64_t t;
	uint8_t *mem;
	struct sim_spinor *f;
};

static uint64_t clk(void *p)
{
	return ((struct rig *)p)->t;
}

static void rig_open(struct rig *g, bool max)
{
	struct sim_spinor_cfg cfg = {.size = NOR_SIZE, .jedec_id = {0x9D, 0x70, 0x14},
				     .now_ns = clk, .max_corner = max};

	g->t = 0;
	g->mem = malloc(NOR_SIZE);
	memset(g->mem, 0xFF, NOR_SIZE);
	cfg.mem = g->mem;
	cfg.clock = g;
	CHECK_OK(sim_spinor_new(&cfg, &g->f));
}

static void rig_close(struct rig *g)
{
	sim_spinor_free(g->f);
	free(g->mem);
}

static void cmd(struct rig *g, uint8_t op)
{
	sim_spinor_begin(g->f, op);
	sim_spinor_end(g->f);
}

static void cmd_addr(struct rig *g, uint8_t op, uint32_t a)
{
	sim_spinor_begin(g->f, op);
	sim_spinor_addr(g->f, a, 3);
	sim_spinor_end(g->f);
}

static uint8_t rdsr(struct rig *g)
{
	uint8_t v = 0;

	sim_spinor_begin(g->f, 0x05);
	sim_spinor_read(g->f, &v, 1);
	sim_spinor_end(g->f);
	return v;
}

static void read_at(struct rig *g, uint32_t a, uint8_t *buf, size_t n)
{
	sim_spinor_begin(g->f, 0x03);
	sim_spinor_addr(g->f, a, 3);
	sim_spinor_read(g->f, buf, n);
	sim_spinor_end(g->f);
}

static void program(struct rig *g, uint32_t a, const uint8_t *buf, size_t n)
{
	cmd(g, 0x06);
	sim_spinor_begin(g->f, 0x02);
	sim_spinor_addr(g->f, a, 3);
	sim_spinor_write(g->f, buf, n);
	sim_spinor_end(g->f);
}

static void wait_idle(struct rig *g)
{
	g->t += 1000000000000ull;
	CHECK_EQ_U(rdsr(g) & SIM_SPINOR_SR_WIP, 0);
}

static void test_jedec_id_and_sfdp(void)
{
	struct rig g;
	uint8_t id[4], hdr[16], bfpt[44];

	rig_open(&g, false);
	sim_spinor_begin(g.f, 0x9F);
	sim_spinor_read(g.f, id, 3);
	sim_spinor_end(g.f);
	CHECK_EQ_U(id[0], 0x9D);
	CHECK_EQ_U(id[1], 0x70);
	CHECK_EQ_U(id[2], 0x14);
	sim_spinor_begin(g.f, 0x5A);
	sim_spinor_addr(g.f, 0, 3);
	sim_spinor_dummy(g.f, 8);
	sim_spinor_read(g.f, hdr, sizeof(hdr));
	sim_spinor_end(g.f);
	CHECK(!memcmp(hdr, "SFDP", 4));
	CHECK_EQ_U(hdr[5], 1);  /* major revision */
	CHECK_EQ_U(hdr[11], 16); /* BFPT length in dwords */
	uint32_t ptp = hdr[12] | (uint32_t)hdr[13] << 8 | (uint32_t)hdr[14] << 16;
	sim_spinor_begin(g.f, 0x5A);
	sim_spinor_addr(g.f, ptp, 3);
	sim_spinor_dummy(g.f, 8);
	sim_spinor_read(g.f, bfpt, sizeof(bfpt));
	sim_spinor_end(g.f);
	uint32_t density = bfpt[4] | (uint32_t)bfpt[5] << 8 | (uint32_t)bfpt[6] << 16 | (uint32_t)bfpt[7] << 24;
	CHECK_EQ_U(density, NOR_SIZE * 8u - 1u);
	CHECK_EQ_U(bfpt[28], 12); /* erase type 1: 4 KiB */
	CHECK_EQ_U(bfpt[29], 0x20);
	CHECK_EQ_U(bfpt[32], 16); /* erase type 3: 64 KiB */
	CHECK_EQ_U(bfpt[33], 0xD8);
	CHECK_EQ_U(bfpt[40] >> 4, 8); /* page 2^8 */
	/* Without the 8 dummy clocks the data is not what the device sends. */
	sim_spinor_begin(g.f, 0x5A);
	sim_spinor_addr(g.f, 0, 3);
	sim_spinor_read(g.f, hdr, 4);
	sim_spinor_end(g.f);
	CHECK(memcmp(hdr, "SFDP", 4) != 0);
	rig_close(&g);
}

static void test_wel_required_and_cleared(void)
{
	struct rig g;
	uint8_t d[4] = {0x12, 0x34, 0x56, 0x78}, back[4];

	rig_open(&g, false);
	sim_spinor_begin(g.f, 0x02); /* no WREN: ignored */
	sim_spinor_addr(g.f, 0x100, 3);
	sim_spinor_write(g.f, d, 4);
	sim_spinor_end(g.f);
	read_at(&g, 0x100, back, 4);
	CHECK_EQ_U(back[0], 0xFF);
	cmd(&g, 0x06);
	CHECK_EQ_U(rdsr(&g), SIM_SPINOR_SR_WEL);
	cmd(&g, 0x04);
	CHECK_EQ_U(rdsr(&g), 0);
	program(&g, 0x100, d, 4);
	CHECK_EQ_U(rdsr(&g) & SIM_SPINOR_SR_WIP, SIM_SPINOR_SR_WIP);
	wait_idle(&g);
	CHECK_EQ_U(rdsr(&g), 0); /* WEL cleared by the program */
	read_at(&g, 0x100, back, 4);
	CHECK(!memcmp(back, d, 4));
	rig_close(&g);
}

static void test_program_timing_and_busy_ignores(void)
{
	struct rig g;
	uint8_t d[2] = {0x00, 0x00}, back[2];
	struct sim_spinor_times t;

	rig_open(&g, false);
	sim_spinor_get_times(g.f, &t);
	CHECK_EQ_U(t.page_program, 300000);
	program(&g, 0x0, d, 2);
	g.t += t.page_program - 1;
	CHECK(rdsr(&g) & SIM_SPINOR_SR_WIP);
	/* a read while busy is not accepted: the lines float */
	read_at(&g, 0x1000, back, 1);
	g.t += 1;
	CHECK_EQ_U(rdsr(&g) & SIM_SPINOR_SR_WIP, 0);
	rig_close(&g);
	rig_open(&g, true);
	sim_spinor_get_times(g.f, &t);
	CHECK_EQ_U(t.erase_64k, 2000000000ull);
	rig_close(&g);
}

static void test_page_wrap_and_and_semantics(void)
{
	struct rig g;
	uint8_t d[8], back[8];

	rig_open(&g, false);
	for (unsigned i = 0; i < 8; i++)
		d[i] = (uint8_t)(0xA0 + i);
	program(&g, 0x2FC, d, 8); /* 4 bytes at 0x2FC.., then wrap to 0x200.. */
	wait_idle(&g);
	read_at(&g, 0x2FC, back, 4);
	CHECK(!memcmp(back, d, 4));
	read_at(&g, 0x200, back, 4);
	CHECK(!memcmp(back, d + 4, 4));
	read_at(&g, 0x300, back, 1);
	CHECK_EQ_U(back[0], 0xFF); /* the next page is untouched */
	d[0] = 0x0F; /* 0xA0 & 0x0F = 0x00: only clears */
	program(&g, 0x2FC, d, 1);
	wait_idle(&g);
	read_at(&g, 0x2FC, back, 1);
	CHECK_EQ_U(back[0], 0x00);
	rig_close(&g);
}

static void test_erase_sizes(void)
{
	struct rig g;
	struct sim_spinor_times t;
	uint8_t z[1] = {0};

	rig_open(&g, false);
	sim_spinor_get_times(g.f, &t);
	memset(g.mem, 0, NOR_SIZE);
	cmd(&g, 0x06);
	cmd_addr(&g, 0x20, 0x12345);
	CHECK(rdsr(&g) & SIM_SPINOR_SR_WIP);
	g.t += t.erase_4k;
	CHECK_EQ_U(g.mem[0x12000], 0xFF);
	CHECK_EQ_U(g.mem[0x12FFF], 0xFF);
	CHECK_EQ_U(g.mem[0x11FFF], 0x00);
	CHECK_EQ_U(g.mem[0x13000], 0x00);
	cmd(&g, 0x06);
	cmd_addr(&g, 0x52, 0x48000);
	g.t += t.erase_32k;
	CHECK_EQ_U(g.mem[0x48000], 0xFF);
	CHECK_EQ_U(g.mem[0x4FFFF], 0xFF);
	CHECK_EQ_U(g.mem[0x50000], 0x00);
	cmd(&g, 0x06);
	cmd_addr(&g, 0xD8, 0x7FFFF);
	CHECK(rdsr(&g) & SIM_SPINOR_SR_WIP);
	g.t += t.erase_64k - 1;
	CHECK(rdsr(&g) & SIM_SPINOR_SR_WIP);
	g.t += 1;
	CHECK_EQ_U(g.mem[0x70000], 0xFF);
	CHECK_EQ_U(g.mem[0x6FFFF], 0x00);
	/* erase without WEL does nothing */
	cmd_addr(&g, 0x20, 0x0);
	CHECK_EQ_U(g.mem[0], 0x00);
	CHECK_EQ_U(sim_spinor_op_count(g.f), 3);
	cmd(&g, 0x06);
	cmd(&g, 0xC7);
	g.t += t.erase_chip;
	CHECK_EQ_U(g.mem[0], 0xFF);
	CHECK_EQ_U(g.mem[NOR_SIZE - 1], 0xFF);
	/* wrong address width: garbled, ignored */
	program(&g, 0, z, 1);
	wait_idle(&g);
	cmd(&g, 0x06);
	sim_spinor_begin(g.f, 0x20);
	sim_spinor_addr(g.f, 0, 4);
	sim_spinor_end(g.f);
	CHECK_EQ_U(g.mem[0], 0x00);
	rig_close(&g);
}

int main(void)
{
	RUN_TEST(test_jedec_id_and_sfdp);
	RUN_TEST(test_wel_required_and_cleared);
	RUN_TEST(test_program_timing_and_busy_ignores);
	RUN_TEST(test_page_wrap_and_and_semantics);
	RUN_TEST(test_erase_sizes);
	return TEST_MAIN_END();
}
