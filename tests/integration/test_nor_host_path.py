#!/usr/bin/env python3
"""The host-driven NOR drivers (--no-loader: FlexSPI IP commands and XSPI2
indirect mode driven over the MEM-AP, targets/mimxrt1062_flexspi.c and
targets/stm32n657_xspi.c) still program and verify: gdb `load` into a blank
NOR, compare-sections, and the log names the path. The on-target loaders
are covered by test_rt1062.py / test_n657.py."""
import os
import sys

from harness import BUILD, Server, check, finish, gdb_batch


def one(target, elf):
    with Server(target=target, load=None, extra=["--no-loader"]) as srv:
        out = gdb_batch(srv, ["load", "compare-sections", "detach"], elf=elf, timeout=300)
        check(f"{target} host-driven: load", "Transfer rate" in out, out[-1200:])
        check(f"{target} host-driven: compare-sections matches", "matched." in out and "MIS-MATCHED" not in out,
              out[-1200:])
        srv.stop()
    check(f"{target} host-driven: the log names the path", "(host-driven)" in srv.output, srv.output[-800:])


def main():
    one("mimxrt1062", os.path.join(BUILD, "fw", "demo-rt1062.elf"))
    one("stm32n657", os.path.join(BUILD, "fw", "demo-n657.elf"))


if __name__ == "__main__":
    try:
        main()
    except Exception as e:
        check("host-driven NOR tests", False, repr(e))
    sys.exit(finish())
