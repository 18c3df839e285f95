/* State shared by the simulator's files. Not for use outside sim/. */
#ifndef SW_SIM_INTERNAL_H
#define SW_SIM_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/sim.h"
#include "sim/sim_bus.h"
#include "sim/sim_core.h"
#include "sim/sim_coresight.h"

#define SIM_MAX_APS 8
#define SIM_MAX_CORES 2

enum sim_ap_kind {
	SIM_AP_MEM, /* MEM-AP (AHB/AXI/APB) */
};

struct sim_ap {
	uint64_t addr;  /* APSEL (ADIv5) or base address (ADIv6) */
	struct sim_bus *bus;
	uint32_t idr, cfg, base;
	uint32_t csw;
	uint32_t tar;
	uint32_t csw_fixed;   /* read-only CSW bits (DeviceEn...) */
	bool apb;             /* APB-AP: word accesses only, DbgSwEnable kept */
	bool dead_in_reset;   /* bus unusable while nRST is asserted (H743 AP0) */
	const struct sim_cs_id *ids; /* ADIv6: CoreSight IDs at 0xFBC.., NULL on ADIv5 */
	const struct sim_rom_table *rom; /* ADIv6: this 4 KiB block is a ROM table, not an AP */
	/* Chip-controlled lock (N657 AP1 until the boot ROM opens it): while it
	 * returns true, memory accesses fault and CSW.DeviceEn reads 0. */
	bool (*is_locked)(const struct sim *sim);
};

/* SWD link states (ADIv5.2 B4/B5). */
enum sim_link {
	SIM_LINK_JTAG,    /* power-on state of an SWJ-DP */
	SIM_LINK_DORMANT, /* ADIv5.2 B5.3 */
	SIM_LINK_SWD,
};

enum sim_phase {
	PH_IDLE,   /* waiting for a start bit */
	PH_REQ,    /* collecting the 8-bit request */
	PH_TRN1,   /* turnaround before ACK */
	PH_ACK,    /* target drives 3 ACK bits */
	PH_RDATA,  /* target drives 32 data bits + parity */
	PH_TRN2,   /* turnaround back to the host */
	PH_WDATA,  /* host drives 32 data bits + parity */
	PH_LOCKOUT /* protocol error: silent until a line reset */
};

struct sim_wire {
	enum sim_link link;
	enum sim_phase phase;
	unsigned ones;      /* consecutive host-driven 1s (line reset at >= 50) */
	unsigned since_reset; /* host bits since the last line reset ended */
	uint64_t shift_lo, shift_hi; /* last 128 host bits, newest in bit 127 of hi */
	bool alert_seen;    /* dormant: selection alert received */
	unsigned alert_bits;
	uint8_t req;
	unsigned nbit;
	uint8_t ack;
	bool data_phase;    /* this packet has a data phase */
	bool write;
	bool wdata_flip;    /* injected: the write data arrives with a bad parity bit */
	uint64_t data;      /* data + parity shift register */
};

struct sim_dp {
	unsigned version;   /* 2 = DPv2 (ADIv5.2), 3 = DPv3 (ADIv6) */
	uint32_t dpidr, dpidr1, targetid, dlpidr, baseptr0, baseptr1;
	uint32_t ctrl_stat; /* REQ bits, ORUNDETECT and sticky flags; ACKs derived */
	uint32_t select, select1;
	uint32_t rdbuff;
	uint32_t last_rdata; /* data of the last AP or RDBUFF read: what RESEND repeats */
	uint32_t dlcr;
	/* The AP transaction in flight ends at this time: until then AP accesses
	 * and RDBUFF reads answer WAIT (ADIv5.2 B4.2.3). */
	uint64_t ap_busy_until;
	bool in_ap_access;  /* a bus stall now belongs to the AP, not to the wire */
	bool posted_fault;  /* injected FAULT: the AP access failed, the next packet says so */
	bool need_dpidr;    /* after a line reset only a DPIDR read is accepted */
};

struct sim_chip;

/* A peripheral block of a chip's memory map, for naming unmodelled
 * accesses (sim_unmodelled.c). */
struct sim_block_name {
	uint32_t base, size;
	const char *name;
};

#define SIM_MAX_NAMED_BLOCKS 128
#define SIM_MAX_LOGGED_PAGES 32

