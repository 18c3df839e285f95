"""Issue #17: Cortex-Debug liveWatch (reference/cortex-debug-jlink.md §3).
A second gdb-multiarch, set up as Cortex-Debug sets up its live gdb
(`set stack-cache off`, `set remote interrupt-on-connect off`), connects to
the same port while the first gdb's `continue` is pending and reads a
counter several times: the values advance and the simulator's halt history
(`monitor sim`: entries into Debug state) shows the core never halted for
it. It leaves without halting or resuming anything; a gdb that joins while
the core runs works too; a third connection is refused with a reason gdb
prints; the first gdb still gets its breakpoint stop. The server runs in
J-Link argument mode with -singlerun, which the passive gdbs do not end."""
import re
import subprocess
import time

from harness import DEMO, GDB, MI, SERVER, check, finish, free_port, nm
from rsp_client import RSP, escape


def value(mi, expr):
    cls, lines = mi.cmd(f"-data-evaluate-expression {expr}")
    m = re.search(r'value="(\d+)"', lines[-1])
    return cls, int(m.group(1)) if m else None


def halts(mi):
    cls, lines = mi.cmd('-interpreter-exec console "monitor sim"')
    m = re.search(r"(\d+) halts", "".join(lines))
    return int(m.group(1)) if m else None


def live_gdb(port):
    """Cortex-Debug's live gdb (gdb.ts:1114-1129)."""
    mi = MI(DEMO)
    for c in ("-gdb-set mi-async on", '-interpreter-exec console "set stack-cache off"',
              '-interpreter-exec console "set remote interrupt-on-connect off"'):
        mi.cmd(c)
    cls, lines = mi.cmd(f"-target-select extended-remote localhost:{port}", timeout=30)
    return mi, cls, lines


def reads_advance(mi, name, n=5):
    vals, errs = [], []
    for _ in range(n):
        cls, v = value(mi, "counter")
        if cls != "done" or v is None:
            errs.append(mi.log[-1])
        vals.append(v)
        time.sleep(0.15)
    ok = not errs and all(b is not None and a is not None and b > a for a, b in zip(vals, vals[1:]))
    check(f"{name}: {n} reads of counter while gdb 1 continues, each larger", ok, (vals, errs))
    return ok


def main():
    port = free_port()
    srv = subprocess.Popen([SERVER, "--jlink-args", "-singlerun", "-if", "swd", "-device", "STM32H743VI",
                            "-port", str(port), "-swoport", str(free_port()), "-rtttelnetport", str(free_port()),
                            "--probe", "sim", "--load", DEMO],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    line = ""
    while "Waiting for GDB connection" not in line and srv.poll() is None:
        line = srv.stdout.readline()
    gdb1 = gdb2 = None
    try:
        gdb1 = MI(DEMO)
        cls, _ = gdb1.cmd(f"-target-select extended-remote localhost:{port}")
        check("gdb 1 connects (J-Link argument mode)", cls == "connected", gdb1.log[-3:])
        cls, _ = gdb1.cmd("-break-insert bad_access")
        # Cortex-Debug connects the live gdb while halted, before continuing.
        gdb2, cls, lines = live_gdb(port)
        check("gdb 2 (interrupt-on-connect off) connects to the same port as a passive gdb",
              cls == "connected", lines[-3:])
        h0 = halts(gdb1)
        check("the simulator reports its halt history (monitor sim)", h0 is not None, gdb1.log[-3:])
        cls, _ = gdb1.cmd("-exec-continue --all")
        check("gdb 1 continues", cls == "running", gdb1.log[-2:])
        time.sleep(0.3)
        reads_advance(gdb2, "live gdb")
        cls, lines = gdb2.cmd("-var-create - @ counter")
        cls2, lines2 = gdb2.cmd("-var-update *")
        check("live gdb: Cortex-Debug's floating var-create / var-update work", cls == "done" and cls2 == "done",
              lines[-1:] + lines2[-1:])
        cls, lines = gdb2.cmd("-exec-interrupt")
        time.sleep(0.3)
        cls, v1 = value(gdb2, "counter")
        time.sleep(0.3)
        cls, v2 = value(gdb2, "counter")
        check("live gdb cannot halt the core (its interrupt is not passed on)", v1 is not None and v2 is not None
              and v2 > v1, (v1, v2))
        # A third gdb while two are connected: refused with a reason it prints.
        p = subprocess.run([GDB, "-nx", "-batch", "-ex", f"target extended-remote localhost:{port}", DEMO],
                           capture_output=True, text=True, timeout=30)
        out = p.stdout + p.stderr
        check("a third gdb is refused with a reason gdb prints", "already connected" in out
              and "Broken pipe" not in out, out[-400:])
        # Cortex-Debug ends its live gdb with target-disconnect + gdb-exit (no D).
        gdb2.cmd("-target-disconnect")
        gdb2.close()
        gdb2 = None
        time.sleep(0.3)
        check("-singlerun: the live gdb leaving does not end the server", srv.poll() is None, "exited")
        # A passive gdb may also join while the core runs.
        gdb2, cls, lines = live_gdb(port)
        check("a gdb joining while the core runs connects without halting it", cls == "connected", lines[-4:])
        if cls == "connected":
            reads_advance(gdb2, "late live gdb", 3)
            gdb2.cmd("-target-detach")  # D from a passive gdb: nothing resumes or halts
        gdb2.close()
        gdb2 = None
        # Make the firmware reach bad_access: a raw passive connection writes
        # demo_fault_trigger (memory writes are allowed to passive gdbs).
        r = RSP("127.0.0.1", port)
        addr = nm("demo_fault_trigger")
        reply = r.command(b"X%x,4:" % addr + escape(b"\x01\x00\x00\x00"))
        check("a passive connection writes memory while the core runs", reply == b"OK", reply)
        r.s.close()
        stop = gdb1.wait_stopped(30)
        check("gdb 1 gets its breakpoint stop after the passive gdbs left",
              'reason="breakpoint-hit"' in stop and "bad_access" in stop, stop)
        h1 = halts(gdb1)
        check("the core halted exactly once (for gdb 1's breakpoint), never for the passive gdbs",
              h0 is not None and h1 == h0 + 1, (h0, h1))
        gdb1.cmd("-target-disconnect")
        gdb1.close()
        gdb1 = None
        try:
            rc = srv.wait(timeout=10)
        except subprocess.TimeoutExpired:
            rc = None
        check("-singlerun: the server exits when the last gdb leaves", rc == 0, (rc, srv.stdout.read() if rc is None and srv.kill() is None else ""))
    finally:
        for g in (gdb1, gdb2):
            if g:
                g.close()
        if srv.poll() is None:
            srv.kill()
            srv.wait()


if __name__ == "__main__":
    try:
        main()
    except Exception as e:
        check("livewatch", False, repr(e))
    finish()
