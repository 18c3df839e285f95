/* STM32N657 FSBL header (reference/targets.md §2.4): the boot ROM reads a
 * 0x400-byte STM32 header at NOR offset 0 and copies the image behind it
 * to AXISRAM2 (0x34180400). Only the fields the simulated ROM checks are
 * filled: magic "STM2", header version 2.3, image length, entry point
 * [field offsets unverified; no signature and no checksum: a real N6 in
 * closed/secure boot would reject this, in development boot it is ignored]. */
#include <stdint.h>

extern char _fsbl_len[], Reset_Handler[];

struct stm32_header {
	uint8_t magic[4];
	uint8_t signature[96];
	uint32_t checksum, version, length, entry, reserved1, load_addr;
	uint8_t pad[0x400 - 0x7C];
};

_Static_assert(sizeof(struct stm32_header) == 0x400, "STM32 header with padding is 0x400 bytes");

__attribute__((section(".fsbl_header"), used)) static const struct stm32_header demo_fsbl_header = {
	.magic = {'S', 'T', 'M', '2'},
	.version = 0x00020300u,
	.length = (uint32_t)(uintptr_t)_fsbl_len,
	.entry = (uint32_t)(uintptr_t)Reset_Handler,
	.load_addr = 0x34180400u,
};
