/* STM32H743 flash programming driven from the host over the MEM-AP
 * (RM0433 §4.3.9 programming, §4.3.10 erase; reference/targets.md §1.4).
 * Each bank has its own register block; a 256-bit flash word is written as
 * eight 32-bit stores, all queued in one batch per run of data. */
#include "cortexm/core.h"
#include "targets/regs/stm32h7_flash.h"
#include "targets/targets_priv.h"

/* Bounded waits in polls (each poll is one probe round trip, >= ~0.3 ms):
 * 40000 polls outlast the 2 s worst-case sector erase many times over. */
#define H7_ERASE_POLLS 40000
#define H7_PROG_POLLS 4000

static unsigned bank_of(uint32_t addr)
{
	return addr >= H7_FLASH_BANK2 ? 1u : 0u;
}

const char *sw_stm32h7_sr_text(uint32_t sr)
{
	if (sr & (1u << 17))
		return "WRPERR: write-protected sector";
	if (sr & (1u << 18))
		return "PGSERR: programming sequence error (word not erased?)";
	if (sr & (1u << 19))
		return "STRBERR: strobe error";
	if (sr & (1u << 21))
		return "INCERR: incomplete flash word";
	if (sr & (1u << 22))
		return "OPERR: operation error";
	return "ECC or read-protection error";
}

static int unlock(struct sw_core *core, unsigned b)
{
	sw_ap *ap = sw_core_ap(core);
	uint32_t cr = 0;
	int r;

	if ((r = sw_mem_read32(ap, H7_FLASH_CR(b), &cr)))
		return r;
	/* Keys only when locked: re-keying an unlocked bank locks it (§4.5.1). */
	if ((cr & H7_CR_LOCK) && ((r = sw_mem_write32(ap, H7_FLASH_KEYR(b), H7_KEY1)) ||
				  (r = sw_mem_write32(ap, H7_FLASH_KEYR(b), H7_KEY2)) ||
				  (r = sw_mem_read32(ap, H7_FLASH_CR(b), &cr))))
		return r;
	if (cr & H7_CR_LOCK)
		return sw_fail(sw_dap_ctx(sw_ap_dap(ap)), SW_ERR_LOCKED,
			       "flash bank %u stays locked after the key sequence (reset the target)", b + 1);
	return sw_mem_write32(ap, H7_FLASH_CCR(b), H7_SR_CLEAR);
}

static int wait_idle(struct sw_core *core, unsigned b, unsigned polls, uint32_t addr, const char *what)
{
	sw_ap *ap = sw_core_ap(core);
	struct sw_ctx *ctx = sw_dap_ctx(sw_ap_dap(ap));
	uint32_t sr = 0;
	int r;

	for (unsigned i = 0; i < polls; i++) {
		if ((r = sw_mem_read32(ap, H7_FLASH_SR(b), &sr)))
			return r;
		if (!(sr & (H7_SR_BSY | H7_SR_QW | H7_SR_WBNE)))
			break;
	}
	if (sr & (H7_SR_BSY | H7_SR_QW))
		return sw_fail(ctx, SW_ERR_TIMEOUT, "%s 0x%08x: flash still busy (FLASH_SR=0x%08x)", what, addr, sr);
	if (sr & H7_SR_ERRORS) {
		sw_mem_write32(ap, H7_FLASH_CCR(b), H7_SR_CLEAR);
		return sw_fail(ctx, SW_ERR_FLASH, "%s 0x%08x: FLASH_SR=0x%08x (%s)", what, addr, sr, sw_stm32h7_sr_text(sr));
	}
	return SW_OK;
}

static int relock(struct sw_core *core, unsigned b, int r)
{
	int r2 = sw_mem_write32(sw_core_ap(core), H7_FLASH_CR(b), H7_CR_LOCK);

	return r ? r : r2;
}

static int h7_erase(struct sw_core *core, const struct sw_mem_region *rg, uint32_t addr)
{
	unsigned b = bank_of(addr), snb = (addr - rg->base) / rg->sector_size;
	uint32_t cr = H7_CR_SER | H7_CR_PSIZE_X64 | (snb << 8);
	sw_ap *ap = sw_core_ap(core);
	int r;

	if ((r = unlock(core, b)))
		return r;
	if (!(r = sw_mem_write32(ap, H7_FLASH_CR(b), cr)) &&
	    !(r = sw_mem_write32(ap, H7_FLASH_CR(b), cr | H7_CR_START)))
		r = wait_idle(core, b, H7_ERASE_POLLS, addr, "erase");
	return relock(core, b, r);
}

static int h7_program(struct sw_core *core, const struct sw_mem_region *rg, uint32_t addr,
		      const uint8_t *buf, size_t len)
{
	unsigned b = bank_of(addr);
	sw_ap *ap = sw_core_ap(core);
	int r;

	(void)rg;
	if ((r = unlock(core, b)))
		return r;
	if (!(r = sw_mem_write32(ap, H7_FLASH_CR(b), H7_CR_PG | H7_CR_PSIZE_X64)) &&
	    !(r = sw_mem_write(ap, addr, buf, len)))
		r = wait_idle(core, b, H7_PROG_POLLS, addr, "program");
	return relock(core, b, r);
}

const struct sw_flash_ops sw_flash_stm32h7 = {
	.erase_sector = h7_erase,
	.program = h7_program,
	.program_unit = 32,
	.erased_value = 0xFF,
};
