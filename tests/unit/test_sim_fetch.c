/* The simulated core's own memory timing (sim/sim_fetch.c, issue #18): a
 * bus stall of a CPU access spends the CPU's cycle budget, not the
 * debugger's wire time; instruction fetches from XIP windows cost SPI time
 * (RT1062 FlexSPI AHB RX buffer, N657 XSPI memory-mapped FIFO); a fetch
 * from an H743 flash bank that is erasing waits (RM0433 §4.3.8); AE3 MRAM
 * units take their write time; N657 XSPI indirect commands keep BUSY for
 * their bus time. Firmware is placed by the back door and runs out of
 * reset with no debugger attached; it counts into RAM, the test reads the
 * count after a stretch of virtual time. */
#include "sim/sim.h"
#include "sim/sim_mram.h"
#include "sim/sim_spinor.h"
#include "sim/sim_xspi.h"
#include "tests/test.h"

#define MS 1000000ull

struct rig {
	struct sw_ctx ctx;
	struct sim *sim;
};

static void rig_open(struct rig *g, const char *chip)
{
	memset(g, 0, sizeof(*g));
	sw_ctx_init(&g->ctx);
	g->ctx.level = SW_LOG_NONE;
	CHECK_OK(sim_new(&g->ctx, chip, &g->sim));
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)v);
	put16(p + 2, (uint16_t)(v >> 16));
}

static void load(struct rig *g, uint32_t addr, const void *buf, size_t len)
{
	CHECK_OK(sim_mem_write(g->sim, addr, buf, len));
}

static void load16(struct rig *g, uint32_t addr, const uint16_t *code, size_t n)
{
	uint8_t buf[256];

	for (size_t i = 0; i < n; i++)
		put16(buf + 2 * i, code[i]);
	load(g, addr, buf, 2 * n);
}

static void vectors(struct rig *g, uint32_t at, uint32_t sp, uint32_t pc)
{
	uint8_t v[8];

	put32(v, sp);
	put32(v + 4, pc);
	load(g, at, v, sizeof(v));
}

