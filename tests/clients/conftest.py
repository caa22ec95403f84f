"""Fixtures for the real-client tests: a server on a free port, and a clean ACL state per test.

The server is `authgate serve` (binary from $AUTHGATE_BIN, else target/*/authgate). To validate the
tests themselves against the reference, run them with CLIENTS_SERVER=redis (uses redis-server, or
$REDIS_SERVER). The default is authgate.
"""
import os
import select
import socket
import sys
import time

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "differential"))
sys.path.insert(0, os.path.join(HERE, "..", "..", "scripts"))

from resp_client import RespConnection  # noqa: E402
from servers import REDIS_SERVER, Server, find_authgate_bin  # noqa: E402


def server_kind_and_binary():
    kind = os.environ.get("CLIENTS_SERVER", "authgate")
    if kind == "redis":
        return "redis", REDIS_SERVER
    if kind != "authgate":
        raise RuntimeError(f"CLIENTS_SERVER must be 'authgate' or 'redis', not {kind!r}")
    binary = find_authgate_bin()
    if not binary:
        raise RuntimeError("authgate binary not found: build it (cargo build) or set AUTHGATE_BIN; "
                           "CLIENTS_SERVER=redis runs these tests against redis-server instead")
    return "authgate", binary


@pytest.fixture(scope="module")
def server():
    kind, binary = server_kind_and_binary()
    srv = Server(kind, binary, "plain", "clients")
    srv.start()
    yield srv
    srv.cleanup()


class Admin:
    """A raw RESP connection as the default user, for setting up users."""

    def __init__(self, port):
        self.conn = RespConnection(port=port)

    def __call__(self, *args):
        return self.conn.call_tagged(*args)

    def setuser(self, name, *rules):
        r = self("ACL", "SETUSER", name, *rules)
        assert r == ("+", b"OK"), r

    def reset(self):
        users = self("ACL", "USERS")
        names = [u[1] for u in users[1] if u[1] != b"default"]
        if names:
            self("ACL", "DELUSER", *names)
        assert self("ACL", "SETUSER", "default", "on", "nopass", "~*", "&*", "+@all") == ("+", b"OK")
        self("ACL", "LOG", "RESET")
        self("FLUSHALL")

    def close(self):
        self.conn.close()


@pytest.fixture
def admin(server):
    a = Admin(server.port)
    a.reset()
    yield a
    a.reset()
    a.close()


@pytest.fixture
def port(server):
    return server.port


def wait_closed(sock, timeout=5.0):
    """Wait until the server closes the connection of `sock` (EOF or reset), at most `timeout`
    seconds. True if it did. Data that arrives first is read and dropped."""
    deadline = time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        readable, _, _ = select.select([sock], [], [], left)
        if not readable:
            return False
        try:
            if not sock.recv(4096):
                return True
        except (ConnectionError, socket.timeout, OSError):
            return True
