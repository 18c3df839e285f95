"""Issue #15, items 1 and 5: no gdb peer can freeze the server. A gdb
connection that never reads and sends NAK storms (each NAK asks for the last
128 KiB reply again) must not block the loop: a further gdb is refused at
once, RTT keeps streaming, SIGTERM ends the server within 1 s, and the
reader-less peer is dropped with one log line once it has taken nothing for
5 s. A burst of refused connections is answered quickly and logged with a
rate limit."""
import fcntl
import re
import signal
import socket
import struct
import termios
import threading
import time

from harness import Server, check, finish, free_port
from rsp_client import frame


class Reader:
    """Collects what arrives on an RTT port in the background."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        self.data = b""
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self):
        while True:
            try:
                chunk = self.sock.recv(65536)
            except OSError:
                return
            if not chunk:
                return
            self.data += chunk

    def text(self):
        return self.data.decode(errors="replace")

    def wait_for(self, pred, timeout=10):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if pred(self.text()):
                return True
            time.sleep(0.05)
        return False

    def close(self):
        self.sock.close()


def ticks(text):
    return re.findall(r"rtt: tick (\d+)\n", text)


def wait_port_line(srv, ch, timeout=10):
    deadline = time.time() + timeout
    while time.time() < deadline:
        m = re.search(rf"RTT channel {ch}: port 127\.0\.0\.1:(\d+)", srv.output)
        if m:
            return int(m.group(1))
        time.sleep(0.05)
    return None


def storm(sock, stop):
    """One large read, then NAK storms; never reads a byte."""
    try:
        sock.sendall(frame(b"m20000000,10000"))  # 64 KiB read: a 128 KiB reply
        while not stop.is_set():
            sock.send(b"-" * 400)
            time.sleep(0.01)
    except OSError:
        pass  # the server dropped us: what the test wants


def reply_arrived(sock, timeout=15):
    """Wait until the server's reply to the storm's read has started to
    arrive (bytes in our receive queue): from then on the server has no
    work of its own to finish, so the timings below measure the loop, not
    how long a loaded machine takes to simulate a 64 KiB read."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        if struct.unpack("i", fcntl.ioctl(sock.fileno(), termios.FIONREAD, b"\0\0\0\0"))[0] > 0:
            return True
        time.sleep(0.02)
    return False


def refused_within(port, timeout):
    """Connect as a second gdb; seconds until the E.port... refusal, or None."""
    t0 = time.time()
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        s.settimeout(timeout)
        data = b""
        while b"#" not in data:
            chunk = s.recv(256)
            if not chunk:
                break
            data += chunk
        s.close()
        return time.time() - t0 if b"another gdb is already connected" in data else None
    except OSError:
        return None


def main():
    base = free_port()
    srv = Server(extra=["--rtt", "--rtt-port", str(base)])
    try:
        rtt_port = wait_port_line(srv, 0)
        rd = Reader(rtt_port) if rtt_port else None
        check("RTT streams before the storm", rd is not None and rd.wait_for(lambda t: len(ticks(t)) >= 3),
              srv.output[-500:])
        # A burst of 200 further gdb connects while a gdb and a passive gdb
        # (liveWatch, issue #17) hold the port: all answered at once
        # (backlog, accept loop), few log lines.
        holder = socket.create_connection(("127.0.0.1", srv.port))
        passive = socket.create_connection(("127.0.0.1", srv.port))
        time.sleep(0.2)
        t0 = time.time()
        socks = []
        for _ in range(200):
            s = socket.socket()
            s.setblocking(False)
            s.connect_ex(("127.0.0.1", srv.port))
            socks.append(s)
        answered = 0
        for s in socks:
            s.setblocking(True)
            s.settimeout(max(0.1, t0 + 3 - time.time()))
            try:
                if b"another gdb" in s.recv(256):
                    answered += 1
            except OSError:
                pass
            s.close()
        t_burst = time.time() - t0
        check("a burst of 200 connects is refused within 1 s (no SYN retry)",
              answered == 200 and t_burst < 1.0, f"{answered} answered in {t_burst:.2f}s")
        print(f"  200 refused connects answered in {t_burst * 1000:.0f} ms")
        refused_lines = srv.output.count("refused a further gdb connection")
        check("refused connections are logged with a rate limit", 1 <= refused_lines <= 6,
              f"{refused_lines} lines")
        holder.close()
        passive.close()
        time.sleep(0.2)

        peer = socket.socket()
        peer.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        peer.connect(("127.0.0.1", srv.port))
        stop = threading.Event()
        th = threading.Thread(target=storm, args=(peer, stop), daemon=True)
        th.start()
        check("the storm's read is answered", reply_arrived(peer))
        passive = socket.create_connection(("127.0.0.1", srv.port))  # the passive slot
        t_storm = time.time()  # the server queued the rest of its reply about now
        time.sleep(1.0)  # the reply fills the socket; NAKs keep coming

        dt = refused_within(srv.port, 3)
        check("a further gdb (beside the passive one) is refused promptly while a reader-less peer NAK-storms",
              dt is not None and dt < 1.0, f"refusal after {dt}")
        if dt is not None:
            print(f"  second gdb refused in {dt * 1000:.0f} ms")

        n0 = len(ticks(rd.text())) if rd else 0
        time.sleep(1.0)
        n1 = len(ticks(rd.text())) if rd else 0
        check("RTT keeps streaming during the storm", n1 > n0 + 2, f"{n0} -> {n1} lines in 1 s")

        # The peer took nothing for 5 s: dropped, one line.
        deadline = t_storm + 10
        while time.time() < deadline and "dropped the gdb connection" not in srv.output:
            time.sleep(0.05)
        t_drop = time.time() - t_storm
        check("the reader-less peer is dropped at its 5 s deadline, with one log line",
              srv.output.count("dropped the gdb connection") == 1 and 4.8 <= t_drop < 7.5,
              f"after {t_drop:.1f}s: {srv.output[-600:]}")
        print(f"  reader-less gdb dropped {t_drop:.2f} s after its reply began to arrive")
        stop.set()
        peer.close()
        passive.close()

        # Storm again, then SIGTERM in the middle of it.
        peer = socket.socket()
        peer.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        peer.connect(("127.0.0.1", srv.port))
        stop = threading.Event()
        threading.Thread(target=storm, args=(peer, stop), daemon=True).start()
        reply_arrived(peer)
        time.sleep(1.0)

        t0 = time.time()
        srv.proc.send_signal(signal.SIGTERM)
        try:
            srv.proc.wait(timeout=3)
        except Exception:
            pass
        t_exit = time.time() - t0
        check("SIGTERM ends the server within 1 s during a NAK storm",
              srv.proc.poll() is not None and t_exit < 1.0, f"{t_exit:.2f}s")
        print(f"  SIGTERM to exit: {t_exit * 1000:.0f} ms")
        stop.set()
        peer.close()
        if rd:
            rd.close()
    finally:
        srv.stop()


if __name__ == "__main__":
    main()
    finish()
