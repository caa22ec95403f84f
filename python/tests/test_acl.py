"""The Acl API: each method, its return types, and str/bytes handling."""

from __future__ import annotations

import dataclasses
import errno
import hashlib
import os
import pickle
from pathlib import Path

import pytest

import authgate


def test_new_engine_has_only_default() -> None:
    acl = authgate.Acl()
    assert acl.users() == ["default"]
    assert acl.list() == ["user default on nopass ~* &* +@all"]
    assert acl.authenticate("default", "anything")
    assert repr(acl) == "<authgate.Acl users=1>"


def test_setuser_authenticate_check(acl: authgate.Acl) -> None:
    assert acl.authenticate("alice", "secret") is True
    assert acl.authenticate("alice", "wrong") is False
    assert acl.authenticate("nobody", "secret") is False
    assert acl.check("alice", "GET", "cache:1") is None
    assert acl.check("alice", "set", "cache:1", "v") is None


def test_check_denials_carry_reason_and_object(acl: authgate.Acl) -> None:
    with pytest.raises(authgate.PermissionDenied) as e:
        acl.check("alice", "DEL", "cache:1")
    assert str(e.value) == "NOPERM this user has no permissions to run the 'del' command"
    assert (e.value.code, e.value.reason, e.value.object, e.value.command) == ("NOPERM", "command", "del", "del")
    assert e.value.message == str(e.value)
    assert e.value.args == ("NOPERM this user has no permissions to run the 'del' command",)
    assert vars(e.value) == {"reason": "command", "object": "del", "command": "del"}

    with pytest.raises(authgate.PermissionDenied) as e:
        acl.check("alice", "GET", "other")
    assert str(e.value) == "NOPERM this user has no permissions to access one of the keys used as arguments"
    assert (e.value.reason, e.value.object, e.value.command) == ("key", "other", "get")

    acl.setuser("pub", "on", "nopass", "+publish", "&news")
    with pytest.raises(authgate.PermissionDenied) as e:
        acl.check("pub", "PUBLISH", "sports", "hi")
    assert str(e.value) == "NOPERM this user has no permissions to access one of the channels used as arguments"
    assert (e.value.reason, e.value.object) == ("channel", "sports")

    with pytest.raises(authgate.PermissionDenied) as e:
        acl.check("alice", "CLIENT", "KILL", "x")
    assert e.value.object == "client|kill"


def test_permission_denied_is_an_acl_error(acl: authgate.Acl) -> None:
    with pytest.raises(authgate.AclError):
        acl.check("alice", "DEL", "k")
    with pytest.raises(authgate.AuthgateError):
        acl.check("alice", "DEL", "k")
    assert issubclass(authgate.AuthgateError, Exception)


def test_check_errors(acl: authgate.Acl) -> None:
    with pytest.raises(authgate.AclError) as e:
        acl.check("nobody", "GET", "k")
    # the code says what happened; the message stays Redis' reply
    assert str(e.value) == "ERR User 'nobody' not found" and e.value.code == "NOT_FOUND"
    assert not isinstance(e.value, authgate.PermissionDenied)
    with pytest.raises(authgate.AclError) as e:
        acl.check("alice", "NOSUCH", "a")
    assert str(e.value) == "ERR unknown command 'NOSUCH', with args beginning with: 'a' "
    assert e.value.code == "ERR"
    with pytest.raises(authgate.AclError) as e:
        acl.check("alice", "GET")
    assert str(e.value) == "ERR wrong number of arguments for 'get' command"
    with pytest.raises(authgate.AclError):
        acl.check("alice")


def test_dryrun(acl: authgate.Acl) -> None:
    assert acl.dryrun("alice", "GET", "cache:1") == "OK"
    assert acl.dryrun("alice", "GET", "x") == "This user has no permissions to access the 'x' key"
    assert acl.dryrun("alice", "DEL", "x") == "This user has no permissions to run the 'del' command"
    acl.setuser("pub", "on", "nopass", "+publish", "&news")
    assert acl.dryrun("pub", "PUBLISH", "sports", "x") == "This user has no permissions to access the 'sports' channel"
    with pytest.raises(authgate.AclError, match="^ERR User 'bob' not found$") as e:
        acl.dryrun("bob", "GET", "x")
    assert e.value.code == "NOT_FOUND"
    with pytest.raises(authgate.AclError, match="^ERR Command 'nosuch' not found$") as e:
        acl.dryrun("alice", "nosuch")
    assert e.value.code == "ERR"


