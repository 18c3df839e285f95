#!/usr/bin/env python3
"""Issue #14 items 3 and 11, on this machine (no probe connected):
- without --probe (and SWDBRIDGE_PROBE) swdbridge and swdflash refuse with
  one line that names `--probe sim`; the simulator says so at start-up;
- list-probes and the default probe see FTDI adapters (swdbridge-mpsse: the
  libftdi1 enumeration answered by the MPSSE model's "plugged-in" adapter);
- --version (both), --speed KHZ|auto, SWDBRIDGE_PROBE/TARGET/SPEED with the
  flags winning, --log FILE, --connect-under-reset (core halted at its reset
  vector, not running), swdflash --json printing only JSON for every command.
The J-Link half (a vjlink reachable, no --probe) is test_default_probe_jlink.py."""
import json
import os
import re
import select
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import BUILD, DEMO, ROOT, SERVER, check, finish, free_port, gdb_batch, nm  # noqa: E402

SWDFLASH = os.path.join(BUILD, "swdflash")
MPSSE = os.path.join(BUILD, "swdbridge-mpsse")
M55 = os.path.join(BUILD, "fw", "demo-m55.elf")
TMP = tempfile.mkdtemp(prefix="cli-flags-")
# No inherited defaults: each check sets what it means.
CLEAN = {k: v for k, v in os.environ.items() if not k.startswith("SWDBRIDGE")}


def run(args, env=None, timeout=60):
    p = subprocess.run(args, capture_output=True, text=True, errors="replace", timeout=timeout,
                       env=dict(CLEAN, **(env or {})))
    return p.returncode, p.stdout, p.stderr


class Srv(harness.Server):
    """swdbridge with exactly `args` (plus --port), a clean environment plus
    `env`: unlike harness.Server no --probe is added."""

    def __init__(self, args, env=None, server=SERVER):
        self.port = free_port()
        self.vjlink = None
        self.proc = subprocess.Popen([server] + args + ["--port", str(self.port)], stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True, errors="replace",
                                     env=dict(CLEAN, **(env or {})))
        self.lines = []
        self.reader = threading.Thread(target=self._collect, daemon=True)
        self.reader.start()
        deadline = time.time() + 20
        while time.time() < deadline and not any("gdb port" in l for l in self.lines):
            if self.proc.poll() is not None:
                self.reader.join(2)
                break
            time.sleep(0.02)


start = Srv


def no_probe():
    rc, out, err = run([SERVER, "--target", "stm32h743"])
    check("no probe connected: swdbridge --target stm32h743 fails with one line naming --probe sim",
          rc != 0 and len(err.strip().splitlines()) == 1 and "--probe sim" in err and "none connected" in err,
          f"rc {rc}: {out}{err}")
    rc, out, err = run([SWDFLASH, "--target", "stm32h743", "deploy", DEMO])
    check("no probe connected: swdflash --target stm32h743 deploy fw.elf fails with one line naming --probe sim",
          rc != 0 and len(err.strip().splitlines()) == 1 and "--probe sim" in err and "none connected" in err,
          f"rc {rc}: {out}{err}")
    rc, out, err = run([SWDFLASH, "--target", "stm32h743", "--json", "deploy", DEMO])
    evs = [json.loads(l) for l in out.splitlines()] if rc else []
    check("no probe, --json: one error event, non-zero exit",
          rc != 0 and len(evs) == 1 and evs[0]["event"] == "error" and "--probe sim" in evs[0]["message"],
          f"rc {rc}: {out}{err}")
    rc, out, _ = run([SERVER, "list-probes"])
    check("list-probes with nothing connected says so and names --probe sim",
          rc == 0 and "no probe found" in out and "--probe sim" in out, out)


def sim_says_so():
    srv = start(["--probe", "sim", "--target", "stm32h743", "--load", DEMO])
    try:
        check("--probe sim: the start-up line says the simulator is in use",
              re.search(r"probe sim: the built-in simulator .*no hardware is touched", srv.output) is not None,
              srv.output)
    finally:
        srv.stop()
    rc, out, err = run([SWDFLASH, "--probe", "sim", "--target", "stm32h743", "info"])
    check("swdflash with a private simulator says so on stderr",
          rc == 0 and "private server: probe sim: the built-in simulator" in err, err)


