/* The core's internal PPB as registers: SCS (CPUID, ICSR, VTOR, AIRCR, CCR,
 * SHCSR, CFSR/HFSR/BFAR, CPACR, DHCSR/DCRSR/DCRDR/DEMCR, DFSR), FPB, DWT,
 * ITM, with their CoreSight ID blocks. ARMv7-M ARM B3.2, C1.6, C1.8, C1.11;
 * ARMv8-M ARM D1.2. Offsets are from 0xE0000000. */
#include <string.h>

#include "sim/sim_core_priv.h"
#include "sim/sim_coresight.h"

#define ITM_BASE 0x0000u
#define DWT_BASE 0x1000u
#define FPB_BASE 0x2000u
#define SCS_BASE 0xE000u

#define SCB_CPUID 0xED00u
#define SCB_ICSR 0xED04u
#define SCB_VTOR 0xED08u
#define SCB_AIRCR 0xED0Cu
#define SCB_SCR 0xED10u
#define SCB_CCR 0xED14u
#define SCB_SHCSR 0xED24u
#define SCB_CFSR 0xED28u
#define SCB_HFSR 0xED2Cu
#define SCB_DFSR 0xED30u
#define SCB_MMFAR 0xED34u
#define SCB_BFAR 0xED38u
#define SCB_CPACR 0xED88u
#define DCB_DHCSR 0xEDF0u
#define DCB_DCRSR 0xEDF4u
#define DCB_DCRDR 0xEDF8u
#define DCB_DEMCR 0xEDFCu
#define DCB_DAUTHSTATUS 0xEFB8u
#define SCB_MVFR0 0xEF40u

static const struct sim_cs_id *component_id(const struct sim_core *c, uint32_t block)
{
	bool v8 = c->cfg.arch == 8;

	switch (block) {
	case ITM_BASE: return v8 ? &sim_cs_v8m_itm : &sim_cs_m7_itm;
	case DWT_BASE: return v8 ? &sim_cs_v8m_dwt : &sim_cs_m7_dwt;
	case FPB_BASE: return v8 ? &sim_cs_v8m_fpb : &sim_cs_m7_fpb;
	case SCS_BASE: return v8 ? &sim_cs_v8m_scs : &sim_cs_m7_scs;
	default: return NULL;
	}
}

static uint32_t dhcsr_read(struct sim_core *c)
{
	uint32_t v = c->dhcsr_ctrl;

	if (c->halted)
		v |= DHCSR_S_HALT;
	if (c->halted && c->regrdy)
		v |= DHCSR_S_REGRDY;
	if (c->lockup)
		v |= DHCSR_S_LOCKUP;
	if (c->retired)
		v |= DHCSR_S_RETIRE_ST;
	if (c->reset_seen || c->reset_line)
		v |= DHCSR_S_RESET_ST;
	/* S_RETIRE_ST and S_RESET_ST clear on read (C1.6.2). */
	c->retired = false;
	c->reset_seen = false;
	return v;
}

static uint32_t fp_ctrl(const struct sim_core *c)
{
	uint32_t n = c->cfg.fpb_code;

	return (c->cfg.fpb_rev & 0xFu) << 28 | ((n >> 4) & 7u) << 12 | (c->cfg.fpb_lit & 0xFu) << 8 |
	       (n & 0xFu) << 4 | (c->fpb_enable ? 1u : 0u);
}

