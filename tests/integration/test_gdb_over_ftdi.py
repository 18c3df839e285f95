"""Issue #10: the gdb session over the FTDI MPSSE driver. swdbridge-mpsse is
swdbridge with libftdi1's calls replaced at link time by the MPSSE model
(sim/mpsse.c), so the driver's real AN_108 command stream drives the
simulated H743 bit by bit. The whole gdb suite (test_gdb_session.py,
test_watchpoints.py) runs again with SW_TEST_PROBE=ftdi."""
import os
import re

from harness import BUILD, DEMO, Server, check, finish, gdb_batch, run_suite


def stepped_one_instruction(out):
    """`info registers pc`, `x/2i $pc`, `stepi`, `info registers pc`: the pc
    after the step is the next instruction's address, or for a branch any
    other address (the core stepped exactly once, not ran or stayed)."""
    pcs = [int(v, 16) for v in re.findall(r"^pc\s+(0x[0-9a-f]+)", out, re.M)]
    insns = re.findall(r"^(?:=>)?\s+(0x[0-9a-f]+) <[^>]*>:\s+(\S+)", out, re.M)
    if len(pcs) != 2 or len(insns) != 2 or int(insns[0][0], 16) != pcs[0]:
        return False
    if insns[0][1].startswith(("b", "cb")) and not insns[0][1].startswith("bic"):
        return pcs[1] != pcs[0]
    return pcs[1] == int(insns[1][0], 16)


def main():
    env = {"SW_MPSSE_CHIP": "stm32h743", "SW_MPSSE_LOAD": DEMO}
    with Server(load=None, server=os.path.join(BUILD, "swdbridge-mpsse"), env=env,
                extra=["--probe", "ftdi", "--ftdi-layout", "ft232h"]) as srv:
        out = gdb_batch(srv, ["info registers pc", "x/2i $pc", "stepi", "info registers pc", "monitor probe",
                              "detach"])
        check("ftdi: stepi", stepped_one_instruction(out), out[-800:])
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
