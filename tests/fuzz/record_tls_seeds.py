#!/usr/bin/env python3
"""Credentials and seeds for fuzz_remote_tls, generated at build time
(nothing committed): a PSK and a CA with server and client certificates in
CREDDIR (tests/integration/netns_pair.make_creds, openssl CLI), and the
first flight (ClientHello) that swdbridge's remote-probe client really
sends, over TLS-PSK (seed byte 0) and mutual TLS (seed byte 1), recorded by
a listener that answers nothing.  Usage: record_tls_seeds.py CREDDIR SEEDDIR"""
import os
import socket
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
from harness import SERVER  # noqa: E402
from netns_pair import make_creds  # noqa: E402


def first_flight(creds):
    ls = socket.socket()
    ls.bind(("127.0.0.1", 0))
    ls.listen(1)
    port = ls.getsockname()[1]
    p = subprocess.Popen([SERVER, "--probe", f"remote://127.0.0.1:{port}", "--target", "stm32h743", "--port", "0"]
                         + creds, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    ls.settimeout(10)
    conn, _ = ls.accept()
    data, deadline = b"", time.time() + 1.5
    conn.settimeout(0.2)
    while time.time() < deadline:
        try:
            chunk = conn.recv(65536)
            if not chunk:
                break
            data += chunk
        except socket.timeout:
            if data:
                break
    p.kill()
    p.wait()
    conn.close()
    ls.close()
    return data


def main():
    cred_dir, seed_dir = sys.argv[1], sys.argv[2]
    os.makedirs(cred_dir, exist_ok=True)
    os.makedirs(seed_dir, exist_ok=True)
    if not os.path.exists(os.path.join(cred_dir, "server.crt")):
        make_creds(cred_dir)
    c = {n: os.path.join(cred_dir, n) for n in os.listdir(cred_dir)}
    for tag, name, creds in ((0, "psk-client-hello", ["--psk-file", c["psk"]]),
                             (1, "mtls-client-hello", ["--cert", c["client.crt"], "--key", c["client.key"],
                                                       "--ca", c["ca.crt"]])):
        data = first_flight(creds)
        if not data.startswith(b"\x16\x03"):
            sys.exit(f"record_tls_seeds: {name}: no TLS handshake record recorded")
        with open(os.path.join(seed_dir, name), "wb") as f:
            f.write(bytes([tag]) + data)
        print(f"record_tls_seeds: {name}: {len(data)} bytes")


if __name__ == "__main__":
    main()
