#!/usr/bin/env python3
"""Every command of docs/user-guide.md, run against the simulator (issue 9:
"every command in it exercised by a test").

The commands are the lines starting with "$ " in ```console blocks, taken
in order, section by section. Fixed substitutions, the only ones:
  - swdbridge / swdflash -> build/swdbridge, build/swdflash;
    firmware.elf -> build/fw/demo-h743.elf;
  - --probe jlink[...] -> --probe sim; a GDB server on the sim probe also
    gets --load <demo> (a board with firmware on it); `probe-server` on the
    sim probe gets --target stm32h743 --load <demo>;
  - the fixed ports 2331, 2340 and 19021 -> free ones (a server line gets
    --port / --rtt-port; its --listen ...:2340 is rewritten);
  - `sudo make install` -> make install DESTDIR=<tmp>; plain `make` -> a
    check that everything is built (the suite already built it);
  - gdb-multiarch lines get -batch -nx;
  - swdflash with --probe/--target would start a private server each time,
    and a simulated chip lives only as long as its server: the section's
    swdflash lines share one simulated board instead (--server).
GDB servers and probe servers run in the background until their start-up
line and stop at the end of their section; `swdflash ... rtt` streams and
runs for a few seconds; every other command must exit 0."""
import os
import re
import shlex
import subprocess
import sys
import tempfile
import threading
import time

from harness import BUILD, DEMO, check, finish, free_port

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
GUIDE = os.path.join(ROOT, "docs", "user-guide.md")


def commands():
    """[(section title, [command lines])] in guide order."""
    out, section, in_console = [], "", False
    for line in open(GUIDE):
        if line.startswith("## "):
            section = line[3:].strip()
            out.append((section, []))
        elif line.startswith("```console"):
            in_console = True
        elif line.startswith("```"):
            in_console = False
        elif in_console and line.startswith("$ "):
            out[-1][1].append(line[2:].rstrip("\n"))
    return [(s, c) for s, c in out if c]


class Background:
    """A server started from a guide line; ready when `ready` is printed."""

    def __init__(self, argv, ready, cwd):
        self.p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                  errors="replace", cwd=cwd)
        self.lines = []
        threading.Thread(target=self._read, daemon=True).start()
        deadline = time.time() + 30
        while time.time() < deadline and not any(ready in l for l in self.lines):
            if self.p.poll() is not None:
                break
            time.sleep(0.05)
        self.ok = any(ready in l for l in self.lines)

    def _read(self):
        for line in self.p.stdout:
            self.lines.append(line)

    def stop(self):
        if self.p.poll() is None:
            self.p.terminate()
            try:
                self.p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.p.kill()


def substitute(argv, ports, tmp):
    """The documented substitutions; returns (argv, kind)."""
    prog = argv[0]
    args = [a.replace("firmware.elf", DEMO) for a in argv[1:]]
    for i, a in enumerate(args):
        if i > 0 and args[i - 1] == "--probe" and a.startswith("jlink"):
            args[i] = "sim"
    for fixed in ("2331", "2340", "19021"):
        args = [a.replace(":" + fixed, ":%d" % ports[fixed]) for a in args]
    if prog in ("swdbridge", "swdflash"):
        prog = os.path.join(BUILD, prog)
    if prog.endswith("swdbridge") and args[:1] == ["probe-server"]:
        if "--probe" in args and args[args.index("--probe") + 1] == "sim":
            args += ["--target", "stm32h743", "--load", DEMO]
        return [prog] + args, "probe-server"
    if prog.endswith("swdbridge") and args[:1] != ["list-probes"]:
        if "--probe" in args and args[args.index("--probe") + 1] == "sim" and "--load" not in args:
            args += ["--load", DEMO]
        args += ["--port", str(ports["2331"]), "--rtt-port", str(ports["19021"])]
        return [prog] + args, "server"
    if prog.endswith("swdflash"):
        if "--probe" in args:
            i = args.index("--probe")
            del args[i:i + 2]
            if "--target" in args:
                i = args.index("--target")
                del args[i:i + 2]
            args = ["--server", "127.0.0.1:%d" % ports["board"]] + args
            if "--rtt" in args:
                return [prog] + args + ["--rtt-port", str(ports["19021"])], "stream-board"
            return [prog] + args, "finite-board"
        if "rtt" in args:
            args += ["--rtt-port", str(ports["19021"])]
            return [prog] + args, "stream"
        return [prog] + args, "finite"
    if prog == "gdb-multiarch":
        return [prog, "-batch", "-nx"] + args, "finite"
    if prog == "sudo" and args[:2] == ["make", "install"]:
        return ["make", "-s", "-C", ROOT, "install", "DESTDIR=" + os.path.join(tmp, "root")] + \
            [a for a in args[2:] if a.startswith("PREFIX=")], "finite"
    if prog == "make" and not args:
        return [os.path.join(BUILD, "swdbridge"), os.path.join(BUILD, "swdflash")], "built"
    return None, "shell"


def run_section(title, lines):
    tmp = tempfile.mkdtemp()
    ports = {p: free_port() for p in ("2331", "2340", "19021", "board")}
    servers = []
    try:
        for line in lines:
            name = f"guide [{title}] $ {line[:70]}"
            argv, kind = substitute(shlex.split(line), ports, tmp)
            if kind in ("finite-board", "stream-board"):
                kind = kind.split("-")[0]
                if not any(getattr(b, "board", False) for b in servers):
                    bg = Background([os.path.join(BUILD, "swdbridge"), "--probe", "sim", "--target", "stm32h743",
                                     "--port", str(ports["board"]), "--rtt-port", str(ports["19021"])],
                                    "gdb port", tmp)
                    bg.board = True
                    servers.append(bg)
            if kind == "shell":
                p = subprocess.run(["bash", "-c", line], cwd=tmp, capture_output=True, text=True, timeout=30)
                check(name, p.returncode == 0, p.stderr[-500:])
            elif kind in ("server", "probe-server"):
                ready = "gdb port" if kind == "server" else "probe exported on"
                bg = Background(argv, ready, tmp)
                servers.append(bg)
                text = "".join(bg.lines)
                check(name, bg.ok, text[-1000:])
                if "--listen" in argv and "0.0.0.0" in argv:
                    check(name + ": prints the WSL hints", "WSL" in text, text[-1000:])
            elif kind == "stream":
                p = subprocess.Popen(argv, cwd=tmp, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                time.sleep(4)
                p.terminate()
                out, err = p.communicate(timeout=20)
                check(name, "tick" in out, out[-300:] + err[-300:])
            elif kind == "built":
                check(name + " (the suite built it)", all(os.access(a, os.X_OK) for a in argv), str(argv))
            else:
                p = subprocess.run(argv, cwd=tmp, capture_output=True, text=True, timeout=300)
                out = p.stdout + p.stderr
                ok = p.returncode == 0
                if argv[0] == "gdb-multiarch":
                    ok = ok and "Remote communication error" not in out and "Connection refused" not in out
                check(name, ok, out[-1200:])
                if "break main" in line:
                    check(name + ": stops at main", "Breakpoint 1, main" in out, out[-1200:])
                if "deploy" in argv and "--json" in argv:
                    check(name + ": JSON events", '"event"' in out and '"done"' in out, out[-600:])
    finally:
        for s in servers:
            s.stop()


def main():
    secs = commands()
    check("the guide has commands", sum(len(c) for _, c in secs) >= 15, str(secs)[:500])
    for title, lines in secs:
        run_section(title, lines)


if __name__ == "__main__":
    try:
        main()
    except Exception as e:
        check("user guide", False, repr(e))
    sys.exit(finish())
