/* The AE3 MRAM write-unit model (sim/sim_mram.c, reference/targets.md §4.4):
 * a unit reaches the array only when all 16 bytes of it were written; a
 * partial unit is dropped by a store elsewhere or a reset; reads see the
 * array only. */
#include <string.h>

#include "sim/sim_mram.h"
#include "tests/test.h"

#define SIZE 256u

struct rig {
	uint8_t mem[SIZE];
	struct sim_mram m;
};

static void rig_init(struct rig *g)
{
	memset(g->mem, 0, sizeof(g->mem));
	sim_mram_init(&g->m, g->mem, SIZE);
}

static void write_unit32(struct rig *g, uint32_t off, uint32_t seed)
{
	for (uint32_t i = 0; i < 4; i++)
		CHECK_EQ_U(sim_mram_write(&g->m, off + 4 * i, 4, seed + i), 0);
}

static uint32_t word(const struct rig *g, uint32_t off)
{
	return (uint32_t)g->mem[off] | (uint32_t)g->mem[off + 1] << 8 | (uint32_t)g->mem[off + 2] << 16 |
	       (uint32_t)g->mem[off + 3] << 24;
}

/* Four word stores to one aligned unit program it; only on the last one. */
static void test_full_unit_programs(void)
{
	struct rig g;

	rig_init(&g);
	CHECK_EQ_U(sim_mram_write(&g.m, 0x20, 4, 0x11111111u), 0);
	CHECK_EQ_U(sim_mram_write(&g.m, 0x24, 4, 0x22222222u), 0);
	CHECK_EQ_U(sim_mram_write(&g.m, 0x28, 4, 0x33333333u), 0);
	CHECK_EQ_U(word(&g, 0x20), 0); /* not yet: 12 of 16 bytes */
	CHECK_EQ_U(sim_mram_write(&g.m, 0x2C, 4, 0x44444444u), 0);
	CHECK_EQ_U(word(&g, 0x20), 0x11111111u);
	CHECK_EQ_U(word(&g, 0x2C), 0x44444444u);
	CHECK_EQ_U(g.m.units_programmed, 1);
	CHECK_EQ_U(word(&g, 0x30), 0); /* neighbours untouched */
	CHECK_EQ_U(word(&g, 0x1C), 0);
}

/* Byte and halfword stores in any order complete a unit as well. */
static void test_mixed_sizes_any_order(void)
{
	struct rig g;

	rig_init(&g);
	CHECK_EQ_U(sim_mram_write(&g.m, 0x4E, 2, 0xBBAAu), 0);
	for (uint32_t i = 0; i < 12; i++)
		CHECK_EQ_U(sim_mram_write(&g.m, 0x40 + i, 1, 0xC0u + i), 0);
	CHECK_EQ_U(g.m.units_programmed, 0);
	CHECK_EQ_U(sim_mram_write(&g.m, 0x4C, 2, 0x0D0Cu), 0);
	CHECK_EQ_U(g.m.units_programmed, 1);
	CHECK_EQ_U(g.mem[0x40], 0xC0u);
	CHECK_EQ_U(g.mem[0x4B], 0xCBu);
	CHECK_EQ_U(g.mem[0x4C], 0x0Cu);
	CHECK_EQ_U(g.mem[0x4F], 0xBBu);
}

/* A 16-bit patch (what a software breakpoint would be) never reaches the
 * array: the next store to another unit drops it. */
static void test_partial_dropped_by_other_unit(void)
{
	struct rig g;

	rig_init(&g);
	write_unit32(&g, 0x00, 0xA0000000u);
	CHECK_EQ_U(sim_mram_write(&g.m, 0x04, 2, 0xBE00u), 0);
	write_unit32(&g, 0x10, 0xB0000000u);
	CHECK_EQ_U(word(&g, 0x04), 0xA0000001u);
	CHECK_EQ_U(word(&g, 0x10), 0xB0000000u);
	CHECK_EQ_U(g.m.partial_dropped, 1);
	CHECK_EQ_U(g.m.units_programmed, 2);
}

static void test_partial_dropped_by_reset(void)
{
	struct rig g;

	rig_init(&g);
	CHECK_EQ_U(sim_mram_write(&g.m, 0x80, 4, 1), 0);
	CHECK_EQ_U(sim_mram_write(&g.m, 0x84, 4, 2), 0);
	sim_mram_reset(&g.m);
	CHECK_EQ_U(sim_mram_write(&g.m, 0x88, 4, 3), 0);
	CHECK_EQ_U(sim_mram_write(&g.m, 0x8C, 4, 4), 0);
	/* Only the second half arrived after the reset: still partial. */
	CHECK_EQ_U(g.m.units_programmed, 0);
	CHECK_EQ_U(word(&g, 0x88), 0);
	CHECK_EQ_U(g.m.partial_dropped, 1);
}

/* Rewriting a programmed unit replaces it (no erase needed). */
static void test_overwrite_without_erase(void)
{
	struct rig g;

	rig_init(&g);
	write_unit32(&g, 0x40, 0xFFFFFFF0u);
	write_unit32(&g, 0x40, 0x00000100u);
	CHECK_EQ_U(word(&g, 0x40), 0x100u);
	CHECK_EQ_U(word(&g, 0x4C), 0x103u);
}

/* Out of range or lane-crossing stores are bus errors. */
static void test_bad_accesses(void)
{
	struct rig g;

	rig_init(&g);
	CHECK(sim_mram_write(&g.m, SIZE, 4, 0) != 0);
	CHECK(sim_mram_write(&g.m, SIZE - 2, 4, 0) != 0);
	CHECK(sim_mram_write(&g.m, 0x0E, 4, 0) != 0);
	CHECK(sim_mram_write(&g.m, 0, 3, 0) != 0);
	CHECK_EQ_U(g.m.units_programmed, 0);
}

int main(void)
{
	RUN_TEST(test_full_unit_programs);
	RUN_TEST(test_mixed_sizes_any_order);
	RUN_TEST(test_partial_dropped_by_other_unit);
	RUN_TEST(test_partial_dropped_by_reset);
	RUN_TEST(test_overwrite_without_erase);
	RUN_TEST(test_bad_accesses);
	return TEST_MAIN_END();
}
