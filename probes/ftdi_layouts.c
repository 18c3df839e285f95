/* FTDI adapter layouts as data. Pin facts come from the adapters' public
 * interface descriptions (OpenOCD 0.12 interface/ftdi/NAME.cfg: vid_pid,
 * layout_init, layout_signal; vendor pages cited there). All use ADBUS0 TCK,
 * ADBUS1 TDI, ADBUS2 TDO. */
#include <string.h>

#include "probes/ftdi.h"
#include "sw/types.h"

static const struct sw_ftdi_layout layouts[] = {
	{
		/* Generic FT232H breakout, SWDIO = TDI via ~470 R + TDO
		 * (interface/ftdi/ft232h-module-swd.cfg, swd-resistor-hack.cfg):
		 * nSRST on ADBUS4 as open drain (OE = direction). */
		.name = "ft232h", .desc = "FT232H module, TDI-resistor-TDO SWDIO, nRST ADBUS4",
		.vid = 0x0403, .pid = 0x6014, .channel = 1,
		.init_data = 0x0030, .init_dir = 0x003b,
		.nsrst = {.data = 0x0010, .oe = 0x0010},
	},
	{
		/* FT2232H/FT4232H mini module, channel A: SWDIO on ADBUS1+2
		 * with a resistor, nRESET on ADBUS4 (minimodule-swd.cfg; the
		 * same pins on channel B). */
		.name = "minimodule", .desc = "FT2232H/FT4232H mini module channel A, resistor SWDIO",
		.vid = 0x0403, .pid = 0x6010, .channel = 1,
		.init_data = 0x0000, .init_dir = 0x000b,
		.nsrst = {.data = 0x0010, .oe = 0x0010},
	},
	{
		.name = "minimodule-b", .desc = "FT2232H mini module channel B, resistor SWDIO",
		.vid = 0x0403, .pid = 0x6010, .channel = 2,
		.init_data = 0x0000, .init_dir = 0x000b,
		.nsrst = {.data = 0x0010, .oe = 0x0010},
	},
	{
		/* Kristech KT-Link (kt-link.cfg): buffered; SWD_EN active low
		 * on ADBUS5 with its buffer enable on ACBUS5, SWDIO_OE active
		 * low on ACBUS4, nSRST ACBUS1 with inverted OE on ACBUS3. */
		.name = "kt-link", .desc = "Kristech KT-Link, buffered SWDIO with OE",
		.vid = 0x0403, .pid = 0xbbe2, .channel = 1,
		.init_data = 0x8c28, .init_dir = 0xff3b,
		.swdio_oe = {.data = 0x1000, .ndata = true},
		.swd_en = {.data = 0x0020, .oe = 0x2000, .ndata = true},
		.nsrst = {.data = 0x0200, .oe = 0x0800, .noe = true},
	},
	{
		/* JTAG-lock-pick Tiny 2 (jtag-lock-pick_tiny_2.cfg): the same
		 * buffer wiring as the KT-Link. */
		.name = "jtag-lock-pick-tiny-2", .desc = "JTAG-lock-pick Tiny 2, buffered SWDIO",
		.vid = 0x0403, .pid = 0x8220, .channel = 1,
		.init_data = 0x8c28, .init_dir = 0xff3b,
		.swdio_oe = {.data = 0x1000, .ndata = true},
		.swd_en = {.data = 0x0020, .oe = 0x2000, .ndata = true},
		.nsrst = {.data = 0x0200, .oe = 0x0800, .noe = true},
	},
	{
		/* Steppenprobe (steppenprobe.cfg): SWD_EN ADBUS5 high, SWDIO_OE
		 * active low on ADBUS6, nSRST through a buffer enabled by ADBUS7. */
		.name = "steppenprobe", .desc = "Steppenprobe, buffered SWDIO",
		.vid = 0x0403, .pid = 0x6010, .channel = 1,
		.init_data = 0x0058, .init_dir = 0x99fb,
		.swdio_oe = {.data = 0x0040, .ndata = true},
		.swd_en = {.data = 0x0020},
		.nsrst = {.oe = 0x0080},
	},
};

const struct sw_ftdi_layout *sw_ftdi_layouts(size_t *n)
{
	*n = SW_ARRAY_LEN(layouts);
	return layouts;
}

const struct sw_ftdi_layout *sw_ftdi_layout_find(const char *name)
{
	for (size_t i = 0; i < SW_ARRAY_LEN(layouts); i++)
		if (!strcmp(layouts[i].name, name))
			return &layouts[i];
	return NULL;
}

void sw_ftdi_signal_apply(const struct sw_ftdi_signal *s, char value, uint16_t *data,
			  uint16_t *dir)
{
	bool d = (value == '1') != s->ndata;
	bool oe = (value != 'z') != s->noe;

	if (value == 'z')
		d = s->ndata; /* data parked at its inactive level */
	*data = d ? (uint16_t)(*data | s->data) : (uint16_t)(*data & ~s->data);
	if (!s->oe)
		return;
	if (s->oe == s->data)
		*dir = oe ? (uint16_t)(*dir | s->oe) : (uint16_t)(*dir & ~s->oe);
	else
		*data = oe ? (uint16_t)(*data | s->oe) : (uint16_t)(*data & ~s->oe);
}
