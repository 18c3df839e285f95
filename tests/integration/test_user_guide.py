#!/usr/bin/env python3
"""docs/user-guide.md cannot drift (issue #9 item 5): every line starting
with `$ ` inside a ```console block of the guide is run here, in guide
order, against the simulator, with these fixed substitutions only:

- `swdbridge`, `swdflash` -> build/swdbridge, build/swdflash (absolute);
  `firmware.elf` -> build/fw/demo-h743.elf.
- `--probe jlink[...]` -> `--probe sim`. A GDB server (swdbridge without a
  subcommand) on the sim probe also gets `--load <demo>` unless it has one;
  `swdbridge probe-server` on the sim probe gets `--load <demo>` (and
  `--target stm32h743` for the sim unless given).
- `swdflash --probe jlink ...` (a private server on a board, whose flash
  persists between runs) -> `swdflash --server <P>` to one blank simulated
  chip kept for the section (its RTT on a free port, given to swdflash as
  `--rtt-port`): each private sim would start blank, so verify after deploy
  could not be tested otherwise.
- Fixed ports, per section: 2331 -> a free port P (the server line gets
  `--port P`), 2340 -> another free port, RTT 19021 -> a free port R given
  as `--rtt-port R` to the GDB server and to `swdflash rtt`.
- `sudo make install PREFIX=X` -> `make -s install DESTDIR=<tmp> PREFIX=X`;
  plain `make` runs as it is and must exit 0, after which `make -q` of the
  programs must say they are up to date (exit 0).
- gdb-multiarch lines get `-batch -nx`.

Kinds of lines: GDB servers and probe-servers run in the background until
their ready line ("gdb port", "exported on") and stop at the end of their
section; `swdflash ... rtt` and `deploy --rtt` stream until the demo's
RTT text arrives (at most 8 s) and must still be running; shell
lines (printf, chmod) run with bash; everything else must exit 0 within
30 s. Each section runs in its own temporary directory. One PASS/FAIL per
command, plus content checks of what the guide promises; the ```json
(launch.json) blocks must parse. There is no Windows build (issue #14
item 10): a console line may not be a Windows command (a Windows program or
`*.exe`; Windows steps go in ```powershell blocks, which are not run), and
no document tells users to run `swdbridge.exe`."""
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import BUILD, DEMO, ROOT, SERVER, check, finish, free_port  # noqa: E402

GUIDE = os.path.join(ROOT, "docs", "user-guide.md")
SWDFLASH = os.path.join(BUILD, "swdflash")
TIMEOUT = 30


def guide_json_blocks(path=GUIDE):
    """The text of every ```json block of the guide."""
    blocks, cur = [], None
    for line in open(path):
        if cur is None and line.startswith("```json"):
            cur = []
        elif cur is not None and line.startswith("```"):
            blocks.append("".join(cur))
            cur = None
        elif cur is not None:
            cur.append(line)
    return blocks


def guide_commands(path=GUIDE):
    """[(section title, command line)] for every `$ ` line in console blocks."""
    out, section, fence = [], "", None
    for line in open(path):
        line = line.rstrip("\n")
        if fence is None and line.startswith("## "):
            section = line[3:].strip()
        elif line.startswith("```"):
            fence = None if fence is not None else line[3:].strip()
        elif fence == "console" and line.startswith("$ "):
            out.append((section, line[2:]))
    return out


class Bg:
    """A background process whose output is collected line by line."""

    def __init__(self, args, cwd):
        self.args = args
        self.proc = subprocess.Popen(args, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                     errors="replace")
        self.lines = []
        self.reader = threading.Thread(target=self._collect, daemon=True)
        self.reader.start()

    def _collect(self):
        for line in self.proc.stdout:
            self.lines.append(line)

    @property
    def output(self):
        return "".join(self.lines)

    def wait_for(self, text, timeout=20):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if text in self.output:
                return True
            if self.proc.poll() is not None:
                self.reader.join(2)
                return text in self.output
            time.sleep(0.02)
        return False

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.reader.join(2)
        return self.proc.returncode


