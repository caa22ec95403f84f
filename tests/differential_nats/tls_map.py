#!/usr/bin/env python3
"""`tls { verify_and_map: true }`: nats-server 2.9.10 vs `authgate nats auth --cert`.

Client certificates are made now with openssl (tests/cert/pki.py), each with a different way of
naming its holder: SAN emails, DNS names, URIs, a subject with DCs, a multi-valued RDN, repeated
CNs, escaped characters, an emailAddress attribute, no subject at all. Each generated config
(seeded) lists users whose names are some of the strings nats-server might map a certificate to
(the SAN values, the subject as a DN in RFC 2253 order, in certificate order, with other spacing
or attribute-type case, with its RDNs shuffled, and near misses), some with a password, some
allowed only on websocket connections, each with a publish permission of its own.

For every certificate and config, nats-server (started with that config, TLS and the test CA)
is asked over a raw TLS connection: CONNECT with no credentials, with a configured password,
and with a CONNECT user naming a configured user; then a PUB to the subject one user may
publish to. The accepted user comes from /connz?auth=true. nats-py logs in once per
certificate with no credentials as a witness. `authgate nats auth main.conf --cert CERT
[--user U] [--password P] --pub S` must give the same verdicts.

Nothing is normalised: the login verdict, the user name, the account and the publish verdict
are compared as they are.

Usage: tls_map.py [--seed N] [--configs K] [--authgate-bin PATH] [-v]
"""
import argparse
import asyncio
import logging
import os
import random
import shutil
import ssl
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "cert"))

from natsserver import NatsServer  # noqa: E402
from pki import Pki  # noqa: E402
from protocol import AUTH_VIOLATION, RawConn  # noqa: E402
from cli import find_authgate_bin  # noqa: E402

# (name, subject RDNs in certificate (DER) order, each RDN a list of (type, value); SAN; openssl
# req flags). The openssl -subj string is built from the RDNs.
CERTS = [
    ("alice", [[("C", "US")], [("O", "Acme")], [("OU", "Eng")], [("CN", "alice")]], "email:alice@example.com", []),
    ("bob", [[("CN", "bob")]], "DNS:bob.example.com,DNS:bob2.example.com", []),
    ("carol", [[("DC", "org")], [("DC", "example")], [("O", "Acme")], [("CN", "carol")]], "", []),
    ("dave", [], "critical,URI:spiffe://example.org/dave", []),
    ("erin", [[("C", "US")], [("O", "Acme"), ("OU", "Ops")], [("CN", "erin")]], "", ["-multivalue-rdn"]),
    ("frank", [[("O", "Acme")], [("CN", "frank")], [("emailAddress", "frank@example.com")]], "", []),
    ("grace", [], "critical,DNS:grace.example.com", []),
    ("heidi", [[("CN", "heidi")], [("CN", "h2")], [("O", "Acme")]], "", []),
    ("ivan", [[("O", "Acme, Inc.")], [("CN", "ivan")]], "URI:https://example.org/ivan", []),
    ("judy", [[("C", "DE")], [("ST", "Berlin")], [("L", "Berlin")], [("street", "Main 1")],
              [("postalCode", "10115")], [("O", "Acme")], [("serialNumber", "42")], [("CN", "judy")]],
     "email:judy@example.com,email:j@example.com", []),
]

# Go's pkix.Name strings nats-server compares last (fixed attribute order, the last CN only,
# attributes outside its table dropped, the DCs appended in certificate order): names only that
# path can match, each counted as the certificate's one DN form.
GO_FORMS = {
    "carol": ["CN=carol,O=Acme,DC=org,DC=example", "CN=carol,O=Acme"],
    "frank": ["CN=frank,O=Acme"],
    "heidi": ["CN=h2,O=Acme"],
    "judy": ["CN=judy,SERIALNUMBER=42,OU=x"],
}

NATS_TYPES = {"street": "STREET", "postalCode": "POSTALCODE", "serialNumber": "SERIALNUMBER"}


def openssl_subj(rdns):
    if not rdns:
        return "/"
    parts = []
    for rdn in rdns:
        # openssl -subj: '/' and '+' (with -multivalue-rdn) are separators, escaped by '\'.
        parts.append("+".join(f"{t}={v.replace('/', chr(92) + '/')}" for t, v in rdn))
    return "/" + "/".join(parts)


def escape(v):
    out = "".join("\\" + c if c in ',+"\\<>;' else c for c in v)
    if out.startswith((" ", "#")):
        out = "\\" + out
    return out


def render(rdns, sep=",", lower=False):
    def name(t):
        n = NATS_TYPES.get(t, t)
        return n.lower() if lower else n
    return sep.join("+".join(f"{name(t)}={escape(v)}" for t, v in rdn) for rdn in rdns)


