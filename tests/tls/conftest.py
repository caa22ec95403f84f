"""The TLS listener suite: a test PKI made with openssl at test time, and TLS servers of either
kind (authgate serve, or Debian's redis-server 7.0.15 as the oracle) started with the same
certificates and directives on free ports.
"""
import os
import socket
import subprocess
import sys
import tempfile
import time

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "cert"))
sys.path.insert(0, os.path.join(HERE, "..", "differential"))

from pki import Pki  # noqa: E402
from servers import REDIS_SERVER, find_authgate_bin, free_port  # noqa: E402

START_TIMEOUT = 20


class TestPki:
    """The certificates every test uses (EC P-256: fast to make)."""

    def __init__(self, directory):
        p = Pki(directory)
        self.pki = p
        self.dir = directory
        self.ca = p.root("ca", "/CN=authgate test CA")
        self.other_ca = p.root("other_ca", "/CN=another CA")
        self.server = p.leaf("server", "/CN=localhost", "DNS:localhost,IP:127.0.0.1", self.ca, eku="serverAuth")
        # The seed's certificate user: a full subject, as Redis Software's example writes it.
        self.alice = p.leaf("alice", "/C=US/ST=California/L=San Francisco/O=Acme Corp/OU=Engineering/CN=alice",
                            None, self.ca)
        self.bob = p.leaf("bob", "/O=Acme Corp/CN=bob", "URI:urn:user:nobody,URI:bob-uri", self.ca)
        self.stranger = p.leaf("stranger", "/CN=stranger", None, self.ca)
        self.wrong_ca = p.leaf("wrong_ca", "/CN=alice", None, self.other_ca)
        self.expired = p.leaf("expired", "/CN=alice", None, self.ca, dates=("20200101000000Z", "20210101000000Z"))
        self.server_only = p.leaf("server_only", "/CN=alice", None, self.ca, eku="serverAuth")
        self.encrypted_key = os.path.join(directory, "server_enc.key")
        subprocess.run(["openssl", "pkcs8", "-topk8", "-in", key(self.server), "-out", self.encrypted_key,
                        "-passout", "pass:s3cret", "-v2", "aes-256-cbc"], check=True, capture_output=True)

    def subject(self, cert):
        return self.pki.openssl_subject(cert)


def key(cert):
    return cert[: -len(".pem")] + ".key"


@pytest.fixture(scope="session")
def pki():
    d = tempfile.mkdtemp(prefix="authgate-tls-pki-")
    return TestPki(d)


def binary(kind):
    if kind == "redis":
        return REDIS_SERVER
    b = find_authgate_bin()
    if not b:
        raise RuntimeError("authgate binary not found: build it (cargo build) or set AUTHGATE_BIN")
    return b


class TlsServer:
    """A server with a TLS port and no plain port (`port 0`), as a TLS-only redis.conf has."""

    def __init__(self, kind, pki, directives, workdir=None):
        self.kind = kind
        self.pki = pki
        self.port = free_port()
        self.workdir = workdir or tempfile.mkdtemp(prefix=f"authgate-tls-{kind}-")
        self.log = os.path.join(self.workdir, "server.log")
        args = {"port": "0", "tls-port": str(self.port), "tls-cert-file": pki.server,
                "tls-key-file": key(pki.server), "tls-ca-cert-file": pki.ca, "logfile": self.log,
                "dir": self.workdir}
        args.update(directives)
        cmd = [binary(kind)] + (["serve"] if kind == "authgate" else ["--save", ""])
        for k, v in args.items():
            for one in (v if isinstance(v, list) else [v]):
                cmd += ["--" + k, one]
        self.cmd = cmd
        self.proc = subprocess.Popen(cmd, cwd=self.workdir, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def wait_ready(self):
        deadline = time.time() + START_TIMEOUT
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.cmd} exited: {self.proc.stderr.read().decode()} {self.log_text()}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return self
            except OSError:
                time.sleep(0.02)
        raise RuntimeError(f"{self.kind} did not listen on {self.port}")

    def log_text(self):
        try:
            with open(self.log, encoding="utf-8", errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


@pytest.fixture
def start(pki):
    servers = []

    def go(kind, directives=None, ready=True, workdir=None):
        s = TlsServer(kind, pki, directives or {}, workdir)
        servers.append(s)
        return s.wait_ready() if ready else s

    yield go
    for s in servers:
        s.stop()


def run_exit(cmd, timeout=20):
    """Runs a server command line expected to exit; returns (status, stderr + log)."""
    p = subprocess.run(cmd, capture_output=True, timeout=timeout)
    return p.returncode, (p.stdout + p.stderr).decode(errors="replace")
