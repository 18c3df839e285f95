#include "sw/err.h"

const char *sw_strerror(int err)
{
	switch (err) {
	case SW_OK: return "ok";
	case SW_ERR_ARG: return "invalid argument";
	case SW_ERR_NOMEM: return "out of memory";
	case SW_ERR_IO: return "I/O error";
	case SW_ERR_TIMEOUT: return "timed out";
	case SW_ERR_SWD_WAIT: return "SWD: target kept answering WAIT";
	case SW_ERR_SWD_FAULT: return "SWD: FAULT (sticky error)";
	case SW_ERR_SWD_PARITY: return "SWD: parity error in read data";
	case SW_ERR_SWD_NOACK: return "SWD: no response from target";
	case SW_ERR_SWD_PROTO: return "SWD: invalid ACK";
	case SW_ERR_PROTO: return "protocol error";
	case SW_ERR_NOT_SUPPORTED: return "not supported";
	case SW_ERR_NOT_FOUND: return "not found";
	case SW_ERR_BUSY: return "busy";
	case SW_ERR_LOCKED: return "locked";
	case SW_ERR_FLASH: return "flash error";
	case SW_ERR_FLASH_VERIFY: return "flash verify failed";
	case SW_ERR_MEM_FAULT: return "memory access fault";
	case SW_ERR_TARGET_STATE: return "target in wrong state";
	case SW_ERR_CLOSED: return "connection closed";
	default: return "unknown error";
	}
}
