"""A small RSP client (gdb manual "Overview") for packet-level tests."""
import socket
import time


def checksum(data: bytes) -> bytes:
    return b"%02x" % (sum(data) & 0xFF)


def frame(data: bytes) -> bytes:
    return b"$" + data + b"#" + checksum(data)


def escape(data: bytes) -> bytes:
    out = bytearray()
    for b in data:
        if b in (0x23, 0x24, 0x7D, 0x2A):
            out += bytes([0x7D, b ^ 0x20])
        else:
            out.append(b)
    return bytes(out)


class RSP:
    def __init__(self, host, port, timeout=10):
        self.s = socket.create_connection((host, port), timeout=timeout)
        self.buf = b""

    def send_raw(self, data: bytes):
        self.s.sendall(data)

    def _fill(self):
        chunk = self.s.recv(65536)
        if not chunk:
            raise ConnectionError("server closed the connection")
        self.buf += chunk

    def read_byte(self) -> bytes:
        while not self.buf:
            self._fill()
        b, self.buf = self.buf[:1], self.buf[1:]
        return b

    def read_packet(self) -> bytes:
        """Read one $...#cs packet (skipping acks), verify it, ack it."""
        while True:
            while b"$" not in self.buf:
                self._fill()
            start = self.buf.index(b"$")
            while b"#" not in self.buf[start:] or len(self.buf) < self.buf.index(b"#", start) + 3:
                self._fill()
            end = self.buf.index(b"#", start)
            data, cs = self.buf[start + 1:end], self.buf[end + 1:end + 3]
            self.buf = self.buf[end + 3:]
            if checksum(data) != cs:
                raise ValueError("bad checksum from server")
            self.s.sendall(b"+")
            return data

    def command(self, data: bytes) -> bytes:
        """Send a packet, expect '+', return the reply packet."""
        self.send_raw(frame(data))
        ack = self.read_byte()
        if ack != b"+":
            raise ValueError(f"expected ack, got {ack!r}")
        return self.read_packet()

    def close(self):
        self.s.close()


def monitor(rsp, cmd):
    """qRcmd: (console text of the O packets, the final reply packet)."""
    hexcmd = cmd.encode().hex().encode()
    text = b""
    rsp.send_raw(frame(b"qRcmd," + hexcmd))
    rsp.read_byte()
    while True:
        pkt = rsp.read_packet()
        if pkt.startswith(b"O") and pkt != b"OK":
            text += bytes.fromhex(pkt[1:].decode())
            continue
        return text.decode(errors="replace"), pkt
