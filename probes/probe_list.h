/* Every real probe connected to this machine (J-Links on USB and on the LAN,
 * FTDI adapters of the layout table), for `swdbridge list-probes` and for
 * choosing the probe when none is given: the simulator is never chosen by
 * default (ARCHITECTURE.md §4, "the simulator is never used unless asked"). */
#ifndef SW_PROBE_LIST_H
#define SW_PROBE_LIST_H

#include <stdbool.h>
#include <stddef.h>

#include "sw/ctx.h"

#define SW_PROBE_LIST_MAX 16

struct sw_probe_found {
	char selector[96];  /* what --probe takes: "jlink:SERIAL", "ftdi:VID:PID[:SERIAL]" */
	char layout[32];    /* FTDI: the layout its VID:PID implies ("" if ambiguous) */
	char layouts[128];  /* FTDI: every layout with its VID:PID */
	char text[192];     /* the rest of its list-probes line */
};

/* firmware: open each J-Link to read its firmware string (list-probes). */
int sw_probe_list_all(struct sw_ctx *ctx, bool firmware, struct sw_probe_found *out, size_t max,
		      size_t *count);

/* No --probe given: the one real probe connected. None or several is
 * SW_ERR_NOT_FOUND / SW_ERR_BUSY with a one-line message that lists them and
 * names `--probe sim`. An FTDI adapter whose VID:PID fits several layouts
 * needs ftdi_layout (--ftdi-layout), else SW_ERR_ARG. */
int sw_probe_pick(struct sw_ctx *ctx, const char *ftdi_layout, struct sw_probe_found *out);

#endif
