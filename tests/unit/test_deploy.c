/* swdflash deploy/verify/erase against a minimal "other" gdb server (a
 * thread on a loopback socket): acks on (no QStartNoAckMode), a small
 * PacketSize, no monitor commands, flash of 4 sectors x 4 KiB modelled in
 * memory with vFlash staging, qCRC over it, RAM written by X. Checks the
 * delta logic: what is erased and written, and that nothing is when the
 * target already matches. */
#include <netinet/in.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "client/lib/deploy.h"
#include "sw/hex.h"
#include "tests/test.h"

#define FLASH_BASE 0x08000000u
#define SECTOR 0x1000u
#define NSEC 4u
#define RAM_BASE 0x20000000u
#define RAM_SIZE 0x1000u

struct fake {
	int listen_fd, fd;
	unsigned port;
	uint8_t flash[NSEC * SECTOR], ram[RAM_SIZE];
	uint8_t stage[NSEC * SECTOR];
	bool erase_req[NSEC];
	unsigned erases, flash_writes, x_writes, crcs; /* packets seen */
	char pkt[0x800];
};

static int fake_read(struct fake *f)
{
	char c = 0, cs[2];
	int n = 0;

	do
		if (read(f->fd, &c, 1) != 1)
			return -1;
	while (c != '$');
	while (read(f->fd, &c, 1) == 1 && c != '#' && n < (int)sizeof(f->pkt) - 1)
		f->pkt[n++] = c;
	f->pkt[n] = 0;
	if (read(f->fd, cs, 2) != 2 || write(f->fd, "+", 1) != 1)
		return -1;
	return n;
}

static void fake_send(struct fake *f, const char *payload)
{
	uint8_t buf[0x900];
	size_t n = 0;
	char ack;

	buf[n++] = '$';
	uint8_t sum = 0;
	for (const char *p = payload; *p; p++) {
		buf[n++] = (uint8_t)*p;
		sum = (uint8_t)(sum + (uint8_t)*p);
	}
	n += (size_t)snprintf((char *)buf + n, 4, "#%02x", sum);
	if (write(f->fd, buf, n) == (ssize_t)n)
		(void)!read(f->fd, &ack, 1); /* the client's ack */
}

static uint8_t *mem_at(struct fake *f, uint32_t addr, uint32_t len)
{
	if (addr >= FLASH_BASE && addr + len <= FLASH_BASE + sizeof(f->flash))
		return f->flash + (addr - FLASH_BASE);
	if (addr >= RAM_BASE && addr + len <= RAM_BASE + RAM_SIZE)
		return f->ram + (addr - RAM_BASE);
	return NULL;
}

static size_t unescape(const char *in, int n, uint8_t *out)
{
	size_t o = 0;

	for (int i = 0; i < n; i++)
		out[o++] = in[i] == '}' ? (uint8_t)(in[++i] ^ 0x20) : (uint8_t)in[i];
	return o;
}

/* vFlashDone: erase the requested sectors, then program what was staged. */
static void flash_done(struct fake *f)
{
	for (unsigned s = 0; s < NSEC; s++)
		if (f->erase_req[s])
			memcpy(f->flash + s * SECTOR, f->stage + s * SECTOR, SECTOR);
	memset(f->erase_req, 0, sizeof(f->erase_req));
}

static void fake_answer(struct fake *f, int n)
{
	unsigned a = 0, l = 0;
	char reply[64];
	uint8_t data[0x800];
	uint8_t *m;

	if (!strncmp(f->pkt, "qSupported", 10)) {
		fake_send(f, "PacketSize=400");
	} else if (!strncmp(f->pkt, "qXfer:memory-map:read::0,", 25)) {
		fake_send(f, "l<memory-map><memory type=\"flash\" start=\"0x8000000\" length=\"0x4000\">"
			     "<property name=\"blocksize\">0x1000</property></memory>"
			     "<memory type=\"ram\" start=\"0x20000000\" length=\"0x1000\"/></memory-map>");
	} else if (sscanf(f->pkt, "vFlashErase:%x,%x", &a, &l) == 2) {
		f->erases++;
		for (uint32_t s = (a - FLASH_BASE) / SECTOR; s < (a - FLASH_BASE + l) / SECTOR; s++) {
			f->erase_req[s] = true;
			memset(f->stage + s * SECTOR, 0xFF, SECTOR);
		}
		fake_send(f, "OK");
	} else if (sscanf(f->pkt, "vFlashWrite:%x:", &a) == 1) {
		const char *p = strchr(f->pkt + 12, ':') + 1;
		size_t k = unescape(p, n - (int)(p - f->pkt), data);
		f->flash_writes++;
		memcpy(f->stage + (a - FLASH_BASE), data, k);
		fake_send(f, "OK");
	} else if (!strcmp(f->pkt, "vFlashDone")) {
		flash_done(f);
		fake_send(f, "OK");
	} else if (sscanf(f->pkt, "X%x,%x:", &a, &l) == 2 && (m = mem_at(f, a, l))) {
		const char *p = strchr(f->pkt, ':') + 1;
		f->x_writes++;
		fake_send(f, unescape(p, n - (int)(p - f->pkt), m) == l ? "OK" : "E01");
	} else if (sscanf(f->pkt, "qCRC:%x,%x", &a, &l) == 2 && (m = mem_at(f, a, l))) {
		f->crcs++;
		snprintf(reply, sizeof(reply), "C%08x", sw_crc32_gdb(0xFFFFFFFFu, m, l));
		fake_send(f, reply);
	} else {
		fake_send(f, ""); /* qRcmd too: this server has no monitor commands */
	}
}

