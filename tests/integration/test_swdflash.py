#!/usr/bin/env python3
"""swdflash against swdbridge --probe sim (issue 5 item 4): deploy of the demo
ends with it running, an unchanged re-deploy erases nothing, a 2 MiB image
across both banks verifies, bad input is refused before anything is erased,
a reset injected during programming fails cleanly and the next deploy
recovers, --json parses, verify sees a changed byte."""
import json
import os
import re
import signal
import struct
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import BUILD, DEMO, Server, check, finish, free_port, nm  # noqa: E402
from rsp_client import RSP  # noqa: E402

SWDFLASH = os.environ.get("SWDFLASH", os.path.join(BUILD, "swdflash"))
TMP = tempfile.mkdtemp(prefix="swdflash-test-")
MiB = 1 << 20


def swdflash(server, *args, timeout=180):
    cmd = [SWDFLASH] + (["--server", server.target()] if server else []) + list(args)
    t = time.time()
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    if os.environ.get("SWDFLASH_TIMES"):
        print(f"TIME {time.time() - t:.2f} {args}")
    return p.returncode, p.stdout, p.stderr


def events(out):
    """Every stdout line must be one JSON object."""
    evs = []
    for line in out.splitlines():
        evs.append(json.loads(line))
    return evs


def sim_seconds(server):
    rc, out, _ = swdflash(server, "monitor", "sim")
    m = re.search(r"sim: ([0-9.]+) s virtual", out)
    return float(m.group(1)) if m else -1.0


def crc(server, addr, length):
    c = RSP("127.0.0.1", server.port)
    try:
        r = c.command(b"qCRC:%x,%x" % (addr, length))
    finally:
        c.close()
    return r


def read_u32(server, addr):
    c = RSP("127.0.0.1", server.port)
    try:
        r = c.command(b"m%x,4" % addr)
    finally:
        c.close()
    return struct.unpack("<I", bytes.fromhex(r.decode()))[0]


def write_file(name, data):
    path = os.path.join(TMP, name)
    with open(path, "wb") as f:
        f.write(data)
    return path


def pattern(n, seed):
    """Deterministic non-blank data (no 0xFF runs a server could skip)."""
    out = bytearray(n)
    x = seed
    for i in range(0, n, 4):
        x = (x * 1103515245 + 12345) & 0xFFFFFFFF
        out[i:i + 4] = struct.pack("<I", x | 0x01010101 & ~0x80808080)
    return bytes(out)


def demo_runs_and_delta(s):
    swdflash(s, "monitor", "sim", "tick", "off")
    t0 = sim_seconds(s)
    rc, out, err = swdflash(s, "--json", "deploy", DEMO)
    t1 = sim_seconds(s)
    evs = events(out) if rc == 0 else []
    check("deploy of the demo succeeds", rc == 0, err + out)
    done = [e for e in evs if e["event"] == "done"]
    check("... --json events parse and end with done", evs and evs[0]["event"] == "start" and done, out)
    check("... every run verified", all(e["ok"] for e in evs if e["event"] == "verify") and
          any(e["event"] == "verify" for e in evs), out)
    swdflash(s, "monitor", "sim", "tick", "on")
    addr = nm("counter")
    a = read_u32(s, addr)
    time.sleep(0.5)
    b = read_u32(s, addr)
    check("the demo runs after deploy (counter increases)", b > a, f"{a} -> {b}")

    swdflash(s, "monitor", "sim", "tick", "off")
    t2 = sim_seconds(s)
    rc, out, err = swdflash(s, "--json", "deploy", DEMO)
    t3 = sim_seconds(s)
    evs = events(out) if rc == 0 else []
    erase = [e for e in evs if e["event"] == "erase"]
    done = [e for e in evs if e["event"] == "done"]
    check("second deploy of the same image erases nothing",
          rc == 0 and erase and erase[0]["sectors"] == 0 and done[0]["sectors_erased"] == 0, out + err)
    check("... and transfers nothing", rc == 0 and done[0]["bytes_flash"] == 0 and
          not any(e["event"] == "write" for e in evs), out)
    print(f"INFO: virtual time: first deploy of the demo {t1 - t0:.3f} s, unchanged re-deploy {t3 - t2:.3f} s")
    swdflash(s, "monitor", "sim", "tick", "on")

    rc, out, err = swdflash(s, "verify", DEMO)
    check("verify of the deployed demo passes", rc == 0, err)


