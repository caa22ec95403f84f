"""Certificate -> user mapping (CertUserMap, CertLogin): the shared fixture's user maps
(tests/fixtures/cert_cases.json; user names and subject lines read from openssl's description of
the certificates by cert_cases_gen.py), run as the C, Node and Java suites run them: each map's
mode and certificate users, an engine with the case's users (or none), and per certificate the
user, outcome and log line; refused modes and subject lines change nothing."""

from __future__ import annotations

import json
import threading
from typing import Any, Dict, List, Optional

import pytest

import authgate
from conftest import FIXTURES

CASES: Dict[str, Any] = json.loads((FIXTURES / "cert_cases.json").read_text(encoding="utf-8"))
TLS: Dict[str, Any] = json.loads((FIXTURES / "vocabulary.json").read_text(encoding="utf-8"))["tls"]


def load(name: str) -> authgate.ClientCert:
    entry = next(c for c in CASES["certificates"] if c["name"] == name)
    return authgate.ClientCert.from_pem((FIXTURES / entry["pem"]).read_bytes())


def engine(users: Optional[List[List[str]]]) -> Optional[authgate.Acl]:
    if users is None:
        return None
    acl = authgate.Acl()
    for name, *rules in users:
        acl.setuser(name, *rules)
    return acl


def login_of(login: authgate.CertLogin) -> Dict[str, Any]:
    return {"user": login.user, "outcome": login.outcome, "log_line": login.log_line}


@pytest.mark.parametrize("case", CASES["user_maps"], ids=[m["name"] for m in CASES["user_maps"]])
def test_user_map(case: Dict[str, Any]) -> None:
    m = authgate.CertUserMap(case["mode"])
    assert m.mode == case.get("mode_as_written", case["mode"])
    for u in case["certificate_users"]:
        assert m.set_user(u["name"], u["certificate_subject_line"]) is None
    assert m.users == sorted(u["name"] for u in case["certificate_users"])
    for u in case["certificate_users"]:
        assert m.subject_line(u["name"]) == u["certificate_subject_line"]
    acl = engine(case["acl"])
    for name, want in case["cases"].items():
        login = m.map(load(name), acl) if acl is not None else m.map(load(name))
        assert login_of(login) == want, name
    for u in case["certificate_users"]:
        assert m.remove_user(u["name"]) is True
        assert m.remove_user(u["name"]) is False
        assert m.subject_line(u["name"]) is None
    assert m.users == []


@pytest.mark.parametrize("case", CASES["invalid_user_maps"], ids=lambda c: c["message"])
def test_invalid_user_map(case: Dict[str, Any]) -> None:
    if "certificate_subject_line" not in case:
        with pytest.raises(authgate.CertificateError) as e:
            authgate.CertUserMap(case["mode"])
        assert (e.value.code, str(e.value)) == ("CERTIFICATE", case["message"])
        m = authgate.CertUserMap("URI")
        with pytest.raises(authgate.CertificateError) as e:
            m.mode = case["mode"]
        assert (e.value.code, str(e.value)) == ("CERTIFICATE", case["message"])
        assert m.mode == "URI"
        return
    m = authgate.CertUserMap(case["mode"])
    with pytest.raises(authgate.CertificateError) as e:
        m.set_user("u", case["certificate_subject_line"])
    assert (e.value.code, str(e.value)) == ("CERTIFICATE", case["message"])
    assert isinstance(e.value, authgate.AuthgateError)
    assert m.users == [] and m.subject_line("u") is None


def test_defaults_are_cores() -> None:
    assert authgate.CertUserMap().mode == TLS["defaults"]["mode"]
    assert authgate.CertUserMap(None).map(load("multi_ou")).outcome == "default"


def test_mode_is_read_in_any_case() -> None:
    m = authgate.CertUserMap("uri")
    assert m.mode == "URI"
    m.mode = "cn"
    assert m.mode == "CN"
    assert m.map(load("multi_ou")).user == "alice"


def test_argument_types() -> None:
    m = authgate.CertUserMap()
    with pytest.raises(TypeError):
        authgate.CertUserMap(1)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        m.set_user("u", None)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        m.map("not a cert")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        m.map(load("multi_ou"), "not an engine")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        authgate.CertLogin()  # type: ignore[call-arg]


def test_shared_between_threads() -> None:
    cert = load("multi_ou")
    acl = authgate.Acl()
    acl.setuser("alice", "on")
    m = authgate.CertUserMap("CN")
    errors: List[BaseException] = []

    def work(i: int) -> None:
        try:
            for k in range(200):
                name = f"u{i}-{k}"
                m.set_user(name, "CN=nobody")
                assert m.map(cert, acl).user == "alice"
                assert m.remove_user(name)
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and m.users == []


def test_repr() -> None:
    m = authgate.CertUserMap("CN")
    m.set_user("ops", load("cnlast").subject)
    assert repr(m) == "CertUserMap(mode='CN', users=1)"
    assert repr(m.map(load("cnlast"))) == "CertLogin(user='ops', outcome='certificate_user')"
    assert repr(authgate.CertUserMap().map(load("cnlast"))) == "CertLogin(user=None, outcome='default')"
