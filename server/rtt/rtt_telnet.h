/* J-Link GDB Server's RTT telnet port (reference/cortex-debug-jlink.md §2):
 * one TCP port (-rtttelnetport, default 19021), open from start-up. A
 * client may send "$$SEGGER_TELNET_ConfigStr=RTTCh;N$$" within 100 ms of
 * connecting (also SetRTTAddr;A and SetRTTSearchRanges;A S[, A S]...);
 * then it carries channel N (default 0) both ways, served by rtt_net.c. */
#ifndef SW_RTT_TELNET_H
#define SW_RTT_TELNET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "server/rtt/rtt_net.h"

#define SW_RTT_TELNET_WAIT_NS 100000000ull /* SEGGER KB: the string comes within 100 ms */
#define SW_RTT_TELNET_PENDING 4

/* What a config string asks for. */
struct sw_rtt_telnet_cfg {
	unsigned channel;
	bool has_addr;
	uint32_t addr;
	unsigned n_ranges;
	uint32_t range_base[SW_RTT_MAX_RANGES], range_size[SW_RTT_MAX_RANGES];
};

/* Parse the text between "$$SEGGER_TELNET_ConfigStr=" and "$$". Returns 0
 * or -1 (unknown key or bad number). */
int sw_rtt_telnet_parse(const char *text, size_t len, struct sw_rtt_telnet_cfg *out);

struct sw_rtt_telnet;

int sw_rtt_telnet_new(struct sw_ctx *ctx, struct sw_rtt_net *rtt, const char *listen_addr, unsigned port,
		      struct sw_rtt_telnet **out);
void sw_rtt_telnet_free(struct sw_rtt_telnet *t);
const struct sw_server_svc *sw_rtt_telnet_svc(struct sw_rtt_telnet *t);

#endif
