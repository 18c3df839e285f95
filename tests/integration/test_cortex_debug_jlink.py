"""Issue #17: Cortex-Debug servertype "jlink" with swdbridge as `serverpath`.
swdbridge runs under SEGGER's program name (a link named
JLinkGDBServerCLExe, as `make install` puts in <libexec>/swdbridge/) with
the exact argv Cortex-Debug builds (reference/cortex-debug-jlink.md §1),
plus `--probe sim` where Cortex-Debug puts serverArgs (last). The test
waits for the readiness line, connects the SWO and RTT sockets as
Cortex-Debug does, and replays the launch, attach and reset MI sequences
(§2) through gdb-multiarch: RTT through the J-Link telnet port with the
RTTCh preamble, SWO through `monitor SWO EnableTarget` with the
frequencies Cortex-Debug computes, ITM text decoded from the SWO port.
No MI command may answer ^error. -singlerun: the server exits by itself
when gdb leaves.

SW_TEST_JLINK_PROBE=ip (set by test_cortex_debug_jlink_vjlink.py inside the
client network namespace) runs the same launch with Cortex-Debug's
`-select ip=HOST` (its "ipAddress" setting) through libjaylink and vjlink
instead of `--probe sim`."""
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time

from harness import BUILD, DEMO, MI, check, finish, free_port, nm
from test_cortex_debug_mi import INIT  # Cortex-Debug's gdb init (clients.md §1.1)
from test_swo import itm_port0

SERVER = os.path.join(BUILD, "swdbridge")
PROBE = os.environ.get("SW_TEST_JLINK_PROBE", "sim")
LABEL = "" if PROBE == "sim" else "jlink/vjlink: "


def console(cmd):
    return f'-interpreter-exec console "{cmd}"'


def swo_macros(mask):
    """What gdbsupport.init's DisableITMPorts / EnableITMPorts / EnableDWTSync /
    ITMSyncEnable / DisablePCSample do: plain read-modify-writes of ITM_TER
    (0xE0000E00), DWT_CTRL (0xE0001000: SYNCTAP bits 11:10, PCSAMPLENA bit
    12) and ITM_TCR (0xE0000E80: SYNCENA bit 2), ARMv7-M ARM C1.7/C1.8."""
    return [console("set *(unsigned int *)0xE0000E00 &= ~0xFFFFFFFF"),
            console(f"set *(unsigned int *)0xE0000E00 |= {mask:#x}"),
            console("set *(unsigned int *)0xE0001000 = (*(unsigned int *)0xE0001000 & ~0xC00) | 0x400"),
            console("set *(unsigned int *)0xE0000E80 |= 4"),
            console("set *(unsigned int *)0xE0001000 &= ~0x1000")]


def consecutive_ports(n=3):
    """A block of n free consecutive ports, as Cortex-Debug picks (gdb.ts:605-630)."""
    for _ in range(50):
        base = free_port()
        socks = []
        try:
            for p in range(base, base + n):
                s = socket.socket()
                s.bind(("127.0.0.1", p))
                socks.append(s)
            return base
        except OSError:
            continue
        finally:
            for s in socks:
                s.close()
    raise RuntimeError("no block of free ports")


class Reader:
    """A socket read in the background (Cortex-Debug's SWO / RTT sources)."""

    def __init__(self, port, hello=b""):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        if hello:
            self.sock.sendall(hello)
        self.data = b""
        self.closed = False
        self.t = threading.Thread(target=self._run, daemon=True)
        self.t.start()

    def _run(self):
        self.sock.settimeout(0.2)
        while not self.closed:
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout:
                continue
            except OSError:
                break
            if not chunk:
                break
            self.data += chunk

    def wait(self, pred, timeout=10):
        end = time.time() + timeout
        while time.time() < end:
            if pred(self.data):
                return True
            time.sleep(0.05)
        return pred(self.data)

    def close(self):
        self.closed = True
        try:
            self.sock.close()
        except OSError:
            pass


