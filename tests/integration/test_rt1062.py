"""MIMXRT1062 on the simulator: the demo boots XIP from the FlexSPI NOR
through the boot ROM (FCB + IVT); gdb attaches to it without a reset and
without touching FlexSPI; the gdb suite (registers, break, step, watch,
memory); gdb `load` of the XIP image into a blank NOR through the host-
driven FlexSPI driver, compare-sections, then reset and run."""
import os
import re
import time

from harness import BUILD, Server, check, finish, gdb_batch

ELF = os.path.join(BUILD, "fw", "demo-rt1062.elf")
FSPI_DUMP = "x/64wx 0x402A8000"


def regs(out):
    """The FlexSPI register words printed by FSPI_DUMP."""
    words = []
    for line in out.splitlines():
        m = re.match(r"0x402a8[0-9a-f]{3}:\s+(.*)", line)
        if m:
            words += m.group(1).split()
    return words


def counter(out):
    m = re.search(r"\$\d+ = (\d+)", out)
    return int(m.group(1)) if m else None


def resets(out):
    m = re.search(r"sim: [\d.]+ s virtual, (\d+) resets", out)
    return int(m.group(1)) if m else None


def attach_running():
    with Server(target="mimxrt1062", load=ELF) as srv:
        out1 = gdb_batch(srv, ["print counter", "info registers pc", FSPI_DUMP, "monitor sim", "detach"], elf=ELF)
        time.sleep(0.5)
        out2 = gdb_batch(srv, ["print counter", FSPI_DUMP, "monitor sim", "detach"], elf=ELF)
        r1, r2 = regs(out1), regs(out2)
        check("RT1062: XIP image running from the NOR after the boot ROM",
              re.search(r"pc\s+0x600[0-9a-f]{5}", out1) is not None, out1[-1500:])
        check("RT1062: FlexSPI enabled by the ROM (MCR0.MDIS clear), LUT seq 0 from the FCB",
              len(r1) == 64 and int(r1[0], 16) & 2 == 0, out1[-1500:])
        check("RT1062: FlexSPI registers identical across attach/detach", r1 == r2 and len(r1) == 64,
              f"{r1}\n{r2}")
        check("RT1062: no reset on attach (only the power-on reset counted)",
              resets(out1) == 1 and resets(out2) == 1, out1[-500:] + out2[-500:])
        c1, c2 = counter(out1), counter(out2)
        check("RT1062: counter keeps increasing across the attach", c1 is not None and c2 is not None and c2 > c1,
              f"{c1} -> {c2}")


def gdb_suite():
    with Server(target="mimxrt1062", load=ELF) as srv:
        out = gdb_batch(srv, [
            "info registers pc sp xpsr", "break compute", "continue", "bt", "next", "step", "finish",
            "delete", "watch demo_state.ticks", "continue", "delete",
            "print demo_state.name", "set var demo_int = 1234", "print demo_int",
            "x/2wx &demo_buffer", "detach"], elf=ELF)
        check("RT1062: registers", re.search(r"sp\s+0x2001[0-9a-f]{4}", out) is not None, out[:1500])
        check("RT1062: hardware breakpoint in XIP flash",
              re.search(r"Breakpoint 1, compute \(x=", out) is not None, out[:2000])
        check("RT1062: backtrace", re.search(r"#2 .* main \(\)", out) is not None, out[:2000])
        check("RT1062: step into leaf_scale", "leaf_scale (v=" in out, out[:2500])
        check("RT1062: watchpoint", re.search(r"Hardware watchpoint 2: demo_state.ticks\s+Old value = \d+\s+New value",
                                              out) is not None, out[-2500:])
        check("RT1062: memory read/write", '"openmv' in out and "= 1234" in out, out[-1500:])


def load_and_run():
    with Server(target="mimxrt1062", load=None) as srv:
        out = gdb_batch(srv, ["monitor reset halt", "maintenance flush register-cache", "info registers pc",
                              "load", "compare-sections", "monitor reset halt", "maintenance flush register-cache",
                              "info registers pc", "break compute", "continue", "print counter", "monitor sim",
                              "detach"], elf=ELF)
        check("RT1062: gdb load into the blank NOR", "Transfer rate" in out and "Start address" in out, out[-2000:])
        check("RT1062: compare-sections matches (FCB/IVT, vectors, text, data)",
              out.count("matched.") == 4 and "MIS-MATCHED" not in out, out[-2000:])
        check("RT1062: reset halt without an image stops in the boot ROM",
              re.search(r"pc\s+0x0*200[0-9a-f]{3}\s", out) is not None, out[-2000:])
        check("RT1062: reset halt with an XIP image stops at its reset handler (FPB on the IVT entry)",
              re.search(r"pc\s+0x6000[0-9a-f]{4}\s+0x6000[0-9a-f]{4} <Reset_Handler>", out) is not None,
              out[-2000:])
        check("RT1062: the loaded image boots through the ROM and runs",
              "Breakpoint 1, compute" in out, out[-1500:])
        srv.stop()
        check("RT1062: LUT taken from SFDP for the blank part", "LUT from SFDP" in srv.output, srv.output[-1500:])


def main():
    attach_running()
    gdb_suite()
    load_and_run()


if __name__ == "__main__":
    try:
        main()
    except Exception as e:
        import traceback
        traceback.print_exc()
        check("rt1062 tests", False, repr(e))
    finish()
