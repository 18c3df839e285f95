"""Issue #10: the gdb session over a J-Link: swdbridge --probe jlink talks
libjaylink over TCP to vjlink (the virtual J-Link serving the simulated
H743), in two private network namespaces (scripts/netns-vjlink). Also
`swdbridge list-probes`. Needs root; prints SKIP otherwise."""
import os
import re
import subprocess
import sys

from harness import BUILD, DEMO, ROOT, SERVER, Server, check, finish, gdb_batch

SERIAL = "260101"


def client():
    """Runs inside the client namespace."""
    out = subprocess.run([SERVER, "list-probes"], capture_output=True, text=True).stdout
    check("list-probes shows the virtual J-Link with serial and firmware", f"jlink:{SERIAL}" in out
          and "tcp" in out and "J-Link" in out, out)
    with Server(load=None, extra=["--probe", f"jlink:{SERIAL}"]) as srv:
        out = gdb_batch(srv, ["info registers pc", "break compute", "continue", "bt", "print demo_state.name",
                              "set var demo_int = 77", "print demo_int", "x/4xw 0x24000000", "stepi",
                              "monitor probe", "monitor reset halt", "maintenance flush register-cache",
                              "print $pc", "detach"])
        check("jlink: break/continue", re.search(r"Breakpoint 1, compute \(x=", out) is not None, out[-2000:])
        check("jlink: backtrace and globals", "demo_step" in out and '"openmv' in out and "= 77" in out,
              out[-2000:])
        check("jlink: monitor reset halt", "<Reset_Handler>" in out, out[-800:])
        m = re.search(r"probe jlink: (\d+) round trips", out)
        check("jlink: probe statistics", m is not None, out[-800:])
        if m:
            print(f"INFO: jlink/vjlink gdb session: {m.group(1)} probe round trips")


def main():
    if os.geteuid() != 0:
        print("SKIP: test_gdb_over_jlink: needs root for network namespaces")
        return
    vj = [os.path.join(BUILD, "vjlink"), "--target", "stm32h743", "--serial", SERIAL, "--ip", "@VJLINK_IP@",
          "--load", DEMO]
    cmd = [os.path.join(ROOT, "scripts", "netns-vjlink")] + vj + ["--", sys.executable, __file__, "--client"]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    sys.stdout.write("\n".join(l for l in p.stdout.splitlines() if l.startswith(("PASS:", "FAIL:", "INFO:"))) + "\n")
    if p.returncode not in (0, 1) or "PASS:" not in p.stdout:
        check("gdb over jlink/vjlink ran", False, (p.returncode, p.stdout[-800:], p.stderr[-800:]))


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--client":
        try:
            client()
        except Exception as e:
            check("jlink client", False, repr(e))
        finish()
    try:
        main()
    except Exception as e:
        check("gdb over jlink", False, repr(e))
    finish()
