"""Issue #8: listeners and the remote probe. gdb in one network namespace
debugs the simulated H743 exported by `swdbridge probe-server` in another,
over TLS-PSK and mutual TLS; bad peers (wrong PSK, untrusted certificate,
plaintext, garbage after the handshake) are rejected with a log line and
the server survives; a non-loopback listen without credentials refuses to
start; --listen on the veth address prints a command that works from the
other namespace; IPv6 loopback listening. Namespace parts need root."""
import os
import re
import shlex
import socket
import ssl
import subprocess
import sys
import tempfile
import time

from harness import DEMO, GDB, SERVER, Server, check, finish, free_port
from netns_pair import NetnsPair, Proc, make_creds

GDB_STEPS = ["info registers pc", "break compute", "continue", "bt", "print demo_state.name",
             "set var demo_int = 77", "print demo_int", "x/4xw 0x24000000", "stepi", "monitor probe", "detach"]


def gdb_cmd(target, steps):
    args = [GDB, "-nx", "-batch", "-ex", "set pagination off", "-ex", "set confirm off",
            "-ex", f"target extended-remote {target}"]
    for s in steps:
        args += ["-ex", s]
    return args + [DEMO]


def check_gdb_suite(label, out):
    check(f"{label}: break/continue", re.search(r"Breakpoint 1, compute \(x=", out) is not None, out[-1500:])
    check(f"{label}: backtrace, globals, memory", "demo_step" in out and '"openmv' in out and "= 77" in out
          and re.search(r"0x24000000 <demo_buffer>:\s+0x", out) is not None, out[-1500:])
    check(f"{label}: stepi and probe statistics", "probe remote:" in out, out[-800:])


def loopback_tests(c):
    p = subprocess.run([SERVER, "probe-server", "--probe", "sim", "--target", "stm32h743", "--listen", "0.0.0.0:0"],
                       capture_output=True, text=True, timeout=20)
    check("probe-server refuses a non-loopback listen without credentials",
          p.returncode != 0 and "refusing to listen on 0.0.0.0:0 without credentials" in p.stderr, p.stderr)
    loose = c["psk"] + ".loose"
    with open(c["psk"]) as f, open(loose, "w") as g:
        g.write(f.read())
    os.chmod(loose, 0o644)
    p = subprocess.run([SERVER, "probe-server", "--probe", "sim", "--target", "stm32h743", "--psk-file", loose],
                       capture_output=True, text=True, timeout=20)
    check("a key file readable by others is refused with the reason", p.returncode != 0 and
          "mode 0644" in p.stderr and "chmod 600" in p.stderr, p.stderr)
    with Server(extra=["--listen", "[::1]"]) as srv:
        check("IPv6 loopback listen prints [::1]:PORT", f"gdb port [::1]:{srv.port}" in srv.output, srv.output)
        out = subprocess.run(gdb_cmd(f"[::1]:{srv.port}", ["info registers pc", "detach"]), capture_output=True,
                             text=True, timeout=60)
        check("gdb connects over IPv6 loopback", re.search(r"pc\s+0x", out.stdout) is not None,
              (out.stdout + out.stderr)[-800:])
    # Plain TCP remote probe on loopback, and the busy message for a second client.
    port = free_port()
    ps = Proc([SERVER, "probe-server", "--probe", "sim", "--target", "stm32h743", "--load", DEMO, "--listen",
               f"127.0.0.1:{port}"])
    try:
        check("loopback probe-server starts without credentials", ps.wait_for(r"exported on 127\.0\.0\.1") is not None,
              ps.output)
        with Server(load=None, extra=["--probe", f"remote://127.0.0.1:{port}"]) as srv:
            p = subprocess.run([SERVER, "--probe", f"remote://127.0.0.1:{port}", "--target", "stm32h743", "--port",
                                str(free_port())], capture_output=True, text=True, timeout=20)
            check("a second client gets 'probe busy (held by ADDR since T)'",
                  re.search(r"probe busy \(held by 127\.0\.0\.1:\d+ since 20\d\d-", p.stderr) is not None,
                  p.stderr[-500:])
            out = subprocess.run(gdb_cmd(srv.target(), ["print demo_int", "detach"]), capture_output=True,
                                 text=True, timeout=60).stdout
            check("the first client still works after the refusal", "$1 =" in out, out[-500:])
    finally:
        ps.stop()
        show_log(ps)