def ftdi_default():
    env = {"SW_MPSSE_CHIP": "stm32h743", "SW_MPSSE_LOAD": DEMO}
    rc, out, _ = run([MPSSE, "list-probes"], env)
    check("list-probes lists an FTDI adapter (libftdi1 enumeration over the layout VID:PIDs)",
          rc == 0 and re.search(r"^ftdi:0403:6014:MPSSE0001\s+FTDI .*layout: ft232h", out, re.M) is not None, out)
    srv = start(["--target", "stm32h743", "--elf", DEMO], env, server=MPSSE)
    try:
        picked = re.search(r"probe ftdi:0403:6014:MPSSE0001 \(.*\): the one probe connected", srv.output)
        check("no --probe and one FTDI adapter: it is picked", picked is not None, srv.output)
        if picked:
            out = gdb_batch(srv, ["info registers pc", "detach"])
            check("the picked FTDI adapter serves gdb", re.search(r"^pc\s+0x", out, re.M) is not None, out[-600:])
    finally:
        srv.stop()
    env = dict(env, SW_MPSSE_LAYOUT="minimodule")  # 0403:6010: minimodule, minimodule-b, steppenprobe
    rc, out, err = run([MPSSE, "--target", "stm32h743", "--port", "0"], env)
    check("one FTDI adapter whose VID:PID fits several layouts: one line asking for --ftdi-layout",
          rc != 0 and len(err.strip().splitlines()) == 1 and "--ftdi-layout" in err and "minimodule-b" in err,
          out + err)
    rc, out, err = run([SWDFLASH, "--target", "stm32h743", "info"], dict(env, SWDBRIDGE=MPSSE))
    check("swdflash, same adapter, no --ftdi-layout: exit 3 with the server's one line",
          rc == 3 and len(err.strip().splitlines()) == 1 and "--ftdi-layout" in err, out + err)
    rc, out, err = run([SWDFLASH, "--target", "stm32h743", "--ftdi-layout", "minimodule", "verify", DEMO],
                       dict(env, SWDBRIDGE=MPSSE))
    check("swdflash passes --ftdi-layout; the server picks the FTDI adapter and verify matches",
          rc == 0 and "private server: probe ftdi:0403:6010:MPSSE0001" in err and "matches" in err, out + err)
    srv = start(["--target", "stm32h743", "--elf", DEMO, "--ftdi-layout", "minimodule"], env, server=MPSSE)
    try:
        check("... and with --ftdi-layout it is picked", "probe ftdi:0403:6010:MPSSE0001" in srv.output
              and "gdb port" in srv.output, srv.output)
    finally:
        srv.stop()


def version():
    want = open(os.path.join(ROOT, "VERSION")).read().strip()
    for prog, exe in (("swdbridge", SERVER), ("swdflash", SWDFLASH)):
        rc, out, _ = run([exe, "--version"])
        check(f"{prog} --version prints the VERSION file's version and the git description",
              rc == 0 and re.fullmatch(rf"{prog} {re.escape(want)} \((git \S+|no git)\)\n", out) is not None, out)


def speed_of(srv):
    out = gdb_batch(srv, ["monitor speed", "detach"])
    m = re.search(r"SWD clock: (\d+) kHz", out)
    return int(m.group(1)) if m else out[-400:]


def speed_and_env():
    srv = start(["--probe", "sim", "--target", "stm32h743", "--load", DEMO, "--speed", "1000"])
    try:
        check("--speed 1000: the SWD clock is 1000 kHz", speed_of(srv) == 1000, srv.output)
    finally:
        srv.stop()
    srv = start(["--probe", "sim", "--target", "stm32h743", "--load", DEMO, "--speed", "auto"])
    try:
        check("--speed auto: the fastest the probe offers (sim: 50 MHz), printed at start-up",
              speed_of(srv) == 50000 and "SWD clock 50000 kHz (--speed auto)" in srv.output, srv.output)
    finally:
        srv.stop()
    env = {"SWDBRIDGE_PROBE": "sim", "SWDBRIDGE_TARGET": "stm32h743", "SWDBRIDGE_SPEED": "2000"}
    srv = start(["--load", DEMO], env)
    try:
        check("SWDBRIDGE_PROBE/TARGET/SPEED: no flags needed; the sim line names the variable",
              "probe sim (from SWDBRIDGE_PROBE): the built-in simulator" in srv.output and speed_of(srv) == 2000,
              srv.output)
    finally:
        srv.stop()
    env = {"SWDBRIDGE_PROBE": "jlink:1", "SWDBRIDGE_TARGET": "nosuchchip", "SWDBRIDGE_SPEED": "2000"}
    srv = start(["--probe", "sim", "--target", "stm32h743", "--load", DEMO, "--speed", "3000"], env)
    try:
        check("flags win over SWDBRIDGE_PROBE/TARGET/SPEED", "gdb port" in srv.output and speed_of(srv) == 3000,
              srv.output)
    finally:
        srv.stop()
    rc, _, err = run([SERVER, "--probe", "sim", "--target", "stm32h743"], {"SWDBRIDGE_SPEED": "fast"})
    check("a bad SWDBRIDGE_SPEED is a one-line error, exit 2",
          rc == 2 and len(err.strip().splitlines()) == 1 and "SWDBRIDGE_SPEED" in err, err)
    rc, _, err = run([SERVER, "--probe", "sim", "--target", "stm32h743", "--speed", "0"])
    check("--speed 0 is a one-line error, exit 2", rc == 2 and "--speed" in err, err)
    rc, out, err = run([SWDFLASH, "--json", "monitor", "speed"],
                       {"SWDBRIDGE_PROBE": "sim", "SWDBRIDGE_TARGET": "stm32h743", "SWDBRIDGE_SPEED": "1500"})
    check("swdflash: no flags with SWDBRIDGE_* set (private server inherits them)",
          rc == 0 and "SWD clock: 1500 kHz" in out, f"rc {rc}: {out}{err}")
    rc, out, err = run([SWDFLASH, "--server", "127.0.0.1:1", "--speed", "1200", "info"])
    check("swdflash --server with --speed: one-line usage error (the flag would be ignored), exit 1",
          rc == 1 and len(err.strip().splitlines()) == 1 and "private server" in err, f"rc {rc}: {err}")
    rc, out, err = run([SWDFLASH, "--probe", "sim", "--target", "stm32h743", "--speed", "1200", "monitor", "speed"])
    check("swdflash --speed passes to the private server", rc == 0 and "SWD clock: 1200 kHz" in out,
          f"rc {rc}: {out}{err}")


