/* deploy --rtt: point the server at the deployed image's RTT control block
 * and wait until the server has found it (then its channel ports are
 * open). The image's own _SEGGER_RTT goes to the server as `monitor rtt
 * address`, so a server started with the ELF of an older build does not
 * search at the old place; an image without the symbol is found by the
 * server's RAM scan; an ELF whose symbol table lacks it has no RTT. Standard
 * qRcmd only. */
#ifndef SW_CLIENT_RTT_FOLLOW_H
#define SW_CLIENT_RTT_FOLLOW_H

#include <stdint.h>

#include "client/lib/image.h"
#include "client/lib/rsp_conn.h"

/* SW_OK once found. SW_ERR_NOT_FOUND with a one-line message saying what
 * was searched (the image has no control block: its symbol table lacks
 * _SEGGER_RTT, or without symbols a whole RAM scan found none; or the
 * symbol's block was never initialised within timeout_ms); other codes
 * for RSP failures. */
int sw_rtt_follow(struct sw_rsp *c, const struct sw_image *img, const char *name, unsigned timeout_ms);

#endif
