"""etcd with TLS, etcd with user/password auth, and the watch between processes (issue 14,
items 3 and 4), part of `make test-differential-milvus`:

1. TLS: an etcd-server started with --cert-file/--key-file/--trusted-ca-file and
   --client-cert-auth, on certificates made now with openssl. The CLI, the core store
   (the Python binding) and the C API (libauthgate through ctypes: ag_creds_options with the
   etcd location and the TLS files, ag_creds_open) create, verify and list through it with
   the CA and a client certificate; the stored value is read back with etcdctl over TLS; without the CA, with
   another CA, or without a client certificate, the store refuses to open (exit 1) and
   nothing is written.
2. Auth: an etcd-server with `etcdctl user add root` and `auth enable`. With the right etcd
   user and password the store works; a wrong password, or none, is refused.
3. The watch: two long-lived processes (this one and a child, each holding a store on the
   same etcd) and the CLI. A change by one is seen by the other within a second: each wait
   polls the observed state against a deadline, never a bare sleep.

Prints `N passed, M failed`, exits 1 on any failure. Budget: 90 seconds (checked).
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, str(pathlib.Path(__file__).parent))
import oracle  # noqa: E402

import authgate  # noqa: E402

BUDGET_SECONDS = 90
WATCH_DEADLINE = 1.0
passed = 0
failed = 0


def check(ok: bool, what: str) -> None:
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print(f"FAIL {what}", flush=True)


def openssl(*args: str) -> None:
    subprocess.run(["openssl", *args], check=True, capture_output=True, timeout=60)


def make_pki(d: pathlib.Path, name: str) -> dict:
    """A CA, a server certificate for 127.0.0.1 and a client certificate, all EC P-256."""
    p = {k: str(d / f"{name}-{k}.pem") for k in ("ca", "ca-key", "server", "server-key", "client", "client-key")}
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2",
            "-subj", f"/CN=authgate test CA {name}", "-keyout", p["ca-key"], "-out", p["ca"])
    for who, ext in (("server", "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth"),
                     ("client", "extendedKeyUsage=clientAuth")):
        ext_file = d / f"{name}-{who}.ext"
        ext_file.write_text(ext + "\n")
        csr = d / f"{name}-{who}.csr"
        openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj", f"/CN={who}",
                "-keyout", p[f"{who}-key"], "-out", str(csr))
        openssl("x509", "-req", "-in", str(csr), "-CA", p["ca"], "-CAkey", p["ca-key"], "-CAcreateserial",
                "-days", "2", "-extfile", str(ext_file), "-out", p[who])
    return p


@contextlib.contextmanager
def etcd(extra=(), scheme="http"):
    """Yields "127.0.0.1:PORT" of a fresh etcd started with `extra` flags."""
    data = tempfile.mkdtemp(prefix="authgate-etcd-sec-")
    client, peer = oracle.free_port(), oracle.free_port()
    proc = subprocess.Popen(
        ["etcd", "--data-dir", data, "--name", "sec",
         "--listen-client-urls", f"{scheme}://127.0.0.1:{client}",
         "--advertise-client-urls", f"{scheme}://127.0.0.1:{client}",
         "--listen-peer-urls", f"http://127.0.0.1:{peer}",
         "--initial-advertise-peer-urls", f"http://127.0.0.1:{peer}",
         "--initial-cluster", f"sec=http://127.0.0.1:{peer}", *extra],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        oracle.wait_port(client, proc, "etcd")
        yield f"127.0.0.1:{client}"
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        shutil.rmtree(data, ignore_errors=True)


def cli(binary: str, *args: str, stdin: str = "", env=None):
    p = subprocess.run([binary, "milvus", "users", *args], input=stdin.encode(), capture_output=True, timeout=60,
                       env=dict(os.environ, **(env or {})))
    return p.returncode, p.stdout.decode(), p.stderr.decode().strip()


def etcdctl(endpoint: str, *args: str, tls=None, user=None):
    cmd = ["etcdctl", "--endpoints", f"{'https' if tls else 'http'}://{endpoint}"]
    if tls:
        cmd += ["--cacert", tls["ca"], "--cert", tls["client"], "--key", tls["client-key"]]
    if user:
        cmd += ["--user", user]
    p = subprocess.run([*cmd, *args], env=dict(os.environ, ETCDCTL_API="3"), capture_output=True, text=True, timeout=30)
    return p.returncode, p.stdout, p.stderr


def stored_hash(endpoint: str, name: str, root: str, **kw) -> str:
    rc, out, err = etcdctl(endpoint, "get", "--print-value-only", f"{root}/meta/root-coord/credential/users/{name}", **kw)
    return json.loads(out)["encrypted_password"] if rc == 0 and out.strip() else ""


def tls_suite(binary: str, capi: CApi, work: pathlib.Path) -> None:
    pki, other = make_pki(work, "a"), make_pki(work, "b")
    flags = ["--cert-file", pki["server"], "--key-file", pki["server-key"], "--trusted-ca-file", pki["ca"],
             "--client-cert-auth"]
    with etcd(flags, scheme="https") as ep:
        tls = ["--etcd", ep, "--root-path", "tls", "--bcrypt-cost", "4", "--etcd-ca", pki["ca"],
               "--etcd-cert", pki["client"], "--etcd-key", pki["client-key"]]
        rc, _, err = cli(binary, "create", *tls, "alice", stdin="secret1\n")
        check(rc == 0, f"TLS: CLI create ({err})")
        rc, _, err = cli(binary, "verify", *tls, "alice", stdin="secret1\n")
        check(rc == 0, f"TLS: CLI verify ({err})")
        h = stored_hash(ep, "alice", "tls", tls=pki)
        check(h.startswith("$2a$04$"), f"TLS: etcdctl over TLS reads Milvus' JSON with a bcrypt hash ({h!r})")
        store = authgate.CredentialStore(etcd=ep, root_path="tls", bcrypt_cost=4, etcd_ca=pki["ca"],
                                         etcd_cert=pki["client"], etcd_key=pki["client-key"])
        check(store.verify("alice", "secret1"), "TLS: the core store verifies the CLI's user")
        store.create_user("bob", "secret2")
        rc, out, err = cli(binary, "list", *tls)
        check(rc == 0 and out.split() == ["alice", "bob", "root"], f"TLS: CLI lists the store's user ({out!r} {err})")
        del store
        c_tls(capi, ep, pki, other, binary, tls)
        refusals = {
            "no CA (the server's certificate is not trusted)": ["--etcd", ep, "--root-path", "tls",
                                                                "--etcd-cert", pki["client"], "--etcd-key", pki["client-key"]],
            "another CA": ["--etcd", ep, "--root-path", "tls", "--etcd-ca", other["ca"],
                           "--etcd-cert", pki["client"], "--etcd-key", pki["client-key"]],
            "no client certificate (--client-cert-auth)": ["--etcd", ep, "--root-path", "tls", "--etcd-ca", pki["ca"]],
            "a client certificate of another CA": ["--etcd", ep, "--root-path", "tls", "--etcd-ca", pki["ca"],
                                                   "--etcd-cert", other["client"], "--etcd-key", other["client-key"]],
            "plain HTTP to a TLS etcd": ["--etcd", ep, "--root-path", "tls"],
        }
        for what, args in refusals.items():
            rc, _, err = cli(binary, "create", *args, "--bcrypt-cost", "4", "mallory", stdin="secret1\n")
            check(rc == 1 and err.startswith("credential storage failed: etcd"), f"TLS refused, {what} (rc {rc}: {err!r})")
        check(stored_hash(ep, "mallory", "tls", tls=pki) == "", "TLS: no refused store wrote anything")
        try:
            authgate.CredentialStore(etcd=ep, root_path="tls", etcd_ca=other["ca"], etcd_cert=pki["client"],
                                     etcd_key=pki["client-key"])
            check(False, "TLS: the core store with another CA opened")
        except authgate.CredentialError as e:
            check(e.milvus_code == 65535 and str(e).startswith("credential storage failed: etcd"),
                  f"TLS: the core store with another CA is refused ({e})")


class CApi:
    """The few libauthgate functions the etcd checks need, through ctypes."""

    def __init__(self, path: str):
        self.lib = ctypes.CDLL(path)
        p, n = ctypes.c_char_p, ctypes.c_size_t
        self.lib.ag_creds_options_set.argtypes = [ctypes.c_void_p, p, n, p, n]
        self.lib.ag_creds_options_set_etcd.argtypes = [ctypes.c_void_p, p, n]
        self.lib.ag_creds_open.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_void_p)]
        self.lib.ag_creds_options_free.argtypes = [ctypes.c_void_p]
        self.lib.ag_creds_free.argtypes = [ctypes.c_void_p]
        self.lib.ag_creds_create_user.argtypes = [ctypes.c_void_p, p, n, p, n]
        self.lib.ag_creds_verify.argtypes = [ctypes.c_void_p, p, n, p, n, ctypes.POINTER(ctypes.c_bool)]
        self.lib.ag_last_error_message.argtypes = [ctypes.c_char_p, n]
        self.lib.ag_last_error_message.restype = n

    def error(self) -> str:
        buf = ctypes.create_string_buffer(4096)
        self.lib.ag_last_error_message(buf, len(buf))
        return buf.value.decode()

    def open(self, endpoint: str, **options: str):
        """(status, store handle or None, error text) of ag_creds_open on etcd with `options`."""
        o = ctypes.c_void_p()
        assert self.lib.ag_creds_options_new(ctypes.byref(o)) == 0
        try:
            ep = endpoint.encode()
            assert self.lib.ag_creds_options_set_etcd(o, ep, len(ep)) == 0
            for name, value in options.items():
                n, v = name.encode(), value.encode()
                st = self.lib.ag_creds_options_set(o, n, len(n), v, len(v))
                assert st == 0, (name, self.error())
            c = ctypes.c_void_p()
            st = self.lib.ag_creds_open(o, ctypes.byref(c))
            return st, (c if st == 0 else None), ("" if st == 0 else self.error())
        finally:
            self.lib.ag_creds_options_free(o)

    def create(self, c, name: str, password: str) -> int:
        n, p = name.encode(), password.encode()
        return self.lib.ag_creds_create_user(c, n, len(n), p, len(p))

    def verify(self, c, name: str, password: str) -> bool:
        n, p, out = name.encode(), password.encode(), ctypes.c_bool(False)
        assert self.lib.ag_creds_verify(c, n, len(n), p, len(p), ctypes.byref(out)) == 0, self.error()
        return out.value


def c_tls(capi: CApi, ep: str, pki: dict, other: dict, binary: str, tls_args) -> None:
    """The C API on the TLS etcd: every etcd option by its vocabulary name."""
    files = dict(root_path="tls", meta_sub_path="meta", bcrypt_cost="4", etcd_ca=pki["ca"],
                 etcd_cert=pki["client"], etcd_key=pki["client-key"])
    st, c, err = capi.open(ep, **files)
    check(st == 0, f"C: ag_creds_open on the TLS etcd ({err})")
    if c:
        check(capi.create(c, "cuser", "secret1") == 0, f"C: ag_creds_create_user over TLS ({capi.error()})")
        check(capi.verify(c, "alice", "secret1"), "C: ag_creds_verify of the CLI's user over TLS")
        capi.lib.ag_creds_free(c)
    rc, _, err = cli(binary, "verify", *tls_args, "cuser", stdin="secret1\n")
    check(rc == 0, f"C: the CLI verifies the C API's user ({err})")
    st, c, err = capi.open(ep, **dict(files, etcd_ca=other["ca"]))
    check(st == 12 and c is None and err.startswith("credential storage failed: etcd"),
          f"C: another CA is AG_CREDENTIAL ({st}: {err})")


def auth_suite(binary: str, capi: CApi) -> None:
    with etcd() as ep:
        for args in (("user", "add", "root:rootpw1"), ("auth", "enable")):
            rc, _, err = etcdctl(ep, *args)
            check(rc == 0, f"auth: etcdctl {' '.join(args)} ({err})")
        base = ["--etcd", ep, "--root-path", "auth", "--bcrypt-cost", "4", "--etcd-user", "root"]
        rc, _, err = cli(binary, "create", *base, "carol", stdin="secret1\n", env={"ETCD_PASSWORD": "rootpw1"})
        check(rc == 0, f"auth: CLI create with etcd's user and password ({err})")
        check(stored_hash(ep, "carol", "auth", user="root:rootpw1").startswith("$2a$04$"), "auth: etcdctl sees carol")
        store = authgate.CredentialStore(etcd=ep, root_path="auth", bcrypt_cost=4, etcd_user="root", etcd_password="rootpw1")
        check(store.verify("carol", "secret1") and store.list_users() == ["carol", "root"], "auth: the core store reads")
        del store
        st, c, err = capi.open(ep, root_path="auth", bcrypt_cost="4", etcd_user="root", etcd_password="rootpw1")
        check(st == 0 and capi.verify(c, "carol", "secret1"), f"auth: the C API with etcd_user/etcd_password ({err})")
        if c:
            capi.lib.ag_creds_free(c)
        st, c, err = capi.open(ep, root_path="auth", etcd_user="root", etcd_password="wrong")
        check(st == 12 and "authentication failed" in err, f"auth: the C API with a wrong etcd password ({st}: {err})")
        rc, _, err = cli(binary, "create", *base, "dave", stdin="secret1\n", env={"ETCD_PASSWORD": "wrong-pw"})
        check(rc == 1 and "authentication failed" in err, f"auth: a wrong etcd password is refused ({err!r})")
        rc, _, err = cli(binary, "list", "--etcd", ep, "--root-path", "auth")
        check(rc == 1 and "user name is empty" in err, f"auth: no etcd user is refused ({err!r})")
        try:
            authgate.CredentialStore(etcd=ep, root_path="auth", etcd_user="root", etcd_password="nope")
            check(False, "auth: the core store opened with a wrong password")
        except authgate.CredentialError as e:
            check(e.milvus_code == 65535 and "authentication failed" in str(e), f"auth: the core store refused ({e})")
        check(stored_hash(ep, "dave", "auth", user="root:rootpw1") == "", "auth: nothing written by refused stores")


WRITER = r"""
import sys, authgate
store = authgate.CredentialStore(etcd=sys.argv[1], root_path="watch", bcrypt_cost=4)
print("ready", flush=True)
for line in sys.stdin:
    op, *args = line.split()
    if op == "create":
        store.create_user(*args)
    elif op == "passwd":
        store.update_password(*args)
    elif op == "delete":
        store.delete_user(*args)
    elif op == "list":
        print(" ".join(store.list_users()), flush=True)
        continue
    print("done", flush=True)
