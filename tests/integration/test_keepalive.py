"""Long monitor commands must not time gdb out (rsp_keepalive.h).

gdb waits remotetimeout (2 s by default; Cortex-Debug leaves it) per
packet, three tries: a qRcmd answer later than that was taken as the answer
of the NEXT packet ("Ignoring packet error, continuing...", then `x` printed
"Invalid hex digit 79"). The server now sends "monitor CMD: working (N s)"
O lines at least once a second while the command runs; gdb's qRcmd loop
prints each and waits again. Checked with real gdb at its default timeout:
`monitor sleep 7000` and the answers after it; a long erase in the simulator
(lines by its virtual clock, so the same on every run); swdflash (the lines
are progress on stderr, the failure line is still quoted after many lines:
tests/unit/test_rsp_conn.c); and over the remote probe (probe-server).

SW_KEEPALIVE_BUILD=DIR runs the same checks against another build's
swdbridge and swdflash (to see them fail without the keep-alive)."""
import os
import re
import subprocess
import time

import harness
from harness import BUILD, DEMO, GDB, MI, Server, check, finish, free_port
from netns_pair import Proc
from rsp_client import RSP, monitor

UNDER_TEST = os.environ.get("SW_KEEPALIVE_BUILD")
SERVER = os.path.join(UNDER_TEST, "swdbridge") if UNDER_TEST else harness.SERVER  # (make valgrind's wrapper)
SWDFLASH = os.path.join(UNDER_TEST or BUILD, "swdflash")
SLOW = "SW_TEST_SERVER" in os.environ  # valgrind: the server needs a longer timeout anyway


def gdb(target, commands, timeout=120):
    """gdb -batch at its default remotetimeout (unless under valgrind)."""
    script = ["set pagination off", "set confirm off"] + (["set remotetimeout 120"] if SLOW else [])
    script += [f"target extended-remote {target}"] + commands
    args = [GDB, "-nx", "-batch"]
    for c in script:
        args += ["-ex", c]
    p = subprocess.run(args + [DEMO], capture_output=True, text=True, errors="replace",
                       timeout=timeout * (10 if SLOW else 1))
    return p.stdout + p.stderr


def keepalives(out, cmd):
    return [int(n) for n in re.findall(r"^monitor " + re.escape(cmd) + r": working \((\d+) s\)$", out, re.M)]


def sleep_answers(label, target):
    """monitor sleep 7000 (longer than gdb's three 2 s tries), then reads
    whose answers are known from before the sleep."""
    probe = ["info registers pc", "x/2wx 0x08000000", "print demo_int"]
    # gdb -batch prints target (O packet) text on stderr, echo on stdout.
    out = gdb(target, probe + ["monitor sleep 7000", "echo =AFTER=\\n"] + probe + ["monitor help", "detach"])
    before, _, after = out.partition("=AFTER=")
    check(f"{label}: monitor sleep 7000 sends keep-alive lines", len(keepalives(out, "sleep 7000")) >= 1, out[-1500:])
    check(f"{label}: no packet error in gdb", "Ignoring packet error" not in out and "Invalid hex" not in out
          and "Protocol error" not in out, out[-1500:])
    vec = re.search(r"0x8000000 <vectors>:\s+(0x[0-9a-f]+)\s+(0x[0-9a-f]+)", before)
    pc = re.search(r"^pc\s+(0x[0-9a-f]+)", before, re.M)
    check(f"{label}: info registers and x after the sleep answer what they did before (not shifted by one)",
          vec is not None and pc is not None and re.search(r"^pc\s+" + pc.group(1), after, re.M) is not None
          and f"0x8000000 <vectors>:\t{vec.group(1)}\t{vec.group(2)}" in after, out[-1500:])
    check(f"{label}: the next monitor command gets its own output", "swdbridge monitor commands:" in after,
          out[-800:])


def cortex_debug_mi(target):
    """As Cortex-Debug sends it (MI, remotetimeout left at 2 s): the lines
    arrive as target-stream records, the next command's answer is its own."""
    mi = MI(DEMO)
    try:
        mi.cmd("-gdb-set target-async on")
        cls, lines = mi.cmd(f"-target-select extended-remote {target}")
        mem = "-data-read-memory-bytes 0x08000000 8"
        _, before = mi.cmd(mem)
        cls, lines = mi.cmd('-interpreter-exec console "monitor sleep 7000"', timeout=120)
        _, after = mi.cmd(mem)
        check("MI: monitor sleep 7000 is ^done with keep-alive target-stream records",
              cls == "done" and '@"monitor sleep 7000: working (1 s)\\n"' in lines, "\n".join(lines[-12:]))
        contents = [re.search(r'contents="([0-9a-f]+)"', l) for l in (before[-1], after[-1])]
        check("MI: the memory read after it answers itself (not shifted by one)",
              all(contents) and contents[0].group(1) == contents[1].group(1), "\n".join(after[-5:]))
    finally:
        mi.close()


def ihex(records):
    """Intel HEX with one 16-byte data record at each address."""
    lines, upper = [], None

    def rec(kind, addr, data):
        b = bytes([len(data), addr >> 8 & 0xFF, addr & 0xFF, kind]) + data
        return ":" + (b + bytes([-sum(b) & 0xFF])).hex().upper()

    for addr in records:
        if addr >> 16 != upper:
            upper = addr >> 16
            lines.append(rec(4, 0, upper.to_bytes(2, "big")))
        lines.append(rec(0, addr & 0xFFFF, bytes(range(16))))
    return "\n".join(lines + [":00000001FF"]) + "\n"


def sim_seconds(out):
    return [float(v) for v in re.findall(r"sim: ([0-9.]+) s virtual", out)]


