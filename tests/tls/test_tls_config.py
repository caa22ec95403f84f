"""CONFIG GET / SET of the tls-* settings, differential with redis-server 7.0.15 started with the
same TLS directives, and certificate rotation without a restart.
"""
import shutil

import pytest
import redis

from conftest import key
from test_tls_listener import KINDS, client, outcome, raw_tls


def tls_config(server):
    with client(server, server.pki.stranger) as c:
        got = c.config_get("tls-*")
    got["tls-port"] = "<port>"
    return got


def test_config_get_tls_matches_redis(start, pki):
    directives = {"tls-auth-clients": "optional", "tls-protocols": "TLSv1.2 TLSv1.3",
                  "tls-ciphersuites": "TLS_AES_256_GCM_SHA384:TLS_AES_128_GCM_SHA256"}
    got = {kind: tls_config(start(kind, directives)) for kind in KINDS}
    assert got["authgate"] == got["redis"]
    assert got["redis"]["tls-auth-clients"] == "optional"


@pytest.mark.parametrize("kind", KINDS)
def test_config_set_errors_like_redis(kind, start, pki):
    s = start(kind)
    with client(s, pki.stranger) as c:
        for name, value, text in [
            ("tls-cert-file", "/nonexistent/cert.pem",
             "CONFIG SET failed (possibly related to argument 'tls-cert-file') - Unable to update TLS configuration. Check server logs."),
            ("tls-protocols", "TLSv1.9",
             "CONFIG SET failed (possibly related to argument 'tls-protocols') - Unable to update TLS configuration. Check server logs."),
            ("tls-auth-clients", "maybe",
             "CONFIG SET failed (possibly related to argument 'tls-auth-clients') - argument(s) must be one of the following: no, yes, optional"),
        ]:
            before = c.config_get(name)
            with pytest.raises(redis.exceptions.ResponseError) as e:
                c.config_set(name, value)
            assert str(e.value) == text
            assert c.config_get(name) == before
        assert c.ping()


@pytest.mark.parametrize("kind", KINDS)
def test_rotation_without_restart(kind, start, pki, tmp_path):
    # The served files are copies, so the test can replace them as an operator would.
    cert, k, ca = tmp_path / "cert.pem", tmp_path / "cert.key", tmp_path / "ca.pem"
    shutil.copy(pki.server, cert)
    shutil.copy(key(pki.server), k)
    shutil.copy(pki.ca, ca)
    s = start(kind, {"tls-cert-file": str(cert), "tls-key-file": str(k), "tls-ca-cert-file": str(ca)})
    old = raw_tls(s, pki.stranger)
    old.sendall(b"PING\r\n")
    assert old.recv(100) == b"+PONG\r\n"
    # A new CA bundle: clients of the old CA are refused from the next handshake on.
    shutil.copy(pki.other_ca, ca)
    with client(s, pki.stranger) as c:
        assert c.config_set("tls-ca-cert-file", str(ca)) is True
    assert outcome(s, pki.stranger) == "refused"
    assert outcome(s, pki.wrong_ca) == "ok"
    # The connection opened before the change stays.
    old.sendall(b"PING\r\n")
    assert old.recv(100) == b"+PONG\r\n"
    old.close()


def test_tls_auth_clients_user_is_listed_only_when_on(start, pki):
    s = start("authgate", {"user": "stranger on resetpass ~* +@all"})
    with client(s, pki.stranger) as c:
        assert "tls-auth-clients-user" not in c.config_get("tls-*")
        assert c.acl_whoami() == "default"
        assert c.config_set("tls-auth-clients-user", "CN") is True
        assert c.config_get("tls-auth-clients-user") == {"tls-auth-clients-user": "CN"}
    with client(s, pki.stranger) as c:
        assert c.acl_whoami() == "stranger"
        with pytest.raises(redis.exceptions.ResponseError) as e:
            c.config_set("tls-auth-clients-user", "SAN")
        assert "argument(s) must be one of the following: off, CN, URI" in str(e.value)


@pytest.mark.parametrize("kind", KINDS)
def test_config_set_tls_port_relistens(kind, start, pki):
    import socket

    from servers import free_port

    s = start(kind)
    old_port = s.port
    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen()
    with client(s, pki.stranger) as admin:
        with pytest.raises(redis.exceptions.ResponseError) as e:
            admin.config_set("tls-port", str(busy.getsockname()[1]))
        assert str(e.value) == ("CONFIG SET failed (possibly related to argument 'tls-port') - "
                                "Unable to listen on this port. Check server logs.")
        assert admin.config_get("tls-port") == {"tls-port": str(old_port)}
        new_port = free_port()
        assert admin.config_set("tls-port", str(new_port)) is True
        s.port = new_port
        assert outcome(s, pki.stranger) == "ok"
        s.port = old_port
        assert outcome(s, pki.stranger) == "refused"
        # tls-port 0 closes the TLS listener; this open connection stays.
        assert admin.config_set("tls-port", "0") is True
        assert admin.config_get("tls-port") == {"tls-port": "0"}
        s.port = new_port
        assert outcome(s, pki.stranger) == "refused"
        assert admin.ping()
    busy.close()


@pytest.mark.parametrize("kind", KINDS)
def test_a_failing_config_set_keeps_the_tls_configuration(kind, start, pki, tmp_path):
    """CONFIG SET is all or nothing: a new CA bundle set together with a port that cannot be
    listened on fails as a whole, and new handshakes still trust the old CA (Redis restores
    and re-applies the old values; authgate builds the TLS change but installs nothing)."""
    import socket

    ca = tmp_path / "ca.pem"
    shutil.copy(pki.ca, ca)
    other = tmp_path / "other-ca.pem"
    shutil.copy(pki.other_ca, other)
    s = start(kind, {"tls-ca-cert-file": str(ca)})
    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen()
    with client(s, pki.stranger) as admin:
        before = admin.config_get("*")
        with pytest.raises(redis.exceptions.ResponseError) as e:
            admin.execute_command("CONFIG", "SET", "tls-ca-cert-file", str(other), "port", str(busy.getsockname()[1]))
        assert str(e.value) == ("CONFIG SET failed (possibly related to argument 'port') - "
                                "Unable to listen on this port. Check server logs.")
        assert admin.config_get("*") == before
    assert outcome(s, pki.stranger) == "ok"
    assert outcome(s, pki.wrong_ca) == "refused"
    busy.close()
