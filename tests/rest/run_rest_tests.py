#!/usr/bin/env python3
"""`make test-rest`: the Redis Software admin REST API of `authgate serve --rest-port`.

The seed's certificate workflow (../shared/seeds/003_5da0bd18509014c0.txt) runs first with curl
as written: PUT /v1/cluster/certificates (mtls_trusted_ca), PUT /v1/cluster (mTLS on, subject
validation disabled), POST /v1/users (auth_method certificate, the seed's subject line with
its spaces), then `curl --request GET --url https://...:PORT/v1/... --cert client.pem --key
client.key`. Then every endpoint's status codes and error bodies, the ACL users the REST users
become (checked with redis-cli), a deleted user's connections closing, mtls subject validation,
and a restart with --dir keeping everything.

Certificates are made now with openssl (tests/cert/pki.py). Ports come from the server's own
log (`rest-port auto`, and a Redis port chosen free by the OS).
Usage: AUTHGATE_BIN=target/.../authgate python3 tests/rest/run_rest_tests.py
Time budget: under 3 minutes on 2 busy cores.
"""

import base64
import http.client
import json
import os
import re
import socket
import ssl
import stat
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "cert"))
from pki import Pki  # noqa: E402

BUDGET_SECONDS = 180
AUTHGATE = os.environ.get("AUTHGATE_BIN", "authgate")
ADMIN, ADMIN_PASSWORD = "admin@example.com", "admin-secret"
CLIENT_SUBJ = "/C=US/ST=California/L=San Francisco/O=Acme Corp/OU=Engineering/CN=redis_user"
# The seed's step 3 line with its placeholders filled in from CLIENT_SUBJ, spaces kept.
SEED_SUBJECT_LINE = "CN=redis_user, OU=Engineering, O=Acme Corp, L=San Francisco, ST=California, C=US"

FAILURES = []


def check(cond, what):
    if not cond:
        FAILURES.append(what)
        print("FAIL:", what, flush=True)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Server:
    """One `authgate serve` with the REST API on; its REST port read from its log."""

    def __init__(self, work, pki, extra=(), identity=None):
        self.work, self.pki = work, pki
        self.port = free_port()
        self.tls_port = free_port()
        self.log = os.path.join(work, "authgate.log")
        open(self.log, "w").close()
        pw = os.path.join(work, "admin.pw")
        with open(pw, "w") as f:
            f.write(ADMIN_PASSWORD + "\n")
        key = pki.path("server")[:-4] + ".key"
        if identity is None:
            identity = ["--rest-cert-file", pki.path("server"), "--rest-key-file", key,
                        "--tls-cert-file", pki.path("server"), "--tls-key-file", key]
        args = [AUTHGATE, "serve", "--port", str(self.port), "--dir", os.path.join(work, "data"),
                "--logfile", self.log, "--rest-port", "auto",
                "--rest-admin-user", ADMIN, "--rest-admin-password-file", pw, "--rest-bcrypt-cost", "4",
                # The database's TLS listener: its own CA file names another CA; the client CA
                # reaches it only as the REST API's mtls_trusted_ca.
                "--tls-port", str(self.tls_port), *identity, "--tls-ca-cert-file", pki.path("other_ca"),
                "--tls-auth-clients", "optional", *extra]
        os.makedirs(os.path.join(work, "data"), exist_ok=True)
        self.proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.rest_port = self._wait_for(r"REST API ready on https://127\.0\.0\.1:(\d+)")
        self._wait_for(r"Ready to accept connections")

    def _wait_for(self, pattern):
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with open(self.log, encoding="utf-8", errors="replace") as f:
                m = re.search(pattern, f.read())
            if m:
                return int(m.group(1)) if m.groups() else True
            if self.proc.poll() is not None:
                raise RuntimeError(f"authgate exited: {self.proc.stderr.read().decode(errors='replace')}")
            time.sleep(0.05)
        raise RuntimeError(f"no '{pattern}' in the log")

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=20)

    def url(self, path):
        return f"https://127.0.0.1:{self.rest_port}{path}"

    def request(self, method, path, body=None, auth=(ADMIN, ADMIN_PASSWORD), cert=None, raw=None):
        """(status, parsed JSON or None, headers) over Python's TLS client."""
        ctx = ssl.create_default_context(cafile=self.pki.path("server_ca"))
        if cert:
            ctx.load_cert_chain(self.pki.path(cert), self.pki.path(cert)[:-4] + ".key")
        conn = http.client.HTTPSConnection("127.0.0.1", self.rest_port, context=ctx, timeout=30)
        headers = {"Content-Type": "application/json"}
        if auth:
            headers["Authorization"] = "Basic " + base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        conn.request(method, path, body=data, headers=headers)
        r = conn.getresponse()
        text = r.read()
        conn.close()
        return r.status, (json.loads(text) if text else None), dict(r.getheaders())

    def cli(self, *args, user=(ADMIN, ADMIN_PASSWORD)):
        cmd = ["redis-cli", "-p", str(self.port)]
        if user:
            cmd += ["--user", user[0], "--pass", user[1], "--no-auth-warning"]
        p = subprocess.run(cmd + list(args), capture_output=True, timeout=30)
        return p.stdout.decode(errors="replace").strip()


    def tls_cli(self, *args):
        """The seed's redis-cli command line (with the client certificate as it names the files)."""
        d = self.pki.dir
        cmd = ["redis-cli", "-h", "127.0.0.1", "-p", str(self.tls_port), "--tls", "--cacert", self.pki.path("server_ca"),
               "--cert", os.path.join(d, "redis_user.crt"), "--key", os.path.join(d, "redis_user_private.key")]
        p = subprocess.run(cmd + list(args), capture_output=True, timeout=30)
        return p.stdout.decode(errors="replace").strip()

    def tls_connection(self, cert):
        """An open TLS connection to the database with a client certificate."""
        ctx = ssl.create_default_context(cafile=self.pki.path("server_ca"))
        ctx.load_cert_chain(self.pki.path(cert), self.pki.path(cert)[:-4] + ".key")
        raw = socket.create_connection(("127.0.0.1", self.tls_port), timeout=10)
        return ctx.wrap_socket(raw, server_hostname="localhost")


