#!/usr/bin/env python3
"""vjlink's SIGUSR1 counters line, as `make bench` reads it around each job:
a reader that sends the next SIGUSR1 the moment it sees a line must get a
line for every signal. vjlink used to print before taking the signal off its
signalfd, so a quick second SIGUSR1 merged with the pending one (standard
signals do not queue) and the bench waited for ever (seen once under load
7 on 2 cores; the window is one syscall, so an unloaded run of the old
vjlink passes too: this is a stress check, the fix is in tools/vjlink)."""
import os
import select
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import BUILD, DEMO, check, finish, free_port  # noqa: E402

ROUNDS = 300


def main():
    vj = subprocess.Popen([os.path.join(BUILD, "vjlink"), "--target", "stm32h743", "--ip", "127.0.0.1",
                           "--port", str(free_port()), "--discovery", "none", "--load", DEMO],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    buf, got = b"", 0
    try:
        deadline = time.time() + 20
        while b"vjlink: stm32h743" not in buf and time.time() < deadline:
            if select.select([vj.stdout], [], [], 0.5)[0]:
                buf += os.read(vj.stdout.fileno(), 4096)
        for _ in range(ROUNDS):
            vj.send_signal(signal.SIGUSR1)
            deadline = time.time() + 10
            while buf.count(b"vjlink: stats") <= got and time.time() < deadline:
                if select.select([vj.stdout], [], [], 0.5)[0]:
                    buf += os.read(vj.stdout.fileno(), 4096)
            if buf.count(b"vjlink: stats") <= got:
                break
            got += 1
        check(f"vjlink: a stats line for each of {ROUNDS} back-to-back SIGUSR1", got == ROUNDS,
              f"{got} lines, then none within 10 s: {buf[-300:]!r}")
        vj.send_signal(signal.SIGTERM)
        rc = vj.wait(timeout=10)
        check("vjlink: SIGTERM after the SIGUSR1 stops it (exit 0)", rc == 0, f"rc {rc}")
    finally:
        if vj.poll() is None:
            vj.kill()
            vj.wait()
    finish()


if __name__ == "__main__":
    main()