class Section:
    """Ports, temporary directory and background processes of one section."""

    def __init__(self, title):
        self.title = title
        self.dir = tempfile.mkdtemp(prefix="user-guide-")
        self.ports = {"2331": str(free_port()), "2340": str(free_port()), "19021": str(free_port())}
        self.bg = []
        self.flash_server = None
        self.board_rtt = str(free_port())

    def subst(self, tok):
        if tok == "firmware.elf":
            return DEMO
        for fixed, port in self.ports.items():
            tok = re.sub(rf"(?<![0-9]){fixed}(?![0-9])", port, tok)
        return tok

    def close(self):
        for p in reversed(self.bg):
            p.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


def sim_probe(args):
    """Replace --probe jlink[...] by --probe sim; True if the probe is sim."""
    for i, a in enumerate(args[:-1]):
        if a == "--probe":
            if args[i + 1].startswith("jlink"):
                args[i + 1] = "sim"
            return args[i + 1] == "sim"
    return False


def run(args, sec, timeout=TIMEOUT):
    try:
        p = subprocess.run(args, cwd=sec.dir, capture_output=True, text=True, errors="replace", timeout=timeout)
        return p.returncode, p.stdout + p.stderr
    except subprocess.TimeoutExpired as e:
        text = [x.decode(errors="replace") if isinstance(x, bytes) else (x or "") for x in (e.stdout, e.stderr)]
        return -1, f"timed out after {timeout} s: " + "".join(text)


def gdb_server(args, sec, label):
    if sim_probe(args) and "--load" not in args:
        args += ["--load", DEMO]
    if "--port" not in args:
        args += ["--port", sec.ports["2331"]]
    args += ["--rtt-port", sec.ports["19021"]]
    p = Bg(args, sec.dir)
    sec.bg.append(p)
    ok = check(label, p.wait_for("gdb port"), p.output[-1500:])
    if ok and "--listen" in args and args[args.index("--listen") + 1].startswith("0.0.0.0"):
        check(f"{sec.title}: --listen 0.0.0.0 prints the WSL2 forwarding hint and a launch.json",
              p.wait_for("cortex-debug", 5) and "from Windows, when this runs in WSL2: localhost:" in p.output,
              p.output[-1500:])
    if ok and "--rtt" in args:
        check(f"{sec.title}: --elf --rtt serves RTT channel 0 on the RTT port",
              p.wait_for(f"RTT channel 0: port 127.0.0.1:{sec.ports['19021']}", 5), p.output[-1500:])


def probe_server(args, sec, label):
    if sim_probe(args):
        if "--target" not in args:
            args += ["--target", "stm32h743"]
        if "--load" not in args:
            args += ["--load", DEMO]
    p = Bg(args, sec.dir)
    sec.bg.append(p)
    check(label, p.wait_for("exported on"), p.output[-1500:])
    if "--psk-file" in args:
        check(f"{sec.title}: probe-server uses TLS-PSK with the key file", "(TLS-PSK)" in p.output, p.output[-800:])


