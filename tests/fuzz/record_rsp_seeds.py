#!/usr/bin/env python3
"""Seeds for fuzz_rsp_session: real gdb-multiarch sessions against swdbridge
(--probe sim, the demo on the simulated H743), recorded with gdb's
`set remotelogfile`; each seed is the byte stream gdb wrote (acks, packets,
binary vFlashWrite data). Generated at build time into the directory given,
nothing binary is committed.  Usage: record_rsp_seeds.py OUTDIR"""
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
from harness import DEMO, GDB, Server  # noqa: E402

SESSIONS = {
    "registers-memory": ["info registers", "x/16x 0x24000000", "set var counter = 5", "print counter",
                         "p/x $pc", "set $r0 = 0x1234", "info registers r0"],
    "break-step-watch": ["break delay", "continue", "bt", "stepi", "next", "delete", "hbreak main",
                         "watch counter", "continue", "rwatch counter", "info breakpoints", "delete"],
    "load-monitor": ["load", "compare-sections", "monitor reset", "monitor flash info", "monitor halt",
                     "monitor speed 2000", "monitor step_irq off", "monitor targets", "monitor go", "monitor halt",
                     "monitor reset core", "monitor vector_catch all on", "monitor help"],
}


def unescape(s):
    """gdb's remote log escapes: \\\\, \\n, \\r, \\t, \\xHH and octal \\NNN."""
    out = bytearray()
    i = 0
    simple = {"n": 10, "r": 13, "t": 9, "\\": 92, "e": 27, "a": 7, "b": 8, "f": 12, "v": 11}
    while i < len(s):
        ch = s[i]
        if ch != "\\" or i + 1 >= len(s):
            out += ch.encode("latin-1")
            i += 1
            continue
        nxt = s[i + 1]
        if nxt in simple:
            out.append(simple[nxt])
            i += 2
        elif nxt == "x" and re.match(r"[0-9a-fA-F]{2}", s[i + 2:i + 4]):
            out.append(int(s[i + 2:i + 4], 16))
            i += 4
        elif re.match(r"[0-7]{1,3}", s[i + 1:i + 4]):
            m = re.match(r"[0-7]{1,3}", s[i + 1:i + 4])
            out.append(int(m.group(0), 8) & 0xFF)
            i += 1 + len(m.group(0))
        else:
            out += nxt.encode("latin-1")
            i += 2
    return bytes(out)


def record(commands, log):
    with Server(extra=["--probe", "sim"]) as srv:
        args = [GDB, "-nx", "-batch", "-ex", "set pagination off", "-ex", "set confirm off",
                "-ex", f"set remotelogfile {log}", "-ex", f"target extended-remote {srv.target()}"]
        for c in commands + ["detach"]:
            args += ["-ex", c]
        subprocess.run(args + [DEMO], capture_output=True, timeout=180)
    stream = b""
    with open(log, encoding="latin-1") as f:
        for line in f:
            if line.startswith("w "):
                stream += unescape(line[2:].rstrip("\n"))
    return stream


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        for name, cmds in SESSIONS.items():
            data = record(cmds, os.path.join(tmp, name + ".log"))
            if b"$qSupported" not in data:
                sys.exit(f"record_rsp_seeds: session {name} recorded nothing")
            with open(os.path.join(out, name), "wb") as f:
                f.write(data)
            print(f"record_rsp_seeds: {name}: {len(data)} bytes")


if __name__ == "__main__":
    main()