static int scs_read(struct sim_core *c, uint32_t off, uint32_t *v)
{
	switch (off) {
	case SCB_CPUID: *v = c->cfg.cpuid; return 0;
	case SCB_ICSR: *v = 0; return 0;
	case SCB_VTOR: *v = c->vtor; return 0;
	case SCB_AIRCR: *v = 0xFA050000u | c->aircr_prigroup; return 0;
	case SCB_SCR: *v = c->scr; return 0;
	case SCB_CCR: *v = c->ccr; return 0;
	case SCB_SHCSR: *v = c->shcsr; return 0;
	case SCB_CFSR: *v = c->cfsr; return 0;
	case SCB_HFSR: *v = c->hfsr; return 0;
	case SCB_DFSR: *v = c->dfsr; return 0;
	case SCB_MMFAR: *v = c->mmfar; return 0;
	case SCB_BFAR: *v = c->bfar; return 0;
	case SCB_CPACR: *v = c->cpacr; return 0;
	case SCB_MVFR0: *v = c->cfg.fpu ? (c->cfg.dp_fpu ? 0x10110221u : 0x10110021u) : 0; return 0;
	case DCB_DHCSR: *v = dhcsr_read(c); return 0;
	case DCB_DCRSR: *v = 0; return 0;
	case DCB_DCRDR: *v = c->dcrdr; return 0;
	case DCB_DEMCR: *v = c->demcr; return 0;
	case DCB_DAUTHSTATUS: *v = c->cfg.arch == 8 ? 0x0Fu : 0; return 0;
	default: *v = 0; return 0;
	}
}

/* Debugger write to DHCSR (C1.6.2): DBGKEY 0xA05F in [31:16] or ignored. */
static void dhcsr_write(struct sim_core *c, uint32_t v)
{
	uint32_t ctrl = v & (DHCSR_C_DEBUGEN | DHCSR_C_HALT | DHCSR_C_STEP | DHCSR_C_MASKINTS);

	if ((v >> 16) != 0xA05Fu)
		return;
	if (!(ctrl & DHCSR_C_DEBUGEN)) {
		c->dhcsr_ctrl = 0;
		c->halted = false; /* leaving debug state */
		return;
	}
	/* C_MASKINTS only changes while halted (C1.6.2). */
	if (!c->halted)
		ctrl = (ctrl & ~DHCSR_C_MASKINTS) | (c->dhcsr_ctrl & DHCSR_C_MASKINTS);
	c->dhcsr_ctrl = ctrl;
	if (ctrl & DHCSR_C_HALT) {
		if (!c->halted && !c->reset_line) {
			c->halted = true;
			c->lockup = false; /* entering Debug state leaves lockup (B1.5.15) */
			c->dfsr |= (1u << 0); /* HALTED */
		}
		return;
	}
	if (c->halted && (ctrl & DHCSR_C_STEP)) {
		sim_core_do_step(c);
		return;
	}
	c->halted = false;
}

static void dcrsr_write(struct sim_core *c, uint32_t v)
{
	uint32_t sel = v & 0x7Fu;

	c->regrdy = false;
	if (!c->halted)
		return; /* only legal in debug state; no transfer happens */
	if (v & (1u << 16))
		sim_core_reg_set(c, sel, c->dcrdr);
	else if (sim_core_reg_get(c, sel, &c->dcrdr))
		c->dcrdr = 0;
	c->regrdy = true;
}

static void scs_write(struct sim_core *c, uint32_t off, uint32_t v)
{
	switch (off) {
	case SCB_VTOR: c->vtor = v & ~0x7Fu; break;
	case SCB_AIRCR:
		if ((v >> 16) != 0x05FAu)
			break; /* VECTKEY required */
		c->aircr_prigroup = v & 0x700u;
		if (v & 4u) {
			if (c->cfg.sysresetreq)
				c->cfg.sysresetreq(c->cfg.chip);
		} else if ((v & 1u) && c->cfg.arch == 7) {
			sim_core_reset(c, SIM_RESET_CORE); /* VECTRESET: ARMv7-M only */
		}
		break;
	case SCB_SCR: c->scr = v & 0x16u; break;
	case SCB_CCR: c->ccr = v; break;
	case SCB_SHCSR: c->shcsr = v; break;
	case SCB_CFSR: c->cfsr &= ~v; break; /* write-one-to-clear */
	case SCB_HFSR: c->hfsr &= ~v; break;
	case SCB_DFSR: c->dfsr &= ~v; break;
	case SCB_MMFAR: c->mmfar = v; break;
	case SCB_BFAR: c->bfar = v; break;
	case SCB_CPACR: c->cpacr = v; break;
	case DCB_DHCSR: dhcsr_write(c, v); break;
	case DCB_DCRSR: dcrsr_write(c, v); break;
	case DCB_DCRDR: c->dcrdr = v; break;
	case DCB_DEMCR: c->demcr = v & 0x010F07F1u; break;
	default: break;
	}
}

