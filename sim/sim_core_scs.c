/* The core's internal PPB as registers: SCS (CPUID, ICSR, VTOR, AIRCR, CCR,
 * SHCSR, CFSR/HFSR/BFAR, CPACR, FPCCR, DHCSR/DCRSR/DCRDR/DEMCR, DFSR), ITM,
 * and the dispatch to FPB/DWT (sim_core_fpb_dwt.c), with the CoreSight ID
 * blocks. ARMv7-M ARM B3.2, C1.6, C1.7; ARMv8-M ARM D1.2. Offsets are from
 * 0xE0000000. The debugger (bus) and the CPU (Unicorn MMIO) share them. */
#include "sim/sim_core_priv.h"
#include "sim/sim_coresight.h"

#define ITM_BASE 0x0000u
#define DWT_BASE 0x1000u
#define FPB_BASE 0x2000u
#define SCS_BASE 0xE000u

#define SCB_CPUID 0xED00u
#define SCB_VTOR 0xED08u
#define SCB_AIRCR 0xED0Cu
#define SCB_SCR 0xED10u
#define SCB_CCR 0xED14u
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
/* DSCSR (ARMv8-M ARM, Debug Security Control and Status Register): CDS
 * bit 16 = the PE is in Secure state, CDSKEY bit 17 (write 0 to change CDS,
 * Debug state only), SBRSEL bit 1 / SBRSELEN bit 0 pick which banked SP
 * the debugger's SP reads. Only with the Security Extension. */
#define DCB_DSCSR 0xEE08u
#define DSCSR_SBRSELEN (1u << 0)
#define DSCSR_SBRSEL (1u << 1)
#define DSCSR_CDS (1u << 16)
#define FPU_FPCCR 0xEF34u
#define FPU_FPCAR 0xEF38u
#define FPU_FPDSCR 0xEF3Cu
#define SCB_MVFR0 0xEF40u
#define SCB_MVFR1 0xEF44u
#define SCB_MVFR2 0xEF48u

/* Media and VFP feature registers of an FPv5 FPU (Cortex-M7 TRM 4.1:
 * MVFR0/1/2 for the single and the double precision variants). */
static uint32_t mvfr(const struct sim_core *c, uint32_t off)
{
	if (!c->cfg.fpu)
		return 0;
	switch (off) {
	case SCB_MVFR0: return c->cfg.dp_fpu ? 0x10110221u : 0x10110021u;
	case SCB_MVFR1: return c->cfg.dp_fpu ? 0x12000011u : 0x11000011u;
	default: return 0x00000040u;
	}
}

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

	/* A step in flight is out of Debug state; a transfer in flight is
	 * not ready (sim_core_dbg.c, C1.6.3). */
	if (sim_core_dbg_in_debug_state(c))
		v |= DHCSR_S_HALT;
	if (sim_core_dbg_in_debug_state(c) && c->regrdy && !c->reg_due)
		v |= DHCSR_S_REGRDY;
	if (c->lockup)
		v |= DHCSR_S_LOCKUP;
	if (c->sleeping && !c->halted)
		v |= DHCSR_S_SLEEP;
	if (c->retired)
		v |= DHCSR_S_RETIRE_ST;
	if (c->reset_seen || c->reset_line)
		v |= DHCSR_S_RESET_ST;
	/* S_RETIRE_ST and S_RESET_ST clear on read (C1.6.2). */
	c->retired = false;
	c->reset_seen = false;
	return v;
}

