#!/usr/bin/env python3
"""Error replies at the packet level (issues #14 items 2, 4, 5 and #15 item 4):
- every packet that names a target range refuses an address >= 2^32 or a
  wrapping range with an error and changes nothing;
- a packet that fails for a reason answers "E.reason" and never an O packet
  (outside a run and qRcmd gdb would take the O as the reply);
- a failed monitor command answers its output, then an error; long output
  arrives whole;
- D in extended-remote mode keeps the connection; vAttach attaches again."""
import socket

from harness import Server, check, finish
from rsp_client import RSP, escape, frame

FP_COMP0 = 0xE0002008  # FPB comparators (ARMv7-M C1.11.5)
DWT_FUNCTION0 = 0xE0001028  # DWT_FUNCTIONn, 16 bytes apart (C1.8.17)
RAM = 0x20000000  # H743 DTCM


def reply_of(c, pkt):
    """Send pkt; return (the reply, the O packets that came before it)."""
    c.send_raw(frame(pkt))
    ack = c.read_byte()
    if ack != b"+":
        raise ValueError(f"expected ack, got {ack!r}")
    outs = []
    r = c.read_packet()
    while r.startswith(b"O") and r != b"OK":
        outs.append(r)
        r = c.read_packet()
    return r, outs


def qrcmd(c, cmd):
    r, outs = reply_of(c, b"qRcmd," + cmd.encode().hex().encode())
    return r, "".join(bytes.fromhex(o[1:].decode()).decode(errors="replace") for o in outs)


def read(c, addr, n):
    return bytes.fromhex(c.command(b"m%x,%x" % (addr, n)).decode())


def debug_state(c):
    """What a refused packet must not change: RAM, flash, FPB and DWT."""
    return (read(c, RAM, 16), read(c, 0x08000000, 64), read(c, FP_COMP0, 32),
            b"".join(read(c, DWT_FUNCTION0 + 16 * i, 4) for i in range(4)))


def address_checks():
    """Issue #15: M120000000,4 used to write 0x20000000 and answer OK."""
    with Server() as srv:
        c = RSP("127.0.0.1", srv.port)
        c.command(b"?")
        qrcmd(c, "halt")
        c.command(b"M20000000,10:" + b"11" * 16)
        before = debug_state(c)
        bad = [
            (b"M120000000,4:deadbeef", "M above 4 GiB"),
            (b"Mfffffffe,4:deadbeef", "M wrapping"),
            (b"X120000000,4:" + escape(b"\xde\xad\xbe\xef"), "X above 4 GiB"),
            (b"Xfffffffe,4:" + escape(b"\xde\xad\xbe\xef"), "X wrapping"),
            (b"Z0,108000100,2", "Z0 above 4 GiB"),
            (b"Z1,108000100,2", "Z1 above 4 GiB"),
            (b"Z2,120000000,4", "Z2 above 4 GiB"),
            (b"Z3,fffffffe,4", "Z3 wrapping"),
            (b"Z4,10000000000000000,4", "Z4 beyond 64 bits"),
            (b"z1,108000100,2", "z1 above 4 GiB"),
            (b"qCRC:108000000,10", "qCRC above 4 GiB"),
            (b"qCRC:ffffffffffffffff,2", "qCRC overflowing addr + len"),
            (b"qCRC:fffffff0,20", "qCRC wrapping"),
            (b"vFlashErase:108000000,20000", "vFlashErase above 4 GiB"),
            (b"vFlashErase:fffe0000,40000", "vFlashErase wrapping"),
            (b"vFlashWrite:108000000:" + escape(b"\0" * 16), "vFlashWrite above 4 GiB"),
            (b"vFlashWrite:fffffff8:" + escape(b"\0" * 16), "vFlashWrite wrapping"),
        ]
        for pkt, name in bad:
            r, outs = reply_of(c, pkt)
            check(f"{name}: refused with E.reason", r.startswith(b"E.") and not outs, (r, outs))
        r, outs = reply_of(c, b"m120000000,4")
        check("m above 4 GiB: refused with Exx (what gdb 13 reads as 'Cannot access memory')",
              len(r) == 3 and r.startswith(b"E") and not outs, r)
        r, outs = reply_of(c, b"mfffffffe,4")
        check("m wrapping: refused", len(r) == 3 and r.startswith(b"E"), r)
        check("vFlashDone with nothing staged", c.command(b"vFlashDone") == b"OK")
        check("nothing changed: RAM, flash, FPB comparators, DWT functions", debug_state(c) == before)
        check("a range ending exactly at 2^32 is allowed", c.command(b"Z3,fffffffc,4") == b"OK")
        check("... and removed", c.command(b"z3,fffffffc,4") == b"OK")
        r = c.command(b"M20000000,4:deadbeef")
        check("an in-range M still works", r == b"OK" and read(c, RAM, 4) == b"\xde\xad\xbe\xef", r)


