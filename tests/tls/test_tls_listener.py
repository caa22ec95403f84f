"""The TLS listener of `authgate serve`, differential with redis-server 7.0.15 where Redis has
the same behaviour (tls-auth-clients modes, refused certificates, port 0, bad files), and
authgate alone for certificate login (certificate users, tls-auth-clients-user), which Redis
7.0.15 does not have.
"""
import json
import os
import re
import socket
import ssl
import subprocess

import pytest
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from conftest import binary, key, run_exit

KINDS = ["redis", "authgate"]


def client(server, cert=None, **kw):
    # No retries: a refused or closed connection must show, not be replaced by a new one.
    args = dict(host="127.0.0.1", port=server.port, ssl=True, ssl_ca_certs=server.pki.ca, socket_timeout=10,
                retry=Retry(NoBackoff(), 0))
    if cert:
        args.update(ssl_certfile=cert, ssl_keyfile=key(cert))
    args.update(kw)
    return redis.Redis(**args)


def outcome(server, cert=None):
    """'ok' (PING answered) or 'refused' (the handshake or the first reply failed)."""
    try:
        with client(server, cert) as c:
            assert c.ping() is True
            return "ok"
    except (redis.exceptions.ConnectionError, OSError):
        return "refused"


def raw_tls(server, cert):
    """A bare TLS socket (redis-py would reconnect silently where a test wants the close)."""
    ctx = ssl.create_default_context(cafile=server.pki.ca)
    ctx.load_cert_chain(cert, key(cert))
    sock = ctx.wrap_socket(socket.create_connection(("127.0.0.1", server.port), timeout=10),
                           server_hostname="localhost")
    return sock


def redis_cli(server, *args, cert=None):
    cmd = ["redis-cli", "-h", "127.0.0.1", "-p", str(server.port), "--tls", "--cacert", server.pki.ca]
    if cert:
        cmd += ["--cert", cert, "--key", key(cert)]
    p = subprocess.run(cmd + list(args), capture_output=True, timeout=20)
    return p.stdout.decode().strip()


def listening_ports(pid):
    """The TCP ports process `pid` listens on (from /proc: its socket inodes in LISTEN)."""
    inodes = set()
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        m = re.fullmatch(r"socket:\[(\d+)\]", target)
        if m:
            inodes.add(m.group(1))
    ports = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as f:
            for line in f.readlines()[1:]:
                cols = line.split()
                if cols[3] == "0A" and cols[9] in inodes:
                    ports.add(int(cols[1].rsplit(":", 1)[1], 16))
    return ports


@pytest.mark.parametrize("kind", KINDS)
def test_tls_auth_clients_modes(kind, start, pki):
    results = {}
    for mode in ("yes", "optional", "no"):
        s = start(kind, {"tls-auth-clients": mode})
        results[mode] = (outcome(s), outcome(s, pki.stranger), outcome(s, pki.wrong_ca))
        s.stop()
    assert results == {
        "yes": ("refused", "ok", "refused"),
        "optional": ("ok", "ok", "refused"),
        # Not asked for a certificate, the client sends none: any certificate "works".
        "no": ("ok", "ok", "ok"),
    }


@pytest.mark.parametrize("kind", KINDS)
def test_refused_certificates(kind, start, pki):
    s = start(kind)
    assert outcome(s, pki.stranger) == "ok"
    for bad in (pki.wrong_ca, pki.expired, pki.server_only):
        assert outcome(s, bad) == "refused", bad


@pytest.mark.parametrize("kind", KINDS)
def test_port_0_opens_no_plain_port(kind, start):
    s = start(kind)
    assert listening_ports(s.proc.pid) == {s.port}


@pytest.mark.parametrize("kind", KINDS)
def test_nowhere_to_listen(kind, tmp_path):
    cmd = [binary(kind)] + (["serve"] if kind == "authgate" else []) + ["--port", "0"]
    status, out = run_exit(cmd)
    assert status == 1
    assert "Configured to not listen anywhere, exiting." in out


@pytest.mark.parametrize("kind", KINDS)
def test_encrypted_key(kind, start, pki):
    s = start(kind, {"tls-key-file": pki.encrypted_key, "tls-key-file-pass": "s3cret"})
    assert outcome(s, pki.stranger) == "ok"


def startup_error(kind, pki, tmp_path, directives):
    args = {"port": "0", "tls-port": "0", "tls-cert-file": pki.server, "tls-key-file": key(pki.server),
            "tls-ca-cert-file": pki.ca}
    args.update(directives)
    args["tls-port"] = str(__import__("servers").free_port())
    log = tmp_path / f"{kind}.log"
    cmd = [binary(kind)] + (["serve"] if kind == "authgate" else ["--save", ""])
    for k, v in args.items():
        cmd += ["--" + k, v]
    cmd += ["--logfile", str(log)]
    status, out = run_exit(cmd)
    text = log.read_text() if log.exists() else ""
    lines = [re.sub(r"^\d+:M \d+ \w+ \d+ [\d:.]+ # ", "", line) for line in text.splitlines() if " # " in line]
    return status, [line for line in lines if "Failed" in line or "No tls" in line or "Either" in line or "Invalid" in line]