static int scs_read(struct sim_core *c, uint32_t off, uint32_t *v)
{
	switch (off) {
	case SCB_CPUID: *v = c->cfg.cpuid; return 0;
	case SCB_VTOR: *v = c->vtor; return 0;
	case SCB_AIRCR: *v = 0xFA050000u | c->aircr_prigroup; return 0;
	case SCB_SCR: *v = c->scr; return 0;
	case SCB_CCR: *v = c->ccr; return 0;
	case SCB_CFSR: *v = c->cfsr; return 0;
	case SCB_HFSR: *v = c->hfsr; return 0;
	case SCB_DFSR: *v = c->dfsr; return 0;
	case SCB_MMFAR: *v = c->mmfar; return 0;
	case SCB_BFAR: *v = c->bfar; return 0;
	case SCB_CPACR: *v = c->cpacr; return 0;
	case SCB_MVFR0: case SCB_MVFR1: case SCB_MVFR2: *v = mvfr(c, off); return 0;
	case FPU_FPCCR: *v = c->fpccr; return 0;
	case FPU_FPCAR: *v = c->fpcar; return 0;
	case FPU_FPDSCR: *v = c->fpdscr; return 0;
	case DCB_DHCSR: *v = dhcsr_read(c); return 0;
	case DCB_DCRSR: *v = 0; return 0;
	case DCB_DCRDR: *v = c->dcrdr; return 0;
	case DCB_DEMCR: *v = c->demcr; return 0;
	/* NSID [1:0], NSNID [3:2], SID [5:4], SNID [7:6]: 0b11 = implemented
	 * and enabled (ARMv8-M ARM DAUTHSTATUS). */
	case DCB_DAUTHSTATUS: *v = c->cfg.arch == 8 ? (c->cfg.secext ? 0xFFu : 0x0Fu) : 0; return 0;
	/* A PE with the Security Extension leaves reset in Secure state; the
	 * simulated CPU never changes state, so CDS reads 1. */
	case DCB_DSCSR: *v = c->cfg.secext ? DSCSR_CDS | c->dscsr : 0; return 0;
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
		sim_core_dbg_resume(c); /* leaving debug state */
		return;
	}
	/* C_MASKINTS only changes in Debug state (C1.6.2: UNPREDICTABLE
	 * otherwise, here ignored; a step in flight is not Debug state);
	 * sim_nvic.c applies it. */
	if (!sim_core_dbg_in_debug_state(c))
		ctrl = (ctrl & ~DHCSR_C_MASKINTS) | (c->dhcsr_ctrl & DHCSR_C_MASKINTS);
	c->dhcsr_ctrl = ctrl;
	/* Halt and step take effect a core clock cycle later (sim_core_dbg.c):
	 * S_HALT reads 0 until then. A C_HALT written while a step is in
	 * flight leaves it to finish; the core halts after the instruction. */
	if (ctrl & DHCSR_C_HALT) {
		if (!c->reset_line)
			sim_core_dbg_halt_request(c);
		return;
	}
	if (c->halted && (ctrl & DHCSR_C_STEP)) {
		sim_core_dbg_step_request(c);
		return;
	}
	sim_core_dbg_resume(c);
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
			sim_core_dbg_sysresetreq(c); /* a cycle later (sim_core_dbg.c) */
		} else if ((v & 1u) && c->cfg.arch == 7) {
			sim_core_reset(c, SIM_RESET_CORE); /* VECTRESET: ARMv7-M only */
		}
		break;
	case SCB_SCR: c->scr = v & 0x16u; break;
	case SCB_CCR: c->ccr = v; break;
	case SCB_CFSR: c->cfsr &= ~v; break; /* write-one-to-clear */
	case SCB_HFSR: c->hfsr &= ~v; break;
	case SCB_DFSR: c->dfsr &= ~v; break;
	case SCB_MMFAR: c->mmfar = v; break;
	case SCB_BFAR: c->bfar = v; break;
	case SCB_CPACR: c->cpacr = v & 0x00F00000u; break; /* CP10, CP11 */
	case FPU_FPCCR:
		if (c->cfg.fpu)
			c->fpccr = (c->fpccr & 0x1FFu) | (v & 0xC0000000u) | (v & 1u);
		break;
	case FPU_FPCAR: c->fpcar = v & ~7u; break;
	case FPU_FPDSCR: c->fpdscr = v & 0x07C00000u; break;
	case DCB_DHCSR: dhcsr_write(c, v); break;
	case DCB_DCRSR: sim_core_dbg_dcrsr(c, v); break;
	case DCB_DCRDR: c->dcrdr = v; break;
	case DCB_DEMCR: c->demcr = v & DEMCR_WRITABLE; break;
	case DCB_DSCSR:
		/* A CDS change (CDSKEY written 0) would switch the PE's security
		 * state, which the CPU model cannot do: not modelled, ignored. */
		if (c->cfg.secext)
			c->dscsr = v & (DSCSR_SBRSELEN | DSCSR_SBRSEL);
		break;
	default: break;
	}
}

#define ITM_TER 0xE00u
#define ITM_TPR 0xE40u
#define ITM_TCR 0xE80u
#define ITM_LAR 0xFB0u
#define ITM_LSR 0xFB4u
#define ITM_UNLOCK 0xC5ACCE55u

/* ITM (ARMv7-M C1.7): stimulus writes are captured while DEMCR.TRCENA and
 * TCR.ITMENA are set and the port is enabled in TER. On ARMv7-M the
 * control registers are software-locked out of reset (LSR = 3) until the
 * CPU writes the CoreSight key to LAR; debugger accesses ignore the lock.
 * ARMv8-M has no software lock. */
