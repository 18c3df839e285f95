/* FTDI MPSSE driver against the MPSSE model: probes/ftdi.c runs unchanged;
 * the libftdi1 calls it makes resolve to the definitions below (a program's
 * own symbols win over the shared library's), which forward to the simulated
 * adapter of sim/mpsse.c wired to a simulated STM32H743. SWD traffic is at
 * probe level (raw DP/AP requests) so this test depends on no ADI code. */
#include <stdlib.h>
#include <unistd.h>

#include "tests/test.h"

#include "probes/ftdi.h"
#include "sim/mpsse.h"
#include "sim/sim.h"
#include "sw/types.h"

#define H743_DPIDR 0x6BA02477u
#define AXI_SRAM 0x24000000u

/* Test-binary state for the forwarders (not part of libsw). */
static struct sim *board;
static const char *board_layout;
static struct ftdi_context *last_ftdi;

/* ---- libftdi1 names, forwarded to the model ---------------------------------- */

struct ftdi_context *ftdi_new(void)
{
	last_ftdi = mpsse_ftdi_new();
	if (last_ftdi && board)
		mpsse_ftdi_attach(last_ftdi, board, board_layout);
	return last_ftdi;
}

void ftdi_free(struct ftdi_context *ftdi)
{
	if (ftdi == last_ftdi)
		last_ftdi = NULL;
	mpsse_ftdi_free(ftdi);
}

int ftdi_set_interface(struct ftdi_context *ftdi, enum ftdi_interface interface)
{
	return mpsse_ftdi_set_interface(ftdi, interface);
}

int ftdi_usb_open_desc_index(struct ftdi_context *ftdi, int vendor, int product,
			     const char *description, const char *serial, unsigned int index)
{
	return mpsse_ftdi_usb_open_desc_index(ftdi, vendor, product, description, serial, index);
}

int ftdi_usb_close(struct ftdi_context *ftdi)
{
	return mpsse_ftdi_usb_close(ftdi);
}

int ftdi_usb_reset(struct ftdi_context *ftdi)
{
	return mpsse_ftdi_usb_reset(ftdi);
}

int ftdi_set_latency_timer(struct ftdi_context *ftdi, unsigned char latency)
{
	return mpsse_ftdi_set_latency_timer(ftdi, latency);
}

int ftdi_set_bitmode(struct ftdi_context *ftdi, unsigned char bitmask, unsigned char mode)
{
	return mpsse_ftdi_set_bitmode(ftdi, bitmask, mode);
}

int ftdi_tcioflush(struct ftdi_context *ftdi)
{
	return mpsse_ftdi_tcioflush(ftdi);
}

int ftdi_write_data(struct ftdi_context *ftdi, const unsigned char *buf, int size)
{
	return mpsse_ftdi_write_data(ftdi, buf, size);
}

int ftdi_read_data(struct ftdi_context *ftdi, unsigned char *buf, int size)
{
	return mpsse_ftdi_read_data(ftdi, buf, size);
}

const char *ftdi_get_error_string(struct ftdi_context *ftdi)
{
	return mpsse_ftdi_get_error_string(ftdi);
}

/* ---- helpers ------------------------------------------------------------------- */

static struct sw_ctx ctx;

int ftdi_usb_find_all(struct ftdi_context *ftdi, struct ftdi_device_list **devlist, int vendor, int product)
{
	return mpsse_ftdi_usb_find_all(ftdi, devlist, vendor, product);
}

int ftdi_usb_get_strings(struct ftdi_context *ftdi, struct libusb_device *dev, char *manufacturer, int mnf_len,
			 char *description, int desc_len, char *serial, int serial_len)
{
	return mpsse_ftdi_usb_get_strings(ftdi, dev, manufacturer, mnf_len, description, desc_len, serial,
					  serial_len);
}

void ftdi_list_free(struct ftdi_device_list **devlist)
{
	mpsse_ftdi_list_free(devlist);
}

static int new_board(const char *layout)
{
	sim_free(board);
	board = NULL;
	board_layout = layout;
	if (sim_new(&ctx, "stm32h743", &board) != SW_OK)
		return -1;
	sim_power_on_reset(board);
	return 0;
}