def curl(*args):
    p = subprocess.run(["curl", "--silent", "--show-error", "--write-out", "\n%{http_code}", *args],
                       capture_output=True, timeout=60)
    out = p.stdout.decode(errors="replace")
    body, _, code = out.rpartition("\n")
    return p.returncode, int(code or 0), body


def expect_error(result, status, code, what):
    got_status, body, _ = result
    check(got_status == status, f"{what}: status {got_status}, expected {status} ({body})")
    check(isinstance(body, dict) and body.get("error_code") == code and isinstance(body.get("message"), str),
          f"{what}: body {body}, expected error_code {code} with a message")


def make_pki(d):
    pki = Pki(d)
    pki.root("server_ca", "/CN=authgate test server CA")
    pki.leaf("server", "/CN=localhost", "DNS:localhost,IP:127.0.0.1", pki.path("server_ca"), eku="serverAuth")
    pki.root("ca", "/C=US/O=Test CA Org/CN=Test Root CA")
    pki.leaf("client", CLIENT_SUBJ, "DNS:app1.example.com", pki.path("ca"))
    # The seed's file names for the database client's certificate and key.
    for src, dst in [("client.pem", "redis_user.crt"), ("client.key", "redis_user_private.key")]:
        with open(os.path.join(d, src), "rb") as f, open(os.path.join(d, dst), "wb") as g:
            g.write(f.read())
    pki.leaf("stranger", "/C=US/O=Acme Corp/CN=stranger", "", pki.path("ca"))
    pki.root("other_ca", "/CN=Other CA")
    pki.leaf("foreign", CLIENT_SUBJ, "", pki.path("other_ca"))
    pki.leaf("expired", "/CN=old", "", pki.path("ca"), dates=("20200101000000Z", "20210101000000Z"))
    return pki