def test_setuser_is_all_or_nothing(acl: authgate.Acl) -> None:
    before = acl.getuser("alice")
    with pytest.raises(authgate.AclError) as e:
        acl.setuser("alice", "+del", "badrule")
    assert str(e.value) == "ERR Error in ACL SETUSER modifier 'badrule': Syntax error"
    assert acl.getuser("alice") == before
    with pytest.raises(authgate.AclError, match="Usernames can't contain spaces"):
        acl.setuser("a b", "on")


def test_getuser(acl: authgate.Acl) -> None:
    info = acl.getuser("alice")
    assert info == authgate.UserInfo(
        flags=["on"],
        passwords=[hashlib.sha256(b"secret").hexdigest()],
        commands="-@all +get +set",
        keys="~cache:*",
        channels="",
        selectors=[],
    )
    assert info is not None and info.keys == "~cache:*" and info.flags == ["on"]
    assert dataclasses.asdict(info)["commands"] == "-@all +get +set"
    with pytest.raises(dataclasses.FrozenInstanceError):
        info.keys = "~*"  # type: ignore[misc]
    assert acl.getuser("nobody") is None
    acl.setuser("sel", "+get", "~a", "(+set ~b &c)")
    sel = acl.getuser("sel")
    assert sel is not None
    assert sel.selectors == [authgate.SelectorInfo(commands="-@all +set", keys="~b", channels="&c")]
    assert sel.selectors[0].channels == "&c"


def test_deluser(acl: authgate.Acl) -> None:
    acl.setuser("bob")
    assert acl.deluser("alice", "bob", "nobody") == 2
    assert acl.deluser() == 0
    assert acl.users() == ["default"]
    with pytest.raises(authgate.AclError, match="^ERR The 'default' user cannot be removed$"):
        acl.deluser("default")


def test_users_and_list(acl: authgate.Acl) -> None:
    acl.setuser("bob", "off")
    assert acl.users() == ["alice", "bob", "default"]
    assert acl.list()[1] == "user bob off resetchannels -@all"


def test_cat() -> None:
    acl = authgate.Acl()
    cats = acl.cat()
    assert "read" in cats and "dangerous" in cats and len(cats) == 21
    assert "get" in acl.cat("read")
    assert acl.cat(b"keyspace") == acl.cat("keyspace")
    with pytest.raises(authgate.AclError, match="^ERR Unknown category 'nosuch'$"):
        acl.cat("nosuch")


def test_genpass() -> None:
    p = authgate.genpass()
    assert len(p) == 64 and all(c in "0123456789abcdef" for c in p)
    assert p != authgate.genpass()
    assert len(authgate.genpass(None)) == 64
    assert len(authgate.genpass(5)) == 2
    assert len(authgate.genpass(bits=4096)) == 1024
    assert len(authgate.Acl.genpass()) == 64 and len(authgate.Acl().genpass(8)) == 2
    for bad in (0, -1, 4097, 2**40):
        with pytest.raises(authgate.AclError) as e:
            authgate.genpass(bad)
        assert str(e.value) == (
            "ERR ACL GENPASS argument must be the number of bits for the output password, "
            "a positive number up to 4096"
        )
        assert e.value.code == "ERR"


def test_log_without_events() -> None:
    # Entries come from a server's denials and failed logins (test_server.py covers them).
    acl = authgate.Acl()
    assert acl.log() == [] and acl.log(None) == [] and acl.log(0) == []
    acl.log_reset()
    with pytest.raises(authgate.InvalidArgument) as e:
        acl.log(-1)
    assert e.value.code == "INVALID_ARGUMENT" and isinstance(e.value, ValueError)


def test_options() -> None:
    acl = authgate.Acl(pubsub_default="allchannels", log_max_len=5)
    assert acl.pubsub_default == "allchannels" and acl.log_max_len == 5
    assert acl.options() == authgate.AclOptions(pubsub_default="allchannels", log_max_len=5)
    acl.setuser("u")
    assert acl.getuser("u").channels == "&*"  # type: ignore[union-attr]
    acl.pubsub_default = "resetchannels"
    acl.log_max_len = 7
    assert acl.pubsub_default == "resetchannels" and acl.log_max_len == 7
    acl.setuser("v")
    assert acl.getuser("v").channels == ""  # type: ignore[union-attr]
    # parsed by core: ASCII case ignored (as redis.conf), str or bytes
    acl.pubsub_default = b"AllChannels"
    assert acl.pubsub_default == "allchannels"
    assert authgate.Acl(pubsub_default="RESETCHANNELS").pubsub_default == "resetchannels"
    for bad in ("sometimes", b"all", ""):
        with pytest.raises(authgate.InvalidArgument) as e:
            authgate.Acl(pubsub_default=bad)
        assert str(e.value) == "argument(s) must be one of the following: allchannels, resetchannels"
        with pytest.raises(ValueError):
            acl.pubsub_default = bad
    assert acl.pubsub_default == "allchannels"
    with pytest.raises(authgate.InvalidArgument, match="log_max_len"):
        authgate.Acl(log_max_len=-1)
    with pytest.raises(authgate.InvalidArgument):
        acl.log_max_len = -1
    with pytest.raises(TypeError):
        authgate.Acl("allchannels")  # type: ignore[misc]
    with pytest.raises(TypeError):
        acl.pubsub_default = None  # type: ignore[assignment]


