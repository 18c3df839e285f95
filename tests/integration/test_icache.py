#!/usr/bin/env python3
"""The Cortex-M7 I-cache against gdb (issue #18): our firmware
(firmware/icache/icache.c) runs a routine at 0x24000000, the H7 flash
loader's place, with CCR.IC set. The server writes code over those cached
lines three ways and must invalidate the I-cache (ICIALLU, ARMv7-M ARM
B2.2.7) each time before the core runs again:
- compare-sections: a loader call (CRC on the target) whose RAM is put
  back afterwards; the firmware's routine must still return 1023;
- gdb writes new code there (movs r0, #5; bx lr) and continues: the
  firmware must see 5;
- load: the loader runs over the lines; it must not crash."""
import os
import re
import subprocess

from harness import BUILD, Server, check, finish, gdb_batch

FW = os.path.join(BUILD, "fw", "icache-h743.elf")
RAM_INSNS = 0x800 // 2 - 1


def values(out):
    return [int(v, 0) for v in re.findall(r"^\$\d+ = (\S+)", out, re.M)]


def gdb(srv, commands, timeout=60):
    """A continue that never comes back (the core lost in stale code) is a
    timeout: report it as such."""
    try:
        return gdb_batch(srv, commands, elf=FW, timeout=timeout)
    except subprocess.TimeoutExpired as e:
        out = e.stdout.decode(errors="replace") if isinstance(e.stdout, bytes) else (e.stdout or "")
        return "TIMEOUT (a continue never stopped again)\n" + out


def main():
    with Server(load=FW) as srv:
        out = gdb(srv, ["break ram_checked", "continue", "print/x icache_calls", "print icache_last",
                        "print icache_bad", "compare-sections", "continue", "continue",
                        "print icache_last", "print icache_bad", "detach"])
        v = values(out)
        check("the firmware ran its cached RAM routine before the debugger came",
              len(v) >= 3 and v[0] > 0 and v[1] == RAM_INSNS and v[2] == 0, out[-1500:])
        check("compare-sections used the target's CRC and matched", "MIS-MATCHED" not in out
              and re.search(r"matched", out) is not None, out[-1500:])
        check("after compare-sections (a loader call over the cached routine) the routine runs right",
              "TIMEOUT" not in out and len(v) >= 5 and v[3] == RAM_INSNS and v[4] == 0,
              f"icache_last/icache_bad after: {v[3:5]} (stale loader lines in the I-cache?)\n" + out[-1500:])
        srv.stop()

    with Server(load=FW) as srv:
        out = gdb(srv, ["break ram_checked", "continue", "set {unsigned int}0x24000000 = 0x47702005",
                        "continue", "continue", "print icache_last", "detach"])
        v = values(out)
        check("gdb's write of new code over a cached line runs after continue",
              v[-1:] == [5], f"icache_last {v[-1:]} (5 expected; {RAM_INSNS}: the stale line ran)\n" + out[-1500:])
        srv.stop()

    with Server(load=FW) as srv:
        out = gdb(srv, ["break ram_checked", "continue", "load", "detach"], timeout=120)
        check("load runs the flash loader over the firmware's cached RAM code without crashing",
              "Start address" in out and "crashed" not in out and "rror" not in out, out[-1500:])
        srv.stop()


if __name__ == "__main__":
    main()
    finish()
