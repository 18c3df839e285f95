"""Issue #17: J-Link GDB Server's monitor vocabulary (reference/
cortex-debug-jlink.md §5) through gdb-multiarch on the simulated H743:
memU8/16/32 and `exec memU32` read and write, `exec SetRTTAddr`, unknown
`exec` commands fail, `reset N` strategies, `speed auto`, `sleep`,
`waithalt`, `regs`, `setbp`/`clrbp`, `SWO EnableTarget 0 0 ...` (CPU clock
measured with DWT CYCCNT against virtual time, highest SWO rate) and
`SWO DisableTarget`, the `semihosting` settings."""
import re

from harness import Server, check, finish, gdb_batch, nm

H743_CPU_HZ = 64000000  # the simulated core clock (sim/chip_h743.c)


def main():
    counter = nm("counter")
    demo_step = nm("demo_step")
    text = nm("demo_int")  # -42 = 0xffffffd6
    with Server(extra=["--elf", "build/fw/demo-h743.elf"]) as srv:
        out = gdb_batch(srv, [
            f"monitor memU32 {counter:#x} = 0x12345678",
            f"monitor memU32 {counter:#x}",
            "print/x counter",
            f"monitor exec memU32 {counter:#x} = 0",
            "print/x counter",
            f"monitor memU8 {text:#x}",
            f"monitor memU16 {text:#x}",
            f"monitor memU16 {text + 1:#x}",
            "monitor exec Foo 1",
            f"monitor exec SetRTTAddr {nm('_SEGGER_RTT'):#x}",
            "monitor reset 1", "monitor reset 2", "monitor reset 0", "monitor reset 3",
            "monitor speed auto", "monitor sleep 20",
            "monitor regs",
            "monitor SWO EnableTarget 0 2000000 0x1 0",
            "monitor go", "monitor waithalt 50",
            "monitor SWO EnableTarget 0 0 0x1 0",
            "monitor SWO DisableTarget 0x1",
            "monitor halt", "monitor waithalt",
            f"monitor setbp {demo_step:#x}", "monitor go", "monitor waithalt 2000", "monitor clrbp 5",
            "monitor clrbp",
            "monitor semihosting enable", "monitor semihosting IOClient 2", "monitor semihosting ThumbSWI 0xAB",
            "monitor semihosting ThumbSWI 0x12", "monitor semihosting disable",
            "detach"])
        check("memU32 write then read", "Writing 0x12345678 @ address" in out
              and re.search(r"Reading from address 0x[0-9a-f]+ \(Data = 0x12345678\)", out) is not None, out[-3000:])
        check("gdb sees the memU32 write, then the exec memU32 = 0 clear",
              "$1 = 0x12345678" in out and "$2 = 0x0" in out, out[-3000:])
        check("memU8 / memU16 read demo_int (-42); unaligned memU16 refused",
              "(Data = 0xd6)" in out and "(Data = 0xffd6)" in out and "aligned to 2 bytes" in out, out[-3000:])
        check("an unknown exec command fails with the reason, as a gdb error",
              re.search(r"exec Foo: not a J-Link command.*\n.*Protocol error with Rcmd", out) is not None, out[-3000:])
        check("exec SetRTTAddr sets the RTT control block address", "RTT: control block address set to" in out,
              out[-3000:])
        check("reset 1 (core), 2 (reset pin), 0 (normal) halt; reset 3 is refused",
              "Resetting target (core), halted" in out and "Resetting target (reset pin), halted" in out
              and "Resetting target (normal), halted" in out and "reset 3: J-Link reset strategies" in out,
              out[-3000:])
        check("speed auto: J-Link's default 4000 kHz", "SWD clock set to 4000 kHz" in out, out[-3000:])
        m = re.search(r"R0 = [0-9A-F]{8}.*\n.*\n.*\n.*PC = ([0-9A-F]{8})", out)
        check("regs dumps the registers", m is not None and "XPSR = " in out and "MSP = " in out, out[-3000:])
        check("SWO EnableTarget with CPU 0 while halted: refused, CYCCNT cannot count in Debug state",
              "cannot measure its clock" in out, out[-3000:])
        check("waithalt 50 on a running core fails after its timeout", "did not halt within 50 ms" in out,
              out[-3000:])
        m = re.search(r"CPU clock measured: (\d+) Hz", out)
        hz = int(m.group(1)) if m else 0
        check("SWO EnableTarget 0 0: CPU clock measured with DWT CYCCNT within 2 % of the core's",
              abs(hz - H743_CPU_HZ) <= H743_CPU_HZ // 50, out[-3000:])
        if m:
            print(f"INFO: measured CPU clock {hz} Hz (simulated core {H743_CPU_HZ} Hz)")
        m = re.search(r"SWO enabled successfully\.\nSWO: capturing at (\d+) baud \(trace clock (\d+) Hz\)", out)
        check("SWO 0 = the highest rate: trace clock / 1 (prescaler 0)",
              m is not None and int(m.group(1)) == int(m.group(2)) == hz, out[-3000:])
        check("SWO DisableTarget", "SWO disabled successfully." in out, out[-3000:])
        check("setbp stops the core at the address; waithalt reports it",
              f"Breakpoint 1 set @ addr 0x{demo_step:08X}" in out and f"Target halted (PC = 0x{demo_step:08x})" in out,
              out[-3000:])
        check("clrbp 5 is refused, clrbp clears", "clrbp: no breakpoint 5" in out and "1 breakpoint(s) cleared" in out,
              out[-3000:])
        check("semihosting enable / IOClient / ThumbSWI 0xAB accepted; ThumbSWI 0x12 refused",
              "Semihosting enabled" in out and "Semihosting I/O:" in out and "Semihosting: BKPT 0xAB" in out
              and "usage: semihosting" in out and "Semihosting disabled" in out, out[-3000:])


if __name__ == "__main__":
    try:
        main()
    except Exception as e:
        check("jlink monitor", False, repr(e))
    finish()