def log_file():
    path = os.path.join(TMP, "server.log")
    srv = start(["--probe", "sim", "--target", "stm32h743", "--load", DEMO, "--log", path, "-v"])
    try:
        gdb_batch(srv, ["info registers pc", "detach"])
    finally:
        srv.stop()
    text = open(path).read() if os.path.exists(path) else ""
    check("--log FILE: time-stamped log lines go to the file",
          re.search(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} info: core: Cortex-M7", text, re.M) is not None, text)
    check("--log FILE: the log lines are not on the terminal", "info: core:" not in srv.output, srv.output)
    rc, _, err = run([SERVER, "--probe", "sim", "--target", "stm32h743", "--log", "/nonexistent/dir/x.log"])
    check("--log to an unwritable path: one-line error, exit 2", rc == 2 and "--log" in err, err)


def connect_under_reset():
    rt = os.path.join(BUILD, "fw", "demo-rt1062.elf")
    for target, elf, note in (("adiv6-m55", M55, "core AP answers under nRST"),
                              ("stm32h743", DEMO, "H7 AP0 dead under nRST: halt after release, reset with catch"),
                              ("mimxrt1062", rt, "nRST is a POR that clears the catch: halt after release, "
                                                 "reset with catch, stops in the boot ROM")):
        # The RT1062 boot ROM runs first after every reset (sim/chip_rt1062.c: its reset handler at 0x00200100).
        reset = 0x00200100 if target == "mimxrt1062" else nm("Reset_Handler", elf)
        srv = start(["--probe", "sim", "--target", target, "--load", elf, "--connect-under-reset"])
        try:
            out = gdb_batch(srv, ["info registers pc", "monitor vector_catch", "detach"], elf=elf)
            m = re.search(r"^pc\s+(0x[0-9a-f]+)", out, re.M)
            check(f"--connect-under-reset on {target} ({note}): the core is halted at its reset vector",
                  m is not None and int(m.group(1), 16) == reset and "halted at the reset vector" in srv.output,
                  srv.output + out[-600:])
            vc = re.search(r"vector catch:(.*)", out)
            check(f"--connect-under-reset on {target}: the reset vector catch is off again afterwards",
                  vc is not None and "reset" not in vc.group(1), out[-600:])
        finally:
            srv.stop()
        if target == "mimxrt1062":
            check("--connect-under-reset on mimxrt1062: the lost catch is said in one warning",
                  "did not hold after the release" in srv.output, srv.output)
        if target == "adiv6-m55":
            held = srv.output.find("nRST held, debug port up, reset vector catch being armed")
            check("--connect-under-reset on adiv6-m55: the catch is armed while nRST is held, no fallback",
                  "does not answer" not in srv.output and 0 <= held < srv.output.find("halted at the reset vector"),
                  srv.output)
    srv = start(["--probe", "sim", "--target", "adiv6-m55", "--load", M55])
    try:
        out = gdb_batch(srv, ["info registers pc", "detach"], elf=M55)
        m = re.search(r"^pc\s+(0x[0-9a-f]+)", out, re.M)
        check("without --connect-under-reset the firmware has run past its reset vector",
              m is not None and int(m.group(1), 16) != nm("Reset_Handler", M55), out[-400:])
    finally:
        srv.stop()
    path = os.path.join(TMP, "swdflash-cur.log")
    rc, out, err = run([SWDFLASH, "--probe", "sim", "--target", "stm32h743", "--connect-under-reset", "--log", path,
                        "info"])
    text = open(path).read() if os.path.exists(path) else ""
    check("swdflash passes --connect-under-reset and --log to its private server",
          rc == 0 and "halted at the reset vector" in text, f"rc {rc}: {err[-300:]} log: {text[-600:]}")
    rc, _, err = run([SERVER, "--probe", "sim", "--target", "stm32h743", "--attach", "--connect-under-reset"])
    check("--attach with --connect-under-reset: one-line error, exit 2", rc == 2 and "choose one" in err, err)


def json_everywhere():
    rtt_port = free_port()
    s = Srv(["--probe", "sim", "--target", "stm32h743", "--load", DEMO, "--rtt", "--rtt-port", str(rtt_port)])
    s.rtt_port = rtt_port
    with s:
        srv = ["--server", s.target(), "--json"]
        for args in (["info"], ["monitor", "help"], ["monitor", "flash", "info"], ["reset", "halt"], ["reset"],
                     ["erase", "0x08100000", "0x20000"], ["verify", DEMO], ["monitor", "no-such-command"]):
            rc, out, err = run([SWDFLASH] + srv + args)
            try:
                evs = [json.loads(l) for l in out.splitlines()]
            except ValueError as e:
                evs = [e]
            check(f"swdflash --json {' '.join(args)}: every stdout line is a JSON object",
                  out.strip() != "" and all(isinstance(e, dict) for e in evs), f"rc {rc}: {out[-600:]}{err[-300:]}")
            if args == ["info"]:
                check("swdflash --json info: server, features and the memory map",
                      evs and evs[0].get("event") == "info" and any(r["kind"] == "flash" for r in evs[0]["memory_map"]),
                      out[-600:])
            if args == ["monitor", "help"]:
                check("swdflash --json monitor help: the output inside the object",
                      evs and evs[0].get("event") == "monitor" and "reset" in evs[0].get("output", ""), out[-600:])
        p = subprocess.Popen([SWDFLASH, "--server", s.target(), "--json", "rtt", "--rtt-port",
                              str(s.rtt_port)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        # Read until a whole tick line has arrived (or 30 s wall on a loaded
        # machine), then stop it like a user would: a fixed 3 s window was
        # flaky under the parallel sanitizer suite.
        got, deadline = [], time.time() + 30
        while time.time() < deadline and p.poll() is None:
            r, _, _ = select.select([p.stdout], [], [], 0.5)
            if r:
                line = p.stdout.readline()
                if not line:
                    break
                got.append(line)
                try:
                    if "rtt: tick" in "".join(json.loads(l).get("data", "") for l in got):
                        break
                except ValueError:
                    break
        p.send_signal(2)
        out, err = p.communicate(timeout=10)
        out = "".join(got) + out
        try:
            evs = [json.loads(l) for l in out.splitlines()]
        except ValueError:
            evs = []
        check("swdflash --json rtt: RTT data as rtt events (bytes as latin-1 code points)",
              evs and all(e.get("event") == "rtt" and e.get("channel") == 0 for e in evs)
              and "rtt: tick" in "".join(e["data"] for e in evs), out[-400:] + err[-300:])


def completion():
    """Every long option of --help is offered by packaging/completion (bash)."""
    for prog, exe in (("swdbridge", SERVER), ("swdflash", SWDFLASH)):
        helped = set(re.findall(r"(?<![\w-])--[a-z][a-z0-9-]+", run([exe, "--help"])[1]))
        script = (f"source {ROOT}/packaging/completion/{prog}; COMP_WORDS=({prog} --target stm32h743 --); "
                  f"COMP_CWORD=3; _{prog}; echo \"${{COMPREPLY[@]}}\"")
        offered = set(subprocess.run(["bash", "-c", script], capture_output=True, text=True).stdout.split())
        missing = sorted(helped - offered - {"--help"})
        check(f"bash completion of {prog} offers every option of --help", not missing and "--help" in offered,
              missing)


def main():
    for t in (completion, no_probe, sim_says_so, ftdi_default, version, speed_and_env, log_file, connect_under_reset,
              json_everywhere):
        try:
            t()
        except Exception as e:
            check(f"cli flags: {t.__name__}", False, repr(e))
    finish()


if __name__ == "__main__":
    main()
