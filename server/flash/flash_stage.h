/* gdb's vFlashErase / vFlashWrite / vFlashDone, staged per sector: nothing
 * touches the flash until vFlashDone, which then erases and programs only
 * sectors whose content really changes (skip-unchanged) and verifies every
 * programmed sector. With the target's flash loader (the default) sectors
 * are compared and verified by CRC on the target and programmed by the
 * loader from a streamed ring buffer; without it (--no-loader, or a target
 * with none) the host drives the controller and reads sectors back. */
#ifndef SW_FLASH_STAGE_H
#define SW_FLASH_STAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cortexm/core.h"
#include "targets/target.h"

struct sw_flash_stats {
	unsigned sectors_erased, sectors_skipped, sectors_programmed;
	size_t bytes_programmed;
	bool loader;       /* the on-target loader did the work */
};

struct sw_flash_stage;

int sw_flash_stage_new(struct sw_ctx *ctx, const struct sw_target_desc *desc, struct sw_flash_stage **out);
void sw_flash_stage_free(struct sw_flash_stage *st);
int sw_flash_stage_erase(struct sw_flash_stage *st, uint32_t addr, uint32_t len);
int sw_flash_stage_write(struct sw_flash_stage *st, uint32_t addr, const uint8_t *buf, size_t len);
/* Use the host-driven path even when the target has a loader. */
void sw_flash_stage_no_loader(struct sw_flash_stage *st, bool no_loader);
/* gdb wrote RAM (M/X) at [addr, addr+len): if the loader's work area
 * overlaps it, vFlashDone saves and restores those bytes around the loader
 * (gdb's load writes RAM sections before it programs flash). */
void sw_flash_stage_note_ram_write(struct sw_flash_stage *st, uint32_t addr, size_t len);
/* gdb's qCRC over [addr, addr+len) computed by the flash loader when the
 * range lies in flash, is large enough to be worth it and the core is
 * halted; SW_ERR_NOT_SUPPORTED (no message) when the host should do it. */
int sw_flash_stage_crc(struct sw_flash_stage *st, struct sw_core *core, uint32_t addr, uint32_t len,
		       uint32_t *crc);
/* Apply everything staged, then forget it (also on failure). */
int sw_flash_stage_done(struct sw_flash_stage *st, struct sw_core *core, struct sw_flash_stats *stats);

#endif
