/* The packets swdflash sends: qRcmd, m, X, qCRC, vFlashErase/Write/Done,
 * qXfer reads (GDB manual "Packets", "General Query Packets",
 * "Host I/O"-free subset: everything here is standard RSP). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/lib/rsp_conn_priv.h"
#include "sw/hex.h"

#define HDR_MAX 32 /* "vFlashWrite:xxxxxxxx:" / "Xxxxxxxxx,xxxxxxxx:" */

size_t sw_rsp_write_max(const struct sw_rsp *c)
{
	/* Worst case every byte is escaped into two; round down to 4 bytes. */
	return ((c->packet_size - HDR_MAX) / 2) & ~(size_t)3;
}

/* Last non-empty line of the console text, without the "swdbridge: " tag. */
static void last_line(const char *text, char *out, size_t cap)
{
	const char *end = text + strlen(text), *start;

	while (end > text && (end[-1] == '\n' || end[-1] == '\r' || end[-1] == ' '))
		end--;
	start = end;
	while (start > text && start[-1] != '\n')
		start--;
	snprintf(out, cap, "%.*s", (int)(end - start), start);
}

/* After an error reply: was the server's probe lost? Said in the reply or
 * its console text, or else (a bare "Enn") asked with `monitor probe`:
 * swdbridge answers "probe NAME: lost; WHAT HAPPENS NEXT", other servers
 * never say "lost", so nothing changes for them. On true, *hint tells what
 * happens next. */
static bool probe_lost(struct sw_rsp *c, const char *reply, char *hint, size_t cap)
{
	static const char cmd[] = "qRcmd,70726f6265"; /* "probe" */
	bool said = strstr(reply, "probe lost") || strstr(c->console, "probe lost");
	const char *r2, *at;

	if (!said && reply[0] != 'E')
		return false;
	if (!sw_rsp_transact(c, (const uint8_t *)cmd, sizeof(cmd) - 1, &r2, NULL) &&
	    (at = strstr(c->console, ": lost; "))) {
		snprintf(hint, cap, "%.*s", (int)strcspn(at + 8, "\n"), at + 8);
		return true;
	}
	snprintf(hint, cap, "type 'monitor probe reconnect' once it is back");
	return said;
}

int rsp_fail_reply(struct sw_rsp *c, int err, const char *what, const char *reply)
{
	char line[256], hint[160], saved[256];

	snprintf(saved, sizeof(saved), "%s", reply); /* probe_lost() reuses the reply buffer */
	/* "E.reason" (GDB manual "Standard Replies") carries the server's own
	 * words; else the last line of its console output, if any. */
	if (saved[0] == 'E' && saved[1] == '.' && saved[2])
		snprintf(line, sizeof(line), "%s", saved + 2);
	else
		last_line(c->console, line, sizeof(line));
	if (probe_lost(c, saved, hint, sizeof(hint)))
		return sw_fail(c->ctx, SW_ERR_IO, "%s failed: the server lost the probe (unplugged, powered off?); %s%s",
			       what, hint, strstr(hint, "next connection") ? ", so run the command again then" : "");
	reply = saved;
	/* Servers tag their lines ("swdbridge: flash programming: ..."); keep
	 * one copy of the context, not two. */
	const char *msg = line, *colon = strchr(line, ':');
	if (colon && colon[1] == ' ' && !memchr(line, ' ', (size_t)(colon - line)))
		msg = colon + 2;
	if (msg[0] && !strncmp(msg, what, strlen(what)))
		return sw_fail(c->ctx, err, "%s", msg);
	if (msg[0])
		return sw_fail(c->ctx, err, "%s: %s", what, msg);
	if (!reply[0])
		return sw_fail(c->ctx, SW_ERR_NOT_SUPPORTED, "%s: not supported by the server", what);
	return sw_fail(c->ctx, err, "%s: server replied %.16s", what, reply);
}

int sw_rsp_cmd_ok(struct sw_rsp *c, const char *cmd, int err, const char *what)
{
	const char *reply;
	int r;

	if ((r = sw_rsp_transact(c, (const uint8_t *)cmd, strlen(cmd), &reply, NULL)))
		return r;
	if (strcmp(reply, "OK") != 0)
		return rsp_fail_reply(c, err, what, reply);
	return SW_OK;
}

int sw_rsp_monitor(struct sw_rsp *c, const char *cmd)
{
	size_t n = strlen(cmd);
	char *pkt, what[80];
	int r;

	if (6 + 2 * n + 1 > c->packet_size)
		return sw_fail(c->ctx, SW_ERR_ARG, "monitor command too long");
	if (!(pkt = malloc(6 + 2 * n + 1)))
		return sw_fail(c->ctx, SW_ERR_NOMEM, "out of memory");
	memcpy(pkt, "qRcmd,", 6);
	sw_hex_encode((const uint8_t *)cmd, n, pkt + 6);
	pkt[6 + 2 * n] = 0;
	snprintf(what, sizeof(what), "monitor %.60s", cmd);
	r = sw_rsp_cmd_ok(c, pkt, SW_ERR_TARGET_STATE, what);
	free(pkt);
	return r;
}

