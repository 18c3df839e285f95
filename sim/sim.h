/* The chip simulator, seen from the SWD wire (ARCHITECTURE.md §4).
 *
 * One struct sim is one board: a chip (DP, APs, buses, ROM tables, cores,
 * peripherals) plus a virtual clock. Front ends drive it either at the bit
 * level (sim_wire_io: what a probe's pins see) or through the transaction-level
 * shortcut (sim_swd_raw: one SWD packet, raw ADI semantics, posted AP reads
 * included). Tests must exercise the bit path. */
#ifndef SW_SIM_H
#define SW_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sw/ctx.h"

struct sim;

/* Timing model (reference/perf.md §6). The front end charges round trips;
 * the wire charges SWCLK cycles. */
struct sim_timing {
	uint64_t t_rt_ns;         /* host <-> probe round-trip latency */
	uint32_t swclk_hz;        /* SWD clock */
	uint64_t usb_bytes_per_s; /* host link bandwidth */
};

/* Profiles: J-Link HS (0.5 ms, 4 MHz, 35 MB/s) and FTDI HS with 0x87 (0.3 ms, 30 MHz). */
extern const struct sim_timing sim_timing_jlink_hs;
extern const struct sim_timing sim_timing_ftdi_hs;

/* Chips: "stm32h743", "adiv6-m55" (generic ADIv6 DP with a Cortex-M55 MEM-AP
 * at 0x200000, used to test ADIv6 addressing), "ae3" (two M55s, MRAM);
 * see sim_chip_names() for the rest. */
int sim_new(struct sw_ctx *ctx, const char *chip, struct sim **out);
void sim_free(struct sim *sim);
/* Names of all chips, NULL-terminated. */
const char *const *sim_chip_names(void);

/* --- wire ------------------------------------------------------------- */

/* Clock nbits: dir bit 1 = host drives SWDIO with `out`, 0 = host samples
 * into `in` (undriven line reads 1: pull-up). LSB of byte 0 first. Any of
 * out/in may be NULL when no bit goes that way. */
int sim_wire_io(struct sim *sim, const uint8_t *dir, const uint8_t *out, uint8_t *in,
		size_t nbits);

/* Transaction shortcut: one SWD packet with raw ADI semantics. req is the
 * SW_REQ_* byte of probes/probe.h; returns the ACK (SW_ACK_*), *data in/out.
 * *parity_ok reports the read-data parity the wire would have carried. */
unsigned sim_swd_raw(struct sim *sim, uint8_t req, uint32_t *data, bool *parity_ok);

/* Charge one host <-> probe exchange of the given payload sizes. */
void sim_round_trip(struct sim *sim, size_t bytes_out, size_t bytes_in);

void sim_set_nrst(struct sim *sim, bool asserted);
/* Use the datasheet's maximum operation times (flash program/erase)
 * instead of the typical ones; chips without such a table ignore it. */
void sim_set_max_corner(struct sim *sim, bool on);
void sim_set_timing(struct sim *sim, const struct sim_timing *t);
void sim_get_timing(const struct sim *sim, struct sim_timing *t);

/* --- time and counters ---------------------------------------------------- */

uint64_t sim_now_ns(const struct sim *sim);
/* Bus wait states: the current access completes no earlier than `ns`. */
void sim_stall_until(struct sim *sim, uint64_t ns);
/* Let virtual time pass (the cores run meanwhile). */
void sim_advance_ns(struct sim *sim, uint64_t ns);

struct sim_counters {
	uint64_t swclk_cycles;
	uint64_t transactions;
	uint64_t round_trips;
	uint64_t bytes_out, bytes_in;
	uint64_t waits, faults; /* ACKs given */
	uint64_t resets;        /* system resets (power-on, SYSRESETREQ, nRST) */
	uint64_t halts;         /* entries into Debug state, all cores (halt history) */
	/* Fault injection that actually happened (a campaign must know whether
	 * an injected fault hit a transaction or expired unused). */
	uint64_t faults_fired;  /* transactions that got an injected fault */
	uint64_t resets_fired;  /* scheduled resets (sim_schedule_reset) pulled */
};
void sim_get_counters(const struct sim *sim, struct sim_counters *c);

/* --- trace -------------------------------------------------------------- */

/* SWO bytes whose UART transmission has ended by now (sim_swo.c); *baud
 * receives the rate the chip sends at, 0 while its SWO output is off. */
size_t sim_swo_take(struct sim *sim, uint8_t *buf, size_t max, uint32_t *baud);

/* --- fault injection -------------------------------------------------------- */

enum sim_fault {
	SIM_FAULT_WAIT,     /* answer WAIT */
	SIM_FAULT_FAULT,    /* answer FAULT and set CTRL/STAT.STICKYERR */
	SIM_FAULT_PARITY,   /* flip the parity bit of read data */
	SIM_FAULT_NORESP,   /* leave the line undriven (no ACK) */
	/* write data reaching the target with a wrong parity bit (line noise
	 * host to target): the write is discarded and CTRL/STAT.WDATAERR set
	 * (ADIv5.2 B4.2.4) */
	SIM_FAULT_WPARITY,
};
/* Apply `fault` to `count` transactions, starting after `skip` more
 * transactions have completed normally. Only AP accesses and DP RDBUFF reads
 * are affected for WAIT/FAULT (the DP itself never waits). */
void sim_inject(struct sim *sim, enum sim_fault fault, unsigned skip, unsigned count);
void sim_inject_clear(struct sim *sim);
/* The next program of the internal flash word holding addr leaves bit 0 of
 * its first byte erased, with no error flag (a worn cell): what only a
 * verify catches. Chips without a modelled flash ignore it. */
void sim_inject_flash_bit(struct sim *sim, uint32_t addr);
/* Stall the AP for ns of virtual time, starting after `skip` more AP
 * accesses or RDBUFF reads: until it ends they answer WAIT, as behind a
 * bus access the interconnect holds up (ADIv5.2 B4.2.3). ABORT.DAPABORT
 * ends it. */
void sim_inject_stall(struct sim *sim, unsigned skip, uint64_t ns);
/* A system reset (as from the reset pin: chip and cores, not the DP)
 * delay_ns of virtual time from now; 0 cancels. For fault campaigns. */
void sim_schedule_reset(struct sim *sim, uint64_t delay_ns);

/* --- back door for tests and for --load (no SWD traffic, no time) --------- */

int sim_mem_read(struct sim *sim, uint32_t addr, void *buf, size_t len);
int sim_mem_write(struct sim *sim, uint32_t addr, const void *buf, size_t len);
/* Load an ELF's PT_LOAD segments at their physical addresses (flash too). */
int sim_load_elf(struct sim *sim, const char *path);
/* Start the cores from their reset vectors as a power-on would. */
void sim_power_on_reset(struct sim *sim);

#endif
