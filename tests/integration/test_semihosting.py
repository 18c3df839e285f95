"""Issue #17: ARM semihosting (BKPT 0xAB) with gdb-multiarch on the
simulated H743, running firmware/semihost/main.c: "hello" through
SYS_WRITE0 on gdb's console and the server's terminal, a host file read
through SYS_OPEN/FLEN/READ served by gdb's File-I/O (F packets; gdb opens
it relative to its own working directory), SYS_ERRNO after opening a
missing file, SYS_ISTTY/TIME/CLOCK, and SYS_EXIT_EXTENDED / SYS_EXIT
ending gdb's inferior with the status. Off by default (the BKPT is then a
plain stop); on with --semihosting, `monitor semihosting enable` (J-Link)
or `monitor arm semihosting enable` (OpenOCD)."""
import os
import re
import socket
import subprocess
import tempfile

from harness import BUILD, GDB, MI, SERVER, Server, check, finish, free_port, gdb_batch

ELF = os.path.join(BUILD, "fw", "semihost-h743.elf")
TEXT = b"ping from the host\n"  # 19 bytes: the exit status


def gdb_in(dirname, srv, commands, timeout=60):
    args = [GDB, "-nx", "-batch", "-ex", "set pagination off", "-ex", f"target extended-remote {srv.target()}"]
    for c in commands:
        args += ["-ex", c]
    args.append(ELF)
    p = subprocess.run(args, capture_output=True, text=True, cwd=dirname, timeout=timeout)
    return p.stdout + p.stderr


def main():
    d = tempfile.mkdtemp()
    with open(os.path.join(d, "semihost-input.txt"), "wb") as f:
        f.write(TEXT)
    # J-Link's monitor command; the file is found in gdb's directory.
    with Server(load=ELF) as srv:
        out = gdb_in(d, srv, ["monitor reset", "monitor semihosting enable", "continue"])
        check("SYS_WRITE0 text on gdb's console", "hello from semihosting" in out, out[-1500:])
        check("SYS_OPEN/READ of a host file through gdb File-I/O, echoed by SYS_WRITE on :tt",
              "file: ping from the host" in out, out[-1500:])
        check("SYS_EXIT_EXTENDED ends gdb's inferior with the status (19 bytes read = 023 octal)",
              "exited with code 023" in out, out[-1500:])
        check("the text also reaches the server's terminal", "hello from semihosting" in srv.output
              and "file: ping from the host" in srv.output, srv.output[-800:])
        out = gdb_batch(srv, ["print sh_missing_fd", "print sh_errno", "print sh_flen", "print sh_istty",
                              "print sh_time > 1700000000", "print sh_clock >= 0", "print sh_input"], elf=ELF)
        check("SYS_OPEN of a missing file returns -1 and SYS_ERRNO gives ENOENT (2)",
              "$1 = -1" in out and "$2 = 2" in out, out[-800:])
        check("SYS_FLEN gives the file's length, SYS_ISTTY says :tt is a terminal",
              f"$3 = {len(TEXT)}" in out and "$4 = 1" in out, out[-800:])
        check("SYS_TIME is the host's time, SYS_CLOCK counts", "$5 = 1" in out and "$6 = 1" in out, out[-800:])
        check("the file's bytes arrived in target memory", 'ping from the host\\n' in out, out[-800:])
    # --semihosting through Cortex-Debug-style MI, plain SYS_EXIT (status 0).
    with Server(load=ELF, extra=["--semihosting"]) as srv:
        mi = MI(ELF)
        try:
            mi.cmd(f'-environment-cd "{d}"')
            mi.cmd(f"-target-select extended-remote {srv.target()}")
            mi.cmd('-interpreter-exec console "monitor reset"')
            mi.cmd("-break-insert -t main")
            mi.cmd("-exec-continue --all")
            mi.wait_stopped(30)
            mi.cmd('-interpreter-exec console "set var sh_use_plain_exit = 1"')
            cls, _ = mi.cmd("-exec-continue --all")
            stop = mi.wait_stopped(30)
            log = "\n".join(mi.log)
            check("--semihosting: console text reaches MI as target output",
                  re.search(r'@"hello from semihosting\\n"', log) is not None, log[-1500:])
            check("SYS_EXIT (ApplicationExit) ends the inferior normally", 'reason="exited-normally"' in stop, stop)
        finally:
            mi.close()
    # OpenOCD's spelling; then off again: the BKPT is a plain stop.
    with Server(load=ELF) as srv:
        out = gdb_in(d, srv, ["monitor reset", "monitor arm semihosting enable", "continue"])
        check("monitor arm semihosting enable (OpenOCD) works too", "exited with code 023" in out, out[-800:])
    # J-Link argument mode: the output also reaches the terminal I/O port
    # (-telnetport), as J-Link GDB Server's does.
    port, tport = free_port(), free_port()
    srv = subprocess.Popen([SERVER, "--jlink-args", "-device", "STM32H743VI", "-port", str(port), "-swoport",
                            str(free_port()), "-telnetport", str(tport), "-rtttelnetport", str(free_port()),
                            "--probe", "sim", "--load", ELF], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True)
    try:
        line = ""
        while "Waiting for GDB connection" not in line and srv.poll() is None:
            line = srv.stdout.readline()
        term = socket.create_connection(("127.0.0.1", tport), timeout=10)

        class Port:
            def target(self):
                return f"127.0.0.1:{port}"
        out = gdb_in(d, Port(), ["monitor reset", "monitor semihosting enable", "continue"])
        term.settimeout(5)
        got = b""
        try:
            while b"file: ping" not in got:
                chunk = term.recv(4096)
                if not chunk:
                    break
                got += chunk
        except socket.timeout:
            pass
        term.close()
        check("J-Link mode: semihosting output on the -telnetport terminal I/O port too",
              b"hello from semihosting" in got and b"file: ping from the host" in got
              and "exited with code 023" in out, (got, out[-400:]))
    finally:
        srv.kill()
        srv.wait()
    with Server(load=ELF) as srv:
        out = gdb_in(d, srv, ["monitor reset", "continue", "x/i $pc"])
        check("off by default: the first call stops gdb at the BKPT 0xAB", "SIGTRAP" in out
              and "bkpt\t0x00ab" in out and "hello" not in out, out[-800:])


if __name__ == "__main__":
    try:
        main()
    except Exception as e:
        check("semihosting", False, repr(e))
    finish()
