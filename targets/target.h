/* Target descriptions: per-MCU const tables (IDs, cores and their APs,
 * memory map, reset and attach policy, J-Link aliases) plus small hooks.
 * Layers above look things up here instead of special-casing chips. */
#ifndef SW_TARGET_H
#define SW_TARGET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "adi/adi.h"
#include "cortexm/core.h"

enum sw_mem_kind {
	SW_MEM_RAM,
	SW_MEM_ROM,
	SW_MEM_FLASH, /* erase-before-write; has a sector size */
	SW_MEM_MMIO,  /* peripherals and PPB: listed as ram for gdb (clients.md §2.2) */
};

struct sw_mem_region {
	const char *name;
	uint32_t base;
	uint32_t size;
	enum sw_mem_kind kind;
	uint32_t sector_size; /* SW_MEM_FLASH only */
};

struct sw_core_desc {
	const char *name;    /* "cm7", "hp", "he" */
	sw_ap_addr ap;       /* APSEL (ADIv5) or AP address (ADIv6) */
	unsigned port_offset; /* GDB port = base + offset */
};

enum sw_attach_policy {
	SW_ATTACH_HALT,       /* gdb attach halts (all-stop) */
	SW_ATTACH_NO_RESET,   /* boots from external flash: never reset on attach */
};

struct sw_core;

/* Flash programming through the core's MEM-AP, driven by the host. */
struct sw_flash_ops {
	/* Erase the sector at `addr` (sector-aligned, inside region `r`). */
	int (*erase_sector)(struct sw_core *core, const struct sw_mem_region *r, uint32_t addr);
	/* Program erased flash: addr and len multiples of program_unit. */
	int (*program)(struct sw_core *core, const struct sw_mem_region *r, uint32_t addr,
		       const uint8_t *buf, size_t len);
	uint32_t program_unit; /* bytes written at once (H7: a 256-bit flash word) */
	uint8_t erased_value;  /* 0xFF for NOR-like flash */
	/* Optional (external NOR behind a controller): set the controller up
	 * once before a batch of erases and programs (e.g. the FlexSPI LUT from
	 * the FCB or from SFDP). NULL: nothing to do. */
	int (*prepare)(struct sw_core *core, const struct sw_mem_region *r);
	/* Optional: erase [addr, addr+len), sector-aligned, picking the mix of
	 * erase sizes (4 KiB / 64 KiB...) that takes the least time. When set,
	 * the flash stage erases runs of sectors through it. */
	int (*erase_range)(struct sw_core *core, const struct sw_mem_region *r, uint32_t addr,
			   uint32_t len);
	/* Optional: look at data about to be programmed (warnings only, e.g. a
	 * boot image without the header the boot ROM needs). */
	void (*check_image)(struct sw_core *core, const struct sw_mem_region *r, uint32_t addr,
			    const uint8_t *buf, size_t len);
	/* Optional: refuse [addr, addr+len) before anything is written, on the
	 * host-driven and the loader path alike (e.g. the AE3's SE area). */
	int (*writable)(struct sw_core *core, const struct sw_mem_region *r, uint32_t addr, size_t len);
};

/* A flash loader blob (flashloaders/, ABI in flashloaders/abi.h), built
 * into a C array by scripts/blob2c. Offsets are from the blob's start. */
struct sw_loader_image {
	const char *name;
	const uint8_t *code;
	size_t size;
	uint32_t off_init, off_erase, off_program, off_crc, off_uninit, off_return;
};

/* Where a target runs its loader: RAM that the loader may clobber (code,
 * parameters, stack, CRC table and the data rings). */
struct sw_loader_desc {
	const struct sw_loader_image *image;
	uint32_t work_base, work_size;
	unsigned max_jobs; /* flash regions the loader can program at once */
	/* The controller's status register (swl_params.err_status) in words. */
	const char *(*status_text)(uint32_t status);
};