/* JTAG-to-SWD, DPIDR, clear errors, debug + system power-up (ADIv5.2 B2.2.2). */
static int dp_connect(struct sw_probe *p, uint32_t *dpidr)
{
	struct sw_swd_req r[5] = {
		{.req = SW_REQ_READ | SW_REQ_ADDR(0x0)},           /* DPIDR */
		{.req = SW_REQ_ADDR(0x0), .data = 0x1E},            /* ABORT: clear sticky */
		{.req = SW_REQ_ADDR(0x8), .data = 0},               /* SELECT: DP bank 0 */
		/* CTRL/STAT power-up + ORUNDETECT: the bit engine batches only once
		 * overrun detection keeps a packed stream in sync (swd_engine.c). */
		{.req = SW_REQ_ADDR(0x4), .data = 0x50000001u},
		{.req = SW_REQ_READ | SW_REQ_ADDR(0x4)},
	};
	int rc = sw_swj_jtag_to_swd(p);

	for (int i = 0; rc == SW_OK && i < 20; i++) {
		rc = sw_probe_swd_transfer(p, i ? &r[4] : r, i ? 1 : 5);
		if (rc == SW_OK && (r[4].data & 0xA0000000u) == 0xA0000000u)
			break;
	}
	*dpidr = r[0].data;
	return rc;
}

/* One 1 KiB TAR block (TAR auto-increment wraps at 1 KiB, ADIv5.2 C2.2.2)
 * per swd_transfer call: SELECT AP0, CSW word+increment, TAR, 256 x DRW. */
static int mem_block(struct sw_probe *p, uint32_t addr, uint32_t *w, size_t n, bool rd)
{
	struct sw_swd_req r[3 + 256];

	r[0] = (struct sw_swd_req){.req = SW_REQ_ADDR(0x8), .data = 0};            /* SELECT */
	r[1] = (struct sw_swd_req){.req = SW_REQ_AP | SW_REQ_ADDR(0x0), .data = 0x23000012u};
	r[2] = (struct sw_swd_req){.req = SW_REQ_AP | SW_REQ_ADDR(0x4), .data = addr}; /* TAR */
	for (size_t i = 0; i < n; i++)
		r[3 + i] = (struct sw_swd_req){
			.req = (uint8_t)(SW_REQ_AP | SW_REQ_ADDR(0xC) | (rd ? SW_REQ_READ : 0)),
			.data = rd ? 0 : w[i]};
	if (sw_probe_swd_transfer(p, r, 3 + n) != SW_OK)
		return -1;
	for (size_t i = 0; rd && i < n; i++)
		w[i] = r[3 + i].data;
	return 0;
}

static int mem_xfer(struct sw_probe *p, uint32_t addr, uint32_t *w, size_t words, bool rd)
{
	for (size_t off = 0; off < words; off += 256)
		if (mem_block(p, addr + (uint32_t)off * 4, w + off, words - off < 256 ? words - off : 256,
			      rd))
			return -1;
	return 0;
}

/* ---- tests ---------------------------------------------------------------------- */

static void test_divisor(void)
{
	uint32_t hz;

	CHECK_EQ_U(sw_ftdi_divisor(30000000, &hz), 0);
	CHECK_EQ_U(hz, 30000000);
	CHECK_EQ_U(sw_ftdi_divisor(100000000, &hz), 0);
	CHECK_EQ_U(sw_ftdi_divisor(15000000, &hz), 1);
	CHECK_EQ_U(hz, 15000000);
	CHECK_EQ_U(sw_ftdi_divisor(4000000, &hz), 7); /* never faster than asked */
	CHECK_EQ_U(hz, 3750000);
	CHECK_EQ_U(sw_ftdi_divisor(1, &hz), 0xFFFF);
}

static void test_signal_semantics(void)
{
	const struct sw_ftdi_layout *ft = sw_ftdi_layout_find("ft232h");
	const struct sw_ftdi_layout *kt = sw_ftdi_layout_find("kt-link");
	uint16_t d = 0x0030, dir = 0x000b;

	CHECK(ft && kt);
	if (!ft || !kt)
		return;
	/* open drain: assert = output low, release = input */
	sw_ftdi_signal_apply(&ft->nsrst, '0', &d, &dir);
	CHECK_EQ_U(d & 0x10, 0);
	CHECK_EQ_U(dir & 0x10, 0x10);
	sw_ftdi_signal_apply(&ft->nsrst, 'z', &d, &dir);
	CHECK_EQ_U(dir & 0x10, 0);
	/* separate inverted OE pin: asserting drives ACBUS3 low */
	d = 0x8c28;
	dir = 0xff3b;
	sw_ftdi_signal_apply(&kt->nsrst, '0', &d, &dir);
	CHECK_EQ_U(d & 0x0a00, 0);
	sw_ftdi_signal_apply(&kt->nsrst, 'z', &d, &dir);
	CHECK_EQ_U(d & 0x0800, 0x0800);
	CHECK(sw_ftdi_layout_find("no-such-adapter") == NULL);
}

