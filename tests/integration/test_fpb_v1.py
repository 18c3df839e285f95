"""FPB v1 (ARMv7-M C1.11, FP_CTRL.REV 0) on the simulated STM32F407
(Cortex-M4F: 6 instruction comparators, code region only) through real gdb."""
import os
import re

from harness import BUILD, Server, check, finish, gdb_batch, nm

ELF = os.path.join(BUILD, "fw", "demo-f407.elf")


def main():
    with Server(target="stm32f407", load=ELF) as srv:
        out = gdb_batch(srv, ["info registers pc", "hbreak compute", "continue", "bt", "delete",
                              "hbreak *0x20000100", "continue", "delete", "hbreak demo_step", "continue",
                              "delete", "detach"], elf=ELF)
        check("F407: hbreak in flash with FPB v1 (REPLACE lower halfword)",
              re.search(r"Breakpoint 1, compute \(x=", out) is not None, out[:2000])
        check("F407: backtrace", re.search(r"#2 .* main \(\)", out) is not None, out[:2000])
        check("F407: hbreak above 0x20000000 refused with the reason",
              "Cannot insert hardware breakpoint 2" in out or "Could not insert hardware breakpoint" in out, out[-2500:])
        # The reason is in the Z reply (E.reason, issue #14); gdb 13 prints
        # its own text for a failed Z, so look for ours on the server log.
        check("F407: the reason names FPB v1 and the code region (server log)",
              "FPB v1 covers only the code region 0x00000000-0x1FFFFFFF" in srv.output, srv.output[-2500:])
        check("F407: the next hbreak works", re.search(r"Breakpoint 3, (0x[0-9a-f]+ in )?demo_step", out) is not None,
              out[-1500:])
        # Exhaustion: 6 comparators; halfword-aligned addresses use both
        # REPLACE encodings (lower at +0, upper at +2).
        base = nm("demo_step", ELF)
        cmds = [f"hbreak *0x{base + 2 * i:x}" for i in range(7)] + ["continue", "delete 7", "continue", "delete",
                                                                    "detach"]
        out = gdb_batch(srv, cmds, elf=ELF)
        check("F407: the 7th hbreak is refused: all 6 FPB comparators in use (server log)",
              "all 6 FPB comparators in use" in srv.output, srv.output[-2000:])
        check("F407: after deleting it, the others are hit", re.search(r"Breakpoint \d+, ", out) is not None,
              out[-1500:])
        out = gdb_batch(srv, ["watch demo_state.ticks", "continue", "delete", "monitor watch g_state == 3",
                              "continue", "print g_state", "monitor watch clear", "detach"], elf=ELF)
        check("F407: DWT v7 watch and data value watch",
              re.search(r"Hardware watchpoint 1: demo_state.ticks\s+Old value = \d+\s+New value = \d+", out)
              is not None and re.search(r"^\$1 = 3$", out, re.M) is not None, out[-2000:])


if __name__ == "__main__":
    try:
        main()
    except Exception as e:
        check("fpb v1 tests", False, repr(e))
    finish()