def seed_workflow(s, pki):
    """Steps 1-3 of the seed with curl, then curl --cert to the REST API."""
    base = ["--cacert", pki.path("server_ca"), "--user", f"{ADMIN}:{ADMIN_PASSWORD}",
            "--header", "Content-Type: application/json"]
    with open(pki.path("ca")) as f:
        ca_pem = f.read()
    # Before step 1, certificate authentication cannot be turned on (the CA is a prerequisite).
    rc, code, body = curl(*base, "--request", "PUT", "--url", s.url("/v1/cluster"),
                          "--data", json.dumps({"mtls_certificate_authentication": True}))
    check(code == 400 and json.loads(body)["error_code"] == "invalid_param", f"mTLS before the CA: {code} {body}")
    check(s.tls_cli("PING") == "", "before step 1 the TLS listener refuses the client certificate")
    step1 = {"certificates": [{"name": "mtls_trusted_ca", "certificate": ca_pem}]}
    rc, code, body = curl(*base, "--request", "PUT", "--url", s.url("/v1/cluster/certificates"), "--data", json.dumps(step1))
    check((rc, code, body) == (0, 200, ""), f"seed step 1: {rc} {code} {body}")
    step2 = '{\n  "mtls_certificate_authentication": true,\n  "mtls_client_cert_subject_validation_type": "disabled"\n}'
    rc, code, body = curl(*base, "--request", "PUT", "--url", s.url("/v1/cluster"), "--data", step2)
    check(rc == 0 and code == 200, f"seed step 2: {rc} {code} {body}")
    cluster = json.loads(body)
    check(cluster.get("mtls_certificate_authentication") is True
          and cluster.get("mtls_client_cert_subject_validation_type") == "disabled", f"step 2 reply {cluster}")
    step3 = '{\n  "auth_method": "certificate",\n  "certificate_subject_line": "%s"\n}' % SEED_SUBJECT_LINE
    rc, code, body = curl(*base, "--request", "POST", "--url", s.url("/v1/users"), "--data", step3)
    check(rc == 0 and code == 200, f"seed step 3: {rc} {code} {body}")
    user = json.loads(body)
    for k, v in [("name", "redis_user"), ("auth_method", "certificate"), ("role", "db_viewer"),
                 ("email_alerts", True), ("status", "active"), ("certificate_subject_line", SEED_SUBJECT_LINE)]:
        check(user.get(k) == v, f"step 3 reply: {k} is {user.get(k)!r}, expected {v!r}")
    check(isinstance(user.get("uid"), int) and "password" not in user, f"step 3 reply {user}")
    # The seed's redis-cli: the certificate logs in as the certificate user, no password.
    s.cli("SET", "seed:k", "seed-value")
    check(s.tls_cli("GET", "seed:k") == "seed-value", "redis-cli --tls --cert as redis_user reads (Read Only)")
    check(s.tls_cli("SET", "seed:k", "x").startswith("NOPERM"), "redis-cli --tls --cert is redis_user, not default")
    conn = s.tls_connection("client")
    conn.sendall(b"*1\r\n$4\r\nPING\r\n")
    check(conn.recv(100).startswith(b"-NOPERM"), "a TLS session as redis_user")
    clients = s.cli("CLIENT", "LIST")
    check(any("user=redis_user" in l for l in clients.split("\n")), f"CLIENT LIST shows redis_user: {clients}")
    conn.close()
    # The seed's REST request with the client certificate (and the server's CA to trust).
    cert_args = ["--cacert", pki.path("server_ca"), "--cert", pki.path("client"), "--key", pki.path("client")[:-4] + ".key"]
    rc, code, body = curl("--request", "GET", "--url", s.url("/v1/cluster"), *cert_args)
    check(rc == 0 and code == 200 and json.loads(body)["mtls_certificate_authentication"] is True,
          f"curl --cert GET /v1/cluster: {rc} {code} {body}")
    rc, code, body = curl("--request", "GET", "--url", s.url(f"/v1/users/{user['uid']}"), *cert_args)
    check(code == 200 and json.loads(body)["name"] == "redis_user", f"curl --cert GET own user: {code} {body}")
    rc, code, body = curl("--request", "GET", "--url", s.url("/v1/users"), *cert_args)
    check(code == 403 and json.loads(body)["error_code"] == "forbidden", f"db_viewer lists users: {code} {body}")
    # A certificate that chains to another CA fails the handshake; one from the trusted CA
    # that no certificate user has is a 401.
    rc, code, body = curl("--request", "GET", "--url", s.url("/v1/cluster"), "--cacert", pki.path("server_ca"),
                          "--cert", pki.path("foreign"), "--key", pki.path("foreign")[:-4] + ".key")
    check(rc != 0 and code == 0, f"foreign CA: curl {rc} {code} {body}")
    rc, code, body = curl("--request", "GET", "--url", s.url("/v1/cluster"), "--cacert", pki.path("server_ca"),
                          "--cert", pki.path("stranger"), "--key", pki.path("stranger")[:-4] + ".key")
    check(code == 401 and "stranger" in json.loads(body)["message"], f"no such certificate user: {code} {body}")
    return user


