"""rediss:// upstreams: the proxy talks TLS to a redis-server 7.0.15 started with only a TLS port
(`port 0`, `tls-auth-clients yes`, its default), verifying the upstream's certificate against
--upstream-tls-ca-cert-file and presenting --upstream-tls-cert-file/--upstream-tls-key-file."""
import importlib.util
import os
import socket
import ssl
import subprocess

import pytest

from conftest import ADMIN_PASSWORD, HERE, UPSTREAM_PASSWORD, connect, find_authgate_bin, proxy_process
from resp_client import RespConnection

# tests/tls/conftest.py's test PKI and TLS server (loaded under another name: ours is `conftest`)
_spec = importlib.util.spec_from_file_location("tls_fixtures", os.path.join(HERE, "..", "tls", "conftest.py"))
tls = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(tls)


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    return tls.TestPki(str(tmp_path_factory.mktemp("upstream-pki")))


@pytest.fixture(scope="module")
def tls_upstream(pki):
    server = tls.TlsServer("redis", pki, {"requirepass": UPSTREAM_PASSWORD})
    server.wait_ready()
    yield server
    server.stop()


def client_cert_args(pki, ca=None):
    return ["--upstream-tls-ca-cert-file", ca or pki.ca, "--upstream-tls-cert-file", pki.alice,
            "--upstream-tls-key-file", tls.key(pki.alice)]


def upstream_url(server):
    return f"rediss://:{UPSTREAM_PASSWORD}@127.0.0.1:{server.port}"


def direct_tls(pki, server):
    """A TLS connection straight to the upstream (as the proxy's client certificate)."""
    ctx = ssl.create_default_context(cafile=pki.ca)
    ctx.load_cert_chain(pki.alice, tls.key(pki.alice))
    c = RespConnection.__new__(RespConnection)
    c.sock = ctx.wrap_socket(socket.create_connection(("127.0.0.1", server.port), timeout=10),
                             server_hostname="localhost")
    c.buf = b""
    assert c.call_tagged("AUTH", UPSTREAM_PASSWORD) == ("+", b"OK")
    return c


def connections_received(c):
    info = c.call("INFO", "stats").decode()
    return int(next(l for l in info.splitlines() if l.startswith("total_connections_received:")).split(":")[1])


def test_commands_and_acl_over_tls(pki, tls_upstream):
    proxy = proxy_process(upstream_url(tls_upstream), *client_cert_args(pki)).start()
    try:
        admin = connect(proxy.port, password=ADMIN_PASSWORD)
        assert admin.call_tagged("ACL", "SETUSER", "t", "on", ">tp", "~t:*", "+@all") == ("+", b"OK")
        c = connect(proxy.port, "t", "tp")
        big = os.urandom(300_000).hex().encode()  # 600 kB: many TLS records, relayed in pieces
        assert c.call_tagged("SET", "t:big", big) == ("+", b"OK")
        assert c.call("GET", "t:big") == big
        assert c.call_tagged("GET", "other") == \
            ("-", b"NOPERM this user has no permissions to access one of the keys used as arguments")
        # A pipeline written while its replies are read, over TLS.
        c.send_raw(b"".join(RespConnection.encode(("INCR", "t:n")) for _ in range(2000)))
        replies = [c.read_reply() for _ in range(2000)]
        assert replies[-1] == 2000
        # The connection stays in use between batches (no reconnect per command: TLS records
        # without data, like session tickets, do not make it look closed).
        up = direct_tls(pki, tls_upstream)
        before = connections_received(up)
        for i in range(20):
            assert c.call("INCR", "t:n") == 2001 + i
        assert connections_received(up) == before
        assert up.call("GET", "t:n") == b"2020"
        up.close()
        c.close()
        admin.close()
    finally:
        proxy.stop()


def test_wrong_ca_refused_with_a_clear_error(pki, tls_upstream):
    proxy = proxy_process(upstream_url(tls_upstream), *client_cert_args(pki, ca=pki.other_ca)).start()
    try:
        c = connect(proxy.port, password=ADMIN_PASSWORD)
        for _ in range(2):  # and again on the next command: no connection is kept
            kind, text = c.call_tagged("GET", "k")
            assert kind == "-"
            assert text == (f"ERR upstream 127.0.0.1:{tls_upstream.port} TLS handshake failed: "
                            "invalid peer certificate: UnknownIssuer").encode()
        assert c.call_tagged("ACL", "WHOAMI") == ("$", b"default")  # authgate's own commands still answer
        c.close()
        assert "TLS handshake failed" in proxy.log_text()
    finally:
        proxy.stop()


def test_without_client_certificate_the_upstream_refuses(pki, tls_upstream):
    proxy = proxy_process(upstream_url(tls_upstream), "--upstream-tls-ca-cert-file", pki.ca).start()
    try:
        c = connect(proxy.port, password=ADMIN_PASSWORD)
        kind, text = c.call_tagged("GET", "k")
        assert kind == "-" and text.startswith(f"ERR upstream 127.0.0.1:{tls_upstream.port} ".encode()), text
        c.close()
    finally:
        proxy.stop()


@pytest.mark.parametrize("args,message", [
    (["--upstream", "rediss://127.0.0.1:1"], "a rediss:// upstream needs upstream-tls-ca-cert-file"),
    (["--upstream", "redis://127.0.0.1:1", "--upstream-tls-ca-cert-file", "ca.pem"],
     "upstream-tls-* directives are set but the upstream URL is redis://"),
    (["--upstream", "rediss://127.0.0.1:1", "--upstream-tls-ca-cert-file", "/nonexistent/ca.pem"],
     "upstream-tls-ca-cert-file /nonexistent/ca.pem: No such file or directory"),
    (["--upstream", "rediss://127.0.0.1:1", "--upstream-tls-ca-cert-file", "CA", "--upstream-tls-cert-file", "x"],
     "upstream-tls-cert-file is set without upstream-tls-key-file"),
])
def test_bad_settings_refused_at_start(pki, args, message):
    args = [a.replace("CA", pki.ca) if a == "CA" else a for a in args]
    p = subprocess.run([find_authgate_bin(), "serve", "--port", "0", *args], capture_output=True, timeout=20)
    assert p.returncode != 0
    assert message in (p.stdout + p.stderr).decode(errors="replace")
