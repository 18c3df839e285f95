/* Remote probe: the wire format's strict decoder, address parsing, key
 * file checks, and the driver end to end against a probe-server (in a
 * forked child) serving the simulated H743, plain and over TLS-PSK. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "adi/adi.h"
#include "cortexm/core.h"
#include "probes/sim_probe.h"
#include "server/net/addr.h"
#include "server/remote/probe_server.h"
#include "server/remote/proto.h"
#include "server/remote/remote_probe.h"
#include "sim/sim.h"
#include "targets/target.h"
#include "tests/test.h"

static void test_batch_roundtrip(void)
{
	struct sw_ctx ctx;
	struct sw_swd_req in[4] = {{SW_REQ_AP | 0x4, 0, 0x24000000u},
				   {SW_REQ_AP | SW_REQ_READ | 0xC, 0, 0},
				   {SW_REQ_READ | 0xC, 0, 0},
				   {0x8, 0, 0x01000000u}};
	struct sw_swd_req out[4];
	uint8_t buf[64];
	struct sw_rp_wr w = {buf, sizeof(buf), 0, false};
	size_t n = 0;

	sw_ctx_init(&ctx);
	sw_rp_batch_encode(&w, in, 4);
	CHECK(!w.bad);
	CHECK_EQ_U(w.n, 4 + 5 + 1 + 1 + 5); /* reads carry no data */
	CHECK_OK(sw_rp_batch_decode(&ctx, buf, w.n, out, 4, &n));
	CHECK_EQ_U(n, 4);
	for (size_t i = 0; i < 4; i++) {
		CHECK_EQ_U(out[i].req, in[i].req);
		if (!(in[i].req & SW_REQ_READ))
			CHECK_EQ_U(out[i].data, in[i].data);
	}
	/* Trailing byte, truncation, a bad request byte, too small a buffer. */
	CHECK((sw_rp_batch_decode(&ctx, buf, w.n + 1, out, 4, &n)) == SW_ERR_PROTO);
	CHECK((sw_rp_batch_decode(&ctx, buf, w.n - 1, out, 4, &n)) == SW_ERR_PROTO);
	CHECK((sw_rp_batch_decode(&ctx, buf, w.n, out, 3, &n)) == SW_ERR_PROTO);
	buf[4] = 0x40;
	CHECK((sw_rp_batch_decode(&ctx, buf, w.n, out, 4, &n)) == SW_ERR_PROTO);
	CHECK_EQ_U(n, 0);
}

static void test_batch_reply(void)
{
	struct sw_ctx ctx;
	struct sw_swd_req srv[3] = {{SW_REQ_READ, SW_ACK_OK, 0x2ba01477u},
				    {SW_REQ_AP | SW_REQ_READ | 0xC, SW_ACK_FAULT, 0},
				    {SW_REQ_AP | SW_REQ_READ | 0xC, 0, 0}};
	struct sw_swd_req cli[3] = {{SW_REQ_READ, 9, 0}, {SW_REQ_AP | SW_REQ_READ | 0xC, 9, 0},
				    {SW_REQ_AP | SW_REQ_READ | 0xC, 9, 0}};
	uint8_t buf[64];
	struct sw_rp_wr w = {buf, sizeof(buf), 0, false};
	struct sw_rp_rd r;
	uint32_t us = 0;

	sw_ctx_init(&ctx);
	ctx.level = SW_LOG_NONE;
	sw_rp_batch_reply_encode(&w, srv, 3, false, 1234);
	r = (struct sw_rp_rd){buf, w.n, 0, false};
	CHECK_OK(sw_rp_batch_reply_decode(&ctx, &r, cli, 3, &us));
	CHECK_EQ_U(us, 1234);
	CHECK_EQ_U(cli[0].ack, SW_ACK_OK);
	CHECK_EQ_U(cli[0].data, 0x2ba01477u);
	CHECK_EQ_U(cli[1].ack, SW_ACK_FAULT);
	CHECK_EQ_U(cli[2].ack, 0); /* never issued */
	r = (struct sw_rp_rd){buf, w.n - 1, 0, false};
	CHECK((sw_rp_batch_reply_decode(&ctx, &r, cli, 3, &us)) == SW_ERR_PROTO);
}

