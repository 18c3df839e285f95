"""Issue #7: RTT from the demo firmware on the simulated STM32H743 to TCP
ports 19021+N (here a free base port): the running demo's lines arrive, the
down channel is echoed, output keeps coming while gdb stops and steps the
core, and the control block is found again after `monitor reset run`."""
import re
import socket
import threading
import time

from harness import Server, check, finish, free_port, gdb_batch


class Reader:
    """Collects what arrives on an RTT port, with arrival times."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        self.data = b""
        self.events = []  # (time, len(data) after the chunk)
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        self.sock.settimeout(0.2)
        while True:
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout:
                continue
            except OSError:
                return
            if not chunk:
                return
            with self.lock:
                self.data += chunk
                self.events.append((time.time(), len(self.data)))

    def text(self):
        with self.lock:
            return self.data.decode(errors="replace")

    def arrival(self, needle):
        """Wall time at which `needle` had fully arrived, or None."""
        with self.lock:
            at = self.data.find(needle.encode())
            if at < 0:
                return None
            end = at + len(needle)
            for t, n in self.events:
                if n >= end:
                    return t
        return None

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
    return [int(x) for x in re.findall(r"rtt: tick (\d+)\n", text)]


def wait_port_line(srv, ch, timeout=10):
    deadline = time.time() + timeout
    while time.time() < deadline:
        m = re.search(rf"RTT channel {ch}: port 127\.0\.0\.1:(\d+)", srv.output)
        if m:
            return int(m.group(1))
        time.sleep(0.05)
    return None


def main():
    base = free_port()
    with Server(extra=["--rtt", "--rtt-port", str(base)]) as srv:
        port = wait_port_line(srv, 0)
        check("RTT control block found from the ELF symbol, channel ports announced",
              port == base and wait_port_line(srv, 1) == base + 1 and "(elf)" in srv.output, srv.output)
        if port is None:
            return
        rd = Reader(port)
        ok = rd.wait_for(lambda t: len(ticks(t)) >= 3)
        time.sleep(0.5)
        # What the ring held before we connected may have gaps (SKIP mode
        # drops lines while nobody reads); from then on nothing is lost.
        tk = ticks(rd.text())
        tail = tk[-20:]
        check("lines printed by the running demo arrive on the RTT port, in order, none lost",
              ok and len(tk) > 20 and tail == list(range(tail[0], tail[0] + len(tail))), rd.text()[-300:])

        rd.sock.sendall(b"echo-me-4711\n")
        check("text sent to down channel 0 is echoed back by the firmware",
              rd.wait_for(lambda t: "echo-me-4711\n" in t), rd.text()[-300:])

        # Stop in demo_rtt_line, step over the RTT write, and wait while halted:
        # the line must arrive while the core stays stopped.
        t0 = time.time()
        out = gdb_batch(srv, [
            "break demo_rtt_line",
            "continue",
            "print n",
            "next", "next", "next",
            "shell sleep 1.5",
            "print 12345",
            "continue",
            "print n",
            "stepi", "stepi", "stepi",
            "finish",
            "shell sleep 1.0",
            "delete",
            "detach",
        ])
        t_end = time.time()
        ns = [int(x) for x in re.findall(r"^\$\d+ = (\d+)$", out, re.M) if x != "12345"]
        first = ns[0] if ns else -1
        arrived = rd.arrival(f"rtt: tick {first}\n")
        check("output arrives while gdb holds the core halted after `next` over the RTT write",
              len(ns) >= 2 and arrived is not None and t0 < arrived < t_end - 1.5,
              f"n={ns} arrived={arrived and arrived - t0} gdb took {t_end - t0:.2f}s\n{out[-1500:]}")
        second = rd.arrival(f"rtt: tick {ns[1] if len(ns) > 1 else -1}\n")
        check("output keeps flowing across continue / stepi / finish",
              second is not None and second < t_end - 0.5, f"{ns} {second}")

        before = ticks(rd.text())
        out = gdb_batch(srv, ["monitor reset run", "shell sleep 1", "monitor rtt status", "detach"])
        ok = rd.wait_for(lambda t: 1 in ticks(t)[len(before):], 10)
        check("after `monitor reset run` the control block is found again and lines restart at 1",
              ok and re.search(r"found [2-9] time|re-initialised [1-9] time", out) is not None, out[-800:] + rd.text()[-200:])
        rd.sock.sendall(b"after-reset\n")
        check("down channel works after the re-discovery",
              rd.wait_for(lambda t: "after-reset\n" in t), rd.text()[-200:])

        out = gdb_batch(srv, ["monitor rtt stop", "monitor rtt status", "monitor rtt start", "detach"])
        check("monitor rtt stop / status / start", "RTT: stopped" in out and "control block at 0x" in out, out[-800:])
        rd.close()
    # monitor rtt address, without --rtt (started from gdb).
    base = free_port()
    with Server(extra=["--rtt-port", str(base)]) as srv:
        out = gdb_batch(srv, ["monitor rtt status", "monitor rtt address _SEGGER_RTT", "detach"])
        check("without --rtt nothing runs until `monitor rtt address SYMBOL` starts it",
              "RTT: stopped" in out and "(user)" in out and wait_port_line(srv, 0) == base, out[-800:])


main()
finish()