static uint32_t word_at(struct rig *g, uint32_t addr)
{
	uint8_t b[4] = {0};

	CHECK_OK(sim_mem_read(g->sim, addr, b, 4));
	return b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

/* Straight-line XIP code at offset 0 of buf: r1 = `result`, then a loop
 * of n `adds r0, #1`, `str r0, [r1]`, `b loop`. Returns the bytes used;
 * *loop_at gets the loop's offset. */
static size_t xip_loop(uint8_t *buf, uint32_t result, unsigned n, uint32_t *loop_at)
{
	size_t o = 0;
	uint32_t loop;

	put16(buf + o, 0x4900), o += 2; /* ldr r1, [pc, #0] (the word at 4) */
	put16(buf + o, 0xE001), o += 2; /* b.n 8 */
	put32(buf + o, result), o += 4;
	put16(buf + o, 0x2000), o += 2; /* movs r0, #0 */
	loop = (uint32_t)o;
	for (unsigned i = 0; i < n; i++)
		put16(buf + o, 0x3001), o += 2; /* adds r0, #1 */
	put16(buf + o, 0x6008), o += 2; /* str r0, [r1] */
	put16(buf + o, (uint16_t)(0xE000u | (((loop - (o + 4)) / 2) & 0x7FFu))), o += 2; /* b.n loop */
	*loop_at = loop;
	return o;
}

/* Item 1. A CPU store that the bus holds up (the H743 flash controller:
 * one flash-word program at a time, RM0433 §4.3.8/FLASH_SR.QW) spends the
 * core's budget: in 1 ms at 100 us per word (x64, perf.md §3.1) the loop
 * from bank 2 programs about ten words of bank 1, and the debugger's wire
 * clock moves by exactly the 1 ms it was told to. Before: the stall moved
 * the wire clock and the core ran its whole budget regardless. */
static void test_cpu_stall_spends_core_budget(void)
{
	static const uint16_t prog[] = { /* unlock bank 1, PG x64, program words at 0x08020000, r6 = count -> 0x24000000 */
		0x4c0b, 0x480c, 0x6060, 0x480c, 0x6060, 0x2032, 0x60e0, 0x4a0b, 0xf04f, 0x5110, 0x2300,
		0x2600, 0x6013, 0x6053, 0x6093, 0x60d3, 0x6113, 0x6153, 0x6193, 0x61d3, 0x3220, 0x3601,
		0x600e, 0xe7f3, 0x2000, 0x5200, 0x0123, 0x4567, 0x89ab, 0xcdef, 0x0000, 0x0802};
	struct rig g;
	uint64_t t0, dt;
	uint32_t words;

	rig_open(&g, "stm32h743");
	vectors(&g, 0x08000000u, 0x24080000u, 0x08100101u);
	load16(&g, 0x08100100u, prog, sizeof(prog) / 2);
	sim_power_on_reset(g.sim);
	sim_advance_ns(g.sim, 50000); /* past the first words */
	t0 = sim_now_ns(g.sim);
	sim_advance_ns(g.sim, MS);
	dt = sim_now_ns(g.sim) - t0;
	words = word_at(&g, 0x24000000u);
	CHECK_MSG(dt == MS, "the wire clock moved %llu ns for 1 ms of run time", (unsigned long long)dt);
	CHECK_MSG(words >= 9 && words <= 13, "%u flash words in 1.05 ms at 100 us each", words);
	sim_free(g.sim);
}

/* Item 2, H743. Code in bank 1 that starts an erase of a bank-1 sector
 * stops fetching until the erase ends (RM0433 §4.3.8: read-while-write
 * only between banks; 1 s per sector at x64); the same code in bank 2
 * keeps running. */
static unsigned h743_erase_then_count(uint32_t code_at)
{
	static const uint16_t prog[] = { /* unlock bank 1, CR = SER|x64|SNB 7|START, then r6++ -> 0x24000000 */
		0x4c06, 0x4807, 0x6060, 0x4807, 0x6060, 0xf240, 0x70b4, 0x60e0, 0xf04f, 0x5110,
		0x2600, 0x3601, 0x600e, 0xe7fc, 0x2000, 0x5200, 0x0123, 0x4567, 0x89ab, 0xcdef};
	struct rig g;
	uint32_t n;

	rig_open(&g, "stm32h743");
	vectors(&g, 0x08000000u, 0x24080000u, code_at | 1u);
	load16(&g, code_at, prog, sizeof(prog) / 2);
	sim_power_on_reset(g.sim);
	sim_advance_ns(g.sim, 10 * MS);
	n = word_at(&g, 0x24000000u);
	sim_free(g.sim);
	return n;
}

static void test_h743_fetch_waits_for_busy_bank(void)
{
	unsigned same = h743_erase_then_count(0x08000100u), other = h743_erase_then_count(0x08100100u);

	CHECK_MSG(same == 0, "code in the erasing bank ran %u loops during the erase", same);
	CHECK_MSG(other > 100000, "code in the other bank ran only %u loops", other);
}

/* Item 2, RT1062. A boot image (FCB with a quad-read LUT, IVT, code) and
 * a loop of 600 `adds` from XIP: each pass is longer than the 1 KiB AHB
 * RX buffer, so it restarts with a new read command (8 + 24/4 + 6 dummy
 * clocks) and streams 2 clocks a byte at 30 MHz: ~82.8 us a pass, about
 * 121 passes in 10 ms, where the 64 MHz core alone would do ~1000. */
static void test_rt1062_xip_fetch_costs_spi_time(void)
{
	static uint8_t img[0x2000 + 0x600];
	const unsigned n = 600;
	struct rig g;
	uint32_t loop, passes;
	size_t len;
	double pass_ns, expect;

	memset(img, 0xFF, sizeof(img));
	put32(img, 0x42464346u);                     /* "FCFB" */
	put32(img + 4, 0x56010400u);                 /* version */
	img[0x0C] = 1;                               /* readSampleClkSrc */
	put32(img + 0x50, 8u << 20);                 /* sflashA1Size */
	put32(img + 0x80, 0x0A1804EBu);              /* CMD_SDR 1 pad 0xEB; RADDR_SDR 4 pads 24 */
	put32(img + 0x84, 0x26043206u);              /* DUMMY_SDR 4 pads 6; READ_SDR 4 pads */
	memset(img + 0x88, 0, 0x100 - 8);            /* STOP */
	put32(img + 0x1000, 0x402000D1u);            /* IVT header */
	put32(img + 0x1004, 0x60002001u);            /* entry (Thumb) */
	len = xip_loop(img + 0x2000, 0x20200100u, n, &loop);
	rig_open(&g, "mimxrt1062");
	load(&g, 0x60000000u, img, 0x2000 + len);
	sim_power_on_reset(g.sim);
	sim_advance_ns(g.sim, 1 * MS);
	passes = word_at(&g, 0x20200100u) / n;
	sim_advance_ns(g.sim, 10 * MS);
	passes = word_at(&g, 0x20200100u) / n - passes;
	/* per pass: command, then from the loop's beat to its end */
	pass_ns = 20 * 1e9 / 30e6 + (double)(len - (loop & ~7u)) * 2 * 1e9 / 30e6;
	expect = 10e6 / pass_ns;
	CHECK_MSG(passes > expect * 0.9 && passes < expect * 1.1, "%u passes in 10 ms, model says %.0f", passes,
		  expect);
	sim_free(g.sim);
}

/* Item 2, N657. The boot ROM leaves XSPI2 memory-mapped with a 1-line
 * READ (13h, 4-byte address): 40 clocks of command, 8 a byte. A loop of
 * 512 `adds` in the window jumps back each pass: the 64-byte FIFO holds
 * nothing behind, so every pass is a new command and 1030 bytes at
 * 267 ns: ~276 us, about 36 passes in 10 ms (the core alone: ~1200). */
static void test_n657_xip_fetch_costs_spi_time(void)
{
	static uint8_t img[0x800 + 0x500];
	const unsigned n = 512;
	struct rig g;
	uint32_t loop, passes;
	size_t len;
	double pass_ns, expect;

	memset(img, 0xFF, sizeof(img));
	memcpy(img, "STM2", 4);
	put32(img + 0x6C, 0x100);                        /* FSBL length */
	put32(img + 0x400, 0x34100000u);                 /* vector table: SP */
	put32(img + 0x404, 0x70000801u);                 /* reset: into the XIP window */
	len = xip_loop(img + 0x800, 0x34000000u, n, &loop);
	rig_open(&g, "stm32n657");
	load(&g, 0x70000000u, img, 0x800 + len);
	sim_power_on_reset(g.sim);
	sim_advance_ns(g.sim, 1 * MS);
	passes = word_at(&g, 0x34000000u) / n;
	sim_advance_ns(g.sim, 10 * MS);
	passes = word_at(&g, 0x34000000u) / n - passes;
	pass_ns = 40 * 1e9 / 30e6 + (double)(len - (loop & ~7u)) * 8 * 1e9 / 30e6;
	expect = 10e6 / pass_ns;
	CHECK_MSG(passes > expect * 0.85 && passes < expect * 1.15, "%u passes in 10 ms, model says %.0f", passes,
		  expect);
	sim_free(g.sim);
}

/* Item 3. AE3 MRAM: the HP core writes 16-byte units back to back; each
 * takes 2.76 us (5.8 MB/s, Renesas 22 nm eSTT-MRAM, VLSI 2022) and the
 * next unit's first store waits for it, its other three stores (~100 ns
 * at 40 MHz) come after: ~350 units in 1 ms, where the core alone would
 * store ~5000. */
static void test_ae3_mram_unit_write_time(void)
{
	static const uint16_t prog[] = { /* r2 = 0x80100000: 4 x str per unit, r6 = units -> 0x02000000 */
		0x4a06, 0xf04f, 0x7100, 0x2300, 0x2600, 0x6013, 0x6053, 0x6093,
		0x60d3, 0x3210, 0x3601, 0x600e, 0xe7f7, 0x0000, 0x0000, 0x8010};
	struct rig g;
	uint32_t u0, units;
	uint64_t t0;

	rig_open(&g, "ae3");
	vectors(&g, 0x80000000u, 0x02001000u, 0x80000101u);
	load16(&g, 0x80000100u, prog, sizeof(prog) / 2);
	sim_power_on_reset(g.sim);
	sim_advance_ns(g.sim, 100000);
	u0 = word_at(&g, 0x02000000u);
	t0 = sim_now_ns(g.sim);
	sim_advance_ns(g.sim, MS);
	units = word_at(&g, 0x02000000u) - u0;
	CHECK_MSG(u0 > 0, "the HP core did not run from MRAM");
	CHECK_MSG(units >= 1000000 / (SIM_MRAM_UNIT_NS + 200) && units <= 1000000 / SIM_MRAM_UNIT_NS + 1,
		  "%u units in 1 ms at %u ns each", units, SIM_MRAM_UNIT_NS);
	CHECK_EQ_U(sim_now_ns(g.sim) - t0, MS);
	sim_free(g.sim);
}

/* Item 4. N657 XSPI indirect commands take their bus time: WREN (8 clocks
 * at 30 MHz, 267 ns) keeps SR.BUSY set and TCF clear until it is over
 * (RM0486 XSPI_SR), and CCR is write-protected meanwhile. */
static uint64_t fake_clock(void *opaque)
{
	return *(const uint64_t *)opaque;
}

static void test_n657_xspi_indirect_takes_time(void)
{
	static uint8_t mem[4096];
	uint64_t fake_now = 1000;
	struct sim_spinor_cfg cfg = {.mem = mem, .size = sizeof(mem), .jedec_id = {0xC2, 0x81, 0x3B},
				     .now_ns = fake_clock, .clock = &fake_now};
	struct sim_spinor *nor = NULL;
	struct sim_xspi *x = NULL;
	uint32_t sr = 0, ccr = 0;

	CHECK_OK(sim_spinor_new(&cfg, &nor));
	CHECK_OK(sim_xspi_new(nor, &x));
	sim_xspi_set_clock(x, fake_clock, &fake_now);
	CHECK_OK(sim_xspi_reg_write(x, 0x000, 4, 1u));          /* CR: EN, indirect write */
	CHECK_OK(sim_xspi_reg_write(x, 0x100, 4, 1u));          /* CCR: IMODE 1 line */
	CHECK_OK(sim_xspi_reg_write(x, 0x110, 4, 0x06u));       /* IR: WREN starts */
	CHECK_OK(sim_xspi_reg_read(x, 0x020, 4, &sr));
	CHECK_MSG((sr & 0x22u) == 0x20u, "SR 0x%02x right after IR: want BUSY, no TCF", sr);
	CHECK_OK(sim_xspi_reg_write(x, 0x100, 4, 0x0101u));     /* CCR while BUSY: ignored */
	CHECK_OK(sim_xspi_reg_read(x, 0x100, 4, &ccr));
	CHECK_EQ_U(ccr, 1u);
	fake_now += 200;
	CHECK_OK(sim_xspi_reg_read(x, 0x020, 4, &sr));
	CHECK_MSG((sr & 0x22u) == 0x20u, "SR 0x%02x after 200 ns of a 267 ns command", sr);
	fake_now += 100;
	CHECK_OK(sim_xspi_reg_read(x, 0x020, 4, &sr));
	CHECK_MSG((sr & 0x22u) == 0x02u, "SR 0x%02x after the command: want TCF, not BUSY", sr);
	sim_xspi_free(x);
	sim_spinor_free(nor);
}

int main(void)
{
	RUN_TEST(test_cpu_stall_spends_core_budget);
	RUN_TEST(test_h743_fetch_waits_for_busy_bank);
	RUN_TEST(test_rt1062_xip_fetch_costs_spi_time);
	RUN_TEST(test_n657_xip_fetch_costs_spi_time);
	RUN_TEST(test_ae3_mram_unit_write_time);
	RUN_TEST(test_n657_xspi_indirect_takes_time);
	return TEST_MAIN_END();
}
