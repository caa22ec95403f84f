"""authgate.CredentialStore against Milvus 2.3.5: every step of tests/fixtures/milvus_cases.json
(recorded from the real server) replayed in memory and in a file, Milvus' numeric code and text
byte for byte; the error contract; bad input; threads; milvus_authorization."""

from __future__ import annotations

import base64
import json
import os
import stat
import threading
from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest

import authgate
from conftest import FIXTURES

CASES: Dict[str, Any] = json.loads((FIXTURES / "milvus_cases.json").read_text(encoding="utf-8"))


def outcome(store: authgate.CredentialStore, step: Dict[str, Any], caller: Optional[str]) -> Dict[str, Any]:
    op = step["op"]
    try:
        if op == "create":
            store.create_user(step["user"], step["password"])
        elif op == "update":
            store.update_password(step["user"], step["old"], step["new"], caller=caller)
        elif op == "delete":
            store.delete_user(step["user"])
        elif op == "list":
            return {"ok": True, "result": store.list_users()}
        elif op == "login":
            return {"ok": True, "result": store.verify(step["user"], step["password"])}
        return {"ok": True}
    except authgate.CredentialError as e:
        assert e.code == "CREDENTIAL"
        return {"ok": False, "code": e.milvus_code, "message": str(e)}


def replay(make_store: Any) -> int:
    steps = 0
    for scenario in CASES["scenarios"]:
        store = make_store(scenario["options"].get("super_users", []))
        for i, step in enumerate(scenario["steps"]):
            want = {k: v for k, v in step["expect"].items() if k != "refusal"}
            assert outcome(store, step, scenario.get("caller", "root")) == want, (scenario["name"], i, step)
            steps += 1
    return steps


def test_memory_store_matches_milvus() -> None:
    steps = replay(lambda su: authgate.CredentialStore(bcrypt_cost=4, super_users=su))
    assert steps >= 250


def test_file_store_matches_milvus(tmp_path: Path) -> None:
    counter = iter(range(100))
    replay(lambda su: authgate.CredentialStore(path=tmp_path / f"u{next(counter)}.json", bcrypt_cost=4, super_users=su))
    for f in tmp_path.glob("u*.json"):
        assert stat.S_IMODE(os.stat(f).st_mode) == 0o600


def test_root_is_bootstrapped_once(tmp_path: Path) -> None:
    path = tmp_path / "users.json"
    store = authgate.CredentialStore(path=path, bcrypt_cost=4)
    assert store.verify("root", "Milvus")
    store.update_password("root", "Milvus", "changed1")
    again = authgate.CredentialStore(path=path, bcrypt_cost=4, default_root_password="other1")
    assert again.verify("root", "changed1") and not again.verify("root", "Milvus")
    fresh = authgate.CredentialStore(bcrypt_cost=4, default_root_password="another")
    assert fresh.verify("root", "another")


def test_the_error_contract() -> None:
    store = authgate.CredentialStore(bcrypt_cost=4)
    with pytest.raises(authgate.CredentialError) as info:
        store.delete_user("root")
    e = info.value
    assert isinstance(e, authgate.AuthgateError)
    assert (e.code, e.milvus_code, str(e)) == ("CREDENTIAL", 1401, "root user cannot be deleted: privilege not permitted")


def test_options_are_milvus_settings() -> None:
    store = authgate.CredentialStore(bcrypt_cost=4, min_password_length=2, max_password_length=8, max_user_num=2)
    store.create_user("a1", "xy")
    with pytest.raises(authgate.CredentialError, match=r"^invalid password length: invalid parameter\[9 out of range 2 <= value <= 8\]$"):
        store.create_user("a2", "x" * 9)
    with pytest.raises(authgate.CredentialError, match="reached the limit"):
        store.create_user("a2", "xyz")
    for bad in [dict(bcrypt_cost=3), dict(bcrypt_cost=32), dict(min_password_length=9, max_password_length=8),
                dict(max_user_num=0)]:
        with pytest.raises(authgate.CredentialError) as info:
            authgate.CredentialStore(**bad)  # type: ignore[arg-type]
        assert info.value.milvus_code == 1100
    with pytest.raises(authgate.InvalidArgument):
        authgate.CredentialStore(max_user_num=-1)
    with pytest.raises(authgate.InvalidArgument):
        authgate.CredentialStore(verified_cache_ttl=float("nan"))
    with pytest.raises(authgate.InvalidArgument):
        authgate.CredentialStore(path="x.json", etcd="127.0.0.1:1")