static void test_header_and_status(void)
{
	struct sw_ctx ctx;
	uint8_t h[SW_RP_HDR], buf[64];
	struct sw_rp_hdr hd;
	struct sw_rp_wr w = {buf, sizeof(buf), 0, false};
	struct sw_rp_rd r;
	char msg[32];

	sw_ctx_init(&ctx);
	sw_rp_hdr_put(h, SW_RP_BATCH, 100);
	CHECK_OK(sw_rp_hdr_get(&ctx, h, &hd));
	CHECK_EQ_U(hd.len, 100);
	sw_rp_hdr_put(h, SW_RP_BATCH, SW_RP_MAX_PAYLOAD + 1);
	CHECK((sw_rp_hdr_get(&ctx, h, &hd)) == SW_ERR_PROTO);
	sw_rp_hdr_put(h, 0x33, 0);
	CHECK((sw_rp_hdr_get(&ctx, h, &hd)) == SW_ERR_PROTO);
	sw_rp_hdr_put(h, SW_RP_HELLO, 0);
	h[2] = 1;
	CHECK((sw_rp_hdr_get(&ctx, h, &hd)) == SW_ERR_PROTO);
	/* Status text: control bytes never reach our log. */
	sw_rp_put_status(&w, SW_ERR_BUSY, "busy\x1b[31m");
	r = (struct sw_rp_rd){buf, w.n, 0, false};
	CHECK((sw_rp_get_status(&r, msg, sizeof(msg))) == SW_ERR_BUSY);
	CHECK(!strcmp(msg, "busy?[31m"));
	/* An out-of-range status from a peer becomes SW_ERR_UNKNOWN. */
	w = (struct sw_rp_wr){buf, sizeof(buf), 0, false};
	sw_rp_put_status(&w, 5, NULL);
	r = (struct sw_rp_rd){buf, w.n, 0, false};
	CHECK((sw_rp_get_status(&r, msg, sizeof(msg))) == SW_ERR_UNKNOWN);
}

static void test_addr(void)
{
	struct sw_ctx ctx;
	struct sw_net_addr a;
	char t[SW_ADDR_TEXT];

	sw_ctx_init(&ctx);
	ctx.level = SW_LOG_NONE;
	CHECK_OK(sw_net_addr_parse(&ctx, "127.0.0.1:2331", 1, &a));
	CHECK(a.has_port && sw_net_addr_port(&a) == 2331 && sw_net_addr_is_loopback(&a));
	CHECK_OK(sw_net_addr_parse(&ctx, "[::1]:2332", 1, &a));
	sw_net_addr_text(&a, t, sizeof(t));
	CHECK(!strcmp(t, "[::1]:2332") && sw_net_addr_is_loopback(&a));
	CHECK_OK(sw_net_addr_parse(&ctx, "::", 2331, &a));
	CHECK(!a.has_port && sw_net_addr_port(&a) == 2331 && sw_net_addr_is_any(&a) && !sw_net_addr_is_loopback(&a));
	CHECK_OK(sw_net_addr_parse(&ctx, "10.0.0.2", 7, &a));
	CHECK(!sw_net_addr_is_loopback(&a) && !sw_net_addr_is_any(&a));
	CHECK((sw_net_addr_parse(&ctx, "127.0.0.1:99999", 1, &a)) == SW_ERR_ARG);
	CHECK((sw_net_addr_parse(&ctx, "[::1", 1, &a)) == SW_ERR_ARG);
	CHECK((sw_net_addr_parse(&ctx, "localhost", 1, &a)) == SW_ERR_ARG); /* numeric only */
	CHECK_OK(sw_net_addr_resolve(&ctx, "localhost:5", 1, &a));
}

static void test_key_file_mode(void)
{
	struct sw_ctx ctx;
	char path[] = "/tmp/sw_test_psk_XXXXXX";
	int fd = mkstemp(path);
	struct sw_tls_creds c = {.psk_file = path};
	struct sw_tls_conf *conf = NULL;

	sw_ctx_init(&ctx);
	ctx.level = SW_LOG_NONE;
	CHECK(fd >= 0);
	CHECK(write(fd, "id:00112233445566778899aabbccddeeff\n", 36) == 36);
	close(fd);
	chmod(path, 0640);
	CHECK((sw_tls_conf_new(&ctx, &c, true, &conf)) == SW_ERR_ARG);
	CHECK(strstr(sw_errmsg(&ctx), "chmod 600") != NULL);
	chmod(path, 0600);
	CHECK_OK(sw_tls_conf_new(&ctx, &c, true, &conf));
	CHECK(conf != NULL);
	sw_tls_conf_free(conf);
	unlink(path);
}

/* Child: a probe-server on 127.0.0.1:ephemeral serving a simulated H743. */
static void serve_child(int wfd, const char *psk, const char *listen)
{
	struct sw_ctx ctx;
	struct sim *sim = NULL;
	struct sw_probe *probe = NULL;
	struct sw_probe_server *ps = NULL;
	struct sw_tls_creds c = {.psk_file = psk};
	struct sw_probe_server_cfg cfg = {0};
	volatile sig_atomic_t stop = 0;
	char text[64];

	sw_ctx_init(&ctx);
	ctx.level = SW_LOG_ERR;
	if (sim_new(&ctx, "stm32h743", &sim) || sw_sim_probe_open(&ctx, sim, SW_SIM_PROBE_TXN, &probe) ||
	    sw_tls_conf_new(&ctx, &c, true, &cfg.tls))
		_exit(2);
	sim_power_on_reset(sim);
	cfg.probe = probe;
	if (sw_probe_server_new(&ctx, &cfg, &ps) || sw_probe_server_listen(ps, listen, text, sizeof(text)))
		_exit(3);
	if (write(wfd, text, sizeof(text)) != (ssize_t)sizeof(text))
		_exit(4);
	sw_probe_server_run(ps, &stop);
	_exit(0);
}

