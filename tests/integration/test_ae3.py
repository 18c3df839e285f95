"""Alif AE3 on the simulator: two gdb sessions at once (HP on port P, HE on
P+1), each core halting, stepping, breaking and reading memory while the
other keeps running; `load` into MRAM with compare-sections; a write
outside the MRAM application area refused; --target auto naming the chip
(also the STM32H743 and the ADIv6 test part)."""
import os
import re
import socket
import subprocess
import time

from harness import BUILD, SERVER, MI, Server, check, finish, free_port, gdb_batch, nm
from rsp_client import RSP, escape

HP_ELF = os.path.join(BUILD, "fw", "demo-ae3-hp.elf")
HE_ELF = os.path.join(BUILD, "fw", "demo-ae3-he.elf")
HP_DTCM, HE_DTCM = 0x50800000, 0x58800000  # global aliases of each core's DTCM


def value(mi, expr):
    cls, lines = mi.cmd(f'-data-evaluate-expression "{expr}"')
    m = re.search(r'value="(\d+)"', lines[-1])
    return int(m.group(1)) if cls == "done" and m else None


def connect(mi, port):
    mi.cmd("-gdb-set mi-async on")  # -exec-interrupt while running, as Cortex-Debug does
    cls, lines = mi.cmd(f"-target-select extended-remote 127.0.0.1:{port}")
    return cls == "connected", lines


def two_sessions():
    off = nm("counter", HP_ELF) - 0x20000000
    with Server(target="ae3", load=f"{HP_ELF},{HE_ELF}") as srv:
        check("server serves HE on port P+1", f"core he: gdb port 127.0.0.1:{srv.port + 1}" in srv.output,
              srv.output)
        hp, he = MI(HP_ELF), MI(HE_ELF)
        try:
            ok1, l1 = connect(hp, srv.port)
            ok2, l2 = connect(he, srv.port + 1)
            check("gdb connects to HP and HE at once", ok1 and ok2, "\n".join(l1[-3:] + l2[-3:]))
            # HP runs, HE halted: HE's own counter is still, HP's moves (read
            # through the global alias of HP's DTCM from HE's session).
            hp.cmd("-exec-continue")
            c0, a0 = value(he, "counter"), value(he, f"*(unsigned*){HP_DTCM + off:#x}")
            time.sleep(0.5)
            c1, a1 = value(he, "counter"), value(he, f"*(unsigned*){HP_DTCM + off:#x}")
            check("HE halted: its counter is still", c0 is not None and c0 == c1, f"{c0} {c1}")
            check("HP keeps counting while HE is halted", a0 is not None and a1 is not None and a1 > a0,
                  f"{a0} {a1}")
            # And the other way round.
            he.cmd("-exec-continue")
            hp.cmd("-exec-interrupt")
            hp.wait_stopped()
            c0, b0 = value(hp, "counter"), value(hp, f"*(unsigned*){HE_DTCM + off:#x}")
            time.sleep(0.5)
            c1, b1 = value(hp, "counter"), value(hp, f"*(unsigned*){HE_DTCM + off:#x}")
            check("HP halted: its counter is still", c0 is not None and c0 == c1, f"{c0} {c1}")
            check("HE keeps counting while HP is halted", b0 is not None and b1 is not None and b1 > b0,
                  f"{b0} {b1}")
            # Break, step and registers on HP while HE runs (hardware
            # breakpoint: MRAM is flash in the memory map).
            cls, lines = hp.cmd("-break-insert compute")
            check("HP: breakpoint in MRAM", cls == "done", lines[-1])
            hp.cmd("-exec-continue")
            stop = hp.wait_stopped()
            check("HP: stops at compute", 'func="compute"' in stop and "breakpoint-hit" in stop, stop)
            hp.cmd("-exec-next")
            stop = hp.wait_stopped()
            check("HP: next", 'reason="end-stepping-range"' in stop, stop)
            cls, lines = hp.cmd("-data-list-register-values x 13 15")
            m = re.findall(r'number="(\d+)",value="(0x[0-9a-f]+)"', lines[-1])
            regs = {int(n): int(v, 16) for n, v in m}
            check("HP: SP in DTCM, PC in MRAM", regs.get(13, 0) >> 20 == 0x200 and regs.get(15, 0) >> 24 == 0x80,
                  lines[-1])
            cls, lines = hp.cmd('-data-read-memory-bytes demo_state.name 6')
            check("HP: memory read", '"6f70656e6d76"' in lines[-1], lines[-1])
            b0 = value(hp, f"*(unsigned*){HE_DTCM + off:#x}")
            time.sleep(0.3)
            check("HE still running while HP sits at a breakpoint",
                  (value(hp, f"*(unsigned*){HE_DTCM + off:#x}") or 0) > (b0 or 1 << 32))
            # The same on HE.
            he.cmd("-exec-interrupt")
            he.wait_stopped()
            cls, lines = he.cmd("-break-insert demo_step")
            he.cmd("-exec-continue")
            stop = he.wait_stopped()
            check("HE: stops at demo_step", 'func="demo_step"' in stop, stop)
            he.cmd("-exec-step")
            stop = he.wait_stopped()
            check("HE: step", 'reason="end-stepping-range"' in stop and 'line="' in stop, stop)
            cls, lines = he.cmd('-data-evaluate-expression "demo_state.ticks = 1234"')
            check("HE: memory write", value(he, "demo_state.ticks") == 1234, lines[-1])
            check("HE: HP's ticks untouched", value(hp, "demo_state.ticks") != 1234)
        finally:
            hp.close()
            he.close()