def reasons_not_console():
    """Issue #14: E.reason for failures, never O packets outside a run."""
    with Server() as srv:
        c = RSP("127.0.0.1", srv.port, timeout=60)
        c.command(b"?")
        qrcmd(c, "halt")
        r, outs = reply_of(c, b"vFlashErase:24000000,1000")
        check("vFlashErase outside flash: E.reason, no O packet", r.startswith(b"E.") and not outs, (r, outs))
        check("... naming the problem", b"flash" in r, r)
        # Nine hardware breakpoints: the H743's FPB has eight comparators.
        replies = [reply_of(c, b"Z1,%x,2" % (0x08000100 + 4 * i)) for i in range(9)]
        check("eight hardware breakpoints fit", all(r == b"OK" and not o for r, o in replies[:8]), replies[:8])
        r, outs = replies[8]
        check("the ninth: E.reason in the Z reply itself", r.startswith(b"E.") and not outs, (r, outs))
        check("... saying the comparators are in use", b"comparator" in r.lower(), r)
        # Five watchpoints: the DWT has four comparators.
        replies = [reply_of(c, b"Z2,%x,4" % (0x20000000 + 8 * i)) for i in range(5)]
        check("four watchpoints fit", all(r == b"OK" for r, o in replies[:4]), replies[:4])
        r, outs = replies[4]
        check("the fifth: E.reason", r.startswith(b"E.") and not outs, (r, outs))
        for i in range(4):
            c.command(b"z2,%x,4" % (0x20000000 + 8 * i))
        for i in range(8):
            c.command(b"z1,%x,2" % (0x08000100 + 4 * i))
        r, outs = reply_of(c, b"P99=00000000")
        check("P to a register that does not exist: E.reason", r.startswith(b"E.") and not outs, (r, outs))
        r, outs = reply_of(c, b"Pf=0102")
        check("P with short data: E.reason", r.startswith(b"E.") and not outs, (r, outs))
        r, outs = reply_of(c, b"G0011")
        check("G with short data: E.reason", r.startswith(b"E.") and not outs, (r, outs))
        r, outs = reply_of(c, b"X24000000,8:abc")
        check("X with less data than announced: E.reason", r.startswith(b"E.") and not outs, (r, outs))
        # A flash failure in vFlashDone: a system reset in the middle of programming.
        data = bytes((i * 13 + 5) & 0xFF for i in range(0x40000))
        c.command(b"vFlashErase:%x,%x" % (0x08020000, len(data)))
        for o in range(0, len(data), 0x8000):
            c.command(b"vFlashWrite:%x:" % (0x08020000 + o) + escape(data[o:o + 0x8000]))
        qrcmd(c, "sim tick off")
        qrcmd(c, "sim reset-in 400")
        r, outs = reply_of(c, b"vFlashDone")
        check("vFlashDone that fails: E.reason with the cause, no O packet",
              r.startswith(b"E.") and b"reset during flash programming" in r and not outs, (r, outs))
        check("the next packet gets its own reply (not one late)", c.command(b"qC") == b"QC1")
        r, text = qrcmd(c, "halt")
        check("no stale failure text is queued for later", "flash" not in text and "breakpoint" not in text, text)
        srv.stop()
    check("the server log has the reasons", "reset during flash programming" in srv.output
          and "comparator" in srv.output, srv.output[-1500:])


def monitor_errors():
    with Server() as srv:
        c = RSP("127.0.0.1", srv.port)
        c.command(b"?")
        r, text = qrcmd(c, "nosuchcommand")
        check("unknown monitor command: output, then an error reply", r.startswith(b"E") and "unknown monitor"
              in text, (r, text))
        r, text = qrcmd(c, "reset sideways")
        check("failed monitor command: output, then an error reply", r.startswith(b"E") and "unknown mode" in text,
              (r, text))
        r, text = qrcmd(c, "flash erase nowhere")
        check("failed flash erase: error reply", r.startswith(b"E") and "flash erase failed" in text, (r, text))
        r, text = qrcmd(c, "halt")
        check("a monitor command that works: OK", r == b"OK" and "halted" in text, (r, text))
        r, text = qrcmd(c, "help")
        check("monitor help arrives whole (> 511 bytes)", r == b"OK" and len(text) > 1024
              and text.rstrip().endswith("this text"), (len(text), text[-200:]))
        qrcmd(c, "sim tick off")
        r, text = qrcmd(c, "targets")
        check("monitor targets arrives whole", r == b"OK" and "stm32h743" in text and "mimxrt1062" in text
              and "ae3" in text, text)


def detach_extended():
    with Server() as srv:
        c = RSP("127.0.0.1", srv.port)
        c.command(b"!")
        c.command(b"?")
        check("D in extended-remote mode: OK", c.command(b"D") == b"OK")
        r, text = qrcmd(c, "halt")
        check("... the connection stays: monitor works", r == b"OK" and "halted" in text, (r, text))
        r = c.command(b"vAttach;1")
        check("vAttach;1 attaches again with a stop reply", r.startswith(b"T"), r)
        check("... and registers read", len(c.command(b"g")) > 100)
        c.send_raw(frame(b"k"))
        c.read_byte()
        c.s.settimeout(5)
        try:
            closed = c.s.recv(1) == b""
        except OSError:
            closed = True
        check("k closes the connection", closed)
        c.close()
        c = RSP("127.0.0.1", srv.port)
        c.command(b"?")
        check("plain remote mode: D answers OK", c.command(b"D") == b"OK")
        c.s.settimeout(5)
        try:
            closed = c.s.recv(1) == b""
        except socket.timeout:
            closed = False
        except OSError:  # reset: closed with our ack unread
            closed = True
        check("... and closes (gdb itself disconnects there)", closed)
        c.close()


def main():
    address_checks()
    reasons_not_console()
    monitor_errors()
    detach_extended()


if __name__ == "__main__":
    try:
        main()
    except Exception as e:
        import traceback
        traceback.print_exc()
        check("rsp error tests", False, repr(e))
    finish()
