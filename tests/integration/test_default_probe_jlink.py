#!/usr/bin/env python3
"""Issue #14 item 3 with a J-Link reachable: no --probe picks it. vjlink (the
virtual J-Link serving a simulated H743) runs in a private network
namespace (scripts/netns-vjlink), so libjaylink's UDP discovery finds it as
a real TCP J-Link. Without --probe, swdbridge and swdflash use it (never the
simulator); with an FTDI adapter as well (swdbridge-mpsse's modelled one)
the choice is refused in one line that lists both. Needs root; SKIP
otherwise."""
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import BUILD, DEMO, ROOT, SERVER, VJLINK_SERIAL, VJLink, check, finish, gdb_batch, nm  # noqa: E402
from test_cli_flags import CLEAN, Srv  # noqa: E402

SWDFLASH = os.path.join(BUILD, "swdflash")


def client():
    vj = VJLink()
    try:
        srv = Srv(["--target", "stm32h743", "--elf", DEMO])
        try:
            picked = re.search(rf"probe jlink:{VJLINK_SERIAL} \(J-Link tcp [0-9.]+.*\): the one probe connected",
                               srv.output)
            check("no --probe, one J-Link reachable: swdbridge picks it", picked is not None, srv.output)
            check("... and does not run the simulator", "simulator" not in srv.output, srv.output)
            out = gdb_batch(srv, ["info registers pc", "monitor probe", "detach"])
            check("the picked J-Link serves gdb", re.search(r"^pc\s+0x", out, re.M) is not None
                  and "probe jlink" in out, out[-600:])
        finally:
            srv.stop()
        srv = Srv(["--target", "stm32h743", "--speed", "auto"])
        try:
            check("--speed auto on the J-Link: the probe's fastest clock (vjlink: 60 MHz / 4 = 15 MHz)",
                  "SWD clock 15000 kHz (--speed auto)" in srv.output and "gdb port" in srv.output, srv.output)
        finally:
            srv.stop()
        srv = Srv(["--target", "stm32h743", "--elf", DEMO, "--connect-under-reset"])
        try:
            out = gdb_batch(srv, ["info registers pc", "detach"])
            m = re.search(r"^pc\s+(0x[0-9a-f]+)", out, re.M)
            check("--connect-under-reset through the J-Link's nRST (vjlink): halted at the reset vector",
                  m is not None and int(m.group(1), 16) == nm("Reset_Handler"), srv.output + out[-400:])
        finally:
            srv.stop()
        p = subprocess.run([SWDFLASH, "--target", "stm32h743", "deploy", DEMO], capture_output=True, text=True,
                           timeout=300, env=CLEAN)
        check("no --probe: swdflash deploy goes to the one J-Link (private server, no --probe sim added)",
              p.returncode == 0 and f"private server: probe jlink:{VJLINK_SERIAL}" in p.stderr
              and "verified" in p.stderr and "simulator" not in p.stderr, f"rc {p.returncode}: {p.stderr[-800:]}")
        env = dict(CLEAN, SW_MPSSE_CHIP="stm32h743", SW_MPSSE_LOAD=DEMO)
        p = subprocess.run([os.path.join(BUILD, "swdbridge-mpsse"), "--target", "stm32h743", "--port", "0"],
                           capture_output=True, text=True, timeout=60, env=env)
        check("a J-Link and an FTDI adapter, no --probe: one line listing both, naming --probe sim, non-zero exit",
              p.returncode != 0 and len(p.stderr.strip().splitlines()) == 1 and f"jlink:{VJLINK_SERIAL}" in p.stderr
              and "ftdi:0403:6014" in p.stderr and "--probe sim" in p.stderr, p.stdout + p.stderr)
        out = subprocess.run([os.path.join(BUILD, "swdbridge-mpsse"), "list-probes"], capture_output=True,
                             text=True, env=env).stdout
        check("list-probes shows the J-Link and the FTDI adapter", f"jlink:{VJLINK_SERIAL}" in out
              and "ftdi:0403:6014:MPSSE0001" in out, out)
    finally:
        vj.kill()


def main():
    if os.geteuid() != 0:
        print("SKIP: test_default_probe_jlink: needs root for network namespaces")
        return
    cmd = [os.path.join(ROOT, "scripts", "netns-vjlink"), "-", "--", sys.executable, __file__, "--client"]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    sys.stdout.write("\n".join(l for l in p.stdout.splitlines() if l.startswith(("PASS:", "FAIL:", "INFO:"))) + "\n")
    if p.returncode not in (0, 1) or "PASS:" not in p.stdout:
        check("default probe over vjlink ran", False, (p.returncode, p.stdout[-800:], p.stderr[-800:]))
    elif "FAIL:" in p.stdout:
        check("default probe over vjlink: all checks passed", False, "see FAIL lines above")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--client":
        try:
            client()
        except Exception as e:
            check("default probe over vjlink", False, repr(e))
        finish()
    main()
    finish()
