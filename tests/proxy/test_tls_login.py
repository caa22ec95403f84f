"""Certificate login at the proxy, a plain upstream behind it: the TLS client's certificate
picks its authgate user at the handshake, whose rules then govern what reaches the upstream."""
import importlib.util
import os
import socket
import ssl

from conftest import HERE, UPSTREAM_PASSWORD, connect
from resp_client import RespConnection

# tests/tls/conftest.py's test PKI and TLS server (loaded under another name: ours is `conftest`)
_spec = importlib.util.spec_from_file_location("tls_fixtures", os.path.join(HERE, "..", "tls", "conftest.py"))
tls = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(tls)


def test_certificate_login_at_the_proxy(upstream, tmp_path):
    pki = tls.TestPki(str(tmp_path))
    server = tls.TlsServer("authgate", pki, {
        "upstream": f"redis://:{UPSTREAM_PASSWORD}@127.0.0.1:{upstream.port}",
        "tls-auth-clients-user": "CN", "user": "bob on resetpass ~cert:* +@all",
    })
    try:
        server.wait_ready()
        ctx = ssl.create_default_context(cafile=pki.ca)
        ctx.load_cert_chain(pki.bob, tls.key(pki.bob))
        c = RespConnection.__new__(RespConnection)
        c.sock = ctx.wrap_socket(socket.create_connection(("127.0.0.1", server.port), timeout=10),
                                 server_hostname="localhost")
        c.buf = b""
        assert c.call_tagged("ACL", "WHOAMI") == ("$", b"bob")
        assert c.call_tagged("SET", "cert:1", "over-tls") == ("+", b"OK")
        assert c.call_tagged("GET", "other") == \
            ("-", b"NOPERM this user has no permissions to access one of the keys used as arguments")
        c.close()
        direct = connect(upstream.port, password=UPSTREAM_PASSWORD)
        assert direct.call("GET", "cert:1") == b"over-tls"
        direct.close()
    finally:
        server.stop()
