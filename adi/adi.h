/* ADI layer: debug port (ADIv5 and ADIv6), access ports, MEM-AP memory access
 * and the CoreSight ROM-table walk. Nothing here knows about cores.
 *
 * Handles are opaque. Queued operations (sw_mem_queue_*) accumulate SWD
 * requests; sw_dap_run() sends them in as few probe round trips as the probe
 * allows and returns the first error, after which the DP has been recovered
 * (sticky errors cleared through ABORT). */
#ifndef SW_ADI_H
#define SW_ADI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "probes/probe.h"
#include "sw/ctx.h"

typedef struct sw_dap sw_dap;
typedef struct sw_ap sw_ap;

/* DP register ids: A[3:2] in bits [3:0], DPBANKSEL in bits [7:4]
 * (ADIv5.2 B2.2; ADIv6 B2.2 adds SELECT1 and BASEPTRx). */
#define SW_DP_DPIDR 0x00u
#define SW_DP_ABORT 0x00u /* write */
#define SW_DP_CTRL_STAT 0x04u
#define SW_DP_DLCR 0x14u
#define SW_DP_TARGETID 0x24u
#define SW_DP_DLPIDR 0x34u
#define SW_DP_EVENTSTAT 0x44u
#define SW_DP_SELECT1 0x54u /* ADIv6 */
#define SW_DP_BASEPTR0 0x20u /* ADIv6, DPv3 bank 2 at A=0x0 */
#define SW_DP_BASEPTR1 0x30u
#define SW_DP_SELECT 0x08u
#define SW_DP_RDBUFF 0x0Cu
#define SW_DP_TARGETSEL 0x0Cu /* write */

/* CTRL/STAT bits (ADIv5.2 B2.2.2). */
#define SW_DP_CTRL_ORUNDETECT (1u << 0)
#define SW_DP_CTRL_STICKYORUN (1u << 1)
#define SW_DP_CTRL_STICKYCMP (1u << 4)
#define SW_DP_CTRL_STICKYERR (1u << 5)
#define SW_DP_CTRL_WDATAERR (1u << 7)
#define SW_DP_CTRL_CDBGPWRUPREQ (1u << 28)
#define SW_DP_CTRL_CDBGPWRUPACK (1u << 29)
#define SW_DP_CTRL_CSYSPWRUPREQ (1u << 30)
#define SW_DP_CTRL_CSYSPWRUPACK (1u << 31)

/* ABORT bits. */
#define SW_DP_ABORT_DAPABORT (1u << 0)
#define SW_DP_ABORT_STKCMPCLR (1u << 1)
#define SW_DP_ABORT_STKERRCLR (1u << 2)
#define SW_DP_ABORT_WDERRCLR (1u << 3)
#define SW_DP_ABORT_ORUNERRCLR (1u << 4)

struct sw_dp_info {
	uint32_t dpidr;
	uint32_t targetid; /* 0 when DPv0 */
	uint32_t dlpidr;
	unsigned version;  /* DPIDR.VERSION: 0..3; 3 = ADIv6 */
	bool adiv6;
	uint64_t baseptr;  /* ADIv6 root ROM/AP address, valid when adiv6 */
	uint16_t designer; /* JEP106 (continuation << 8 | id) from DPIDR */
};

int sw_dap_new(struct sw_ctx *ctx, struct sw_probe *probe, sw_dap **out);
void sw_dap_free(sw_dap *dap);

/* Connect flags. */
#define SW_DAP_CONNECT_JTAG_TO_SWD 0x1u /* send the JTAG-to-SWD switch first */
#define SW_DAP_CONNECT_DORMANT 0x2u     /* send the dormant wake-up first */

/* Line reset, read DPIDR (and TARGETID/DLPIDR on DPv2+), clear sticky errors,
 * request and wait for debug and system power-up (bounded). */
int sw_dap_connect(sw_dap *dap, unsigned flags);
const struct sw_dp_info *sw_dap_info(const sw_dap *dap);
struct sw_ctx *sw_dap_ctx(const sw_dap *dap);
struct sw_probe *sw_dap_probe(const sw_dap *dap);

int sw_dp_read(sw_dap *dap, uint8_t reg, uint32_t *val);
int sw_dp_write(sw_dap *dap, uint8_t reg, uint32_t val);
/* Read CTRL/STAT, clear any sticky flags through ABORT; *ctrl_stat may be NULL. */
int sw_dap_clear_errors(sw_dap *dap, uint32_t *ctrl_stat);

/* Send queued requests; returns the first error. */
int sw_dap_run(sw_dap *dap);

/* AP addresses: ADIv5 APSEL (0..255) or ADIv6 AP base address (4 KiB aligned). */
typedef uint64_t sw_ap_addr;

/* AP register offsets (ADIv5 MEM-AP; ADIv6 adds 0xD00 to these). */
#define SW_AP_CSW 0x00u
#define SW_AP_TAR 0x04u
#define SW_AP_TAR_HI 0x08u
#define SW_AP_DRW 0x0Cu
#define SW_AP_BD0 0x10u
#define SW_AP_MBT 0x20u
#define SW_AP_CFG 0xF4u
#define SW_AP_BASE 0xF8u
#define SW_AP_IDR 0xFCu

