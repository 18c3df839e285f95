"""Issue #17: the Cortex-Debug servertype "jlink" launch of
test_cortex_debug_jlink.py with the J-Link as the probe: swdbridge in
J-Link argument mode with `-select ip=HOST` (no --probe: the J-Link is the
default there) reaches vjlink, the virtual J-Link serving the simulated
H743, through unmodified libjaylink in two private network namespaces
(scripts/netns-vjlink). Needs root; prints SKIP otherwise."""
import os
import subprocess
import sys

from harness import BUILD, ROOT, VJLINK_SERIAL, check, finish

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    if os.geteuid() != 0:
        print("SKIP: test_cortex_debug_jlink_vjlink: needs root for network namespaces")
        return
    vj = [os.path.join(BUILD, "vjlink"), "--target", "stm32h743", "--serial", VJLINK_SERIAL, "--ip", "@VJLINK_IP@"]
    cmd = [os.path.join(ROOT, "scripts", "netns-vjlink")] + vj + [
        "--", "env", "SW_TEST_JLINK_PROBE=ip", sys.executable, os.path.join(HERE, "test_cortex_debug_jlink.py")]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    sys.stdout.write("\n".join(l for l in p.stdout.splitlines() if l.startswith(("PASS:", "FAIL:", "INFO:"))) + "\n")
    if p.returncode not in (0, 1) or "PASS:" not in p.stdout:
        check("Cortex-Debug jlink launch over jlink/vjlink ran", False, (p.returncode, p.stdout[-800:], p.stderr[-800:]))
    elif "FAIL:" in p.stdout:
        check("Cortex-Debug jlink launch over jlink/vjlink: all checks passed", False, "see FAIL lines above")


if __name__ == "__main__":
    try:
        main()
    except Exception as e:
        check("cortex-debug jlink over vjlink", False, repr(e))
    finish()
