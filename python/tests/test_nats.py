"""NatsAuth and NatsIdentity against tests/fixtures/nats_cases.json, recorded from
nats-server 2.9.10: every case's check verdict (nats-server's error lines for a refused
config), every login's verdict, user and account, and every publish/subscribe check; the two
command-line-mode cases (``--user/--pass``, ``--auth``) through :meth:`NatsAuth.single_user` and
:meth:`NatsAuth.token`. Then permissions as data and the ``allow_responses`` tracker (the same
tests in every language)."""

from __future__ import annotations

import json
import re
import threading
from pathlib import Path
from typing import Any, Dict, List

import pytest

import authgate
from conftest import FIXTURES

RECORDED: Dict[str, Any] = json.loads((FIXTURES / "nats_cases.json").read_text(encoding="utf-8"))
CASES: List[Dict[str, Any]] = RECORDED["cases"]
# The fixture as recorded: a re-recording that changes the counts must change these too, so a
# broken fixture cannot silently test nothing.
CONFIG_CASES = 314
COMMAND_LINE_CASES = 2
# Go pointer values in nats-server's texts are recorded masked (tests/differential_nats).
_POINTER = re.compile(r"0x[0-9a-f]{6,16}")


def test_case_counts() -> None:
    assert len([c for c in CASES if c["main"] is not None]) == CONFIG_CASES
    assert len([c for c in CASES if c["main"] is None]) == COMMAND_LINE_CASES
    assert sum(len(c.get("logins", [])) for c in CASES) > 1000


def command_line_auth(args: List[str]) -> authgate.NatsAuth:
    """nats-server's ``--user U --pass P`` or ``--auth``/``-auth TOKEN``."""
    for flag in ("--auth", "-auth"):
        if flag in args:
            return authgate.NatsAuth.token(args[args.index(flag) + 1])
    return authgate.NatsAuth.single_user(args[args.index("--user") + 1], args[args.index("--pass") + 1])


def write_files(case: Dict[str, Any], root: Path) -> None:
    for rel, text in case["files"].items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8", "surrogateescape"))