def acl_users(s, cert_user):
    """The REST users as ACL users: a certificate user has no password, a regular one its own."""
    line = next((l for l in s.cli("ACL", "LIST").split("\n") if l.startswith("user redis_user ")), "")
    check(line.startswith("user redis_user on ") and "#" not in line and ">" not in line and "nopass" not in line,
          f"the certificate user is on, with no password: {line!r}")
    check(line.endswith(" ~* resetchannels -@all +@read"), f"db_viewer = Read Only (+@read ~*): {line!r}")
    out = s.cli("AUTH", "redis_user", "anything", user=None)
    check(out.startswith("WRONGPASS"), f"AUTH as the certificate user: {out}")
    st, u, _ = s.request("POST", "/v1/users", {"email": "dev@example.com", "name": "dev", "password": "dev-pw",
                                               "role": "db_member"})
    check(st == 200 and u["role"] == "db_member" and u["auth_method"] == "regular"
          and "password_issue_date" in u, f"create regular user: {st} {u}")
    check(s.cli("SET", "k", "v", user=("dev", "dev-pw")) == "OK", "db_member (Not Dangerous) may SET")
    check(s.cli("FLUSHALL", user=("dev", "dev-pw")).startswith("NOPERM"), "db_member may not FLUSHALL")
    check(s.cli("ACL", "WHOAMI", user=("dev", "dev-pw")) == "dev", "ACL WHOAMI as dev")
    st, _, _ = s.request("GET", "/v1/cluster", auth=("dev@example.com", "dev-pw"))
    check(st == 200, f"basic auth by email: {st}")
    st, _, _ = s.request("GET", "/v1/cluster", auth=("dev", "dev-pw"))
    check(st == 200, f"basic auth by name: {st}")
    # A new role granted a new Redis ACL in the database: its user gets exactly that.
    st, acl, _ = s.request("POST", "/v1/redis_acls", {"name": "App reader", "acl": "~app:* +get"})
    check(st == 200 and acl["uid"] >= 4, f"create redis_acl: {st} {acl}")
    st, role, _ = s.request("POST", "/v1/roles", {"name": "Mapper", "management": "db_viewer"})
    check(st == 200 and role["management"] == "db_viewer", f"create role: {st} {role}")
    st, bdb, _ = s.request("GET", "/v1/bdbs/1")
    perms = bdb["roles_permissions"] + [{"role_uid": role["uid"], "redis_acl_uid": acl["uid"]}]
    st, bdb, _ = s.request("PUT", "/v1/bdbs/1", {"roles_permissions": perms})
    check(st == 200 and bdb["roles_permissions"] == perms, f"PUT roles_permissions: {st} {bdb}")
    st, u2, _ = s.request("PUT", f"/v1/users/{u['uid']}", {"role_uids": [role["uid"]]})
    check(st == 200 and u2["role_uids"] == [role["uid"]], f"give dev the role: {st} {u2}")
    check(s.cli("SET", "app:k", "v", user=("dev", "dev-pw")).startswith("NOPERM"), "dev lost SET with the new role")
    check(s.cli("GET", "k", user=("dev", "dev-pw")).startswith("NOPERM"), "dev may not read outside app:*")
    check(s.cli("GET", "app:k", user=("dev", "dev-pw")) == "", "dev may GET app:*")
    st, _, _ = s.request("PUT", f"/v1/redis_acls/{acl['uid']}", {"acl": "~app:* +get +set"})
    check(st == 200 and s.cli("SET", "app:k", "v", user=("dev", "dev-pw")) == "OK", "changed Redis ACL applies at once")
    return u


