"""gdb `load` into the simulated STM32H743's flash through vFlash*, then
compare-sections (qCRC), skip-unchanged on a second load, and refusal of
addresses outside flash."""
import re

from harness import Server, check, finish, gdb_batch
from rsp_client import RSP, escape


def main():
    with Server(load=None) as srv:
        out = gdb_batch(srv, ["load", "compare-sections", "monitor reset halt", "maintenance flush register-cache",
                              "break compute", "continue", "print demo_state.name", "detach"])
        check("gdb load programs blank flash", "Transfer rate" in out and "Start address" in out, out[-1500:])
        check("compare-sections matches every section", out.count("matched.") == 3 and "MIS-MATCHED" not in out,
              out[-1500:])
        check("the programmed firmware runs to a breakpoint", "Breakpoint 1, compute" in out and '"openmv' in out,
              out[-1500:])
        out2 = gdb_batch(srv, ["load", "compare-sections", "detach"])
        check("second load of the same image succeeds", out2.count("matched.") == 3, out2[-1000:])
        srv.stop()
        log = srv.output
        check("first load programmed the sector", re.search(r"flash: 1 sectors programmed", log) is not None, log)
        check("second load skipped the unchanged sector",
              re.search(r"flash: 0 sectors programmed \(0 bytes\), 0 erased, 1 unchanged", log) is not None, log)
    with Server() as srv:
        c = RSP("127.0.0.1", srv.port)
        c.command(b"?")
        r = c.command(b"vFlashErase:24000000,1000")
        check("vFlashErase outside flash is refused", r.startswith(b"E") or r.startswith(b"O"), r)
        while r.startswith(b"O"):
            r = c.read_packet()
        check("... with an error reply", r.startswith(b"E"), r)
        # Writing a whole new sector 2 (0x08040000) then vFlashDone programs and verifies it.
        data = bytes(range(256)) * 16
        check("vFlashErase sector", c.command(b"vFlashErase:08040000,20000") == b"OK")
        check("vFlashWrite", c.command(b"vFlashWrite:8040000:" + escape(data)) == b"OK")
        check("vFlashDone", c.command(b"vFlashDone") == b"OK")
        back = bytes.fromhex(c.command(b"m8040000,1000").decode())
        check("flash content after vFlashDone", back == data)
        rest = bytes.fromhex(c.command(b"m8041000,100").decode())
        check("rest of the erased sector reads erased", rest == b"\xff" * 256)
        c.close()


if __name__ == "__main__":
    try:
        main()
    except Exception as e:
        import traceback
        traceback.print_exc()
        check("flash load tests", False, repr(e))
    finish()
