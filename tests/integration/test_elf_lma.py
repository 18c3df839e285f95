#!/usr/bin/env python3
"""swdflash loads what gdb `load` loads (issue #14 item 7): the contents of
allocated, non-NOBITS sections at their load addresses, never the ELF and
program headers that a PT_LOAD segment's file range happens to cover.

The ELF is generated here for the simulated STM32H743: a .text in flash
(vectors + a branch-to-self), a RAM segment holding only .bss whose file range is the headers (the
shape seen in the field: 0x94 bytes of "\\x7fELF..." written to 0x20000000),
and .data with its LMA in flash. A marker written to 0x20000000 first must
survive the deploy, and gdb's compare-sections must match afterwards."""
import os
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import BUILD, Server, check, finish, gdb_batch  # noqa: E402
from rsp_client import RSP  # noqa: E402

SWDFLASH = os.path.join(BUILD, "swdflash")
FLASH, RAM = 0x08000000, 0x20000000
TEXT_OFF, DATA_OFF, STR_OFF, SH_OFF = 0x1000, 0x1010, 0x1020, 0x1060
MARKER = 0x5A5AC3C3


def craft():
    """ELF32 ARM executable: 3 PT_LOAD segments, 5 section headers."""
    names = b"\0.text\0.data\0.bss\0.shstrtab\0"
    phnum, shnum = 3, 5
    hdr_size = 52 + 32 * phnum
    # .text: initial SP, reset vector (Thumb), then "b ." at 0x08000008.
    text = struct.pack("<II", RAM + 0x8000, FLASH + 9) + b"\xfe\xe7\x00\xbf" + b"\x00" * 4
    data = b"DATA1234"
    eh = bytearray(52)
    eh[0:7] = b"\x7fELF\x01\x01\x01"
    struct.pack_into("<HHIIIIIHHHHHH", eh, 16, 2, 40, 1, FLASH + 9, 52, SH_OFF, 0x05000200, 52, 32, phnum, 40,
                     shnum, 4)
    ph = b""
    # the text segment (the unit test covers one starting before .text)
    ph += struct.pack("<8I", 1, TEXT_OFF, FLASH, FLASH, len(text), len(text), 5, 0x1000)
    # a .bss-only RAM segment whose file range is the headers
    ph += struct.pack("<8I", 1, 0, RAM, RAM, hdr_size, 0x400, 6, 0x1000)
    # .data: runs at RAM + 0x400, loaded right after .text in flash
    ph += struct.pack("<8I", 1, DATA_OFF, RAM + 0x400, FLASH + len(text), len(data), len(data), 6, 4)
    sh = bytes(40)
    sh += struct.pack("<10I", 1, 1, 6, FLASH, TEXT_OFF, len(text), 0, 0, 4, 0)
    sh += struct.pack("<10I", 7, 1, 3, RAM + 0x400, DATA_OFF, len(data), 0, 0, 4, 0)
    sh += struct.pack("<10I", 13, 8, 3, RAM + hdr_size, DATA_OFF, 0x400 - hdr_size, 0, 0, 4, 0)
    sh += struct.pack("<10I", 18, 3, 0, 0, STR_OFF, len(names), 0, 0, 1, 0)
    img = bytearray(SH_OFF + len(sh))
    img[0:52] = eh
    img[52:52 + len(ph)] = ph
    img[TEXT_OFF:TEXT_OFF + len(text)] = text
    img[DATA_OFF:DATA_OFF + len(data)] = data
    img[STR_OFF:STR_OFF + len(names)] = names
    img[SH_OFF:] = sh
    return bytes(img)


def main():
    path = os.path.join(tempfile.mkdtemp(prefix="elf-lma-"), "hdr-in-ram.elf")
    with open(path, "wb") as f:
        f.write(craft())
    with Server(target="stm32h743", load=None) as srv:
        c = RSP("127.0.0.1", srv.port)
        c.command(b"?")
        c.command(b"M%x,4:%s" % (RAM, struct.pack("<I", MARKER).hex().encode()))
        c.close()
        p = subprocess.run([SWDFLASH, "--server", srv.target(), "deploy", path, "--no-reset"], capture_output=True,
                           text=True, timeout=60)
        check("deploy of an ELF whose segments cover its headers", p.returncode == 0, p.stdout + p.stderr)
        out = gdb_batch(srv, ["x/wx 0x20000000", "x/2wx 0x08000010", "compare-sections", "detach"], elf=path)
        check("RAM at 0x20000000 untouched (no ELF header written there)",
              f"0x20000000:\t0x{MARKER:08x}" in out, out[-800:])
        check(".data at its LMA in flash, right after .text", "0x8000010:\t0x41544144\t0x34333231" in out,
              out[-800:])
        check("gdb compare-sections matches what swdflash wrote", out.count("matched.") == 2 and
              "MIS-MATCHED" not in out, out[-800:])


if __name__ == "__main__":
    try:
        main()
    except Exception as e:  # a crash is a failed check, not a silent pass
        import traceback
        traceback.print_exc()
        check("elf lma tests", False, repr(e))
    finish()
