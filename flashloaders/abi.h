/* The flash-loader ABI, shared by the loaders (Thumb code run in target RAM)
 * and the host (server/flash/loader.c). Plain C types only: this header is
 * compiled by arm-none-eabi-gcc and by the host compiler alike.
 *
 * Calling convention: the host writes the blob at the work area, fills a
 * struct swl_params, sets r0 = &params, sp = top of the loader stack, lr =
 * the blob's `swl_return` (a BKPT), pc = entry, xPSR.T = 1, PRIMASK = 1, and
 * resumes the core. The entry returns a SWL_* code in r0 (also stored in
 * params.status) and halts on the BKPT.
 *
 * Streaming (program): the host writes data into a ring buffer in target RAM
 * and advances `wp`; the loader consumes it, advances `rp`, and keeps
 * programming while the host writes more (double buffering: wire time and
 * flash time overlap). Each job is one contiguous range of whole sectors; a
 * loader that can drive two banks at once (STM32H7) runs both jobs in
 * parallel. Offsets in the ring are free-running byte counts (mod 2^32);
 * the data is at ring_base + (offset % ring_size). */
#ifndef SWL_ABI_H
#define SWL_ABI_H

#include <stdint.h>

#define SWL_MAGIC 0x4C575753u /* "SWWL" */
#define SWL_ABI_VERSION 2u
#define SWL_MAX_JOBS 2u

/* Return codes (r0 and params.status). */
#define SWL_OK 0u
#define SWL_RUNNING 1u      /* written by the host before the call */
#define SWL_ERR_FLASH 2u    /* the controller reported an error: err_status has its SR */
#define SWL_ERR_TIMEOUT 3u  /* the controller stayed busy past the loader's bound */
#define SWL_ERR_ARG 4u      /* bad address/length/alignment in the parameters */
#define SWL_ERR_LOCKED 5u   /* the unlock sequence did not unlock */
#define SWL_ERR_VERSION 6u  /* magic or ABI version mismatch */

struct swl_job {
	uint32_t addr;      /* first byte to program (sector-aligned) */
	uint32_t len;       /* bytes (whole sectors) */
	uint32_t ring_base; /* data ring in target RAM */
	uint32_t ring_size; /* bytes, multiple of the program unit */
	uint32_t wp;        /* host: bytes written into the ring so far */
	uint32_t rp;        /* loader: bytes consumed (programmed) so far */
	uint32_t erased;    /* loader: sectors erased by this job */
	/* Host: address of len / sector_size words, or 0. The loader stores
	 * there the CRC-32 (as qCRC) of each sector it programmed, read back
	 * from flash once the sector is complete, so no separate verify pass
	 * is needed; it counts them in params.verified. */
	uint32_t crc_out;
};

struct swl_range {
	uint32_t addr, len; /* in */
	uint32_t crc;       /* out: CRC-32 as gdb's qCRC computes it */
};

struct swl_params {
	uint32_t magic;      /* SWL_MAGIC */
	uint32_t version;    /* SWL_ABI_VERSION */
	uint32_t status;     /* SWL_RUNNING while running, then the result */
	uint32_t err_addr;   /* where it failed */
	uint32_t err_status; /* controller status register at the failure */
	uint32_t scratch;    /* 1 KiB of RAM for the loader (CRC table) */
	uint32_t sector_size;
	uint32_t n_jobs;     /* program: 1..SWL_MAX_JOBS */
	struct swl_job job[SWL_MAX_JOBS];
	uint32_t ranges;     /* crc/erase: address of struct swl_range[n_ranges] */
	uint32_t n_ranges;
	uint32_t progress;   /* loader: ranges done (crc/erase) */
	uint32_t saved_ccr;  /* loader: SCB CCR at init (caches switched off while it runs) */
	uint32_t verified;   /* loader: sectors whose CRC it stored in a job's crc_out */
	uint32_t reserved[3];
};

/* Byte offsets the host uses to poll single fields. */
#define SWL_OFF_STATUS 8u
#define SWL_OFF_JOB(i) (32u + 32u * (uint32_t)(i))
#define SWL_OFF_JOB_WP 16u
#define SWL_OFF_JOB_RP 20u
#define SWL_OFF_JOB_ERASED 24u
#define SWL_OFF_PROGRESS 104u
#define SWL_PARAMS_SIZE 128u

#endif