def rate_limit_test(c):
    """Eight plaintext peers in a burst: each rejected, at most five log lines."""
    port = free_port()
    ps = Proc([SERVER, "probe-server", "--probe", "sim", "--target", "stm32h743", "--listen", f"127.0.0.1:{port}",
               "--psk-file", c["psk"]])
    try:
        ps.wait_for(r"exported on")
        for _ in range(8):
            s = socket.create_connection(("127.0.0.1", port), timeout=5)
            s.sendall(b"GET / HTTP/1.0\r\n\r\n")
            try:
                s.recv(100)
            except OSError:
                pass
            s.close()
        time.sleep(0.5)
        n = len(re.findall(r"rejected 127\.0\.0\.1:\d+: TLS handshake", ps.output))
        check("failed handshakes are logged with the peer address, rate-limited (5 of 8 in a burst)",
              n == 5 and ps.alive(), ps.output[-1200:])
    finally:
        ps.stop()


def start_ps(net, extra):
    ps = Proc([SERVER, "probe-server", "--probe", "sim", "--target", "stm32h743", "--load", DEMO, "--listen",
               f"{net.ip_b}:2340"] + extra, ns=net.b)
    m = ps.wait_for(r"connect: (swdbridge --probe remote://\S+.*)")
    return ps, m


def client_session(net, label, creds):
    port = free_port()
    sv = Proc([SERVER, "--probe", f"remote://{net.ip_b}:2340", "--target", "stm32h743", "--port", str(port)] + creds,
              ns=net.a)
    try:
        if not check(f"{label}: swdbridge in A connects to the probe-server in B",
                     sv.wait_for(r"gdb port") is not None, sv.output[-800:]):
            return
        out = net.run(net.a, gdb_cmd(f"127.0.0.1:{port}", GDB_STEPS), timeout=120)
        check_gdb_suite(label, out.stdout + out.stderr)
    finally:
        sv.stop()


def rejected(ps, pattern, count):
    """True once `pattern` occurs `count` times in the server log and the server still runs."""
    deadline = time.time() + 15
    while time.time() < deadline and len(re.findall(pattern, ps.output)) < count:
        time.sleep(0.05)
    return len(re.findall(pattern, ps.output)) >= count and ps.alive()


def show_log(ps):
    for line in ps.output.splitlines():
        if "rejected" in line or "dropped" in line or "refused" in line:
            print("INFO: " + line)


def psk_tests(net, c):
    ps, m = start_ps(net, ["--psk-file", c["psk"]])
    try:
        check("TLS-PSK probe-server prints the client command", m is not None and "--psk-file" in m.group(1),
              ps.output)
        client_session(net, "TLS-PSK", ["--psk-file", c["psk"]])
        rej = rf"rejected {re.escape(net.ip_a)}:\d+: TLS handshake"
        p = net.run(net.a, [SERVER, "--probe", f"remote://{net.ip_b}:2340", "--psk-file", c["badpsk"], "--target",
                            "stm32h743", "--port", "0"], timeout=30)
        check("wrong PSK: the client fails", p.returncode != 0 and "TLS handshake" in p.stderr, p.stderr[-400:])
        check("wrong PSK: the server logs the peer and survives",
              rejected(ps, rej, 1), ps.output[-800:])
        plain = net.run(net.a, [sys.executable, "-c", PLAIN_CLIENT, net.ip_b], timeout=30)
        check("plaintext client: rejected with a log line, no crash",
              rejected(ps, rej, 2), (plain.stdout, ps.output[-800:]))
        key = open(c["psk"]).read().strip().split(":")[1]
        g = net.run(net.a, ["sh", "-c", f"(sleep 1; head -c 300 /dev/urandom; sleep 1) | openssl s_client -quiet "
                            f"-connect {net.ip_b}:2340 -tls1_2 -psk_identity swdbridge-test -psk {key} "
                            "-cipher ECDHE-PSK-CHACHA20-POLY1305"], timeout=30)
        check("garbage after a PSK handshake: dropped with a log line, no crash",
              rejected(ps, rf"client {re.escape(net.ip_a)}:\d+ dropped: ", 1), (g.stderr[-300:], ps.output[-800:]))
        client_session(net, "TLS-PSK after the rejections", ["--psk-file", c["psk"]])
    finally:
        ps.stop()
        show_log(ps)


