"""gdb `load` into the simulated STM32H743's flash through vFlash*, then
compare-sections (qCRC), skip-unchanged on a second load, and refusal of
addresses outside flash."""
import re

from harness import Server, check, finish, gdb_batch
from rsp_client import RSP, escape


def gdb_load(extra, path):
    with Server(load=None, extra=extra) as srv:
        out = gdb_batch(srv, ["load", "compare-sections", "monitor reset halt", "maintenance flush register-cache",
                              "break compute", "continue", "print demo_state.name", "detach"])
        check(f"{path}: gdb load programs blank flash", "Transfer rate" in out and "Start address" in out, out[-1500:])
        check(f"{path}: compare-sections matches every section", out.count("matched.") == 3 and "MIS-MATCHED" not in out,
              out[-1500:])
        check(f"{path}: the programmed firmware runs to a breakpoint", "Breakpoint 1, compute" in out and '"openmv' in out,
              out[-1500:])
        out2 = gdb_batch(srv, ["load", "compare-sections", "detach"])
        check(f"{path}: second load of the same image succeeds", out2.count("matched.") == 3, out2[-1000:])
        srv.stop()
        log = srv.output
        check(f"{path}: first load programmed the sector",
              re.search(r"flash: 1 sectors programmed.*\(%s\)" % path, log) is not None, log)
        check(f"{path}: second load skipped the unchanged sector",
              re.search(r"flash: 0 sectors programmed \(0 bytes\), 0 erased, 1 unchanged", log) is not None, log)


def loader_leaves_no_trace():
    """The loader runs in AXI SRAM: registers and the RAM gdb wrote come back."""
    with Server() as srv:
        c = RSP("127.0.0.1", srv.port)
        c.command(b"?")
        r = c.command(b"qRcmd," + b"halt".hex().encode())
        while r.startswith(b"O") and r != b"OK":
            r = c.read_packet()
        regs = c.command(b"g")
        pattern = bytes((i * 7) & 0xFF for i in range(0x3000))
        check("RAM write in the work area", c.command(b"X24000000,3000:" + escape(pattern)) == b"OK")
        data = bytes(range(256)) * 512
        check("loader: vFlashErase", c.command(b"vFlashErase:08060000,20000") == b"OK")
        check("loader: vFlashWrite", all(
            c.command(b"vFlashWrite:%x:" % (0x8060000 + o) + escape(data[o:o + 0x8000])) == b"OK"
            for o in range(0, len(data), 0x8000)))
        check("loader: vFlashDone", c.command(b"vFlashDone") == b"OK")
        back = bytes.fromhex(c.command(b"m24000000,3000").decode())
        check("RAM gdb wrote in the work area is restored", back == pattern)
        check("registers restored after the loader", c.command(b"g") == regs)
        crc = c.command(b"qCRC:8060000,20000")
        want = 0xFFFFFFFF
        for b in data:
            want ^= b << 24
            for _ in range(8):
                want = ((want << 1) ^ 0x04C11DB7) & 0xFFFFFFFF if want & 0x80000000 else (want << 1) & 0xFFFFFFFF
        check("qCRC on the target matches gdb's CRC", crc == b"C%08x" % want, crc)
        back = bytes.fromhex(c.command(b"m24000000,3000").decode())
        check("qCRC leaves the work area as it was", back == pattern)
    log = srv.output
    check("loader was used", "(on-target loader)" in log, log[-800:])


def monitor_flash():
    """monitor flash info / erase; erasing leaves blank flash and halts."""
    with Server() as srv:
        out = gdb_batch(srv, ["monitor flash info", "monitor flash erase flash-bank1",
                              "x/2wx 0x08000000", "monitor flash erase 0x08100000 0x20000",
                              "monitor flash erase all", "monitor flash erase nowhere", "detach"])
        check("flash info lists both banks and the loader",
              "flash-bank1" in out and "flash-bank2" in out and "on-target loader 'stm32h7'" in out, out[-1500:])
        check("erase of a bank reports the erased sectors", "flash: 1 sectors erased, 7 already blank" in out,
              out[-1500:])
        check("the bank reads erased afterwards", "0xffffffff\t0xffffffff" in out, out[-1500:])
        check("erase of a blank range erases nothing", "flash: 0 sectors erased, 1 already blank" in out,
              out[-1500:])
        check("bad erase arguments get a one-line reason", "flash erase failed: flash erase: all, a region name"
              in out, out[-1500:])
        check("... and fail in gdb (an error reply after the output)", "Protocol error with Rcmd" in out, out[-1500:])


