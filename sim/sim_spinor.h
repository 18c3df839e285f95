/* A serial NOR flash device (the chip behind FlexSPI on the RT1062 and
 * behind XSPI2 on the N657), seen one chip-select transaction at a time:
 * the controller model calls begin (CS low, opcode), addr, dummy, then
 * streams data in or out, then end (CS high). Commands follow the common
 * SPI NOR set (JEDEC ID 9Fh, SFDP 5Ah per JESD216B, RDSR 05h, WREN 06h,
 * WRDI 04h, READ 03h/13h, FAST_READ 0Bh/0Ch and the quad/octal reads, PP
 * 02h/12h/32h, SE 4K 20h/21h, BE 32K 52h/5Ch, BE 64K D8h/DCh, chip erase
 * 60h/C7h). Programming only clears bits, a page program wraps inside its
 * 256-byte page, and program/erase set WIP for the datasheet time
 * (reference/perf.md §3.2 and §6) in the simulator's virtual time; while
 * WIP is set the device ignores everything but RDSR. */
#ifndef SW_SIM_SPINOR_H
#define SW_SIM_SPINOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SIM_SPINOR_SR_WIP 0x01u
#define SIM_SPINOR_SR_WEL 0x02u
#define SIM_SPINOR_PAGE 256u

struct sim_spinor;

struct sim_spinor_cfg {
	uint8_t *mem;               /* backing array (also what XIP reads see) */
	uint32_t size;              /* bytes, a power of two */
	uint8_t jedec_id[3];        /* manufacturer, type, capacity */
	uint64_t (*now_ns)(void *); /* the simulator's virtual clock */
	void *clock;
	bool max_corner;            /* datasheet maxima instead of typical times */
};

/* Operation times in ns for the configured corner (perf.md §6). */
struct sim_spinor_times {
	uint64_t page_program, erase_4k, erase_32k, erase_64k, erase_chip;
};

int sim_spinor_new(const struct sim_spinor_cfg *cfg, struct sim_spinor **out);
void sim_spinor_free(struct sim_spinor *f);
void sim_spinor_set_mem(struct sim_spinor *f, uint8_t *mem);
/* Power-on / reset pin: WEL cleared, any transaction dropped. An operation
 * in progress completes (its data is already changed in this model). */
void sim_spinor_reset(struct sim_spinor *f);
void sim_spinor_get_times(const struct sim_spinor *f, struct sim_spinor_times *t);

/* One transaction. addr_bytes is what the controller shifted (3 or 4);
 * dummy_cycles the clocks it left idle before data. */
void sim_spinor_begin(struct sim_spinor *f, uint8_t opcode);
void sim_spinor_addr(struct sim_spinor *f, uint32_t addr, unsigned addr_bytes);
void sim_spinor_dummy(struct sim_spinor *f, unsigned cycles);
void sim_spinor_read(struct sim_spinor *f, uint8_t *buf, size_t n);
void sim_spinor_write(struct sim_spinor *f, const uint8_t *buf, size_t n);
void sim_spinor_end(struct sim_spinor *f);

/* Status register as RDSR would return it now (tests, controller polls). */
uint8_t sim_spinor_status(const struct sim_spinor *f);
/* The array's content (what a read command would return), no bus time. */
void sim_spinor_peek(const struct sim_spinor *f, uint32_t addr, uint8_t *buf, size_t n);
/* Operations completed so far (program, erase): a knob for tests. */
uint64_t sim_spinor_op_count(const struct sim_spinor *f);

#endif