def load_mram():
    with Server(target="ae3", load=None) as srv:
        check("without images HE is reported not started", "core he is not started" in srv.output, srv.output)
        out = gdb_batch(srv, ["load", "compare-sections", f"load {HE_ELF}", "monitor reset halt",
                              "maintenance flush register-cache", "break compute", "continue", "print demo_state.name",
                              "detach"], elf=HP_ELF)
        check("gdb load into MRAM", "Transfer rate" in out and "Start address 0x8" in out, out[-1500:])
        check("compare-sections after load", out.count("matched.") >= 3 and "MIS-MATCHED" not in out, out[-1500:])
        check("loaded HP image runs to a breakpoint", "Breakpoint 1, compute" in out and '"openmv' in out, out[-1500:])
        c = RSP("127.0.0.1", srv.port)
        c.command(b"?")
        r = c.command(b"vFlashErase:80580000,1000")
        check("vFlashErase in the SE area accepted for staging", r == b"OK", r)
        c.command(b"vFlashWrite:80580000:" + escape(b"\x55" * 16))
        r = c.command(b"vFlashDone")
        check("write outside the application area refused", r.startswith(b"E"), r)
        check("... saying why in the reply (E.reason)", r.startswith(b"E.") and b"outside the application area" in r, r)
        back = bytes.fromhex(c.command(b"m80580000,10").decode())
        check("SE area unchanged", back != b"\x55" * 16, back)
        c.close()


def rtt_lines(sock, seconds):
    """What arrives on an RTT port within `seconds`: the tick numbers."""
    data, deadline = b"", time.time() + seconds
    sock.settimeout(0.1)
    while time.time() < deadline:
        try:
            data += sock.recv(65536)
        except socket.timeout:
            pass
    return [int(x) for x in re.findall(rb"rtt: tick (\d+)\n", data)]


def rtt_per_core():
    """Each core's demo prints through its own RTT channel (HP on the RTT
    base port, HE on base + 16); halting HP stops only HP's lines."""
    base = free_port()
    with Server(target="ae3", load=f"{HP_ELF},{HE_ELF}", extra=["--rtt", "--rtt-port", str(base)]) as srv:
        deadline = time.time() + 10
        while time.time() < deadline and f":{base + 16}" not in srv.output:
            time.sleep(0.05)
        hp_s = socket.create_connection(("127.0.0.1", base), timeout=5)
        he_s = socket.create_connection(("127.0.0.1", base + 16), timeout=5)
        hp1, he1 = rtt_lines(hp_s, 1.0), rtt_lines(he_s, 0.2)
        check("RTT: HP lines on the base port", len(hp1) > 3, hp1)
        check("RTT: HE lines on base + 16", len(he1) > 3, he1)
        mi = MI(HP_ELF)
        try:
            mi.cmd("-gdb-set mi-async on")
            mi.cmd(f"-target-select extended-remote 127.0.0.1:{srv.port}")  # attach halts HP
            rtt_lines(hp_s, 0.3)  # drain what was printed before the halt
            hp2, he2 = rtt_lines(hp_s, 0.7), rtt_lines(he_s, 0.7)
            check("RTT: HP halted, its channel is quiet", hp2 == [], hp2)
            check("RTT: HE keeps printing on its own channel", len(he2) > 0 and he2[-1] > he1[-1], (he1, he2))
        finally:
            mi.close()
        hp_s.close()
        he_s.close()


