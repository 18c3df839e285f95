/* Runs a flash loader (flashloaders/abi.h) in target RAM: saves the core's
 * registers, downloads the blob, calls its entries, streams program data
 * through the ring buffers while the loader programs (wire and flash time
 * overlap), and restores the registers when closed. The core must be
 * halted; target RAM in the work area is clobbered. */
#ifndef SW_FLASH_LOADER_H
#define SW_FLASH_LOADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cortexm/core.h"
#include "flashloaders/abi.h"
#include "targets/target.h"

struct sw_loader;

struct sw_loader_job {
	uint32_t addr;       /* sector-aligned */
	uint32_t len;        /* whole sectors */
	const uint8_t *data; /* len bytes */
	/* len / sector_size words, or NULL: the CRC of each sector as the
	 * loader read it back after programming (see *verified). */
	uint32_t *crc;
};

/* Sectors per job whose read-back CRC the loader can return. */
#define SW_LOADER_JOB_SECTORS_MAX 192u

struct sw_loader_stats {
	unsigned calls;
	unsigned polls;          /* status reads while the loader ran */
	unsigned sectors_erased; /* by program jobs (blank sectors are not erased) */
	unsigned sectors_verified; /* read back by CRC inside program calls */
	unsigned crc_calls;        /* separate CRC calls (compare or verify) */
};

/* keep_ram: save the RAM under the blob, parameters and stack and put it
 * back at close (a qCRC in a debug session); a `load` that saves the RAM
 * gdb wrote itself passes false and saves the round trips. */
int sw_loader_open(struct sw_ctx *ctx, struct sw_core *core, const struct sw_loader_desc *ld,
		   uint32_t sector_size, bool keep_ram, struct sw_loader **out);
/* CRC-32 (gdb's qCRC) of each range, computed on the target. */
int sw_loader_crc(struct sw_loader *l, struct swl_range *ranges, size_t n);
/* Erase the sectors of each range (sector-aligned); blank ones are skipped. */
int sw_loader_erase(struct sw_loader *l, const struct swl_range *ranges, size_t n);
/* Program up to ld->max_jobs jobs at once (each in its own flash region);
 * sectors are erased just before programming reaches them unless blank.
 * *verified: true when the loader read every programmed sector back by
 * CRC into the jobs' crc arrays (loaders without that leave it false and
 * the caller verifies with sw_loader_crc). */
int sw_loader_program(struct sw_loader *l, const struct sw_loader_job *jobs, size_t n, bool *verified);
/* Lock the flash, restore the registers, free. Returns the first error. */
int sw_loader_close(struct sw_loader *l, struct sw_loader_stats *stats);

#endif