static int fpb_read(struct sim_core *c, uint32_t off, uint32_t *v)
{
	if (off == 0)
		*v = fp_ctrl(c);
	else if (off == 4)
		*v = c->fp_remap;
	else if (off >= 8 && (off - 8) / 4 < c->cfg.fpb_code)
		*v = c->fp_comp[(off - 8) / 4];
	else
		*v = 0;
	return 0;
}

static void fpb_write(struct sim_core *c, uint32_t off, uint32_t v)
{
	if (off == 0) {
		if (v & 2u) /* KEY must be set for the write to take effect */
			c->fpb_enable = v & 1u;
	} else if (off == 4) {
		c->fp_remap = v & 0x1FFFFFE0u;
	} else if (off >= 8 && (off - 8) / 4 < c->cfg.fpb_code) {
		c->fp_comp[(off - 8) / 4] = v;
	} else {
		return;
	}
	sim_core_update_fpb(c);
}

static int dwt_read(struct sim_core *c, uint32_t off, uint32_t *v)
{
	if (off == 0) {
		*v = (c->cfg.dwt_comps & 0xFu) << 28 | (c->dwt_ctrl & 0x0FFFFFFFu);
	} else if (off == 4) {
		*v = c->cyccnt;
	} else if (off >= 0x20 && (off - 0x20) / 16 < c->cfg.dwt_comps) {
		unsigned n = (off - 0x20) / 16;
		switch ((off - 0x20) % 16) {
		case 0: *v = c->dwt_comp[n]; break;
		case 4: *v = c->dwt_mask[n]; break;
		case 8:
			*v = c->dwt_func[n];
			if (c->cfg.arch == 7 && n == 1)
				*v |= 1u << 9; /* LNK1ENA: comparator 1 supports linked data matching */
			c->dwt_func[n] &= ~(1u << 24); /* MATCHED clears on read */
			break;
		default: *v = 0; break;
		}
	} else if (off == 0xFBC && c->cfg.arch == 8) {
		*v = 0x47701A02u;
	} else {
		*v = 0;
	}
	return 0;
}

static void dwt_write(struct sim_core *c, uint32_t off, uint32_t v)
{
	if (off == 0) {
		c->dwt_ctrl = v & 0x0FFFFFFFu;
	} else if (off == 4) {
		c->cyccnt = v;
	} else if (off >= 0x20 && (off - 0x20) / 16 < c->cfg.dwt_comps) {
		unsigned n = (off - 0x20) / 16;
		switch ((off - 0x20) % 16) {
		case 0: c->dwt_comp[n] = v; break;
		case 4: c->dwt_mask[n] = v & 0x1Fu; break;
		case 8:
			/* ARMv7-M: DATAVMATCH (bit 8) only on comparator 1, as on
			 * most Cortex-M parts (DBG_LEVEL 3); elsewhere it reads 0. */
			if (c->cfg.arch == 7 && n != 1)
				v &= ~(1u << 8);
			c->dwt_func[n] = (c->dwt_func[n] & (1u << 24)) | (v & 0x00FFFDFFu);
			break;
		default: break;
		}
		sim_core_update_dwt(c);
	}
}

static void itm_write(struct sim_core *c, uint32_t off, unsigned size, uint32_t v)
{
	if (off < 0x80 * 4) {
		unsigned port = off / 4;
		if ((c->itm_tcr & 1u) && (c->itm_ter & (1u << (port & 31))) && port < 32) {
			for (unsigned i = 0; i < size && c->itm_len < SIM_ITM_BUF; i++)
				c->itm_buf[c->itm_len++] = (uint8_t)(v >> (8 * i));
		}
	} else if (off == 0xE00) {
		c->itm_ter = v;
	} else if (off == 0xE40) {
		c->itm_tpr = v;
	} else if (off == 0xE80) {
		c->itm_tcr = v;
	}
}

