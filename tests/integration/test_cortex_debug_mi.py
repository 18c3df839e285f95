"""Issue #3: Cortex-Debug's servertype "external" start-up, replayed through
gdb-multiarch --interpreter=mi2 in the order reference/clients.md §1.1-1.2
records. Any ^error would make Cortex-Debug abort the session."""
import re

from harness import DEMO, MI, Server, check, finish

INIT = [
    "-gdb-version",
    "-gdb-set mi-async on",
    '-interpreter-exec console "set print demangle on"',
    '-interpreter-exec console "set print asm-demangle on"',
    "-enable-pretty-printing",
    '-interpreter-exec console "set output-radix 0x10"',
    '-interpreter-exec console "set input-radix 0xa"',
    f'-file-exec-and-symbols "{DEMO}"',
]


def run_all(mi, cmds, name):
    ok = True
    for c in cmds:
        cls, lines = mi.cmd(c, timeout=60)
        if cls not in ("done", "running", "connected"):
            ok = False
            check(f"{name}: {c}", False, "\n".join(lines[-4:]))
    return ok


def session(launch):
    name = "launch" if launch else "attach"
    # launch starts from blank flash and programs it with -target-download (gdb load).
    with Server(load=None if launch else DEMO) as srv:
        mi = MI()
        try:
            ok = run_all(mi, INIT + [f"-target-select extended-remote {srv.target()}"], name)
            if launch:
                ok &= run_all(mi, ['-interpreter-exec console "monitor reset halt"', "-target-download",
                                   '-interpreter-exec console "monitor reset halt"'], name)
            else:
                ok &= run_all(mi, ['-interpreter-exec console "monitor halt"'], name)
            # VS Code sends its breakpoints, then configurationDone.
            ok &= run_all(mi, ['-break-insert -f "main.c:40"'], name)
            if launch:  # runToEntryPoint: "main"
                ok &= run_all(mi, ['-break-insert -t --function "main"', "-exec-continue --all"], name)
                stop = mi.wait_stopped(30)
                check(f"{name}: runToEntryPoint stops in main", 'func="main"' in stop, stop)
                ok &= run_all(mi, ["-exec-continue --all"], name)
                stop = mi.wait_stopped(30)
                check(f"{name}: breakpoint main.c:40 hit", 'reason="breakpoint-hit"' in stop and 'func="demo_step"' in stop, stop)
            ok &= run_all(mi, ["-thread-info", "-stack-info-depth", "-stack-list-frames",
                               "-data-list-register-names", "-data-list-register-values x",
                               '-data-read-memory-bytes "0x24000000" 64',
                               '-data-write-memory-bytes "0x24000100" "deadbeef"',
                               '-data-evaluate-expression "demo_state.ticks"',
                               "-var-create - @ counter", "-var-update *"], name)
            cls, lines = mi.cmd('-data-read-memory-bytes "0x24000100" 4')
            check(f"{name}: memory view write/read", 'contents="deadbeef"' in lines[-1], lines[-1])
            # Pause / continue / pause, then end of session (detach).
            ok &= run_all(mi, ["-exec-continue --all"], name)
            cls, _ = mi.cmd("-exec-interrupt")
            stop = mi.wait_stopped(30)
            check(f"{name}: pause (-exec-interrupt) stops the target", "*stopped" in stop, stop)
            ok &= run_all(mi, ["-break-delete", "-target-detach"], name)
            check(f"Cortex-Debug external {name} sequence: every command succeeded", ok, "see above")
        finally:
            mi.close()


if __name__ == "__main__":
    for launch in (True, False):
        try:
            session(launch)
        except Exception as e:
            check(f"cortex-debug {'launch' if launch else 'attach'}", False, repr(e))
    finish()
