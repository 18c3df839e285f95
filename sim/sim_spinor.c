/* Serial NOR device model (see sim_spinor.h). Command set and status bits
 * as common to W25Q/IS25WP/MX25 parts; SFDP layout from JEDEC JESD216B
 * (header, one parameter header, 16-dword Basic Flash Parameter Table). */
#include <stdlib.h>
#include <string.h>

#include "sim/sim_spinor.h"

#define SFDP_SIZE 0x80u
#define SFDP_BFPT 0x30u /* parameter table pointer in the header */
#define SFDP_BFPT_DWORDS 16u

enum spinor_cmd {
	OP_WRSR = 0x01, OP_PP = 0x02, OP_READ = 0x03, OP_WRDI = 0x04, OP_RDSR = 0x05,
	OP_WREN = 0x06, OP_FREAD = 0x0B, OP_FREAD4 = 0x0C, OP_PP4 = 0x12, OP_READ4 = 0x13,
	OP_SE = 0x20, OP_SE4 = 0x21, OP_QPP = 0x32, OP_QPP4 = 0x34, OP_DOR = 0x3B,
	OP_BE32 = 0x52, OP_SFDP = 0x5A, OP_BE32_4 = 0x5C, OP_CE = 0x60, OP_RSTEN = 0x66,
	OP_QOR = 0x6B, OP_QOR4 = 0x6C, OP_RST = 0x99, OP_RDID = 0x9F, OP_CE2 = 0xC7,
	OP_BE = 0xD8, OP_BE4 = 0xDC, OP_QIOR = 0xEB, OP_QIOR4 = 0xEC,
};

enum spinor_kind { K_NONE, K_READ, K_PROG, K_ERASE, K_ID, K_SFDP, K_RDSR, K_SIMPLE };

struct sim_spinor {
	struct sim_spinor_cfg cfg;
	uint8_t sr;
	uint64_t busy_until;
	uint64_t ops;
	bool reset_enabled;
	uint8_t sfdp[SFDP_SIZE];
	/* the transaction in progress */
	bool active, ignored, garbled;
	uint8_t op;
	enum spinor_kind kind;
	unsigned need_addr, need_dummy, dummy;
	bool have_addr;
	uint32_t addr, pos;
	uint8_t page[SIM_SPINOR_PAGE];
	bool page_used[SIM_SPINOR_PAGE];
	size_t prog_bytes;
};

