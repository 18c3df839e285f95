#!/usr/bin/env python3
"""README claims that had no test of their own (issue #16), one check each,
each failing when the feature goes: default ports 2331 and 19021, plain
`monitor reset` halting, `go`, `speed`, `step_irq`, `targets`, `help`,
`reset core|pin`, SIGINT shutdown, `--rtt-log`, the 128 KiB PacketSize,
both banks programming at the same time, swdflash's progress bar, option
bytes never written. Every server here is given `--probe sim` explicitly."""
import os
import pty
import re
import select
import signal
import socket
import subprocess
import sys
import tempfile
import time

from harness import BUILD, DEMO, ROOT, SERVER, Server, check, finish, nm
from rsp_client import RSP

DHCSR = 0xE000EDF0
S_HALT = 1 << 17
CI = os.environ.get("CI") == "true"


def skip(name, why):
    print(f"SKIP: {name}: {why}")


def hexcmd(line):
    return b"qRcmd," + line.encode().hex().encode()


class Conn:
    """Raw RSP on a server: monitor text, memory words."""

    def __init__(self, port):
        self.c = RSP("127.0.0.1", port, timeout=120)
        self.c.command(b"?")

    def pkt(self, data):
        """Reply and console text (O packets) of one packet."""
        self.c.send_raw(b"$" + data + b"#" + b"%02x" % (sum(data) & 0xFF))
        if self.c.read_byte() != b"+":
            raise ValueError("no ack")
        text = ""
        r = self.c.read_packet()
        while r.startswith(b"O") and r != b"OK":
            text += bytes.fromhex(r[1:].decode()).decode(errors="replace")
            r = self.c.read_packet()
        return r, text

    def mon(self, line):
        return self.pkt(hexcmd(line))

    def word(self, addr):
        r, _ = self.pkt(b"m%x,4" % addr)
        return int.from_bytes(bytes.fromhex(r.decode()), "little")

    def pc(self):
        r, _ = self.pkt(b"p0f")
        return int.from_bytes(bytes.fromhex(r.decode()), "little")

    def resets(self):
        _, t = self.mon("sim")
        return int(re.search(r"(\d+) resets", t).group(1))


def port_free(port):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        s.bind(("127.0.0.1", port))
        return True
    except OSError:
        return False
    finally:
        s.close()