def candidates(spec, rng):
    """The strings a config may name this certificate's holder with: its SAN values, and one
    DN form (equal, reordered, a subset of its RDNs, or a near miss). One DN form only:
    nats-server picks among several DN-matching users from a Go map, at random, so a config
    with two would have no single right answer."""
    _, rdns, san, _ = spec
    sans = [item.split(":", 1)[1] for item in san.replace("critical,", "").split(",") if ":" in item]
    if not rdns:
        return sans, []
    rfc = list(reversed(rdns))
    shuffled = rfc[:]
    rng.shuffle(shuffled)
    miss = [list(r) for r in rfc]
    t, v = miss[0][0]
    miss[0][0] = (t, v.upper() if v != v.upper() else v.lower())
    forms = [render(rfc), render(rdns), render(rfc, sep=", "), render(rfc, lower=True), render(shuffled),
             render(miss), render(rfc[:-1]) if len(rfc) > 1 else render(rfc) + ",O=Other",
             render(rfc[1:]) if len(rfc) > 1 else "CN=x," + render(rfc)] + GO_FORMS.get(spec[0], [])
    return sans, forms


def make_pki(d):
    pki = Pki(d)
    ca = pki.root("ca", "/CN=authgate nats test CA")
    pki.leaf("server", "/CN=localhost", "DNS:localhost,IP:127.0.0.1", ca, eku="serverAuth")
    for name, rdns, san, flags in CERTS:
        pki.leaf(name, openssl_subj(rdns), san, ca, req_flags=flags)
    return pki


