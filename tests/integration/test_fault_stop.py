#!/usr/bin/env python3
"""A core that faults stops and says why (issue #14 item 8), with our own
fault firmware (firmware/fault/fault.c): HardFault is caught by default
(DEMCR.VC_HARDERR) and reported with the decoded CFSR/HFSR, BFAR and the
faulting PC on the server log and gdb's console; lockup (DHCSR.S_LOCKUP)
the same way; `monitor vector_catch hard off` turns the catch off."""
import os
import re
import subprocess

from harness import BUILD, GDB, Server, check, finish, nm

FAULT = os.path.join(BUILD, "fw", "fault-h743.elf")
LOCKUP = os.path.join(BUILD, "fw", "fault-lockup-h743.elf")


def gdb(srv, elf, commands, timeout=60):
    """gdb -batch; a continue that never stops shows up as a timeout."""
    args = [GDB, "-nx", "-batch", "-ex", "set pagination off", "-ex", "set confirm off",
            "-ex", f"target extended-remote {srv.target()}"]
    for c in commands:
        args += ["-ex", c]
    try:
        p = subprocess.run(args + [elf], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                           errors="replace", timeout=timeout)
        return p.stdout
    except subprocess.TimeoutExpired as e:
        return "TIMEOUT: " + (e.stdout.decode(errors="replace") if isinstance(e.stdout, bytes) else (e.stdout or ""))


def hardfault_caught():
    read_stray = nm("read_stray", FAULT)
    handler = nm("HardFault_Handler", FAULT)
    with Server(load=FAULT) as srv:
        out = gdb(srv, FAULT, ["monitor reset halt", "continue", "info registers pc", "bt", "detach"])
        check("continue stops at the fault instead of running on", "TIMEOUT" not in out
              and "Program received signal SIGSEGV" in out, out[-2000:])
        check("the stop is at the HardFault handler's entry", f"pc             0x{handler:x}" in out, out[-1500:])
        check("gdb's console gets one line with the decoded reason",
              re.search(r"swdbridge: halted by vector catch: HardFault: precise data bus error at 0xa0000000 "
                        r"\(escalated to HardFault\) at PC 0x([0-9a-f]{8}) \(CFSR 0x00008200 HFSR 0x40000000\)",
                        out) is not None, out[-2000:])
        m = re.search(r"at PC 0x([0-9a-f]{8})", out)
        pc = int(m.group(1), 16) if m else 0
        check("the faulting PC is in read_stray", read_stray <= pc < read_stray + 16,
              f"PC 0x{pc:x}, read_stray 0x{read_stray:x}")
        check("bt goes through the exception frame to the faulting function",
              "<signal handler called>" in out and "read_stray" in out, out[-1500:])
        srv.stop()
    check("the server log has the same one line",
          re.search(r"warn: core \S+: HardFault: precise data bus error at 0xa0000000 \(escalated to HardFault\) "
                    r"at PC 0x[0-9a-f]{8}", srv.output) is not None, srv.output[-1500:])


def lockup_reported():
    with Server(load=LOCKUP) as srv:
        out = gdb(srv, LOCKUP, ["monitor reset halt", "monitor vector_catch hard off", "continue",
                                "print/x $pc", "detach"])
        check("lockup: continue stops instead of running on", "TIMEOUT" not in out
              and "Program received signal SIGSEGV" in out, out[-2000:])
        check("lockup: one line naming the lockup and the fault", re.search(
            r"swdbridge: core locked up \(a fault in HardFault or NMI, or a bad vector table\): precise data bus "
            r"error at 0xa000000[04].*\(CFSR 0x[0-9a-f]{8} HFSR 0x[0-9a-f]{8}\)", out) is not None, out[-2000:])
        srv.stop()
    check("lockup: on the server log too", re.search(r"warn: core \S+: core locked up", srv.output) is not None,
          srv.output[-1500:])


def lockup_at_connect():
    """gdb connecting to a core that locked up while nobody watched: the
    connect stop is the lockup, explained on the log."""
    with Server(load=LOCKUP) as srv:
        gdb(srv, LOCKUP, ["monitor vector_catch hard off", "monitor reset run", "detach"])
        out = gdb(srv, LOCKUP, ["print/x $pc", "detach"])
        check("lockup at connect: gdb gets a stop", "$1 = 0x" in out and "TIMEOUT" not in out, out[-1500:])
        srv.stop()
    check("lockup at connect: reported on the server log",
          re.search(r"warn: core \S+: core locked up", srv.output) is not None, srv.output[-1500:])


def catch_can_be_turned_off():
    with Server(load=FAULT) as srv:
        out = gdb(srv, FAULT, ["monitor vector_catch", "monitor vector_catch hard off", "monitor vector_catch",
                               "detach"])
        check("HardFault catch is on by default", "vector catch: hard" in out, out[-800:])
        check("monitor vector_catch hard off turns it off", "vector catch: none" in out, out[-800:])


def main():
    hardfault_caught()
    lockup_reported()
    lockup_at_connect()
    catch_can_be_turned_off()


if __name__ == "__main__":
    try:
        main()
    except Exception as e:
        import traceback
        traceback.print_exc()
        check("fault stop tests", False, repr(e))
    finish()
