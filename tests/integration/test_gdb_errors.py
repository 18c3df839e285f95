#!/usr/bin/env python3
"""Failures as gdb-multiarch and swdflash see them (issue #14 items 2, 4, 5):
- a flash failure during gdb `load` fails the load, and gdb stays in step
  with the server (the next load, compare-sections and detach work);
- a failed or unknown monitor command fails in gdb (a -batch -x script stops)
  and in swdflash (exit 6), and long monitor output arrives whole;
- `detach` keeps an extended-remote connection: monitor and attach work."""
import os
import subprocess
import tempfile

from harness import BUILD, DEMO, GDB, Server, check, finish, gdb_batch, nm

SWDFLASH = os.environ.get("SWDFLASH", os.path.join(BUILD, "swdflash"))


def gdb_merged(srv, commands):
    """gdb -batch with stderr merged into stdout, so errors stay in order."""
    args = [GDB, "-nx", "-batch", "-ex", "set pagination off", "-ex", "set confirm off",
            "-ex", f"target extended-remote {srv.target()}"]
    for c in commands:
        args += ["-ex", c]
    p = subprocess.run(args + [DEMO], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                       errors="replace", timeout=120)
    return p.stdout


def load_failure():
    """Before the fix the server answered vFlashDone with an O packet, gdb
    took it as the reply and printed "load size" as if it worked, and every
    later reply was one packet late."""
    with Server(load=None) as srv:
        out = gdb_merged(srv, [
            "monitor sim tick off",
            "monitor sim reset-in 2",  # virtual ms: inside vFlashDone's programming
            "load",
            "print/x *(unsigned int *)0xE000ED00",  # CPUID
            "monitor halt",  # the reset in the middle left the core running
            "set var *(unsigned int *)0x20000100 = 0x12345678",
            "print/x *(unsigned int *)0x20000100",
            "load",
            "compare-sections",
            "monitor reset halt",
            "maintenance flush register-cache",
            "info registers pc",
            "detach",
        ])
        first, _, rest = out.partition("Error finishing flash operation")
        check("gdb load fails when programming fails", "Error finishing flash operation" in out
              and "Transfer rate" not in first, out[-2500:])
        check("the next memory reads are answered in step", "$1 = 0x411fc271" in rest and "$2 = 0x12345678" in rest
              and "Target halted" in rest,
              rest[-2500:])
        check("the next load succeeds", "Transfer rate" in rest, rest[-2000:])
        check("compare-sections after it matches every section",
              rest.count("matched.") == 3 and "MIS-MATCHED" not in rest, rest[-2000:])
        check("info registers after reset halt reads the reset handler's address",
              f"pc             0x{nm('Reset_Handler'):x}" in rest, rest[-1000:])
        check("detach works", "detached]" in rest and "Remote connection closed" not in rest
              and "Remote failure" not in rest, rest[-1000:])
        srv.stop()
    check("the server log says why programming failed", "gdb: flash programming: " in srv.output,
          srv.output[-2000:])


def gdb_script(srv, lines):
    with tempfile.NamedTemporaryFile("w", suffix=".gdb", delete=False) as f:
        f.write("\n".join(["set pagination off", "set confirm off", f"target extended-remote {srv.target()}"]
                          + lines) + "\n")
    try:
        p = subprocess.run([GDB, "-nx", "-batch", "-x", f.name, DEMO], capture_output=True, text=True,
                           errors="replace", timeout=60)
    finally:
        os.unlink(f.name)
    return p.returncode, p.stdout + p.stderr


def monitor_failures():
    with Server() as srv:
        rc, out = gdb_script(srv, ["monitor reset sideways", "print 12345", "detach"])
        check("gdb: a failed monitor command shows its output", "unknown mode 'sideways'" in out, out[-1500:])
        check("gdb: ... and fails, so a -batch script stops there", "$1 = 12345" not in out and rc != 0,
              f"rc {rc}: {out[-1500:]}")
        rc, out = gdb_script(srv, ["monitor nosuchcommand", "print 12345", "detach"])
        check("gdb: an unknown monitor command fails the script", "unknown monitor command" in out
              and "$1 = 12345" not in out, out[-1500:])
        out = gdb_batch(srv, ["monitor help", "monitor targets", "detach"])
        check("gdb: monitor help is shown whole (over 511 bytes)",
              "reset [halt|run|init]" in out and "help                   this text" in out, out[-2500:])
        check("gdb: monitor targets is shown whole", all(t in out for t in ("stm32h743", "mimxrt1062", "ae3")),
              out[-1500:])
        srv_arg = ["--server", srv.target()]
        p = subprocess.run([SWDFLASH] + srv_arg + ["monitor", "nosuchcommand"], capture_output=True, text=True)
        check("swdflash: an unknown monitor command exits 6", p.returncode == 6, f"{p.returncode}: {p.stderr}")
        check("swdflash: ... saying so", "unknown monitor command" in p.stdout + p.stderr, p.stdout + p.stderr)
        p = subprocess.run([SWDFLASH] + srv_arg + ["monitor", "help"], capture_output=True, text=True)
        check("swdflash: monitor help whole, exit 0", p.returncode == 0 and "help                   this text"
              in p.stdout, f"{p.returncode}: {p.stdout[-300:]}")
        # An erase that a system reset interrupts fails with "erase failed".
        for cmd in (["monitor", "sim", "tick", "off"], ["monitor", "sim", "reset-in", "5"]):
            subprocess.run([SWDFLASH] + srv_arg + cmd, capture_output=True, text=True)
        p = subprocess.run([SWDFLASH] + srv_arg + ["monitor", "flash", "erase", "all"], capture_output=True,
                           text=True, timeout=120)
        both = p.stdout + p.stderr
        check("swdflash monitor flash erase all after 'erase failed' exits 6 (docs/swdflash.md)",
              p.returncode == 6 and "erase failed" in both, f"{p.returncode}: {both[-800:]}")


def detach_and_attach():
    with Server() as srv:
        out = gdb_batch(srv, ["detach", "monitor halt", "attach 1", "info registers pc", "monitor go", "detach"])
        check("detach in extended-remote mode keeps the connection (monitor works after it)",
              "Target halted" in out and "Remote connection closed" not in out, out[-1500:])
        check("attach works after detach", "pc             0x80" in out
              and "Don't know how to attach" not in out and "attach" not in out.lower().replace("detach", ""),
              out[-1500:])
        check("the second detach works too", out.count("(Remote target) detached]") == 2, out[-1500:])


def main():
    load_failure()
    monitor_failures()
    detach_and_attach()


if __name__ == "__main__":
    try:
        main()
    except Exception as e:
        import traceback
        traceback.print_exc()
        check("gdb error tests", False, repr(e))
    finish()
