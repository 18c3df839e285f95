/* Private state of the ADI layer. */
#ifndef SW_ADI_PRIV_H
#define SW_ADI_PRIV_H

#include "adi/adi.h"

#define SW_SELECT_UNKNOWN 0xFFFFFFFFFFFFFFFFull

struct sw_dap {
	struct sw_ctx *ctx;
	struct sw_probe *probe;
	struct sw_dp_info info;
	uint64_t select;  /* SELECT1:SELECT as the queue will leave it, or unknown */
	struct sw_swd_req *q;
	uint32_t **dst;   /* where each queued read's data goes (NULL = discard) */
	size_t qn, qcap;
	/* TAR of one AP as the queue will leave it, for banked accesses
	 * (mem_ap.c). Known only between two runs: forgotten at every
	 * sw_dap_run (an error, ABORT or reset may follow) and at any queued
	 * access to that AP other than BD0-BD3, whichever handle made it. */
	bool tar_known;
	uint64_t tar_ap;
	uint32_t tar;
};

struct sw_ap {
	sw_dap *dap;
	struct sw_ap_info info;
	uint32_t csw_base;  /* CSW bits kept from reset (Prot, DbgSwEnable) */
	uint32_t csw_extra;
	uint32_t csw_cur;   /* last CSW written, 0 = unknown */
};

/* Queue primitives (dp.c). */
int sw_dap_q_dp_read(sw_dap *dap, uint8_t reg, uint32_t *dst);
int sw_dap_q_dp_write(sw_dap *dap, uint8_t reg, uint32_t val);
/* Raw AP-space access: ADIv5 (apsel, reg) or ADIv6 64-bit address. */
int sw_dap_q_ap_read(sw_dap *dap, uint64_t ap, uint16_t reg, uint32_t *dst);
int sw_dap_q_ap_write(sw_dap *dap, uint64_t ap, uint16_t reg, uint32_t val);
/* ADIv6 offset of the MEM-AP register block inside an AP's 4 KiB. */
uint16_t sw_ap_reg_offset(const sw_dap *dap, uint16_t reg);

#endif