def qrcmd(c, cmd):
    r = c.command(b"qRcmd," + cmd.encode().hex().encode())
    text = b""
    while r.startswith(b"O") and r != b"OK":
        text += bytes.fromhex(r[1:].decode())
        r = c.read_packet()
    return r, text.decode(errors="replace")


def stage(c, base, data):
    c.command(b"vFlashErase:%x,%x" % (base, len(data)))
    for o in range(0, len(data), 0x8000):
        c.command(b"vFlashWrite:%x:" % (base + o) + escape(data[o:o + 0x8000]))


def reset_during_programming():
    """A system reset while the loader programs: one clear error, the flash
    is reported as not programmed, and the next attempt programs and verifies."""
    data = bytes((i * 13 + 5) & 0xFF for i in range(0x40000))
    with Server() as srv:
        c = RSP("127.0.0.1", srv.port, timeout=120)
        c.command(b"?")
        qrcmd(c, "halt")
        stage(c, 0x08020000, data)
        qrcmd(c, "sim reset-in 400")  # inside programming (blank sectors: no erase)
        c.send_raw(b"$vFlashDone#" + b"%02x" % (sum(b"vFlashDone") & 0xFF))
        c.read_byte()
        r = c.read_packet()
        # The reason is in the reply (E.reason): an O packet here would be
        # taken by gdb as the reply and leave it one packet behind (#14).
        check("reset during programming fails the flash operation with E.reason, no O packet",
              r.startswith(b"E."), r)
        check("... with one clear line", b"target reset during flash programming" in r, r)
        qrcmd(c, "halt")
        stage(c, 0x08020000, data)
        check("the next attempt programs", c.command(b"vFlashDone") == b"OK")
        want = 0xFFFFFFFF
        for b in data:
            want ^= b << 24
            for _ in range(8):
                want = ((want << 1) ^ 0x04C11DB7) & 0xFFFFFFFF if want & 0x80000000 else (want << 1) & 0xFFFFFFFF
        check("... and verifies", c.command(b"qCRC:8020000,40000") == b"C%08x" % want)


def watchpoints_do_not_stop_the_loader():
    """A read watchpoint on flash and a hardware breakpoint stay armed while
    the loader computes a qCRC over that flash, and do not stop it."""
    with Server() as srv:
        c = RSP("127.0.0.1", srv.port)
        c.command(b"?")
        qrcmd(c, "halt")
        check("rwatch on flash accepted", c.command(b"Z3,8000004,4") == b"OK")
        check("hbreak accepted", c.command(b"Z1,8000100,2") == b"OK")
        r = c.command(b"qCRC:8000000,10000")
        check("qCRC over the watched flash answers", r.startswith(b"C"), r)
        check("watchpoint still set afterwards (removal succeeds)", c.command(b"z3,8000004,4") == b"OK")
        check("breakpoint still set afterwards (removal succeeds)", c.command(b"z1,8000100,2") == b"OK")
        srv.stop()
    check("the loader computed it (no fallback to the host)",
          "qCRC on the target failed" not in srv.output and "loader crashed" not in srv.output, srv.output[-1500:])


def main():
    watchpoints_do_not_stop_the_loader()
    reset_during_programming()
    monitor_flash()
    gdb_load([], "on-target loader")
    gdb_load(["--no-loader"], "host-driven")
    loader_leaves_no_trace()
    with Server() as srv:
        c = RSP("127.0.0.1", srv.port)
        c.command(b"?")
        r = c.command(b"vFlashErase:24000000,1000")
        check("vFlashErase outside flash is refused with E.reason (never an O packet)", r.startswith(b"E."), r)
        # Writing a whole new sector 2 (0x08040000) then vFlashDone programs and verifies it.
        data = bytes(range(256)) * 16
        check("vFlashErase sector", c.command(b"vFlashErase:08040000,20000") == b"OK")
        check("vFlashWrite", c.command(b"vFlashWrite:8040000:" + escape(data)) == b"OK")
        check("vFlashDone", c.command(b"vFlashDone") == b"OK")
        back = bytes.fromhex(c.command(b"m8040000,1000").decode())
        check("flash content after vFlashDone", back == data)
        rest = bytes.fromhex(c.command(b"m8041000,100").decode())
        check("rest of the erased sector reads erased", rest == b"\xff" * 256)
        c.close()


if __name__ == "__main__":
    try:
        main()
    except Exception as e:
        import traceback
        traceback.print_exc()
        check("flash load tests", False, repr(e))
    finish()
