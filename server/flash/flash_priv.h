/* Private state of the flash stage, shared by its two programming paths
 * (flash_stage.c host-driven, flash_loader_path.c on-target loader). */
#ifndef SW_FLASH_PRIV_H
#define SW_FLASH_PRIV_H

#include "server/flash/flash_stage.h"

#define MAX_REGIONS 8

struct region_stage {
	const struct sw_mem_region *r;
	uint8_t *img;      /* staged content, erased_value where nothing was written */
	uint8_t *erase;    /* per sector: gdb asked to erase it */
	uint8_t *touched;  /* per sector: data was written */
};

struct sw_flash_stage {
	struct sw_ctx *ctx;
	const struct sw_target_desc *desc;
	struct region_stage rs[MAX_REGIONS];
	size_t n;
	uint8_t *cur;      /* one sector read back from the target */
	uint32_t max_sector;
	bool no_loader;
	uint64_t ram_lo, ram_hi; /* RAM gdb wrote inside the loader's work area */
};

void sw_flash_region_reset(struct region_stage *s);
int sw_flash_done_loader(struct sw_flash_stage *st, struct sw_core *core, struct sw_flash_stats *stats);

#endif
