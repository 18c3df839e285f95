"""Issue #15, items 2 and 3: no peer can hold `swdbridge probe-server`.
- 12 idle TCP connections from another source address (127.0.0.2), each
  renewed the moment the server drops it, and 8 from the client's own
  address renewed when dropped: a legitimate TLS-PSK client still connects
  within 3 s, three times in a row (pending handshakes: 2 s to the first
  ClientHello byte, the oldest evicted, at most 4 per address); SIGTERM
  still ends the probe-server within 1 s.
- A client that sends one byte per second is dropped when its request has
  not arrived whole 10 s after its first byte; meanwhile the loop answers
  another client at once ("probe busy").
- A client that never reads its replies is dropped 10 s after it stopped
  taking them; meanwhile another client is answered at once.
- A TCP peer that never sends HELLO is dropped after 3 s."""
import os
import re
import socket
import struct
import subprocess
import tempfile
import threading
import time

from harness import DEMO, SERVER, check, finish, free_port
from netns_pair import Proc

HELLO = struct.pack("<BBBBI", 1, 0, 0, 0, 8) + struct.pack("<IHH", 0x50525753, 1, 0)
STATS = struct.pack("<BBBBI", 7, 0, 0, 0, 0)
BATCH_HDR = struct.pack("<BBBBI", 2, 0, 0, 0, 64)  # a 64-byte BATCH request, sent a byte a second


def probe_server(port, extra=()):
    ps = Proc([SERVER, "probe-server", "--probe", "sim", "--target", "stm32h743", "--load", DEMO, "--listen",
               f"127.0.0.1:{port}"] + list(extra))
    ps.wait_for(r"exported on")
    return ps


def client_connect_time(port, psk, ps=None):
    """Seconds until a swdbridge client is connected to the probe-server (its
    "client ... connected" log line when ps is given, else until the client
    serves gdb), or None if it never serves gdb."""
    before = len(re.findall(r"client \S+ connected", ps.output)) if ps else 0
    t0 = time.time()
    sv = Proc([SERVER, "--probe", f"remote://127.0.0.1:{port}", "--target", "stm32h743", "--port",
               str(free_port())] + (["--psk-file", psk] if psk else []))
    try:
        dt = None
        while ps and dt is None and time.time() < t0 + 15 and sv.alive():
            if len(re.findall(r"client \S+ connected", ps.output)) > before:
                dt = time.time() - t0
            time.sleep(0.01)
        m = sv.wait_for(r"gdb port", timeout=15)
        if not m:
            return None, sv.output
        return dt if ps else time.time() - t0, sv.output
    finally:
        sv.stop()


def busy_reply_time(port):
    """Seconds until a newcomer gets a reply (busy) from a plain probe-server."""
    t0 = time.time()
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        s.settimeout(5)
        data = s.recv(512)
        s.close()
        return time.time() - t0 if b"probe busy" in data else None
    except OSError:
        return None


def recv_reply(s):
    hdr = b""
    while len(hdr) < 8:
        hdr += s.recv(8 - len(hdr))
    n = struct.unpack("<I", hdr[4:])[0]
    body = b""
    while len(body) < n:
        body += s.recv(n - len(body))
    return hdr, body


def wait_log(ps, pattern, t0, timeout):
    deadline = t0 + timeout
    while time.time() < deadline:
        if re.search(pattern, ps.output):
            return time.time() - t0
        time.sleep(0.05)
    return None


def flood_test(psk, src="127.0.0.2", n_idlers=12, renew_after=0.0):
    port = free_port()
    ps = probe_server(port, ["--psk-file", psk])
    stop = threading.Event()

    def idler():
        while not stop.is_set():
            try:
                s = socket.socket()
                s.bind((src, 0))
                s.connect(("127.0.0.1", port))
                s.settimeout(0.5)
                while not stop.is_set():
                    try:
                        if not s.recv(64):
                            break  # dropped: renew
                    except socket.timeout:
                        continue
                s.close()
                time.sleep(renew_after)
            except OSError:
                time.sleep(0.01)

    threads = [threading.Thread(target=idler, daemon=True) for _ in range(n_idlers)]
    try:
        for t in threads:
            t.start()
        time.sleep(2.5)  # the table is full of idlers, renewed as they are dropped
        times, outs = [], []
        for _ in range(3):
            dt, out = client_connect_time(port, psk, ps)
            times.append(dt)
            outs.append(out[-300:])
        ok = all(t is not None and t < 3.0 for t in times)
        label = f"{n_idlers} idle connections from {src} renewed {'at once' if not renew_after else 'when dropped'}"
        check(f"{label}: a TLS-PSK client connects within 3 s (3 of 3)", ok,
              f"{times}\n{outs}\n{ps.output[-800:]}")
        print("  connect times under the flood: " + ", ".join(f"{t:.2f} s" if t else "failed" for t in times))
        n = len(re.findall(r"rejected " + re.escape(src), ps.output))
        check(f"{label}: the evicted idlers are logged with a rate limit", 0 < n <= 12, f"{n} lines")
        t0 = time.time()
        ps.proc.terminate()
        try:
            ps.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        t_exit = time.time() - t0
        check(f"{label}: SIGTERM ends the probe-server within 1 s", ps.proc.poll() is not None and t_exit < 1.0,
              f"{t_exit:.2f} s")
        print(f"  probe-server SIGTERM to exit under the flood: {t_exit * 1000:.0f} ms")
    finally:
        stop.set()
        ps.stop()


