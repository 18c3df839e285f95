"""Issue #3: real gdb-multiarch against swdbridge on the simulated STM32H743
running the demo firmware."""
import re
import time

from harness import DEMO, MI, Server, check, finish, gdb_batch, nm


def test_session():
    with Server() as srv:
        out = gdb_batch(srv, [
            "info registers",
            "break compute",
            "continue",
            "bt",
            "print $pc == compute",
            "next",
            "print $pc",
            "step",
            "print $pc",
            "stepi",
            "print $pc",
            "print demo_int",
            "print demo_state.name",
            "print demo_state.pair.b",
            "set var demo_int = 1234",
            "set var demo_state.temp = -7",
            "print demo_int",
            "print demo_state.temp",
            "print demo_double",
            "x/64xw 0x24000000",
            "delete",
            "monitor reset halt",
            "maintenance flush register-cache",
            "print $pc",
            "print $sp",
            "detach",
        ])
        check("gdb connects and reads registers", re.search(r"^pc\s+0x8[0-9a-f]{6}", out, re.M) is not None, out[-2000:])
        check("info registers shows FPU and system registers",
              "fpscr" in out and "msp" in out and "primask" in out, out[:1500])
        check("break compute / continue stops there",
              re.search(r"Breakpoint 1, compute \(x=", out) is not None, out[-3000:])
        check("bt shows the call chain", re.search(r"#1 .* demo_step", out) is not None and "#2" in out and " main " in out,
              out[-3000:])
        pcs = [int(x, 16) for x in re.findall(r"^\$\d+ = \(void \(\*\)\(\)\) 0x([0-9a-f]+)", out, re.M)]
        leaf = nm("leaf_scale")
        check("next moves to the next line, step enters leaf_scale, stepi advances",
              len(pcs) >= 3 and pcs[1] == leaf and pcs[2] != pcs[1] and pcs[0] > nm("compute"), f"pcs {pcs}")
        check("print globals and struct members",
              "= -42" in out and '"openmv' in out and "= 2 '\\002'" in out and "No symbol" not in out
              and re.search(r"^\$\d+ = \d+\.\d+$", out, re.M) is not None, out[-3000:])
        check("set var then read back", "= 1234" in out and "= -7" in out, out[-3000:])
        words = re.findall(r"^0x24000[0-9a-f]{3} <demo_buffer[^>]*>:((?:\s+0x[0-9a-f]{8}){4})", out, re.M)
        check("x/64xw of AXI SRAM", len(words) == 16, f"{len(words)} lines")
        reset = nm("Reset_Handler")
        check("monitor reset halt lands at the reset vector",
              f"0x{reset:x} <Reset_Handler>" in out and "halted at the reset vector" in out, out[-1500:])
        check("detach", "detached" in out, out[-500:])
        code = srv.stop()
        check("SIGTERM shuts the server down cleanly", code == 0, f"exit {code}: {srv.output[-500:]}")


def test_interrupt_and_detach_running():
    with Server() as srv:
        mi = MI(DEMO)
        try:
            cls, _ = mi.cmd("-gdb-set mi-async on")
            cls, _ = mi.cmd(f"-target-select extended-remote {srv.target()}")
            check("MI connect", cls == "connected", "\n".join(mi.log[-5:]))
            mi.wait_stopped(10) if any(l.startswith("*stopped") for l in mi.pending) else None
            cls, _ = mi.cmd("-exec-continue")
            check("continue runs", cls == "running", "\n".join(mi.log[-5:]))
            time.sleep(0.5)
            cls, _ = mi.cmd("-exec-interrupt")
            stop = mi.wait_stopped(10)
            check("Ctrl-C (interrupt) halts a running target", 'signal-name="SIGINT"' in stop, stop)
            cls, lines = mi.cmd("-data-evaluate-expression counter")
            c1 = int(re.search(r'value="(\d+)"', lines[-1]).group(1))
            cls, _ = mi.cmd("-target-detach")
            check("detach", cls == "done", "\n".join(mi.log[-5:]))
        finally:
            mi.close()
        time.sleep(0.5)
        out = gdb_batch(srv, ["print counter", "detach"])
        m = re.search(r"^\$1 = (\d+)", out, re.M)
        c2 = int(m.group(1)) if m else -1
        check("detach leaves the target running (counter moved while detached)", c2 > c1, f"{c1} -> {c2}")


def test_fault_path():
    with Server() as srv:
        out = gdb_batch(srv, [
            "break HardFault_Handler",
            "set var demo_fault_trigger = 1",
            "continue",
            "bt",
            "print/x demo_fault.bfar",
            "print/x *(unsigned *)0xE000ED38",
            "detach",
        ])
        check("fault path reaches HardFault_Handler",
              re.search(r"Breakpoint 1, HardFault_Handler", out) is not None, out[-2000:])
        check("bt through the exception frame shows the faulting function",
              "<signal handler called>" in out and "bad_access" in out, out[-2000:])
        check("BFAR reports the bad address", "= 0xa0000000" in out, out[-1000:])


def test_vector_catch():
    with Server() as srv:
        out = gdb_batch(srv, ["monitor vector_catch hard on", "set var demo_fault_trigger = 1", "continue", "bt",
                              "monitor vector_catch all off", "monitor vector_catch", "detach"])
        check("vector catch on HardFault halts with the reason on gdb's console",
              "halted by vector catch: HardFault" in out, out[-1500:])
        check("the caught fault has a usable backtrace", "<signal handler called>" in out and "bad_access" in out,
              out[-1500:])
        check("vector catch can be listed and cleared", "vector catch: none" in out, out[-800:])


def test_bad_options():
    import subprocess
    from harness import SERVER
    p = subprocess.run([SERVER, "--target", "nosuchchip"], capture_output=True, text=True)
    check("unknown target: one-line error, exit 2", p.returncode == 2 and "unknown target" in p.stderr
          and len(p.stderr.strip().splitlines()) == 1, p.stderr)
    p = subprocess.run([SERVER, "--target", "stm32h743", "--port", "x"], capture_output=True, text=True)
    check("bad port: clear error", p.returncode == 2 and "--port" in p.stderr, p.stderr)
    p = subprocess.run([SERVER, "--probe", "sim", "--target", "stm32h743", "--load", "/nonexistent.elf", "--port", "0"],
                       capture_output=True, text=True)
    check("missing ELF: clear error", p.returncode == 1 and "cannot open" in p.stderr, p.stderr)


if __name__ == "__main__":
    for t in (test_session, test_interrupt_and_detach_running, test_fault_path, test_vector_catch,
              test_bad_options):
        try:
            t()
        except Exception as e:  # a crash in one test must not hide the others
            check(t.__name__, False, repr(e))
    finish()
