#!/usr/bin/env python3
"""The server under valgrind memcheck (issue 9): a gdb session with
breakpoints, stepping, memory, a watchpoint and a flash load through the
on-target loader, then shutdown. Any invalid access, use of uninitialised
memory or definite leak makes valgrind exit 99. Unicorn generates code at
run time, hence --smc-check. SKIP when valgrind is missing."""
import os
import shutil
import stat
import sys
import tempfile

from harness import SERVER, Server, check, finish, gdb_batch


def main():
    if not shutil.which("valgrind"):
        print("SKIP: test_valgrind: valgrind not installed")
        return
    tmp = tempfile.mkdtemp()
    wrapper = os.path.join(tmp, "swdbridge-valgrind")
    with open(wrapper, "w") as f:
        f.write("#!/bin/sh\nexec valgrind -q --error-exitcode=99 --leak-check=full "
                "--errors-for-leak-kinds=definite --smc-check=all-non-file %s \"$@\"\n" % SERVER)
    os.chmod(wrapper, os.stat(wrapper).st_mode | stat.S_IEXEC)
    with Server(server=wrapper) as srv:
        out = gdb_batch(srv, ["break compute", "continue", "bt", "stepi", "x/4wx 0x20000000",
                              "watch counter", "continue", "delete", "load", "compare-sections",
                              "monitor flash info", "detach"], timeout=600, slow_server=True)
        check("valgrind: gdb session works", "Breakpoint 1, compute" in out and "matched." in out, out[-1500:])
        rc = srv.stop()
        log = srv.output
    check("valgrind: no memory errors or leaks (exit status 0)", rc == 0,
          f"exit status {rc}\n" + "\n".join([l for l in log.splitlines() if l.startswith("==")][-40:]))
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    try:
        main()
    except Exception as e:  # a crash in the harness is a failure, not a skip
        check("valgrind tests", False, repr(e))
    sys.exit(finish())
