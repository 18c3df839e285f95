#!/usr/bin/env python3
"""RTT after a rebuild (issue #14 item 6). The server was started with the
ELF of one build (build/fw/demo-h743.elf); the firmware is then replaced
by a build whose _SEGGER_RTT sits 1 KiB higher (demo-h743-rttmoved.elf):
  - loaded with gdb: the server finds the block by a RAM scan although its
    ELF names another address;
  - deployed with `swdflash deploy --rtt`: swdflash tells the server the new
    ELF's address (monitor rtt address), the text streams;
  - the server's ELF file rebuilt in place: `monitor rtt address
    _SEGGER_RTT` reads it again;
  - a build without RTT at all (demo-h743-nortt.elf): `deploy --rtt` says
    the image has no RTT control block, exit 6, not "Connection refused"."""
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import BUILD, DEMO, Server, check, finish, free_port, gdb_batch, nm  # noqa: E402

SWDFLASH = os.path.join(BUILD, "swdflash")
MOVED = os.path.join(BUILD, "fw", "demo-h743-rttmoved.elf")
NORTT = os.path.join(BUILD, "fw", "demo-h743-nortt.elf")


def ticks(port, seconds=3.0):
    """RTT tick lines that arrive on port within `seconds`."""
    data, deadline = b"", time.time() + seconds
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=2)
    except OSError as e:
        return [], repr(e)
    s.settimeout(0.1)
    while time.time() < deadline and len(re.findall(rb"rtt: tick \d+\n", data)) < 3:
        try:
            data += s.recv(4096)
        except socket.timeout:
            pass
    s.close()
    return re.findall(rb"rtt: tick (\d+)\n", data), data[-200:]


def gdb_load_then_scan():
    old, new = nm("_SEGGER_RTT", DEMO), nm("_SEGGER_RTT", MOVED)
    check("the two builds place _SEGGER_RTT differently", old != new, f"{old:#x} {new:#x}")
    base = free_port()
    with Server(load=DEMO, extra=["--rtt", "--rtt-port", str(base)]) as srv:
        out = gdb_batch(srv, ["load", "monitor reset run", "detach"], elf=MOVED)
        check("gdb load of the rebuilt firmware", "Transfer rate" in out, out[-800:])
        deadline, status = time.time() + 15, ""
        while time.time() < deadline and f"control block at 0x{new:08x}" not in status:
            time.sleep(0.3)
            status = gdb_batch(srv, ["monitor rtt status", "detach"], elf=MOVED)
        check("server with the old build's ELF finds the moved block by scanning RAM",
              f"control block at 0x{new:08x} (scan)" in status, status[-800:] + srv.output[-1500:])
        check("... and says the ELF's address held none",
              f"no control block at the ELF's _SEGGER_RTT 0x{old:08x}" in srv.output, srv.output[-1500:])
        lines, tail = ticks(base)
        check("RTT text of the rebuilt firmware streams", len(lines) >= 2, tail)


def swdflash_tells_address():
    new = nm("_SEGGER_RTT", MOVED)
    base = free_port()
    with Server(load=DEMO, extra=["--rtt-port", str(base)]) as srv:
        p = subprocess.Popen([SWDFLASH, "--server", srv.target(), "--rtt-port", str(base), "deploy", MOVED, "--rtt"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        out, deadline = b"", time.time() + 20
        os.set_blocking(p.stdout.fileno(), False)
        while time.time() < deadline and out.count(b"rtt: tick") < 2 and p.poll() is None:
            try:
                out += os.read(p.stdout.fileno(), 4096)
            except BlockingIOError:
                time.sleep(0.05)
        p.send_signal(signal.SIGINT)
        rest, err = p.communicate(timeout=20)
        out, err = (out + (rest or b"")).decode(errors="replace"), err.decode(errors="replace")
        check("swdflash deploy --rtt of the rebuilt firmware streams its RTT text", "rtt: tick" in out,
              out[-300:] + err[-500:])
        check("deploy --rtt ends cleanly on Ctrl-C", p.returncode == 0, f"rc {p.returncode}: {err[-500:]}")
        status = gdb_batch(srv, ["monitor rtt status", "detach"], elf=MOVED)
        check("swdflash told the server the new ELF's address",
              f"control block at 0x{new:08x} (user)" in status, status[-800:])


def no_rtt_firmware():
    """The ELF says it at once (no _SEGGER_RTT); the same build as Intel HEX
    has no symbols, so the server's RAM scan has to finish first."""
    hexfile = os.path.join(tempfile.mkdtemp(prefix="nortt-"), "nortt.hex")
    subprocess.run(["arm-none-eabi-objcopy", "-O", "ihex", NORTT, hexfile], check=True)
    for path, why in ((NORTT, "(no _SEGGER_RTT in its symbol table)"),
                      (hexfile, "a whole scan of the target's RAM found none")):
        t0 = time.time()
        p = subprocess.run([SWDFLASH, "--probe", "sim", "--target", "stm32h743", "--rtt-port", str(free_port()),
                            "deploy", path, "--rtt"], capture_output=True, text=True, timeout=90)
        err, kind = p.stderr, os.path.splitext(path)[1]
        print(f"INFO: deploy --rtt of the {kind} without RTT answered in {time.time() - t0:.1f} s (wall)")
        check(f"deploy --rtt of firmware without RTT ({kind}): exit 6", p.returncode == 6,
              f"rc {p.returncode}: {err[-500:]}")
        check(f"... saying it has no RTT control block ({kind})", "has no RTT control block" in err and why in err
              and "refused" not in err, err[-500:])


def rebuilt_elf_reread():
    """The ELF the server was started with is rebuilt in place (same path):
    `monitor rtt address _SEGGER_RTT` reads it again and uses the new
    build's address, not the one from start-up."""
    old, new = nm("_SEGGER_RTT", DEMO), nm("_SEGGER_RTT", MOVED)
    path = os.path.join(tempfile.mkdtemp(prefix="rebuild-"), "firmware.elf")
    shutil.copyfile(DEMO, path)
    with Server(load=path) as srv:
        out = gdb_batch(srv, ["load", "monitor reset run", "detach"], elf=MOVED)
        check("the rebuilt firmware loaded with gdb", "Transfer rate" in out, out[-800:])
        time.sleep(0.2)
        shutil.copyfile(MOVED, path)  # the build writes the new ELF over the old one
        out = gdb_batch(srv, ["monitor rtt address _SEGGER_RTT", "detach"], elf=path)
        deadline = time.time() + 10
        while time.time() < deadline and f"control block at 0x{new:08x}" not in out:
            time.sleep(0.3)
            out += gdb_batch(srv, ["monitor rtt status", "detach"], elf=path)
        check("monitor rtt address _SEGGER_RTT after a rebuild in place: the new ELF is read",
              f"_SEGGER_RTT now at 0x{new:08x}" in out and f"control block at 0x{new:08x} (user)" in out and
              f"0x{old:08x}" not in out, out[-1000:])


def main():
    gdb_load_then_scan()
    swdflash_tells_address()
    rebuilt_elf_reread()
    no_rtt_firmware()


if __name__ == "__main__":
    try:
        main()
    except Exception as e:  # a crash is a failed check, not a silent pass
        import traceback
        traceback.print_exc()
        check("rtt rebuild tests", False, repr(e))
    finish()