def swdflash(args, sec, label):
    rtt_port = sec.ports["19021"]
    if "--server" not in args and "--probe" in args:
        # Flash persists on a board between private servers; give the sim one chip for the section.
        if sec.flash_server is None:
            tgt = args[args.index("--target") + 1] if "--target" in args else "stm32h743"
            sec.flash_server = Bg([SERVER, "--probe", "sim", "--target", tgt, "--port", str(free_port()),
                                   "--rtt-port", sec.board_rtt], sec.dir)
            sec.bg.append(sec.flash_server)
            sec.flash_server.wait_for("gdb port")
        port = re.search(r"gdb port 127\.0\.0\.1:(\d+)", sec.flash_server.output)
        i = args.index("--probe")
        args[i:i + 2] = ["--server", f"localhost:{port.group(1) if port else 0}"]
        rtt_port = sec.board_rtt
    if "rtt" in args or "--rtt" in args:
        if "--rtt-port" not in args:
            args += ["--rtt-port", rtt_port]
        p = Bg(args, sec.dir)
        got = p.wait_for("rtt: tick", 8)
        alive = p.proc.poll() is None
        p.stop()
        check(label, alive and p.output.strip() != "", f"exit {p.proc.returncode}: {p.output[-800:]}")
        via = "deploy --rtt" if "deploy" in args else "swdflash rtt"
        check(f"{sec.title}: the demo's printf lines arrive through {via}", got, p.output[-800:])
        if "deploy" in args:
            check(f"{sec.title}: deploy --rtt deploys, then streams", "verified; reset and running" in p.output,
                  p.output[-800:])
        return
    rc, out = run(args, sec)
    check(label, rc == 0, f"exit {rc}: {out[-1500:]}")
    if "--json" in args:
        try:
            evs = [json.loads(l) for l in out.splitlines() if l.startswith("{")]
        except ValueError:
            evs = []
        done = [e for e in evs if e.get("event") == "done"]
        check(f"{sec.title}: --json prints one event per line; the same image again erases nothing",
              len(evs) >= 3 and done and done[-1].get("ok") is True and done[-1].get("sectors_erased") == 0,
              out[-1500:])
    elif "deploy" in args:
        check(f"{sec.title}: deploy programs, verifies, resets and runs", "verified; reset and running" in out,
              out[-800:])


def gdb(args, sec, label):
    args[1:1] = ["-batch", "-nx"]
    rc, out = run(args, sec)
    check(label, rc == 0, f"exit {rc}: {out[-1500:]}")
    cmds = " ".join(args)
    if "info registers pc" in cmds:
        check(f"{sec.title}: gdb reads the pc", re.search(r"^pc\s+0x[0-9a-f]+", out, re.M) is not None, out[-800:])
    if "monitor sim" in cmds:
        check(f"{sec.title}: monitor sim reports the simulated time", re.search(r"sim: [0-9.]+ s virtual", out)
              is not None, out[-800:])
    if "break main" in cmds:
        check(f"{sec.title}: load, break main, reset halt, continue stops in main",
              "Breakpoint 1, main ()" in out and re.search(r"#0\s+main \(\)", out) is not None, out[-1500:])
    if "hbreak compute" in cmds:
        check(f"{sec.title}: hbreak, watch, monitor flash info, monitor watch all set",
              "Hardware assisted breakpoint 1" in out and "Hardware watchpoint 2: counter" in out
              and "flash-bank2" in out and re.search(r"halting when 0x3 .* = g_state", out) is not None, out[-1500:])


def make(args, sec, label):
    if args[:1] == ["sudo"]:
        args = args[1:]
    if args == ["make"]:
        rc, out = run(["make", "-C", ROOT], sec, timeout=900)
        check(label, rc == 0, f"exit {rc}: {out[-800:]}")
        progs = [os.path.join("build", p) for p in ("swdbridge", "swdflash", "vjlink")]
        rc, out = run(["make", "-q", "-C", ROOT] + progs, sec)
        check(f"{sec.title}: after make, make -q says the programs are up to date (exit 0)", rc == 0,
              f"exit {rc}: {out[-800:]}")
        return
    if "install" in args:
        rest = [a for a in args[1:] if a != "install"]
        prefix = next((a.split("=", 1)[1] for a in rest if a.startswith("PREFIX=")), "/usr/local")
        dest = os.path.join(sec.dir, "dest")
        rc, out = run(["make", "-s", "-C", ROOT, "install", f"DESTDIR={dest}"] + rest, sec, timeout=300)
        check(label + " (with DESTDIR)", rc == 0, f"exit {rc}: {out[-1500:]}")
        want = ["bin/swdbridge", "bin/swdflash", "share/man/man1/swdbridge.1",
                "share/bash-completion/completions/swdbridge", "lib/systemd/system/swdbridge-probe-server.service"]
        missing = [w for w in want if not os.path.isfile(os.path.join(dest + prefix, w))]
        udev = os.path.isfile(os.path.join(dest + prefix, "lib/udev/rules.d/60-swdbridge.rules"))
        check(f"{sec.title}: programs, man page, completion, udev rules and unit under {prefix}",
              not missing and udev, missing)
        return
    check(label, False, "no rule to run this make line")


