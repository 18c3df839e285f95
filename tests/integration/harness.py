"""Shared helpers for the integration tests: start swdbridge on a free
loopback port, drive gdb-multiarch (batch CLI or MI), report PASS/FAIL lines
that scripts/run-tests counts."""
import os
import re
import select
import signal
import socket
import subprocess
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.path.join(ROOT, "build")
# SW_TEST_SERVER: run the server through a wrapper (make valgrind).
SERVER = os.environ.get("SW_TEST_SERVER", os.path.join(BUILD, "swdbridge"))
DEMO = os.path.join(BUILD, "fw", "demo-h743.elf")
GDB = "gdb-multiarch"
# Which probe path Server() uses (issue #10: the gdb suite runs over each):
# sim (in-process), ftdi (swdbridge-mpsse: the FTDI driver on the MPSSE
# interpreter), jlink (libjaylink over TCP to a vjlink of its own per
# Server, in the namespace VJLINK_NS made by scripts/netns-vjlink).
PROBE = os.environ.get("SW_TEST_PROBE", "sim")
VJLINK_SERIAL = "260101"

failures = 0


def check(name, ok, detail=""):
    global failures
    name = probe_label() + name
    if ok:
        print(f"PASS: {name}")
    else:
        failures += 1
        print(f"FAIL: {name}: {detail}")
    sys.stdout.flush()
    return ok


def finish():
    sys.exit(1 if failures else 0)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def nm(symbol, elf=DEMO):
    out = subprocess.run(["arm-none-eabi-nm", elf], capture_output=True, text=True).stdout
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[2] == symbol:
            return int(parts[0], 16) & ~1
    raise KeyError(symbol)


def probe_label():
    """Prefix for check names when the suite runs over another probe."""
    return "" if PROBE == "sim" else PROBE + ": "


class VJLink:
    """A vjlink serving a fresh simulated chip in the namespace VJLINK_NS."""

    def __init__(self, target="stm32h743", load=DEMO, serial=VJLINK_SERIAL):
        self.ns, self.ip = os.environ["VJLINK_NS"], os.environ["VJLINK_IP"]
        self.args = ["ip", "netns", "exec", self.ns, os.path.join(BUILD, "vjlink"), "--target", target,
                     "--serial", serial, "--ip", self.ip] + (["--load", load] if load else [])
        self.proc = None
        self.start()

    def listening(self):
        out = subprocess.run(["ip", "netns", "exec", self.ns, "ss", "-Hltn", "sport = :19020"],
                             capture_output=True, text=True).stdout
        return bool(out.strip())

    def start(self):
        self.proc = subprocess.Popen(self.args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 5
        while time.time() < deadline and not self.listening():
            if self.proc.poll() is not None:
                raise RuntimeError("vjlink exited early")
            time.sleep(0.02)

    def kill(self):
        """Unplug: the probe vanishes without a goodbye."""
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        deadline = time.time() + 5
        while time.time() < deadline and self.listening():
            time.sleep(0.02)


class Server:
    """swdbridge on 127.0.0.1:<free port>, over the probe path PROBE."""

    def __init__(self, target="stm32h743", load=DEMO, extra=(), server=SERVER, env=None):
        self.port = free_port()
        self.vjlink = None
        probe_given = "--probe" in extra
        if PROBE == "sim" or probe_given:
            args = [server, "--probe", "sim", "--target", target, "--port", str(self.port)]
            if load:
                args += ["--load", load]
        elif PROBE == "ftdi":
            server = os.path.join(BUILD, "swdbridge-mpsse")
            env = dict(env or {}, SW_MPSSE_CHIP=target, **({"SW_MPSSE_LOAD": load} if load else {}))
            args = [server, "--probe", "ftdi", "--ftdi-layout", "ft232h", "--target", target, "--port", str(self.port)]
            if load:
                args += ["--elf", load]
        elif PROBE == "jlink":
            self.vjlink = VJLink(target, load)
            args = [server, "--probe", f"jlink:{VJLINK_SERIAL}", "--target", target, "--port", str(self.port)]
            if load:
                args += ["--elf", load]
        else:
            raise ValueError(f"SW_TEST_PROBE={PROBE}: sim, ftdi or jlink")
        args += list(extra)
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace",
                                     env=dict(os.environ, **(env or {})))
        self.lines = []
        # Collect output in the background; "gdb port" means it is listening.
        self.reader = threading.Thread(target=self._collect, daemon=True)
        self.reader.start()
        deadline = time.time() + 20
        while time.time() < deadline:
            if any("gdb port" in l for l in self.lines):
                return
            if self.proc.poll() is not None:
                self.reader.join(2)
                if self.vjlink:
                    self.vjlink.kill()
                raise RuntimeError("swdbridge exited: " + "".join(self.lines))
            time.sleep(0.02)
        raise RuntimeError("swdbridge did not start listening")

    def _collect(self):
        for line in self.proc.stdout:
            self.lines.append(line)

    @property
    def output(self):
        return "".join(self.lines)

    def target(self):
        return f"127.0.0.1:{self.port}"

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=60 if "SW_TEST_SERVER" in os.environ else 10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.reader.join(2)
        if self.vjlink:
            self.vjlink.kill()
        if "SW_TEST_SERVER" in os.environ and not getattr(self, "checked", False):
            # Under valgrind (make valgrind) exit 99 means memory errors or leaks.
            self.checked = True
            check("server exits without memory errors under the wrapper", self.proc.returncode != 99,
                  "\n".join([l.rstrip() for l in self.lines if l.startswith("==")][-30:]))
        return self.proc.returncode

    def __enter__(self):
        return self

    def __exit__(self, *a):
        self.stop()