/* The model alone: bad-command echo, pin read-back, bit-mode read layout. */
static void test_mpsse_model_basics(void)
{
	static const uint8_t sync[] = {0xAA, 0x87};
	static const uint8_t setup[] = {0x8A, 0x97, 0x8D, 0x85, 0x80, 0x00, 0x09, 0x86, 0x01, 0x00,
					0x81, 0x2A, 0x02, 0x87};
	struct mpsse_wiring w = {.swclk = 1, .swdio_out = 2, .swdio_in = 4};
	struct mpsse *m = NULL;
	uint8_t ans[8];
	struct mpsse_stats st;

	CHECK_OK(new_board(NULL));
	CHECK_OK(mpsse_new(&ctx, board, &w, &m));
	if (!m)
		return;
	mpsse_write(m, sync, 2);
	CHECK_EQ_U(mpsse_pending(m), 0); /* MPSSE not enabled yet: UART mode */
	mpsse_enable(m, true);
	mpsse_write(m, sync, 1); /* a command may arrive in pieces */
	mpsse_write(m, sync + 1, 1);
	CHECK_EQ_U(mpsse_read(m, ans, sizeof(ans)), 2);
	CHECK_EQ_U(ans[0], 0xFA);
	CHECK_EQ_U(ans[1], 0xAA);
	mpsse_write(m, setup, sizeof(setup));
	CHECK_EQ_U(mpsse_clock_hz(m), 15000000);
	CHECK_EQ_U(mpsse_read(m, ans, sizeof(ans)), 2);
	CHECK_EQ_U(ans[0] & 0x0F, 0x06); /* TCK, TMS low outputs; TDI, TDO inputs pulled up */
	CHECK_EQ_U(ans[1], 0xE0); /* 3 undriven bits read as 1, in the top of the byte */
	CHECK(!mpsse_take_unflushed(m));
	mpsse_get_stats(m, &st);
	CHECK_EQ_U(st.bad_commands, 1);
	CHECK_EQ_U(st.clocks, 3);
	mpsse_free(m);
}

static void open_and_read_dpidr(const char *layout)
{
	struct sw_probe *p = NULL;
	uint32_t dpidr = 0;

	CHECK_OK(new_board(layout));
	CHECK_OK(sw_ftdi_open(&ctx, "ftdi", layout, &p));
	if (!p)
		return;
	CHECK_OK(dp_connect(p, &dpidr));
	CHECK_EQ_U(dpidr, H743_DPIDR);
	CHECK_EQ_U(p->freq_hz, 3750000);
	sw_probe_close(p);
}

static void test_dpidr_resistor_ft232h(void)
{
	open_and_read_dpidr("ft232h");
}

static void test_dpidr_buffered_kt_link(void)
{
	open_and_read_dpidr("kt-link");
}

static void test_dpidr_channel_b(void)
{
	open_and_read_dpidr("minimodule-b");
}

static void test_open_errors(void)
{
	struct sw_probe *p = NULL;

	ctx.level = SW_LOG_NONE;
	CHECK_OK(new_board("ft232h"));
	CHECK_EQ_U(sw_ftdi_open(&ctx, "ftdi:1234:5678", "ft232h", &p), SW_ERR_NOT_FOUND);
	CHECK_EQ_U(sw_ftdi_open(&ctx, "ftdi:zz", "ft232h", &p), SW_ERR_ARG);
	CHECK_EQ_U(sw_ftdi_open(&ctx, "ftdi", "no-such", &p), SW_ERR_NOT_FOUND);
	CHECK(p == NULL);
	ctx.level = SW_LOG_WARN;
}

static void test_nrst_pin(void)
{
	struct sw_probe *p = NULL;

	CHECK_OK(new_board("steppenprobe"));
	CHECK_OK(sw_ftdi_open(&ctx, "ftdi", "steppenprobe", &p));
	if (!p || !last_ftdi)
		return;
	CHECK(!mpsse_nrst_asserted(mpsse_ftdi_model(last_ftdi)));
	CHECK_OK(sw_probe_set_nrst(p, true));
	CHECK(mpsse_nrst_asserted(mpsse_ftdi_model(last_ftdi)));
	CHECK_OK(sw_probe_set_nrst(p, false));
	CHECK(!mpsse_nrst_asserted(mpsse_ftdi_model(last_ftdi)));
	sw_probe_close(p);
}

/* 64 KiB through the AHB-AP, one swd_transfer per KiB; every batch must be
 * flushed by SEND_IMMEDIATE (no latency-timer waits). */
