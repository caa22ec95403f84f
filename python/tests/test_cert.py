"""Certificate identity: the shared fixture (tests/fixtures/cert_cases.json; certificates made
with openssl by cert_cases_gen.py, every expected subject, common name, SAN and date read from
openssl's output), run as the C, Node and Java suites run it: ClientCert from PEM and DER,
malformed inputs refused with CertificateError and core's text, Redis Software subject
policies passing or refusing each certificate, policies refused when built."""

from __future__ import annotations

import base64
import json
import threading
from typing import Any, Dict, List

import pytest

import authgate
from conftest import FIXTURES

CASES: Dict[str, Any] = json.loads((FIXTURES / "cert_cases.json").read_text(encoding="utf-8"))
CERTS: List[Dict[str, Any]] = CASES["certificates"]


def load(name: str) -> authgate.ClientCert:
    entry = next(c for c in CERTS if c["name"] == name)
    return authgate.ClientCert.from_pem((FIXTURES / entry["pem"]).read_bytes())


def properties(cert: authgate.ClientCert) -> Dict[str, Any]:
    return {
        "subject": cert.subject,
        "common_name": cert.common_name,
        "san_emails": cert.san_emails,
        "san_dns": cert.san_dns,
        "san_uris": cert.san_uris,
        "san_ips": cert.san_ips,
        "not_before": cert.not_before,
        "not_after": cert.not_after,
    }


@pytest.mark.parametrize("case", CERTS, ids=[c["name"] for c in CERTS])
def test_certificate_reads_as_openssl_does(case: Dict[str, Any]) -> None:
    want = {k: case[k] for k in properties(load("ca"))}
    pem = (FIXTURES / case["pem"]).read_bytes()
    der = (FIXTURES / case["der"]).read_bytes()
    assert properties(authgate.ClientCert.from_pem(pem)) == want
    assert properties(authgate.ClientCert.from_pem(pem.decode("ascii"))) == want
    assert properties(authgate.ClientCert.from_der(der)) == want
    assert properties(authgate.ClientCert.from_der(bytearray(der))) == want


def malformed_input(case: Dict[str, Any]) -> bytes:
    if "repeat" in case:
        return case["repeat"].encode() * case["times"]
    return base64.b64decode(case["base64"])


@pytest.mark.parametrize("case", CASES["malformed"], ids=[c["name"] for c in CASES["malformed"]])
def test_malformed_input_is_a_certificate_error(case: Dict[str, Any]) -> None:
    parse = getattr(authgate.ClientCert, case["via"])
    with pytest.raises(authgate.CertificateError) as e:
        parse(malformed_input(case))
    assert e.value.code == "CERTIFICATE"
    assert isinstance(e.value, authgate.AuthgateError)
    if "message" in case:
        assert str(e.value) == case["message"]
    else:
        assert str(e.value).startswith(case["message_prefix"])


@pytest.mark.parametrize("policy", CASES["policies"], ids=lambda p: f"{p['validation']}-{p['authorized_subjects']}")
def test_subject_policy(policy: Dict[str, Any]) -> None:
    p = authgate.SubjectPolicy(policy["validation"], policy["authorized_subjects"])
    assert p.validation == policy["validation"]
    for name, refusal in policy["cases"].items():
        if refusal is None:
            assert p.check(load(name)) is None
        else:
            with pytest.raises(authgate.CertificateError) as e:
                p.check(load(name))
            assert (e.value.code, str(e.value)) == ("CERTIFICATE", refusal), name


@pytest.mark.parametrize("policy", CASES["invalid_policies"], ids=lambda p: p["message"])
def test_invalid_policy(policy: Dict[str, Any]) -> None:
    with pytest.raises(authgate.CertificateError) as e:
        authgate.SubjectPolicy(policy["validation"], policy["authorized_subjects"])
    assert (e.value.code, str(e.value)) == ("CERTIFICATE", policy["message"])


def test_policy_defaults_are_cores() -> None:
    tls = json.loads((FIXTURES / "vocabulary.json").read_text())["tls"]
    assert authgate.SubjectPolicy().validation == tls["defaults"]["validation"]
    assert authgate.SubjectPolicy(authorized_subjects=["CN=x"]).validation == tls["defaults"]["validation"]
    assert authgate.SubjectPolicy().check(load("nosubj")) is None


def test_argument_types() -> None:
    with pytest.raises(TypeError):
        authgate.ClientCert.from_pem(None)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        authgate.SubjectPolicy("san_cn", "CN=alice")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        authgate.SubjectPolicy("san_cn", ["CN=alice"]).check("not a cert")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        authgate.ClientCert()  # type: ignore[call-arg]


def test_shared_between_threads() -> None:
    cert = load("multi_ou")
    policy = authgate.SubjectPolicy("full_subject", ["CN=alice,OU=Platform,OU=Engineering"])
    errors: List[BaseException] = []

    def work() -> None:
        try:
            for _ in range(200):
                policy.check(cert)
                assert cert.common_name == "alice"
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


def test_repr() -> None:
    assert repr(load("cnlast")) == "ClientCert(subject='CN=abc,O=Acme Corp,C=US')"
    assert repr(authgate.SubjectPolicy("san_cn", ["CN=a"])) == "SubjectPolicy(validation='san_cn', authorized_subjects=1)"