PLAIN_CLIENT = """
import socket, sys
s = socket.create_connection((sys.argv[1], 2340), timeout=5)
s.sendall(b"\\x01\\x00\\x00\\x00\\x08\\x00\\x00\\x00SWRP\\x01\\x00\\x00\\x00")
try:
    print(s.recv(100))
except Exception as e:
    print(e)
"""

GARBAGE_TLS_CLIENT = """
import socket, ssl, sys
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.check_hostname = False
ctx.load_verify_locations(sys.argv[2])
ctx.load_cert_chain(sys.argv[3], sys.argv[4])
s = ctx.wrap_socket(socket.create_connection((sys.argv[1], 2340), timeout=5))
print("handshake", s.version())
s.sendall(b"\\xde\\xad\\xbe\\xef" * 64)
try:
    print(s.recv(100))
except Exception as e:
    print(e)
"""


def mtls_tests(net, c):
    ps, m = start_ps(net, ["--cert", c["server.crt"], "--key", c["server.key"], "--ca", c["ca.crt"]])
    try:
        check("mutual-TLS probe-server starts", m is not None, ps.output)
        mine = ["--cert", c["client.crt"], "--key", c["client.key"], "--ca", c["ca.crt"]]
        client_session(net, "mutual TLS", mine)
        p = net.run(net.a, [SERVER, "--probe", f"remote://{net.ip_b}:2340", "--cert", c["intruder.crt"], "--key",
                            c["intruder.key"], "--ca", c["ca.crt"], "--target", "stm32h743", "--port", "0"], timeout=30)
        check("untrusted client certificate: the client fails", p.returncode != 0, p.stderr[-400:])
        check("untrusted client certificate: logged with the peer, no crash",
              rejected(ps, rf"rejected {re.escape(net.ip_a)}:\d+: TLS handshake", 1), ps.output[-800:])
        g = net.run(net.a, [sys.executable, "-c", GARBAGE_TLS_CLIENT, net.ip_b, c["ca.crt"], c["client.crt"],
                            c["client.key"]], timeout=30)
        check("garbage after a mutual-TLS handshake: dropped with a log line, no crash",
              "handshake TLSv1.2" in g.stdout and
              rejected(ps, rf"client {re.escape(net.ip_a)}:\d+ dropped: ", 1), (g.stdout, g.stderr[-300:], ps.output[-800:]))
        client_session(net, "mutual TLS after the rejections", mine)
    finally:
        ps.stop()
        show_log(ps)