def status_codes(s, cert_user, dev):
    """Every endpoint's status codes and error bodies."""
    expect_error(s.request("GET", "/v1/users", auth=None), 401, "unauthorized", "no credentials")
    st, _, headers = s.request("GET", "/v1/users", auth=None)
    check({k.lower(): v for k, v in headers.items()}.get("www-authenticate", "").startswith("Basic"), f"401 WWW-Authenticate: {headers}")
    expect_error(s.request("GET", "/v1/users", auth=(ADMIN, "wrong")), 401, "unauthorized", "wrong password")
    expect_error(s.request("GET", "/v1/users", auth=("nobody", "x")), 401, "unauthorized", "unknown login")
    expect_error(s.request("GET", "/v1/users", auth=("dev", "dev-pw")), 403, "forbidden", "db_member lists users")
    expect_error(s.request("GET", "/v1/nothing"), 404, "not_found", "unknown path")
    expect_error(s.request("PATCH", "/v1/users"), 405, "method_not_allowed", "wrong method")
    st, users, _ = s.request("GET", "/v1/users")
    check(st == 200 and {u["name"] for u in users} >= {ADMIN, "redis_user", "dev"}, f"GET /v1/users {users}")
    check(all("password" not in u and "password_bcrypt" not in u and "password_sha256" not in u for u in users),
          "no password or hash is shown")
    expect_error(s.request("GET", "/v1/users/999"), 404, "not_found", "GET missing user")
    expect_error(s.request("GET", "/v1/users/abc"), 404, "not_found", "GET non-numeric uid")
    expect_error(s.request("PUT", "/v1/users/999", {"name": "x"}), 404, "not_found", "PUT missing user")
    expect_error(s.request("DELETE", "/v1/users/999"), 404, "not_found", "DELETE missing user")
    expect_error(s.request("POST", "/v1/users", {"email": "p@example.com"}), 400, "missing_field", "no password")
    expect_error(s.request("POST", "/v1/users", {"auth_method": "certificate"}), 400, "missing_field", "no subject line")
    expect_error(s.request("POST", "/v1/users", {"email": "dev@example.com", "name": "dev2", "password": "x"}),
                 409, "email_already_exists", "duplicate email")
    expect_error(s.request("POST", "/v1/users", {"email": "d3@example.com", "name": "dev", "password": "x"}),
                 409, "name_already_exists", "duplicate name")
    expect_error(s.request("POST", "/v1/users", {"email": "d4@example.com", "name": "default", "password": "x"}),
                 409, "name_already_exists", "name default")
    expect_error(s.request("POST", "/v1/users", {"auth_method": "certificate", "certificate_subject_line": SEED_SUBJECT_LINE,
                                                 "name": "twin"}), 409, "subject_line_already_exists", "same subject line")
    expect_error(s.request("POST", "/v1/users", {"email": "r@example.com", "password": "x", "role": "king"}),
                 400, "invalid_schema", "unknown role")
    expect_error(s.request("POST", "/v1/users", {"email": "r@example.com", "password": "x", "colour": "red"}),
                 400, "invalid_schema", "unknown field")
    expect_error(s.request("POST", "/v1/users", raw=b"{not json"), 400, "invalid_schema", "invalid JSON")
    expect_error(s.request("POST", "/v1/users", {"email": "r@example.com", "password": "x", "name": "a b"}),
                 400, "invalid_param", "name with a space")
    expect_error(s.request("POST", "/v1/users", {"auth_method": "certificate", "certificate_subject_line": "CN=a,,O=b"}),
                 400, "invalid_param", "subject line that is no DN")
    expect_error(s.request("POST", "/v1/users", {"auth_method": "certificate", "certificate_subject_line": "cn=abc"}),
                 400, "invalid_param", "subject line not as openssl prints it")
    expect_error(s.request("POST", "/v1/users", {"auth_method": "certificate", "password": "x",
                                                 "certificate_subject_line": "CN=x"}), 400, "invalid_param", "cert user with password")
    expect_error(s.request("POST", "/v1/users", {"email": "r@example.com", "password": "x", "role_uids": [99]}),
                 400, "invalid_param", "missing role uid")
    expect_error(s.request("POST", "/v1/users", {"email": "r@example.com", "password": "x" * 73}),
                 400, "invalid_param", "password over 72 bytes")
    # Admin protections.
    st, me, _ = s.request("GET", "/v1/users/1")
    check(st == 200 and me["name"] == ADMIN and me["role"] == "admin", f"the configured admin is uid 1: {me}")
    expect_error(s.request("DELETE", "/v1/users/1"), 406, "delete_last_admin_not_allowed", "delete the last admin")
    expect_error(s.request("PUT", "/v1/users/1", {"role": "db_viewer"}), 406, "change_last_admin_role_not_allowed",
                 "demote the last admin")
    # A user changes its own password, not its role.
    expect_error(s.request("PUT", f"/v1/users/{dev['uid']}", {"role": "admin"}, auth=("dev", "dev-pw")),
                 403, "forbidden", "self-promotion")
    st, _, _ = s.request("PUT", f"/v1/users/{dev['uid']}", {"password": "dev-pw2"}, auth=("dev", "dev-pw"))
    check(st == 200 and s.cli("PING", user=("dev", "dev-pw2")).startswith("NOPERM"), "own password change reaches AUTH")
    check(s.cli("AUTH", "dev", "dev-pw", user=None).startswith("WRONGPASS"), "the old password no longer works")
    # Roles and Redis ACLs.
    st, roles, _ = s.request("GET", "/v1/roles")
    check(st == 200 and [r["management"] for r in roles[:6]] ==
          ["admin", "cluster_member", "cluster_viewer", "db_member", "db_viewer", "none"], f"roles {roles}")
    expect_error(s.request("PUT", "/v1/roles/1", {"name": "x"}), 409, "read_only_object", "change a built-in role")
    expect_error(s.request("GET", "/v1/roles/99"), 404, "not_found", "missing role")
    expect_error(s.request("POST", "/v1/roles", {"name": "Admin", "management": "admin"}), 409, "name_already_exists", "role name")
    expect_error(s.request("POST", "/v1/roles", {"name": "X"}), 400, "missing_field", "role without management")
    st, acls, _ = s.request("GET", "/v1/redis_acls")
    check(st == 200 and acls[:3] == [{"uid": 1, "name": "Full Access", "acl": "+@all ~*"},
                                     {"uid": 2, "name": "Read Only", "acl": "+@read ~*"},
                                     {"uid": 3, "name": "Not Dangerous", "acl": "+@all -@dangerous ~*"}], f"acls {acls}")
    expect_error(s.request("POST", "/v1/redis_acls", {"name": "Bad", "acl": "+@nosuch"}), 400, "invalid_param", "bad rule")
    expect_error(s.request("PUT", "/v1/redis_acls/1", {"acl": "+@read"}), 409, "read_only_object", "change Full Access")
    expect_error(s.request("DELETE", "/v1/redis_acls/2"), 409, "read_only_object", "delete Read Only")
    expect_error(s.request("GET", "/v1/redis_acls/99"), 404, "not_found", "missing redis_acl")
    # Cluster and certificates.
    expect_error(s.request("PUT", "/v1/cluster", {"mtls_client_cert_subject_validation_type": "everything"}),
                 400, "invalid_param", "unknown validation type")
    expect_error(s.request("PUT", "/v1/cluster", {"mtls_client_cert_subject_validation_type": "san_cn"}),
                 400, "invalid_param", "san_cn without subjects")
    expect_error(s.request("PUT", "/v1/cluster/certificates", {"certificates": [{"name": "mtls_trusted_ca",
                                                                                  "certificate": "nope"}]}),
                 400, "invalid_certificate", "not a certificate")
    expect_error(s.request("PUT", "/v1/cluster/certificates", {"certificates": [{"name": "proxy", "certificate": "x"}]}),
                 403, "unknown_certificate", "unknown certificate name")
    with open(s.pki.path("expired")) as f:
        expired = f.read()
    expect_error(s.request("PUT", "/v1/cluster/certificates", {"certificates": [{"name": "mtls_trusted_ca",
                                                                                  "certificate": expired}]}),
                 406, "expired_certificate", "expired certificate")
    expect_error(s.request("DELETE", "/v1/cluster/certificates/mtls_trusted_ca"), 403, "required_certificate",
                 "delete the CA while mTLS is on")
    expect_error(s.request("DELETE", "/v1/cluster/certificates/api"), 404, "unknown_certificate", "delete unknown cert")
    st, certs, _ = s.request("GET", "/v1/cluster/certificates")
    check(st == 200 and certs["mtls_trusted_ca"].startswith("-----BEGIN CERTIFICATE-----"), f"GET certificates {certs}")
    st, _, _ = s.request("PUT", "/v1/cluster?dry_run", {"name": "dry"})
    check(st == 200 and s.request("GET", "/v1/cluster")[1]["name"] == "authgate", "dry_run changes nothing")
    big = b'{"name": "' + b"x" * (1024 * 1024 + 10) + b'"}'
    expect_error(s.request("PUT", "/v1/cluster", raw=big), 413, "request_too_large", "body over 1 MiB")


