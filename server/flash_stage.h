/* gdb's vFlashErase / vFlashWrite / vFlashDone, staged per sector: nothing
 * touches the flash until vFlashDone, which then erases and programs only
 * sectors whose content really changes (skip-unchanged) and verifies every
 * programmed sector by reading it back. */
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
};

struct sw_flash_stage;

int sw_flash_stage_new(struct sw_ctx *ctx, const struct sw_target_desc *desc, struct sw_flash_stage **out);
void sw_flash_stage_free(struct sw_flash_stage *st);
int sw_flash_stage_erase(struct sw_flash_stage *st, uint32_t addr, uint32_t len);
int sw_flash_stage_write(struct sw_flash_stage *st, uint32_t addr, const uint8_t *buf, size_t len);
/* Apply everything staged, then forget it (also on failure). */
int sw_flash_stage_done(struct sw_flash_stage *st, struct sw_core *core, struct sw_flash_stats *stats);

#endif
