/* A model of an FTDI MPSSE engine (FT2232H/FT4232H/FT232H) wired to the
 * simulated SWD port: it executes the AN_108 command stream a host writes,
 * clocks the simulator's wire bit by bit, and queues the bytes the chip would
 * send back. Round trips are charged by the libftdi1 replacement below.
 *
 * Replacement of libftdi1 for tests: mpsse_ftdi_*() have the signatures of
 * the libftdi1 calls probes/ftdi.c makes. A test binary either defines the
 * real names as one-line forwarders (its own definitions win over the shared
 * library), or links with -Wl,--wrap=ftdi_new,... and the __wrap_ftdi_*
 * entry points below. The driver code is the same in both cases. */
#ifndef SW_MPSSE_H
#define SW_MPSSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ftdi.h>

#include "sim/sim.h"
#include "sw/ctx.h"

/* How the adapter board joins the MPSSE pins to the target (pin masks are
 * ADBUS0-7 in bits 0-7, ACBUS0-7 in bits 8-15). */
struct mpsse_signal {
	uint16_t data, oe;
	bool ndata, noe;
};

struct mpsse_wiring {
	uint16_t swclk;        /* TCK pin */
	uint16_t swdio_out;    /* TDI pin: drives SWDIO (directly or via a resistor) */
	uint16_t swdio_in;     /* TDO pin: reads SWDIO */
	struct mpsse_signal swdio_oe; /* buffer enable for SWDIO; empty = resistor */
	struct mpsse_signal nsrst;    /* empty = nRESET not wired */
};

struct mpsse_stats {
	uint64_t commands;
	uint64_t bad_commands;
	uint64_t clocks;
	uint64_t send_immediates;
	uint64_t latency_waits; /* reads answered only by the latency timer */
};

struct mpsse;

int mpsse_new(struct sw_ctx *ctx, struct sim *sim, const struct mpsse_wiring *w,
	      struct mpsse **out);
void mpsse_free(struct mpsse *m);
/* Power-on state: MPSSE off, pins inputs, /5 divider on, queues empty. */
void mpsse_reset(struct mpsse *m);
void mpsse_enable(struct mpsse *m, bool on);
/* Execute host bytes; a command split across writes waits for its rest. */
void mpsse_write(struct mpsse *m, const uint8_t *buf, size_t len);
/* Bytes the chip has for the host (at most max). */
size_t mpsse_read(struct mpsse *m, uint8_t *buf, size_t max);
size_t mpsse_pending(const struct mpsse *m);
/* True when response bytes wait that no SEND_IMMEDIATE flushed: the host
 * sees them only when the latency timer expires. Clears the flag. */
bool mpsse_take_unflushed(struct mpsse *m);
void mpsse_get_stats(const struct mpsse *m, struct mpsse_stats *s);
uint32_t mpsse_clock_hz(const struct mpsse *m);
bool mpsse_nrst_asserted(const struct mpsse *m);

/* ---- libftdi1 replacement --------------------------------------------------- */

/* Attach the simulated adapter of ftdi (made by mpsse_ftdi_new) to a board:
 * sim is not owned; layout names the wiring from probes/ftdi_layouts.c
 * (NULL: the first layout with this VID/PID). */
int mpsse_ftdi_attach(struct ftdi_context *ftdi, struct sim *sim, const char *layout);
/* The model behind a context, for tests (NULL before open). */
struct mpsse *mpsse_ftdi_model(struct ftdi_context *ftdi);

struct ftdi_context *mpsse_ftdi_new(void);
void mpsse_ftdi_free(struct ftdi_context *ftdi);
int mpsse_ftdi_set_interface(struct ftdi_context *ftdi, enum ftdi_interface iface);
/* Opens the adapter: with no board attached it makes its own sim of the chip
 * named by $SW_MPSSE_CHIP (default stm32h743), loads $SW_MPSSE_LOAD (an ELF)
 * if set, and wires it as layout $SW_MPSSE_LAYOUT (default: by VID/PID). */