static void *fake_main(void *arg)
{
	struct fake *f = arg;
	int n;

	/* One connection per job, as swdflash makes. */
	while ((f->fd = accept(f->listen_fd, NULL, NULL)) >= 0) {
		while ((n = fake_read(f)) >= 0)
			fake_answer(f, n);
		close(f->fd);
	}
	return NULL;
}

static int fake_start(struct fake *f, pthread_t *th)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(a);

	memset(f, 0, sizeof(*f));
	memset(f->flash, 0xFF, sizeof(f->flash));
	f->listen_fd = socket(AF_INET, SOCK_STREAM, 0);
	if (f->listen_fd < 0 || bind(f->listen_fd, (struct sockaddr *)&a, sizeof(a)) || listen(f->listen_fd, 1) ||
	    getsockname(f->listen_fd, (struct sockaddr *)&a, &len))
		return -1;
	f->port = ntohs(a.sin_port);
	return pthread_create(th, NULL, fake_main, f);
}

struct run {
	struct sw_ctx ctx;
	struct sw_rsp *c;
	struct sw_memmap mm;
};

static int open_run(struct run *r, struct fake *f)
{
	char *xml = NULL;
	int e;

	sw_ctx_init(&r->ctx);
	r->ctx.level = SW_LOG_NONE;
	if ((e = sw_rsp_connect(&r->ctx, "127.0.0.1", f->port, 5000, &r->c)))
		return e;
	if ((e = sw_rsp_xfer_read(r->c, "memory-map", "", &xml, NULL)) == SW_OK)
		e = sw_memmap_parse(&r->ctx, xml, &r->mm);
	free(xml);
	return e;
}

static void test_delta(void)
{
	struct fake f;
	pthread_t th;
	struct run r;
	struct sw_ctx ctx;
	struct sw_image img = {0};
	struct sw_job_opts jo = {.reset = false};
	struct sw_job_result res;
	uint8_t code[0x2000], ram[0x40];

	for (size_t i = 0; i < sizeof(code); i++)
		code[i] = (uint8_t)(i * 7 + (i >> 8)); /* includes '#', '$', '}', '*' bytes */
	memset(ram, 0x5A, sizeof(ram));
	CHECK(fake_start(&f, &th) == 0);
	sw_ctx_init(&ctx);
	CHECK_OK(sw_image_add(&ctx, &img, FLASH_BASE + 0x800, code, sizeof(code))); /* sectors 0..2 */
	CHECK_OK(sw_image_add(&ctx, &img, RAM_BASE + 0x100, ram, sizeof(ram)));
	CHECK_OK(open_run(&r, &f));
	CHECK_OK(sw_image_check(&r.ctx, &img, &r.mm, "img"));
	CHECK_MSG(sw_deploy(r.c, &img, &r.mm, &jo, &res) == SW_OK, "%s", sw_errmsg(&r.ctx));
	CHECK_EQ_U(res.sectors_touched, 3);
	CHECK_EQ_U(res.sectors_erased, 3);
	CHECK_EQ_U(res.bytes_flash, sizeof(code));
	CHECK_EQ_U(res.bytes_ram, sizeof(ram));
	CHECK(!memcmp(f.flash + 0x800, code, sizeof(code)) && f.flash[0x7ff] == 0xFF);
	CHECK(!memcmp(f.ram + 0x100, ram, sizeof(ram)));
	CHECK(f.flash_writes >= 2); /* PacketSize 0x400 forces several packets */
	sw_rsp_close(r.c);

	/* Same image again: no erase, no flash write. */
	unsigned erases = f.erases, writes = f.flash_writes;
	CHECK_OK(open_run(&r, &f));
	CHECK_OK(sw_deploy(r.c, &img, &r.mm, &jo, &res));
	CHECK_EQ_U(res.sectors_erased, 0);
	CHECK_EQ_U(res.sectors_skipped, 3);
	CHECK(f.erases == erases && f.flash_writes == writes);

	/* One byte changed in sector 2: only that sector goes out. */
	img.seg[0].data[0x1900] ^= 1;
	CHECK_OK(sw_deploy(r.c, &img, &r.mm, &jo, &res));
	CHECK_EQ_U(res.sectors_erased, 1);
	CHECK_EQ_U(res.bytes_flash, 0x800);
	CHECK(f.flash[0x2100] == img.seg[0].data[0x1900]);

	/* The target changes behind our back: verify says so. */
	f.flash[0x900] ^= 0x80;
	CHECK(sw_verify(r.c, &img, &r.mm, &jo, &res) == SW_ERR_FLASH_VERIFY);
	CHECK(strstr(sw_errmsg(&r.ctx), "0x08000800") != NULL);
	CHECK_EQ_U(res.verify_failed, 1);

	/* erase ADDR LEN rounds out to sectors. */
	CHECK_OK(sw_erase(r.c, &r.mm, FLASH_BASE + 0x1800, 0x10, &jo, &res));
	CHECK_EQ_U(res.sectors_erased, 1);
	CHECK(f.flash[0x1000] == 0xFF && f.flash[0x1fff] == 0xFF && f.flash[0x900] != 0xFF);
	sw_rsp_close(r.c);
	sw_image_free(&img);
	shutdown(f.listen_fd, SHUT_RDWR);
	pthread_join(th, NULL);
	close(f.listen_fd);
}

int main(void)
{
	RUN_TEST(test_delta);
	return TEST_MAIN_END();
}
