"""API parity: every operation of tests/fixtures/vocabulary.json (the vocabulary every language
exports) is called here under its Python name, and the defaults read through the binding are
core's, as the fixture records them."""

from __future__ import annotations

import dataclasses
import inspect
import json
from pathlib import Path
from typing import Any, Callable, Dict, List, Tuple

import pytest
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

import authgate
from conftest import FIXTURES

VOCABULARY: Dict[str, Any] = json.loads((FIXTURES / "vocabulary.json").read_text())
DEFAULTS: Dict[str, Any] = VOCABULARY["defaults"]


def client(port: int, **kw: Any) -> "redis.Redis[bytes]":
    return redis.Redis(host="127.0.0.1", port=port, socket_timeout=5, retry=Retry(NoBackoff(), 0), **kw)


def acl_calls(path: Path) -> Dict[str, Tuple[Callable[[authgate.Acl], Any], Any]]:
    """One call per vocabulary method and what it must return, in an order where each works
    on what the ones before it did (the fixture's order)."""
    return {
        "setuser": (lambda acl: acl.setuser("alice", "on", ">secret", "~cache:*", "+get"), None),
        "deluser": (lambda acl: acl.deluser("nobody"), 0),
        "getuser": (lambda acl: acl.getuser("alice").keys, "~cache:*"),  # type: ignore[union-attr]
        "users": (lambda acl: acl.users(), ["alice", "default"]),
        "list": (lambda acl: len(acl.list()), 2),
        "cat": (lambda acl: "get" in acl.cat("read") and "read" in acl.cat(), True),
        "check": (lambda acl: acl.check("alice", "GET", "cache:1"), None),
        "allowed": (lambda acl: (acl.allowed("alice", "GET", "cache:1"), acl.allowed("alice", "GET", "x")), (True, False)),
        "denial": (lambda acl: (acl.denial("alice", "GET", "cache:1"), acl.denial("alice", "GET", "x").reason), (None, "key")),  # type: ignore[union-attr]
        "dryrun": (lambda acl: acl.dryrun("alice", "DEL", "k"), "This user has no permissions to run the 'del' command"),
        "authenticate": (lambda acl: acl.authenticate("alice", "secret"), True),
        "log": (lambda acl: acl.log(), []),
        "log_reset": (lambda acl: acl.log_reset(), None),
        "genpass": (lambda acl: len(acl.genpass(8)), 2),
        "load": (lambda acl: acl.load(path), None),
        "save": (lambda acl: acl.save(path), None),
        "check_aclfile": (lambda acl: acl.check_aclfile(path), None),
        "set_requirepass": (lambda acl: acl.set_requirepass("pw"), None),
        "options": (lambda acl: acl.options(), authgate.AclOptions()),
        "set_options": (lambda acl: acl.set_options(authgate.AclOptions(log_max_len=9)), None),
    }


def test_acl_constructors(tmp_path: Path) -> None:
    assert VOCABULARY["acl"]["constructors"] == ["new", "from_file", "from_store"]
    path = tmp_path / "users.acl"
    path.write_text("user carol on nopass +ping\n")
    assert authgate.Acl().users() == ["default"]
    assert authgate.Acl.from_file(path).users() == ["carol", "default"]
    # The store itself is exercised against a real etcd in test_acl_store.py: here an address
    # nothing listens on shows the constructor exists and refuses to start without a cache.
    with pytest.raises(authgate.IoError):
        authgate.Acl.from_store("etcd://127.0.0.1:1/parity")


def test_acl_store_options_are_from_store_keywords() -> None:
    options = VOCABULARY["acl"]["store_options"]
    assert options == ["cache_file", "ca_file", "cert_file", "key_file"]
    # Each is a keyword the binding takes and core checks: an unreadable CA file and a missing
    # cache are I/O errors, half of the client certificate pair is an invalid argument (a
    # keyword the binding did not know would be a TypeError).
    expected = {"cache_file": authgate.IoError, "ca_file": authgate.IoError,
                "cert_file": authgate.InvalidArgument, "key_file": authgate.InvalidArgument}
    assert sorted(expected) == sorted(options)
    for name in options:
        with pytest.raises(expected[name]):
            authgate.Acl.from_store("etcd://127.0.0.1:1/parity", **{name: "/nonexistent/x.pem"})


def test_every_acl_method(tmp_path: Path) -> None:
    path = tmp_path / "users.acl"
    path.write_text("user alice on >secret ~cache:* +get\n")
    calls = acl_calls(path)
    methods: List[str] = VOCABULARY["acl"]["methods"]
    assert list(calls) == methods
    acl = authgate.Acl()
    for name in methods:
        assert getattr(authgate.Acl, name).__doc__, name
        call, expected = calls[name]
        assert call(acl) == expected, name
    # what the calls did
    assert "user alice on #" in path.read_text()
    assert not acl.authenticate("default", "x") and acl.authenticate("default", "pw")
    assert acl.log_max_len == 9


