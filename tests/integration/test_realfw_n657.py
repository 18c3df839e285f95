"""A blank STM32N657 in the state development boot leaves it (the boot ROM
found no image: XSPI2 and XSPIM unclocked in RCC_AHB5ENR, XSPI2 off, the
NOR window at 0x70000000 a bus error), then `swdflash deploy` of our own
FSBL (firmware/realfw/n6_main.c): the server clocks XSPI2 and maps the NOR
before it reads or programs, the deploy verifies by CRC and resets, the
ROM boots the FSBL, which finds XSPI2 clocked and its header in the
window, and counts SysTick interrupts."""
import os
import re

from harness import BUILD, Server, check, finish, gdb_batch
from test_deploy_targets import deploy
from test_realfw_h743 import value

ELF = os.path.join(BUILD, "fw", "realfw-n657.elf")


def main():
    with Server(target="stm32n657", load=None) as srv:
        out = gdb_batch(srv, ["x/wx 0x56028260", "x/wx 0x5802a000", "x/wx 0x70000000", "detach"], elf=ELF)
        check("blank board: XSPI2/XSPIM unclocked (RCC_AHB5ENR), XSPI2 registers read 0",
              re.search(r"0x56028260:\s+0x00000000", out) is not None and
              re.search(r"0x5802a000:\s+0x00000000", out) is not None, out[-1500:])
        check("blank board: the NOR window is a bus error (XSPI2 not memory-mapped)",
              "Cannot access memory at address 0x70000000" in out, out[-1500:])
        rc, evs, err = deploy(srv.port, ELF)
        verified = [e for e in evs if e.get("event") == "verify"]
        check("deploy to the blank board succeeds and verifies by CRC",
              rc == 0 and evs and evs[-1].get("event") == "done" and verified and all(e.get("ok") for e in verified),
              err[-800:] + str(evs)[-800:])
        out = gdb_batch(srv, ["break SysTick_Handler", "continue", "print ticks", "print/x xspi_clocks",
                              "print/x hdr_magic", "bt", "delete", "print loops", "print fault_count",
                              "detach"], elf=ELF, timeout=90)
        check("the FSBL boots: the ROM clocked XSPI2/XSPIM and mapped the NOR (header read through it)",
              value(out, "2") is not None and int(value(out, "2"), 16) & 0x3000 == 0x3000 and
              value(out, "3") == "0x324d5453", out[-2000:])
        check("the FSBL keeps running: SysTick handler hit, frame unwinds to main, no fault",
              re.search(r"Breakpoint 1, SysTick_Handler", out) is not None and
              re.search(r"<signal handler called>\s*\n#2\s+.*main \(\)", out) is not None and
              value(out, "4") not in (None, "0") and value(out, "5") == "0", out[-2000:])


if __name__ == "__main__":
    try:
        main()
    except Exception as e:
        check("realfw N657 tests", False, repr(e))
    finish()
