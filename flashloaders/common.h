/* Helpers every loader links in (flashloaders/common.c). Loaders have no
 * .data/.bss: all state lives in the parameter block or on the stack, which
 * keeps the blob position independent (checked at build time). */
#ifndef SWL_COMMON_H
#define SWL_COMMON_H

#include "abi.h"

#define SWL_REG(a) (*(volatile uint32_t *)(a))

/* Build the CRC-32 table (polynomial 0x04C11DB7, MSB first, as gdb's
 * qCRC) into 256 words of scratch RAM. */
void swl_crc_table(uint32_t *table);
uint32_t swl_crc_update(const uint32_t *table, uint32_t crc, const uint8_t *p, uint32_t n);
/* Store the CRC of the sector at addr (inside job j, programmed and
 * complete) in j->crc_out and count it in p->verified. */
void swl_verify_sector(struct swl_params *p, const struct swl_job *j, uint32_t addr);
/* The same with a CRC the loader computed while reading the sector back. */
void swl_store_crc(struct swl_params *p, const struct swl_job *j, uint32_t addr, uint32_t crc);
/* CRC every range of params->ranges (init 0xFFFFFFFF, as gdb). */
uint32_t swl_crc_ranges(struct swl_params *p);
/* Spin about 2*n cycles without touching the bus (waiting on a busy
 * controller without hammering its status register). */
void swl_pause(uint32_t n);
int swl_all_ones(const uint32_t *w, uint32_t words);
uint32_t swl_check(const struct swl_params *p);
/* Cortex-M7/M55 L1 caches (ARMv7-M ARM B2.2.7): init cleans and invalidates
 * the D-cache and switches it off, so the loader sees flash as it is after
 * erases and the ring as the debugger wrote it; uninit invalidates both
 * caches (the flash changed under them) and restores CCR. No-ops on cores
 * without caches (CCR.DC/IC read as zero). */
void swl_caches_off(struct swl_params *p);
/* Serial NOR erase units: 4 KiB sectors and 64 KiB blocks. */
#define SWL_NOR_SECTOR 0x1000u
#define SWL_NOR_BLOCK 0x10000u
/* The erase unit at addr inside [addr, end): a whole aligned block if it fits. */
uint32_t swl_nor_unit(uint32_t addr, uint32_t end);
uint32_t swl_init(struct swl_params *p);
void swl_caches_restore(const struct swl_params *p);

#endif
