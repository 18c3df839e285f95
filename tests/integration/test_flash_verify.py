"""Flash verification inside the loader's program call (issue #20): the
STM32H743, AE3 MRAM and NOR (RT1062, N657) loaders read every sector back by CRC
while programming, so a load makes no separate verify pass (counted from the
server's loader statistics), and a flash word that silently fails to
program (`monitor sim inject flashbit`) still fails the load with the
sector named."""
import random
import re

from harness import Server, check, finish
from rsp_client import RSP, escape
from rsp_client import monitor as rsp_monitor

FLASH = 0x08020000  # sectors 1 and 2 of bank 1
SIZE = 0x40000
BAD = FLASH + 0x20040  # a flash word in the second sector


def load(c, base, data):
    """One gdb `load`: erase, write, vFlashDone; returns vFlashDone's reply."""
    r = c.command(b"vFlashErase:%x,%x" % (base, len(data)))
    if r != b"OK":
        return r
    for off in range(0, len(data), 0x4000):
        r = c.command(b"vFlashWrite:%x:" % (base + off) + escape(data[off:off + 0x4000]))
        if r != b"OK":
            return r
    return c.command(b"vFlashDone")


def gdb_crc(data):
    crc = 0xFFFFFFFF
    for b in data:
        crc ^= b << 24
        for _ in range(8):
            crc = ((crc << 1) ^ 0x04C11DB7) & 0xFFFFFFFF if crc & 0x80000000 else (crc << 1) & 0xFFFFFFFF
    return crc


def image(seed, size):
    data = bytearray(random.Random(seed).randbytes(size))
    data[BAD - FLASH] = 0x00  # bit 0 must be programmed to 0 for the fault to show
    return bytes(data)


def stats(srv, n):
    """The n-th 'flash loader: ...' statistics line of the server log."""
    lines = re.findall(r"flash loader: (\d+) calls, (\d+) CRC calls, (\d+) sectors verified while programming",
                       srv.output)
    return tuple(int(x) for x in lines[n]) if len(lines) > n else None


def h743_verify_in_loader():
    with Server(load=None) as srv:
        c = RSP("127.0.0.1", srv.port, timeout=120)
        rsp_monitor(c, "sim tick off")
        rsp_monitor(c, "halt")
        first, second = image(1, SIZE), image(2, SIZE)
        check("h743: load over blank flash", load(c, FLASH, first) == b"OK")
        check("h743: qCRC of what was loaded", c.command(b"qCRC:%x,%x" % (FLASH, SIZE)) == b"C%08x" % gdb_crc(first))
        rsp_monitor(c, "sim inject flashbit %x" % BAD)
        r = load(c, FLASH, second)
        check("h743: a flash word that silently failed to program fails the load",
              r.startswith(b"E") and b"flash verify failed in the sector at 0x08040000" in r, r)
        got = bytes.fromhex(c.command(b"m%x,4" % BAD).decode())
        check("h743: the sim really corrupted the word", got[0] == 0x01, got.hex())
        check("h743: loading again programs the sector right", load(c, FLASH, second) == b"OK", srv.output[-600:])
        check("h743: qCRC after the retry",
              c.command(b"qCRC:%x,%x" % (FLASH, SIZE)) == b"C%08x" % gdb_crc(second))
        ok = load(c, FLASH, second) == b"OK"
        c.close()
        srv.stop()  # the log is complete
        check("h743: unchanged reload compares by CRC and programs nothing", ok and
              re.search(r"flash: 0 sectors programmed \(0 bytes\), 0 erased, 2 unchanged", srv.output) is not None,
              srv.output[-600:])
        # init, program, uninit; the sampled compare tells blank from the
        # image without a CRC call, and the loader verified both sectors.
        check("h743: no separate CRC pass, both sectors verified by the loader", stats(srv, 0) == (3, 0, 2),
              srv.output[-600:])
        check("h743: the failure was caught inside the program call (no separate verify)",
              stats(srv, 1) == (3, 0, 2), srv.output[-600:])
        check("h743: the unchanged reload: one CRC call, nothing programmed", stats(srv, 3) == (3, 1, 0),
              srv.output[-600:])
        c.close()


def verify_in_loader(name, target, base):
    """MRAM and NOR: 8 sectors of 4 KiB, each read back by CRC
    inside the program call."""
    with Server(target=target, load=None) as srv:
        c = RSP("127.0.0.1", srv.port, timeout=120)
        rsp_monitor(c, "sim tick off")
        rsp_monitor(c, "halt")
        data = random.Random(3).randbytes(0x8000)
        check(f"{name}: load", load(c, base, data) == b"OK", srv.output[-600:])
        check(f"{name}: qCRC of what was loaded", c.command(b"qCRC:%x,8000" % base) == b"C%08x" % gdb_crc(data))
        c.close()
        srv.stop()
        check(f"{name}: every sector verified inside the program call, no separate CRC pass",
              stats(srv, 0) == (3, 0, 8), srv.output[-600:])



if __name__ == "__main__":
    h743_verify_in_loader()
    verify_in_loader("ae3 MRAM", "ae3", 0x80000000)
    verify_in_loader("rt1062 NOR", "mimxrt1062", 0x60000000)
    verify_in_loader("n657 NOR", "stm32n657", 0x70000000)
    finish()