static void remote_session(const char *psk, const char *listen)
{
	struct sw_ctx ctx;
	struct sw_probe *p = NULL;
	struct sw_target *t = NULL;
	struct sw_tls_creds c = {.psk_file = psk};
	struct sw_remote_stats st;
	static uint8_t wr[8192], rd[8192], big[65536];
	char addr[64] = "";
	uint32_t v = 0;
	int pfd[2];
	pid_t pid;

	sw_ctx_init(&ctx);
	ctx.level = SW_LOG_ERR;
	CHECK(pipe(pfd) == 0);
	pid = fork();
	if (pid == 0)
		serve_child(pfd[1], psk, listen);
	CHECK(read(pfd[0], addr, sizeof(addr)) == (ssize_t)sizeof(addr));
	CHECK_OK(sw_remote_probe_open(&ctx, addr, &c, &p));
	if (p)
		CHECK_OK(sw_target_open(&ctx, p, sw_target_find("stm32h743"), 0, &t));
	if (t) {
		sw_ap *ap = sw_core_ap(sw_target_core(t, 0));
		for (size_t i = 0; i < sizeof(wr); i++)
			wr[i] = (uint8_t)(i * 7 + 3);
		CHECK_OK(sw_mem_write(ap, 0x24000001u, wr, sizeof(wr) - 3));
		CHECK_OK(sw_mem_read(ap, 0x24000001u, rd, sizeof(wr) - 3));
		CHECK(!memcmp(wr, rd, sizeof(wr) - 3));
		/* A bus fault travels back as the SWD error, not a dead link. */
		ctx.level = SW_LOG_NONE;
		CHECK(sw_mem_read32(ap, 0xE0100000u, &v) != SW_OK);
		CHECK_OK(sw_mem_read32(ap, 0x24000004u, &v));
		CHECK_OK(sw_remote_probe_stats(p, &st));
		CHECK(st.probe.transactions > 4000);
		{
			/* One batch per LAN round trip, exactly: between two STATS
			 * calls, the client's LAN round trips are the far side's
			 * probe round trips (one per batch) plus the second STATS
			 * call itself. A single word read is one batch. */
			struct sw_remote_stats a, b2;

			CHECK_OK(sw_remote_probe_stats(p, &a));
			CHECK_OK(sw_mem_read32(ap, 0x24000004u, &v));
			CHECK_OK(sw_remote_probe_stats(p, &b2));
			CHECK_EQ_U(b2.lan_round_trips - a.lan_round_trips, 2);
			/* An 8 KiB read (2048 AP reads and 8 TAR writes at the 1 KiB
			 * TAR wrap) fits one BATCH of at most 16384 requests: one
			 * LAN round trip, whatever the far side's probe needs. */
			CHECK_OK(sw_remote_probe_stats(p, &a));
			CHECK_OK(sw_mem_read(ap, 0x24000000u, rd, sizeof(rd)));
			CHECK_OK(sw_remote_probe_stats(p, &b2));
			CHECK_EQ_U(b2.lan_round_trips - a.lan_round_trips, 2);
			/* 64 KiB: 16384 AP reads plus TAR writes overflow one batch: two. */
			CHECK_OK(sw_remote_probe_stats(p, &a));
			CHECK_OK(sw_mem_read(ap, 0x24000000u, big, sizeof(big)));
			CHECK_OK(sw_remote_probe_stats(p, &b2));
			CHECK_EQ_U(b2.lan_round_trips - a.lan_round_trips, 3);
		}
		TEST_INFO("remote %s on %s: %llu LAN round trips, far side %llu probe round trips", psk ? "TLS-PSK" : "plain", addr,
			  (unsigned long long)st.lan_round_trips, (unsigned long long)st.probe.round_trips);
	}
	sw_target_close(t);
	sw_probe_close(p);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	close(pfd[0]);
	close(pfd[1]);
}

static void test_remote_plain(void)
{
	remote_session(NULL, "[::1]:0"); /* IPv6 loopback, plain TCP */
}

static void test_remote_psk(void)
{
	char path[] = "/tmp/sw_test_psk_XXXXXX";
	int fd = mkstemp(path);

	CHECK(fd >= 0);
	CHECK(write(fd, "t:000102030405060708090a0b0c0d0e0f1011\n", 39) == 39);
	close(fd);
	remote_session(path, "127.0.0.1:0");
	unlink(path);
}

int main(void)
{
	RUN_TEST(test_batch_roundtrip);
	RUN_TEST(test_batch_reply);
	RUN_TEST(test_header_and_status);
	RUN_TEST(test_addr);
	RUN_TEST(test_key_file_mode);
	RUN_TEST(test_remote_plain);
	RUN_TEST(test_remote_psk);
	return TEST_MAIN_END();
}