def two_banks(s):
    data = pattern(2 * MiB, 1)
    path = write_file("two-banks.bin", data)
    swdflash(s, "monitor", "sim", "tick", "off")
    t0 = sim_seconds(s)
    rc, out, err = swdflash(s, "--json", "deploy", path, "--base", "0x08000000", "--no-reset")
    t1 = sim_seconds(s)
    evs = events(out) if rc == 0 else []
    done = [e for e in evs if e["event"] == "done"]
    check("2 MiB image across both banks deploys", rc == 0 and done and done[0]["sectors_touched"] == 16,
          err + out[-500:])
    check("... and verifies by CRC (one qCRC per bank)",
          [e["ok"] for e in evs if e["event"] == "verify"] == [True, True], out[-500:])
    print(f"INFO: virtual time: 2 MiB across both banks {t1 - t0:.3f} s")
    check("... qCRC of bank 2 matches the image",
          crc(s, 0x08100000, MiB) == b"C%08x" % gdb_crc(data[MiB:]), "")

    changed = bytearray(data)
    changed[MiB + 12345] ^= 0x40
    rc, out, err = swdflash(s, "verify", write_file("changed.bin", bytes(changed)), "--base", "0x08000000")
    check("verify detects one changed byte (exit 5)", rc == 5 and "differs" in err, f"rc {rc}: {err}")

    rc, out, err = swdflash(s, "erase", "0x08100000", "0x20000")
    rc2, _, err2 = swdflash(s, "verify", path, "--base", "0x08000000")
    check("erase of one sector, then verify fails", rc == 0 and rc2 == 5, err + err2)
    swdflash(s, "monitor", "sim", "tick", "on")
    return data


def reset_mid_programming(s):
    # 512 KiB across the bank boundary, over the 2 MiB image: erase + program.
    data = pattern(512 * 1024, 7)
    path = write_file("two-banks-b.bin", data)
    base = "0x080c0000"
    swdflash(s, "monitor", "sim", "tick", "off")
    rc, out, err = swdflash(s, "monitor", "sim", "reset-in", "1500")
    check("monitor sim reset-in accepted", rc == 0, err)
    t0 = sim_seconds(s)
    rc, out, err = swdflash(s, "deploy", path, "--base", base)
    print(f"INFO: failed deploy took {sim_seconds(s) - t0:.3f} s virtual: {(err.strip().splitlines() or [''])[-1]}")
    check("a reset during programming fails the deploy (exit 4)", rc == 4, f"rc {rc}: {err}")
    check("... with one clear line about the reset", "reset" in err and len(err.strip().splitlines()) <= 4, err)
    check("... the server's E.reason text, shown once (issue #14)",
          err.count("target reset during flash programming") == 1, err)
    rc, out, err = swdflash(s, "--json", "deploy", path, "--base", base)
    evs = events(out) if rc == 0 else []
    check("the next deploy succeeds", rc == 0, err + out[-300:])
    check("... and verifies", [e["ok"] for e in evs if e["event"] == "verify"] == [True, True], out[-300:])
    rc, out, err = swdflash(s, "verify", path, "--base", base)
    check("... and a separate verify agrees", rc == 0, err)
    swdflash(s, "monitor", "sim", "tick", "on")


