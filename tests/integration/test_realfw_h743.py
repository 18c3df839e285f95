"""Our own STM32H743 firmware (firmware/realfw, written from RM0433) on the
simulated H743: it reaches main, brings the clock tree to 400 MHz through
the PWR/RCC ready flags, counts SysTick interrupts, sleeps in WFI between
them, and runs a double-precision loop whose results must match the
host's IEEE arithmetic bit for bit. gdb breaks in the SysTick handler,
unwinds through the exception frame, finishes out of it, and steps over
(step_irq off, the default: C_MASKINTS) or into (step_irq on) a pending interrupt, by
stepi and by range stepping (next). An access to an unmodelled block is a
bus error, logged once with the block's name."""
import math
import os
import re
import struct
from fractions import Fraction

from harness import BUILD, ROOT, Server, check, finish, gdb_batch

ELF = os.path.join(BUILD, "fw", "realfw-h743.elf")
SRC = os.path.join(ROOT, "firmware", "realfw", "h7_main.c")


def line_of(marker):
    with open(SRC) as f:
        for n, l in enumerate(f, 1):
            if marker in l:
                return n
    raise KeyError(marker)


def value(out, name):
    m = re.findall(rf"^\${name} = (\S+)", out, re.M)
    return m[-1] if m else None


def expected_dp():
    """dp_loop.c recomputed in binary64 (Python floats are IEEE doubles);
    fma through exact rationals, one rounding."""
    x0, x1, x2, tiny = 1.1, 2.7, -0.3, 1e-300
    dp_in = [x0, x1, x2, tiny]
    acc = 0.0
    for i in range(64):
        acc = acc * 1.0000001 + dp_in[i & 3] / 3.0
    f32 = struct.unpack("<f", struct.pack("<f", x0))[0]
    out = [acc, math.sqrt(x1), float(Fraction(x0) * Fraction(x1) + Fraction(x2)), f32,
           float(int(x1 * 1000.7)), math.floor(x2) + math.ceil(x0) * 10.0 + math.floor(x1 + 0.5) * 100.0,
           x0 - x1 if x0 > x1 else x1 - x0, tiny * 1e-10, -x2 / 7.0, float(int(x1 * 1e9))]
    return [struct.unpack("<Q", struct.pack("<d", float(v)))[0] for v in out]


