#!/usr/bin/env python3
"""Short fault campaign (scripts/faults --rounds 1; `make faults` runs 6):
every row's fault fired at least once (the simulator counts faults that hit
a transaction), every fault survived, the whole flash read back after every
flash job holds only the last verified image plus old/new bytes of the job,
failed flash jobs print one console line, the server stays up."""
import os
import subprocess
import sys

from harness import check, finish

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ROWS = ["memory write, " + k for k in ("wait", "fault", "wparity", "noresp")] + \
       ["memory read, " + k for k in ("wait", "fault", "parity", "wparity", "noresp")] + \
       ["flash, " + k for k in ("wait", "fault", "parity", "wparity", "noresp", "reset")]


def main():
    p = subprocess.run([os.path.join(ROOT, "scripts", "faults"), "--rounds", "1", "--seed", "7"],
                       capture_output=True, text=True, timeout=600)
    print("\n".join("INFO: " + l for l in p.stdout.splitlines() if l.strip()))
    rows = {}
    for line in p.stdout.splitlines():
        if line.startswith(("memory ", "flash,")):
            name, rest = line[:22].strip(), line[22:].split()
            rows[name] = rest
    check("fault campaign ran every row", sorted(rows) == sorted(ROWS), p.stdout + p.stderr[-2000:])
    for name in ROWS:
        r = rows.get(name)
        if not r:
            continue
        injected, fired, survived, lost, reported = (int(x) for x in r[:5])
        check(f"{name}: fired", fired >= 1, " ".join(r))
        check(f"{name}: survived", survived == injected, " ".join(r))
        check(f"{name}: no data lost (whole-flash / RAM read-back)", lost == 0, " ".join(r))
    failing = [n for n in ROWS if n.startswith("flash,") and rows.get(n) and int(rows[n][4]) > 0]
    check("some flash faults failed the job (and so were checked for one console line)", failing, rows)
    check("every failed flash job said why in one line", "is not one line" not in p.stdout,
          [l for l in p.stdout.splitlines() if "is not one line" in l])
    check("whole flash equals the last verified image at the end",
          "whole flash at the end equals the last verified image: yes" in p.stdout, p.stdout[-1500:])
    check("server up and campaign green", p.returncode == 0 and "server up at the end: yes" in p.stdout,
          p.stderr[-2000:])


if __name__ == "__main__":
    try:
        main()
    except Exception as e:
        check("fault campaign", False, repr(e))
    sys.exit(finish())