int sw_rsp_read_mem(struct sw_rsp *c, uint32_t addr, uint8_t *buf, size_t len)
{
	size_t max = (c->packet_size - 8) / 2;

	while (len) {
		char cmd[32];
		const char *reply;
		size_t rlen, n = len < max ? len : max;
		int r;
		snprintf(cmd, sizeof(cmd), "m%x,%zx", addr, n);
		if ((r = sw_rsp_transact(c, (const uint8_t *)cmd, strlen(cmd), &reply, &rlen)))
			return r;
		/* A shorter reply is allowed; ask again for the rest. */
		if (rlen < 2 || rlen % 2 || rlen / 2 > n || sw_hex_decode(reply, rlen / 2, buf))
			return rsp_fail_reply(c, SW_ERR_MEM_FAULT, "memory read", reply);
		n = rlen / 2;
		addr += (uint32_t)n;
		buf += n;
		len -= n;
	}
	return SW_OK;
}

/* X / vFlashWrite: header, then the escaped binary data. */
static int write_bin(struct sw_rsp *c, const char *hdr, const uint8_t *buf, size_t len, int err,
		     const char *what)
{
	size_t h = strlen(hdr), n;
	const char *reply;
	int r;

	memcpy(c->scratch, hdr, h);
	n = sw_rsp_escape(buf, len, c->scratch + h, c->packet_size - h);
	if (len && !n)
		return sw_fail(c->ctx, SW_ERR_ARG, "%s: %zu bytes do not fit in one packet", what, len);
	if ((r = sw_rsp_transact(c, c->scratch, h + n, &reply, NULL)))
		return r;
	if (strcmp(reply, "OK") != 0)
		return rsp_fail_reply(c, err, what, reply);
	return SW_OK;
}

int sw_rsp_write_mem(struct sw_rsp *c, uint32_t addr, const uint8_t *buf, size_t len)
{
	size_t max = sw_rsp_write_max(c);
	char hdr[HDR_MAX];
	int r;

	while (len) {
		size_t n = len < max ? len : max;
		snprintf(hdr, sizeof(hdr), "X%x,%zx:", addr, n);
		if ((r = write_bin(c, hdr, buf, n, SW_ERR_MEM_FAULT, "memory write")))
			return r;
		addr += (uint32_t)n;
		buf += n;
		len -= n;
	}
	return SW_OK;
}

int sw_rsp_crc(struct sw_rsp *c, uint32_t addr, uint32_t len, uint32_t *crc)
{
	char cmd[40];
	const char *reply;
	char *end;
	int r;

	snprintf(cmd, sizeof(cmd), "qCRC:%x,%x", addr, len);
	if ((r = sw_rsp_transact(c, (const uint8_t *)cmd, strlen(cmd), &reply, NULL)))
		return r;
	if (reply[0] != 'C' || strlen(reply) < 2)
		return rsp_fail_reply(c, SW_ERR_MEM_FAULT, "qCRC", reply);
	unsigned long v = strtoul(reply + 1, &end, 16);
	if (*end || v > 0xFFFFFFFFul)
		return rsp_fail_reply(c, SW_ERR_PROTO, "qCRC", reply);
	*crc = (uint32_t)v;
	return SW_OK;
}

int sw_rsp_flash_erase(struct sw_rsp *c, uint32_t addr, uint32_t len)
{
	char cmd[40];

	snprintf(cmd, sizeof(cmd), "vFlashErase:%x,%x", addr, len);
	return sw_rsp_cmd_ok(c, cmd, SW_ERR_FLASH, "flash erase");
}

int sw_rsp_flash_write(struct sw_rsp *c, uint32_t addr, const uint8_t *buf, size_t len)
{
	char hdr[HDR_MAX];

	snprintf(hdr, sizeof(hdr), "vFlashWrite:%x:", addr);
	return write_bin(c, hdr, buf, len, SW_ERR_FLASH, "flash write");
}

int sw_rsp_flash_done(struct sw_rsp *c)
{
	return sw_rsp_cmd_ok(c, "vFlashDone", SW_ERR_FLASH, "flash programming");
}

/* Undo '}' escapes (qXfer replies are binary data). */
static size_t unescape(uint8_t *b, size_t n)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++)
		b[o++] = b[i] == '}' && i + 1 < n ? b[++i] ^ 0x20 : b[i];
	return o;
}

int sw_rsp_xfer_read(struct sw_rsp *c, const char *object, const char *annex, char **out, size_t *len)
{
	size_t have = 0, chunk = c->packet_size - 8;
	char *buf = NULL, cmd[160];
	int r = SW_OK;

	*out = NULL;
	for (;;) {
		const char *reply;
		size_t rlen;
		snprintf(cmd, sizeof(cmd), "qXfer:%s:read:%s:%zx,%zx", object, annex, have, chunk);
		if ((r = sw_rsp_transact(c, (const uint8_t *)cmd, strlen(cmd), &reply, &rlen)))
			break;
		if (reply[0] != 'm' && reply[0] != 'l') {
			r = rsp_fail_reply(c, SW_ERR_NOT_SUPPORTED, object, reply);
			break;
		}
		size_t n = unescape((uint8_t *)c->pkt + 1, rlen - 1);
		char *nb = realloc(buf, have + n + 1);
		if (!nb) {
			r = sw_fail(c->ctx, SW_ERR_NOMEM, "out of memory");
			break;
		}
		buf = nb;
		memcpy(buf + have, c->pkt + 1, n);
		have += n;
		buf[have] = 0;
		if (reply[0] == 'l' || n == 0)
			break;
	}
	if (r) {
		free(buf);
		return r;
	}
	*out = buf;
	if (len)
		*len = have;
	return SW_OK;
}
