/* vjlink's command interpreter: request lengths and replies of the J-Link
 * commands libjaylink 0.3.1 sends (reference/jlink.md §2-3; libjaylink
 * device.c, target.c, swd.c, jtag.c). The sockets are in vjlink.c. */
#include <string.h>
#include <time.h>

#include "sim/vjlink_priv.h"
#include "sw/types.h"

/* Opcodes (libjaylink device.c/target.c/swd.c/jtag.c CMD_*). */
#define CMD_CLIENT 0x07 /* TCP prefix before every command */
#define CMD_GET_VERSION 0x01
#define CMD_SET_SPEED 0x05
#define CMD_GET_HW_STATUS 0x07
#define CMD_SET_TARGET_POWER 0x08
#define CMD_REGISTER 0x09
#define CMD_GET_SPEEDS 0xC0
#define CMD_GET_HW_INFO 0xC1
#define CMD_GET_COUNTERS 0xC2
#define CMD_SELECT_TIF 0xC7
#define CMD_JTAG_IO_V2 0xCE
#define CMD_SWD_IO 0xCF /* also JTAG_IO_V3 when JTAG is selected */
#define CMD_GET_FREE_MEMORY 0xD4
#define CMD_CLEAR_RESET 0xDC
#define CMD_SET_RESET 0xDD
#define CMD_CLEAR_TRST 0xDE
#define CMD_SET_TRST 0xDF
#define CMD_GET_CAPS 0xE8
#define CMD_GET_EXT_CAPS 0xED
#define CMD_GET_HW_VERSION 0xF0
#define CMD_READ_CONFIG 0xF2
#define CMD_WRITE_CONFIG 0xF3

#define REG_SUB_REGISTER 0x64
#define TIF_SELECT_GET_AVAILABLE 0xFF
#define TIF_SELECT_GET_CURRENT 0xFE
#define SWD_IO_ERR_NO_MEMORY 0x06

/* Caps bits 1 GET_HW_VERSION, 9 GET_SPEEDS, 11 GET_FREE_MEMORY, 13
 * SET_TARGET_POWER, 17 SELECT_TIF, 23 SWO, 27 REGISTER, 31 GET_EXT_CAPS
 * (libjaylink.h enum jaylink_device_capability); OpenOCD accepts this set. */
#define VJ_CAPS 0x88822A02u /* + 23 SWO (vjlink_swo.c) */
/* GET_SPEEDS: 60 MHz base clock, minimum divider 4 -> 15 MHz SWCLK, the
 * J-Link BASE/EDU class (reference/perf.md §1.5). */
#define VJ_BASE_FREQ 60000000u
#define VJ_MIN_DIV 4u

static const char vj_firmware[] = "J-Link V11 compiled Nov 24 2026 (swdbridge vjlink)";

const char *vjlink_firmware_string(void)
{
	return vj_firmware;
}

static uint32_t vj_ms(const struct vjlink *v)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint32_t)((t.tv_sec - v->t0.tv_sec) * 1000 + (t.tv_nsec - v->t0.tv_nsec) / 1000000);
}

/* ---- command lengths ------------------------------------------------------ */

/* Bytes of the request starting at p (CMD_CLIENT prefix included): 0 if more
 * bytes are needed to tell, -1 if the opcode is unknown. The TCP stream has
 * no framing, so the length follows from the opcode (reference/jlink.md §2). */
long vj_cmd_len(const uint8_t *p, size_t n)
{
	if (n < 2)
		return 0;
	if (p[0] != CMD_CLIENT)
		return -1;
	switch (p[1]) {
	case CMD_GET_VERSION: case CMD_GET_HW_STATUS: case CMD_GET_SPEEDS:
	case CMD_GET_FREE_MEMORY: case CMD_CLEAR_RESET: case CMD_SET_RESET:
	case CMD_CLEAR_TRST: case CMD_SET_TRST: case CMD_GET_CAPS:
	case CMD_GET_EXT_CAPS: case CMD_GET_HW_VERSION: case CMD_READ_CONFIG:
		return 2;
	case CMD_SELECT_TIF: case CMD_SET_TARGET_POWER:
		return 3;
	case CMD_SET_SPEED:
		return 4;
	case CMD_GET_HW_INFO: case CMD_GET_COUNTERS:
		return 6;
	case CMD_REGISTER:
		return 15; /* 09 sub pid[4] hid[4] iid cid handle[2] */
	case CMD_WRITE_CONFIG:
		return 2 + 256;
	case VJ_CMD_SWO:
		return vj_swo_cmd_len(p, n);
	case CMD_SWD_IO: case CMD_JTAG_IO_V2:
		if (n < 5)
			return 0;
		/* op, 00, u16 nbits, dir/tms[n], out/tdi[n] */
		return 5 + 2 * (long)((sw_le16_get(p + 3) + 7u) / 8u);
	default:
		return -1;
	}
}

