/* ARM semihosting on M-profile: the call is a BKPT 0xAB (Thumb 0xBEAB)
 * with the operation in r0 and the parameter (a value or the address of a
 * block of words) in r1; the result goes back in r0 and execution goes on
 * after the BKPT ("Semihosting for AArch32 and AArch64", v2.0, sections
 * "The semihosting interface" and "Semihosting operations"). Carrying the
 * call out is the server's job (server/semihost.c). */
#ifndef SW_CORTEXM_SEMIHOST_H
#define SW_CORTEXM_SEMIHOST_H

#include <stdbool.h>
#include <stdint.h>

#include "cortexm/core.h"

#define SW_SEMIHOST_BKPT 0xBEABu /* Thumb BKPT #0xAB */

/* Operation numbers (the specification's table of semihosting operations). */
enum sw_semihost_op {
	SW_SYS_OPEN = 0x01, SW_SYS_CLOSE = 0x02, SW_SYS_WRITEC = 0x03, SW_SYS_WRITE0 = 0x04,
	SW_SYS_WRITE = 0x05, SW_SYS_READ = 0x06, SW_SYS_READC = 0x07, SW_SYS_ISERROR = 0x08,
	SW_SYS_ISTTY = 0x09, SW_SYS_SEEK = 0x0A, SW_SYS_FLEN = 0x0C, SW_SYS_TMPNAM = 0x0D,
	SW_SYS_REMOVE = 0x0E, SW_SYS_RENAME = 0x0F, SW_SYS_CLOCK = 0x10, SW_SYS_TIME = 0x11,
	SW_SYS_SYSTEM = 0x12, SW_SYS_ERRNO = 0x13, SW_SYS_GET_CMDLINE = 0x15, SW_SYS_HEAPINFO = 0x16,
	SW_SYS_EXIT = 0x18, SW_SYS_EXIT_EXTENDED = 0x20, SW_SYS_ELAPSED = 0x30, SW_SYS_TICKFREQ = 0x31,
};

/* ADP_Stopped_ApplicationExit: the reason code of a normal exit. */
#define SW_SEMIHOST_APP_EXIT 0x20026u

struct sw_semihost_call {
	uint32_t op;     /* r0 */
	uint32_t param;  /* r1 */
	uint32_t pc;     /* address of the BKPT */
	uint32_t sp;     /* for scratch space below the stack */
};

/* After a breakpoint halt: *is_call is true when the core stopped on BKPT
 * 0xAB (not on a breakpoint of ours or another BKPT), and *call is filled. */
int sw_core_semihost_decode(struct sw_core *core, const struct sw_core_state *st, struct sw_semihost_call *call,
			    bool *is_call);
/* Read n parameter words from the block at call->param. */
int sw_core_semihost_args(struct sw_core *core, const struct sw_semihost_call *call, uint32_t *w, unsigned n);
/* r0 = result and PC past the BKPT; the caller resumes the core. */
int sw_core_semihost_return(struct sw_core *core, const struct sw_semihost_call *call, uint32_t r0);

#endif