def default_ports():
    """No --port, no --rtt-port: gdb on 2331, RTT channel 0 on 19021. Another
    test on a shared machine may hold them: wait up to 30 s, then skip
    (outside CI only; CI runs alone)."""
    deadline = time.time() + 30
    while not (port_free(2331) and port_free(19021)):
        if time.time() > deadline:
            if CI:
                check("default ports 2331/19021 free under CI", False, "busy")
            else:
                skip("default ports 2331 and 19021", "busy on this machine (another test holds them)")
            return
        time.sleep(0.5)
    p = subprocess.Popen([SERVER, "--probe", "sim", "--target", "stm32h743", "--load", DEMO, "--rtt"],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        out, ok = "", False
        deadline = time.time() + 20
        while time.time() < deadline and "gdb port" not in out:
            r, _, _ = select.select([p.stdout], [], [], 0.5)
            if r:
                line = p.stdout.readline()
                if not line:
                    break
                out += line
        check("default gdb port is 2331", "gdb port 127.0.0.1:2331" in out, out[-600:])
        try:
            c = Conn(2331)
            r, _ = c.pkt(b"qSupported")
            ok = b"PacketSize" in r
        except OSError as e:
            out += repr(e)
        check("gdb answers on 127.0.0.1:2331", ok, out[-600:])
        got = False
        deadline = time.time() + 10
        while time.time() < deadline and not got:
            try:
                socket.create_connection(("127.0.0.1", 19021), timeout=2).close()
                got = True
            except OSError:
                time.sleep(0.2)
        check("RTT channel 0 on TCP 19021 by default", got, out[-600:])
    finally:
        p.send_signal(signal.SIGTERM)
        p.wait(10)


def monitor_commands():
    reset_handler = nm("Reset_Handler")
    counter = nm("counter")
    with Server(extra=["--probe", "sim"]) as srv:
        c = Conn(srv.port)
        # go: the core runs (DHCSR.S_HALT clear) and the firmware's counter moves.
        c.mon("halt")
        c.mon("go")
        h = c.word(DHCSR)
        n0 = c.word(counter)
        time.sleep(0.3)
        n1 = c.word(counter)
        check("monitor go: core running, counter moves", not (h & S_HALT) and n1 != n0, (hex(h), n0, n1))
        # Plain reset halts at the reset vector, like J-Link GDB Server.
        r0 = c.resets()
        r, t = c.mon("reset")
        h, pc = c.word(DHCSR), c.pc()
        check("plain monitor reset halts at the reset vector",
              r == b"OK" and h & S_HALT and pc == reset_handler and c.resets() == r0 + 1, (r, t, hex(h), hex(pc)))
        # reset core: VECTRESET, the system (peripherals, sim reset count) untouched.
        c.mon("go")
        time.sleep(0.1)
        r0 = c.resets()
        r, t = c.mon("reset core")
        h, pc = c.word(DHCSR), c.pc()
        check("monitor reset core: core-only reset, halted at the reset vector",
              r == b"OK" and h & S_HALT and pc == reset_handler and c.resets() == r0, (r, t, hex(h), hex(pc)))
        # reset pin: nRST pulsed through the probe, a system reset, halted.
        r0 = c.resets()
        r, t = c.mon("reset pin")
        h, pc = c.word(DHCSR), c.pc()
        check("monitor reset pin: system reset through nRST, halted at the reset vector",
              r == b"OK" and h & S_HALT and pc == reset_handler and c.resets() == r0 + 1, (r, t, hex(h), hex(pc)))
        # speed: set, read back; nonsense refused.
        r1, t1 = c.mon("speed 1000")
        r2, t2 = c.mon("speed")
        r3, t3 = c.mon("speed 0")
        check("monitor speed sets and shows the SWD clock",
              r1 == b"OK" and "1000 kHz" in t2 and "give the SWD clock in kHz" in t3, (t1, t2, r3, t3))
        c.mon("speed 4000")
        # targets and help list what the README says.
        _, t = c.mon("targets")
        want = ["stm32h743", "adiv6-m55", "stm32f407", "mimxrt1062", "stm32n657", "ae3"]
        check("monitor targets lists every README target", all(re.search(rf"^{w}\b", t, re.M) for w in want), t)
        _, t = c.mon("help")
        cmds = ["reset", "halt", "go", "speed", "step_irq", "vector_catch", "watch", "rtt", "swo", "probe",
                "sim", "targets", "help"]
        missing = [w for w in cmds if not re.search(rf"^  {w}\b", t, re.M)]
        check("monitor help lists every README monitor command", not missing, missing)
        step_irq(c)


def step_irq(c):
    """A SysTick exception pended (ICSR.PENDSTSET) before a single step:
    with step_irq off (the default) the step masks it (DHCSR.C_MASKINTS,
    ARMv7-M C1.6.2) and lands on the next instruction; with step_irq on the
    step enters the handler (the demo's SysTick vector is Default_Handler).
    Anything else is refused with the current state."""
    icsr, handler = 0xE000ED04, nm("Default_Handler")
    got = {}
    for mode in ("off", "on"):
        c.mon("reset")
        _, say = c.mon(f"step_irq {mode}")
        pc0 = c.pc()
        c.pkt(b"M%x,4:%s" % (icsr, (1 << 26).to_bytes(4, "little").hex().encode()))
        c.pkt(b"s")
        got[mode] = (say.strip(), hex(pc0), hex(c.pc()))
    off, on = got["off"], got["on"]
    _, bad = c.mon("step_irq maybe")
    check("monitor step_irq: off masks a pending interrupt while stepping, on steps into its handler",
          "masked" in off[0] and 0 < int(off[2], 16) - int(off[1], 16) <= 4 and
          "enabled" in on[0] and int(on[2], 16) == handler and "(now on)" in bad, (got, bad))
    c.mon("step_irq off")


def sigint_shutdown():
    srv = Server(extra=["--probe", "sim"])
    c = Conn(srv.port)
    srv.proc.send_signal(signal.SIGINT)
    try:
        rc = srv.proc.wait(10)
    except subprocess.TimeoutExpired:
        rc = None
    srv.reader.join(2)
    refused = False
    try:
        socket.create_connection(("127.0.0.1", srv.port), timeout=2).close()
    except OSError:
        refused = True
    check("SIGINT shuts the server down cleanly (exit 0, port closed)",
          rc == 0 and refused and "shutting down" in srv.output, (rc, refused, srv.output[-400:]))
    c.c.close()
    srv.stop()


def rtt_log():
    with tempfile.TemporaryDirectory() as tmp:
        log = os.path.join(tmp, "rtt.log")
        with Server(extra=["--probe", "sim", "--rtt-port", str(free_rtt_port()), "--rtt-log", log]) as srv:
            c = Conn(srv.port)
            c.mon("go")
            deadline = time.time() + 15
            data = b""
            while time.time() < deadline and len(data) < 20:
                time.sleep(0.3)
                if os.path.exists(log):
                    data = open(log, "rb").read()
        check("--rtt-log FILE appends up channel 0 to the file", len(data) >= 20, (data[:200], srv.output[-400:]))


def free_rtt_port():
    from harness import free_port
    while True:
        p = free_port()
        if p < 65535 - 64:
            return p


def packet_size():
    with Server(extra=["--probe", "sim"]) as srv:
        c = Conn(srv.port)
        r, _ = c.pkt(b"qSupported:multiprocess+")
        m = re.search(rb"PacketSize=([0-9a-fA-F]+)", r)
        check("qSupported advertises 128 KiB packets", m is not None and int(m.group(1), 16) == 0x20000, r)
        # An M packet close to the limit (65000 bytes = 130000 hex digits) is taken whole.
        data = bytes((i * 7) & 0xFF for i in range(65000))
        r, _ = c.pkt(b"M24010000,%x:" % len(data) + data.hex().encode())
        back, _ = c.pkt(b"m24010000,%x" % len(data))
        check("a 130 KB packet is accepted and written whole", r == b"OK" and bytes.fromhex(back.decode()) == data,
              r[:40])


def both_banks():
    """An image spanning both banks erases and programs them at once: the
    job over the last sector of bank 1 and the first of bank 2 costs about
    what one bank's share does, far less than two sectors in one bank."""
    def job(c, base):
        data = os.urandom(0x40000)
        c.mon("halt")
        t0 = virt(c)
        c.pkt(b"vFlashErase:%x,%x" % (base, len(data)))
        from rsp_client import escape
        for o in range(0, len(data), 0x8000):
            c.pkt(b"vFlashWrite:%x:" % (base + o) + escape(data[o:o + 0x8000]))
        r, _ = c.pkt(b"vFlashDone")
        return r, virt(c) - t0

    def virt(c):
        _, t = c.mon("sim")
        return float(re.search(r"sim: ([0-9.]+) s virtual", t).group(1))

    with Server(extra=["--probe", "sim"]) as srv:
        c = Conn(srv.port)
        c.mon("sim tick off")
        # First fill both areas, so the timed jobs must erase two sectors each.
        job(c, 0x08020000)
        job(c, 0x080E0000)
        r1, one_bank = job(c, 0x08020000)   # sectors 1 and 2 of bank 1
        r2, two_banks = job(c, 0x080E0000)  # bank 1 sector 7 + bank 2 sector 0
    print(f"INFO: 256 KiB flash job: one bank {one_bank:.3f} s, across both banks {two_banks:.3f} s virtual")
    check("both banks are programmed at the same time", r1 == b"OK" and r2 == b"OK" and two_banks < 0.75 * one_bank,
          (r1, r2, one_bank, two_banks))


def progress_bar():
    """swdflash deploy on a terminal draws a progress bar on stderr."""
    master, slave = pty.openpty()
    p = subprocess.Popen([os.path.join(BUILD, "swdflash"), "--probe", "sim", "--target", "stm32h743", "deploy", DEMO], stdin=subprocess.DEVNULL,
                         stdout=subprocess.DEVNULL, stderr=slave)
    os.close(slave)
    out = b""
    deadline = time.time() + 120
    while time.time() < deadline:
        r, _, _ = select.select([master], [], [], 1)
        if r:
            try:
                chunk = os.read(master, 4096)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
        elif p.poll() is not None:
            break
    p.wait(30)
    os.close(master)
    text = out.decode(errors="replace")
    check("swdflash draws a progress bar on a terminal",
          p.returncode == 0 and "\r" in text and re.search(r"\[#{30}\]\s+\d+/\d+ KiB", text) is not None, text[-600:])
    q = subprocess.run([os.path.join(BUILD, "swdflash"), "--probe", "sim", "--target", "stm32h743", "deploy", DEMO], capture_output=True,
                       text=True, timeout=120)
    check("no progress bar when stderr is not a terminal", q.returncode == 0 and "\r" not in q.stderr, q.stderr[-400:])


def option_bytes_never_written():
    """No host or loader code names an option-byte register (FLASH_OPTKEYR
    0x08, OPTCR 0x18, OPTSR_PRG 0x20, OPTCCR 0x24, PRAR/SCAR/WPSN/BOOT _PRG;
    RM0433 4.9), and monitor flash info says so."""
    names = re.compile(r"OPTKEYR|OPTCR|OPTSR_PRG|OPTCCR|_PRG1|_PRG2|BOOT_PRGR|0x5200200[8]|0x52002018|0x5200202[04]")
    hits = []
    for d in ("targets", "flashloaders", "server/flash"):
        for dirpath, _, files in os.walk(os.path.join(ROOT, d)):
            for f in files:
                if f.endswith((".c", ".h")):
                    path = os.path.join(dirpath, f)
                    for i, line in enumerate(open(path, errors="replace"), 1):
                        if names.search(line):
                            hits.append(f"{os.path.relpath(path, ROOT)}:{i}: {line.strip()}")
    with Server(extra=["--probe", "sim"]) as srv:
        _, t = Conn(srv.port).mon("flash info")
    check("option bytes are never written (no code touches their registers)",
          not hits and "option bytes are never written" in t, hits or t)


def main():
    for f in (default_ports, monitor_commands, sigint_shutdown, rtt_log, packet_size, both_banks, progress_bar,
              option_bytes_never_written):
        try:
            f()
        except Exception as e:
            check(f.__name__, False, repr(e))


if __name__ == "__main__":
    main()
    finish()
