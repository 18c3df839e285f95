"""Non-stop attach (part of issue #4): gdb with `set non-stop on` attaches to
the running demo without halting it, reads memory while it runs (live
watch), interrupts it, resumes it and detaches."""
import re
import time

from harness import DEMO, MI, Server, check, finish


def value(lines):
    m = re.search(r'value="(\d+)"', lines[-1])
    return int(m.group(1)) if m else -1


def main():
    with Server() as srv:
        mi = MI(DEMO)
        try:
            mi.cmd("-gdb-set mi-async on")
            mi.cmd("-gdb-set non-stop on")
            cls, lines = mi.cmd(f"-target-select extended-remote {srv.target()}")
            check("non-stop connect", cls == "connected", "\n".join(mi.log[-6:]))
            time.sleep(0.3)
            _, l1 = mi.cmd("-data-evaluate-expression counter")
            time.sleep(0.5)
            _, l2 = mi.cmd("-data-evaluate-expression counter")
            c1, c2 = value(l1), value(l2)
            check("live reads while the core runs (counter keeps increasing)", 0 < c1 < c2, f"{c1} -> {c2}")
            check("attach did not stop the thread", not any(l.startswith("*stopped") for l in mi.log), mi.log[-6:])
            cls, _ = mi.cmd("-exec-interrupt --all")
            stop = mi.wait_stopped(10)
            check("interrupt halts it in non-stop mode", "*stopped" in stop, stop)
            _, l3 = mi.cmd("-data-evaluate-expression counter")
            time.sleep(0.3)
            _, l4 = mi.cmd("-data-evaluate-expression counter")
            check("halted: the counter stands still", value(l3) == value(l4) >= c2, (value(l3), value(l4)))
            cls, _ = mi.cmd("-exec-continue --all")
            check("resume in non-stop mode", cls == "running", "\n".join(mi.log[-4:]))
            time.sleep(0.3)
            _, l5 = mi.cmd("-data-evaluate-expression counter")
            check("running again", value(l5) > value(l4), (value(l4), value(l5)))
            cls, _ = mi.cmd("-target-detach")
            check("detach", cls == "done", "\n".join(mi.log[-4:]))
        finally:
            mi.close()


def attach_no_reset():
    """--attach to a running demo: no reset ever, the counter keeps going
    across attach/detach in virtual time."""
    import time as _t
    from harness import gdb_batch
    with Server(extra=["--attach"]) as srv:
        _t.sleep(0.3)
        out1 = gdb_batch(srv, ["print counter", "monitor sim", "detach"])
        _t.sleep(0.5)
        out2 = gdb_batch(srv, ["print counter", "monitor sim", "detach"])
        c1 = re.search(r"^\$1 = (\d+)", out1, re.M)
        c2 = re.search(r"^\$1 = (\d+)", out2, re.M)
        check("attach: the counter kept increasing across attach/detach",
              c1 and c2 and 0 < int(c1.group(1)) < int(c2.group(1)), (out1[-400:], out2[-400:]))
        r = re.findall(r"sim: [0-9.]+ s virtual, (\d+) resets", out1 + out2)
        check("attach: no reset happened (only the power-on one)", r == ["1", "1"], r)


if __name__ == "__main__":
    for t in (main, attach_no_reset):
        try:
            t()
        except Exception as e:
            check(t.__name__, False, repr(e))
    finish()