int sim_core_ppb_read(void *opaque, uint32_t off, unsigned size, uint32_t *val)
{
	struct sim_core *c = opaque;
	uint32_t block = off & ~0xFFFu, lo = off & 0xFFFu;
	const struct sim_cs_id *id = component_id(c, block);
	uint32_t v = 0;

	if (lo >= 0xFBC && id && !sim_cs_id_read(id, lo, &v))
		goto done;
	if (block == FPB_BASE)
		fpb_read(c, lo, &v);
	else if (block == DWT_BASE)
		dwt_read(c, lo, &v);
	else if (block == ITM_BASE)
		v = lo == 0xE00 ? c->itm_ter : lo == 0xE80 ? c->itm_tcr : lo == 0xE40 ? c->itm_tpr : (lo < 0x80 ? 1u : 0u);
	else if (off >= SCS_BASE && off < SCS_BASE + 0x1000u)
		scs_read(c, off, &v);
done:
	/* Sub-word reads: return the addressed bytes (the bus is little-endian). */
	if (size < 4)
		v = (v >> (8 * (off & 3u))) & (size == 1 ? 0xFFu : 0xFFFFu);
	*val = v;
	return 0;
}

int sim_core_ppb_write(void *opaque, uint32_t off, unsigned size, uint32_t val)
{
	struct sim_core *c = opaque;
	uint32_t block = off & ~0xFFFu, lo = off & 0xFFFu;

	if (block == ITM_BASE) {
		itm_write(c, lo, size, val);
		return 0;
	}
	if (size != 4)
		return 0; /* SCS, FPB, DWT registers are word-accessed */
	if (block == FPB_BASE)
		fpb_write(c, lo, val);
	else if (block == DWT_BASE)
		dwt_write(c, lo, val);
	else if (off >= SCS_BASE && off < SCS_BASE + 0x1000u)
		scs_write(c, off, val);
	return 0;
}

/* --- FPB: one Unicorn code hook per enabled comparator ------------------- */

static void on_fpb(uc_engine *uc, uint64_t addr, uint32_t size, void *user)
{
	struct sim_core *c = user;

	(void)uc, (void)addr, (void)size;
	if ((c->dhcsr_ctrl & DHCSR_C_DEBUGEN) && !c->halted)
		sim_core_enter_halt(c, DFSR_BKPT); /* halts before the instruction */
}

static void add_fpb_hook(struct sim_core *c, uint32_t addr)
{
	if (c->n_fpb_hooks < SIM_FPB_MAX * 2 &&
	    uc_hook_add(c->uc, &c->fpb_hooks[c->n_fpb_hooks], UC_HOOK_CODE, (void *)on_fpb, c, addr,
			addr) == UC_ERR_OK)
		c->n_fpb_hooks++;
}

void sim_core_update_fpb(struct sim_core *c)
{
	for (unsigned i = 0; i < c->n_fpb_hooks; i++)
		uc_hook_del(c->uc, c->fpb_hooks[i]);
	c->n_fpb_hooks = 0;
	/* Translated blocks carry the hooks they were built with: drop them. */
	uc_ctl_flush_tlb(c->uc);
	if (!c->fpb_enable)
		return;
	for (unsigned i = 0; i < c->cfg.fpb_code; i++) {
		uint32_t v = c->fp_comp[i];
		if (!(v & 1u))
			continue;
		if (c->cfg.fpb_rev >= 1) {
			add_fpb_hook(c, v & ~1u); /* FPB v2: BPADDR[31:1] */
			continue;
		}
		/* FPB v1: COMP[28:2] word address, REPLACE[31:30] picks halfwords. */
		uint32_t base = v & 0x1FFFFFFCu, rep = v >> 30;
		if (rep & 1u)
			add_fpb_hook(c, base);
		if (rep & 2u)
			add_fpb_hook(c, base + 2);
	}
}

/* --- DWT data watchpoints ------------------------------------------------- */

/* ARMv7-M data value match (C1.8.7): COMP holds the value, DATAVSIZE its
 * size, DATAVADDR0 links an address comparator (none if it names itself). */