def test_options_object() -> None:
    default = authgate.AclOptions()
    assert default == authgate.Acl().options() == authgate.AclOptions(pubsub_default=None, log_max_len=None)
    assert repr(default) == "AclOptions(pubsub_default='resetchannels', log_max_len=128)"
    opts = authgate.AclOptions(pubsub_default=b"ALLCHANNELS", log_max_len=3)
    assert (opts.pubsub_default, opts.log_max_len) == ("allchannels", 3)
    assert opts != default
    with pytest.raises(AttributeError):
        opts.log_max_len = 4  # type: ignore[misc]
    acl = authgate.Acl()
    acl.set_options(opts)
    assert acl.options() == opts and acl.pubsub_default == "allchannels" and acl.log_max_len == 3
    with pytest.raises(TypeError):
        acl.set_options({"log_max_len": 3})  # type: ignore[arg-type]
    with pytest.raises(authgate.InvalidArgument):
        authgate.AclOptions(pubsub_default="x")


def test_requirepass() -> None:
    acl = authgate.Acl()
    acl.set_requirepass("pw")
    assert not acl.authenticate("default", "x") and acl.authenticate("default", "pw")
    acl.set_requirepass("")
    assert acl.authenticate("default", "x")


def test_save_load_from_file(acl: authgate.Acl, tmp_path: Path) -> None:
    path = tmp_path / "users.acl"
    acl.setuser("bob", "on", ">pw", "+@read", "~*")
    acl.save(path)
    text = path.read_text()
    assert "user alice on #" in text and "user bob on #" in text
    other = authgate.Acl.from_file(path)
    assert other.list() == acl.list()
    assert other.options() == authgate.AclOptions()
    tuned = authgate.Acl.from_file(str(path), pubsub_default="allchannels", log_max_len=2)
    assert tuned.options() == authgate.AclOptions(pubsub_default="allchannels", log_max_len=2)
    assert tuned.users() == acl.users()
    # load replaces every user; str and bytes paths work too
    path2 = tmp_path / "two.acl"
    path2.write_text("user carol on nopass +ping\n")
    other.load(str(path2))
    assert other.users() == ["carol", "default"]
    other.load(os.fsencode(path))
    assert other.users() == ["alice", "bob", "default"]
    other.check_aclfile(path2)
    assert other.users() == ["alice", "bob", "default"]


def test_load_errors_are_config_errors(tmp_path: Path) -> None:
    acl = authgate.Acl()
    missing = tmp_path / "missing.acl"
    with pytest.raises(authgate.ConfigError) as e:
        acl.load(missing)
    assert str(e.value) == f"ERR Error loading ACLs, opening file '{missing}': No such file or directory"
    assert e.value.code == "CONFIG" and e.value.detail is None
    bad = tmp_path / "bad.acl"
    bad.write_text("user alice on +nosuch\n")
    with pytest.raises(authgate.ConfigError) as e:
        authgate.Acl.from_file(bad)
    assert str(e.value).startswith("ERR ") and "Unknown command or category name in ACL" in str(e.value)
    with pytest.raises(authgate.ConfigError):
        acl.check_aclfile(bad)
    with pytest.raises(authgate.ConfigError):
        authgate.Acl.from_file(missing, log_max_len=3)
    # a failed save is an OS error: Redis' fixed reply, the OS' reason in .detail
    with pytest.raises(authgate.IoError) as io:
        acl.save(tmp_path / "no" / "such" / "dir" / "x.acl")
    assert str(io.value) == (
        "ERR There was an error trying to save the ACLs. Please check the server logs for more information"
    )
    assert io.value.code == "IO" and isinstance(io.value, OSError)
    assert io.value.detail and "No such file" in io.value.detail