/* ---- command handlers ----------------------------------------------------- */

/* 0xCF in SWD mode: clock the bits through the simulated wire. A J-Link's
 * in[] leads an ideal trace by one cycle (it samples on the falling edge;
 * reference/jlink.md §3: the first input bit after a request holds ACK[0]),
 * so in[k] = line(k+1) and the last bit repeats line(last). */
static size_t vj_swd_io(struct vjlink *v, const uint8_t *p)
{
	size_t nbits = sw_le16_get(p + 3), nb = (nbits + 7) / 8, k;
	const uint8_t *dir = p + 5, *out = p + 5 + nb;
	uint8_t *in = v->tx;

	memset(in, 0, nb + 1);
	if (nb * 2 > v->cfg.free_mem - 16) {
		in[nb] = SWD_IO_ERR_NO_MEMORY;
		return nb + 1;
	}
	v->stats.swd_io++;
	v->stats.swd_bits += nbits;
	if (v->tif != TIF_SWD) {
		/* JTAG I/O v3 on a board without JTAG: TDO floats high. */
		memset(in, 0xFF, nb);
		return nb + 1;
	}
	memset(v->line, 0, nb);
	if (nbits && sim_wire_io(v->sim, dir, out, v->line, nbits) != SW_OK)
		SW_LOG_W(v->ctx, "vjlink: sim_wire_io failed: %s", sw_errmsg(v->ctx));
	for (k = 0; k < nbits; k++) {
		unsigned drv = (unsigned)(dir[k / 8] >> (k % 8)) & 1u;
		if (drv) /* the host drives: the line is what it sends */
			v->line[k / 8] = (uint8_t)((v->line[k / 8] & ~(1u << (k % 8))) |
						   (out[k / 8] & (1u << (k % 8))));
	}
	for (k = 0; k < nbits; k++) {
		size_t src = k + 1 < nbits ? k + 1 : k;
		if ((unsigned)(v->line[src / 8] >> (src % 8)) & 1u)
			in[k / 8] |= (uint8_t)(1u << (k % 8));
	}
	in[nb] = 0; /* status OK: SWD errors show only in the ACK bits */
	return nb + 1;
}

void vj_drop_regs_of(struct vjlink *v, int fd)
{
	for (size_t i = 0; i < VJ_MAX_REGS; i++)
		if (v->regs[i].used && v->regs[i].owner_fd == fd)
			v->regs[i].used = false;
}

/* 0x09 register/unregister; reply is the connection table
 * (libjaylink device.c parse_conn_table): handle, num, entry size 16, info
 * size, then 16-byte entries, padded to at least 76 bytes. */
static size_t vj_register(struct vjlink *v, const uint8_t *p, int fd)
{
	uint16_t handle = sw_le16_get(p + 13);
	struct vj_reg *r = NULL;
	uint8_t *o = v->tx;
	size_t i, num = 0, len;

	for (i = 0; i < VJ_MAX_REGS; i++)
		if (v->regs[i].used && handle && v->regs[i].handle == handle)
			r = &v->regs[i];
	if (p[2] == REG_SUB_REGISTER) {
		for (i = 0; !r && i < VJ_MAX_REGS; i++)
			if (!v->regs[i].used) {
				r = &v->regs[i];
				r->used = true;
				r->handle = v->next_handle++;
				if (!v->next_handle)
					v->next_handle = 1;
			}
		if (r) {
			r->pid = sw_le32_get(p + 3);
			memcpy(r->hid, p + 7, 4);
			r->iid = p[11];
			r->cid = p[12];
			r->timestamp = vj_ms(v);
			r->owner_fd = fd;
			handle = r->handle;
		}
	} else if (r) {
		r->used = false;
	}
	memset(o, 0, VJ_REG_MIN_REPLY + 16 * VJ_MAX_REGS);
	for (i = 0; i < VJ_MAX_REGS; i++) {
		uint8_t *e = o + 8 + 16 * num;
		if (!v->regs[i].used)
			continue;
		sw_le32_put(e, v->regs[i].pid);
		memcpy(e + 4, v->regs[i].hid, 4);
		e[8] = v->regs[i].iid;
		e[9] = v->regs[i].cid;
		sw_le16_put(e + 10, v->regs[i].handle);
		sw_le32_put(e + 12, v->regs[i].timestamp);
		num++;
	}
	sw_le16_put(o, handle);
	sw_le16_put(o + 2, (uint16_t)num);
	sw_le16_put(o + 4, 16);
	sw_le16_put(o + 6, 0);
	len = 8 + 16 * num;
	return len < VJ_REG_MIN_REPLY ? VJ_REG_MIN_REPLY : len;
}

