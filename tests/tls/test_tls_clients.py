"""Certificate login from the other languages' usual clients: node-redis (tls) and Jedis (SSL),
against authgate serve with a certificate user (Redis Software's subject line) and
tls-auth-clients-user CN. redis-cli and redis-py are in test_tls_listener.py.
"""
import json
import os
import subprocess

import pytest

from conftest import key

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
NODE_MODULES = os.environ.get("TLS_NODE_MODULES", os.path.join(REPO, "node", "node_modules"))
CLIENT_TIMEOUT = 120


@pytest.fixture(scope="module")
def jedis_classpath(tmp_path_factory):
    out = tmp_path_factory.mktemp("jedis") / "classpath.txt"
    subprocess.run(["mvn", "-q", "-B", "-ntp", "-f", os.path.join(HERE, "clients", "pom.xml"),
                    "dependency:build-classpath", f"-Dmdep.outputFile={out}"], check=True, timeout=600)
    return out.read_text().strip()


@pytest.fixture
def cert_server(start, pki, tmp_path):
    workdir = str(tmp_path)
    with open(os.path.join(workdir, "certificate-users.json"), "w") as f:
        json.dump({"certificate_users": [{"name": "alice-cert",
                                          "certificate_subject_line": pki.subject(pki.alice)}]}, f)
    return start("authgate", {"user": ["alice-cert on resetpass ~* +@all", "stranger on resetpass ~* +@all"],
                              "tls-auth-clients-user": "CN"}, workdir=workdir)


def run(cmd):
    p = subprocess.run(cmd, capture_output=True, timeout=CLIENT_TIMEOUT)
    assert p.returncode == 0, p.stderr.decode(errors="replace")
    return p.stdout.decode().strip()


def test_node_redis_logs_in_by_certificate(cert_server, pki):
    assert os.path.isdir(os.path.join(NODE_MODULES, "redis")), f"node-redis not installed in {NODE_MODULES} (make test-tls runs npm ci)"
    script = os.path.join(HERE, "clients", "node_login.js")
    for cert, user in ((pki.alice, "alice-cert"), (pki.stranger, "stranger")):
        assert run(["node", script, NODE_MODULES, str(cert_server.port), pki.ca, cert, key(cert)]) == user


def test_jedis_logs_in_by_certificate(cert_server, pki, jedis_classpath, tmp_path):
    for cert, user in ((pki.alice, "alice-cert"), (pki.stranger, "stranger")):
        p12 = str(tmp_path / (user + ".p12"))
        subprocess.run(["openssl", "pkcs12", "-export", "-in", cert, "-inkey", key(cert), "-out", p12,
                        "-passout", "pass:changeit"], check=True, capture_output=True)
        got = run(["java", "-cp", jedis_classpath, os.path.join(HERE, "clients", "JedisLogin.java"),
                   str(cert_server.port), pki.ca, p12, "changeit"])
        assert got.splitlines()[-1] == user
