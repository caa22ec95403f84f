"""The embedded server's TLS options (tls_* keyword arguments, certificate_users): a server
started from Python with TLS accepts a client certificate (the fixture's CN=alice, made by
cert_cases_gen.py with openssl) and logs the connection in as the mapped user, which
ACL WHOAMI shows; bad values are refused with core's texts before anything starts."""

from __future__ import annotations

import json
import socket
import ssl
from typing import Any, Dict

import pytest

import authgate
from conftest import FIXTURES

CERTS = FIXTURES / "certs"
VOCABULARY: Dict[str, Any] = json.loads((FIXTURES / "vocabulary.json").read_text())
SUBJECT = next(c["subject"] for c in json.loads((FIXTURES / "cert_cases.json").read_text())["certificates"]
               if c["name"] == "multi_ou")


def tls_server(acl: authgate.Acl, **kw: Any) -> authgate.Server:
    return authgate.Server(acl, tls_cert_file=CERTS / "server.pem", tls_key_file=str(CERTS / "server.key"),
                           tls_ca_cert_file=CERTS / "ca.pem", **kw)


def whoami(port: int, with_cert: bool = True) -> bytes:
    """ACL WHOAMI over TLS, with the fixture's client certificate (CN=alice)."""
    ctx = ssl.create_default_context(cafile=str(CERTS / "ca.pem"))
    if with_cert:
        ctx.load_cert_chain(str(CERTS / "multi_ou.pem"), str(CERTS / "multi_ou.key"))
    with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
        with ctx.wrap_socket(raw, server_hostname="localhost") as s:
            s.sendall(b"ACL WHOAMI\r\n")
            data = b""
            while not data.endswith(b"\r\n") or data.count(b"\r\n") < (2 if data.startswith(b"$") else 1):
                chunk = s.recv(256)
                if not chunk:
                    break
                data += chunk
            return data


def test_every_tls_option_is_a_keyword_argument() -> None:
    import inspect
    params = inspect.signature(authgate.Server).parameters
    for name in VOCABULARY["server"]["tls_options"]:
        assert name in params and params[name].kind is inspect.Parameter.KEYWORD_ONLY, name
        assert params[name].default is None, name
    assert VOCABULARY["server"]["tls_properties"] == ["tls_port"]


def test_tls_auth_clients_user_cn_logs_the_certificate_in() -> None:
    acl = authgate.Acl()
    acl.setuser("alice", "on", "nopass", "+@all")
    server = tls_server(acl, tls_auth_clients_user="CN", tls_auth_clients="optional", tls_protocols="TLSv1.2 TLSv1.3",
                        tls_ciphersuites="", tls_ciphers="", tls_prefer_server_ciphers=True, tls_key_file_pass="")
    assert server.tls_port is None
    with server:
        port = server.tls_port
        assert isinstance(port, int) and port not in (0, server.port)
        assert whoami(port) == b"$5\r\nalice\r\n"
        # optional: a client without a certificate is served as default.
        assert whoami(port, with_cert=False) == b"$7\r\ndefault\r\n"
    assert server.tls_port == port


def test_certificate_users_log_in_by_subject_line(tmp_path: Any) -> None:
    acl = authgate.Acl()
    acl.setuser("carol", "on", ">pw", "+@all")
    server = tls_server(acl, tls_port=0, certificate_users={"carol": SUBJECT})
    with server:
        assert whoami(server.tls_port or 0) == b"$5\r\ncarol\r\n"
    # Certificate-only: the password was reset at start.
    assert acl.getuser("carol").passwords == []  # type: ignore[union-attr]


def test_defaults_are_cores() -> None:
    defaults = VOCABULARY["server"]["tls_defaults"]
    acl = authgate.Acl()
    with tls_server(acl) as server:
        import redis
        r = redis.Redis(host="127.0.0.1", port=server.port, socket_timeout=5)
        got = r.config_get("tls-*")
        for name, value in defaults.items():
            directive = name.replace("_", "-")
            if name == "tls_port":
                continue  # 0 means a free port here: the bound one is shown
            if name == "tls_auth_clients_user":
                # Listed only while on, so CONFIG GET tls-* stays redis-server 7.0.15's.
                assert value == "off" and directive not in got
                continue
            assert got[directive] == str(value), name
        assert got["tls-port"] == str(server.tls_port)


@pytest.mark.parametrize("kw, error, text", [
    ({"tls_auth_clients": "maybe"}, authgate.InvalidArgument,
     "tls_auth_clients: argument(s) must be one of the following: no, yes, optional"),
    ({"tls_auth_clients_user": "DN"}, authgate.InvalidArgument,
     "tls_auth_clients_user: argument(s) must be one of the following: off, CN, URI"),
    ({"tls_port": 70000}, authgate.InvalidArgument, "tls_port must be between 0 and 65535, not 70000"),
    ({"tls_ca_cert_dir": ""}, authgate.InvalidArgument, "tls_ca_cert_dir must not be empty"),
    ({"certificate_users": {"x": "CN=a, O=b"}}, authgate.CertificateError, None),
])
def test_bad_values_are_refused(kw: Dict[str, Any], error: type, text: Any) -> None:
    with pytest.raises(error) as e:
        tls_server(authgate.Acl(), **kw)
    if text:
        assert str(e.value) == text


def test_a_bad_key_fails_start_with_redis_text() -> None:
    server = authgate.Server(authgate.Acl(), tls_cert_file=CERTS / "server.pem", tls_key_file=CERTS / "multi_ou.key",
                             tls_auth_clients="no")
    with pytest.raises(authgate.ConfigError) as e:
        server.start()
    assert "the private key does not match the certificate" in str(e.value)
    assert not server.running
