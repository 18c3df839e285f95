/* Clock, power and memory-configuration blocks of the simulated chips, as
 * firmware sees them on the system bus: STM32H743 RCC/PWR (ready flags
 * after their start-up times, switch only to a ready source, PLL set-up
 * locked while the PLL runs, supply configuration written once), GPIO as
 * storage, RT1062 FlexRAM banking (contents move with the banks, window
 * sizes follow GPR17/GPR16/GPR14), an unmodelled block answering with a
 * bus error. */
#include "sim/sim_internal.h"
#include "tests/sim_dbg.h"
#include "tests/test.h"

#define RCC 0x58024400u
#define PWR 0x58024800u

static uint32_t rd(struct sim *s, uint32_t a)
{
	return dbg_rd(s->sysbus, a);
}

static void wr(struct sim *s, uint32_t a, uint32_t v)
{
	dbg_wr(s->sysbus, a, v);
}

static void test_h743_rcc_pwr(void)
{
	struct sw_ctx ctx;
	struct sim *s;
	uint32_t v;

	sw_ctx_init(&ctx);
	CHECK_OK(sim_new(&ctx, "stm32h743", &s));
	CHECK(rd(s, RCC) & (1u << 2));            /* HSIRDY out of reset */
	CHECK_EQ_U(rd(s, RCC + 0x10) & 0x38u, 0u); /* SWS = HSI */
	/* HSE: ready 2 ms after HSEON, not before. */
	wr(s, RCC, rd(s, RCC) | (1u << 16));
	sim_advance_ns(s, 1000000);
	CHECK(!(rd(s, RCC) & (1u << 17)));
	wr(s, RCC + 0x10, 2); /* switch to HSE before it is ready: refused */
	CHECK_EQ_U(rd(s, RCC + 0x10) & 0x38u, 0u);
	sim_advance_ns(s, 1100000);
	CHECK(rd(s, RCC) & (1u << 17));
	/* PLL1 from HSE: its dividers lock while it runs; RDY after 50 us. */
	wr(s, RCC + 0x28, 0x02020200u | (5u << 4) | 2u);
	wr(s, RCC + 0x30, 159u | (1u << 9));
	wr(s, RCC, rd(s, RCC) | (1u << 24));
	CHECK(!(rd(s, RCC) & (1u << 25)));
	wr(s, RCC + 0x30, 99u);
	CHECK_EQ_U(rd(s, RCC + 0x30), 159u | (1u << 9));
	sim_advance_ns(s, 60000);
	CHECK(rd(s, RCC) & (1u << 25));
	wr(s, RCC + 0x10, 3);
	CHECK_EQ_U(rd(s, RCC + 0x10) & 0x3Fu, 0x1Bu);
	/* HSE feeds the PLL that is sys_ck: HSEON cannot be cleared. */
	wr(s, RCC, rd(s, RCC) & ~(1u << 16));
	CHECK(rd(s, RCC) & (1u << 16));
	/* PWR: no VOS ready before the supply configuration; written once. */
	CHECK(!(rd(s, PWR + 0x18) & (1u << 13)));
	wr(s, PWR + 0x0C, 0x2u); /* LDOEN */
	sim_advance_ns(s, 40000);
	CHECK(rd(s, PWR + 0x04) & (1u << 13)); /* ACTVOSRDY */
	wr(s, PWR + 0x0C, 0x1u);               /* BYPASS: ignored now */
	CHECK_EQ_U(rd(s, PWR + 0x0C) & 7u, 2u);
	wr(s, PWR + 0x18, 3u << 14);
	CHECK(!(rd(s, PWR + 0x18) & (1u << 13)));
	sim_advance_ns(s, 40000);
	CHECK_EQ_U(rd(s, PWR + 0x18), (3u << 14) | (1u << 13));
	/* GPIOB: writes lost while its clock is off; BSRR drives ODR. */
	wr(s, 0x58020414u, 1);
	CHECK_EQ_U(rd(s, 0x58020414u), 0u);
	wr(s, RCC + 0xE0, 2);
	wr(s, 0x58020418u, 0x00000005u);
	wr(s, 0x58020418u, 0x00010000u);
	CHECK_EQ_U(rd(s, 0x58020414u), 4u);
	CHECK_EQ_U(rd(s, 0x58020410u), 4u); /* IDR reads what the port drives */
	/* CRC shares the RCC's 4 KiB page and is not modelled: bus error. */
	CHECK(sim_bus_read(s->sysbus, 0x58024C00u, 4, &v) != 0);
	/* System reset: back on HSI, PLL off; the supply configuration stays. */
	sim_system_reset(s);
	CHECK_EQ_U(rd(s, RCC + 0x10) & 0x38u, 0u);
	CHECK(!(rd(s, RCC) & (1u << 24)));
	CHECK_EQ_U(rd(s, PWR + 0x0C) & 7u, 2u);
	sim_free(s);
}

static void test_rt1062_flexram(void)
{
	struct sw_ctx ctx;
	struct sim *s;
	uint32_t v;

	sw_ctx_init(&ctx);
	CHECK_OK(sim_new(&ctx, "mimxrt1062", &s));
	/* Fuse default: 128 KiB DTCM, 128 KiB ITCM, 256 KiB OCRAM. */
	CHECK(sim_bus_read(s->sysbus, 0x2001FFFCu, 4, &v) == 0);
	CHECK(sim_bus_read(s->sysbus, 0x20020000u, 4, &v) != 0);
	CHECK(sim_bus_read(s->sysbus, 0x2027FFFCu + 0x40000u, 4, &v) == 0);
	wr(s, 0x20000000u, 0x12345678u); /* the first DTCM bank (bank 8) */
	/* GPR17 alone changes nothing until GPR16.FLEXRAM_BANK_CFG_SEL. */
	wr(s, 0x400AC044u, 0x5AAAAAAFu);
	CHECK(sim_bus_read(s->sysbus, 0x20020000u, 4, &v) != 0);
	wr(s, 0x400AC040u, rd(s, 0x400AC040u) | 4u);
	/* Banks 2-13 DTCM (384 KiB): bank 8 is now the seventh, at +192 KiB. */
	CHECK_EQ_U(rd(s, 0x20030000u), 0x12345678u);
	CHECK(sim_bus_read(s->sysbus, 0x2005FFFCu, 4, &v) == 0);
	CHECK(sim_bus_read(s->sysbus, 0x20060000u, 4, &v) != 0);
	CHECK(sim_bus_read(s->sysbus, 0x0000FFFCu, 4, &v) == 0); /* ITCM 64 KiB */
	CHECK(sim_bus_read(s->sysbus, 0x00010000u, 4, &v) != 0);
	/* GPR14 narrows the DTCM the core decodes (0110: 32 KiB). */
	wr(s, 0x400AC038u, 6u << 20);
	CHECK(sim_bus_read(s->sysbus, 0x20008000u, 4, &v) != 0);
	wr(s, 0x400AC038u, 0x00AA0000u);
	CHECK(sim_bus_read(s->sysbus, 0x20008000u, 4, &v) == 0);
	/* A system reset puts the fuse default back, data following its bank. */
	sim_system_reset(s);
	CHECK_EQ_U(rd(s, 0x20000000u), 0x12345678u);
	CHECK(sim_bus_read(s->sysbus, 0x20020000u, 4, &v) != 0);
	sim_free(s);
}

int main(void)
{
	RUN_TEST(test_h743_rcc_pwr);
	RUN_TEST(test_rt1062_flexram);
	return TEST_MAIN_END();
}