def gdb_crc(data):
    # CRC-32 as gdb's qCRC (clients.md §2.4): MSB first, init 0xFFFFFFFF, no final XOR.
    table = []
    for i in range(256):
        c = i << 24
        for _ in range(8):
            c = ((c << 1) ^ 0x04C11DB7) & 0xFFFFFFFF if c & 0x80000000 else (c << 1) & 0xFFFFFFFF
        table.append(c)
    crc = 0xFFFFFFFF
    for b in data:
        crc = ((crc << 8) & 0xFFFFFFFF) ^ table[(crc >> 24) ^ b]
    return crc


def bad_elfs():
    demo = open(DEMO, "rb").read()
    x86 = bytearray(demo)
    x86[18:20] = struct.pack("<H", 3)  # e_machine = EM_386
    outside = bytearray(demo)
    phoff, phentsize, phnum = struct.unpack_from("<I", demo, 28)[0], *struct.unpack_from("<HH", demo, 42)
    for i in range(phnum):
        off = phoff + i * phentsize
        p_type, _, _, p_paddr, p_filesz = struct.unpack_from("<IIIII", demo, off)
        if p_type == 1 and p_filesz:
            struct.pack_into("<I", outside, off + 12, 0x90000000)  # p_paddr: nothing mapped there
            break
    return [
        ("not an ELF", write_file("notelf.elf", b"this is not firmware\n" * 20), "not an ELF"),
        ("an ELF for x86", write_file("x86.elf", bytes(x86)), "ARM"),
        ("a segment outside flash and RAM", write_file("outside.elf", bytes(outside)), "outside"),
        ("a truncated file", write_file("truncated.elf", demo[:len(demo) // 3]), "truncated"),
        ("a truncated HEX file", write_file("truncated.hex", b":020000040800F2\n:10000000"), "line"),
    ]


def flash_crcs(s):
    # Halted, the server computes qCRC with its loader, one flash bank at a time.
    swdflash(s, "monitor", "halt")
    return crc(s, 0x08000000, MiB), crc(s, 0x08100000, MiB)


def bad_input(s):
    before = flash_crcs(s)
    for what, path, word in bad_elfs():
        rc, out, err = swdflash(s, "deploy", path)
        check(f"refused before erase: {what} (exit 2)", rc == 2 and len(err.strip().splitlines()) == 1,
              f"rc {rc}: {err}")
        check(f"... message says why ({word})", word.lower() in err.lower(), err)
    rc, out, err = swdflash(s, "--json", "deploy", os.path.join(TMP, "notelf.elf"))
    evs = events(out)
    check("--json error event", evs and evs[-1]["event"] == "error" and evs[-1]["exit"] == 2, out)
    check("flash unchanged after the refused inputs", flash_crcs(s) == before, "")
    rc, out, err = swdflash(s, "deploy", "/nonexistent/fw.elf")
    check("missing file: exit 2", rc == 2, err)
    rc, out, err = swdflash(s, "frobnicate")
    check("unknown command: exit 1", rc == 1, err)


def other_commands(s):
    """info, reset halt|run, HEX input, erase --all, rtt."""
    busy = RSP("127.0.0.1", s.port)
    busy.command(b"qSupported")
    # Beside a gdb, swdflash is the passive second connection (liveWatch,
    # issue #17): what would reset, run or flash is refused with the reason.
    rc, out, err = swdflash(s, "reset", "halt")
    check("beside another gdb, swdflash reset is refused with the reason (passive connection)",
          rc != 0 and "passive" in err, f"rc {rc}: {err}")
    busy2 = RSP("127.0.0.1", s.port)
    busy2.command(b"qSupported")
    rc, out, err = swdflash(s, "info")
    busy2.close()
    busy.close()
    check("a server busy with a gdb and a passive one: exit 3 with its reason",
          rc == 3 and "already connected" in err, f"rc {rc}: {err}")
    time.sleep(0.2)
    rc, out, err = swdflash(s, "info")
    check("info lists the flash banks", rc == 0 and "flash 0x08000000..0x080fffff" in out and
          "flash 0x08100000..0x081fffff" in out, out + err)
    addr = nm("counter")
    rc, _, err = swdflash(s, "reset", "halt")
    a = read_u32(s, addr)
    time.sleep(0.3)
    b = read_u32(s, addr)
    check("reset halt: the demo stays stopped", rc == 0 and a == b, f"rc {rc} {a} {b} {err}")
    rc, _, err = swdflash(s, "reset")
    a = read_u32(s, addr)
    time.sleep(0.3)
    b = read_u32(s, addr)
    check("reset (run): the demo runs", rc == 0 and b > a, f"rc {rc} {a} {b} {err}")

    hexfile = os.path.join(TMP, "demo.hex")
    subprocess.run(["arm-none-eabi-objcopy", "-O", "ihex", DEMO, hexfile], check=True)
    rc, out, err = swdflash(s, "--json", "deploy", hexfile)
    done = [e for e in events(out) if e["event"] == "done"] if rc == 0 else []
    check("the demo as Intel HEX: same content, nothing erased", rc == 0 and done and
          done[0]["sectors_erased"] == 0, out + err)

    rc, out, err = swdflash(s, "erase", "--all")
    rc2, _, err2 = swdflash(s, "verify", DEMO)
    check("erase --all, then verify of the demo fails", rc == 0 and rc2 == 5, err + err2)

    # RTT: the demo prints "rtt: tick N" on up channel 0 (server started with --rtt).
    p = subprocess.Popen([SWDFLASH, "--server", s.target(), "rtt", "--rtt-port", str(s.rtt_port)],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(1.0)
    p.send_signal(signal.SIGINT)
    out, err = p.communicate(timeout=10)
    check("rtt prints channel 0 until Ctrl-C (exit 0)", p.returncode == 0 and "rtt: tick" in out,
          f"{p.returncode} {out[:200]!r} {err}")


def private_server():
    rc, out, err = swdflash(None, "--probe", "sim", "--target", "stm32h743", "--json", "deploy", DEMO)
    evs = events(out) if rc == 0 else []
    check("deploy with a private server (no --server)", rc == 0 and evs[-1]["event"] == "done", err + out)
    rc, out, err = swdflash(None, "--probe", "sim", "--target", "nosuchchip", "info")
    check("private server that cannot start: exit 3 and its reason", rc == 3 and "nosuchchip" in err,
          f"rc {rc}: {err}")
    rc, out, err = swdflash(None, "--server", "127.0.0.1:1", "info")
    check("unreachable server: exit 3", rc == 3 and "connect" in err, err)


def deploy_then_rtt():
    """deploy --rtt: after programming and reset, the RTT text of the running
    demo streams until Ctrl-C (private server on a free RTT port)."""
    port = free_port()
    p = subprocess.Popen([SWDFLASH, "--probe", "sim", "--target", "stm32h743", "--rtt-port", str(port), "deploy", DEMO, "--rtt"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        out, err = p.communicate(timeout=8)
    except subprocess.TimeoutExpired:
        p.send_signal(signal.SIGINT)
        out, err = p.communicate(timeout=20)
    check("deploy --rtt streams the demo's RTT text after the deploy", "rtt: tick" in out, out[-500:] + err[-500:])
    check("deploy --rtt ends cleanly on Ctrl-C", p.returncode == 0, f"rc {p.returncode}: {err[-500:]}")


def main():
    deploy_then_rtt()
    with Server(load=None) as s:
        demo_runs_and_delta(s)
        two_banks(s)
        reset_mid_programming(s)
    rtt_port = free_port()
    with Server(extra=["--rtt", "--rtt-port", str(rtt_port)]) as s:
        s.rtt_port = rtt_port
        bad_input(s)
        other_commands(s)
    private_server()
    finish()


if __name__ == "__main__":
    main()
