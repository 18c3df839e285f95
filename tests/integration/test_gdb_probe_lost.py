"""A lost probe must never freeze gdb. gdb connects to swdbridge while the
probe is gone (the remote probe's probe-server stopped; vjlink killed, a
J-Link unplugged): gdb must print one line with the reason ("swdbridge: probe
lost: ...") and end its `target remote` by itself. The server answers gdb's
start-up check vMustReplyEmpty with E.<reason>: gdb prints a reply to it that
is neither "" nor "OK" and abandons the connection (gdb remote.c,
remote_target::start_remote). Before, the probe was first touched by `?`, whose
E reply gdb 13 queues as a stop reply and waits on forever, spinning.

If the probe goes between that check and `?`, `?` gets E.<reason> and the
server closes the connection (gdb ends on the closed socket). The server keeps
running and serves the next gdb once the probe is back (it reopens the probe
by address or serial at the next connection, server/net/server.c).

The timeouts (GDB_TIMEOUT) only detect a frozen gdb; nothing here asserts a
duration. The vjlink part needs root (network namespaces); it is skipped
otherwise."""
import os
import subprocess
import sys
import tempfile
import time

import harness
from harness import BUILD, DEMO, GDB, ROOT, SERVER, VJLINK_SERIAL, Server, VJLink, check, finish, free_port
from netns_pair import Proc
from rsp_client import RSP

GDB_TIMEOUT = 60  # a frozen gdb is killed after this; a prompt one ends in about a second
LOST = "swdbridge: probe lost:"


def gdb(srv, *commands):
    """gdb -batch: target extended-remote, then the commands. Returns
    (exit status or None when it had to be killed, output)."""
    args = [GDB, "-nx", "-batch", "-ex", "set pagination off", "-ex", f"target extended-remote {srv.target()}"]
    for c in commands:
        args += ["-ex", c]
    args.append(DEMO)
    try:
        p = subprocess.run(args, capture_output=True, text=True, errors="replace", timeout=GDB_TIMEOUT)
        return p.returncode, p.stdout + p.stderr
    except subprocess.TimeoutExpired as e:  # run() has killed gdb
        out = (e.stdout or b"") + (e.stderr or b"")
        return None, out.decode(errors="replace") if isinstance(out, bytes) else out


def lost_connect(srv, what):
    t0 = time.time()
    rc, out = gdb(srv, "info registers pc")
    print(f"INFO: {what}: gdb ended after {time.time() - t0:.2f} s wall (not asserted)")
    check(f"{what}: gdb connecting while the probe is lost ends by itself (not killed after {GDB_TIMEOUT} s)",
          rc is not None, out[-600:])
    lines = [l for l in out.splitlines() if LOST in l]
    check(f"{what}: gdb prints the reason in one line ('{LOST} ...')", len(lines) == 1, out[-600:])
    if lines:
        print("  gdb: " + lines[0][:220])
    check(f"{what}: and the connection attempt failed (gdb exit status non-zero, no registers)",
          rc not in (None, 0) and "pc  " not in out, out[-400:])
    check(f"{what}: the server keeps running", srv.proc.poll() is None, srv.output[-600:])


def works(srv, what):
    rc, out = gdb(srv, "info registers pc")
    ok = rc == 0 and "pc " in out and "probe lost" not in out
    check(what, ok, out[-600:] + srv.output[-600:])