WINDOWS_PROGRAMS = ("usbipd", "winget", "powershell", "pwsh", "cmd", "New-NetFirewallRule", "wsl")


def windows_command(prog):
    return prog.lower().endswith(".exe") or prog in WINDOWS_PROGRAMS


def no_windows_build_claims():
    """No document tells users to run a Windows build that does not exist."""
    docs = [os.path.join(ROOT, "README.md")] + [os.path.join(ROOT, "docs", f) for f in os.listdir(
        os.path.join(ROOT, "docs")) if f.endswith(".md")] + [os.path.join(ROOT, "docs", "man", f) for f in
                                                           os.listdir(os.path.join(ROOT, "docs", "man"))]
    bad = [f"{os.path.relpath(d, ROOT)}: {l.strip()}" for d in docs for l in open(d)
           if re.search(r"\b(swdbridge|swdflash)\.exe\b", l)]
    check("no document tells users to run swdbridge.exe or swdflash.exe (there is no Windows build)", not bad, bad)


def run_line(sec, line):
    label = f"{sec.title}: $ {line}"
    try:
        toks = shlex.split(line)
    except ValueError as e:
        check(label, False, f"cannot parse: {e}")
        return
    prog = toks[0]
    if windows_command(prog):
        check(label, False, "a Windows command in a console block: this test runs on Linux (use ```powershell)")
        return
    if prog in ("printf", "chmod"):
        rc, out = run(["bash", "-c", line], sec)
        check(label, rc == 0, f"exit {rc}: {out}")
        if prog == "chmod" and rc == 0:
            f = os.path.join(sec.dir, toks[-1])
            check(f"{sec.title}: {toks[-1]} is readable only by its owner",
                  os.path.isfile(f) and (os.stat(f).st_mode & 0o777) == 0o600, oct(os.stat(f).st_mode))
        return
    if prog in ("make", "sudo"):
        make(toks, sec, label)
        return
    args = [sec.subst(t) for t in toks]
    if prog == "swdbridge":
        args[0] = SERVER
        if len(args) > 1 and args[1] == "probe-server":
            probe_server(args, sec, label)
        elif len(args) == 1 or args[1].startswith("-"):
            gdb_server(args, sec, label)
        else:
            rc, out = run(args, sec)
            check(label, rc == 0, f"exit {rc}: {out[-1500:]}")
    elif prog == "swdflash":
        args[0] = SWDFLASH
        swdflash(args, sec, label)
    elif prog == "gdb-multiarch":
        gdb(args, sec, label)
    else:
        check(label, False, f"the test has no rule for '{prog}'")


def main():
    no_windows_build_claims()
    cmds = guide_commands()
    check("the guide has console commands in every numbered section",
          len(cmds) >= 15 and len({s for s, _ in cmds}) >= 7, cmds)
    for text in guide_json_blocks():
        try:
            cfg, err = json.loads(text), ""
        except ValueError as e:
            cfg, err = {}, str(e)
        check(f"launch.json block '{cfg.get('name', '?')}' parses and targets the server's default port",
              cfg.get("servertype") == "external" and cfg.get("gdbTarget") == "localhost:2331", err or cfg)
    t0 = time.time()
    sec = None
    for title, line in cmds:
        if sec is None or sec.title != title:
            if sec:
                sec.close()
            sec = Section(title)
        try:
            run_line(sec, line)
        except Exception as e:  # one broken line must not hide the rest
            check(f"{title}: $ {line}", False, repr(e))
    if sec:
        sec.close()
    print(f"INFO: {len(cmds)} guide commands in {time.time() - t0:.1f} s")
    finish()


if __name__ == "__main__":
    main()
