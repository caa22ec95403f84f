"""--acl-store to an etcd that requires TLS and client certificates (issue 17, item 5): two nodes
given the CA and a client certificate share a user; a node without a client certificate is
refused by etcd (and, with no cache, refuses to start)."""
import os
import shutil
import subprocess
import tempfile

import pytest

from conftest import Node, free_port, port_open, wait_for


def openssl(*args):
    subprocess.run(["openssl", *args], check=True, capture_output=True, timeout=60)


def pki(d):
    """A CA, a server certificate for 127.0.0.1 and a client certificate (EC P-256), made now."""
    p = {k: os.path.join(d, f"{k}.pem") for k in ("ca", "ca-key", "server", "server-key", "client", "client-key")}
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2",
            "-subj", "/CN=authgate fleet test CA", "-keyout", p["ca-key"], "-out", p["ca"])
    for who, ext in (("server", "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth"),
                     ("client", "extendedKeyUsage=clientAuth")):
        ext_file, csr = os.path.join(d, f"{who}.ext"), os.path.join(d, f"{who}.csr")
        with open(ext_file, "w") as f:
            f.write(ext + "\n")
        openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj", f"/CN={who}",
                "-keyout", p[f"{who}-key"], "-out", csr)
        openssl("x509", "-req", "-in", csr, "-CA", p["ca"], "-CAkey", p["ca-key"], "-CAcreateserial", "-days", "2",
                "-extfile", ext_file, "-out", p[who])
    return p


@pytest.fixture
def tls_etcd():
    d = tempfile.mkdtemp(prefix="authgate-fleet-tls-")
    p = pki(d)
    port, peer = free_port(), free_port()
    proc = subprocess.Popen(
        ["etcd", "--data-dir", os.path.join(d, "etcd"), "--listen-client-urls", f"https://127.0.0.1:{port}",
         "--advertise-client-urls", f"https://127.0.0.1:{port}", "--listen-peer-urls", f"http://127.0.0.1:{peer}",
         "--initial-advertise-peer-urls", f"http://127.0.0.1:{peer}", "--initial-cluster", f"default=http://127.0.0.1:{peer}",
         "--cert-file", p["server"], "--key-file", p["server-key"], "--trusted-ca-file", p["ca"], "--client-cert-auth"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    nodes = []
    try:
        wait_for("etcd to listen", lambda: port_open(port))
        yield d, port, p, nodes
    finally:
        for n in nodes:
            n.stop()
        proc.kill()
        proc.wait()
        shutil.rmtree(d, ignore_errors=True)


def test_nodes_share_users_through_an_etcd_with_tls(tls_etcd):
    d, port, p, nodes = tls_etcd
    url = f"etcd://127.0.0.1:{port}/tls-fleet"
    tls = ["--acl-store-ca-file", p["ca"], "--acl-store-cert-file", p["client"], "--acl-store-key-file", p["client-key"]]
    a, b = Node("a", d, url, extra=tls), Node("b", d, url, extra=tls)
    nodes += [a, b]
    a.start()
    b.start()
    a.client().execute_command("ACL", "SETUSER", "alice", "on", ">alice-pw", "+ping")
    wait_for("alice on node b", lambda: any(line.startswith(b"user alice on #") for line in b.acl_list()))
    assert b.client(username="alice", password="alice-pw").ping()
    # What etcd holds, read over TLS by etcdctl: the user's ACL LIST line (in the generation
    # the first node seeded).
    out = subprocess.run(["etcdctl", f"--endpoints=https://127.0.0.1:{port}", "--cacert", p["ca"], "--cert", p["client"],
                          "--key", p["client-key"], "get", "--prefix", "--print-value-only", "/tls-fleet/gen/"],
                         env={**os.environ, "ETCDCTL_API": "3"}, capture_output=True, check=True).stdout
    assert any(line.startswith(b"user alice on #") for line in out.split(b"\n")), out
    # The CA alone (no client certificate) is refused by etcd: no state, so no start.
    blind = Node("blind", d, url, cache=False, extra=["--acl-store-ca-file", p["ca"]])
    nodes.append(blind)
    blind.start(expect_ready=False)
    assert blind.proc.wait(30) != 0
    # A certificate without its key is a configuration error.
    half = Node("half", d, url, extra=["--acl-store-cert-file", p["client"]])
    nodes.append(half)
    half.start(expect_ready=False)
    assert half.proc.wait(30) != 0
    assert b"acl-store-cert-file and acl-store-key-file go together" in half.proc.stderr.read() + \
        open(os.path.join(half.dir, "log"), "rb").read()
