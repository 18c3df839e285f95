/* AE3 MRAM programming through the core's MEM-AP (reference/targets.md §4.4).
 * MRAM needs no erase; its writes are whole aligned 128-bit units, which
 * sequential 32-bit MEM-AP writes of 16-byte multiples are (four stores per
 * unit, as Alif's FLM does). "Erase" is emulated the way Alif's Zephyr
 * driver does it, by programming the erased value 0x00, so that flash
 * staging can clear units the new image leaves blank. Only the application
 * area is ever written: the SE/Alif area (ATOC, SE firmware) is refused. */
#include "targets/ae3.h"
#include "targets/targets_priv.h"

static int check_range(struct sw_core *core, uint32_t addr, size_t len)
{
	struct sw_ctx *ctx = sw_dap_ctx(sw_ap_dap(sw_core_ap(core)));
	uint64_t end = (uint64_t)addr + len;

	if (addr < AE3_MRAM_APP_BASE || end > (uint64_t)AE3_MRAM_APP_BASE + AE3_MRAM_APP_SIZE)
		return sw_fail(ctx, SW_ERR_ARG,
			       "ae3: MRAM write 0x%08x..0x%08llx refused: outside the application area "
			       "0x%08x..0x%08x (the area above belongs to the Secure Enclave)",
			       addr, (unsigned long long)end - 1, AE3_MRAM_APP_BASE,
			       AE3_MRAM_APP_BASE + AE3_MRAM_APP_SIZE - 1);
	if ((addr | len) & (AE3_MRAM_UNIT - 1))
		return sw_fail(ctx, SW_ERR_ARG,
			       "ae3: MRAM write 0x%08x+%zu is not whole 16-byte units", addr, len);
	return SW_OK;
}

static int mram_program(struct sw_core *core, const struct sw_mem_region *r, uint32_t addr,
			const uint8_t *buf, size_t len)
{
	int rc;

	(void)r;
	if ((rc = check_range(core, addr, len)))
		return rc;
	return sw_core_mem_write(core, addr, buf, len);
}

static int mram_erase_sector(struct sw_core *core, const struct sw_mem_region *r, uint32_t addr)
{
	static const uint8_t zeros[AE3_MRAM_SECTOR];
	int rc;

	if ((rc = check_range(core, addr, r->sector_size)))
		return rc;
	return sw_core_mem_write(core, addr, zeros, r->sector_size < sizeof(zeros) ? r->sector_size
										     : sizeof(zeros));
}

static int mram_writable(struct sw_core *core, const struct sw_mem_region *r, uint32_t addr, size_t len)
{
	(void)r;
	return check_range(core, addr, len);
}

const struct sw_flash_ops sw_flash_ae3_mram = {
	.writable = mram_writable,
	.erase_sector = mram_erase_sector,
	.program = mram_program,
	.program_unit = AE3_MRAM_UNIT,
	.erased_value = 0x00,
};