def long_erase(srv, tmp):
    """Data in 15 more sectors of both banks: erasing them takes many
    seconds of the simulator's virtual time; the lines follow that clock."""
    hexfile = os.path.join(tmp, "sectors.hex")
    with open(hexfile, "w") as f:
        f.write(ihex([0x08020000 + 0x20000 * i for i in range(7)] + [0x08100000 + 0x20000 * i for i in range(8)]))
    p = subprocess.run([SWDFLASH, "--server", srv.target(), "deploy", hexfile, "--no-reset"], capture_output=True,
                       text=True, timeout=300)
    check("swdflash deploy writes 15 sectors to erase", p.returncode == 0, (p.stdout + p.stderr)[-600:])
    # No wall-clock tick: virtual time moves only with the erase itself.
    out = gdb(srv.target(), ["monitor sim tick off", "monitor sim", "monitor flash erase all", "monitor sim",
                             "x/2wx 0x08020000", "x/2wx 0x08000000", "detach"])
    t = sim_seconds(out)
    ns = keepalives(out, "flash erase all")
    erased = re.search(r"flash: (\d+) sectors erased", out)
    check("monitor flash erase all erased 16 sectors", erased is not None and erased.group(1) == "16", out[-1500:])
    span = int(t[1] - t[0]) if len(t) == 2 else 0
    # One line per virtual second of the erase (lines from the wall clock
    # may come as well on a slow host).
    check(f"a long erase ({span} s virtual) sends one line per virtual second: 1..{span - 1} at least",
          span >= 5 and set(range(1, span)) <= set(ns) and max(ns) <= span, f"{ns} {t}\n{out[-1500:]}")
    check("reads after the long erase answer correctly", out.count("0xffffffff\t0xffffffff") == 2
          and "Ignoring packet error" not in out, out[-1500:])
    only_in_qrcmd(srv, hexfile)


def only_in_qrcmd(srv, hexfile):
    """The hook goes with the qRcmd: a long vFlash erase after a monitor
    command gets its plain OK, never an O packet (gdb would take one as
    the reply there)."""
    p = subprocess.run([SWDFLASH, "--server", srv.target(), "deploy", hexfile, "--no-reset"], capture_output=True,
                       text=True, timeout=300)
    check("swdflash deploy writes the 15 sectors again", p.returncode == 0, (p.stdout + p.stderr)[-600:])
    r = RSP("127.0.0.1", srv.port, timeout=120)
    try:
        text, reply = monitor(r, "sleep 1500")
        check("raw qRcmd sleep 1500: keep-alive O packets, then OK", "monitor sleep 1500: working (1 s)\n" in text
              and reply == b"OK", repr((text, reply)))
        t0 = sim_seconds(monitor(r, "sim")[0])
        replies = [r.command(pkt) for pkt in
                   (b"vFlashErase:08020000,000e0000", b"vFlashErase:08100000,00100000", b"vFlashDone")]
        t1 = sim_seconds(monitor(r, "sim")[0])
        check("a long vFlash erase after it gets OK with no O packet before it",
              replies == [b"OK", b"OK", b"OK"] and t1[0] - t0[0] > 5, repr((replies, t0, t1)))
    finally:
        r.close()


def through_swdflash(srv):
    """swdflash waits --timeout per reply: the lines keep it waiting too;
    they go to stderr, never into the output or the JSON."""
    wait = "120" if SLOW else "3"  # under valgrind any reply may take longer than 3 s
    p = subprocess.run([SWDFLASH, "--server", srv.target(), "--timeout", wait, "monitor", "sleep", "7000"],
                       capture_output=True, text=True, timeout=300)
    check("swdflash --timeout 3 monitor sleep 7000 succeeds", p.returncode == 0, p.stdout + p.stderr)
    check("swdflash prints the keep-alive lines on stderr, not stdout",
          len(keepalives(p.stderr, "sleep 7000")) >= 1 and "working" not in p.stdout, p.stdout + p.stderr)
    p = subprocess.run([SWDFLASH, "--server", srv.target(), "--json", "--timeout", wait, "monitor", "sleep", "4000"],
                       capture_output=True, text=True, timeout=300)
    check("swdflash --json: no keep-alive text in the JSON", p.returncode == 0 and '"event":"monitor"' in p.stdout
          and "working" not in p.stdout + p.stderr, p.stdout + p.stderr)


def over_remote_probe():
    port = free_port()
    ps = Proc([SERVER, "probe-server", "--probe", "sim", "--target", "stm32h743", "--load", DEMO, "--listen",
               f"127.0.0.1:{port}"])
    try:
        if not check("probe-server starts", ps.wait_for(r"exported on 127\.0\.0\.1") is not None, ps.output):
            return
        with Server(load=None, server=SERVER, extra=["--probe", f"remote://127.0.0.1:{port}"]) as srv:
            sleep_answers("remote probe", srv.target())
            out = gdb(srv.target(), ["monitor flash erase all", "x/2wx 0x08000000", "detach"])
            check("remote probe: monitor flash erase all, then x answers correctly",
                  "0x8000000 <vectors>:\t0xffffffff\t0xffffffff" in out and "Ignoring packet error" not in out,
                  out[-1200:])
    finally:
        ps.stop()


def main():
    tmp = os.path.join("/tmp", f"keepalive-{os.getpid()}")
    os.makedirs(tmp, exist_ok=True)
    with Server(server=SERVER) as srv:
        sleep_answers("sim", srv.target())
        cortex_debug_mi(srv.target())
        through_swdflash(srv)
        long_erase(srv, tmp)
    over_remote_probe()
    finish()


if __name__ == "__main__":
    main()
