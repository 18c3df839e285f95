#!/usr/bin/env python3
"""Issue #18: DHCSR survives a system reset (ARMv7-M C1.6.3), so a halted
core stays halted after AIRCR.SYSRESETREQ unless the debugger clears
C_HALT first. `monitor reset run` from a halted core, and the reset at the
end of `swdflash deploy`, must leave the demo running: halted at
Reset_Handler afterwards means C_HALT was left set."""
import os
import subprocess
import sys
import time

from harness import BUILD, DEMO, Server, check, finish, nm
from rsp_client import RSP

SWDFLASH = os.environ.get("SWDFLASH", os.path.join(BUILD, "swdflash"))


def monitor(c, text):
    c.send_raw(b"$qRcmd," + text.encode().hex().encode() + b"#" +
               b"%02x" % (sum(b"qRcmd," + text.encode().hex().encode()) & 0xFF))
    c.read_byte()
    out = b""
    while True:
        pkt = c.read_packet()
        if pkt.startswith(b"O") and pkt != b"OK":
            out += bytes.fromhex(pkt[1:].decode())
            continue
        return pkt, out.decode(errors="replace")


def pc_of(c):
    reply = c.command(b"pf")
    return int.from_bytes(bytes.fromhex(reply.decode()), "little") if len(reply) == 8 else -1


def main():
    reset = nm("Reset_Handler") & ~1
    with Server() as srv:
        c = RSP("127.0.0.1", srv.port)
        c.command(b"?")  # attach halts the core
        check("halted at attach", pc_of(c) >= 0)
        pkt, out = monitor(c, "reset halt")
        check("monitor reset halt stops at Reset_Handler", pc_of(c) == reset, hex(pc_of(c)))
        pkt, out = monitor(c, "reset run")
        check("monitor reset run accepted", pkt == b"OK", (pkt, out))
        time.sleep(0.3)
        pkt, out = monitor(c, "halt")
        pc = pc_of(c)
        check("after reset run from a halted core the demo ran (not held at Reset_Handler)",
              pc not in (reset, -1), hex(pc))
        c.close()
    with Server() as srv:
        p = subprocess.run([SWDFLASH, "--server", srv.target(), "deploy", DEMO], capture_output=True,
                           text=True, timeout=300)
        check("swdflash deploy", p.returncode == 0, p.stderr[-800:])
        time.sleep(0.3)
        c = RSP("127.0.0.1", srv.port)
        c.command(b"?")
        pc = pc_of(c)
        check("after deploy the demo runs (not held at Reset_Handler)", pc not in (reset, -1), hex(pc))
        c.close()


if __name__ == "__main__":
    try:
        main()
    except Exception as e:
        check("reset run", False, repr(e))
    sys.exit(finish())