enum sw_ap_class {
	SW_AP_CLASS_UNKNOWN = 0,
	SW_AP_CLASS_JTAG = 1,
	SW_AP_CLASS_MEM = 2, /* MEM-AP */
};

struct sw_ap_info {
	sw_ap_addr addr;
	uint32_t idr;
	uint32_t cfg;
	uint64_t base;      /* debug base (ROM table) address, BASE.P honoured */
	bool base_present;
	enum sw_ap_class class_;
	unsigned type;      /* IDR.TYPE: 1 AHB3, 2 APB2/3, 4 AXI3/4, 5 AHB5, 6 APB4/5, 7 AXI5, 8 AHB5+HPROT */
	const char *type_name; /* "AHB-AP", "APB-AP", "AXI-AP", ... */
	bool packed;        /* CSW.AddrInc packed transfers supported */
	bool sizes_8_16;    /* byte/halfword transfers supported */
};

/* List APs: ADIv5 scans APSEL 0..255 stopping after a run of empty IDRs;
 * ADIv6 walks the ROM table at BASEPTR. */
int sw_ap_scan(sw_dap *dap, struct sw_ap_info *out, size_t max, size_t *n);

int sw_ap_open(sw_dap *dap, sw_ap_addr addr, sw_ap **out);
void sw_ap_close(sw_ap *ap);
const struct sw_ap_info *sw_ap_get_info(const sw_ap *ap);
sw_dap *sw_ap_dap(const sw_ap *ap);

int sw_ap_read(sw_ap *ap, uint16_t reg, uint32_t *val);
int sw_ap_write(sw_ap *ap, uint16_t reg, uint32_t val);

/* CSW bits OR-ed into every access (e.g. HPROT cacheable for the H7, or
 * DbgSwEnable for SoC-400 APB-APs). */
void sw_ap_set_csw_extra(sw_ap *ap, uint32_t bits);

/* MEM-AP memory access; any address and length, TAR wrap handled. */
int sw_mem_read(sw_ap *ap, uint32_t addr, void *buf, size_t len);
int sw_mem_write(sw_ap *ap, uint32_t addr, const void *buf, size_t len);
int sw_mem_read32(sw_ap *ap, uint32_t addr, uint32_t *val);
int sw_mem_write32(sw_ap *ap, uint32_t addr, uint32_t val);

/* Queued 32-bit accesses; results land in *dst at sw_dap_run(). */
int sw_mem_queue_read32(sw_ap *ap, uint32_t addr, uint32_t *dst);
int sw_mem_queue_write32(sw_ap *ap, uint32_t addr, uint32_t val);
/* Queued 32-bit access through the banked data registers BD0-BD3 (ADIv5.2
 * C2.6): TAR is written once for the 16-byte block holding addr and
 * reused by later banked accesses to that block until the next
 * sw_dap_run() or any other access to this AP. For several registers in
 * one block, e.g. the Cortex-M debug registers at 0xE000EDF0. A bus fault
 * of a write is answered on the next AP access or RDBUFF read (B4.2.1,
 * posted writes), so a batch that must report it ends with a read. */
int sw_mem_queue_banked_read32(sw_ap *ap, uint32_t addr, uint32_t *dst);
int sw_mem_queue_banked_write32(sw_ap *ap, uint32_t addr, uint32_t val);
/* Queued block write, word aligned (addr and len multiples of 4). */
int sw_mem_queue_write(sw_ap *ap, uint32_t addr, const void *buf, size_t len);
/* Queued block read of n words at a word-aligned addr (TAR rewritten at
 * each 1 KiB boundary); results land in dst[] at sw_dap_run(). */
int sw_mem_queue_read_words(sw_ap *ap, uint32_t addr, uint32_t *dst, size_t n);
/* Run what was queued on this AP (sw_dap_run, plus the bookkeeping and the
 * message of a failed sw_mem_read). */
int sw_mem_run(sw_ap *ap);

/* CoreSight ROM-table walk (class 0x1 and class 0x9 tables). */
struct sw_component {
	uint64_t addr;
	unsigned depth;     /* 0 = the root table */
	uint8_t cid_class;  /* CIDR1[7:4]: 0x1 ROM table, 0x9 CoreSight, 0xE generic IP... */
	uint16_t designer;  /* JEP106: continuation << 8 | identity */
	uint16_t partno;
	uint8_t revision;
	uint8_t devtype;    /* DEVTYPE (class 0x9) */
	uint32_t devarch;   /* DEVARCH (class 0x9), 0 if absent */
	const char *name;   /* "Cortex-M7 SCS", "DWT", "FPB", "ITM", "ROM table", ... */
};

int sw_romtable_walk(sw_ap *ap, uint64_t base, struct sw_component *out, size_t max, size_t *n);
/* JEP106 designer name, or "unknown". */
const char *sw_jep106_name(uint16_t code);

#endif
