/* swdflash's jobs over an RSP connection: deploy (delta flash by CRC,
 * RAM writes, verify, reset), verify, erase. Progress goes out as events
 * so the program can draw a bar or print JSON lines. */
#ifndef SW_CLIENT_DEPLOY_H
#define SW_CLIENT_DEPLOY_H

#include <stdbool.h>
#include <stdint.h>

#include "client/lib/image.h"
#include "client/lib/memmap.h"
#include "client/lib/rsp_conn.h"

enum sw_ev_kind {
	SW_EV_START,   /* bytes = image bytes, sectors = flash sectors the image touches */
	SW_EV_ERASE,   /* sectors = sectors to erase and rewrite, skipped = unchanged ones */
	SW_EV_WRITE,   /* done / total bytes sent (flash and RAM) */
	SW_EV_PROGRAM, /* the server programs what was sent (vFlashDone); done=0 start, 1 end */
	SW_EV_VERIFY,  /* one run checked: addr, len, ok, crc values */
	SW_EV_RESET,   /* target reset and running */
	SW_EV_DONE,    /* job finished; counts in the result */
};

struct sw_job_result;

struct sw_event {
	enum sw_ev_kind kind;
	uint64_t done, total;
	unsigned sectors, skipped;
	uint32_t addr, len, crc_image, crc_target;
	bool ok;
	const struct sw_job_result *res; /* SW_EV_DONE only */
};

typedef void (*sw_event_fn)(void *user, const struct sw_event *ev);

struct sw_job_opts {
	bool reset;     /* monitor reset run at the end of a deploy */
	sw_event_fn ev; /* may be NULL */
	void *user;
};

struct sw_job_result {
	unsigned sectors_touched, sectors_erased, sectors_skipped;
	uint64_t bytes_flash, bytes_ram; /* sent to the server */
	unsigned verify_failed;          /* runs whose CRC differs */
};

/* Deploy: per flash sector the image touches, compare the target's qCRC with
 * the image's (sector filled with 0xFF where the image has no data); erase
 * and write only sectors that differ; write RAM runs with X; verify every
 * run by qCRC; reset and run unless !opts->reset.
 * Errors: SW_ERR_FLASH (erase/program), SW_ERR_FLASH_VERIFY (a CRC differs
 * after programming), connection errors as sw_rsp returns them. */
int sw_deploy(struct sw_rsp *c, const struct sw_image *img, const struct sw_memmap *mm,
	      const struct sw_job_opts *opts, struct sw_job_result *res);
/* Compare every run's qCRC (split at the map's region boundaries; mm may be
 * NULL); SW_ERR_FLASH_VERIFY naming the first mismatch. The target is left
 * as it is (a halted target lets our server use its on-target CRC). */
int sw_verify(struct sw_rsp *c, const struct sw_image *img, const struct sw_memmap *mm, const struct sw_job_opts *opts,
	      struct sw_job_result *res);
/* Erase [addr, addr+len) rounded out to sectors (all flash when len == 0). */
int sw_erase(struct sw_rsp *c, const struct sw_memmap *mm, uint32_t addr, uint32_t len,
	     const struct sw_job_opts *opts, struct sw_job_result *res);

#endif
