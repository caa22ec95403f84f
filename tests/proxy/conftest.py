"""Fixtures for the proxy suite: a redis-server started with only `requirepass` (as an old Redis
would run, no ACL users), and `authgate serve --upstream` in front of it with its own ACL users.

Every process gets a free port; the binaries are $AUTHGATE_BIN (else target/*/authgate) and
$REDIS_SERVER (else redis-server).
"""
import os
import socket
import subprocess
import sys
import tempfile
import time

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "differential"))
sys.path.insert(0, os.path.join(HERE, "..", "..", "scripts"))

from resp_client import RespConnection  # noqa: E402
from servers import REDIS_SERVER, find_authgate_bin, free_port  # noqa: E402

UPSTREAM_PASSWORD = "up-secret"
ADMIN_PASSWORD = "adm"


def wait_ready(port, proc, what, log):
    deadline = time.time() + 15
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited: {open(log).read()[-2000:]}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.02)
    raise RuntimeError(f"{what} did not listen on {port}")


class Process:
    """A server process on a free port, with its log in a temporary directory."""

    def __init__(self, what, argv_for_port, port=None):
        self.what = what
        self.argv_for_port = argv_for_port
        self.dir = tempfile.mkdtemp(prefix=f"authgate-proxy-{what}-")
        self.log = os.path.join(self.dir, "log")
        self.port = port or free_port()
        self.proc = None

    def start(self):
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(self.argv_for_port(self.port), cwd=self.dir, stdout=log,
                                         stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        wait_ready(self.port, self.proc, self.what, self.log)
        return self

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def log_text(self):
        with open(self.log, "rb") as f:
            return f.read().decode("utf-8", "replace")


def upstream_process(port=None):
    return Process("upstream", lambda p: [REDIS_SERVER, "--port", str(p), "--bind", "127.0.0.1", "--save", "",
                                          "--appendonly", "no", "--requirepass", UPSTREAM_PASSWORD], port)


def proxy_process(upstream_url, *extra):
    binary = find_authgate_bin()
    if not binary:
        raise RuntimeError("authgate binary not found: build it or set AUTHGATE_BIN")
    return Process("proxy", lambda p: [binary, "serve", "--port", str(p), "--upstream", upstream_url,
                                       "--requirepass", ADMIN_PASSWORD, *extra])


@pytest.fixture(scope="module")
def upstream():
    u = upstream_process().start()
    yield u
    u.stop()


@pytest.fixture(scope="module")
def proxy(upstream):
    p = proxy_process(f"redis://:{UPSTREAM_PASSWORD}@127.0.0.1:{upstream.port}").start()
    yield p
    p.stop()


def connect(port, user=None, password=None, timeout=10):
    c = RespConnection(port=port, timeout=timeout)
    if password is not None:
        args = ("AUTH", user, password) if user else ("AUTH", password)
        assert c.call_tagged(*args) == ("+", b"OK")
    return c


@pytest.fixture
def admin(proxy, upstream):
    """The proxy's default user (password ADMIN_PASSWORD); the data and the users are reset."""
    c = connect(proxy.port, password=ADMIN_PASSWORD)
    names = [u for u in c.call("ACL", "USERS") if u != b"default"]
    if names:
        c.call("ACL", "DELUSER", *names)
    c.call("ACL", "LOG", "RESET")
    assert c.call_tagged("FLUSHALL") == ("+", b"OK")
    yield c
    c.close()


@pytest.fixture
def direct(upstream):
    """A connection straight to the upstream."""
    c = connect(upstream.port, password=UPSTREAM_PASSWORD)
    yield c
    c.close()
