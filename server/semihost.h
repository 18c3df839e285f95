/* Carrying out semihosting calls (decoded by cortexm/semihost.c): console
 * output to gdb and the server's terminal, file operations through gdb's
 * File-I/O extension (gdb manual "File-I/O Remote Protocol Extension"),
 * time, errno and exit. Pure logic over the session's core: what to send
 * gdb comes back as a step for the RSP layer (server/gdb/rsp_semihost.c). */
#ifndef SW_SEMIHOST_H
#define SW_SEMIHOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cortexm/semihost.h"

struct sw_session;

/* What the RSP layer does next. */
enum sw_semihost_action {
	SW_SH_RESUME,  /* the call is complete: r0 set, resume the core */
	SW_SH_FILEIO,  /* send `fileio` to gdb and wait for its F reply */
	SW_SH_EXIT,    /* the program exited: report W<status> */
};

struct sw_semihost_step {
	enum sw_semihost_action action;
	char fileio[160];
	int exit_status;
};

/* Per session: the call waiting for gdb and what SYS_ERRNO reports. */
struct sw_semihost_state {
	bool pending;
	struct sw_semihost_call call;
	uint32_t len;      /* SYS_READ/WRITE: bytes asked for */
	uint32_t scratch;  /* FLEN/READC: where gdb put the answer */
	uint32_t err;      /* last errno (SYS_ERRNO) */
	uint64_t start_ns; /* SYS_CLOCK counts from the first call */
};

/* Start a call. fileio: the controlling gdb can take F requests (else file
 * operations fail with EIO). Errors (target access) return an error code. */
int sw_semihost_start(struct sw_session *s, const struct sw_semihost_call *call, bool fileio,
		      struct sw_semihost_step *out);
/* gdb's F reply (the text after 'F') for the pending call; *ctrl_c is set
 * when the user pressed Ctrl-C meanwhile. */
int sw_semihost_fileio_reply(struct sw_session *s, const char *reply, bool *ctrl_c, struct sw_semihost_step *out);

#endif