def test_every_acl_setting() -> None:
    acl = authgate.Acl()
    assert VOCABULARY["acl"]["settings"] == ["pubsub_default", "log_max_len"]
    for value in VOCABULARY["pubsub_default_values"]:
        acl.pubsub_default = value
        assert acl.pubsub_default == value
        assert authgate.AclOptions(pubsub_default=value).pubsub_default == value
        assert authgate.Acl(pubsub_default=value).pubsub_default == value
    acl.log_max_len = 3
    assert acl.log_max_len == 3


def test_server_options_methods_and_properties(tmp_path: Path) -> None:
    options: List[str] = VOCABULARY["server"]["options"]
    params = inspect.signature(authgate.Server).parameters
    assert set(options) <= set(params), set(options) - set(params)
    aclfile = tmp_path / "users.acl"
    aclfile.write_text("user default on >pw ~* &* +@all\n")
    conf = tmp_path / "redis.conf"
    conf.write_text("port 6399\n")
    values: Dict[str, Any] = {
        "host": "127.0.0.1",
        "port": 0,
        "requirepass": "pw",
        "aclfile": aclfile,
        "maxclients": 5,
        "config": conf,
    }
    assert sorted(values) == sorted(options)
    acl = authgate.Acl()
    server = authgate.Server(acl, **values)
    assert VOCABULARY["server"]["methods"] == ["start", "stop", "restart"]
    assert VOCABULARY["server"]["properties"] == ["running", "host", "port"]
    assert server.start() is server
    assert (server.running, server.host) == (True, "127.0.0.1")
    assert server.port not in (0, 6399)  # the argument overrides the file
    r = client(server.port, password="pw")
    assert r.config_get("maxclients") == {"maxclients": "5"}
    assert server.restart() is server and server.running
    server.stop()
    assert not server.running


def test_records_have_the_vocabulary_fields() -> None:
    assert [f.name for f in dataclasses.fields(authgate.UserInfo)] == VOCABULARY["user_info"]
    assert [f.name for f in dataclasses.fields(authgate.LogEntry)] == VOCABULARY["log_entry"]
    acl = authgate.Acl()
    acl.setuser("alice", "on", ">secret", "+get", "~cache:*")
    info = acl.getuser("alice")
    assert info is not None
    for name in VOCABULARY["user_info"]:
        getattr(info, name)
    with authgate.Server(acl) as server:
        with pytest.raises(redis.exceptions.NoPermissionError):
            client(server.port, username="alice", password="secret").get("other")
    (entry,) = acl.log()
    for name in VOCABULARY["log_entry"]:
        getattr(entry, name)
    assert (entry.reason, entry.object, entry.username) == ("key", "other", "alice")


def test_denial_has_the_vocabulary_fields_and_the_exception_s_values() -> None:
    acl = authgate.Acl()
    acl.setuser("alice", "on", "~cache:*", "&news", "+get", "+publish")
    for argv in (["DEL", "cache:1"], ["GET", "other"], ["PUBLISH", "sport", "x"]):
        denial = acl.denial("alice", *argv)
        assert denial is not None
        with pytest.raises(authgate.PermissionDenied) as raised:
            acl.check("alice", *argv)
        e = raised.value
        expected = {"reason": e.reason, "command": e.command, "object": e.object, "message": str(e)}
        assert {name: getattr(denial, name) for name in VOCABULARY["denial"]} == expected
        assert denial == acl.denial("alice", *argv) and hash(denial) == hash(acl.denial("alice", *argv))
        assert repr(denial).startswith(f"Denial(reason={e.reason!r}")


def test_defaults_are_cores() -> None:
    """Read through the binding, without passing any value: each must be the fixture's."""
    acl = authgate.Acl()
    assert acl.log_max_len == DEFAULTS["log_max_len"]
    assert acl.pubsub_default == DEFAULTS["pubsub_default"]
    assert authgate.AclOptions() == acl.options()
    assert authgate.AclOptions().log_max_len == DEFAULTS["log_max_len"]
    assert len(authgate.genpass()) * 4 == DEFAULTS["genpass_bits"]
    assert len(authgate.Acl.genpass(None)) * 4 == DEFAULTS["genpass_bits"]
    server = authgate.Server(acl)
    assert (server.host, server.port) == (DEFAULTS["host"], DEFAULTS["port"])
    with server:
        assert server.port != DEFAULTS["port"]  # port 0: a free port, chosen at start
        got = client(server.port).config_get("maxclients")
    assert got == {"maxclients": str(DEFAULTS["maxclients"])}


