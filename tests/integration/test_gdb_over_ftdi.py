"""Issue #10: the gdb session over the FTDI MPSSE driver. swdbridge-mpsse is
swdbridge with libftdi1's calls replaced at link time by the MPSSE model
(sim/mpsse.c), so the driver's real AN_108 command stream drives the
simulated H743 bit by bit."""
import os
import re

from harness import BUILD, DEMO, Server, check, finish, gdb_batch


def main():
    env = {"SW_MPSSE_CHIP": "stm32h743", "SW_MPSSE_LOAD": DEMO}
    with Server(load=None, server=os.path.join(BUILD, "swdbridge-mpsse"), env=env,
                extra=["--probe", "ftdi", "--ftdi-layout", "ft232h"]) as srv:
        out = gdb_batch(srv, ["info registers pc", "break compute", "continue", "bt", "print demo_state.name",
                              "set var demo_int = 99", "print demo_int", "x/4xw 0x24000000", "stepi",
                              "watch demo_state.ticks", "continue", "delete",
                              "monitor probe", "monitor reset halt", "maintenance flush register-cache",
                              "print $pc", "detach"])
        check("ftdi: break/continue", re.search(r"Breakpoint 1, compute \(x=", out) is not None, out[-2000:])
        check("ftdi: backtrace and globals", "demo_step" in out and '"openmv' in out and "= 99" in out,
              out[-2000:])
        check("ftdi: watchpoint", re.search(r"Old value = \d+\s+New value = \d+", out) is not None, out[-1500:])
        check("ftdi: monitor reset halt", "<Reset_Handler>" in out, out[-800:])
        m = re.search(r"probe ftdi: (\d+) round trips", out)
        check("ftdi: probe statistics", m is not None, out[-800:])
        if m:
            print(f"INFO: ftdi/mpsse gdb session: {m.group(1)} probe round trips")


if __name__ == "__main__":
    try:
        main()
    except Exception as e:
        check("gdb over ftdi", False, repr(e))
    finish()
