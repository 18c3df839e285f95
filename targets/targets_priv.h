#ifndef SW_TARGETS_PRIV_H
#define SW_TARGETS_PRIV_H

#include "cortexm/core.h"
#include "targets/target.h"

extern const struct sw_target_desc sw_target_stm32h743;
extern const struct sw_target_desc sw_target_adiv6_m55;
extern const struct sw_target_desc sw_target_stm32f407;
extern const struct sw_flash_ops sw_flash_stm32h7;
/* FLASH_SR error bits in words (RM0433 §4.9.5). */
const char *sw_stm32h7_sr_text(uint32_t sr);
/* Flash loader blobs, generated from flashloaders/ into $(B)/gen. */
extern const struct sw_loader_image sw_loader_stm32h7;
extern const struct sw_loader_image sw_loader_rt1062_flexspi;
extern const struct sw_loader_image sw_loader_n657_xspi;
extern const struct sw_loader_image sw_loader_ae3_mram;
extern const struct sw_target_desc sw_target_mimxrt1062;
extern const struct sw_flash_ops sw_flash_rt1062_flexspi;
extern const struct sw_target_desc sw_target_stm32n657;
extern const struct sw_flash_ops sw_flash_n657_xspi2;
extern const struct sw_target_desc sw_target_ae3, sw_target_ae3_hp, sw_target_ae3_he;

/* sw_target_identify over a given NULL-terminated list (tests use their own). */
int sw_target_identify_in(struct sw_ctx *ctx, struct sw_probe *probe,
			  const struct sw_target_desc *const *list, const struct sw_target_desc **out);

#endif
