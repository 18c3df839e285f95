/* MIMXRT1062 XIP boot header (reference/targets.md §3.4): the FlexSPI
 * configuration block (FCB) at NOR offset 0, the image vector table (IVT)
 * at 0x1000 and the boot data right after it. The FCB describes a 1-bit
 * SDR serial NOR with the boot ROM's LUT numbering (0 read, 1 status,
 * 3 write enable, 5 sector erase, 9 page program, 11 chip erase); the IVT
 * entry is the vector table at 0x60002000. */
#include <stdint.h>

/* LUT instruction: opcode[15:10], pads[9:8], operand[7:0] (RT1060 RM). */
#define INS(op, pads, arg) ((uint32_t)(((op) << 10) | ((pads) << 8) | (arg)))
#define LUTW(a, b) ((a) | ((b) << 16))
#define CMD 0x01u
#define RADDR 0x02u
#define WRITE 0x08u
#define READ 0x09u
#define DUMMY 0x0Cu

/* The LUT. By default the boot ROM's full set; the read-only variants are
 * what Teensy 4.x, Arduino-style and minimal SDK images ship: sequence 0
 * (the ROM's XIP read) and nothing else, so a debugger must take program
 * and erase commands from the NOR itself (issue #14 item 1).
 * RT_FCB_READ_ONLY=1: quad I/O read EBh (1-4-4, 6 dummy clocks);
 * RT_FCB_READ_ONLY=2: fast read 0Bh (1-1-1, 8 dummy clocks). */
#if defined(RT_FCB_READ_ONLY) && RT_FCB_READ_ONLY == 1
#define FCB_LUT {[0] = LUTW(INS(CMD, 0, 0xEB), INS(RADDR, 2, 24)), [1] = LUTW(INS(DUMMY, 2, 6), INS(READ, 2, 4))}
#define FCB_PADS 4
#elif defined(RT_FCB_READ_ONLY) && RT_FCB_READ_ONLY == 2
#define FCB_LUT {[0] = LUTW(INS(CMD, 0, 0x0B), INS(RADDR, 0, 24)), [1] = LUTW(INS(DUMMY, 0, 8), INS(READ, 0, 4))}
#define FCB_PADS 1
#else
#define FCB_LUT                                                                                                   \
	{                                                                                                          \
		[0] = LUTW(INS(CMD, 0, 0x03), INS(RADDR, 0, 24)), [1] = LUTW(INS(READ, 0, 4), 0),                 \
		[4] = LUTW(INS(CMD, 0, 0x05), INS(READ, 0, 1)), [12] = LUTW(INS(CMD, 0, 0x06), 0),                \
		[20] = LUTW(INS(CMD, 0, 0x20), INS(RADDR, 0, 24)),                                                \
		[36] = LUTW(INS(CMD, 0, 0x02), INS(RADDR, 0, 24)), [37] = LUTW(INS(WRITE, 0, 4), 0),              \
		[44] = LUTW(INS(CMD, 0, 0x60), 0),                                                                 \
	}
#define FCB_PADS 1
#endif

struct fcb {
	uint32_t tag, version, reserved0;
	uint8_t read_sample_clk_src, cs_hold, cs_setup, column_addr_width;
	uint8_t misc[0x44 - 0x10];
	uint8_t device_type, pad_type, serial_clk_freq, lut_custom;
	uint32_t reserved1[2];
	uint32_t a1_size, a2_size, b1_size, b2_size;
	uint8_t rest[0x80 - 0x60];
	uint32_t lut[64];
	uint8_t custom[0x1C0 - 0x180];
	uint32_t page_size, sector_size;
	uint8_t ipcmd_clk, uniform_block, reserved2[2];
	uint32_t serial_nor_type, block_size;
	uint8_t tail[0x200 - 0x1D4];
};

_Static_assert(sizeof(struct fcb) == 512, "FCB is 512 bytes");

__attribute__((section(".boot_hdr.fcb"), used)) static const struct fcb demo_fcb = {
	.tag = 0x42464346u,     /* "FCFB" */
	.version = 0x56010400u, /* 'V' 1.4.0 */
	.read_sample_clk_src = 0,
	.cs_hold = 3,
	.cs_setup = 3,
	.device_type = 1, /* serial NOR */
	.pad_type = FCB_PADS,
	.serial_clk_freq = 1,
	.a1_size = 8u << 20,
	.lut = FCB_LUT,
	.page_size = 256,
	.sector_size = 4096,
	.block_size = 65536,
};

struct ivt {
	uint32_t header, entry, reserved1, dcd, boot_data, self, csf, reserved2;
};

struct boot_data {
	uint32_t start, size, plugin, placeholder;
};

__attribute__((section(".boot_hdr.ivt"), used)) static const struct ivt demo_ivt = {
	.header = 0x402000D1u, /* tag 0xD1, length 0x0020 big-endian, version 0x40 */
	.entry = 0x60002000u,  /* the vector table (.isr_vector) */
	.boot_data = 0x60001020u,
	.self = 0x60001000u,
};

__attribute__((section(".boot_hdr.boot_data"), used)) static const struct boot_data demo_boot_data = {
	.start = 0x60000000u,
	.size = 8u << 20,
};