struct sw_target;
struct sw_target_hooks {
	/* After the DAP is up and before cores are attached (e.g. DBGMCU set-up). */
	int (*post_connect)(struct sw_ctx *ctx, sw_dap *dap);
	/* "reset halt" for chips whose boot ROM runs before the application
	 * (vector catch would stop in the ROM): system reset, then halt where
	 * the application starts. NULL: sw_core_reset with VC_CORERESET. */
	int (*reset_halt)(struct sw_core *core);
	/* Chip-specific reset of one core (NULL: sw_core_reset). */
	int (*reset)(struct sw_ctx *ctx, struct sw_core *core, const struct sw_core_desc *cd,
		     enum sw_reset_kind kind, bool halt_after);
};

struct sw_target_desc {
	const char *name;              /* "stm32h743" */
	const char *const *aliases;    /* NULL-terminated: J-Link device names */
	const char *summary;
	/* Identification for --target auto. */
	uint32_t dpidr;
	uint32_t targetid;             /* 0 if none */
	uint32_t idcode_addr;          /* device ID register, 0 if none */
	sw_ap_addr idcode_ap;
	uint32_t idcode_mask;
	uint32_t idcode_value;
	const struct sw_core_desc *cores;
	size_t n_cores;
	const struct sw_mem_region *regions; /* address order, non-overlapping */
	size_t n_regions;
	uint32_t csw_extra;            /* MEM-AP CSW bits for the core APs */
	enum sw_attach_policy attach;
	const struct sw_target_hooks *hooks;
	const struct sw_flash_ops *flash; /* NULL: no flash programming */
	const struct sw_loader_desc *loader; /* NULL: host-driven programming only */
	/* --target auto: an AP that must be listed in the ADIv6 ROM tables
	 * (tells apart parts sharing DPIDR/TARGETID); 0 = no check. */
	sw_ap_addr ident_ap;
	const char *sim_chip; /* simulator chip for --probe sim; NULL = name */
};

/* A connected target: the DAP, the core APs and one sw_core per core. */
struct sw_core;
struct sw_target;

#define SW_TARGET_OPEN_ATTACH 0x1u /* touch nothing: skip the chip's set-up hook */

/* Connect the DAP (line reset, power-up), run the post_connect hook, open
 * each core's AP (with csw_extra) and attach its sw_core. Never resets or
 * halts; with SW_TARGET_OPEN_ATTACH the set-up hook (DBGMCU...) is skipped. */
int sw_target_open(struct sw_ctx *ctx, struct sw_probe *probe, const struct sw_target_desc *desc,
		   unsigned flags, struct sw_target **out);
void sw_target_close(struct sw_target *t);
const struct sw_target_desc *sw_target_get_desc(const struct sw_target *t);
sw_dap *sw_target_dap(const struct sw_target *t);
size_t sw_target_core_count(const struct sw_target *t);
struct sw_core *sw_target_core(const struct sw_target *t, size_t i);

/* Why core i has no sw_core (NULL from sw_target_core): a core that is not
 * started yet (its MEM-AP reports CSW.DeviceEn = 0). NULL if it has one. */
const char *sw_target_core_note(const struct sw_target *t, size_t i);
/* Core i had no sw_core (not started at open): attach it if its AP now
 * reports the core powered (CSW.DeviceEn). SW_OK when it has a sw_core now
 * (also when it had one), SW_ERR_NOT_FOUND while it is still off (no
 * message), other codes for probe errors. Never halts the core. */
int sw_target_core_retry(struct sw_target *t, size_t i);
/* Reset one core of an open target the chip's way (hook) or sw_core_reset. */
int sw_target_reset(struct sw_ctx *ctx, const struct sw_target_desc *desc, struct sw_core *core,
		    const char *core_name, enum sw_reset_kind kind, bool halt_after);

/* Look up by name or alias (case-insensitive); NULL if unknown. */
const struct sw_target_desc *sw_target_find(const char *name);
/* All targets, NULL-terminated. */
const struct sw_target_desc *const *sw_target_list(void);
/* --target auto: connect the DAP on `probe` and pick the description whose
 * DPIDR, TARGETID (when both have one) and device ID register match.
 * Reads only; the DAP handle is freed again. SW_ERR_NOT_FOUND if none. */
int sw_target_identify(struct sw_ctx *ctx, struct sw_probe *probe, const struct sw_target_desc **out);

#endif
