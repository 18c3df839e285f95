/* FTDI MPSSE probe driver on libftdi1 (FT2232H/FT4232H channel A or B,
 * FT232H). SWD runs through the generic bit engine: each batch becomes one
 * MPSSE command buffer ending in SEND_IMMEDIATE, i.e. one USB round trip.
 * SWDIO is either TDI joined to TDO through a series resistor, or a buffered
 * line with an output-enable pin (SWDIO_OE); adapters are data (layouts). */
#ifndef SW_FTDI_H
#define SW_FTDI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "probes/probe.h"

/* MPSSE pins: ADBUS0..7 are bits 0..7, ACBUS0..7 bits 8..15. */
#define SW_FTDI_TCK 0x0001u /* ADBUS0 -> SWCLK */
#define SW_FTDI_TDI 0x0002u /* ADBUS1 -> SWDIO (direct, or via the resistor) */
#define SW_FTDI_TDO 0x0004u /* ADBUS2 <- SWDIO */

/* A signal as OpenOCD's ftdi "layout_signal" describes it: a data pin and an
 * output-enable pin, each optionally inverted. When oe == data the OE is the
 * pin's direction bit (open-drain emulation); otherwise a separate pin. */
struct sw_ftdi_signal {
	uint16_t data;
	uint16_t oe;
	bool ndata;
	bool noe;
};

struct sw_ftdi_layout {
	const char *name;
	const char *desc;     /* one line for --ftdi-layout help */
	uint16_t vid, pid;
	unsigned channel;     /* 1 = A, 2 = B (libftdi INTERFACE_A/B) */
	uint16_t init_data;   /* value of ADBUS/ACBUS after set-up */
	uint16_t init_dir;    /* direction, 1 = output */
	struct sw_ftdi_signal swdio_oe; /* all zero: resistor-joined TDI/TDO */
	struct sw_ftdi_signal swd_en;   /* set to 1 for SWD (buffer mux), may be empty */
	struct sw_ftdi_signal nsrst;    /* nRESET, may be empty */
};

/* The table (probes/ftdi_layouts.c); NULL-free, *n entries. */
const struct sw_ftdi_layout *sw_ftdi_layouts(size_t *n);
const struct sw_ftdi_layout *sw_ftdi_layout_find(const char *name);

/* An adapter found on USB by sw_ftdi_list. */
struct sw_ftdi_found {
	uint16_t vid, pid;
	char manufacturer[64], description[96], serial[64]; /* empty if unreadable */
	char layout[32];   /* the one layout with this VID:PID; "" when several share it */
	char layouts[128]; /* every layout with this VID:PID, comma separated */
	unsigned n_layouts;
};

/* Adapters whose VID:PID is in the layout table (libftdi1
 * ftdi_usb_find_all). Fills up to max; *count may exceed max. No USB
 * access is not an error (nothing is found). */
int sw_ftdi_list(struct sw_ctx *ctx, struct sw_ftdi_found *out, size_t max, size_t *count);

/* Drive a signal to '0', '1' or 'z' (released) in a pin image, with
 * OpenOCD's semantics (data ^ ndata; OE ^ noe, OE == data -> direction). */
void sw_ftdi_signal_apply(const struct sw_ftdi_signal *s, char value, uint16_t *data,
			  uint16_t *dir);

/* Open an adapter. selector: "ftdi[:VID:PID[:SERIAL]]" (hex VID/PID; the
 * layout's own VID/PID when omitted); layout: a name from the table, NULL
 * for "ft232h". Sets 60 MHz base clock, no adaptive clocking, no 3-phase
 * clocking, loopback off, latency timer, pins, and 4 MHz SWCLK. */
int sw_ftdi_open(struct sw_ctx *ctx, const char *selector, const char *layout,
		 struct sw_probe **out);

/* SWCLK for an H-type MPSSE: 60 MHz / (2 * (1 + div)); returns the divisor
 * for the fastest clock not above hz. Exposed for tests. */
uint16_t sw_ftdi_divisor(uint32_t hz, uint32_t *actual_hz);

#endif
