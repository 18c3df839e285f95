"""Two private network namespaces joined by a veth pair, acting as two hosts
(A = 10.232.N.1, the debugger's machine; B = 10.232.N.2, the probe's), plus
helpers to run processes in them and generate test credentials with the
openssl CLI. Needs root; the caller prints SKIP otherwise."""
import os
import random
import re
import subprocess
import threading
import time


class Proc:
    """A background process whose merged output is collected line by line."""

    def __init__(self, args, ns=None):
        self.args = (["ip", "netns", "exec", ns] if ns else []) + list(args)
        self.proc = subprocess.Popen(self.args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.lines = []
        self.reader = threading.Thread(target=self._collect, daemon=True)
        self.reader.start()

    def _collect(self):
        for line in self.proc.stdout:
            self.lines.append(line)

    @property
    def output(self):
        return "".join(self.lines)

    def wait_for(self, pattern, timeout=20):
        deadline = time.time() + timeout
        while time.time() < deadline:
            m = re.search(pattern, self.output)
            if m:
                return m
            if self.proc.poll() is not None:
                time.sleep(0.1)
                return re.search(pattern, self.output)
            time.sleep(0.02)
        return None

    def alive(self):
        return self.proc.poll() is None

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.reader.join(2)
        return self.proc.returncode


class NetnsPair:
    def __init__(self, delay_ms=0.0):
        tag = os.getpid() % 250 + 1
        self.ip_a, self.ip_b = f"10.232.{tag}.1", f"10.232.{tag}.2"
        self.netem = False
        # Namespace names are global and outlive a SIGKILLed run, so a bare
        # PID can meet a leftover ("File exists"): add randomness, retry.
        for _ in range(10):
            uid = f"{os.getpid():x}{random.getrandbits(16):04x}"
            self.a, self.b = f"swnA{uid}", f"swnB{uid}"
            if subprocess.run(["ip", "netns", "add", self.a], capture_output=True).returncode == 0:
                break
        else:
            raise RuntimeError(f"cannot create a network namespace ({self.a})")
        subprocess.run(["ip", "netns", "del", self.b], capture_output=True)
        va, vb = f"swa{uid}"[:15], f"swb{uid}"[:15]
        cmds = [["ip", "netns", "add", self.b],
                ["ip", "link", "add", va, "netns", self.a, "type", "veth", "peer", "name", vb, "netns", self.b],
                ["ip", "-n", self.a, "addr", "add", f"{self.ip_a}/24", "dev", va],
                ["ip", "-n", self.b, "addr", "add", f"{self.ip_b}/24", "dev", vb],
                ["ip", "-n", self.a, "link", "set", "lo", "up"], ["ip", "-n", self.b, "link", "set", "lo", "up"],
                ["ip", "-n", self.a, "link", "set", va, "up"], ["ip", "-n", self.b, "link", "set", vb, "up"]]
        for c in cmds:
            subprocess.run(c, check=True, capture_output=True)
        if delay_ms:
            # Half the added round trip on each side of the link.
            ok = True
            for ns, dev in ((self.a, va), (self.b, vb)):
                p = subprocess.run(["ip", "netns", "exec", ns, "tc", "qdisc", "add", "dev", dev, "root", "netem",
                                    "delay", f"{delay_ms / 2}ms"], capture_output=True)
                ok = ok and p.returncode == 0
            self.netem = ok

    def run(self, ns, args, timeout=120, **kw):
        return subprocess.run(["ip", "netns", "exec", ns] + list(args), capture_output=True, text=True,
                              timeout=timeout, **kw)

    def close(self):
        for ns in (self.a, self.b):
            subprocess.run(["ip", "netns", "del", ns], capture_output=True)

    def __enter__(self):
        return self

    def __exit__(self, *a):
        self.close()


def make_creds(d):
    """PSKs, a CA with server and client certificates, and a rogue CA with a
    client certificate of its own, all generated now (nothing committed)."""
    def sh(*args):
        subprocess.run(list(args), check=True, capture_output=True, cwd=d)

    for name in ("psk", "badpsk"):
        key = subprocess.run(["openssl", "rand", "-hex", "32"], capture_output=True, text=True, check=True)
        with open(os.path.join(d, name), "w") as f:
            f.write(f"swdbridge-test:{key.stdout.strip()}\n")
    for ca in ("ca", "rogue"):
        sh("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
           "-keyout", f"{ca}.key", "-out", f"{ca}.crt", "-days", "2", "-subj", f"/CN=swdbridge test {ca}")
    for leaf, ca in (("server", "ca"), ("client", "ca"), ("intruder", "rogue")):
        sh("openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
           f"{leaf}.key", "-out", f"{leaf}.csr", "-subj", f"/CN={leaf}")
        sh("openssl", "x509", "-req", "-in", f"{leaf}.csr", "-CA", f"{ca}.crt", "-CAkey", f"{ca}.key",
           "-CAcreateserial", "-out", f"{leaf}.crt", "-days", "2")
    for f in os.listdir(d):
        os.chmod(os.path.join(d, f), 0o600)
    return {n: os.path.join(d, n) for n in os.listdir(d)}
