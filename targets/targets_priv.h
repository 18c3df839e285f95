#ifndef SW_TARGETS_PRIV_H
#define SW_TARGETS_PRIV_H

#include "cortexm/core.h"
#include "targets/target.h"

extern const struct sw_target_desc sw_target_stm32h743;
extern const struct sw_target_desc sw_target_adiv6_m55;
extern const struct sw_flash_ops sw_flash_stm32h7;

#endif
