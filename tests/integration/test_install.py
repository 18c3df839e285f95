#!/usr/bin/env python3
"""make install DESTDIR=... PREFIX=/usr produces the documented tree (issue
9): programs, man pages, udev rules, the probe-server unit with the right
path, bash completion, docs; and the installed swdbridge runs."""
import os
import shutil
import subprocess
import sys
import tempfile

from harness import check, finish

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def main():
    dest = tempfile.mkdtemp()
    p = subprocess.run(["make", "-s", "-C", ROOT, "install", f"DESTDIR={dest}", "PREFIX=/usr"],
                       capture_output=True, text=True, timeout=600)
    check("make install succeeds", p.returncode == 0, p.stdout[-1000:] + p.stderr[-1000:])
    want = ["usr/bin/swdbridge", "usr/share/man/man1/swdbridge.1",
            "usr/lib/udev/rules.d/60-swdbridge.rules",
            "usr/lib/systemd/system/swdbridge-probe-server.service",
            "usr/share/bash-completion/completions/swdbridge", "usr/share/doc/swdbridge/README.md"]
    if os.path.exists(os.path.join(ROOT, "build", "swdflash")):
        want += ["usr/bin/swdflash", "usr/share/man/man1/swdflash.1"]
    for w in want:
        check(f"installed {w}", os.path.isfile(os.path.join(dest, w)), w)
    unit = open(os.path.join(dest, "usr/lib/systemd/system/swdbridge-probe-server.service")).read()
    check("unit runs the installed binary", "ExecStart=/usr/bin/swdbridge probe-server" in unit, unit)
    check("installed program is executable",
          os.access(os.path.join(dest, "usr/bin/swdbridge"), os.X_OK))
    r = subprocess.run([os.path.join(dest, "usr/bin/swdbridge"), "--help"], capture_output=True, text=True)
    check("installed swdbridge runs", r.returncode == 0 and "usage: swdbridge" in r.stdout, r.stderr)
    # Issue #17: the link Cortex-Debug's serverpath points at, outside PATH.
    link = os.path.join(dest, "usr/libexec/swdbridge/JLinkGDBServerCLExe")
    check("J-Link argument-mode link in libexec/swdbridge points at the installed swdbridge",
          os.path.islink(link) and os.readlink(link) == "/usr/bin/swdbridge", link)
    check("no SEGGER program name on PATH (bin)",
          not any(n.startswith("JLink") for n in os.listdir(os.path.join(dest, "usr/bin"))))
    if shutil.which("man"):
        man = subprocess.run(["man", "-l", "-P", "cat", os.path.join(dest, "usr/share/man/man1/swdbridge.1")],
                             capture_output=True, text=True, env=dict(os.environ, MANWIDTH="80"))
        check("man page renders", man.returncode == 0 and "SYNOPSIS" in man.stdout, man.stderr[-500:])
    else:
        print("SKIP: test_install man page: man not installed (man-db)")
    shutil.rmtree(dest, ignore_errors=True)


if __name__ == "__main__":
    try:
        main()
    except Exception as e:
        check("install tests", False, repr(e))
    sys.exit(finish())
