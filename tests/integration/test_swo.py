"""Issue #7: SWO. The demo prints on ITM stimulus port 0; swdbridge sets up
ITM and the H743's SWO block, captures through the probe's SWO functions and
serves the raw ITM stream (TCP 2332, J-Link GDB Server's SWO port) and the
decoded port-0 text (next port). Through the in-process sim probe, and
through libjaylink talking to vjlink (network namespaces; root only)."""
import os
import re
import socket
import subprocess
import sys
import time

from harness import BUILD, DEMO, ROOT, Server, check, finish, free_port, gdb_batch

SERIAL = "260102"


def itm_port0(raw):
    """Decode ITM packets (ARMv7-M ARM D4.2) and return port 0's payload."""
    out, i = bytearray(), 0
    while i < len(raw):
        h = raw[i]
        i += 1
        if h & 3:
            n = {1: 1, 2: 2, 3: 4}[h & 3]
            if not (h & 4) and (h >> 3) == 0:
                out += raw[i:i + n]
            i += n
        elif h & 0x80 and h != 0x80:
            while i < len(raw) and raw[i] & 0x80:
                i += 1
            i += 1
    return bytes(out)


def collect(port, seconds):
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    s.settimeout(0.2)
    data, end = b"", time.time() + seconds
    while time.time() < end:
        try:
            chunk = s.recv(65536)
        except socket.timeout:
            continue
        if not chunk:
            break
        data += chunk
    s.close()
    return data


def ticks(text):
    return [int(x) for x in re.findall(r"itm: tick (\d+)\n", text)]


def contiguous(tk):
    return len(tk) >= 3 and tk[1:] == list(range(tk[1], tk[1] + len(tk) - 1))


def wait_line(srv, pattern, timeout=10):
    end = time.time() + timeout
    while time.time() < end:
        m = re.search(pattern, srv.output)
        if m:
            return m
        time.sleep(0.05)
    return None


def test_sim_probe():
    # Hold the wanted port, as a multi-core target's second gdb port would.
    base = free_port()
    held = socket.socket()
    held.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    held.bind(("127.0.0.1", base))
    held.listen(1)
    with Server(extra=["--swo", "2000000", "--swo-port", str(base)]) as srv:
        m = wait_line(srv, r"SWO raw ITM stream on port 127\.0\.0\.1:(\d+)(.*), ITM port 0 text on 127\.0\.0\.1:(\d+)")
        check("sim: SWO ports announced; a taken port is skipped",
              m is not None and int(m.group(1)) == base + 1 and "taken" in m.group(2), srv.output)
        if not m:
            return
        raw_port, text_port = int(m.group(1)), int(m.group(3))
        raw = collect(raw_port, 1.0)
        text = itm_port0(raw).decode(errors="replace")
        check("sim: the raw port carries ITM packets (1-byte, port 0) with the demo's lines",
              len(raw) > 100 and raw[0] in (0x01,) and contiguous(ticks(text)), repr(raw[:80]))
        text2 = collect(text_port, 1.0).decode(errors="replace")
        check("sim: the text port carries decoded ITM port 0 text", contiguous(ticks(text2)), text2[:200])
        out = gdb_batch(srv, ["monitor swo status", "monitor swo stop", "monitor SWO EnableTarget 64000000 1000000 1 0",
                              "monitor swo status", "detach"])
        check("sim: monitor swo status / stop / J-Link 'SWO EnableTarget'",
              "SWO: capturing, 2000000 baud" in out and "SWO: stopped" in out and "capturing at 1000000 baud" in out,
              out[-1200:])
        text3 = collect(text_port, 1.0).decode(errors="replace")
        check("sim: text keeps coming after re-configuring to 1 Mbaud", contiguous(ticks(text3)), text3[:200])
        out = gdb_batch(srv, ["monitor swo start 45000000 64000000", "detach"])
        check("sim: an unreachable baud rate is refused with a reason", "not reachable" in out, out[-600:])
    held.close()


def client():
    """Inside the client namespace: swdbridge over libjaylink to vjlink."""
    with Server(load=None, extra=["--probe", f"jlink:{SERIAL}", "--swo", "2000000"]) as srv:
        m = wait_line(srv, r"SWO raw ITM stream on port 127\.0\.0\.1:(\d+)")
        check("jlink: SWO raw stream on port 2332", m is not None and m.group(1) == "2332", srv.output)
        if not m:
            return
        raw = collect(2332, 2.0)
        text = itm_port0(raw).decode(errors="replace")
        check("jlink: ITM port 0 text arrives on 2332 through vjlink's SWO capture",
              contiguous(ticks(text)), repr(raw[:120]))
        out = gdb_batch(srv, ["monitor swo status", "detach"])
        m = re.search(r"(\d+) bytes, (\d+) ITM packets", out)
        check("jlink: monitor swo status counts the capture", m is not None and int(m.group(2)) > 10, out[-600:])


def test_vjlink():
    if os.geteuid() != 0:
        print("SKIP: test_swo over vjlink: needs root for network namespaces")
        return
    vj = [os.path.join(BUILD, "vjlink"), "--target", "stm32h743", "--serial", SERIAL, "--ip", "@VJLINK_IP@",
          "--load", DEMO]
    cmd = [os.path.join(ROOT, "scripts", "netns-vjlink")] + vj + ["--", sys.executable, __file__, "--client"]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    sys.stdout.write("\n".join(l for l in p.stdout.splitlines() if l.startswith(("PASS:", "FAIL:", "INFO:"))) + "\n")
    if p.returncode not in (0, 1) or "PASS:" not in p.stdout:
        check("SWO over jlink/vjlink ran", False, (p.returncode, p.stdout[-800:], p.stderr[-800:]))


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--client":
        try:
            client()
        except Exception as e:
            check("jlink SWO client", False, repr(e))
        finish()
    for t in (test_sim_probe, test_vjlink):
        try:
            t()
        except Exception as e:
            check(t.__name__, False, repr(e))
    finish()
