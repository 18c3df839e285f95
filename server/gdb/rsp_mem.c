/* Memory and flash packets: m, M, X, qCRC, vFlashErase/Write/Done. */
#include <stdio.h>
#include <string.h>

#include "server/gdb/rsp_client_priv.h"
#include "sw/hex.h"

void rsp_cmd_m(struct rsp_client *c, const char *arg)
{
	uint64_t addr, len;
	const char *end;

	if (rsp_parse_addr_len(arg, &addr, &len, &end) || *end || addr > 0xFFFFFFFFu) {
		rsp_send_err(c, 1);
		return;
	}
	if (len > MEM_CHUNK)
		len = MEM_CHUNK; /* a short reply is allowed; gdb asks for the rest */
	if (addr + len > 0x100000000ull)
		len = 0x100000000ull - addr;
	/* While halted, flash reads go through the read cache (a `stepi`
	 * re-reads the code around the PC many times); never while running. */
	if (c->s->running ? sw_core_mem_read(c->s->core, (uint32_t)addr, c->mem, len)
			  : sw_read_cache_read(c->rcache, c->s->core, (uint32_t)addr, c->mem, len)) {
		SW_LOG_D(c->s->ctx, "m %08llx,%llx: %s", (unsigned long long)addr, (unsigned long long)len,
			 sw_errmsg(c->s->ctx));
		rsp_send_err(c, 14); /* EFAULT */
		return;
	}
	rsp_send_bin(c, c->reply, sw_hex_encode(c->mem, len, c->reply));
}

void rsp_cmd_M(struct rsp_client *c, const char *arg)
{
	uint64_t addr, len;
	const char *p;

	if (rsp_parse_addr_len(arg, &addr, &len, &p) || *p != ':' || len > sizeof(c->mem) ||
	    strlen(p + 1) != 2 * len || sw_hex_decode(p + 1, len, c->mem)) {
		rsp_send_err(c, 1);
		return;
	}
	if (len && sw_core_mem_write(c->s->core, (uint32_t)addr, c->mem, len)) {
		rsp_send_err(c, 14);
		return;
	}
	sw_flash_stage_note_ram_write(c->flash, (uint32_t)addr, len);
	rsp_send_str(c, "OK");
}

void rsp_cmd_X(struct rsp_client *c, uint8_t *pkt, size_t pktlen)
{
	uint64_t addr, len;
	const char *p;
	size_t hdr, n;

	if (rsp_parse_addr_len((const char *)pkt + 1, &addr, &len, &p) || *p != ':') {
		rsp_send_err(c, 1);
		return;
	}
	hdr = (size_t)((const uint8_t *)p + 1 - pkt);
	n = rsp_unescape(pkt + hdr, pktlen - hdr);
	if (n != len) {
		rsp_send_err(c, 1);
		return;
	}
	if (len && sw_core_mem_write(c->s->core, (uint32_t)addr, pkt + hdr, len)) {
		rsp_send_err(c, 14);
		return;
	}
	sw_flash_stage_note_ram_write(c->flash, (uint32_t)addr, len);
	rsp_send_str(c, "OK");
}

void rsp_cmd_crc(struct rsp_client *c, const char *arg)
{
	uint64_t addr, len;
	uint32_t crc = 0xFFFFFFFFu;

	if (rsp_parse_addr_len(arg, &addr, &len, NULL) || addr + len > 0x100000000ull) {
		rsp_send_err(c, 1);
		return;
	}
	/* Large flash ranges: the loader computes it on the target. */
	int r = sw_flash_stage_crc(c->flash, c->s->core, (uint32_t)addr, (uint32_t)len, &crc);
	if (r == SW_OK) {
		snprintf(c->reply, sizeof(c->reply), "C%08x", crc);
		rsp_send_str(c, c->reply);
		return;
	}
	if (r != SW_ERR_NOT_SUPPORTED)
		SW_LOG_W(c->s->ctx, "qCRC on the target failed (%s); computing it on the host",
			 sw_errmsg(c->s->ctx));
	crc = 0xFFFFFFFFu;
	for (uint64_t off = 0; off < len;) {
		size_t n = len - off > sizeof(c->mem) ? sizeof(c->mem) : (size_t)(len - off);
		if (sw_core_mem_read(c->s->core, (uint32_t)(addr + off), c->mem, n)) {
			rsp_send_err(c, 14);
			return;
		}
		crc = sw_crc32_gdb(crc, c->mem, n);
		off += n;
	}
	snprintf(c->reply, sizeof(c->reply), "C%08x", crc);
	rsp_send_str(c, c->reply);
}

static void flash_failed(struct rsp_client *c, const char *what)
{
	SW_LOG_E(c->s->ctx, "%s: %s", what, sw_errmsg(c->s->ctx));
	sw_session_say(c->s, "swdbridge: %s: %s", what, sw_errmsg(c->s->ctx));
	rsp_flush_console(c);
	rsp_send_str(c, "E01");
}

void rsp_cmd_vflash(struct rsp_client *c, uint8_t *pkt, size_t len)
{
	const char *s = (const char *)pkt;
	uint64_t addr, n;
	const char *p;

	if (!strncmp(s, "vFlashErase:", 12)) {
		if (rsp_parse_addr_len(s + 12, &addr, &n, &p) || *p || addr + n > 0x100000000ull) {
			rsp_send_err(c, 1);
			return;
		}
		if (sw_flash_stage_erase(c->flash, (uint32_t)addr, (uint32_t)n))
			return flash_failed(c, "vFlashErase");
		rsp_send_str(c, "OK");
	} else if (!strncmp(s, "vFlashWrite:", 12)) {
		if (sw_hex_u64(s + 12, &p, &addr) || *p != ':' || addr > 0xFFFFFFFFu) {
			rsp_send_err(c, 1);
			return;
		}
		size_t hdr = (size_t)((const uint8_t *)p + 1 - pkt);
		n = rsp_unescape(pkt + hdr, len - hdr);
		if (sw_flash_stage_write(c->flash, (uint32_t)addr, pkt + hdr, n))
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