def test_binary_safe_names_keys_and_passwords() -> None:
    acl = authgate.Acl()
    name = b"bin\xff\x00user"[:4] + b"\xfe"
    acl.setuser(name, "on", b">\x00\xffpw", b"~k\xff*", "+get")
    assert acl.authenticate(name, b"\x00\xffpw")
    assert not acl.authenticate(name, b"\x00\xff")
    acl.check(name, "GET", b"k\xff\x01")
    with pytest.raises(authgate.PermissionDenied) as e:
        acl.check(name, "GET", b"z\xff")
    assert e.value.object.encode("utf-8", "surrogateescape") == b"z\xff"
    users = acl.users()
    returned = [u for u in users if u != "default"][0]
    assert returned.encode("utf-8", "surrogateescape") == name
    # the surrogateescape'd str goes back in as the original bytes
    acl.check(returned, "GET", "k\udcff")
    info = acl.getuser(returned)
    assert info is not None and info.keys.encode("utf-8", "surrogateescape") == b"~k\xff*"


def test_bytearray_and_int_arguments(acl: authgate.Acl) -> None:
    acl.setuser(bytearray(b"num"), "on", "nopass", "+expire", "~*")
    acl.check("num", "EXPIRE", "k", 10)
    assert acl.dryrun(bytearray(b"num"), b"EXPIRE", bytearray(b"k"), 10) == "OK"
    with pytest.raises(authgate.AclError, match="wrong number of arguments"):
        acl.check("num", "EXPIRE", "k")


def test_unicode_names() -> None:
    acl = authgate.Acl()
    acl.setuser("jürgen", "on", ">pässword", "~clé:*", "+get")
    assert acl.users() == ["default", "jürgen"]
    assert acl.authenticate("jürgen".encode(), "pässword")
    acl.check("jürgen", "GET", "clé:1")


def test_exceptions_pickle() -> None:
    acl = authgate.Acl()
    acl.setuser("u", "on", "nopass")
    with pytest.raises(authgate.PermissionDenied) as e:
        acl.check("u", "GET", "k")
    copy = pickle.loads(pickle.dumps(e.value))
    assert type(copy) is authgate.PermissionDenied
    assert (str(copy), copy.code, copy.reason, copy.object, copy.command) == (str(e.value), "NOPERM", "command", "get", "get")
    with pytest.raises(authgate.AclError) as nf:
        acl.check("nobody", "GET", "k")
    copy2 = pickle.loads(pickle.dumps(nf.value))
    assert (type(copy2), str(copy2), copy2.code) == (authgate.AclError, "ERR User 'nobody' not found", "NOT_FOUND")
    err = pickle.loads(pickle.dumps(authgate.IoError("ERR x", detail="disk full", errno=errno.ENOSPC)))
    assert (str(err), err.code, err.detail, err.errno) == ("ERR x", "IO", "disk full", errno.ENOSPC)
    cred = pickle.loads(pickle.dumps(authgate.CredentialError("user exists", milvus_code=65535)))
    assert (cred.code, cred.milvus_code) == ("CREDENTIAL", 65535)
    auth = pickle.loads(pickle.dumps(authgate.AuthError("NOAUTH Authentication required.", "NOAUTH")))
    assert (auth.code, str(auth)) == ("NOAUTH", "NOAUTH Authentication required.")


def test_docstrings_everywhere() -> None:
    public = [getattr(authgate, n) for n in authgate.__all__ if n != "__version__"]
    for obj in public:
        assert obj.__doc__, obj
    for cls in (authgate.Acl, authgate.AclOptions, authgate.Server, authgate.NatsAuth, authgate.NatsIdentity):
        for name, member in vars(cls).items():
            if not name.startswith("_"):
                assert member.__doc__, f"{cls.__name__}.{name}"
    assert authgate.__version__ == "0.1.0"


def test_str_and_bytes_subclasses_and_non_bmp() -> None:
    class S(str):
        pass

    class B(bytes):
        pass

    acl = authgate.Acl()
    acl.setuser(S("émoji😀"), "on", B(b">pw"), S("~k😀*"), "+get")
    for _ in range(3):  # CPython caches the UTF-8 form of a non-ASCII str; reuse must agree
        assert acl.authenticate("émoji😀", "pw")
        acl.check(B("émoji😀".encode()), "GET", S("k😀1"))
    with pytest.raises(authgate.PermissionDenied) as e:
        acl.check("émoji😀", "GET", "x😀")
    assert e.value.object == "x😀"
