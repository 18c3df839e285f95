"""Issue #3: packet-level behaviour with a small RSP client."""
import os
import random
import re
import time

from harness import Server, check, finish
from rsp_client import RSP, escape, frame


def main():
    with Server() as srv:
        c = RSP("127.0.0.1", srv.port)
        sup = c.command(b"qSupported:swbreak+;hwbreak+;vContSupported+")
        check("qSupported advertises what gdb needs",
              all(f in sup for f in (b"PacketSize=", b"qXfer:features:read+", b"qXfer:memory-map:read+",
                                     b"QStartNoAckMode+", b"vContSupported+", b"swbreak+", b"hwbreak+")), sup)
        check("unknown packet gets the empty reply", c.command(b"vMustReplyEmpty") == b"")
        # A bad checksum is NAKed; the resend is answered.
        c.send_raw(b"$qC#00")
        nak = c.read_byte()
        check("bad checksum gets NAK", nak == b"-", nak)
        check("the resend is answered", c.command(b"qC") == b"QC1")
        # The server resends its last packet when we NAK it.
        c.send_raw(frame(b"qAttached"))
        c.read_byte()
        first = c.read_packet()
        c.send_raw(b"-")
        again = c.read_packet()
        check("NAK from the client makes the server retransmit", first == again == b"1", (first, again))
        # Oversized packet: rejected cleanly, connection still usable.
        c.send_raw(b"$" + b"m" * (200 * 1024) + b"#00")
        check("oversized packet rejected with NAK", c.read_byte() == b"-")
        check("connection usable after oversize", c.command(b"qC") == b"QC1")
        # Truncated packet (a new '$' before '#'): NAK, then the next one works.
        c.send_raw(b"$m2400")
        c.send_raw(frame(b"qC"))
        r1 = c.read_byte()
        ack = c.read_byte()
        reply = c.read_packet()
        check("truncated packet rejected, the following one answered", r1 == b"-" and ack == b"+" and reply == b"QC1",
              (r1, ack, reply))
        # Malformed arguments: an error reply, never a crash.
        check("malformed m gets an error", c.command(b"mzz,4").startswith(b"E"))
        check("malformed X gets an error", c.command(b"X24000000,10:abc").startswith(b"E"))
        check("register beyond the map gets an error", c.command(b"p99").startswith(b"E"))
        # Run-length encoded input: "m24000000,4" written with RLE for the zeros.
        rle = b"m240*" + bytes([29 + 5]) + b",4"  # '0' then 5 more: m24000000,4
        check("run-length encoded request decoded", len(c.command(rle)) == 8)
        # 64 KiB binary X write round-trips through m reads.
        c.command(b"?")
        data = bytes(random.Random(7).getrandbits(8) for _ in range(65536))
        reply = c.command(b"X24000000,10000:" + escape(data))
        check("64 KiB binary X write accepted in one packet", reply == b"OK", reply)
        back = b""
        while len(back) < len(data):
            addr = 0x24000000 + len(back)
            chunk = c.command(b"m%x,%x" % (addr, len(data) - len(back)))
            back += bytes.fromhex(chunk.decode())
        check("64 KiB read back byte-exact", back == data, f"{len(back)} bytes")
        # Probe round trips per gdb operation, read from "monitor probe".
        def round_trips():
            out = b""
            c.send_raw(frame(b"qRcmd," + b"probe".hex().encode()))
            c.read_byte()
            while True:
                pkt = c.read_packet()
                if pkt == b"OK":
                    break
                out += bytes.fromhex(pkt[1:].decode())
            return int(re.search(rb"(\d+) round trips", out).group(1))
        base = round_trips()
        c.command(b"g")
        g_rt = round_trips() - base
        base = round_trips()
        c.command(b"vCont;s:1;c")
        s_rt = round_trips() - base
        print(f"INFO: probe round trips: 'g' (info registers) {g_rt}, 'vCont;s' (stepi incl. stop reply) {s_rt}")
        # 'g' moves 53 register selectors, 3 MEM-AP accesses each through the
        # banked data registers (one TAR write): about 214 SWD transactions,
        # which one 16384-bit J-Link exchange carries (reference/jlink.md).
        check("g packet reads all registers in one probe round trip", g_rt == 1, g_rt)
        check("vCont;s costs one probe round trip to its stop reply", s_rt == 1, s_rt)
        # No-ack mode: after QStartNoAckMode the server stops sending '+'.
        check("QStartNoAckMode", c.command(b"QStartNoAckMode") == b"OK")
        c.send_raw(frame(b"qC"))
        check("no ack after QStartNoAckMode", c.read_packet() == b"QC1")
        c.close()
        time.sleep(0.5)  # let the server notice the close before the next client
        # A second client is a passive one (liveWatch, issue #17); a third
        # on the same core port gets a clear error.
        c1 = RSP("127.0.0.1", srv.port)
        c1.command(b"qC")
        c2 = RSP("127.0.0.1", srv.port)
        check("second gdb on the port is served (passive)", c2.command(b"qC") == b"QC1")
        c3 = RSP("127.0.0.1", srv.port)
        msg = c3.read_packet()  # sent before it asks anything
        check("third gdb on the port gets a clear error", msg.startswith(b"E.") and b"already connected" in msg, msg)
        c3.close()
        c2.close()
        c1.close()
        check("server still alive", srv.proc.poll() is None, srv.output)


if __name__ == "__main__":
    try:
        main()
    except Exception as e:
        import traceback; traceback.print_exc()
        check("rsp packet tests", False, repr(e))
    finish()