struct sim {
	struct sw_ctx *ctx;
	const struct sim_chip *chip;
	void *chip_priv;
	struct sim_timing timing;
	uint64_t now_ns;
	uint64_t core_ns;      /* time up to which the cores have run */
	struct sim_core *running; /* the core inside sim_core_run, else NULL */
	uint64_t reset_at;     /* scheduled system reset (fault injection), 0 = none */
	uint32_t flash_fault_addr; /* the flash word whose next program fails silently */
	bool flash_fault_armed;
	uint64_t pending_cycles;
	struct sim_counters cnt;
	struct sim_wire wire;
	struct sim_dp dp;
	struct sim_ap aps[SIM_MAX_APS];
	unsigned n_aps;
	struct sim_bus *sysbus; /* what the back door and ELF loader use */
	struct sim_bus *buses[4];
	unsigned n_buses;
	struct sim_core *cores[SIM_MAX_CORES];
	unsigned n_cores;
	bool nrst;
	bool max_corner;        /* datasheet maximum timings (sim_set_max_corner) */
	enum sim_fault fault;
	unsigned fault_skip, fault_count;
	bool stall_armed;       /* sim_inject_stall pending */
	unsigned stall_skip;
	uint64_t stall_ns;
	struct sim_swo *swo;    /* SWO output (sim_swo.c), NULL if the chip has none */
	/* Unmodelled accesses: the chip's block names and what was logged. */
	const struct sim_block_name *blocks;
	size_t n_blocks;
	uint32_t blocks_logged[SIM_MAX_NAMED_BLOCKS / 32];
	uint32_t pages_logged[SIM_MAX_LOGGED_PAGES];
	unsigned n_pages_logged;
};

/* A chip model: builds buses, APs and cores into `sim`. */
struct sim_chip {
	const char *name;
	int (*build)(struct sim *sim);
	void (*free_priv)(struct sim *sim);
	void (*reset)(struct sim *sim); /* system reset of chip peripherals (optional) */
};

extern const struct sim_chip sim_chip_stm32h743;
extern const struct sim_chip sim_chip_adiv6_m55;
extern const struct sim_chip sim_chip_stm32f407;

extern const struct sim_chip sim_chip_mimxrt1062;
extern const struct sim_chip sim_chip_stm32n657;
extern const struct sim_chip sim_chip_ae3;

/* sim_dp.c: one SWD transaction with raw ADI semantics. */
unsigned sim_dp_transaction(struct sim *sim, uint8_t req, uint32_t *data, bool *parity_ok);
void sim_dp_line_reset(struct sim *sim);
unsigned sim_dp_begin(struct sim *sim, uint8_t req, bool *parity_flip);
uint32_t sim_dp_read_data(struct sim *sim, uint8_t req);
void sim_dp_write_data(struct sim *sim, uint8_t req, uint32_t v, bool parity_ok);
void sim_dp_init(struct sim *sim);
/* sim_ap.c */
int sim_ap_read(struct sim *sim, struct sim_ap *ap, uint32_t reg, uint32_t *val);
int sim_ap_write(struct sim *sim, struct sim_ap *ap, uint32_t reg, uint32_t val);
struct sim_ap *sim_ap_find(struct sim *sim, uint64_t addr);
/* sim.c: bring the cores up to date with virtual time. */
void sim_sync(struct sim *sim);
/* sim_unmodelled.c: the CPU touched an address no model serves; log it
 * once per block (by the chip's block names, else per 4 KiB page). The
 * signature fits sim_core_cfg.unmodelled with chip = the sim. */
void sim_unmodelled(void *sim, uint32_t addr);
/* The bytes a 1-, 2- or 4-byte read at `off` takes from register value v
 * (little-endian bus). */
static inline uint32_t sim_sub_word(uint32_t v, uint32_t off, unsigned size)
{
	return size == 4 ? v : (v >> (8 * (off & 3u))) & (size == 1 ? 0xFFu : 0xFFFFu);
}

/* chip helpers */
int sim_add_bus(struct sim *sim, struct sim_bus **out);
int sim_add_ap(struct sim *sim, const struct sim_ap *ap);
void sim_system_reset(void *sim);

#endif