def main():
    step_line = line_of("/* step here */")
    with Server(load=ELF) as srv:
        check("server start-up line claims a double-precision FPU", "FPU (DP)" in srv.output, srv.output)
        out = gdb_batch(srv, [
            "monitor reset halt", "break main", "continue", "print clock_stage",
            "break step_area", "continue",
            "print clock_ok", "print clock_stage",
            "x/wx 0x58024410", "x/wx 0x58024818", "x/wx 0x5800042C", "x/wx 0x52002000",
            "x/wx 0x58024400", "x/10gx &dp_out", "print dp_runs",
            "delete", "break SysTick_Handler", "ignore 3 4", "continue", "print ticks", "bt",
            "finish", "print $xpsr & 0x1ff", "print ticks", "print loops", "print fault_count",
            "x/wx 0x58020414",
            "detach"], elf=ELF, timeout=120)
        check("firmware reaches main after reset", re.search(r"Breakpoint 1, main \(\)", out) is not None and
              value(out, "1") == "0", out[-3000:])
        check("clock set-up completes (clock_ok, PLL1 is sys_ck: CFGR SW=SWS=3)",
              value(out, "2") == "1" and re.search(r"0x58024410.*:\s+0x0000001b", out) is not None, out[-3000:])
        check("VOS0: D3CR scale 1 with VOSRDY, SYSCFG_PWRCR.ODEN",
              re.search(r"0x58024818.*:\s+0x0000e000", out) is not None and
              re.search(r"0x5800042c.*:\s+0x00000001", out) is not None, out[-3000:])
        check("flash wait states written and read back (FLASH_ACR 0x22)",
              re.search(r"0x52002000.*:\s+0x00000022", out) is not None, out[-3000:])
        check("HSE and PLL1 on and ready in RCC_CR",
              (lambda m: m is not None and (int(m.group(1), 16) & 0x03030000) == 0x03030000)(
                  re.search(r"0x58024400.*:\s+(0x[0-9a-f]+)", out)), out[-3000:])
        words = re.findall(r"0x[0-9a-f]{16}", out[out.find("x/10gx") if "x/10gx" in out else 0:])
        got = [int(w, 16) for w in re.findall(r"<dp_out(?:\+\d+)?>:\s+(0x[0-9a-f]{16})\s+(0x[0-9a-f]{16})", out)
               for w in w]
        want = expected_dp()
        check("double-precision results bit-exact (10 values, host IEEE binary64)", got == want,
              f"got {[hex(g) for g in got]}\nwant {[hex(w) for w in want]}")
        del words
        check("SysTick handler hit 5 times: ticks == 4 at the fifth break",
              re.search(r"Breakpoint 3, SysTick_Handler", out) is not None and value(out, "5") == "4", out[-3000:])
        check("backtrace from the handler unwinds the exception frame into main",
              re.search(r"<signal handler called>\s*\n#2\s+.*main \(\)", out) is not None, out[-3000:])
        check("finish returns from the SysTick handler to main (thread mode, the handler completed)",
              re.search(r"#2\s+main \(\)[^\n]*\n(0x[0-9a-f]+ in )?main \(\) at", out) is not None and
              value(out, "6") == "0" and value(out, "7") == "5", out[-3000:])
        check("the main loop keeps running through WFI wake-ups (loops > 0), no fault",
              value(out, "8") not in (None, "0") and value(out, "9") == "0", out[-3000:])

    # Stepping with a pending interrupt (ICSR.PENDSTSET set by the debugger)
    # in step_area(), three one-line statements.
    with Server(load=ELF) as srv:
        pend = "set var *(unsigned *)0xE000ED04 = 0x04000000"
        out = gdb_batch(srv, [
            "monitor reset halt", "break step_area", "continue", "delete",
            "print ticks", pend, "stepi", "print ticks", "print *(unsigned *)0xE000ED04 & 0x0401f000",
            "monitor step_irq on", "stepi", "print ticks", "info symbol $pc", "print $xpsr & 0x1ff",
            "finish", "print ticks",
            "monitor step_irq off", "break step_area", "continue", "delete", "print ticks", pend,
            "next", "print ticks", "print *(unsigned *)0xE000ED04 & 0x0401f000", "info line *$pc",
            "monitor step_irq on", pend, "next", "print ticks", "info symbol $pc", "finish", "print ticks",
            "info line *$pc", "print fault_count",
            "detach"], elf=ELF, timeout=120)
        t0 = value(out, "1")
        check("stepi with step_irq off (default) steps over the pending SysTick (handler not run, still pending)",
              t0 is not None and value(out, "2") == t0 and value(out, "3") == str(0x0400F000), out[-3000:])
        check("stepi with step_irq on enters the SysTick handler (IPSR 15, handler not yet run)",
              value(out, "4") == t0 and re.search(r"SysTick_Handler in section", out) is not None and
              value(out, "5") == "15", out[-3000:])
        check("finish out of the handler: it ran once",
              t0 is not None and value(out, "6") == str(int(t0) + 1), out[-3000:])
        t1 = value(out, "7")
        check("next (range stepping) with step_irq off: interrupt stays pending, line advances",
              t1 is not None and value(out, "8") == t1 and value(out, "9") == str(0x0400F000) and
              re.search(rf"Line {step_line + 1} of", out) is not None, out[-3000:])
        check("next with step_irq on stops in the SysTick handler; finish runs it and returns to step_area",
              t1 is not None and value(out, "10") == t1 and
              re.search(r"SysTick_Handler in section", out[out.find("$10"):]) is not None and
              value(out, "11") == str(int(t1) + 1) and
              re.search(rf"Line {step_line + 1} of", out[out.find("$11"):]) is not None and value(out, "12") == "0",
              out[-3000:])

    # An unmodelled block: a bus error for the CPU, one log line with its name.
    with Server(load=ELF) as srv:
        out = gdb_batch(srv, [
            "monitor reset halt", "break step_area", "continue", "delete",
            "set var poke_addr = 0x40011004", "break Fault_Handler", "continue",
            "x/wx 0xE000ED28", "x/wx 0xE000ED38", "detach"], elf=ELF, timeout=60)
        check("a load from USART1 (unmodelled) is a precise BusFault with BFAR",
              re.search(r"Breakpoint \d+, Fault_Handler", out) is not None and
              re.search(r"0xe000ed38.*:\s+0x40011004", out) is not None, out[-2000:])
        logs = [l for l in srv.output.splitlines() if "no simulated peripheral" in l]
        check("the access is logged once with address and block name",
              len(logs) == 1 and "0x40011004 (USART1)" in logs[0], srv.output[-1500:])


if __name__ == "__main__":
    try:
        main()
    except Exception as e:
        check("realfw H743 tests", False, repr(e))
    finish()
