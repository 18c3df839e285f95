/* JEP106 designer codes that matter for our targets (JEDEC JEP106;
 * encoded as continuation count << 8 | 7-bit identity). */
#include "adi/adi.h"

struct jep {
	uint16_t code;
	const char *name;
};

static const struct jep designers[] = {
	{0x43B, "ARM Ltd"},
	{0x020, "STMicroelectronics"},
	{0x015, "NXP (Philips)"},
	{0x00E, "Freescale (NXP)"},
	{0x244, "Nordic VLSI"},
	{0x01F, "Atmel"},
	{0x017, "Texas Instruments"},
	{0x927, "Raspberry Pi"},
	{0xC75, "Alif Semiconductor"}, /* [unverified code] */
	{0x1D1, "SEGGER"},             /* [unverified code] */
};

const char *sw_jep106_name(uint16_t code)
{
	for (size_t i = 0; i < sizeof(designers) / sizeof(designers[0]); i++)
		if (designers[i].code == code)
			return designers[i].name;
	return "unknown";
}
