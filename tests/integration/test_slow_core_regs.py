"""Registers and stepping on a slow core (issue #18). firmware/slowclk
switches the simulated STM32H743 to CSI/512 (7.8125 kHz: one core clock
cycle is 128 us, longer than ten SWD packets at 4 MHz), where a DCRSR
transfer and the halt after a C_STEP finish long after the write that
asked for them (ARMv7-M ARM C1.6.3: the debugger must poll S_REGRDY;
C1.6.2 S_HALT). A real gdb reads all registers, writes some, steps, at
SWD 4 MHz and faster, and must see the right values and a halted target."""
import os
import re

from harness import BUILD, Server, check, finish, gdb_batch, nm
from rsp_client import RSP, monitor

FW = os.path.join(BUILD, "fw", "slowclk-h743.elf")
EXPECT = {f"r{n}": 0x11111111 * n for n in range(4, 10)}
EXPECT.update({"r10": 0xAAAAAAAA, "r11": 0xBBBBBBBB})


def regs(out):
    """The last value gdb printed for each register of `info registers`."""
    found = {}
    for m in re.finditer(r"^(\w+)\s+(0x[0-9a-f]+)\s", out, re.M):
        found[m.group(1)] = int(m.group(2), 16)
    return found


def values(out):
    return [int(v, 16) for v in re.findall(r"^\$\d+ = (0x[0-9a-f]+)$", out, re.M)]


def session(khz):
    loop = nm("slowclk_loop", FW)
    with Server(load=FW, extra=["--speed", str(khz)]) as srv:
        out = gdb_batch(srv, [
            "monitor halt",
            "p/x slowclk_ready", "p/x *(unsigned *)0x58024410", "p/x *(unsigned *)0x58024418",
            "info registers",
            "set $r0 = 0x12345678", "set $r5 = 0xcafef00d",
            "p/x $r0", "p/x $r4", "p/x $r5", "p/x $r6", "p/x $pc",
            "stepi", "p/x $pc", "p/x $r0", "stepi", "p/x $pc", "p/x $r0",
            "stepi", "stepi", "p/x $r0", "p/x $pc",
            "detach"], elf=FW, timeout=120)
    tag = f"SWD {khz} kHz: "
    v = values(out)
    check(tag + "gdb printed every value", len(v) == 14, out[-2500:])
    if len(v) != 14:
        return
    ready, cfgr, d1cfgr = v[0:3]
    check(tag + "the firmware runs the core from CSI/512 (SWS = CSI, D1CPRE = /512)",
          ready == 1 and (cfgr >> 3) & 7 == 1 and (d1cfgr >> 8) & 0xF == 0xF, [hex(x) for x in v[0:3]])
    got = regs(out)
    check(tag + "info registers: r4-r11 hold the firmware's values",
          all(got.get(k) == e for k, e in EXPECT.items()),
          {k: hex(got[k]) if k in got else None for k in EXPECT})
    check(tag + "info registers: PC in the firmware's loop", got.get("pc") in (loop, loop + 2), got.get("pc"))
    r0, r4, r5, r6, pc0 = v[3:8]
    check(tag + "set $r0 / $r5 read back, neighbours untouched",
          (r0, r4, r5, r6) == (0x12345678, 0x44444444, 0xCAFEF00D, 0x66666666),
          [hex(x) for x in (r0, r4, r5, r6)])
    pc1, r0_1, pc2, r0_2, r0_4, pc4 = v[8:14]
    check(tag + "stepi moves the PC between the loop's two instructions",
          {pc0, pc1} == {loop, loop + 2} and pc2 == pc0 and pc4 == pc0, [hex(x) for x in (pc0, pc1, pc2, pc4)])
    check(tag + "one adds per two steps: r0 counts exactly",
          r0_2 == 0x12345679 and r0_4 == 0x1234567A and r0_1 in (0x12345678, 0x12345679),
          [hex(x) for x in (r0_1, r0_2, r0_4)])
    check(tag + "no step reported the target running",
          "running" not in out and "Could not read registers" not in out, out[-1500:])


def g_packet_write(khz):
    """G writes r0-r12 in one batch (sw_core_regs_write): every transfer
    after the first reaches a busy core and must be redone, each awaited."""
    with Server(load=FW, extra=["--speed", str(khz)]) as srv:
        rsp = RSP("127.0.0.1", srv.port)
        monitor(rsp, "halt")
        before = rsp.command(b"g")
        # g is little-endian hex per register: byte-swap each value.
        new = b"".join(f"{0xA0000000 + 0x01010101 * n:08x}".encode()[i:i + 2]
                       for n in range(13) for i in (6, 4, 2, 0))
        reply = rsp.command(b"G" + new + before[len(new):])
        after = rsp.command(b"g")
        rsp.close()
    tag = f"SWD {khz} kHz: "
    check(tag + "G of r0-r12 accepted", reply == b"OK", reply)
    check(tag + "g after G reads the values written, the rest unchanged",
          after[:len(new)] == new and after[len(new):] == before[len(new):],
          (after[:len(new)], new))


def reset_from_slow_core():
    """A debugger's SYSRESETREQ takes a core clock cycle (128 us) too: reset
    halt still stops at the reset vector, reset run lets the firmware run
    and switch the clock again."""
    reset = nm("slowclk_reset", FW)
    with Server(load=FW, extra=["--speed", "4000"]) as srv:
        out = gdb_batch(srv, ["monitor halt", "monitor reset halt", "maintenance flush register-cache",
                              "p/x $pc", "p/x *(unsigned *)0x58024410", "monitor reset run", "monitor halt",
                              "maintenance flush register-cache", "p/x *(unsigned *)0x58024410", "detach"], elf=FW)
    v = values(out)
    check("reset halt from the slow core: at the reset vector, back on HSI",
          len(v) == 3 and v[0] == reset and v[1] & 0x38 == 0, out[-1500:])
    check("reset run from the slow core: the firmware runs and switches to CSI again",
          len(v) == 3 and (v[2] >> 3) & 7 == 1, out[-1500:])


for khz in (4000, 12000, 50000):
    session(khz)
g_packet_write(4000)
reset_from_slow_core()
finish()