class JLinkServer:
    """swdbridge started the way Cortex-Debug starts JLinkGDBServerCLExe."""

    def __init__(self, argv0, args):
        self.proc = subprocess.Popen([argv0] + args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self.out = b""
        self.t = threading.Thread(target=self._run, daemon=True)
        self.t.start()

    def _run(self):
        # Raw chunks: the readiness line may come without a newline.
        while True:
            chunk = os.read(self.proc.stdout.fileno(), 4096)
            if not chunk:
                break
            self.out += chunk

    @property
    def text(self):
        return self.out.decode(errors="replace")

    def wait_ready(self, timeout=20):
        end = time.time() + timeout
        while time.time() < end:
            # Cortex-Debug's regex on stdout/stderr (jlink.ts:183-185).
            if re.search(r"Waiting for GDB connection", self.text):
                return True
            if self.proc.poll() is not None:
                return False
            time.sleep(0.01)
        return False

    def wait_exit(self, timeout):
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.t.join(2)


def run(mi, cmds, name, errors):
    for c in cmds:
        cls, lines = mi.cmd(c, timeout=90)
        if cls == "error":
            errors.append(f"{c}: {lines[-1]}")
        elif cls not in ("done", "running", "connected"):
            errors.append(f"{c}: {cls}")


def session(mode, link_dir):
    """mode: launch (blank flash, gdb loads) or attach (firmware running)."""
    g = consecutive_ports(3)
    r = free_port()
    rtt_addr = nm("_SEGGER_RTT")
    argv0 = os.path.join(link_dir, "JLinkGDBServerCLExe")
    # jlink.ts:137-181, in that order; serverArgs last.
    args = ["-singlerun", "-nogui", "-if", "swd", "-port", str(g), "-swoport", str(g + 1), "-telnetport", str(g + 2),
            "-device", "STM32H743VI", "-rtttelnetport", str(r)]
    if PROBE == "sim":
        args += ["--probe", "sim"] + (["--load", DEMO] if mode == "attach" else [])
    else:
        args += ["-select", "ip=" + os.environ["VJLINK_IP"]]
    name = LABEL + f"jlink {mode}"
    srv = JLinkServer(argv0, args)
    mi = None
    swo = rtt = None
    errors = []
    try:
        ok = srv.wait_ready()
        check(f"{name}: the readiness line 'Waiting for GDB connection...' is printed", ok, srv.text[-800:])
        if not ok:
            return
        # Right after the line Cortex-Debug connects to the SWO port; the
        # RTT source connects and sends its preamble at once (socket.ts:133-145).
        swo = Reader(g + 1)
        rtt = Reader(r, b"$$SEGGER_TELNET_ConfigStr=RTTCh;0$$")
        check(f"{name}: SWO and RTT telnet ports listen when the line is printed", True)
        mi = MI()
        run(mi, INIT + [f"-target-select extended-remote localhost:{g}"], name, errors)
        if mode == "launch":
            run(mi, [console("monitor halt"), console("monitor reset"), "-target-download", console("monitor reset")],
                name, errors)
        else:
            run(mi, [console("monitor halt")], name, errors)
        run(mi, ['-break-insert -f "main.c:40"', "-break-delete"], name, errors)
        # configurationDone: SWO, then RTT commands (gdb.ts:943-1010).
        cpu = 64000000
        swo_hz = 2000000 if mode == "launch" else int(cpu / 2)  # swoFrequency 0 -> cpu/2 (configprovider.ts:92-101)
        cls, lines = mi.cmd(console(f"monitor SWO EnableTarget {cpu} {swo_hz} 0x1 0"))
        if cls == "error":
            errors.append(lines[-1])
        check(f"{name}: monitor SWO EnableTarget {cpu} {swo_hz} 0x1 0 answers 'SWO enabled successfully'",
              cls == "done" and any("SWO enabled successfully" in l for l in lines), lines[-4:])
        run(mi, swo_macros(0x1), name, errors)
        if mode == "launch":  # clearSearch: "SEGGER RTT" = 10 bytes -> 3 words
            run(mi, [console(f"monitor exec memU32 {rtt_addr + 4 * k:#010x} = 0") for k in range(3)], name, errors)
        cls, lines = mi.cmd(console(f"monitor exec SetRTTAddr {rtt_addr:#010x}"))
        if cls == "error":
            errors.append(lines[-1])
        run(mi, ["-exec-continue --all"], name, errors)
        got = rtt.wait(lambda d: len(re.findall(rb"rtt: tick \d+\n", d)) >= 3, 20)
        check(f"{name}: RTT channel 0 text on the telnet port after the RTTCh preamble", got, rtt.data[-200:])
        rtt.sock.sendall(b"ping-17\n")
        got = rtt.wait(lambda d: b"ping-17" in d, 10)
        check(f"{name}: RTT down channel: bytes sent on the telnet port reach the target (echoed)", got,
              rtt.data[-200:])
        # A telnet client without the preamble gets channel 0 after 100 ms;
        # one with SetRTTAddr and RTTCh in its config string works too.
        plain = Reader(r)
        cfg = Reader(r, b"$$SEGGER_TELNET_ConfigStr=SetRTTAddr;%#x;RTTCh;0$$" % rtt_addr)
        try:
            got = plain.wait(lambda d: re.search(rb"rtt: tick \d+\n", d) is not None, 10)
            check(f"{name}: a telnet client without the preamble gets channel 0", got, plain.data[-100:])
            got = cfg.wait(lambda d: re.search(rb"rtt: tick \d+\n", d) is not None, 10)
            check(f"{name}: a preamble with SetRTTAddr;A;RTTCh;0 works", got, cfg.data[-100:])
        finally:
            plain.close()
            cfg.close()
        got = swo.wait(lambda d: len(re.findall(rb"itm: tick \d+\n", itm_port0(d))) >= 3, 20)
        check(f"{name}: ITM port 0 text decoded from the raw SWO port", got, swo.data[:120])
        # The reset button (gdb.ts:1759-1820): interrupt, then halt + reset.
        cls, _ = mi.cmd("-exec-interrupt")
        stop = mi.wait_stopped(30)
        check(f"{name}: pause stops the target", "*stopped" in stop, stop)
        run(mi, [console("monitor halt"), console("monitor reset")], name, errors)
        seen = len(rtt.data)
        run(mi, ["-exec-continue --all"], name, errors)
        got = rtt.wait(lambda d: len(re.findall(rb"rtt: tick \d+\n", d[seen:])) >= 2, 20)
        check(f"{name}: after the reset button RTT text flows again", got, rtt.data[-200:])
        cls, _ = mi.cmd("-exec-interrupt")
        mi.wait_stopped(30)
        # End of session (gdb.ts:1673-1710): launch disconnects, attach detaches.
        run(mi, ["-break-delete", "-target-disconnect" if mode == "launch" else "-target-detach"], name, errors)
        mi.close()
        mi = None
        check(f"{name}: no MI command answered ^error", not errors, errors)
        rc = srv.wait_exit(10)
        check(f"{name}: -singlerun: the server exits by itself when gdb leaves", rc == 0, (rc, srv.text[-600:]))
    finally:
        if mi:
            mi.close()
        for s in (swo, rtt):
            if s:
                s.close()
        srv.kill()


def argv_errors(link_dir):
    exe = os.path.join(link_dir, "JLinkGDBServerCLExe")
    p = subprocess.run([exe, "-if", "JTAG", "-device", "STM32H743VI", "--probe", "sim"], capture_output=True,
                       text=True, timeout=20)
    check("-if JTAG is refused with a reason (exit 2)", p.returncode == 2 and "only SWD" in p.stderr, p.stderr)
    p = subprocess.run([exe, "-device", "NoSuchChip", "--probe", "sim"], capture_output=True, text=True, timeout=20)
    check("an unknown -device is refused (exit 2)", p.returncode == 2 and "NoSuchChip" in p.stderr, p.stderr)
    p = subprocess.run([exe, "-device", "STM32H743VI", "-strict", "-foo", "--probe", "sim"], capture_output=True,
                       text=True, timeout=20)
    check("-strict with an unknown option exits 2 after J-Link's warning",
          p.returncode == 2 and "Unknown command line parameter -foo" in p.stderr, p.stderr)
    # Under its own name swdbridge keeps its own options (J-Link's are errors).
    p = subprocess.run([SERVER, "-device", "STM32H743VI"], capture_output=True, text=True, timeout=20)
    check("swdbridge under its own name does not take J-Link options", p.returncode == 2, p.stderr)


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as d:
        # What `make install` puts in <libexec>/swdbridge/ (never on PATH).
        os.symlink(SERVER, os.path.join(d, "JLinkGDBServerCLExe"))
        modes = ("launch", "attach") if PROBE == "sim" else ("launch",)
        for m in modes:
            try:
                session(m, d)
            except Exception as e:
                check(f"{LABEL}jlink {m}", False, repr(e))
        if PROBE == "sim":
            argv_errors(d)
    finish()
