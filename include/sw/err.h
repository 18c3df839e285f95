/* One error enum for the whole project (style-anchors §4 habit 1).
 * SW_OK is 0; failures are negative. The layer that knows the context
 * writes a human message with sw_fail(); callers pass the code up unchanged. */
#ifndef SW_ERR_H
#define SW_ERR_H

enum sw_err {
	SW_OK = 0,
	SW_ERR_ARG = -1,           /* bad argument from the caller */
	SW_ERR_NOMEM = -2,         /* allocation failed */
	SW_ERR_IO = -3,            /* OS / USB / socket I/O failed */
	SW_ERR_TIMEOUT = -4,       /* a bounded wait ran out */
	SW_ERR_SWD_WAIT = -5,      /* ACK WAIT persisted past the retry bound */
	SW_ERR_SWD_FAULT = -6,     /* ACK FAULT (sticky error in the DP) */
	SW_ERR_SWD_PARITY = -7,    /* parity error on read data */
	SW_ERR_SWD_NOACK = -8,     /* no response (line stuck, target absent) */
	SW_ERR_SWD_PROTO = -9,     /* invalid ACK pattern */
	SW_ERR_PROTO = -10,        /* malformed packet or protocol violation */
	SW_ERR_NOT_SUPPORTED = -11,
	SW_ERR_NOT_FOUND = -12,    /* no such AP, component, target, file... */
	SW_ERR_BUSY = -13,         /* resource in use (comparators, client slot) */
	SW_ERR_LOCKED = -14,       /* flash or debug access locked */
	SW_ERR_FLASH = -15,        /* flash controller reported an error */
	SW_ERR_FLASH_VERIFY = -16, /* read-back differs from what was written */
	SW_ERR_MEM_FAULT = -17,    /* bus error on a memory access */
	SW_ERR_TARGET_STATE = -18, /* operation needs another run state (halted...) */
	SW_ERR_CLOSED = -19,       /* peer closed the connection */
	SW_ERR_UNKNOWN = -20,
};

typedef enum sw_err sw_err;

/* Short fixed description of a code; never NULL. */
const char *sw_strerror(int err);

#endif
