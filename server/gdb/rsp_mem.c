/* Memory and flash packets: m, M, X, qCRC, vFlashErase/Write/Done. Every
 * target range goes through rsp_parse_range() (32-bit, no wrap). */
#include <stdio.h>
#include <string.h>

#include "server/gdb/rsp_client_priv.h"
#include "sw/hex.h"

void rsp_cmd_m(struct rsp_client *c, const char *arg)
{
	uint32_t addr, len;
	const char *end, *why = rsp_parse_range(arg, &addr, &len, &end);

	/* m alone answers Exx: gdb 13 reads an "E." reply to m as hex data
	 * ("Invalid hex digit 46"), and Exx is what makes it say "Cannot
	 * access memory at address ..." (remote_read_bytes_1). */
	if (why || *end) {
		SW_LOG_D(c->s->ctx, "m %s: %s", arg, why ? why : "malformed");
		rsp_send_err(c, 1);
		return;
	}
	if (len > MEM_CHUNK)
		len = MEM_CHUNK; /* a short reply is allowed; gdb asks for the rest */
	/* While halted, flash reads go through the read cache (a `stepi`
	 * re-reads the code around the PC many times); never while running. */
	if (c->s->running ? sw_core_mem_read(c->s->core, addr, c->mem, len)
			  : sw_read_cache_read(c->rcache, c->s->core, addr, c->mem, len)) {
		SW_LOG_D(c->s->ctx, "m %08x,%x: %s", addr, len, sw_errmsg(c->s->ctx));
		rsp_send_err(c, 14); /* EFAULT */
		return;
	}
	rsp_send_bin(c, c->reply, sw_hex_encode(c->mem, len, c->reply));
}

static void mem_write(struct rsp_client *c, uint32_t addr, const uint8_t *data, uint32_t len)
{
	if (len && sw_core_mem_write(c->s->core, addr, data, len)) {
		rsp_send_err_reason(c, "memory write at 0x%08x (%u bytes): %s", addr, len, sw_errmsg(c->s->ctx));
		return;
	}
	sw_flash_stage_note_ram_write(c->flash, addr, len);
	rsp_send_str(c, "OK");
}

void rsp_cmd_M(struct rsp_client *c, const char *arg)
{
	uint32_t addr, len;
	const char *p, *why = rsp_parse_range(arg, &addr, &len, &p);

	if (why)
		return rsp_send_err_reason(c, "M: %s", why);
	if (*p != ':' || len > sizeof(c->mem) || strlen(p + 1) != 2 * (size_t)len || sw_hex_decode(p + 1, len, c->mem))
		return rsp_send_err_reason(c, "M: malformed data (want %u bytes in hex)", len);
	mem_write(c, addr, c->mem, len);
}

void rsp_cmd_X(struct rsp_client *c, uint8_t *pkt, size_t pktlen)
{
	uint32_t addr, len;
	const char *p, *why = rsp_parse_range((const char *)pkt + 1, &addr, &len, &p);
	size_t hdr;

	if (why)
		return rsp_send_err_reason(c, "X: %s", why);
	if (*p != ':')
		return rsp_send_err_reason(c, "X: malformed header");
	hdr = (size_t)((const uint8_t *)p + 1 - pkt);
	if (rsp_unescape(pkt + hdr, pktlen - hdr) != len)
		return rsp_send_err_reason(c, "X: %u bytes announced, other amount sent", len);
	mem_write(c, addr, pkt + hdr, len);
}

void rsp_cmd_crc(struct rsp_client *c, const char *arg)
{
	uint32_t addr, len, crc = 0xFFFFFFFFu;
	const char *end, *why = rsp_parse_range(arg, &addr, &len, &end);

	if (why || *end)
		return rsp_send_err_reason(c, "qCRC: %s", why ? why : "malformed ADDR,LENGTH");
	/* Large flash ranges: the loader computes it on the target. */
	int r = sw_flash_stage_crc(c->flash, c->s->core, addr, len, &crc);
	if (r == SW_OK) {
		snprintf(c->reply, sizeof(c->reply), "C%08x", crc);
		rsp_send_str(c, c->reply);
		return;
	}
	if (r != SW_ERR_NOT_SUPPORTED)
		SW_LOG_W(c->s->ctx, "qCRC on the target failed (%s); computing it on the host",
			 sw_errmsg(c->s->ctx));
	crc = 0xFFFFFFFFu;
	for (uint32_t off = 0; off < len;) {
		uint32_t n = len - off > sizeof(c->mem) ? (uint32_t)sizeof(c->mem) : len - off;
		if (sw_core_mem_read(c->s->core, addr + off, c->mem, n))
			return rsp_send_err_reason(c, "qCRC: read at 0x%08x: %s", addr + off, sw_errmsg(c->s->ctx));
		crc = sw_crc32_gdb(crc, c->mem, n);
		off += n;
	}
	snprintf(c->reply, sizeof(c->reply), "C%08x", crc);
	rsp_send_str(c, c->reply);
}

/* The reason goes into the reply (and the log), never to the console: an
 * O packet here would be taken as the reply (issue #14). */
static void flash_failed(struct rsp_client *c, const char *what)
{
	rsp_send_err_reason(c, "%s: %s", what, sw_errmsg(c->s->ctx));
}

void rsp_cmd_vflash(struct rsp_client *c, uint8_t *pkt, size_t len)
{
	const char *s = (const char *)pkt;
	const char *p, *why;
	uint32_t addr, n;
	uint64_t a;

	if (!strncmp(s, "vFlashErase:", 12)) {
		if ((why = rsp_parse_range(s + 12, &addr, &n, &p)) || *p)
			return rsp_send_err_reason(c, "vFlashErase: %s", why ? why : "malformed ADDR,LENGTH");
		if (sw_flash_stage_erase(c->flash, addr, n))
			return flash_failed(c, "vFlashErase");
		rsp_send_str(c, "OK");
	} else if (!strncmp(s, "vFlashWrite:", 12)) {
		if (sw_hex_u64(s + 12, &p, &a) || *p != ':')
			return rsp_send_err_reason(c, "vFlashWrite: malformed address");
		size_t hdr = (size_t)((const uint8_t *)p + 1 - pkt);
		size_t data = rsp_unescape(pkt + hdr, len - hdr);
		if ((why = rsp_check_range(a, data)))
			return rsp_send_err_reason(c, "vFlashWrite: %s", why);
		if (sw_flash_stage_write(c->flash, (uint32_t)a, pkt + hdr, data))
			return flash_failed(c, "vFlashWrite");
		rsp_send_str(c, "OK");
	} else if (!strcmp(s, "vFlashDone")) {
		struct sw_flash_stats fs;
		if (sw_flash_stage_done(c->flash, c->s->core, &fs))
			return flash_failed(c, "flash programming");
		SW_LOG_I(c->s->ctx, "flash: %u sectors programmed (%zu bytes), %u erased, %u unchanged and skipped (%s)",
			 fs.sectors_programmed, fs.bytes_programmed, fs.sectors_erased, fs.sectors_skipped,
			 fs.loader ? "on-target loader" : "host-driven");
		rsp_send_str(c, "OK");
	} else {
		rsp_send_str(c, "");
	}
}