int mpsse_ftdi_usb_open_desc_index(struct ftdi_context *ftdi, int vendor, int product,
				   const char *description, const char *serial,
				   unsigned int index);
int mpsse_ftdi_usb_close(struct ftdi_context *ftdi);
int mpsse_ftdi_usb_reset(struct ftdi_context *ftdi);
int mpsse_ftdi_set_latency_timer(struct ftdi_context *ftdi, unsigned char latency);
int mpsse_ftdi_set_bitmode(struct ftdi_context *ftdi, unsigned char bitmask, unsigned char mode);
int mpsse_ftdi_tcioflush(struct ftdi_context *ftdi);
int mpsse_ftdi_write_data(struct ftdi_context *ftdi, const unsigned char *buf, int size);
int mpsse_ftdi_read_data(struct ftdi_context *ftdi, unsigned char *buf, int size);
const char *mpsse_ftdi_get_error_string(struct ftdi_context *ftdi);
/* Enumeration: with SW_MPSSE_CHIP set, one adapter is "plugged in": the
 * VID:PID of layout SW_MPSSE_LAYOUT (default ft232h), serial "MPSSE0001". */
int mpsse_ftdi_usb_find_all(struct ftdi_context *ftdi, struct ftdi_device_list **devlist, int vendor,
			    int product);
int mpsse_ftdi_usb_get_strings(struct ftdi_context *ftdi, struct libusb_device *dev, char *manufacturer,
			       int mnf_len, char *description, int desc_len, char *serial, int serial_len);
void mpsse_ftdi_list_free(struct ftdi_device_list **devlist);

/* The same, as -Wl,--wrap=NAME entry points for a program build (e.g. a
 * swdbridge whose --probe ftdi reaches the simulator). Wrap exactly: */
#define MPSSE_FTDI_WRAP_LIST \
	"ftdi_new,ftdi_free,ftdi_set_interface,ftdi_usb_open_desc_index,ftdi_usb_close,ftdi_usb_reset,ftdi_set_latency_timer,ftdi_set_bitmode,ftdi_tcioflush,ftdi_write_data,ftdi_read_data,ftdi_get_error_string,ftdi_usb_find_all,ftdi_usb_get_strings,ftdi_list_free"
struct ftdi_context *__wrap_ftdi_new(void);
void __wrap_ftdi_free(struct ftdi_context *ftdi);
int __wrap_ftdi_set_interface(struct ftdi_context *ftdi, enum ftdi_interface iface);
int __wrap_ftdi_usb_open_desc_index(struct ftdi_context *ftdi, int vendor, int product,
				     const char *description, const char *serial, unsigned int index);
int __wrap_ftdi_usb_close(struct ftdi_context *ftdi);
int __wrap_ftdi_usb_reset(struct ftdi_context *ftdi);
int __wrap_ftdi_set_latency_timer(struct ftdi_context *ftdi, unsigned char latency);
int __wrap_ftdi_set_bitmode(struct ftdi_context *ftdi, unsigned char bitmask, unsigned char mode);
int __wrap_ftdi_tcioflush(struct ftdi_context *ftdi);
int __wrap_ftdi_write_data(struct ftdi_context *ftdi, const unsigned char *buf, int size);
int __wrap_ftdi_read_data(struct ftdi_context *ftdi, unsigned char *buf, int size);
const char *__wrap_ftdi_get_error_string(struct ftdi_context *ftdi);
int __wrap_ftdi_usb_find_all(struct ftdi_context *ftdi, struct ftdi_device_list **devlist, int vendor,
			     int product);
int __wrap_ftdi_usb_get_strings(struct ftdi_context *ftdi, struct libusb_device *dev, char *manufacturer,
				int mnf_len, char *description, int desc_len, char *serial, int serial_len);
void __wrap_ftdi_list_free(struct ftdi_device_list **devlist);

#endif
