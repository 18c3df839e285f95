/* Register packets: g, G, p, P (gdb manual "Packets"; registers in the
 * order of target.xml, cortexm/regs.h). */
#include <string.h>

#include "server/gdb/rsp_client_priv.h"
#include "server/gdb/rsp_xml.h"
#include "sw/hex.h"

size_t rsp_put_reg(char *out, uint64_t v, unsigned bits)
{
	uint8_t b[8];

	for (unsigned i = 0; i < bits / 8; i++)
		b[i] = (uint8_t)(v >> (8 * i));
	return sw_hex_encode(b, bits / 8, out);
}

void rsp_cmd_g(struct rsp_client *c)
{
	unsigned regs[SW_REG_COUNT];
	uint64_t v[SW_REG_COUNT];
	size_t n = rsp_core_regs(sw_core_get_info(c->s->core), regs, SW_REG_COUNT);
	char *p = c->reply;

	if (sw_core_regs_read(c->s->core, regs, n, v)) {
		rsp_send_err_reason(c, "g: %s", sw_errmsg(c->s->ctx));
		return;
	}
	for (size_t i = 0; i < n; i++)
		p += rsp_put_reg(p, v[i], sw_reg_table()[regs[i]].bits);
	rsp_send_bin(c, c->reply, (size_t)(p - c->reply));
}

static bool reg_known(struct rsp_client *c, unsigned regno)
{
	unsigned regs[SW_REG_COUNT];
	size_t n = rsp_core_regs(sw_core_get_info(c->s->core), regs, SW_REG_COUNT);

	for (size_t i = 0; i < n; i++)
		if (regs[i] == regno)
			return true;
	return false;
}

static uint64_t get_le(const uint8_t *b, unsigned bytes)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < bytes; i++)
		v |= (uint64_t)b[i] << (8 * i);
	return v;
}

void rsp_cmd_G(struct rsp_client *c, const char *hex)
{
	unsigned regs[SW_REG_COUNT];
	size_t n = rsp_core_regs(sw_core_get_info(c->s->core), regs, SW_REG_COUNT), off = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned bytes = sw_reg_table()[regs[i]].bits / 8;
		uint8_t b[8];
		if (strlen(hex + off) < 2 * bytes || sw_hex_decode(hex + off, bytes, b)) {
			rsp_send_err_reason(c, "G: register data too short or not hex");
			return;
		}
		off += 2 * bytes;
		if (sw_core_reg_write(c->s->core, regs[i], get_le(b, bytes))) {
			rsp_send_err_reason(c, "G: writing %s: %s", sw_reg_table()[regs[i]].name, sw_errmsg(c->s->ctx));
			return;
		}
	}
	rsp_send_str(c, "OK");
}

void rsp_cmd_p(struct rsp_client *c, const char *arg)
{
	uint64_t regno, v;
	const char *end;

	if (sw_hex_u64(arg, &end, &regno) || *end || regno >= SW_REG_COUNT || !reg_known(c, (unsigned)regno)) {
		rsp_send_err_reason(c, "p: no such register");
		return;
	}
	if (sw_core_reg_read(c->s->core, (unsigned)regno, &v)) {
		rsp_send_err_reason(c, "p: reading %s: %s", sw_reg_table()[regno].name, sw_errmsg(c->s->ctx));
		return;
	}
	rsp_send_bin(c, c->reply, rsp_put_reg(c->reply, v, sw_reg_table()[regno].bits));
}

void rsp_cmd_P(struct rsp_client *c, const char *arg)
{
	uint64_t regno;
	const char *p;
	uint8_t b[8];

	if (sw_hex_u64(arg, &p, &regno) || *p != '=' || regno >= SW_REG_COUNT || !reg_known(c, (unsigned)regno)) {
		rsp_send_err_reason(c, "P: no such register");
		return;
	}
	unsigned bytes = sw_reg_table()[regno].bits / 8;
	if (strlen(p + 1) != 2 * bytes || sw_hex_decode(p + 1, bytes, b)) {
		rsp_send_err_reason(c, "P: %s takes %u bytes in hex", sw_reg_table()[regno].name, bytes);
		return;
	}
	if (sw_core_reg_write(c->s->core, (unsigned)regno, get_le(b, bytes))) {
		rsp_send_err_reason(c, "P: writing %s: %s", sw_reg_table()[regno].name, sw_errmsg(c->s->ctx));
		return;
	}
	rsp_send_str(c, "OK");
}
