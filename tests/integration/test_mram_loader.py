"""AE3 MRAM through the on-target loader (issue #20): gdb's vFlash packets
program MRAM with the data crossing the wire once (the loader stores each
128-bit unit from the ring), unchanged sectors are found by CRC on the
target without reading MRAM back, units the image leaves blank are cleared
without data on the wire, and the Secure Enclave area stays refused before
anything is written. Counts are the simulator's (deterministic)."""
import random
import re

from harness import Server, check, finish
from rsp_client import RSP, escape, monitor

SIM = re.compile(r"sim: ([0-9.]+) s virtual, \d+ resets, (\d+) round trips, (\d+) SWD transactions")
KIB = 1024


def counters(rsp):
    m = SIM.search(monitor(rsp, "sim")[0])
    return float(m.group(1)), int(m.group(2)), int(m.group(3))


def load(rsp, base, data):
    rsp.command(b"vFlashErase:%x,%x" % (base, len(data)))
    for off in range(0, len(data), 0x4000):
        rsp.command(b"vFlashWrite:%x:" % (base + off) + escape(data[off:off + 0x4000]))
    r = rsp.command(b"vFlashDone")
    while r.startswith(b"O") and r != b"OK":  # console text before the error (older servers)
        r = rsp.read_packet()
    return r


def read(rsp, base, size):
    out = b""
    while len(out) < size:
        out += bytes.fromhex(rsp.command(b"m%x,%x" % (base + len(out), min(0x4000, size - len(out)))).decode())
    return out


def main():
    base = 0x80100000
    img = random.Random(7).randbytes(256 * KIB)
    half = img[:128 * KIB] + bytes(128 * KIB)  # the second half blank (MRAM's erased value is 0x00)
    with Server(target="ae3", load=None) as srv:
        rsp = RSP("127.0.0.1", srv.port, timeout=300)
        monitor(rsp, "halt")
        monitor(rsp, "sim tick off")
        _, _, tx0 = counters(rsp)
        r = load(rsp, base, img)
        _, _, tx1 = counters(rsp)
        check("256 KiB programmed into MRAM", r == b"OK", r)
        check("... by the on-target loader", "(on-target loader)" in srv.output, srv.output[-800:])
        check("... reads back", read(rsp, base, len(img)) == img)
        # The data crosses the wire once: 64 Ki words plus a small overhead
        # (one SWD transaction per word, TAR writes, polls, CRCs of 64 sectors).
        words = len(img) // 4
        check("the image crosses the wire once (SWD transactions < 1.25 x its words)",
              tx1 - tx0 < 1.25 * words, f"{tx1 - tx0} transactions for {words} words")
        _, _, tx2 = counters(rsp)
        r = load(rsp, base, img)
        _, _, tx3 = counters(rsp)
        check("unchanged image: nothing programmed", r == b"OK" and "0 sectors programmed" in srv.output,
              srv.output[-400:])
        check("unchanged 256 KiB compared on the target (< 10 % of its words on the wire)",
              tx3 - tx2 < 0.10 * words, f"{tx3 - tx2} transactions")
        r = load(rsp, base, half)
        check("second half blank: cleared", r == b"OK" and read(rsp, base, len(half)) == half)
        r = load(rsp, 0x8057F000, b"\x55" * 8 * KIB)  # runs into the SE area at 0x80580000
        check("a range reaching into the SE area is refused", r.startswith(b"E"), r)
        check("... before anything was written", read(rsp, 0x8057F000, 16) != b"\x55" * 16)
        rsp.close()


if __name__ == "__main__":
    try:
        main()
    except (OSError, ValueError, AttributeError) as e:
        check("MRAM loader tests ran", False, repr(e))
    finish()
