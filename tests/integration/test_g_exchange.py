"""A gdb `g` (every register) in one probe exchange (issue #20 follow-up):
DHCSR, DCRSR and DCRDR are reached through the MEM-AP banked data
registers, so the H743's 40 registers and the AE3 HP core's 44 fit in one
16384-bit J-Link batch. A FAULT injected in the middle of the batch reaches
gdb as an error with its reason, and the next `g` is whole and right; WAITs
in the middle are retried inside the exchange."""
import os
import re

from harness import BUILD, PROBE, Server, check, finish, gdb_batch
from rsp_client import RSP, monitor

SIM = re.compile(r"(\d+) round trips, (\d+) SWD transactions, .*?(\d+) injected faults fired")
HP_ELF = os.path.join(BUILD, "fw", "demo-ae3-hp.elf")
HE_ELF = os.path.join(BUILD, "fw", "demo-ae3-he.elf")


def probe_round_trips(rsp):
    return int(re.search(r"(\d+) round trips", monitor(rsp, "probe")[0]).group(1))


def sim_counters(rsp):
    m = SIM.search(monitor(rsp, "sim")[0])
    return int(m.group(2)), int(m.group(3))


def uncache(rsp, g):
    """Write every register with its own value (G): the server drops its
    register cache, so the next `g` goes to the core."""
    reply = rsp.command(b"G" + g)
    check("G of the registers' own values accepted", reply == b"OK", reply)


def one_exchange(rsp, label):
    monitor(rsp, "halt")
    g = rsp.command(b"g")
    uncache(rsp, g)
    rt0 = probe_round_trips(rsp)
    again = rsp.command(b"g")
    rts = probe_round_trips(rsp) - rt0
    print(f"INFO: {label}: g ({len(again) // 2} bytes of registers) in {rts} probe round trip(s)")
    if PROBE in ("sim", "jlink"):  # the J-Link batch limit; an FT2232H flushes differently
        check(f"{label}: g takes exactly one probe round trip", rts == 1, rts)
    check(f"{label}: g read twice gives the same registers", again == g and not g.startswith(b"E"), (g, again))
    return g


def faults(rsp, g):
    for skip in (30, 120):
        uncache(rsp, g)
        _, fired0 = sim_counters(rsp)
        monitor(rsp, f"sim inject fault {skip} 1")
        bad = rsp.command(b"g")
        _, fired1 = sim_counters(rsp)
        monitor(rsp, "sim inject clear")
        check(f"FAULT after {skip} transactions fired inside the g batch", fired1 == fired0 + 1, (fired0, fired1))
        check(f"FAULT after {skip} transactions: g answers E.reason naming the register read",
              bad.startswith(b"E.") and b"register read" in bad, bad)
        after = rsp.command(b"g")
        check("the g after the FAULT is whole and right", after == g, after[:80])

        uncache(rsp, g)
        monitor(rsp, f"sim inject wait {skip} 4")
        waited = rsp.command(b"g")
        _, fired2 = sim_counters(rsp)
        monitor(rsp, "sim inject clear")
        check(f"4 WAITs after {skip} transactions fired and were retried", fired2 == fired1 + 4, (fired1, fired2))
        check("g with WAITs in the middle is right", waited == g, waited[:80])


def gdb_sees_the_reason():
    with Server() as srv:
        # A reset leaves the server's register cache empty: gdb's next `g`
        # goes to the core and takes the FAULT.
        out = gdb_batch(srv, ["monitor halt", "monitor reset halt", "monitor sim inject fault 60 1",
                              "maintenance flush register-cache", "info registers r0", "monitor sim",
                              "maintenance flush register-cache", "info registers pc", "detach"])
        check("the FAULT fired", "1 injected faults fired" in out, out[-1500:])
        check("gdb prints the reason of the failed g",
              re.search(r"Could not read registers; remote failure reply 'E\.g?:? ?register read: .+'", out),
              out[-1500:])
        check("gdb reads the registers again after it", re.search(r"\npc\s+0x8[0-9a-f]{6}\s+0x8[0-9a-f]{6} <Reset_Handler>", out),
              out[-1500:])


def main():
    with Server() as srv:
        rsp = RSP("127.0.0.1", srv.port)
        g = one_exchange(rsp, "stm32h743")
        if PROBE == "sim":
            faults(rsp, g)
        rsp.close()
    if PROBE == "sim":
        gdb_sees_the_reason()
    if PROBE == "sim":  # two images for two cores: the sim probe's --load
        with Server(target="ae3", load=f"{HP_ELF},{HE_ELF}") as srv:
            rsp = RSP("127.0.0.1", srv.port)
            one_exchange(rsp, "ae3 HP (Cortex-M55, ADIv6)")
            rsp.close()


if __name__ == "__main__":
    try:
        main()
    except (OSError, ValueError, AttributeError, RuntimeError) as e:
        check("g exchange tests ran", False, repr(e))
    finish()