def test_nats_vocabulary(tmp_path: Path) -> None:
    nats: Dict[str, List[str]] = VOCABULARY["nats"]
    conf = tmp_path / "nats.conf"
    conf.write_text("authorization { user: u, password: p, timeout: 4 }\n")
    constructors: Dict[str, Callable[[], authgate.NatsAuth]] = {
        "from_file": lambda: authgate.NatsAuth.from_file(conf),
        "parse": lambda: authgate.NatsAuth.parse(conf.read_bytes(), "nats.conf", tmp_path),
        "single_user": lambda: authgate.NatsAuth.single_user("u", "p"),
        "token": lambda: authgate.NatsAuth.token("t"),
    }
    assert sorted(constructors) == sorted(nats["constructors"])
    for name in nats["constructors"]:
        assert isinstance(constructors[name](), authgate.NatsAuth), name
    auth = authgate.NatsAuth.parse("authorization { user: u, password: p, timeout: 4 }\n")
    for name in nats["properties"]:
        assert isinstance(inspect.getattr_static(authgate.NatsAuth, name), type(authgate.NatsAuth.auth_timeout)), name
    assert auth.auth_timeout == 4
    for name in nats["methods"]:
        params = inspect.signature(getattr(auth, name)).parameters
        assert list(params) == nats["authenticate_parameters"], name
    identity = auth.authenticate(user="u", password="p")
    for name in nats["identity"]:
        assert hasattr(identity, name), name
    perms = authgate.NatsAuth.parse(
        "authorization { users: [ {user: u, password: p, permissions: {publish: a, allow_responses: true}} ] }"
    ).authenticate(user="u", password="p").permissions
    assert perms is not None
    assert list(perms) == nats["permissions"]
    for direction in ("publish", "subscribe"):
        assert list(perms[direction]) == nats["subject_lists"]  # type: ignore[literal-required]
    assert perms["allow_responses"] is not None and list(perms["allow_responses"]) == nats["allow_responses"]


def test_tls_vocabulary() -> None:
    tls: Dict[str, Any] = VOCABULARY["tls"]
    pem = (FIXTURES / "certs" / "multi_ou.pem").read_bytes()
    der = (FIXTURES / "certs" / "multi_ou.der").read_bytes()
    constructors: Dict[str, Callable[[], authgate.ClientCert]] = {
        "from_pem": lambda: authgate.ClientCert.from_pem(pem),
        "from_der": lambda: authgate.ClientCert.from_der(der),
    }
    assert sorted(constructors) == sorted(tls["client_cert"]["constructors"])
    for name in tls["client_cert"]["constructors"]:
        assert constructors[name]().subject.startswith("CN=alice,"), name
    cert = authgate.ClientCert.from_pem(pem)
    for name in tls["client_cert"]["properties"]:
        assert isinstance(inspect.getattr_static(authgate.ClientCert, name), type(authgate.ClientCert.subject)), name
        assert getattr(cert, name) is not None, name
    policy = tls["subject_policy"]
    assert policy["constructors"] == ["new"]
    assert list(inspect.signature(authgate.SubjectPolicy).parameters) == policy["parameters"]
    for name in policy["validations"]:
        made = authgate.SubjectPolicy(name, ["CN=alice"])
        assert made.validation == name
        for method in policy["methods"]:
            assert getattr(made, method)(cert) is None
    for name in policy["properties"]:
        assert isinstance(inspect.getattr_static(authgate.SubjectPolicy, name), type(authgate.SubjectPolicy.validation))
    with pytest.raises(authgate.CertificateError) as e:
        authgate.ClientCert.from_der(b"")
    assert e.value.code == tls["error"]["code"]


def test_cert_user_map_vocabulary() -> None:
    tls: Dict[str, Any] = VOCABULARY["tls"]
    vocab = tls["cert_user_map"]
    cert = authgate.ClientCert.from_pem((FIXTURES / "certs" / "multi_ou.pem").read_bytes())
    assert vocab["constructors"] == ["new"]
    assert list(inspect.signature(authgate.CertUserMap).parameters) == vocab["parameters"]
    for mode in vocab["modes"]:
        assert authgate.CertUserMap(mode).mode == mode
    m = authgate.CertUserMap("CN")
    calls: Dict[str, Callable[[], Any]] = {
        "set_user": lambda: m.set_user("ops", cert.subject),
        "subject_line": lambda: m.subject_line("ops"),
        "map": lambda: m.map(cert),
        "remove_user": lambda: m.remove_user("ops"),
    }
    assert sorted(calls) == sorted(vocab["methods"])
    for name in vocab["methods"]:
        assert callable(getattr(m, name)), name
        calls[name]()
    for name in vocab["settings"] + vocab["properties"]:
        assert isinstance(inspect.getattr_static(authgate.CertUserMap, name), type(authgate.ClientCert.subject)), name
    for name in vocab["settings"]:
        setattr(m, name, getattr(m, name))
    login = m.map(cert)
    for name in tls["cert_login"]["properties"]:
        assert isinstance(inspect.getattr_static(authgate.CertLogin, name), type(authgate.ClientCert.subject)), name
    assert login.user == "alice" and login.outcome in tls["cert_login"]["outcomes"]
    seen = set()
    acl = authgate.Acl()
    acl.setuser("ops", "on")
    for mode, user in (("CN", "ops"), ("CN", None), ("off", None)):
        mm = authgate.CertUserMap(mode)
        if user:
            mm.set_user(user, cert.subject)
        seen.add(mm.map(cert, acl).outcome)
    seen.add(authgate.CertUserMap("CN").map(cert).outcome)
    assert sorted(seen) == sorted(tls["cert_login"]["outcomes"])