def trickle_test():
    port = free_port()
    ps = probe_server(port)
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        s.sendall(HELLO)
        hdr, _ = recv_reply(s)
        t0 = time.time()
        stop = threading.Event()

        def trickle():
            for b in BATCH_HDR + bytes(64):
                if stop.is_set():
                    return
                try:
                    s.send(bytes([b]))
                except OSError:
                    return
                time.sleep(1.0)

        threading.Thread(target=trickle, daemon=True).start()
        time.sleep(2.5)
        dt = busy_reply_time(port)
        check("during a 1-byte-per-second trickle another client is answered at once", dt is not None and dt < 1.0,
              f"{dt}")
        t_drop = wait_log(ps, r"dropped: a request did not arrive whole within 10 s", t0, 16)
        check("the trickling client is dropped 10 s after its request's first byte",
              t_drop is not None and 9.5 <= t_drop < 12, f"{t_drop}\n{ps.output[-600:]}")
        print(f"  trickle dropped after {t_drop and round(t_drop, 2)} s; busy reply meanwhile in "
              f"{dt and round(dt * 1000)} ms")
        stop.set()
        s.close()
        dt, out = client_connect_time(port, None)
        check("after the drop a client connects", dt is not None, out[-500:])
    finally:
        ps.stop()


def never_read_test():
    port = free_port()
    ps = probe_server(port)
    try:
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        s.connect(("127.0.0.1", port))
        s.sendall(HELLO)
        stop = threading.Event()
        sent = [0.0]

        def flood():
            # STATS requests pipelined, replies never read: the server's
            # queue fills and stops taking requests.
            s.setblocking(False)
            buf = STATS * 4096
            while not stop.is_set():
                try:
                    s.send(buf)
                    sent[0] = time.time()
                except BlockingIOError:
                    time.sleep(0.01)
                except OSError:
                    return

        threading.Thread(target=flood, daemon=True).start()
        time.sleep(2.0)
        dt = busy_reply_time(port)
        check("while a client never reads its replies another client is answered at once",
              dt is not None and dt < 1.0, f"{dt}")
        t_drop = wait_log(ps, r"dropped: it took none of its reply for 10 s", sent[0] or time.time(), 20)
        t_drop_since = None if t_drop is None else time.time() - sent[0]
        check("the never-reading client is dropped about 10 s after it stopped taking replies",
              t_drop is not None and 9.0 <= t_drop_since < 13, f"{t_drop_since}\n{ps.output[-600:]}")
        print(f"  never-reading client dropped {t_drop_since and round(t_drop_since, 2)} s after its last "
              f"accepted request; busy reply meanwhile in {dt and round(dt * 1000)} ms")
        stop.set()
        s.close()
    finally:
        ps.stop()


def no_hello_test():
    port = free_port()
    ps = probe_server(port)
    try:
        t0 = time.time()
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        t_drop = wait_log(ps, r"dropped: no HELLO within 3 s", t0, 8)
        check("a TCP peer that never sends HELLO is dropped after 3 s",
              t_drop is not None and 2.9 <= t_drop < 4.5, f"{t_drop}\n{ps.output[-500:]}")
        print(f"  silent peer dropped after {t_drop and round(t_drop, 2)} s")
        s.close()
    finally:
        ps.stop()


def main():
    with tempfile.TemporaryDirectory() as d:
        psk = os.path.join(d, "psk")
        with open(psk, "w") as f:
            f.write("swdbridge-test:" + os.urandom(32).hex() + "\n")
        os.chmod(psk, 0o600)
        threads = [threading.Thread(target=f) for f in (trickle_test, never_read_test)]
        for t in threads:
            t.start()
        flood_test(psk)
        # The case: 8 idle connections from the client's own address.
        flood_test(psk, "127.0.0.1", 8, 0.5)
        no_hello_test()
        for t in threads:
            t.join()


if __name__ == "__main__":
    main()
    finish()
