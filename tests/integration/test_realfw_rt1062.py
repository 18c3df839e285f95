"""Our own RT1062 firmware (firmware/realfw, from the i.MX RT1060 RM) on the
simulated RT1062: booted by the ROM from the FlexSPI NOR, its reset handler
repartitions FlexRAM through IOMUXC_GPR17/16/14 (64 KiB ITCM, 384 KiB
DTCM, 64 KiB OCRAM) and puts the stack at the top of the new DTCM, beyond
the fuse default's 128 KiB; it waits for DCDC_REG0.STS_DC_OK and the ARM
and USB1 PLL LOCK bits, runs code from ITCM with a 32 KiB stack frame,
counts SysTick interrupts and runs the double-precision loop."""
import os
import re

from harness import BUILD, Server, check, finish, gdb_batch
from test_realfw_h743 import expected_dp, value

ELF = os.path.join(BUILD, "fw", "realfw-rt1062.elf")


def main():
    with Server(target="mimxrt1062", load=ELF) as srv:
        out = gdb_batch(srv, [
            "monitor reset halt", "x/wx 0x20030000", "x/wx 0x00018000",
            "break main", "continue", "print $sp", "print clock_stage",
            "break SysTick_Handler", "ignore 2 2", "continue", "print ticks", "bt",
            "print clock_ok", "print stack_sum", "print loops", "print fault_count",
            "x/wx 0x400ac044", "x/wx 0x400d8000", "x/wx 0x400d8010",
            "x/wx 0x2005ff00", "x/wx 0x20060000", "x/wx 0x00010000", "x/wx 0x2028fff0", "x/wx 0x20290000",
            "x/10gx &dp_out", "detach"], elf=ELF, timeout=120)
        check("fuse default before the repartition: no DTCM above 128 KiB, ITCM up to 128 KiB",
              "Cannot access memory at address 0x20030000" in out and
              re.search(r"0x18000:\s+0x[0-9a-f]{8}", out) is not None, out[-3000:])
        check("firmware reaches main with SP in the repartitioned DTCM (above 128 KiB)",
              re.search(r"Breakpoint 1, main \(\)", out) is not None and
              (lambda m: m is not None and 0x20020000 < int(m.group(1), 16) <= 0x20060000)(
                  re.search(r"^\$1 = \(void \*\) (0x[0-9a-f]+)", out, re.M)) and value(out, "2") == "0", out[-3000:])
        check("clock set-up passes: DCDC ok, ARM PLL and USB1 PLL locked (LOCK bits set)",
              value(out, "4") == "1" and
              re.search(r"0x400d8000:\s+0x80002064", out) is not None and
              re.search(r"0x400d8010:\s+0x80003040", out) is not None, out[-3000:])
        check("a 32 KiB stack frame from ITCM code works (stack_sum)", value(out, "5") == str(0x1234 * 2 + 8191),
              out[-3000:])
        check("SysTick interrupts counted, handler frame unwinds to main, loop runs, no fault",
              value(out, "3") == "2" and re.search(r"<signal handler called>\s*\n#2\s+.*main \(\)", out) is not None
              and value(out, "6") not in (None, "0") and value(out, "7") == "0", out[-3000:])
        check("GPR17 holds the bank configuration", re.search(r"0x400ac044.*:\s+0x5aaaaaaf", out) is not None,
              out[-3000:])
        check("memory map follows the banks: DTCM ends at 384 KiB, ITCM at 64 KiB, OCRAM at 64 KiB",
              re.search(r"0x2005ff00:\s+0x[0-9a-f]{8}", out) is not None and
              "Cannot access memory at address 0x20060000" in out and
              "Cannot access memory at address 0x10000" in out and
              re.search(r"0x2028fff0:\s+0x[0-9a-f]{8}", out) is not None and
              "Cannot access memory at address 0x20290000" in out, out[-3000:])
        got = [int(w, 16) for w in re.findall(r"<dp_out(?:\+\d+)?>:\s+(0x[0-9a-f]{16})\s+(0x[0-9a-f]{16})", out)
               for w in w]
        check("double-precision results bit-exact on the RT1062's M7", got == expected_dp(),
              f"got {[hex(g) for g in got]}")


if __name__ == "__main__":
    try:
        main()
    except Exception as e:
        check("realfw RT1062 tests", False, repr(e))
    finish()
