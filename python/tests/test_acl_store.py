"""Acl.from_store: an embedded engine and an `authgate serve` node share one etcd ACL store
(issue 17). Needs Debian's etcd-server and the authgate binary (AUTHGATE_BIN)."""

from __future__ import annotations

import os
import socket
import subprocess
import time
from pathlib import Path
from typing import Callable, Iterator

import pytest

import authgate

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(what: str, cond: Callable[[], bool], timeout: float = 15.0) -> None:
    end = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > end:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.01)


def listening(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
        return True
    except OSError:
        return False


def authgate_bin() -> str:
    found = os.environ.get("AUTHGATE_BIN") or str(ROOT / "target" / "x86_64-unknown-linux-gnu" / "debug" / "authgate")
    assert os.path.exists(found), f"the authgate binary is needed at {found} (make build)"
    return found


@pytest.fixture
def etcd(tmp_path: Path) -> Iterator[int]:
    port, peer = free_port(), free_port()
    c, p = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{peer}"
    proc = subprocess.Popen(
        ["etcd", "--data-dir", str(tmp_path / "etcd"), "--listen-client-urls", c, "--advertise-client-urls", c,
         "--listen-peer-urls", p, "--initial-advertise-peer-urls", p, "--initial-cluster", f"default={p}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for("etcd", lambda: listening(port))
    yield port
    proc.kill()
    proc.wait()


def resp(port: int, *argv: str) -> bytes:
    """One RESP command, the raw reply's first line."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(f"*{len(argv)}\r\n".encode() + b"".join(f"${len(a)}\r\n{a}\r\n".encode() for a in argv))
        return s.makefile("rb").readline()


def test_an_embedded_acl_and_a_server_share_one_store(etcd: int, tmp_path: Path) -> None:
    url = f"etcd://127.0.0.1:{etcd}/shared"
    acl = authgate.Acl.from_store(url, cache_file=tmp_path / "py.cache")
    port = free_port()
    server = subprocess.Popen([authgate_bin(), "serve", "--port", str(port), "--dir", str(tmp_path),
                               "--acl-store", url], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for("the server", lambda: listening(port))
        # The engine's setuser reaches the server ...
        acl.setuser("svc", "on", ">pw", "~cache:*", "+get")
        wait_for("svc on the server", lambda: resp(port, "AUTH", "svc", "pw") == b"+OK\r\n")
        # ... and the server's ACL SETUSER / DELUSER reach the engine.
        assert resp(port, "ACL", "SETUSER", "ops", "on", ">x", "+ping") == b"+OK\r\n"
        wait_for("ops in the engine", lambda: acl.authenticate("ops", "x"))
        acl.check("svc", "GET", "cache:1")
        with pytest.raises(authgate.PermissionDenied):
            acl.check("svc", "SET", "cache:1", "v")
        assert resp(port, "ACL", "DELUSER", "svc") == b":1\r\n"
        wait_for("svc gone from the engine", lambda: "svc" not in acl.users())
        # Invalid rules: Redis' error, nothing written.
        with pytest.raises(authgate.AclError, match="Error in ACL SETUSER modifier"):
            acl.setuser("ops", "+nosuch")
        assert acl.list() == [line.decode() for line in _acl_list(port)]
        # requirepass through the store: the server's default user gets the password too.
        acl.set_requirepass("topsecret")
        assert acl.authenticate("default", "topsecret")
        wait_for("default's password on the server", lambda: resp(port, "AUTH", "topsecret") == b"+OK\r\n")
    finally:
        server.terminate()
        server.wait()


def test_from_store_refuses_a_bad_address_and_an_unreachable_store_without_cache() -> None:
    with pytest.raises(authgate.InvalidArgument):
        authgate.Acl.from_store("redis://127.0.0.1:1/x")
    with pytest.raises(authgate.IoError):
        authgate.Acl.from_store(f"etcd://127.0.0.1:{free_port()}/x")


def test_from_store_checks_its_tls_files(tmp_path: Path) -> None:
    url = f"etcd://127.0.0.1:{free_port()}/x"
    with pytest.raises(authgate.InvalidArgument, match="^cert_file and key_file go together$"):
        authgate.Acl.from_store(url, cert_file=tmp_path / "c.pem")
    missing = tmp_path / "ca.pem"
    with pytest.raises(authgate.IoError, match=f"^cannot read ca_file {missing}: "):
        authgate.Acl.from_store(url, ca_file=missing)


def _acl_list(port: int) -> list[bytes]:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(b"*2\r\n$3\r\nACL\r\n$4\r\nLIST\r\n")
        f = s.makefile("rb")
        n = int(f.readline()[1:])
        lines = []
        for _ in range(n):
            f.readline()
            lines.append(f.readline().rstrip(b"\r\n"))
        return lines


def test_an_embedded_server_on_a_store_attached_acl_writes_through_the_store(etcd: int, tmp_path: Path) -> None:
    # authgate.Server(acl) with an Acl from from_store: its clients' ACL SETUSER / DELUSER go
    # through the store, so another engine attached to the same store sees them.
    url = f"etcd://127.0.0.1:{etcd}/embedded"
    acl = authgate.Acl.from_store(url, cache_file=tmp_path / "a.cache")
    other = authgate.Acl.from_store(url, cache_file=tmp_path / "b.cache")
    with authgate.Server(acl, port=0) as server:
        assert resp(server.port, "ACL", "SETUSER", "viaserver", "on", ">pw", "+ping") == b"+OK\r\n"
        wait_for("viaserver in the other engine", lambda: other.authenticate("viaserver", "pw"))
        assert resp(server.port, "ACL", "DELUSER", "viaserver") == b":1\r\n"
        wait_for("viaserver gone from the other engine", lambda: "viaserver" not in other.users())
        # CONFIG SET requirepass is a store write as well.
        assert resp(server.port, "CONFIG", "SET", "requirepass", "pw2") == b"+OK\r\n"
        wait_for("default's password in the other engine", lambda: other.authenticate("default", "pw2"))
    # Startup settings that would write users locally are refused: the users are the store's.
    with pytest.raises(authgate.ConfigError, match="attached to an ACL store"):
        authgate.Server(acl, port=0, requirepass="x").start()
