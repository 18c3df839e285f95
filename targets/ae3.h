/* Alif Ensemble E3 MRAM facts shared by the target table and its flash ops
 * (reference/targets.md §4.2, §4.4). */
#ifndef SW_TARGETS_AE3_H
#define SW_TARGETS_AE3_H

#include "targets/target.h"

#define AE3_MRAM_APP_BASE 0x80000000u /* application area [ALIF-DFP pdsc] */
#define AE3_MRAM_APP_SIZE 0x00580000u /* 5.5 MiB; SE/Alif area above [SETOOLS] */
#define AE3_MRAM_UNIT 16u             /* 128-bit write unit [OMV mram.h] */
#define AE3_MRAM_SECTOR 0x1000u       /* our staging granule (Arm DS writes 4 KiB steps) */

extern const struct sw_flash_ops sw_flash_ae3_mram;

#endif