def login(nats: authgate.NatsAuth, lg: Dict[str, Any]) -> authgate.NatsIdentity:
    return nats.authenticate(user=lg["user"], password=lg["password"], token=lg["token"])


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_recorded_case(case: Dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if case["main"] is None:
        check_logins(command_line_auth(case["server_args"]), case)
        return
    write_files(case, tmp_path)
    # Paths in nats-server's texts are as given (relative to the working directory).
    monkeypatch.chdir(tmp_path)
    for name, value in case["env"].items():
        monkeypatch.setenv(name, value)
    if not case["check"]["ok"]:
        with pytest.raises(authgate.ConfigError) as e:
            authgate.NatsAuth.from_file(case["main"])
        assert e.value.code == "CONFIG"
        lines = sorted(_POINTER.sub("0xPTR", ln) for ln in str(e.value).split("\n"))
        assert lines in case["check"]["variants"]
        return
    check_logins(authgate.NatsAuth.from_file(case["main"]), case)


def check_logins(nats: authgate.NatsAuth, case: Dict[str, Any]) -> None:
    assert nats.auth_timeout > 0
    for i, lg in enumerate(case["logins"]):
        if not lg["ok"]:
            with pytest.raises(authgate.AuthError) as refused:
                login(nats, lg)
            assert (refused.value.code, str(refused.value)) == ("AUTH", lg["error"]), i
            continue
        who = login(nats, lg)
        assert (who.user, who.account) == (lg["user_name"], lg["account"]), i
        for c in lg["checks"]:
            if c["op"] == "pub":
                got = who.can_publish(c["subject"])
            else:
                got = who.can_subscribe(c["subject"], c["queue"])
            assert got == c["allow"], (i, c)


NKEY_USER = "UACVKZM3XWDERZYVC6ECB76U4HRRF7GLXZ7JOFDBLKAYOVQK4XWWCLBU"
CONFIG = b"""
accounts {
  A { users: [ {user: alice, password: secret, permissions: {publish: {allow: "orders.>", deny: "orders.secret"}, subscribe: {deny: "orders.secret"}}} ] }
}
authorization { timeout: 1.5 }
"""


def test_parse_and_identity() -> None:
    nats = authgate.NatsAuth.parse(CONFIG)
    assert nats.auth_timeout == 1.5
    who = nats.authenticate(user="alice", password=b"secret")
    assert (who.user, who.account) == ("alice", "A")
    assert who.can_publish("orders.new") and not who.can_publish("orders.secret") and not who.can_publish("x")
    assert who.can_subscribe("orders.*") and not who.can_subscribe("orders.secret")
    assert who.can_subscribe(b"orders.new", queue="workers")
    # delivery to a wildcard subscription still filters the denied subject
    assert who.can_receive("orders.new") and not who.can_receive("orders.secret")
    with pytest.raises(authgate.AuthError) as e:
        nats.authenticate(user="alice", password="wrong")
    assert (e.value.code, str(e.value)) == ("AUTH", "Authorization Violation")


def test_url_credentials_and_overrides() -> None:
    nats = authgate.NatsAuth.parse("authorization { user: u, password: p }")
    assert nats.authenticate(url="nats://u:p@127.0.0.1:4222").user == "u"
    with pytest.raises(authgate.AuthError):
        nats.authenticate(url="nats://u:p@127.0.0.1:4222", password="other")
    token = authgate.NatsAuth.parse("authorization { token: s3cr3t }")
    assert token.authenticate(url="nats://s3cr3t@h:4222").user == ""


def test_connection_types() -> None:
    nats = authgate.NatsAuth.parse(
        'authorization { users: [ {user: w, password: p, allowed_connection_types: ["WEBSOCKET"]} ] }'
    )
    assert nats.authenticate(user="w", password="p", connection_type="websocket").user == "w"
    with pytest.raises(authgate.AuthError):
        nats.authenticate(user="w", password="p")
    with pytest.raises(authgate.AuthError):
        nats.authenticate(user="w", password="p", connection_type="MQTT")
    with pytest.raises(authgate.InvalidArgument) as e:
        nats.authenticate(user="w", password="p", connection_type="carrier-pigeon")
    assert e.value.code == "INVALID_ARGUMENT"


def test_nkey_user_needs_a_signature() -> None:
    nats = authgate.NatsAuth.parse(f"authorization {{ users: [ {{nkey: {NKEY_USER}}} ] }}")
    with pytest.raises(authgate.AuthError):
        nats.authenticate(nkey=NKEY_USER, sig="AAAA", nonce="nonce")


def test_config_errors() -> None:
    with pytest.raises(authgate.ConfigError) as e:
        authgate.NatsAuth.parse("authorization { token: t, users: [ {user: a, password: b} ] }", filename="x.conf")
    assert e.value.code == "CONFIG" and str(e.value).startswith("x.conf:1:")
    with pytest.raises(authgate.ConfigError) as missing:
        authgate.NatsAuth.from_file("/nonexistent/nats.conf")
    assert missing.value.code == "CONFIG"
    with pytest.raises(TypeError):
        authgate.NatsAuth.parse(1.5)  # type: ignore[arg-type]


def test_include_relative_to_base_dir(tmp_path: Path) -> None:
    (tmp_path / "users.conf").write_text("users: [ {user: a, password: b} ]\n")
    nats = authgate.NatsAuth.parse("authorization { include users.conf }", base_dir=str(tmp_path))
    assert nats.authenticate(user="a", password="b").account == "$G"


def test_bcrypt_logins_in_threads() -> None:
    # cost 4 bcrypt of "pw" (the GIL is released while bcrypt runs)
    hashed = "$2a$04$9qqIr400Pae5kU6.LnWe5e3l/eYVAzCJhxulJoq8Q4Hi7Jd8xLIuy"
    nats = authgate.NatsAuth.parse(f'authorization {{ user: b, password: "{hashed}" }}')
    results: List[bool] = []

    def run() -> None:
        try:
            results.append(nats.authenticate(user="b", password="pw").user == "b")
        except authgate.AuthError:
            results.append(False)

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [True] * 4


PERMISSIONS = b"""
authorization {
  users: [
    {user: svc, password: p, permissions: {
      publish: {allow: ["orders.>", "audit"], deny: "orders.secret"},
      subscribe: {allow: ["replies.*", "jobs.* workers"]},
      allow_responses: {max: 2, expires: "1m30s"}}},
    {user: reply, password: p, permissions: {subscribe: "req.>", allow_responses: true}},
    {user: open, password: p}
  ]
}
"""


def test_permissions_as_data() -> None:
    nats = authgate.NatsAuth.parse(PERMISSIONS)
    svc = nats.authenticate(user="svc", password="p")
    assert svc.permissions == {
        "publish": {"allow": ["orders.>", "audit"], "deny": ["orders.secret"]},
        "subscribe": {"allow": ["replies.*", "jobs.* workers"], "deny": None},
        "allow_responses": {"max": 2, "expires": 90.0},
    }
    # allow_responses alone: publish allows nothing but responses (an empty allow list),
    # with nats-server's defaults of one response within two minutes.
    assert nats.authenticate(user="reply", password="p").permissions == {
        "publish": {"allow": [], "deny": None},
        "subscribe": {"allow": ["req.>"], "deny": None},
        "allow_responses": {"max": 1, "expires": 120.0},
    }
    assert nats.authenticate(user="open", password="p").permissions is None
    assert authgate.NatsAuth.token("t").authenticate(token="t").permissions is None


def test_received_request_makes_the_reply_publishable() -> None:
    nats = authgate.NatsAuth.parse(PERMISSIONS)
    reply = nats.authenticate(user="reply", password="p")
    assert not reply.can_publish("_INBOX.abc")
    reply.received_request("_INBOX.abc")
    assert reply.can_publish("_INBOX.abc")
    # max 1: the second response is refused, and other subjects never were allowed
    assert not reply.can_publish("_INBOX.abc")
    assert not reply.can_publish("_INBOX.other")
    svc = nats.authenticate(user="svc", password="p")
    svc.received_request(b"_INBOX.x")
    assert svc.can_publish("_INBOX.x") and svc.can_publish("_INBOX.x") and not svc.can_publish("_INBOX.x")
    # identities do not share replies; without allow_responses nothing changes
    assert not nats.authenticate(user="reply", password="p").can_publish("_INBOX.abc")
    other = nats.authenticate(user="open", password="p")
    other.received_request("x")
    assert other.can_publish("anything")


def test_command_line_modes() -> None:
    single = authgate.NatsAuth.single_user("foo", "bar")
    assert (single.authenticate(user="foo", password="bar").user, single.auth_timeout) == ("foo", 2.0)
    with pytest.raises(authgate.AuthError):
        single.authenticate(user="foo", password="baz")
    token = authgate.NatsAuth.token(b"S3Cr3T0k3n!")
    assert token.authenticate(token="S3Cr3T0k3n!").account == "$G"
    with pytest.raises(authgate.AuthError):
        token.authenticate(user="S3Cr3T0k3n!", password="x")
    with pytest.raises(TypeError):
        authgate.NatsAuth.token(None)  # type: ignore[arg-type]


def test_verify_and_map_maps_the_client_certificate() -> None:
    certs = FIXTURES.resolve() / "certs"
    auth = authgate.NatsAuth.parse(
        f'tls {{ cert_file: "{certs}/server.pem", key_file: "{certs}/server.key", ca_file: "{certs}/ca.pem", '
        "verify_and_map: true }\n"
        'authorization { users: [ {user: "alice@example.com"} ] }\n'
    )
    pem = (certs / "multi_ou.pem").read_bytes()
    with pytest.raises(authgate.AuthError):
        auth.authenticate()
    assert auth.authenticate(certificate=authgate.ClientCert.from_pem(pem)).user == "alice@example.com"
    assert auth.authenticate(certificate=pem).user == "alice@example.com"
    assert auth.authenticate(certificate=(certs / "multi_ou.der").read_bytes()).user == "alice@example.com"
    with pytest.raises(authgate.AuthError):
        auth.authenticate(certificate=(certs / "special.pem").read_bytes())
    with pytest.raises(authgate.CertificateError):
        auth.authenticate(certificate=b"not a certificate")