static void put32(uint8_t *p, uint32_t v)
{
	for (unsigned i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static unsigned log2u(uint32_t v)
{
	unsigned n = 0;

	while (v > 1) {
		v >>= 1;
		n++;
	}
	return n;
}

/* JESD216B: "SFDP" signature, revision 1.6, one parameter header (NPH = 0)
 * pointing at the BFPT at 0x30 (16 dwords). BFPT dword 1: 4 KiB erase
 * supported (bits 1:0 = 01), opcode 20h (15:8), address bytes 3-or-4 (bits
 * 18:17 = 01) above 16 MiB; dword 2: density in bits - 1; dwords 8-9: erase
 * types (size exponent, opcode) 4K/20h, 32K/52h, 64K/D8h; dword 11: page
 * size exponent 8 in bits 7:4. */
static void build_sfdp(struct sim_spinor *f)
{
	uint8_t *h = f->sfdp, *t = f->sfdp + SFDP_BFPT;
	uint32_t dw1 = 0x00000001u | (OP_SE << 8) | (1u << 2) | (1u << 16);

	memset(f->sfdp, 0xFF, sizeof(f->sfdp));
	put32(h, 0x50444653u);              /* "SFDP" */
	put32(h + 4, 0xFF000106u);          /* minor 6, major 1, NPH 0, 0xFF */
	put32(h + 8, 0x10010600u);          /* ID LSB 00, rev 1.6, 16 dwords */
	put32(h + 12, 0xFF000000u | SFDP_BFPT); /* table pointer, ID MSB FF */
	if (f->cfg.size > (16u << 20))
		dw1 |= 1u << 17;
	put32(t + 0, dw1 | 0xFF000000u);
	put32(t + 4, f->cfg.size * 8u - 1u);
	put32(t + 8, 0x6B08EB44u);          /* 1-1-4 6Bh 8 dummy, 1-4-4 EBh 4+2 */
	put32(t + 12, 0xBB42FFFFu);
	put32(t + 16, 0xFFFFFFEEu);
	put32(t + 20, 0xFFFFFFFFu);
	put32(t + 24, 0xFFFFFFFFu);
	put32(t + 28, 0x520F200Cu);         /* type1 2^12 20h, type2 2^15 52h */
	put32(t + 32, 0x0000D810u);         /* type3 2^16 D8h, type4 none */
	put32(t + 36, 0x00000000u);
	put32(t + 40, 0x00000080u | (log2u(SIM_SPINOR_PAGE) << 4));
	for (unsigned i = 11; i < SFDP_BFPT_DWORDS; i++)
		put32(t + 4 * i, 0);
}

int sim_spinor_new(const struct sim_spinor_cfg *cfg, struct sim_spinor **out)
{
	struct sim_spinor *f = calloc(1, sizeof(*f));

	*out = f;
	if (!f)
		return -1;
	f->cfg = *cfg;
	build_sfdp(f);
	return 0;
}

void sim_spinor_free(struct sim_spinor *f)
{
	free(f);
}

void sim_spinor_set_mem(struct sim_spinor *f, uint8_t *mem)
{
	f->cfg.mem = mem;
}

void sim_spinor_get_times(const struct sim_spinor *f, struct sim_spinor_times *t)
{
	static const struct sim_spinor_times typ = {300000ull, 45000000ull, 120000000ull,
						    150000000ull, 40000000000ull};
	static const struct sim_spinor_times max = {3000000ull, 400000000ull, 1600000000ull,
						    2000000000ull, 200000000000ull};

	*t = f->cfg.max_corner ? max : typ;
}

static uint64_t now(const struct sim_spinor *f)
{
	return f->cfg.now_ns(f->cfg.clock);
}

static bool busy(const struct sim_spinor *f)
{
	return now(f) < f->busy_until;
}

void sim_spinor_peek(const struct sim_spinor *f, uint32_t addr, uint8_t *buf, size_t n)
{
	for (size_t i = 0; i < n; i++)
		buf[i] = f->cfg.mem[(addr + i) & (f->cfg.size - 1)];
}

uint8_t sim_spinor_status(const struct sim_spinor *f)
{
	uint8_t sr = f->sr;

	if (busy(f))
		sr |= SIM_SPINOR_SR_WIP;
	else
		sr &= (uint8_t)~SIM_SPINOR_SR_WIP;
	return sr;
}

uint64_t sim_spinor_op_count(const struct sim_spinor *f)
{
	return f->ops;
}

void sim_spinor_reset(struct sim_spinor *f)
{
	f->sr = 0;
	f->active = false;
	f->reset_enabled = false;
}

static unsigned addr_bytes_for(const struct sim_spinor *f, uint8_t op)
{
	switch (op) {
	case OP_READ4: case OP_FREAD4: case OP_PP4: case OP_SE4: case OP_BE32_4: case OP_BE4:
	case OP_QOR4: case OP_QIOR4: case OP_QPP4:
		return 4;
	default:
		(void)f;
		return 3;
	}
}

/* Opcode -> what the transaction does and what it needs. */
static void classify(struct sim_spinor *f, uint8_t op)
{
	f->need_addr = 0;
	f->need_dummy = 0;
	switch (op) {
	case OP_READ: case OP_READ4:
		f->kind = K_READ; f->need_addr = addr_bytes_for(f, op); break;
	case OP_FREAD: case OP_FREAD4: case OP_DOR: case OP_QOR: case OP_QOR4:
		f->kind = K_READ; f->need_addr = addr_bytes_for(f, op); f->need_dummy = 8; break;
	case OP_QIOR: case OP_QIOR4:
		/* 1-4-4: 2 mode clocks + 4 dummy clocks; the LUT may code them as
		 * MODE + DUMMY or as one DUMMY of 6 */
		f->kind = K_READ; f->need_addr = addr_bytes_for(f, op); f->need_dummy = 6; break;
	case OP_PP: case OP_PP4: case OP_QPP: case OP_QPP4:
		f->kind = K_PROG; f->need_addr = addr_bytes_for(f, op); break;
	case OP_SE: case OP_SE4: case OP_BE32: case OP_BE32_4: case OP_BE: case OP_BE4:
		f->kind = K_ERASE; f->need_addr = addr_bytes_for(f, op); break;
	case OP_CE: case OP_CE2:
		f->kind = K_ERASE; break;
	case OP_RDID: f->kind = K_ID; break;
	case OP_SFDP: f->kind = K_SFDP; f->need_addr = 3; f->need_dummy = 8; break;
	case OP_RDSR: f->kind = K_RDSR; break;
	case OP_WREN: case OP_WRDI: case OP_RSTEN: case OP_RST: case OP_WRSR:
		f->kind = K_SIMPLE; break;
	default: f->kind = K_NONE; break;
	}
}

void sim_spinor_begin(struct sim_spinor *f, uint8_t opcode)
{
	f->active = true;
	f->op = opcode;
	f->have_addr = false;
	f->garbled = false;
	f->dummy = 0;
	f->pos = 0;
	f->prog_bytes = 0;
	memset(f->page_used, 0, sizeof(f->page_used));
	classify(f, opcode);
	/* While WIP is set only RDSR is accepted (datasheets: "all other
	 * commands are ignored"). */
	f->ignored = f->kind == K_NONE || (busy(f) && f->kind != K_RDSR);
}

void sim_spinor_addr(struct sim_spinor *f, uint32_t addr, unsigned addr_bytes)
{
	if (!f->active)
		return;
	if (addr_bytes != f->need_addr)
		f->garbled = true; /* the device took data bits as address or vice versa */
	f->addr = addr & (addr_bytes >= 4 ? 0xFFFFFFFFu : 0x00FFFFFFu);
	f->have_addr = true;
}

void sim_spinor_dummy(struct sim_spinor *f, unsigned cycles)
{
	if (f->active)
		f->dummy += cycles;
}

static bool usable(const struct sim_spinor *f)
{
	return f->active && !f->ignored && !f->garbled && (!f->need_addr || f->have_addr);
}

static uint8_t read_byte(struct sim_spinor *f)
{
	uint32_t i = f->pos++;

	switch (f->kind) {
	case K_READ:
		return f->cfg.mem[(f->addr + i) & (f->cfg.size - 1)];
	case K_ID:
		return i < 3 ? f->cfg.jedec_id[i] : 0x00;
	case K_SFDP:
		return f->addr + i < SFDP_SIZE ? f->sfdp[f->addr + i] : 0xFF;
	case K_RDSR:
		return sim_spinor_status(f); /* repeats while CS stays low */
	default:
		return 0xFF;
	}
}

void sim_spinor_read(struct sim_spinor *f, uint8_t *buf, size_t n)
{
	/* Not driving: the data lines float high (pull-ups). Wrong dummy count:
	 * the controller samples before or after the data, a bit-shifted mess;
	 * modelled as the floating value. */
	bool ok = usable(f) && f->dummy == f->need_dummy;

	for (size_t i = 0; i < n; i++)
		buf[i] = ok ? read_byte(f) : 0xFF;
}

void sim_spinor_write(struct sim_spinor *f, const uint8_t *buf, size_t n)
{
	if (!usable(f) || f->kind != K_PROG)
		return;
	/* Page program: the byte address wraps inside the 256-byte page; a
	 * later byte for the same position replaces the earlier one. */
	for (size_t i = 0; i < n; i++) {
		uint32_t off = (f->addr + f->pos++) & (SIM_SPINOR_PAGE - 1);
		f->page[off] = buf[i];
		f->page_used[off] = true;
	}
	f->prog_bytes += n;
}

static void start_op(struct sim_spinor *f, uint64_t t)
{
	f->busy_until = now(f) + t;
	f->sr &= (uint8_t)~SIM_SPINOR_SR_WEL; /* cleared when the operation ends */
	f->ops++;
}

static void do_erase(struct sim_spinor *f)
{
	struct sim_spinor_times t;
	uint32_t size;
	uint64_t d;

	sim_spinor_get_times(f, &t);
	switch (f->op) {
	case OP_SE: case OP_SE4: size = 4096; d = t.erase_4k; break;
	case OP_BE32: case OP_BE32_4: size = 32768; d = t.erase_32k; break;
	case OP_BE: case OP_BE4: size = 65536; d = t.erase_64k; break;
	default: size = f->cfg.size; d = t.erase_chip; break;
	}
	memset(f->cfg.mem + ((f->addr & (f->cfg.size - 1)) & ~(size - 1)), 0xFF, size);
	start_op(f, d);
}

static void do_program(struct sim_spinor *f)
{
	struct sim_spinor_times t;
	uint8_t *pg = f->cfg.mem + ((f->addr & (f->cfg.size - 1)) & ~(SIM_SPINOR_PAGE - 1));

	if (!f->prog_bytes)
		return; /* no data clocked: nothing starts */
	sim_spinor_get_times(f, &t);
	for (unsigned i = 0; i < SIM_SPINOR_PAGE; i++)
		if (f->page_used[i])
			pg[i] &= f->page[i]; /* programming only clears bits */
	start_op(f, t.page_program);
}

/* CS high: program and erase start only now, and only with WEL set. */
void sim_spinor_end(struct sim_spinor *f)
{
	bool ok = usable(f);

	f->active = false;
	if (!ok)
		return;
	switch (f->op) {
	case OP_WREN: f->sr |= SIM_SPINOR_SR_WEL; break;
	case OP_WRDI: f->sr &= (uint8_t)~SIM_SPINOR_SR_WEL; break;
	case OP_RSTEN: f->reset_enabled = true; return;
	case OP_RST:
		if (f->reset_enabled)
			sim_spinor_reset(f);
		break;
	default:
		if (f->kind == K_ERASE && (f->sr & SIM_SPINOR_SR_WEL))
			do_erase(f);
		else if (f->kind == K_PROG && (f->sr & SIM_SPINOR_SR_WEL))
			do_program(f);
		break;
	}
	f->reset_enabled = false;
}
