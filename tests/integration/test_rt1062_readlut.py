#!/usr/bin/env python3
"""MIMXRT1062 images whose FCB LUT holds only the read sequence (issue #14
item 1): what Teensy 4.x and many minimal images ship. The boot ROM needs
nothing else; program and erase commands must come from the NOR itself
(SFDP). Two such images (quad read A, fast read B; build/fw/rt1062-readlut-*)
are deployed one after the other with swdflash, each verified and seen
running; then gdb `load` over one of them, compare-sections, running; then
`swdflash erase --all` and `monitor flash erase all` leave the NOR blank.
Once through the on-target loader, once host-driven (--no-loader)."""
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import BUILD, Server, check, finish, gdb_batch  # noqa: E402

SWDFLASH = os.path.join(BUILD, "swdflash")
IMG = {k: os.path.join(BUILD, "fw", f"rt1062-readlut-{k.lower()}.elf") for k in ("A", "B")}


def swdflash(srv, *args):
    p = subprocess.run([SWDFLASH, "--server", srv.target()] + list(args), capture_output=True, text=True,
                       timeout=120)
    return p.returncode, p.stdout + p.stderr


def running(srv, name, label):
    """The image `name` runs: its demo_text, and counter moving across two attaches."""
    o1 = gdb_batch(srv, ["print demo_text", "print counter", "detach"], elf=IMG[name])
    time.sleep(0.3)
    o2 = gdb_batch(srv, ["print counter", "detach"], elf=IMG[name])
    c1 = re.findall(r"\$\d+ = (\d+)", o1)
    c2 = re.findall(r"\$\d+ = (\d+)", o2)
    check(f"{label}: image {name} booted (demo_text)", f'"read-only LUT {name}"' in o1, o1[-800:])
    check(f"{label}: image {name} running (counter moves)", c1 and c2 and int(c2[-1]) > int(c1[-1]),
          f"{c1} {c2}")


def one_path(label, extra):
    with Server(target="mimxrt1062", load=None, extra=extra) as srv:
        for name in ("A", "B"):
            rc, out = swdflash(srv, "deploy", IMG[name])
            check(f"{label}: swdflash deploy {name} over {'a blank NOR' if name == 'A' else 'image A'}",
                  rc == 0 and "verified" in out, out[-600:])
            running(srv, name, label)
        out = gdb_batch(srv, ["load", "compare-sections", "monitor reset run", "detach"], elf=IMG["A"])
        check(f"{label}: gdb load of A over B's read-only-LUT FCB", "Transfer rate" in out and
              "MIS-MATCHED" not in out and out.count("matched.") >= 3, out[-1200:])
        running(srv, "A", label + " after gdb load")
        rc, out = swdflash(srv, "erase", "--all")
        check(f"{label}: swdflash erase --all after a read-only-LUT image", rc == 0, out[-600:])
        out = gdb_batch(srv, ["x/4wx 0x60000000", "x/4wx 0x60002000", "detach"], elf=IMG["A"])
        check(f"{label}: NOR blank after erase --all",
              out.count("0xffffffff\t0xffffffff\t0xffffffff\t0xffffffff") == 2, out[-600:])
        rc, out = swdflash(srv, "deploy", IMG["B"])
        check(f"{label}: deploy B onto the erased NOR", rc == 0 and "verified" in out, out[-600:])
        # The blank check of 8 MiB may take longer than gdb's default 2 s
        # remotetimeout: the server's keep-alive lines keep gdb waiting
        # (test_keepalive.py), so the default stays.
        out = gdb_batch(srv, ["monitor flash erase all", "x/4wx 0x60000000", "detach"], elf=IMG["B"])
        check(f"{label}: monitor flash erase all over a read-only-LUT image",
              "0xffffffff\t0xffffffff\t0xffffffff\t0xffffffff" in out and "fail" not in out.lower(), out[-800:])
        check(f"{label}: the server said where the sequences came from",
              "the FCB's LUT lacks program/erase sequences (normal: it is for the boot ROM); LUT from SFDP"
              in srv.output, srv.output[-1500:])


def main():
    one_path("loader", [])
    one_path("--no-loader", ["--no-loader"])


if __name__ == "__main__":
    try:
        main()
    except Exception as e:  # a crash is a failed check, not a silent pass
        import traceback
        traceback.print_exc()
        check("rt1062 read-only LUT tests", False, repr(e))
    finish()