static void itm_write(struct sim_core *c, uint32_t off, unsigned size, uint32_t v, bool cpu)
{
	if (off < 0x80u) {
		unsigned port = off / 4;
		if ((c->demcr & DEMCR_TRCENA) && (c->itm_tcr & 1u) && (c->itm_ter & (1u << port))) {
			for (unsigned i = 0; i < size && c->itm_len < SIM_ITM_BUF; i++)
				c->itm_buf[c->itm_len++] = (uint8_t)(v >> (8 * i));
			/* Instrumentation packet (ARMv7-M ARM D4.2.8): header
			 * port[7:3], 0 (software source), size 01/10/11 for 1/2/4
			 * bytes, then the payload. No room: the packet is lost
			 * [simplified: no overflow packet, FIFOREADY stays 1]. */
			if (c->itm_pkt_len + 1 + size <= SIM_ITM_BUF) {
				c->itm_pkt[c->itm_pkt_len++] = (uint8_t)((port << 3) | (size == 4 ? 3u : size));
				for (unsigned i = 0; i < size; i++)
					c->itm_pkt[c->itm_pkt_len++] = (uint8_t)(v >> (8 * i));
			}
		}
		return;
	}
	if (cpu && off == ITM_LAR && c->cfg.arch == 7) {
		c->itm_locked = v != ITM_UNLOCK;
		return;
	}
	if (size != 4 || (cpu && c->itm_locked))
		return;
	if (off == ITM_TER)
		c->itm_ter = v;
	else if (off == ITM_TPR)
		c->itm_tpr = v & 0xFu;
	else if (off == ITM_TCR)
		c->itm_tcr = v & 0x00FF3F1Fu; /* BUSY and the reserved bits read 0 */
}

static uint32_t itm_read(const struct sim_core *c, uint32_t off, bool cpu)
{
	switch (off) {
	case ITM_TER: return c->itm_ter;
	case ITM_TPR: return c->itm_tpr;
	case ITM_TCR: return c->itm_tcr;
	case ITM_LSR: return cpu && c->cfg.arch == 7 ? (c->itm_locked ? 3u : 1u) : 0u;
	default: return off < 0x80u ? 1u : 0u; /* stimulus: FIFOREADY, never full */
	}
}

static int ppb_read(struct sim_core *c, uint32_t off, unsigned size, uint32_t *val, bool cpu)
{
	uint32_t block = off & ~0xFFFu, lo = off & 0xFFFu;
	const struct sim_cs_id *id = component_id(c, block);
	uint32_t v = 0;

	if (lo >= 0xFBC && id && !sim_cs_id_read(id, lo, &v))
		goto done;
	if (sim_nvic_read(c, off, size, val, cpu)) /* NVIC, SysTick, ICSR, SHPR, SHCSR */
		return 0;
	if (block == FPB_BASE)
		sim_core_fpb_read(c, lo, &v);
	else if (block == DWT_BASE)
		sim_core_dwt_read(c, lo, &v);
	else if (block == ITM_BASE)
		v = itm_read(c, lo, cpu);
	else if (!sim_core_cache_id_read(c, off, &v) && off >= SCS_BASE && off < SCS_BASE + 0x1000u)
		scs_read(c, off, &v);
done:
	/* Sub-word reads: return the addressed bytes (the bus is little-endian). */
	if (size < 4)
		v = (v >> (8 * (off & 3u))) & (size == 1 ? 0xFFu : 0xFFFFu);
	*val = v;
	return 0;
}

static int ppb_write(struct sim_core *c, uint32_t off, unsigned size, uint32_t val, bool cpu)
{
	uint32_t block = off & ~0xFFFu, lo = off & 0xFFFu;

	if (block == ITM_BASE) {
		itm_write(c, lo, size, val, cpu);
		return 0;
	}
	if (sim_nvic_write(c, off, size, val, cpu)) {
		/* A new pending/enable/priority: the budget hook stops before the
		 * next instruction (stopping here would repeat this store). */
		if (cpu)
			c->stop_request = true;
		return 0;
	}
	if (size != 4)
		return 0; /* SCS, FPB, DWT registers are word-accessed */
	if (block == FPB_BASE)
		sim_core_fpb_write(c, lo, val);
	else if (block == DWT_BASE)
		sim_core_dwt_write(c, lo, val);
	else if (sim_core_icache_maint(c, off, val, cpu) || sim_core_cache_id_write(c, off, val))
		return 0;
	else if (off >= SCS_BASE && off < SCS_BASE + 0x1000u)
		scs_write(c, off, val);
	return 0;
}

/* Bus callbacks: the debugger's view through the MEM-AP. */
int sim_core_ppb_read(void *opaque, uint32_t off, unsigned size, uint32_t *val)
{
	return ppb_read(opaque, off, size, val, false);
}

int sim_core_ppb_write(void *opaque, uint32_t off, unsigned size, uint32_t val)
{
	return ppb_write(opaque, off, size, val, false);
}

/* The CPU's view (Unicorn MMIO). */
uint32_t sim_core_ppb_cpu_read(struct sim_core *c, uint32_t off, unsigned size)
{
	uint32_t v = 0;

	ppb_read(c, off, size, &v, true);
	return v;
}

void sim_core_ppb_cpu_write(struct sim_core *c, uint32_t off, unsigned size, uint32_t val)
{
	ppb_write(c, off, size, val, true);
}