class CorePort:
    """gdb_batch's view of another core's port of the same server."""

    def __init__(self, port):
        self.port = port

    def target(self):
        return f"127.0.0.1:{self.port}"


def he_port_when_started():
    """Issue #14 item 9: HE is off when the server starts; once the HP
    firmware starts it, the server notices (AP CSW.DeviceEn polled at a low
    rate), says so and opens HE's gdb port; HE runs and is debuggable, and
    --rtt covers it (its channels on base + 16)."""
    base = free_port()
    with Server(target="ae3", load=None, extra=["--rtt", "--rtt-port", str(base)]) as srv:
        he_line = f"core he: gdb port 127.0.0.1:{srv.port + 1}"
        check("HE off at start-up: no port yet, and the log says it will open",
              "its gdb port opens when it starts" in srv.output and he_line not in srv.output, srv.output)
        out = gdb_batch(srv, ["load", f"load {HE_ELF}", "monitor reset run", "detach"], elf=HP_ELF)
        check("HP and HE images loaded, HP running", out.count("Transfer rate") == 2, out[-1200:])
        deadline = time.time() + 15
        while time.time() < deadline and he_line not in srv.output:
            time.sleep(0.1)
        check("HE's gdb port opens once the HP firmware starts HE", he_line in srv.output, srv.output[-1500:])
        check("... and the log says the core came up", "core he came up" in srv.output, srv.output[-1500:])
        he = CorePort(srv.port + 1)
        o1 = gdb_batch(he, ["print counter", "detach"], elf=HE_ELF)
        time.sleep(0.3)
        o2 = gdb_batch(he, ["print counter", "info registers pc", "detach"], elf=HE_ELF)
        c1, c2 = re.findall(r"\$\d+ = (\d+)", o1), re.findall(r"\$\d+ = (\d+)", o2)
        check("gdb on the late HE port: HE runs its image (counter moves, pc in HE's MRAM image)",
              c1 and c2 and int(c2[-1]) > int(c1[-1]) and re.search(r"pc\s+0x803", o2) is not None,
              o1[-600:] + o2[-600:])
        # --rtt started HE's search when HE came up; without an ELF per core
        # it scans 12 MiB of RAM, so point it at HE's block from gdb.
        o3 = gdb_batch(he, ["monitor rtt status", 'eval "monitor rtt address 0x%x", &_SEGGER_RTT', "detach"],
                       elf=HE_ELF)
        check("--rtt: the late HE's RTT is running (searching, then found)",
              "RTT: searching" in o3 and "control block at 0x" in o3, o3[-800:])
        deadline = time.time() + 10
        while time.time() < deadline and f":{base + 16}" not in srv.output:
            time.sleep(0.05)
        try:
            he_s = socket.create_connection(("127.0.0.1", base + 16), timeout=5)
            lines = rtt_lines(he_s, 1.0)
            he_s.close()
        except OSError as e:
            lines = repr(e)
        check("--rtt: the late HE's RTT lines on base + 16", isinstance(lines, list) and len(lines) > 2, lines)


def he_alone_not_started():
    p = subprocess.run([SERVER, "--probe", "sim", "--target", "ae3-he", "--port", "0"], capture_output=True,
                       text=True, timeout=20)
    out = p.stdout + p.stderr
    check("ae3-he with HE not started: one-line reason, no bus fault",
          p.returncode != 0 and "core he is not started" in out and "fault" not in out.lower(), out)


def auto_names():
    cases = [("ae3", "ae3"), ("adiv6-m55", "adiv6-m55"), ("stm32h743", "stm32h743"),
             ("mimxrt1062", "mimxrt1062"), ("stm32n657", "stm32n657"), ("stm32f407", "stm32f407")]
    for chip, want in cases:
        with Server(target="auto", load=None, extra=["--sim-chip", chip]) as srv:
            m = re.search(r"--target auto: (\S+)", srv.output)
            check(f"--target auto names {chip}", m is not None and m.group(1) == want, srv.output)


def main():
    two_sessions()
    load_mram()
    rtt_per_core()
    he_port_when_started()
    he_alone_not_started()
    auto_names()


if __name__ == "__main__":
    try:
        main()
    except Exception as e:
        import traceback
        traceback.print_exc()
        check("ae3 tests", False, repr(e))
    finish()
