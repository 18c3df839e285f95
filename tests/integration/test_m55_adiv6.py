"""The same debugging on the simulated ADIv6 Cortex-M55 part: AP at 0x200000,
ARMv8-M DWT for watchpoints, code in (writable) TCM so `break` patches BKPT."""
import os
import re

from harness import BUILD, Server, check, finish, gdb_batch

ELF = os.path.join(BUILD, "fw", "demo-m55.elf")


def main():
    with Server(target="adiv6-m55", load=ELF) as srv:
        out = gdb_batch(srv, [
            "info registers pc", "break compute", "continue", "bt", "delete",
            "watch demo_state.ticks", "continue", "delete",
            "rwatch demo_fault_trigger", "continue", "delete",
            "set var demo_fault_trigger = 1", "break HardFault_Handler", "continue", "bt",
            "detach"], elf=ELF)
        check("M55: break in TCM (BKPT patch) and continue",
              re.search(r"Breakpoint 1, compute \(x=", out) is not None, out[:2000])
        check("M55: backtrace", re.search(r"#2 .* main \(\)", out) is not None, out[:2000])
        check("M55: watch with the ARMv8-M DWT",
              re.search(r"Hardware watchpoint 2: demo_state.ticks\s+Old value = (\d+)\s+New value = (\d+)", out)
              is not None, out[-3000:])
        check("M55: rwatch with the ARMv8-M DWT",
              re.search(r"Hardware read watchpoint 3: demo_fault_trigger\s+Value = 0", out) is not None, out[-3000:])
        check("M55: HardFault caught with a usable backtrace",
              "Breakpoint 4, HardFault_Handler" in out and "bad_access" in out, out[-1500:])

    with Server(target="adiv6-m55", load=ELF) as srv:
        # ARMv8-M ranges: an 8-byte variable and an unaligned 6-byte range
        # take an address-limit comparator pair; the data value watch takes
        # the linked data value pair.
        out = gdb_batch(srv, [
            "rwatch demo_double", "continue", "delete",
            "awatch *(char (*)[6])((char *)&demo_state.ticks + 2)", "continue", "delete",
            "watch demo_state", "continue", "delete",
            "monitor watch g_state == 3", "continue", "print g_state",
            "continue", "print g_state", "monitor watch clear",
            "detach"], elf=ELF)
        check("M55: rwatch on an 8-byte double (limit pair)",
              re.search(r"Hardware read watchpoint 1: demo_double\s+Value = 3.25", out) is not None, out[:2000])
        check("M55: awatch on an unaligned 6-byte range",
              re.search(r"Hardware access \(read/write\) watchpoint 2: \*\(char \(\*\)\[6\]\)", out)
              is not None, out[:2500])
        check("M55: range watch on a struct",
              re.search(r"Hardware watchpoint 3: demo_state\s+Old value = \{ticks", out) is not None, out[-2500:])
        vals = re.findall(r"^\$\d+ = (\d+)", out, re.M)
        check("M55: monitor watch g_state == 3 stops only on that value (linked data value)",
              "data value watch hit" in out and vals == ["3", "3"], (vals, out[-1200:]))


if __name__ == "__main__":
    try:
        main()
    except Exception as e:
        check("m55 tests", False, repr(e))
    finish()