def remote():
    port = free_port()
    args = [SERVER, "probe-server", "--probe", "sim", "--target", "stm32h743", "--load", DEMO, "--listen",
            f"127.0.0.1:{port}"]
    ps = Proc(args)
    ps.wait_for(r"exported on")
    srv = Server(load=None, extra=["--probe", f"remote://127.0.0.1:{port}"])
    try:
        works(srv, "remote probe: gdb works before the loss")
        ps.stop()
        lost_connect(srv, "remote probe gone")
        # A second gdb while still lost: the same, not a hang (the server
        # tried to reopen the probe at this connection and failed).
        time.sleep(0.3)  # the server reopens a lost probe at most every 250 ms
        lost_connect(srv, "remote probe still gone")
        ps = Proc(args)
        ps.wait_for(r"exported on")
        time.sleep(0.3)
        works(srv, "remote probe back: the next gdb works, with no manual command")
        check("remote probe back: the server reopened it by itself", "reconnected automatically" in srv.output,
              srv.output[-800:])

        # The probe goes after gdb's start-up check and before `?`.
        r = RSP("127.0.0.1", srv.port, timeout=GDB_TIMEOUT)
        r.command(b"qSupported:swbreak+")
        check("raw client: vMustReplyEmpty gets the empty reply while the probe answers",
              r.command(b"vMustReplyEmpty") == b"")
        ps.stop()
        reply = r.command(b"?")
        check("probe lost before '?': '?' is answered E.<reason>",
              reply.startswith(b"E." + LOST.encode()), reply)
        try:
            extra = r.read_packet()
            closed = False
        except ConnectionError:
            closed, extra = True, b""
        except OSError as e:  # timed out: the connection stayed open
            closed, extra = False, repr(e)
        check("and the server closes the connection (gdb waits forever on an E stop reply otherwise)",
              closed, extra)
        r.close()
        check("and keeps running", srv.proc.poll() is None, srv.output[-600:])
        ps = Proc(args)
        ps.wait_for(r"exported on")
        time.sleep(0.3)
        works(srv, "remote probe back again: gdb works")
    finally:
        srv.stop()
        ps.stop()
    check("clean shutdown afterwards", srv.proc.returncode == 0, srv.output[-600:])


def jlink():
    """The same with a J-Link (libjaylink over TCP to vjlink): vjlink
    killed is an unplugged probe."""
    vj = VJLink()
    srv = Server(load=None, extra=["--probe", f"jlink:{VJLINK_SERIAL}"])
    try:
        works(srv, "jlink: gdb works before the loss")
        vj.kill()
        lost_connect(srv, "jlink gone")
        vj.start()
        time.sleep(0.3)
        works(srv, "jlink back: the next gdb works, with no manual command")
    finally:
        srv.stop()
        vj.kill()
    check("jlink: clean shutdown afterwards", srv.proc.returncode == 0, srv.output[-600:])


def ftdi():
    """The same with an FTDI adapter (swdbridge-mpsse: the FTDI driver on
    the MPSSE model): the cable is pulled while SW_MPSSE_UNPLUGGED's file
    exists. The server knows the adapter again by its USB serial string
    (the only adapter with its VID:PID) and reopens it at the next gdb
    connection. The model's replugged adapter brings a fresh chip."""
    unplugged = os.path.join(tempfile.mkdtemp(prefix="gdb-probe-lost-"), "unplugged")
    harness.PROBE = "ftdi"
    try:
        srv = Server(env={"SW_MPSSE_UNPLUGGED": unplugged})
    finally:
        harness.PROBE = "sim"
    try:
        works(srv, "ftdi: gdb works before the loss")
        open(unplugged, "w").close()
        lost_connect(srv, "ftdi unplugged")
        os.unlink(unplugged)
        time.sleep(0.3)
        works(srv, "ftdi plugged back: the next gdb works, with no manual command")
        check("ftdi plugged back: the server reopened it by its serial",
              "reconnected automatically" in srv.output and "ftdi:0403:6014:MPSSE0001" in srv.output,
              srv.output[-800:])
    finally:
        srv.stop()
        if os.path.exists(unplugged):
            os.unlink(unplugged)
    check("ftdi: clean shutdown afterwards", srv.proc.returncode == 0, srv.output[-600:])


def main():
    remote()
    ftdi()
    if os.geteuid() != 0:
        print("SKIP: test_gdb_probe_lost jlink part: needs root for network namespaces")
        return
    cmd = [os.path.join(ROOT, "scripts", "netns-vjlink"), "-", "--", sys.executable, __file__, "--jlink"]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    sys.stdout.write("\n".join(l for l in p.stdout.splitlines() if l.startswith(("PASS:", "FAIL:", "INFO:", "  "))) + "\n")
    if p.returncode not in (0, 1) or "PASS:" not in p.stdout:
        check("jlink part ran", False, (p.returncode, p.stdout[-800:], p.stderr[-800:]))
    elif "FAIL:" in p.stdout:
        check("jlink part: all checks passed", False, "see FAIL lines above")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--jlink":
        jlink()
        finish()
    main()
    finish()
