"""DWT watchpoints and FPB exhaustion through real gdb (part of issue #4)."""
import re

from harness import Server, check, finish, gdb_batch, nm


def main():
    with Server() as srv:
        out = gdb_batch(srv, [
            "watch demo_state.ticks", "continue", "continue", "delete",
            "rwatch demo_fault_trigger", "continue", "delete",
            "awatch counter", "continue", "continue", "delete",
            "watch demo_state", "continue", "delete",
            "detach"])
        ticks = [int(x) for x in re.findall(r"New value = (\d+)", out)]
        check("watch on a global stops with old/new values",
              re.search(r"Hardware watchpoint 1: demo_state.ticks\s+Old value = (\d+)\s+New value = (\d+)", out)
              is not None, out[:1500])
        m = re.findall(r"Hardware watchpoint 1: demo_state.ticks\s+Old value = (\d+)\s+New value = (\d+)", out)
        check("watch reports consecutive values", len(m) == 2 and int(m[0][1]) == int(m[0][0]) + 1
              and int(m[1][0]) == int(m[0][1]), m)
        check("watch stops at the writing line", re.search(r"main\.c:4[12]", out) is not None or "demo_step" in out,
              out[:1500])
        check("rwatch stops on a read", re.search(r"Hardware read watchpoint 2: demo_fault_trigger\s+Value = 0", out)
              is not None, out[-2500:])
        check("awatch stops on read and on write",
              re.search(r"Hardware access \(read/write\) watchpoint 3: counter\s+Value = \d+", out) is not None
              and re.search(r"watchpoint 3: counter\s+Old value = \d+\s+New value = \d+", out) is not None, out[-2500:])
        check("range watch on a struct", re.search(r"Hardware watchpoint 4: demo_state\s+Old value = \{ticks", out)
              is not None, out[-1500:])
        del ticks
        # FPB exhaustion: 8 comparators on the M7; the 9th hbreak fails with a reason.
        cmds = [f"hbreak *0x{0x08000040 + 4 * i:x}" for i in range(9)] + ["continue"]
        cmds += ["delete 9", "continue", "detach"]
        out = gdb_batch(srv, cmds)
        # The reason is in the Z reply itself (E.reason, issue #14), never
        # queued for the next stop; gdb 13 prints its own text for a failed Z,
        # the server log has ours (test_rsp_errors checks the reply).
        check("the 9th hardware breakpoint is refused with our reason (server log)",
              "all 8 FPB comparators in use" in srv.output, srv.output[-2000:])
        check("after deleting one, the rest are inserted and hit", re.search(r"Breakpoint \d+, ", out) is not None,
              out[-1500:])
        check("gdb reports the failed insertion", "Could not insert hardware breakpoint" in out
              or "Cannot insert hardware breakpoint" in out, out[-2000:])
        out = gdb_batch(srv, ["print demo_state.ticks",
                              'eval "monitor watch 0x%x == %d", &demo_state.ticks, demo_state.ticks + 40',
                              "continue", "print demo_state.ticks", "monitor watch clear",
                              "detach"])
        vals = [int(v) for v in re.findall(r"^\$\d+ = (\d+)", out, re.M)]
        check("monitor watch ADDR == VALUE stops only on that value",
              "data value watch hit" in out and len(vals) == 2 and vals[1] == vals[0] + 40, (vals, out[-800:]))
        # ARMv7-M MASK blocks for lengths 1, 2 and 8 (4 is above).
        out = gdb_batch(srv, ["awatch *(char *)&counter", "continue", "delete",
                              "awatch *(short *)&counter", "continue", "delete",
                              "rwatch demo_double", "continue", "delete", "detach"])
        check("v7 MASK: 1-byte awatch", re.search(r"watchpoint 1: \*\(char \*\)&counter\s+(Old )?[Vv]alue = ", out)
              is not None, out[:1500])
        check("v7 MASK: 2-byte awatch", re.search(r"watchpoint 2: \*\(short \*\)&counter\s+(Old )?[Vv]alue = ", out)
              is not None, out[-2000:])
        check("v7 MASK: 8-byte rwatch", re.search(r"read watchpoint 3: demo_double\s+Value = 3.25", out) is not None,
              out[-1500:])
        out = gdb_batch(srv, ["monitor watch g_state == 3", "continue", "print g_state",
                              "continue", "print g_state", "monitor watch clear", "monitor watch no_such_sym == 1",
                              "detach"])
        vals = re.findall(r"^\$\d+ = (\d+)", out, re.M)
        check("v7: monitor watch g_state == 3 (symbol from the ELF) stops only on that value",
              f"is written to 0x{nm('g_state'):08x} = g_state" in out and vals == ["3", "3"], (vals, out[-800:]))
        check("monitor watch on an unknown symbol: one-line error", "no symbol 'no_such_sym' in the ELF" in out,
              out[-500:])
        out = gdb_batch(srv, ["hbreak compute", "continue", "detach"])
        check("after deleting, a comparator is free again", "Breakpoint 1, compute" in out
              or "breakpoint 1, compute" in out.lower(), out[-1500:])

    # Without an ELF the server cannot resolve names: it says what to do.
    with Server(load=None) as srv:
        out = gdb_batch(srv, ["monitor watch g_state == 3", "detach"])
        check("monitor watch SYMBOL without an ELF: one-line error naming --elf and the address form",
              "no ELF is loaded: start swdbridge with --elf FILE" in out and 'eval "monitor watch 0x%x == 3"' in out,
              out[-600:])


if __name__ == "__main__":
    try:
        main()
    except Exception as e:
        check("watchpoint tests", False, repr(e))
    finish()