static size_t vj_select_tif(struct vjlink *v, const uint8_t *p)
{
	uint32_t prev = v->tif;

	if (p[2] == TIF_SELECT_GET_AVAILABLE) {
		sw_le32_put(v->tx, (1u << TIF_JTAG) | (1u << TIF_SWD));
	} else if (p[2] == TIF_SELECT_GET_CURRENT) {
		sw_le32_put(v->tx, v->tif);
	} else {
		if (p[2] == TIF_JTAG || p[2] == TIF_SWD)
			v->tif = p[2];
		sw_le32_put(v->tx, prev);
	}
	return 4;
}

static void vj_set_speed(struct vjlink *v, uint16_t khz)
{
	struct sim_timing t;
	uint32_t max_khz = VJ_BASE_FREQ / VJ_MIN_DIV / 1000u;

	v->speed_khz = khz;
	if (khz == 0xFFFF || khz == 0) /* adaptive: keep the current model clock */
		return;
	sim_get_timing(v->sim, &t);
	t.swclk_hz = (khz > max_khz ? max_khz : khz) * 1000u;
	sim_set_timing(v->sim, &t);
}

static size_t vj_hw_status(struct vjlink *v)
{
	memset(v->tx, 0, 8);
	sw_le16_put(v->tx, v->cfg.vtref_mv);
	v->tx[2] = 1;                       /* TCK idles high */
	v->tx[3] = 1;                       /* TDI */
	v->tx[4] = 1;                       /* TDO pulled up */
	v->tx[5] = 1;                       /* TMS / SWDIO pulled up */
	v->tx[6] = v->nrst_released ? 1 : 0; /* TRES = nRESET */
	v->tx[7] = 1;                       /* TRST */
	return 8;
}

/* Execute one complete request; returns the reply length in v->tx. */
size_t vj_exec(struct vjlink *v, const uint8_t *p, int fd)
{
	size_t n;

	switch (p[1]) {
	case CMD_GET_VERSION:
		n = sizeof(vj_firmware); /* NUL counted: the library overwrites byte L-1 */
		sw_le16_put(v->tx, (uint16_t)n);
		memcpy(v->tx + 2, vj_firmware, n);
		return n + 2;
	case CMD_GET_CAPS:
		sw_le32_put(v->tx, VJ_CAPS);
		return 4;
	case CMD_GET_EXT_CAPS: /* bytes 0-3 repeat the basic caps */
		memset(v->tx, 0, 32);
		sw_le32_put(v->tx, VJ_CAPS);
		return 32;
	case CMD_GET_HW_VERSION:
		sw_le32_put(v->tx, VJ_HW_VERSION);
		return 4;
	case CMD_GET_HW_STATUS:
		return vj_hw_status(v);
	case CMD_GET_FREE_MEMORY:
		sw_le32_put(v->tx, v->cfg.free_mem);
		return 4;
	case CMD_GET_SPEEDS:
		sw_le32_put(v->tx, VJ_BASE_FREQ);
		sw_le16_put(v->tx + 4, VJ_MIN_DIV);
		return 6;
	case CMD_SET_SPEED:
		vj_set_speed(v, sw_le16_get(p + 2));
		return 0;
	case CMD_SELECT_TIF:
		return vj_select_tif(v, p);
	case CMD_SWD_IO:
		return vj_swd_io(v, p);
	case VJ_CMD_SWO:
		return vj_swo_exec(v->swo, v->sim, p, (size_t)vj_cmd_len(p, VJ_RX_MAX), v->tx, sizeof(v->tx));
	case CMD_JTAG_IO_V2:
		n = (sw_le16_get(p + 3) + 7u) / 8u;
		memset(v->tx, 0xFF, n);
		return n;
	case CMD_CLEAR_RESET: /* nRESET low: reset asserted */
	case CMD_SET_RESET:
		v->nrst_released = p[1] == CMD_SET_RESET;
		sim_set_nrst(v->sim, !v->nrst_released);
		return 0;
	case CMD_REGISTER:
		return vj_register(v, p, fd);
	case CMD_GET_HW_INFO:
	case CMD_GET_COUNTERS:
		n = 4u * (size_t)__builtin_popcount(sw_le32_get(p + 2));
		memset(v->tx, 0, n);
		return n;
	case CMD_READ_CONFIG:
		memset(v->tx, 0xFF, 256);
		return 256;
	default: /* TRST, target power, write config: accepted, no reply */
		return 0;
	}
}