def subject_validation(s):
    """mtls_client_cert_subject_validation_type san_cn / full_subject gate certificate logins."""
    cert = "client"
    st, _, _ = s.request("PUT", "/v1/cluster", {"mtls_client_cert_subject_validation_type": "san_cn",
                                                "mtls_authorized_subjects": [{"CN": "someone-else"}]})
    check(st == 200, "san_cn on")
    expect_error(s.request("GET", "/v1/cluster", auth=None, cert=cert), 401, "unauthorized", "san_cn not listed")
    st, _, _ = s.request("PUT", "/v1/cluster", {"mtls_authorized_subjects": [{"CN": "app1.example.com"}]})
    check(st == 200 and s.request("GET", "/v1/cluster", auth=None, cert=cert)[0] == 200, "san_cn by SAN DNS")
    st, _, _ = s.request("PUT", "/v1/cluster", {"mtls_client_cert_subject_validation_type": "full_subject",
                                                "mtls_authorized_subjects": [{"CN": "redis_user", "OU": ["Engineering"],
                                                                              "O": "Acme Corp", "C": "US"}]})
    check(st == 200 and s.request("GET", "/v1/cluster", auth=None, cert=cert)[0] == 200, "full_subject match")
    st, _, _ = s.request("PUT", "/v1/cluster", {"mtls_authorized_subjects": [{"CN": "redis_user", "O": "Other"}]})
    expect_error(s.request("GET", "/v1/cluster", auth=None, cert=cert), 401, "unauthorized", "full_subject O differs")
    st, _, _ = s.request("PUT", "/v1/cluster", {"mtls_client_cert_subject_validation_type": "disabled"})
    check(st == 200 and s.request("GET", "/v1/cluster", auth=None, cert=cert)[0] == 200, "validation disabled again")


