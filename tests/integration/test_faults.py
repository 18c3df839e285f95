#!/usr/bin/env python3
"""Short fault campaign (scripts/faults --rounds 1; `make faults` runs 20):
every injected fault survived, none lost data, the server stays up."""
import os
import subprocess
import sys

from harness import check, finish

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def main():
    p = subprocess.run([os.path.join(ROOT, "scripts", "faults"), "--rounds", "1", "--seed", "7"],
                       capture_output=True, text=True, timeout=600)
    print("\n".join("INFO: " + l for l in p.stdout.splitlines() if l.strip()))
    rows = [l.split() for l in p.stdout.splitlines() if l.startswith(("memory,", "flash,"))]
    check("fault campaign ran every kind", len(rows) == 9, p.stdout + p.stderr[-2000:])
    for r in rows:
        name = " ".join(r[:2])
        check(f"{name}: survived", r[2] == r[3], " ".join(r))
        check(f"{name}: no data lost", r[4] == "0", " ".join(r))
    check("server up and campaign green", p.returncode == 0 and "server up at the end: yes" in p.stdout,
          p.stderr[-2000:])


if __name__ == "__main__":
    try:
        main()
    except Exception as e:
        check("fault campaign", False, repr(e))
    sys.exit(finish())
