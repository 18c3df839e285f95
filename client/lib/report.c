/* JSON lines and the progress bar for swdflash (no I/O here). */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "client/lib/report.h"

#define BAR 30

/* high_as_u: bytes >= 0x7F as \u00XX (raw bytes); else passed through (UTF-8 text). */
static size_t escape(const uint8_t *b, size_t n, bool high_as_u, char *out, size_t cap)
{
	size_t o = 0;

	if (!cap)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char tmp[8];
		size_t k;
		if (b[i] == '"' || b[i] == '\\')
			k = (size_t)snprintf(tmp, sizeof(tmp), "\\%c", b[i]);
		else if (b[i] == '\n')
			k = (size_t)snprintf(tmp, sizeof(tmp), "\\n");
		else if (b[i] < 0x20 || (high_as_u && b[i] >= 0x7F))
			k = (size_t)snprintf(tmp, sizeof(tmp), "\\u%04x", b[i]);
		else
			k = (size_t)snprintf(tmp, sizeof(tmp), "%c", b[i]);
		if (o + k >= cap)
			break;
		memcpy(out + o, tmp, k);
		o += k;
	}
	out[o] = 0;
	return o;
}

size_t sw_json_escape(const char *s, char *out, size_t cap)
{
	return escape((const uint8_t *)s, strlen(s), false, out, cap);
}

size_t sw_json_escape_bytes(const uint8_t *b, size_t n, char *out, size_t cap)
{
	return escape(b, n, true, out, cap);
}

static size_t clamp(int n, size_t cap)
{
	return n < 0 ? 0 : (size_t)n >= cap ? (cap ? cap - 1 : 0) : (size_t)n;
}

static size_t done_json(const struct sw_event *ev, double seconds, char *out, size_t cap)
{
	const struct sw_job_result *r = ev->res;

	if (!r)
		return clamp(snprintf(out, cap, "{\"event\":\"done\",\"ok\":true,\"seconds\":%.3f}", seconds), cap);
	return clamp(snprintf(out, cap,
			      "{\"event\":\"done\",\"ok\":true,\"sectors_touched\":%u,\"sectors_erased\":%u,"
			      "\"sectors_skipped\":%u,\"bytes_flash\":%llu,\"bytes_ram\":%llu,\"seconds\":%.3f}",
			      r->sectors_touched, r->sectors_erased, r->sectors_skipped,
			      (unsigned long long)r->bytes_flash, (unsigned long long)r->bytes_ram, seconds),
		     cap);
}

size_t sw_ev_json(const struct sw_event *ev, const char *command, const char *file, double seconds, char *out,
		  size_t cap)
{
	char f[600];
	int n = 0;

	switch (ev->kind) {
	case SW_EV_START:
		sw_json_escape(file ? file : "", f, sizeof(f));
		n = snprintf(out, cap, "{\"event\":\"start\",\"command\":\"%s\",\"file\":\"%s\",\"bytes\":%llu}",
			     command ? command : "", f, (unsigned long long)ev->total);
		break;
	case SW_EV_ERASE:
		n = snprintf(out, cap, "{\"event\":\"erase\",\"sectors\":%u,\"skipped\":%u}", ev->sectors,
			     ev->skipped);
		break;
	case SW_EV_WRITE:
		n = snprintf(out, cap, "{\"event\":\"write\",\"done\":%llu,\"total\":%llu}",
			     (unsigned long long)ev->done, (unsigned long long)ev->total);
		break;
	case SW_EV_PROGRAM:
		n = snprintf(out, cap, "{\"event\":\"program\",\"phase\":\"%s\"}", ev->done ? "end" : "start");
		break;
	case SW_EV_VERIFY:
		n = snprintf(out, cap,
			     "{\"event\":\"verify\",\"addr\":%u,\"len\":%u,\"ok\":%s,\"crc_image\":\"%08x\","
			     "\"crc_target\":\"%08x\"}",
			     ev->addr, ev->len, ev->ok ? "true" : "false", ev->crc_image, ev->crc_target);
		break;
	case SW_EV_RESET:
		n = snprintf(out, cap, "{\"event\":\"reset\",\"run\":true}");
		break;
	case SW_EV_DONE:
		return done_json(ev, seconds, out, cap);
	}
	return clamp(n, cap);
}

size_t sw_json_error(int exit_code, const char *msg, char *out, size_t cap)
{
	char m[600];

	sw_json_escape(msg, m, sizeof(m));
	return clamp(snprintf(out, cap, "{\"event\":\"error\",\"exit\":%d,\"message\":\"%s\"}", exit_code, m), cap);
}

size_t sw_progress_line(uint64_t done, uint64_t total, double elapsed_s, char *out, size_t cap)
{
	char bar[BAR + 1], eta[24] = "";
	double rate = elapsed_s > 0.05 ? (double)done / elapsed_s : 0.0;
	unsigned fill = total ? (unsigned)(done * BAR / total) : BAR;

	if (fill > BAR)
		fill = BAR;
	memset(bar, '#', fill);
	memset(bar + fill, '-', BAR - fill);
	bar[BAR] = 0;
	if (rate > 0 && done < total)
		snprintf(eta, sizeof(eta), "  ETA %.0fs", (double)(total - done) / rate);
	return clamp(snprintf(out, cap, "[%s] %6llu/%llu KiB  %7.1f KB/s%s", bar,
			      (unsigned long long)(done / 1024), (unsigned long long)((total + 1023) / 1024),
			      rate / 1000.0, eta),
		     cap);
}