def gdb_batch(server, commands, elf=DEMO, timeout=60, slow_server=False):
    """Run gdb-multiarch -batch with the commands after connecting; return its output.
    slow_server: the server runs under valgrind, give it time to answer."""
    script = ["set pagination off", "set confirm off"]
    if slow_server or "SW_TEST_SERVER" in os.environ:  # a server under valgrind answers slowly
        script.append("set remotetimeout 120")
        timeout *= 10
    script += [f"target extended-remote {server.target()}"] + commands
    args = [GDB, "-nx", "-batch"]
    for c in script:
        args += ["-ex", c]
    args.append(elf)
    p = subprocess.run(args, capture_output=True, text=True, errors="replace", timeout=timeout)
    return p.stdout + p.stderr


class MI:
    """gdb --interpreter=mi2 driven one command at a time, as Cortex-Debug does."""

    def __init__(self, elf=None):
        args = [GDB, "-q", "-nx", "--interpreter=mi2"]
        if elf:
            args.append(elf)
        self.proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True, bufsize=1)
        self.buf = b""
        self.log = []
        self.pending = []
        self._read_until(lambda l: l.startswith("(gdb)"), 20)

    def _readline(self, timeout):
        # Raw reads on the fd: a buffered reader would hide lines from select().
        fd = self.proc.stdout.fileno()
        deadline = time.time() + timeout
        while b"\n" not in self.buf:
            r, _, _ = select.select([fd], [], [], max(0.0, deadline - time.time()))
            if not r:
                return None
            chunk = os.read(fd, 65536)
            if not chunk:
                return None
            self.buf += chunk
        raw, self.buf = self.buf.split(b"\n", 1)
        line = raw.decode(errors="replace").rstrip("\r")
        self.log.append(line)
        return line

    def _read_until(self, pred, timeout):
        deadline = time.time() + timeout
        lines = []
        while time.time() < deadline:
            line = self._readline(max(0.0, deadline - time.time()))
            if line is None:
                break
            lines.append(line)
            if pred(line):
                return lines
        raise TimeoutError("MI: timed out; last lines:\n" + "\n".join(self.log[-15:]))

    def cmd(self, command, timeout=30):
        """Send one MI command; return (result class, all lines)."""
        self.pending = []  # a later wait_stopped() only sees what follows this command
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()
        lines = self._read_until(lambda l: re.match(r"^\^(done|error|running|connected|exit)", l) is not None,
                                 timeout)
        self.pending += lines
        cls = re.match(r"^\^(\w+)", lines[-1]).group(1)
        return cls, lines

    def wait_stopped(self, timeout=30):
        for l in self.pending:
            if l.startswith("*stopped"):
                self.pending = []
                return l
        lines = self._read_until(lambda l: l.startswith("*stopped"), timeout)
        self.pending = []
        return lines[-1]

    def close(self):
        try:
            self.proc.stdin.write("-gdb-exit\n")
            self.proc.stdin.flush()
            self.proc.wait(timeout=5)
        except Exception:
            self.proc.kill()


# The gdb suite of issue #3/#4, run again over another probe path (#10).
GDB_SUITE = ("test_gdb_session.py", "test_watchpoints.py")


def run_suite(probe, files=GDB_SUITE, timeout=600):
    """Run the suite scripts with SW_TEST_PROBE=probe; relay their PASS/FAIL
    lines (already prefixed with the probe) and count their failures here."""
    global failures
    here = os.path.dirname(os.path.abspath(__file__))
    for f in files:
        p = subprocess.run([sys.executable, os.path.join(here, f)], capture_output=True, text=True,
                           timeout=timeout, env=dict(os.environ, SW_TEST_PROBE=probe))
        lines = [l for l in p.stdout.splitlines() if l.startswith(("PASS:", "FAIL:", "INFO:", "SKIP:"))]
        for l in lines:
            print(l)
            if l.startswith("FAIL:"):
                failures += 1
        if not any(l.startswith("PASS:") for l in lines):
            check(f"{f} over {probe} ran", False, (p.returncode, p.stdout[-600:], p.stderr[-600:]))
        sys.stdout.flush()
