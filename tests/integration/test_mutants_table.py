#!/usr/bin/env python3
"""Issue #18: the mutation table (tests/mutants/mutants.txt) is well formed,
names at least 30 mutations with a source each, and every edit still
applies exactly once to today's tree, so `make mutants` does not rot."""
import os
import subprocess
import sys

from harness import check, finish

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def main():
    p = subprocess.run([os.path.join(ROOT, "scripts", "mutants"), "--check"], capture_output=True, text=True,
                       timeout=60)
    check("mutants table well formed and every edit applies once", p.returncode == 0, p.stdout + p.stderr)
    print("INFO: " + (p.stdout.strip().splitlines() or ["?"])[-1])


if __name__ == "__main__":
    main()
    sys.exit(finish())
