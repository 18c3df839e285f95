"""STM32N657 on the simulator: the demo is an FSBL in the XSPI2 NOR that the
boot ROM copies to AXISRAM2; gdb attaches without a reset once the ROM has
opened the M55's AP; the gdb suite; gdb `load` into a blank NOR through the
host-driven XSPI2 driver, compare-sections, reset and run; a warning for an
image at the boot address without the STM32 FSBL header."""
import os
import re

from harness import BUILD, Server, check, finish, gdb_batch
from rsp_client import RSP, escape

ELF = os.path.join(BUILD, "fw", "demo-n657.elf")


def gdb_suite():
    with Server(target="stm32n657", load=ELF) as srv:
        out = gdb_batch(srv, [
            "print counter", "info registers pc sp", "break compute", "continue", "bt", "next", "step",
            "delete", "watch demo_state.ticks", "continue", "delete",
            "print demo_state.name", "set var demo_int = 77", "print demo_int", "print counter",
            "monitor sim", "detach"], elf=ELF)
        check("N657: attached to the running FSBL (registers)", re.search(r"pc\s+0x341[89a-f]", out) is not None,
              out[:1500])
        check("N657: no reset on attach", re.search(r"sim: [\d.]+ s virtual, 1 resets", out) is not None,
              out[-800:])
        check("N657: breakpoint in AXISRAM2 and backtrace",
              "Breakpoint 1, compute (x=" in out and re.search(r"#2 .* main \(\)", out) is not None, out[:2000])
        check("N657: step into leaf_scale", "leaf_scale (v=" in out, out[:2500])
        check("N657: watchpoint (ARMv8-M DWT)",
              re.search(r"Hardware watchpoint 2: demo_state.ticks\s+Old value = \d+\s+New value", out) is not None,
              out[-2500:])
        check("N657: memory read/write", '"openmv' in out and "= 77" in out, out[-1500:])


def load_and_run():
    with Server(target="stm32n657", load=None) as srv:
        out = gdb_batch(srv, ["load", "compare-sections", "x/1wx 0x70000000", "monitor reset halt",
                              "maintenance flush register-cache", "info registers pc",
                              "break compute", "continue", "print counter", "detach"], elf=ELF)
        check("N657: gdb load into the blank XSPI2 NOR", "Transfer rate" in out, out[-2000:])
        check("N657: compare-sections matches in the NOR (header, vectors, text, data)",
              out.count("matched.") == 4 and "MIS-MATCHED" not in out, out[-2000:])
        check("N657: FSBL header at the boot address", "0x324d5453" in out, out[-2000:])
        check("N657: reset: the ROM copies the FSBL and the core halts at its reset vector",
              "<Reset_Handler>" in out, out[-1500:])
        check("N657: the loaded FSBL runs", "Breakpoint 1, compute" in out, out[-1500:])
        srv.stop()
        check("N657: no FSBL-header warning for a proper image", "no STM32 FSBL header" not in srv.output,
              srv.output[-1000:])
    with Server(target="stm32n657", load=None) as srv:
        c = RSP("127.0.0.1", srv.port)
        c.command(b"?")
        data = bytes(range(256)) * 4
        check("N657: vFlashErase at the boot address", c.command(b"vFlashErase:70000000,1000") == b"OK")
        check("N657: vFlashWrite of a raw image", c.command(b"vFlashWrite:70000000:" + escape(data)) == b"OK")
        check("N657: vFlashDone", c.command(b"vFlashDone") == b"OK")
        back = bytes.fromhex(c.command(b"m70000000,400").decode())
        check("N657: NOR content through the memory-mapped window", back == data)
        c.close()
        srv.stop()
        check("N657: warning for an image without the FSBL header", "no STM32 FSBL header" in srv.output,
              srv.output[-1500:])


def main():
    gdb_suite()
    load_and_run()


if __name__ == "__main__":
    try:
        main()
    except Exception as e:
        import traceback
        traceback.print_exc()
        check("n657 tests", False, repr(e))
    finish()
