"""Stepping cost in probe round trips (issue #20; deterministic counts from
the simulator, no clock): a bare vCont;s is answered after one round trip,
a gdb `stepi` (vCont;s, g, and a dozen small reads of the code around the
PC) costs at most 3, because `g` is one exchange (banked DCRSR/DCRDR
access) and flash reads go through a read cache. The cache
must never show stale flash: after a `load` of a changed image, after
`monitor flash erase` and after a reset, gdb reads the new contents."""
import os
import re
import subprocess
import tempfile
import types

from harness import DEMO, SERVER, Server, check, finish, free_port, gdb_batch
from rsp_client import RSP, monitor

SIM = re.compile(r"sim: ([0-9.]+) s virtual, \d+ resets, (\d+) round trips")


def round_trips(rsp):
    return int(SIM.search(monitor(rsp, "sim")[0]).group(2))


def bare_step():
    with Server() as srv:
        rsp = RSP("127.0.0.1", srv.port)
        monitor(rsp, "halt")
        monitor(rsp, "sim tick off")
        counts = []
        for _ in range(3):
            rt0 = round_trips(rsp)
            stop = rsp.command(b"vCont;s:1;c")
            counts.append(round_trips(rsp) - rt0)
            check("vCont;s answers with a stop reply carrying SP, LR and PC",
                  stop.startswith(b"T05") and b"0d:" in stop and b"0f:" in stop, stop)
        check("vCont;s costs one probe round trip to its stop reply", max(counts) == 1, counts)
        # The registers the stop reply carried are cached: reading PC is free.
        rt0 = round_trips(rsp)
        pc = rsp.command(b"p0f")
        check("the PC of the stop reply comes from the register cache", round_trips(rsp) - rt0 == 0, pc)
        rsp.close()


def gdb_stepi():
    with Server() as srv:
        # Straight-line stepping in one place (the demo's delay loop), not
        # wherever a wall-clock halt lands: stepping into a call makes gdb
        # unwind through the stack in RAM, which no cache may serve.
        out = gdb_batch(srv, ["break delay", "continue", "delete", "monitor sim tick off",
                              "stepi", "stepi", "stepi", "stepi", "monitor sim", "stepi",
                              "monitor sim", "stepi", "stepi", "stepi", "stepi", "monitor sim", "detach"])
        rts = [int(m.group(2)) for m in SIM.finditer(out)]
        check("gdb printed the simulator's counters", len(rts) == 3, out[-1500:])
        if len(rts) == 3:
            print(f"INFO: gdb stepi: {rts[1] - rts[0]} probe round trips; four stepi: {rts[2] - rts[1]}")
            # vCont;s, gdb's g (one exchange through the banked registers)
            # and its code reads (mostly from the flash read cache).
            check("one gdb stepi costs at most 3 probe round trips", rts[1] - rts[0] <= 3,
                  f"{rts[1] - rts[0]} round trips")
            check("four stepi cost at most 12 probe round trips", rts[2] - rts[1] <= 12,
                  f"{rts[2] - rts[1]} round trips")


def remote_stepi():
    """The same over `--probe remote://` with 1 ms of modelled LAN round
    trip per request: one request is one LAN round trip."""
    tmp = tempfile.mkdtemp()
    psk = os.path.join(tmp, "psk")
    with open(psk, "w") as f:
        f.write("t:" + os.urandom(32).hex() + "\n")
    os.chmod(psk, 0o600)
    ps = subprocess.Popen([SERVER, "probe-server", "--probe", "sim", "--target", "stm32h743", "--load", DEMO,
                           "--listen", "127.0.0.1:0", "--psk-file", psk, "--lan-rtt-us", "1000"],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        addr = next(m.group(1) for m in (re.search(r"exported on (127\.0\.0\.1:\d+)", l) for l in ps.stdout) if m)
        port = free_port()
        srv = subprocess.Popen([SERVER, "--probe", "remote://" + addr, "--psk-file", psk, "--target", "stm32h743",
                                "--port", str(port), "--elf", DEMO],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        next(l for l in srv.stdout if "gdb port" in l)
        out = gdb_batch(types.SimpleNamespace(target=lambda: f"127.0.0.1:{port}"),
                        ["break delay", "continue", "delete", "stepi", "stepi", "monitor probe", "stepi",
                         "monitor probe", "detach"])
        srv.terminate()
        srv.wait(timeout=10)
    finally:
        ps.terminate()
        ps.wait(timeout=10)
    rts = [int(x) for x in re.findall(r"probe remote: (\d+) round trips", out)]
    if len(rts) == 2:
        print(f"INFO: gdb stepi over remote://: {rts[1] - rts[0]} LAN round trips")
    check("gdb stepi over remote:// costs at most 4 LAN round trips", len(rts) == 2 and rts[1] - rts[0] <= 4,
          rts or out[-1500:])


def stale_flash():
    """Flash contents gdb read while stepping must not survive a change."""
    tmp = tempfile.mkdtemp()
    a, b = os.path.join(tmp, "a.bin"), os.path.join(tmp, "b.bin")
    open(a, "wb").write(bytes(range(256)) * 4)
    open(b, "wb").write(bytes(255 - (i & 0xFF) for i in range(1024)))
    addr = 0x08100000  # bank 2: the demo does not live there
    for f in (a, b):  # raw bytes into an ELF gdb can `load` into flash
        subprocess.run(["arm-none-eabi-objcopy", "-I", "binary", "-O", "elf32-littlearm", "-B", "arm",
                        "--rename-section", ".data=.img,alloc,load,contents",
                        "--change-section-address", f".data={addr:#x}", f, f + ".elf"], check=True)
    with Server() as srv:
        out = gdb_batch(srv, ["monitor halt",
                              f"load {a}.elf", "x/2xw 0x08100000", "stepi", "x/2xw 0x08100000",
                              f"load {b}.elf", "x/2xw 0x08100000",
                              "monitor flash erase 0x08100000 0x20000", "x/2xw 0x08100000",
                              "monitor reset halt", "x/2xw 0x08100000", "detach"])
        words = re.findall(r"0x8100000:\s+(0x[0-9a-f]+)\s+(0x[0-9a-f]+)", out)
        check("gdb read the flash five times", len(words) == 5, out[-2000:])
        if len(words) == 5:
            check("flash written through gdb reads back", words[0] == ("0x03020100", "0x07060504"), words)
            check("a step keeps the cached contents", words[1] == words[0], words)
            check("a second image replaces the cached contents", words[2] == ("0xfcfdfeff", "0xf8f9fafb"), words)
            check("monitor flash erase drops the cached contents", words[3] == ("0xffffffff", "0xffffffff"), words)
            check("a reset keeps it erased", words[4] == ("0xffffffff", "0xffffffff"), words)


def main():
    bare_step()
    gdb_stepi()
    remote_stepi()
    stale_flash()


if __name__ == "__main__":
    try:
        main()
    except (OSError, subprocess.SubprocessError, ValueError) as e:
        check("step round-trip tests ran", False, repr(e))
    finish()
