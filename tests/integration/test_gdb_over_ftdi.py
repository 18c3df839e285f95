"""Issue #10: the gdb session over the FTDI MPSSE driver. swdbridge-mpsse is
swdbridge with libftdi1's calls replaced at link time by the MPSSE model
(sim/mpsse.c), so the driver's real AN_108 command stream drives the
simulated H743 bit by bit. The whole gdb suite (test_gdb_session.py,
test_watchpoints.py) runs again with SW_TEST_PROBE=ftdi."""
import os
import re

from harness import BUILD, DEMO, Server, check, finish, gdb_batch, run_suite


def main():
    env = {"SW_MPSSE_CHIP": "stm32h743", "SW_MPSSE_LOAD": DEMO}
    with Server(load=None, server=os.path.join(BUILD, "swdbridge-mpsse"), env=env,
                extra=["--probe", "ftdi", "--ftdi-layout", "ft232h"]) as srv:
        out = gdb_batch(srv, ["info registers pc", "stepi", "monitor probe", "detach"])
        check("ftdi: stepi", re.search(r"^0x[0-9a-f]+\s+\d+\s", out, re.M) is not None or "in " in out, out[-800:])
        m = re.search(r"probe ftdi: (\d+) round trips", out)
        check("ftdi: probe statistics", m is not None, out[-800:])
        if m:
            print(f"INFO: ftdi/mpsse gdb session: {m.group(1)} probe round trips")
    run_suite("ftdi")


if __name__ == "__main__":
    try:
        main()
    except Exception as e:
        check("gdb over ftdi", False, repr(e))
    finish()