static bool dwt_value_match(const struct sim_core *c, unsigned n, uint32_t addr, unsigned size,
			    bool write, uint64_t value)
{
	uint32_t f = c->dwt_func[n], fn = f & 0xFu, vsize = 1u << ((f >> 10) & 3u);
	unsigned link = (f >> 12) & 0xFu;
	uint32_t mask = vsize == 4 ? 0xFFFFFFFFu : (1u << (8 * vsize)) - 1u;

	if (fn < 5 || fn > 7 || (fn == 5 && write) || (fn == 6 && !write) || size != vsize)
		return false;
	if (link != n && link < c->cfg.dwt_comps) {
		uint32_t m = c->dwt_mask[link], base = c->dwt_comp[link] & ~((1u << m) - 1u);
		if (addr < base || addr >= base + (1u << m))
			return false;
	}
	return ((uint32_t)value & mask) == (c->dwt_comp[n] & mask);
}

static bool dwt_match(const struct sim_core *c, unsigned n, uint32_t addr, unsigned size, bool write)
{
	uint32_t f = c->dwt_func[n] & 0xFu, lo, hi;

	if (c->cfg.arch == 8) {
		/* ARMv8-M FUNCTION.MATCH: 4 rw, 5 write, 6 read; DATAVSIZE gives the span. */
		if (f < 4 || f > 6 || ((c->dwt_func[n] >> 4) & 3u) != 1u)
			return false;
		if ((f == 5 && !write) || (f == 6 && write))
			return false;
		lo = c->dwt_comp[n];
		hi = lo + (1u << ((c->dwt_func[n] >> 10) & 3u));
	} else {
		/* ARMv7-M FUNCTION 5 read, 6 write, 7 rw; MASK ignores low address bits. */
		if (f < 5 || f > 7 || (f == 5 && write) || (f == 6 && !write))
			return false;
		lo = c->dwt_comp[n] & ~((1u << c->dwt_mask[n]) - 1u);
		hi = lo + (1u << c->dwt_mask[n]);
	}
	return addr < hi && addr + size > lo;
}

static void on_mem(uc_engine *uc, uc_mem_type type, uint64_t addr, int size, int64_t value, void *user)
{
	struct sim_core *c = user;
	bool write = type == UC_MEM_WRITE;

	(void)uc;
	if (!write) {
		/* Reads: the value is the memory content being read. */
		uint32_t v = 0;
		sim_bus_read(c->bus, (uint32_t)addr & ~((uint32_t)size - 1u), (unsigned)size, &v);
		value = v;
	}
	for (unsigned n = 0; n < c->cfg.dwt_comps; n++) {
		bool vm = c->cfg.arch == 7 && (c->dwt_func[n] & (1u << 8));
		if (vm ? dwt_value_match(c, n, (uint32_t)addr, (unsigned)size, write, (uint64_t)value)
		       : dwt_match(c, n, (uint32_t)addr, (unsigned)size, write)) {
			c->dwt_func[n] |= 1u << 24; /* MATCHED */
			if (c->dhcsr_ctrl & DHCSR_C_DEBUGEN) {
				/* Data watchpoints halt after the access completes. */
				c->halted = true;
				c->dhcsr_ctrl |= DHCSR_C_HALT;
				c->dfsr |= DFSR_DWTTRAP;
				c->stop_request = true;
			}
		}
	}
}

void sim_core_update_dwt(struct sim_core *c)
{
	bool any = false;

	for (unsigned n = 0; n < c->cfg.dwt_comps; n++)
		if (c->dwt_func[n] & 0xFu)
			any = true;
	uc_ctl_flush_tlb(c->uc);
	if (any && !c->dwt_hooked) {
		if (uc_hook_add(c->uc, &c->dwt_hook, UC_HOOK_MEM_READ | UC_HOOK_MEM_WRITE,
				(void *)on_mem, c, 1, 0) == UC_ERR_OK)
			c->dwt_hooked = true;
	} else if (!any && c->dwt_hooked) {
		uc_hook_del(c->uc, c->dwt_hook);
		c->dwt_hooked = false;
	}
}
