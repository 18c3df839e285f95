/* --connect-under-reset: reach a core whose firmware disables the SWD pins
 * or sleeps right after reset, by holding nRST while connecting. */
#ifndef SW_SERVER_CONNECT_RESET_H
#define SW_SERVER_CONNECT_RESET_H

#include "probes/probe.h"
#include "targets/target.h"

/* Assert nRST through the probe, bring up the debug port and the cores
 * (their debug domain is outside the system reset, ARMv7-M C1.6 / ARMv8-M
 * D1.2), arm the reset vector catch (DEMCR.VC_CORERESET), release nRST and
 * wait until every core is halted at its reset vector; the user's vector
 * catch setting is restored afterwards. A chip whose core AP does not
 * answer while nRST is held (STM32H7 AP0, targets.md §1.3) is connected
 * right after the release and reset again with the catch armed, which is
 * logged. A probe without nRST is an error. */
int sw_connect_under_reset(struct sw_ctx *ctx, struct sw_probe *probe, const struct sw_target_desc *desc,
			   struct sw_target **out);

#endif
