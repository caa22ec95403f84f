"""The examples in python/README.md and in the repository's README.md run as written (all
```python blocks of a file, in order, in one namespace), so the documentation cannot drift from
the API. The certificate example (python/examples/readme_cert.py, the README's block) reads the
PEM file named on its command line: it runs here on the fixture's multi_ou.pem, and the subject
it prints is openssl's."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve()
READMES = [HERE.parents[1] / "README.md", HERE.parents[2] / "README.md"]
CERT = HERE.parents[2] / "tests" / "fixtures" / "certs" / "multi_ou.pem"
CERT_EXAMPLE = HERE.parents[1] / "examples" / "readme_cert.py"


@pytest.mark.parametrize("readme", READMES, ids=["python/README.md", "README.md"])
def test_readme_examples_run(readme: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "argv", [str(CERT_EXAMPLE), str(CERT)])
    blocks = re.findall(r"^```python\n(.*?)^```$", readme.read_text(), flags=re.S | re.M)
    assert blocks, f"the examples of {readme} went missing"
    namespace: dict = {}
    for block in blocks:
        exec(compile(block, str(readme), "exec"), namespace)
    assert namespace["acl"].users() == ["alice", "default"]


def test_certificate_example_prints_what_openssl_reads() -> None:
    openssl = subprocess.run(["openssl", "x509", "-in", str(CERT), "-noout", "-subject", "-nameopt", "RFC2253"],
                             capture_output=True, text=True, check=True, timeout=60)
    r = subprocess.run([sys.executable, str(CERT_EXAMPLE), str(CERT)], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == [
        openssl.stdout.strip().removeprefix("subject="),
        "alice ['spiffe://example.org/ns/default/sa/alice']",
        "tls_auth_clients_user alice TLS: Auto-authenticated client as alice",
        "ops",
    ]