"""


def await_state(what: str, observed) -> None:
    """Polls `observed()` until true or WATCH_DEADLINE seconds pass after the write returned."""
    start = time.monotonic()
    while True:
        if observed():
            check(True, what)
            return
        if time.monotonic() - start > WATCH_DEADLINE:
            check(False, f"{what}: not seen within {WATCH_DEADLINE}s")
            return
        time.sleep(0.005)


def watch_suite(binary: str) -> None:
    with etcd() as ep:
        observer = authgate.CredentialStore(etcd=ep, root_path="watch", bcrypt_cost=4)
        check(observer.list_users() == ["root"], "watch: the observer starts with root only")
        writer = subprocess.Popen([sys.executable, "-c", WRITER, ep], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  text=True)
        try:
            check(writer.stdout.readline().strip() == "ready", "watch: the writer process is up")

            def send(cmd: str, want: str = "done") -> None:
                writer.stdin.write(cmd + "\n")
                writer.stdin.flush()
                got = writer.stdout.readline().strip()
                check(got == want, f"watch: writer {cmd.split()[0]} answered {got!r}")

            send("create erin secret1")
            await_state("watch: the writer's create is seen by the observer", lambda: "erin" in observer.list_users())
            send("passwd erin secret1 secret2")
            await_state("watch: the writer's password change is seen",
                        lambda: observer.verify("erin", "secret2") and not observer.verify("erin", "secret1"))
            observer.create_user("frank", "secret1")
            send("list", "erin frank root")
            rc, _, err = cli(binary, "passwd", "--etcd", ep, "--root-path", "watch", "--bcrypt-cost", "4",
                             "--old-password", "secret1", "frank", stdin="secret3\n")
            check(rc == 0, f"watch: CLI passwd ({err})")
            await_state("watch: the CLI's password change is seen by the observer", lambda: observer.verify("frank", "secret3"))
            send("delete erin")
            await_state("watch: the writer's delete is seen", lambda: observer.list_users() == ["frank", "root"])
            check(not observer.verify("erin", "secret2"), "watch: a deleted user no longer verifies")
        finally:
            writer.stdin.close()
            writer.wait(10)


def main() -> int:
    oracle.stop_on_sigterm()
    ap = argparse.ArgumentParser()
    ap.add_argument("--authgate", required=True)
    ap.add_argument("--libauthgate", required=True, help="libauthgate_ffi.so (the C API)")
    args = ap.parse_args()
    binary, capi = args.authgate, CApi(args.libauthgate)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="authgate-etcd-pki-") as work:
        tls_suite(binary, capi, pathlib.Path(work))
    auth_suite(binary, capi)
    watch_suite(binary)
    took = time.monotonic() - started
    check(took < BUDGET_SECONDS, f"budget: {took:.1f}s of {BUDGET_SECONDS}s")
    print(f"etcd security and watch: {passed} passed, {failed} failed ({took:.1f}s)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