def deleted_users_are_disconnected(s, dev):
    """DELETE /v1/users/<uid> closes the user's open connections at once."""
    conn = socket.create_connection(("127.0.0.1", s.port), timeout=10)
    conn.sendall(b"*3\r\n$4\r\nAUTH\r\n$3\r\ndev\r\n$7\r\ndev-pw2\r\n")
    check(conn.recv(100) == b"+OK\r\n", "dev's connection authenticated")
    st, _, _ = s.request("DELETE", f"/v1/users/{dev['uid']}")
    check(st == 200, f"DELETE dev: {st}")
    conn.settimeout(10)
    try:
        data = conn.recv(100)
    except (ConnectionResetError, socket.timeout) as e:
        data = e
    check(data == b"" or isinstance(data, ConnectionResetError), f"dev's connection after DELETE: {data!r}")
    conn.close()
    check(s.cli("ACL", "GETUSER", "dev") == "", "the ACL user is gone")
    expect_error(s.request("GET", f"/v1/users/{dev['uid']}"), 404, "not_found", "GET the deleted user")


def revoked_certificate_users_are_disconnected(s, cert_user):
    """DELETE of a certificate user closes its TLS sessions; its certificate then logs in as
    default, and the REST API no longer accepts it."""
    conn = s.tls_connection("client")
    conn.sendall(b"*2\r\n$3\r\nGET\r\n$6\r\nseed:k\r\n")
    check(conn.recv(100) == b"$10\r\nseed-value\r\n", "the certificate user's TLS session reads")
    st, _, _ = s.request("DELETE", f"/v1/users/{cert_user['uid']}")
    check(st == 200, f"DELETE the certificate user: {st}")
    try:
        data = conn.recv(100)
    except (ConnectionResetError, ssl.SSLError, socket.timeout) as e:
        data = e
    check(data == b"" or isinstance(data, (ConnectionResetError, ssl.SSLError)), f"after DELETE: {data!r}")
    conn.close()
    check(s.cli("ACL", "GETUSER", "redis_user") == "", "the certificate user's ACL user is gone")
    check(s.tls_cli("ACL", "WHOAMI") == "default", "the revoked certificate logs in as default")
    expect_error(s.request("GET", "/v1/cluster", auth=None, cert="client"), 401, "unauthorized", "revoked REST login")
    # Back again, for the restart.
    body = {"auth_method": "certificate", "certificate_subject_line": SEED_SUBJECT_LINE}
    st, again, _ = s.request("POST", "/v1/users", body)
    check(st == 200 and s.tls_cli("GET", "seed:k") == "seed-value", f"certificate user created again: {st} {again}")
    return again