static void test_mem_64k(void)
{
	enum { WORDS = 16384 };
	uint32_t *wr = malloc(WORDS * 4), *rd = calloc(WORDS, 4), dpidr;
	struct sw_probe *p = NULL;
	struct mpsse_stats st;
	struct sim_counters c0, c1, c2;

	CHECK_OK(new_board("ft232h"));
	CHECK_OK(sw_ftdi_open(&ctx, "ftdi:0403:6014", "ft232h", &p));
	if (!p || !wr || !rd)
		goto out;
	CHECK_OK(sw_probe_set_freq(p, 30000000, NULL));
	CHECK_OK(dp_connect(p, &dpidr));
	for (size_t i = 0; i < WORDS; i++)
		wr[i] = (uint32_t)(i * 2654435761u);
	sim_get_counters(board, &c0);
	CHECK_OK(mem_xfer(p, AXI_SRAM, wr, WORDS, false));
	sim_get_counters(board, &c1);
	CHECK_OK(mem_xfer(p, AXI_SRAM, rd, WORDS, true));
	sim_get_counters(board, &c2);
	CHECK(memcmp(wr, rd, WORDS * 4) == 0);
	mpsse_get_stats(mpsse_ftdi_model(last_ftdi), &st);
	CHECK_EQ_U(st.latency_waits, 0);
	CHECK_EQ_U(st.bad_commands, 1); /* only the sync probe */
	/* FT232H: 8 Kbit per batch, so a 1 KiB block (259 requests) takes two */
	CHECK(c2.round_trips - c1.round_trips <= 2 * 64 + 2);
	CHECK(c1.round_trips - c0.round_trips <= 2 * 64 + 2);
	TEST_INFO("ftdi/mpsse 64 KiB write: %llu round trips, %llu SWD cycles",
		  (unsigned long long)(c1.round_trips - c0.round_trips),
		  (unsigned long long)(c1.swclk_cycles - c0.swclk_cycles));
	TEST_INFO("ftdi/mpsse 64 KiB read: %llu round trips, %llu SWD cycles",
		  (unsigned long long)(c2.round_trips - c1.round_trips),
		  (unsigned long long)(c2.swclk_cycles - c1.swclk_cycles));
out:
	sw_probe_close(p);
	free(wr);
	free(rd);
}

/* Unplug and replug (the model's SW_MPSSE_UNPLUGGED file): the open handle
 * fails from the unplug on and stays dead after the replug, as a libusb
 * handle of a removed device does; the probe is marked lost and knows the
 * selector (USB serial string) that opens this very adapter again. A wrong
 * serial finds nothing, as libftdi compares it on open. */
static void test_unplug_reopen_by_serial(void)
{
	char path[] = "/tmp/test_ftdi_unplugXXXXXX";
	struct sw_probe *p = NULL, *p2 = NULL;
	uint32_t dpidr = 0;
	int fd;

	CHECK_OK(new_board("ft232h"));
	ctx.level = SW_LOG_NONE;
	CHECK_EQ_U(sw_ftdi_open(&ctx, "ftdi:0403:6014:OTHER", "ft232h", &p), SW_ERR_NOT_FOUND);
	CHECK_OK(sw_ftdi_open(&ctx, "ftdi:0403:6014:MPSSE0001", "ft232h", &p));
	if (!p)
		goto out;
	CHECK_MSG(!strcmp(p->reopen, "ftdi:0403:6014:MPSSE0001"), "reopen '%s'", p->reopen);
	CHECK_OK(dp_connect(p, &dpidr));
	fd = mkstemp(path);
	CHECK(fd >= 0);
	if (fd < 0)
		goto out;
	close(fd);
	setenv("SW_MPSSE_UNPLUGGED", path, 1);
	CHECK(dp_connect(p, &dpidr) != SW_OK);
	CHECK(p->lost);
	CHECK(strstr(sw_errmsg(&ctx), "probe lost") != NULL);
	CHECK_EQ_U(sw_ftdi_open(&ctx, p->reopen, "ft232h", &p2), SW_ERR_NOT_FOUND); /* off the bus */
	unlink(path);
	CHECK(dp_connect(p, &dpidr) != SW_OK); /* the old handle stays dead */
	CHECK_OK(sw_ftdi_open(&ctx, p->reopen, "ft232h", &p2));
	if (p2) {
		CHECK_OK(dp_connect(p2, &dpidr));
		CHECK_EQ_U(dpidr, H743_DPIDR);
	}
out:
	unsetenv("SW_MPSSE_UNPLUGGED");
	ctx.level = SW_LOG_WARN;
	sw_probe_close(p2);
	sw_probe_close(p);
}

int main(void)
{
	sw_ctx_init(&ctx);
	ctx.level = SW_LOG_WARN;
	RUN_TEST(test_divisor);
	RUN_TEST(test_signal_semantics);
	RUN_TEST(test_mpsse_model_basics);
	RUN_TEST(test_dpidr_resistor_ft232h);
	RUN_TEST(test_dpidr_buffered_kt_link);
	RUN_TEST(test_dpidr_channel_b);
	RUN_TEST(test_open_errors);
	RUN_TEST(test_nrst_pin);
	RUN_TEST(test_mem_64k);
	RUN_TEST(test_unplug_reopen_by_serial);
	sim_free(board);
	return TEST_MAIN_END();
}