def test_the_verified_cache_forgets_changed_passwords() -> None:
    store = authgate.CredentialStore(bcrypt_cost=4, verified_cache_ttl=60)
    store.create_user("alice", "secret1")
    assert store.verify("alice", "secret1") and store.verify("alice", "secret1")
    store.update_password("alice", "secret1", "secret2")
    assert not store.verify("alice", "secret1") and store.verify("alice", "secret2")
    store.delete_user("alice")
    assert not store.verify("alice", "secret2")


def test_bad_input_is_a_clear_error() -> None:
    store = authgate.CredentialStore(bcrypt_cost=4)
    with pytest.raises(TypeError):
        store.create_user(None, "secret1")  # type: ignore[arg-type]
    with pytest.raises(authgate.InvalidArgument):
        store.create_user(b"\xff\xfe", "secret1")
    with pytest.raises(authgate.CredentialError):
        store.create_user("a\x00b", "secret1")
    assert store.list_users() == ["root"]
    with pytest.raises(authgate.CredentialError) as info:
        authgate.CredentialStore(path="/nonexistent-dir/x/users.json", bcrypt_cost=4)
    assert info.value.milvus_code == 65535


def test_a_corrupt_file_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "users.json"
    path.write_text("{oops")
    with pytest.raises(authgate.CredentialError, match="cannot parse"):
        authgate.CredentialStore(path=path)
    assert path.read_text() == "{oops"


def test_threads_share_one_store() -> None:
    store = authgate.CredentialStore(bcrypt_cost=4)
    errors: List[BaseException] = []

    def work(t: int) -> None:
        try:
            for i in range(5):
                store.create_user(f"u{t}_{i}", "secret1")
                assert store.verify(f"u{t}_{i}", "secret1")
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(t,)) for t in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(store.list_users()) == 21


def test_milvus_authorization() -> None:
    header = base64.b64encode(b"alice:pa:ss").decode()
    assert authgate.milvus_authorization(header) == ("alice", "pa:ss")
    for bad in ["", "!!", base64.b64encode(b"nocolon").decode()]:
        with pytest.raises(authgate.CredentialError) as info:
            authgate.milvus_authorization(bad)
        assert str(info.value) == "auth check failure, please check username and password are correct"
        assert info.value.milvus_code == 1400


def test_vocabulary_parity() -> None:
    vocabulary = json.loads((FIXTURES / "vocabulary.json").read_text())["credentials"]
    for name in vocabulary["methods"]:
        assert getattr(authgate.CredentialStore, name).__doc__, name
    for name in vocabulary["functions"]:
        assert getattr(authgate, name).__doc__, name
    import inspect

    params = set(inspect.signature(authgate.CredentialStore).parameters)
    assert set(vocabulary["options"]) | set(vocabulary["etcd_options"]) | {"path", "etcd"} == params
    # Defaults are core's: a default store behaves as they say.
    d = vocabulary["defaults"]
    store = authgate.CredentialStore(bcrypt_cost=4)
    assert store.verify("root", d["default_root_password"])
    with pytest.raises(authgate.CredentialError, match=rf"out of range {d['min_password_length']} <= value <= {d['max_password_length']}\]"):
        store.create_user("alice", "x")
    assert vocabulary["error"]["code"] == "CREDENTIAL"


def test_etcd_options_reach_core() -> None:
    # Core checks them for every language: etcd-only options elsewhere, half of a pair.
    with pytest.raises(authgate.CredentialError) as info:
        authgate.CredentialStore(root_path="x", bcrypt_cost=4)
    assert (info.value.milvus_code, str(info.value)) == (1100, "root_path applies to an etcd store only: invalid parameter")
    with pytest.raises(authgate.CredentialError, match="^etcd_cert and etcd_key go together: invalid parameter$"):
        authgate.CredentialStore(etcd="127.0.0.1:1", etcd_cert="/nonexistent/cert.pem")
    with pytest.raises(authgate.CredentialError, match="^etcd_user and etcd_password go together: invalid parameter$"):
        authgate.CredentialStore(etcd="127.0.0.1:1", etcd_user="u")
    with pytest.raises(authgate.CredentialError, match="^credential storage failed: cannot read etcd_ca /nonexistent/ca.pem: "):
        authgate.CredentialStore(etcd="127.0.0.1:1", etcd_ca="/nonexistent/ca.pem")
