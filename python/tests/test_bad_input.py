"""Wrong types and bad values."""

from __future__ import annotations

from typing import Any

import pytest

import authgate


@pytest.mark.parametrize("bad", [None, 1.5, object(), ["GET"], {"a": 1}, memoryview(b"x")])
def test_wrong_argument_types_raise_type_error(acl: authgate.Acl, bad: Any) -> None:
    with pytest.raises(TypeError, match="must be str, bytes, bytearray or int"):
        acl.check("alice", "GET", bad)
    with pytest.raises(TypeError):
        acl.check(bad, "GET", "k")
    with pytest.raises(TypeError):
        acl.setuser("alice", bad)
    with pytest.raises(TypeError):
        acl.authenticate("alice", bad)
    with pytest.raises(TypeError):
        acl.deluser(bad)


def test_failed_type_conversion_changes_nothing(acl: authgate.Acl) -> None:
    before = acl.list()
    with pytest.raises(TypeError):
        acl.setuser("alice", "+del", None)  # type: ignore[arg-type]
    assert acl.list() == before


def test_bad_paths(acl: authgate.Acl) -> None:
    with pytest.raises(TypeError, match="path must be str, bytes or os.PathLike"):
        acl.load(42)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        authgate.Acl.from_file(None)  # type: ignore[arg-type]


def test_missing_and_extra_arguments(acl: authgate.Acl) -> None:
    with pytest.raises(TypeError):
        acl.check()  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        acl.authenticate("alice")  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        acl.getuser("a", "b")  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        acl.log(count="3")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        authgate.genpass("12")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        authgate.Server(authgate.Acl(), maxclients="3")  # type: ignore[arg-type]


def test_huge_and_empty_values(acl: authgate.Acl) -> None:
    big = "k" * 1_000_000
    with pytest.raises(authgate.PermissionDenied):
        acl.check("alice", "GET", big)
    acl.check("alice", "GET", "cache:" + big)
    with pytest.raises(authgate.AclError):
        acl.check("alice", "")
    acl.setuser("alice", ">")  # an empty password is a valid rule
    assert acl.authenticate("alice", "")
    with pytest.raises(OverflowError):  # beyond any int the core takes: Python's own error
        acl.log(2**70)


def test_bad_server_arguments(acl: authgate.Acl) -> None:
    for port in (70000, -1):
        with pytest.raises(authgate.InvalidArgument) as e:
            authgate.Server(acl, port=port)
        assert e.value.code == "INVALID_ARGUMENT" and isinstance(e.value, ValueError)
        assert str(e.value) == f"port must be between 0 and 65535, not {port}"
    with pytest.raises(authgate.InvalidArgument) as e:
        authgate.Server(acl, maxclients=0)
    assert str(e.value) == "maxclients must be at least 1"  # core's text
    with pytest.raises(authgate.InvalidArgument):
        authgate.Server(acl, maxclients=-5)
    with pytest.raises(TypeError):
        authgate.Server("not an acl")  # type: ignore[arg-type]
