"""Issue #10: the gdb session over a J-Link: swdbridge --probe jlink talks
libjaylink over TCP to vjlink (the virtual J-Link serving the simulated
H743), in two private network namespaces (scripts/netns-vjlink). Also
`swdbridge list-probes`, the whole gdb suite with SW_TEST_PROBE=jlink (a
fresh vjlink per server), and the probe unplugged mid-session. Needs root;
prints SKIP otherwise."""
import os
import re
import subprocess
import sys
import time

from harness import DEMO, MI, ROOT, SERVER, VJLINK_SERIAL, Server, VJLink, check, finish, gdb_batch, run_suite

SERIAL = VJLINK_SERIAL


def session():
    vj = VJLink()
    try:
        out = subprocess.run([SERVER, "list-probes"], capture_output=True, text=True).stdout
        check("list-probes shows the virtual J-Link with serial and firmware", f"jlink:{SERIAL}" in out
              and "tcp" in out and "J-Link" in out, out)
        with Server(load=None, extra=["--probe", f"jlink:{SERIAL}"]) as srv:
            out = gdb_batch(srv, ["info registers pc", "stepi", "monitor probe", "detach"])
            m = re.search(r"probe jlink: (\d+) round trips", out)
            check("jlink: probe statistics", m is not None, out[-800:])
            if m:
                print(f"INFO: jlink/vjlink gdb session: {m.group(1)} probe round trips")
    finally:
        vj.kill()


def value(mi, expr):
    cls, lines = mi.cmd(f"-data-evaluate-expression {expr}")
    m = re.search(r'value="(\d+)"', lines[-1])
    return cls, int(m.group(1)) if m else None


def unplug():
    """vjlink killed mid-session: one line from the server, an error for gdb,
    no crash; after vjlink is back, monitor probe reconnect resumes work."""
    vj = VJLink()
    srv = Server(load=None, extra=["--probe", f"jlink:{SERIAL}"])
    mi = MI(DEMO)
    try:
        cls, _ = mi.cmd(f"-target-select extended-remote {srv.target()}")
        cls, c1 = value(mi, "counter")
        check("jlink unplug: session works before", cls == "done" and c1 is not None, mi.log[-3:])
        vj.kill()
        cls, lines = mi.cmd("-data-evaluate-expression demo_buffer[3]")
        check("jlink unplug: gdb gets an error", cls == "error", lines[-2:])
        cls, lines = mi.cmd("-data-evaluate-expression demo_buffer[4]")
        time.sleep(0.2)
        lost = [l for l in srv.output.splitlines() if "probe lost" in l and "error" in l]
        check("jlink unplug: the server reports it in one line", len(lost) == 1, srv.output[-1200:])
        check("jlink unplug: the server is still running", srv.proc.poll() is None, srv.output[-600:])
        vj.start()
        cls, lines = mi.cmd('-interpreter-exec console "monitor probe reconnect"')
        check("jlink unplug: monitor probe reconnect after vjlink restarts",
              cls == "done" and any("probe reconnected" in l for l in lines), lines[-4:])
        cls, c2 = value(mi, "counter")
        check("jlink unplug: reads work again", cls == "done" and c2 is not None, mi.log[-4:])
        cls, _ = mi.cmd("-target-detach")
    finally:
        mi.close()
        srv.stop()
        vj.kill()
    check("jlink unplug: clean shutdown afterwards", srv.proc.returncode == 0, srv.output[-600:])


def client():
    """Runs inside the client namespace."""
    for t in (session, unplug):
        try:
            t()
        except Exception as e:
            check(f"jlink {t.__name__}", False, repr(e))
    run_suite("jlink")


def main():
    if os.geteuid() != 0:
        print("SKIP: test_gdb_over_jlink: needs root for network namespaces")
        return
    cmd = [os.path.join(ROOT, "scripts", "netns-vjlink"), "-", "--", sys.executable, __file__, "--client"]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    sys.stdout.write("\n".join(l for l in p.stdout.splitlines() if l.startswith(("PASS:", "FAIL:", "INFO:"))) + "\n")
    if p.returncode not in (0, 1) or "PASS:" not in p.stdout:
        check("gdb over jlink/vjlink ran", False, (p.returncode, p.stdout[-800:], p.stderr[-800:]))
    elif "FAIL:" in p.stdout:
        check("gdb over jlink/vjlink: all checks passed", False, "see FAIL lines above")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--client":
        client()
        finish()
    try:
        main()
    except Exception as e:
        check("gdb over jlink", False, repr(e))
    finish()