def veth_listen_test(net):
    port = free_port()
    sv = Proc([SERVER, "--probe", "sim", "--target", "stm32h743", "--load", DEMO, "--listen", f"{net.ip_b}:{port}"],
              ns=net.b)
    try:
        m = sv.wait_for(r'connect: (gdb-multiarch -ex "target extended-remote [^"]+" FIRMWARE\.elf)')
        if not check("--listen on the veth address prints the gdb command", m is not None, sv.output):
            return
        check("the hints name WSL2's localhost forwarding (no Windows build) and a Cortex-Debug gdbTarget",
              f"from Windows, when this runs in WSL2: localhost:{port}" in sv.output and "NAT mode" not in sv.output and
              f'"gdbTarget": "{net.ip_b}:{port}"' in sv.output, sv.output)
        cmd = shlex.split(m.group(1))
        cmd = [GDB, "-nx", "-batch"] + cmd[1:-1] + ["-ex", "info registers pc", "-ex", "detach", DEMO]
        out = net.run(net.a, cmd, timeout=60)
        check("gdb in the other namespace connects with the printed command",
              re.search(r"pc\s+0x", out.stdout) is not None, (out.stdout + out.stderr)[-800:])
        p2 = net.run(net.a, [sys.executable, "-c",
                             "import socket,sys,time; a=socket.create_connection((sys.argv[1],int(sys.argv[2])));"
                             "p=socket.create_connection((sys.argv[1],int(sys.argv[2])));"
                             "b=socket.create_connection((sys.argv[1],int(sys.argv[2])),timeout=5);"
                             "print(b.recv(200))", net.ip_b, str(port)], timeout=30)
        # The second is the passive (liveWatch) connection, issue #17.
        check("a third gdb on the core port gets a clear error, not a hung socket",
              "another gdb is already connected" in p2.stdout, (p2.stdout, p2.stderr[-300:]))
    finally:
        sv.stop()


def jlink_client():
    """In the client namespace of scripts/netns-vjlink: a J-Link (the virtual
    one) behind the probe-server, used through remote://."""
    port = free_port()
    ps = Proc([SERVER, "probe-server", "--probe", "jlink:260101", "--listen", f"127.0.0.1:{port}"])
    try:
        if not check("probe-server exports a J-Link", ps.wait_for(r"jlink:260101 probe exported") is not None,
                     ps.output[-600:]):
            return
        with Server(load=None, extra=["--probe", f"remote://127.0.0.1:{port}"]) as srv:
            out = subprocess.run(gdb_cmd(srv.target(), ["break compute", "continue", "print demo_int",
                                                        "monitor probe", "detach"]),
                                 capture_output=True, text=True, timeout=120)
            out = out.stdout + out.stderr
            check("gdb over remote:// to a J-Link behind the probe-server",
                  "Breakpoint 1, compute" in out and "probe remote:" in out, out[-1200:])
    finally:
        ps.stop()


def jlink_test():
    vj = [os.path.join(os.path.dirname(SERVER), "vjlink"), "--target", "stm32h743", "--serial", "260101", "--ip",
          "@VJLINK_IP@", "--load", DEMO]
    script = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "scripts",
                          "netns-vjlink")
    p = subprocess.run([script] + vj + ["--", sys.executable, os.path.abspath(__file__), "--jlink-client"],
                       capture_output=True, text=True, timeout=300)
    sys.stdout.write("\n".join(l for l in p.stdout.splitlines() if l.startswith(("PASS:", "FAIL:", "INFO:"))) + "\n")
    if "PASS:" not in p.stdout or p.returncode not in (0, 1):
        check("remote J-Link test ran", False, (p.returncode, p.stdout[-600:], p.stderr[-600:]))
    elif p.returncode:
        check("remote J-Link client", False, "see FAIL lines above")


def main():
    with tempfile.TemporaryDirectory() as d:
        c = make_creds(d)
        loopback_tests(c)
        rate_limit_test(c)
        if os.geteuid() != 0:
            print("SKIP: test_remote_probe namespace parts: need root for network namespaces")
            return
        with NetnsPair() as net:
            psk_tests(net, c)
            mtls_tests(net, c)
            veth_listen_test(net)
        jlink_test()


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--jlink-client":
        try:
            jlink_client()
        except Exception as e:
            check("remote J-Link client", False, repr(e))
        finish()
    try:
        main()
    except Exception as e:
        check("remote probe tests ran", False, repr(e))
    finish()