BAD = [
    ({"tls-cert-file": "/nonexistent/cert.pem"}, "Failed to load certificate: /nonexistent/cert.pem: "),
    ({"tls-key-file": "/nonexistent/key.pem"}, "Failed to load private key: /nonexistent/key.pem: "),
    ({"tls-ca-cert-file": "/nonexistent/ca.pem"}, "Failed to configure CA certificate(s) file/directory: "),
    ({"tls-key-file": "@ENC", "tls-key-file-pass": "wrong"}, "Failed to load private key: @ENC: "),
    ({"tls-key-file": "@ALICE"}, "Failed to load private key: @ALICE: "),
    ({"tls-protocols": "TLSv1.4"}, "Invalid tls-protocols specified. Use a combination of 'TLSv1', 'TLSv1.1', 'TLSv1.2' and 'TLSv1.3'."),
    ({"tls-ciphersuites": "FOO"}, "Failed to configure ciphersuites: FOO"),
    ({"tls-ciphers": "FOO"}, "Failed to configure ciphers: FOO"),
    ({"tls-cert-file": ""}, "No tls-cert-file configured!"),
    ({"tls-ca-cert-file": ""}, "Either tls-ca-cert-file or tls-ca-cert-dir must be specified when tls-cluster, tls-replication or tls-auth-clients are enabled!"),
]


@pytest.mark.parametrize("directives,first_line", BAD, ids=[b[1][:30] for b in BAD])
def test_startup_errors_like_redis(directives, first_line, pki, tmp_path):
    subst = {"@ENC": pki.encrypted_key, "@ALICE": key(pki.alice)}
    directives = {k: subst.get(v, v) for k, v in directives.items()}
    first_line = first_line.replace("@ENC", pki.encrypted_key).replace("@ALICE", key(pki.alice))
    got = {}
    for kind in KINDS:
        status, lines = startup_error(kind, pki, tmp_path, directives)
        assert status == 1, (kind, lines)
        assert len(lines) == 2 and lines[0].startswith(first_line), (kind, lines)
        assert lines[1] == "Failed to configure TLS. Check logs for more info.", (kind, lines)
        got[kind] = lines[0][: len(first_line)]
    assert got["redis"] == got["authgate"]


# --- certificate login (authgate) ------------------------------------------------------------

def store(workdir, users):
    with open(os.path.join(workdir, "certificate-users.json"), "w") as f:
        json.dump({"certificate_users": [{"name": n, "certificate_subject_line": line} for n, line in users]}, f)


def test_certificate_user_logs_in_at_handshake_and_refuses_passwords(start, pki, tmp_path):
    workdir = str(tmp_path)
    store(workdir, [("alice-cert", pki.subject(pki.alice))])
    s = start("authgate", {"user": ["alice-cert on resetpass ~* +@all", "alice on resetpass ~* +@all"],
                           "tls-auth-clients": "optional", "tls-auth-clients-user": "CN"}, workdir=workdir)
    # Certificate users come first; the CN mapping applies to the others.
    assert redis_cli(s, "ACL", "WHOAMI", cert=pki.alice) == "alice-cert"
    assert redis_cli(s, "ACL", "WHOAMI", cert=pki.stranger) == "default"
    assert redis_cli(s, "ACL", "WHOAMI") == "default"
    with client(s, pki.alice) as c:
        assert c.acl_whoami() == "alice-cert"
    with client(s, pki.wrong_ca) as c:
        with pytest.raises(redis.exceptions.ConnectionError):
            c.ping()
    with client(s) as admin:
        assert admin.execute_command("ACL", "SETUSER", "alice-cert", ">pw") == b"OK"
        with pytest.raises(redis.exceptions.AuthenticationError):
            admin.execute_command("AUTH", "alice-cert", "pw")
        with pytest.raises(redis.exceptions.AuthenticationError):
            admin.execute_command("HELLO", "3", "AUTH", "alice-cert", "pw")
        log = admin.acl_log()
        assert log[0]["reason"] == "auth" and log[0]["username"] == "alice-cert"


def test_tls_auth_clients_user_no_match_is_logged_and_counted(start, pki):
    s = start("authgate", {"user": "bob-uri on resetpass ~* +@all", "tls-auth-clients-user": "URI"})
    with client(s, pki.bob) as c:
        assert c.acl_whoami() == "bob-uri"
    with client(s, pki.stranger) as c:
        assert c.acl_whoami() == "default"
        assert c.info("stats")["acl_access_denied_tls_cert"] == 1
        entry = c.acl_log()[0]
        assert entry["reason"] == "tls-cert"


def test_tls_auth_clients_user_off_keeps_redis_7_behaviour(start, pki):
    s = start("authgate", {"user": "stranger on resetpass ~* +@all"})
    with client(s, pki.stranger) as c:
        assert c.acl_whoami() == "default"
        assert "acl_access_denied_tls_cert" not in c.info("stats")
        assert c.acl_log() == []


def test_deleting_a_certificate_user_disconnects_it_and_forgets_it(start, pki, tmp_path):
    workdir = str(tmp_path)
    store(workdir, [("alice-cert", pki.subject(pki.alice))])
    s = start("authgate", {"user": "alice-cert on resetpass ~* +@all"}, workdir=workdir)
    conn = raw_tls(s, pki.alice)
    conn.sendall(b"ACL WHOAMI\r\n")
    assert conn.recv(100) == b"$10\r\nalice-cert\r\n"
    with client(s, pki.stranger) as admin:
        assert admin.execute_command("ACL", "DELUSER", "alice-cert") == 1
    # The server closes the connection (EOF, or a reset if it was mid-write).
    try:
        assert conn.recv(100) == b""
    except (ConnectionResetError, ssl.SSLError):
        pass
    conn.close()
    with open(os.path.join(workdir, "certificate-users.json")) as f:
        assert json.load(f) == {"certificate_users": []}
    assert oct(os.stat(os.path.join(workdir, "certificate-users.json")).st_mode & 0o777) == "0o600"
