"""The error contract: every core error code raises its class with the code, Redis' text and
the structured fields, and a Rust panic raises InternalError (code PANIC), an ordinary
Exception."""

from __future__ import annotations

import errno
import json
from pathlib import Path
from typing import Dict, Type

import pytest

import authgate
from authgate import _authgate
from conftest import FIXTURES

# Which class each code raises: the Python side of the one mapper in errors.rs.
CLASSES: Dict[str, Type[authgate.AuthgateError]] = {
    "NOPERM": authgate.PermissionDenied,
    "WRONGPASS": authgate.AuthError,
    "NOAUTH": authgate.AuthError,
    "AUTH": authgate.AuthError,
    "ERR": authgate.AclError,
    "NOT_FOUND": authgate.AclError,
    "IO": authgate.IoError,
    "INVALID_ARGUMENT": authgate.InvalidArgument,
    "PANIC": authgate.InternalError,
    "CONFIG": authgate.ConfigError,
    "CERTIFICATE": authgate.CertificateError,
    "CREDENTIAL": authgate.CredentialError,
}


def test_core_codes_are_the_shared_vocabulary() -> None:
    vocabulary = json.loads((FIXTURES / "vocabulary.json").read_text())
    assert _authgate._error_codes() == vocabulary["error_codes"]
    assert set(CLASSES) == set(vocabulary["error_codes"])


@pytest.mark.parametrize("code", _authgate._error_codes())
def test_each_code_raises_its_class(code: str) -> None:
    text = f"{code} something went wrong"
    with pytest.raises(authgate.AuthgateError) as e:
        _authgate._debug_error(code, text)
    assert type(e.value) is CLASSES[code]
    assert (e.value.code, str(e.value), e.value.message, e.value.args) == (code, text, text, (text,))
    assert e.value.detail is None
    assert isinstance(e.value, Exception)


def test_structured_fields() -> None:
    with pytest.raises(authgate.IoError) as io:
        _authgate._debug_error("IO", "", errno=errno.EACCES)
    assert io.value.errno == errno.EACCES and isinstance(io.value, OSError)
    assert str(io.value) == "Permission denied (os error 13)"  # core's text, not "[Errno 13] ..."
    with pytest.raises(authgate.CredentialError) as cred:
        _authgate._debug_error("CREDENTIAL", "user already exists", milvus_code=65535)
    assert cred.value.milvus_code == 65535
    with pytest.raises(authgate.CredentialError) as plain:
        _authgate._debug_error("CREDENTIAL", "x")
    assert plain.value.milvus_code is None
    with pytest.raises(authgate.ConfigError) as conf:
        _authgate._debug_error("CONFIG", "bad", detail="line 3")
    assert conf.value.detail == "line 3"
    # a message that is not UTF-8 comes back with surrogateescape, like every other string
    with pytest.raises(authgate.AclError) as raw:
        _authgate._debug_error("ERR", b"ERR User '\xff' not found")
    assert str(raw.value).encode("utf-8", "surrogateescape") == b"ERR User '\xff' not found"


def test_built_in_bases() -> None:
    assert issubclass(authgate.InvalidArgument, ValueError)
    assert issubclass(authgate.IoError, OSError)
    assert issubclass(authgate.PermissionDenied, authgate.AclError)
    for cls in CLASSES.values():
        assert issubclass(cls, authgate.AuthgateError) and issubclass(cls, Exception)


def test_panic_is_an_internal_error() -> None:
    with pytest.raises(Exception) as e:  # an ordinary Exception, not pyo3's PanicException
        _authgate._debug_panic("boom")
    assert type(e.value) is authgate.InternalError
    assert (e.value.code, str(e.value)) == ("PANIC", "panic in authgate: boom")
    # the module still works afterwards
    acl = authgate.Acl()
    assert acl.users() == ["default"]
    acl.setuser("after", "on")
    assert acl.users() == ["after", "default"]


def test_real_errors_carry_their_codes(tmp_path: Path) -> None:
    acl = authgate.Acl()
    acl.setuser("u", "on", "nopass", "+get", "~k")
    cases = [
        (lambda: acl.check("u", "GET", "other"), "NOPERM"),
        (lambda: acl.check("nobody", "GET", "k"), "NOT_FOUND"),
        (lambda: acl.setuser("u", "bogus"), "ERR"),
        (lambda: acl.load(tmp_path / "missing.acl"), "CONFIG"),
        (lambda: acl.save(tmp_path / "no" / "dir" / "x.acl"), "IO"),
        (lambda: setattr(acl, "pubsub_default", "nope"), "INVALID_ARGUMENT"),
    ]
    for call, code in cases:
        with pytest.raises(authgate.AuthgateError) as e:
            call()
        assert (type(e.value), e.value.code) == (CLASSES[code], code)


def test_user_constructed_errors_have_class_defaults() -> None:
    assert authgate.AuthgateError("x").code == "ERR"
    assert authgate.ConfigError("x").code == "CONFIG"
    assert authgate.InternalError("x").code == "PANIC"
    assert authgate.IoError("x").errno is None
    assert authgate.AuthError("x", "NOAUTH").code == "NOAUTH"
    denied = authgate.PermissionDenied("NOPERM x", "key", "k", "get")
    assert (denied.code, denied.reason, denied.object, denied.command) == ("NOPERM", "key", "k", "get")