def restart_keeps_everything(work, pki, s):
    st, before, _ = s.request("GET", "/v1/users")
    st, cluster_before, _ = s.request("GET", "/v1/cluster")
    s.stop()
    state = os.path.join(work, "data", "authgate-rest.json")
    check(stat.S_IMODE(os.stat(state).st_mode) == 0o600, "the state file is mode 0600")
    with open(state) as f:
        text = f.read()
    check("dev-pw" not in text and ADMIN_PASSWORD not in text, "no plaintext password in the state file")
    s2 = Server(work, pki)
    try:
        st, after, _ = s2.request("GET", "/v1/users")
        check(after == before, f"users after restart: {after} vs {before}")
        check(s2.request("GET", "/v1/cluster")[1] == cluster_before, "cluster settings after restart")
        acl_list = s2.cli("ACL", "LIST")
        check("user redis_user on sanitize-payload ~* resetchannels -@all +@read" in acl_list, f"the certificate user after restart: {acl_list}")
        rc, code, body = curl("--request", "GET", "--url", s2.url("/v1/cluster"), "--cacert", pki.path("server_ca"),
                              "--cert", pki.path("client"), "--key", pki.path("client")[:-4] + ".key")
        check(code == 200, f"curl --cert after restart: {code} {body}")
        check(s2.tls_cli("GET", "seed:k") == "", "redis-cli --tls --cert logs in as redis_user after restart")
        check(s2.tls_cli("SET", "seed:k", "x").startswith("NOPERM"), "and is still Read Only")
    finally:
        s2.stop()


def encrypted_keys(work, pki):
    """An encrypted PKCS#8 key (openssl pkcs8 -topk8) serves the REST API as it serves the TLS
    listener: through tls-key-file-pass when the REST API reuses the listener's key, through
    rest-key-file-pass for its own; a wrong passphrase stops the start with the listener's text."""
    enc = os.path.join(work, "server-enc.key")
    subprocess.run(["openssl", "pkcs8", "-topk8", "-v2", "aes-256-cbc", "-in", pki.path("server")[:-4] + ".key",
                    "-out", enc, "-passout", "pass:s3cret"], check=True, capture_output=True)
    with open(enc) as f:
        check(f.read().startswith("-----BEGIN ENCRYPTED PRIVATE KEY-----"), "openssl wrote an encrypted PKCS#8 key")
    cert = pki.path("server")
    variants = {
        "the listener's key with tls-key-file-pass":
            ["--tls-cert-file", cert, "--tls-key-file", enc, "--tls-key-file-pass", "s3cret"],
        "rest-key-file with rest-key-file-pass":
            ["--rest-cert-file", cert, "--rest-key-file", enc, "--rest-key-file-pass", "s3cret",
             "--tls-cert-file", cert, "--tls-key-file", pki.path("server")[:-4] + ".key"],
    }
    for what, identity in variants.items():
        d = os.path.join(work, "enc-" + str(len(what)))
        os.makedirs(d)
        s = Server(d, pki, identity=identity)
        try:
            rc, code, body = curl("--request", "GET", "--url", s.url("/v1/cluster"), "--cacert", pki.path("server_ca"),
                                  "--user", f"{ADMIN}:{ADMIN_PASSWORD}")
            check(code == 200, f"{what}: curl reaches the REST API ({rc} {code} {body})")
        finally:
            s.stop()
    d = os.path.join(work, "enc-wrong")
    os.makedirs(d)
    try:
        Server(d, pki, identity=["--rest-cert-file", cert, "--rest-key-file", enc, "--rest-key-file-pass", "wrong",
                                 "--tls-cert-file", cert, "--tls-key-file", pki.path("server")[:-4] + ".key"]).stop()
        check(False, "a wrong rest-key-file-pass must stop the start")
    except RuntimeError as e:
        check(f"REST API: Failed to load private key: {enc}: bad decrypt" in str(e), f"wrong passphrase: {e}")


def main():
    start = time.monotonic()
    with tempfile.TemporaryDirectory() as work:
        pki = make_pki(work)
        s = Server(work, pki)
        try:
            cert_user = seed_workflow(s, pki)
            dev = acl_users(s, cert_user)
            status_codes(s, cert_user, dev)
            subject_validation(s)
            deleted_users_are_disconnected(s, dev)
            revoked_certificate_users_are_disconnected(s, cert_user)
        except BaseException:
            s.stop()
            raise
        restart_keeps_everything(work, pki, s)
        encrypted_keys(work, pki)
    elapsed = time.monotonic() - start
    check(elapsed < BUDGET_SECONDS, f"took {elapsed:.0f} s, budget {BUDGET_SECONDS} s")
    if FAILURES:
        print(f"test-rest: {len(FAILURES)} failures")
        sys.exit(1)
    print(f"test-rest: all passed in {elapsed:.1f} s")


if __name__ == "__main__":
    main()