def go_string(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def make_config(seed, pki):
    rng = random.Random(seed)
    pool = []
    for spec in CERTS:
        sans, forms = candidates(spec, rng)
        pool.extend(rng.sample(sans, rng.randint(0, len(sans))))
        if forms and rng.random() < 0.8:
            pool.append(rng.choice(forms))
    pool += ["nobody", "CN=nobody"]
    seen, users = set(), []
    for i, n in enumerate(pool):
        if n in seen:
            continue
        seen.add(n)
        u = {"user": n, "pub": f"u{i}.>"}
        r = rng.random()
        if r < 0.25:
            u["password"] = f"pw{i}"
        elif r < 0.4:
            u["types"] = ["WEBSOCKET"]
        users.append(u)
    rng.shuffle(users)
    lines = ["tls {", f"  cert_file: {go_string(pki.path('server'))}",
             f"  key_file: {go_string(pki.path('server')[:-4] + '.key')}",
             f"  ca_file: {go_string(pki.path('ca'))}", "  verify_and_map: true", "}",
             "authorization {", "  users = ["]
    for u in users:
        fields = [f"user: {go_string(u['user'])}"]
        if "password" in u:
            fields.append(f"password: {go_string(u['password'])}")
        if "types" in u:
            fields.append("allowed_connection_types: [" + ", ".join(go_string(t) for t in u["types"]) + "]")
        fields.append(f"permissions: {{ publish: {{ allow: [{go_string(u['pub'])}] }} }}")
        lines.append("    { " + ", ".join(fields) + " }")
    lines += ["  ]", "}"]
    return "\n".join(lines) + "\n", users


def logins_for(users, rng):
    """CONNECT variants: nothing; a configured password; a CONNECT user naming a user."""
    out = [{"user": None, "password": None}]
    with_pw = [u for u in users if "password" in u]
    if with_pw:
        out.append({"user": None, "password": rng.choice(with_pw)["password"]})
    out.append({"user": rng.choice(users)["user"], "password": None})
    return out


def client_context(pki, name):
    ctx = ssl.create_default_context(cafile=pki.path("ca"))
    ctx.load_cert_chain(pki.path(name), pki.path(name)[:-4] + ".key")
    return ctx


class TlsConn(RawConn):
    """RawConn whose connection turns TLS after INFO, as nats-server 2.9 expects."""

    def __init__(self, port, name, ctx):
        super().__init__(port, name)
        self.ctx = ctx

    def login(self, user=None, password=None, token=None):
        import json
        import socket
        raw = socket.create_connection(("127.0.0.1", self.port), timeout=10)
        raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        line = b""
        while not line.endswith(b"\n"):  # byte by byte: nothing of the handshake is read here
            b = raw.recv(1)
            if not b:
                return "connection closed before INFO"
            line += b
        self.info = json.loads(line[5:])
        self.sock = self.ctx.wrap_socket(raw, server_hostname="localhost")
        self.file = self.sock.makefile("rb")
        connect = {"verbose": False, "pedantic": False, "echo": False, "name": self.name, "lang": "raw",
                   "version": "0", "protocol": 1, "tls_required": True}
        if user is not None:
            connect["user"] = user
        if password is not None:
            connect["pass"] = password
        errors = self._ping(b"CONNECT " + json.dumps(connect).encode() + b"\r\n")
        if errors is None:
            return "connection closed without a reply"
        return errors[0] if errors else None


async def nats_py_user(port, ctx):
    """nats-py's login with the certificate and no credentials: 'ok' or the error text."""
    import nats
    # asyncio's SSL transport warns about nats-py's eof_received() on every close: noise.
    logging.getLogger("asyncio").setLevel(logging.ERROR)
    errors = []

    async def on_error(e):
        errors.append(str(e))
    try:
        nc = await nats.connect(f"tls://localhost:{port}", tls=ctx, allow_reconnect=False,
                                max_reconnect_attempts=0, connect_timeout=5, error_cb=on_error)
    except Exception as e:  # nats-py raises its own error types for a refused CONNECT
        return "refused: " + (errors[0] if errors else str(e))
    await nc.close()
    return "ok"


def oracle(seed, pki, workdir, rng):
    text, users = make_config(seed, pki)
    with open(os.path.join(workdir, "main.conf"), "w") as f:
        f.write(text)
    results = []
    with NatsServer(["-c", "main.conf"], workdir) as srv:
        for name, *_ in CERTS:
            ctx = client_context(pki, name)
            for j, login in enumerate(logins_for(users, rng)):
                probe = rng.choice(users)["pub"].replace(">", "x")
                tag = f"{name}-{j}"
                c = TlsConn(srv.port, tag, ctx)
                try:
                    err = c.login(**login)
                    exp = {"ok": err is None, "error": err}
                    if err is None:
                        verdict, _ = c.pub(probe)
                        exp["pub"] = verdict
                        ci = {x.get("name"): x for x in srv.connz()}[tag]
                        exp["user"] = ci.get("authorized_user") or ""
                        exp["account"] = ci.get("account") or "$G"
                finally:
                    c.close()
                results.append((name, login, probe, exp))
            witness = asyncio.run(nats_py_user(srv.port, client_context(pki, name)))
            raw = next(r[3] for r in results if r[0] == name and r[1] == {"user": None, "password": None})
            if (witness == "ok") != raw["ok"]:
                raise RuntimeError(f"seed {seed} {name}: nats-py says {witness!r}, the raw protocol {raw}")
    return text, results


def authgate(bin_path, workdir, pki, name, login, probe):
    argv = [bin_path, "nats", "auth", "main.conf", f"--cert={pki.path(name)}", f"--pub={probe}"]
    if login["user"] is not None:
        argv.append(f"--user={login['user']}")
    if login["password"] is not None:
        argv.append(f"--password={login['password']}")
    p = subprocess.run(argv, cwd=workdir, capture_output=True, timeout=30)
    return p.returncode, (p.stdout + p.stderr).decode("utf-8", "surrogateescape").splitlines()


def expected_lines(exp, probe):
    if not exp["ok"]:
        return 1, [exp["error"]]
    return 0, [f"ok user={exp['user']} account={exp['account']}", f"pub {probe} {exp['pub']}"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--configs", type=int, default=8)
    ap.add_argument("--authgate-bin")
    ap.add_argument("-v", action="store_true")
    args = ap.parse_args()
    bin_path = os.path.abspath(args.authgate_bin or find_authgate_bin())
    print(f"verify_and_map differential: seed {args.seed}, {args.configs} configs, {len(CERTS)} certificates")
    tmp = tempfile.mkdtemp(prefix="authgate-nats-tls-")
    failed = passed = accepted = 0
    by_user = set()
    try:
        os.makedirs(os.path.join(tmp, "pki"))
        pki = make_pki(os.path.join(tmp, "pki"))
        for k in range(args.configs):
            seed = args.seed * 1000 + k
            workdir = os.path.join(tmp, f"case{k}")
            os.makedirs(workdir)
            rng = random.Random(seed + 7)
            text, results = oracle(seed, pki, workdir, rng)
            for name, login, probe, exp in results:
                want = expected_lines(exp, probe)
                got = authgate(bin_path, workdir, pki, name, login, probe)
                if got == want:
                    passed += 1
                    if exp["ok"]:
                        accepted += 1
                        by_user.add((name, exp["user"]))
                    if args.v:
                        print(f"ok   seed {seed} {name} {login}: {want[1]}")
                else:
                    failed += 1
                    print(f"MISMATCH seed {seed} cert {name} login {login}\n  nats-server {want}\n  authgate    {got}")
                    if failed == 1:
                        print("  config:\n" + text)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"{accepted} logins accepted ({len(by_user)} distinct certificate->user mappings), "
          f"{passed - accepted} refused")
    print(f"{passed} passed, {failed} failed")
    # A generator that never maps anything would pass trivially: insist on coverage.
    if accepted < args.configs or len(by_user) < 4:
        print("too few accepted logins: the generator no longer exercises the mapping")
        return 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
