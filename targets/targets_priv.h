#ifndef SW_TARGETS_PRIV_H
#define SW_TARGETS_PRIV_H

#include "cortexm/core.h"
#include "targets/target.h"

extern const struct sw_target_desc sw_target_stm32h743;
extern const struct sw_target_desc sw_target_adiv6_m55;
extern const struct sw_flash_ops sw_flash_stm32h7;
extern const struct sw_target_desc sw_target_ae3, sw_target_ae3_hp, sw_target_ae3_he;

/* sw_target_identify over a given NULL-terminated list (tests use their own). */
int sw_target_identify_in(struct sw_ctx *ctx, struct sw_probe *probe,
			  const struct sw_target_desc *const *list, const struct sw_target_desc **out);

#endif
