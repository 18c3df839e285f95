#!/usr/bin/env python3
"""`swdflash deploy` of each external-flash and multi-core chip's demo
(issue 6): MIMXRT1062 (QSPI NOR through the FlexSPI loader), STM32N657
(XSPI2 NOR through its loader) and the Alif AE3 (MRAM, HP and HE each
through its own gdb port). Each deploy verifies by CRC, resets, and the demo
then runs (its counter increases); a second deploy erases and sends
nothing; an image for another chip is refused before anything is erased."""
import json
import os
import struct
import subprocess
import sys
import time

from harness import BUILD, Server, check, finish, nm
from rsp_client import RSP

SWDFLASH = os.path.join(BUILD, "swdflash")
FW = os.path.join(BUILD, "fw")


def deploy(port, elf):
    p = subprocess.run([SWDFLASH, "--server", f"127.0.0.1:{port}", "--json", "deploy", elf],
                       capture_output=True, text=True, timeout=600)
    evs = []
    for line in p.stdout.splitlines():
        try:
            evs.append(json.loads(line))
        except ValueError:
            pass
    return p.returncode, evs, p.stderr


def read_u32(port, addr):
    c = RSP("127.0.0.1", port)
    try:
        r = c.command(b"m%x,4" % addr)
    finally:
        c.close()
    return struct.unpack("<I", bytes.fromhex(r.decode()))[0] if len(r) == 8 else None


def runs(port, elf, name):
    addr = nm("counter", elf)
    a = read_u32(port, addr)
    time.sleep(0.6)
    b = read_u32(port, addr)
    check(f"{name}: the demo runs after the deploy (counter {a} -> {b})", a is not None and b is not None and b > a)


def deploy_twice(port, elf, name):
    rc, evs, err = deploy(port, elf)
    verified = [e for e in evs if e.get("event") == "verify"]
    check(f"{name}: deploy succeeds", rc == 0 and evs and evs[-1].get("event") == "done", err[-800:])
    check(f"{name}: every run verified by CRC", verified and all(e.get("ok") for e in verified), str(evs)[-800:])
    runs(port, elf, name)
    rc, evs, err = deploy(port, elf)
    done = [e for e in evs if e.get("event") == "done"]
    check(f"{name}: a second deploy erases and sends nothing",
          rc == 0 and done and done[0].get("sectors_erased") == 0 and done[0].get("bytes_flash") == 0,
          str(done) + err[-500:])


def main():
    for target, elf in (("mimxrt1062", "demo-rt1062.elf"), ("stm32n657", "demo-n657.elf")):
        with Server(target=target, load=None) as srv:
            deploy_twice(srv.port, os.path.join(FW, elf), target)
            rc, evs, err = deploy(srv.port, os.path.join(FW, "demo-h743.elf"))
            check(f"{target}: an image for another chip is refused (exit 2)", rc == 2, err[-500:])
            runs(srv.port, os.path.join(FW, elf), target + " after the refused image")
    hp, he = os.path.join(FW, "demo-ae3-hp.elf"), os.path.join(FW, "demo-ae3-he.elf")
    # HP's firmware starts HE (PPU-HE on); HE's MRAM is still blank, so the
    # server comes up with both ports and HE's demo is deployed through its own.
    with Server(target="ae3", load=hp) as srv:
        check("ae3: HE served once HP's firmware started it", f"core he: gdb port 127.0.0.1:{srv.port + 1}"
              in srv.output, srv.output[-800:])
        deploy_twice(srv.port, hp, "ae3 HP")
        deploy_twice(srv.port + 1, he, "ae3 HE")
        runs(srv.port, hp, "ae3 HP after HE's deploy")


if __name__ == "__main__":
    try:
        main()
    except Exception as e:
        check("deploy tests", False, repr(e))
    sys.exit(finish())
