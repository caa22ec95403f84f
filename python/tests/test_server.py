"""End to end: a Server started from Python, users defined from Python, redis-py as client."""

from __future__ import annotations

import errno
import select
import socket
import time
from pathlib import Path
from typing import Any

import pytest
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

import authgate


def client(server: authgate.Server, **kw: Any) -> "redis.Redis[bytes]":
    """A redis-py client that does not retry (recent redis-py retries connection errors,
    AuthenticationError included, with a backoff of seconds)."""
    return redis.Redis(host="127.0.0.1", port=server.port, socket_timeout=5, retry=Retry(NoBackoff(), 0), **kw)


def test_start_stop_and_properties(acl: authgate.Acl) -> None:
    s = authgate.Server(acl)
    assert not s.running
    assert s.port == 0  # before the first start: the configured port, 0 = a free one
    assert repr(s) == "<authgate.Server 127.0.0.1:0 stopped>"
    assert s.start() is s
    assert s.running and s.port > 0 and s.host == "127.0.0.1" and s.acl is acl
    assert repr(s) == f"<authgate.Server 127.0.0.1:{s.port} running>"
    with pytest.raises(authgate.InvalidArgument) as e:
        s.start()
    assert (str(e.value), e.value.code) == ("the server is already running", "INVALID_ARGUMENT")
    assert s.running and client(s).ping()
    port = s.port
    s.stop()
    s.stop()  # idempotent
    assert not s.running and s.port == port
    assert repr(s) == f"<authgate.Server 127.0.0.1:{port} stopped>"
    with pytest.raises(redis.exceptions.ConnectionError):
        client(s).ping()
    # a stopped server can start again
    with s:
        assert s.running and client(s).ping()
    assert not s.running


def test_restart(acl: authgate.Acl) -> None:
    s = authgate.Server(acl)
    assert s.restart() is s and s.running  # restart of a stopped server starts it
    first = s.port
    r = client(s)
    assert r.ping()
    assert s.restart() is s and s.running
    assert client(s).ping()
    with pytest.raises(redis.exceptions.ConnectionError):
        r.ping()  # the old connection was closed by the stop
    s.stop()
    assert not s.running and first > 0


def test_default_user_and_keyspace(server: authgate.Server) -> None:
    r = client(server)
    assert r.ping()
    assert r.set("k", "v") and r.get("k") == b"v"
    assert r.incr("n") == 1


def test_login_with_username_and_password(server: authgate.Server) -> None:
    r = client(server, username="alice", password="secret")
    assert r.set("cache:1", "v") and r.get("cache:1") == b"v"


def test_wrongpass_surfaces_as_authentication_error(server: authgate.Server) -> None:
    with pytest.raises(redis.exceptions.AuthenticationError, match="^invalid username-password pair or user is disabled.$"):
        client(server, username="alice", password="nope").ping()
    entries = server.acl.log()
    assert entries[0].reason == "auth" and entries[0].username == "alice"


def test_noperm_surfaces_as_no_permission_error(server: authgate.Server, acl: authgate.Acl) -> None:
    r = client(server, username="alice", password="secret")
    with pytest.raises(redis.exceptions.NoPermissionError) as e:
        r.delete("cache:1")
    assert str(e.value) == "this user has no permissions to run the 'del' command"
    with pytest.raises(redis.exceptions.NoPermissionError, match="keys used as arguments"):
        r.get("other")
    # the denials are in the ACL LOG that Python reads
    log = acl.log()
    assert [(e.reason, e.object, e.username) for e in log[:2]] == [("key", "other", "alice"), ("command", "del", "alice")]
    assert "id=" in log[0].client_info


def test_setuser_from_python_applies_to_live_connection(server: authgate.Server, acl: authgate.Acl) -> None:
    r = client(server, username="alice", password="secret")
    assert r.set("cache:1", "v")
    acl.setuser("alice", "-set")
    with pytest.raises(redis.exceptions.NoPermissionError):
        r.set("cache:1", "w")
    assert r.get("cache:1") == b"v"  # the same connection, still authenticated
    acl.setuser("alice", "+set", "~other")
    assert r.set("other", "x")


def wait_closed(sock: socket.socket, timeout: float = 5.0) -> bool:
    """Waits for the server to close `sock`'s connection (EOF or reset), at most `timeout`
    seconds: True if it did. The close is the event waited on; data before it is dropped."""
    deadline = time.monotonic() + timeout
    while (left := deadline - time.monotonic()) > 0:
        if not select.select([sock], [], [], left)[0]:
            return False
        try:
            if not sock.recv(4096):
                return True
        except OSError:
            return True
    return False


def test_deluser_from_python_disconnects(server: authgate.Server, acl: authgate.Acl) -> None:
    r = client(server, username="alice", password="secret")
    assert r.get("cache:1") is None
    conn = r.connection_pool.get_connection()  # the connection that authenticated as alice
    acl.deluser("alice")
    # the server closes it asynchronously: wait for that, not for a while
    assert wait_closed(conn._sock), "the deleted user's connection stayed open"
    r.connection_pool.release(conn)
    with pytest.raises((redis.exceptions.ConnectionError, redis.exceptions.AuthenticationError)):
        r.get("cache:1")  # a new connection cannot authenticate as alice any more


def test_acl_setuser_from_client_visible_in_python(server: authgate.Server, acl: authgate.Acl) -> None:
    r = client(server)
    assert r.acl_setuser("carol", enabled=True, passwords=["+pw"], commands=["+ping"])
    assert "carol" in acl.users()
    assert acl.authenticate("carol", "pw")
    assert acl.dryrun("carol", "GET", "k") == "This user has no permissions to run the 'get' command"


def test_requirepass_and_aclfile_options(tmp_path: Path) -> None:
    path = tmp_path / "users.acl"
    path.write_text("user dave on >pw ~* +@all\nuser default on nopass ~* &* +@all\n")
    acl = authgate.Acl()
    with authgate.Server(acl, aclfile=path) as s:
        assert acl.users() == ["dave", "default"]
        r = client(s, username="dave", password="pw")
        r.acl_setuser("erin", enabled=True, nopass=True)
        r.acl_save()
    assert "user erin on nopass" in path.read_text()

    acl2 = authgate.Acl()
    with authgate.Server(acl2, requirepass="topsecret") as s:
        with pytest.raises(redis.exceptions.AuthenticationError):
            client(s).set("k", "v")
        assert client(s, password="topsecret").ping()


def test_bad_aclfile_is_a_config_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.acl"
    bad.write_text("user x on +nosuch\n")
    s = authgate.Server(authgate.Acl(), aclfile=bad)
    with pytest.raises(authgate.ConfigError) as e:
        s.start()
    assert e.value.code == "CONFIG"
    assert str(e.value).startswith("Aborting Redis startup because of ACL errors:")
    assert not s.running


def test_port_in_use_is_os_error(acl: authgate.Acl) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(1)
        port = sock.getsockname()[1]
        with pytest.raises(authgate.IoError) as e:
            authgate.Server(acl, port=port).start()
    assert isinstance(e.value, OSError) and e.value.errno == errno.EADDRINUSE
    assert e.value.code == "IO" and str(e.value).startswith("Address already in use")


def test_bad_host_is_an_error(acl: authgate.Acl) -> None:
    with pytest.raises(authgate.AuthgateError):
        authgate.Server(acl, host="not-an-address").start()
    with pytest.raises(authgate.InvalidArgument):
        authgate.Server(acl, host=" ")
    with pytest.raises(authgate.InvalidArgument):
        authgate.Server(acl, host=b"\xff")
    s = authgate.Server(acl, host=b"127.0.0.1")
    with s:
        assert s.host == "127.0.0.1" and client(s).ping()


def test_pubsub_permissions(server: authgate.Server, acl: authgate.Acl) -> None:
    acl.setuser("sub", "on", ">pw", "+subscribe", "+publish", "&news")
    r = client(server, username="sub", password="pw")
    assert r.publish("news", "hi") == 0
    with pytest.raises(redis.exceptions.NoPermissionError, match="channels used as arguments"):
        r.publish("sports", "hi")


def test_dropped_server_object_stops(acl: authgate.Acl) -> None:
    s = authgate.Server(acl).start()
    port = s.port
    del s
    import gc

    gc.collect()
    with pytest.raises(redis.exceptions.ConnectionError):
        redis.Redis(port=port, socket_timeout=2, retry=Retry(NoBackoff(), 0)).ping()


def test_from_config_file(tmp_path: Path) -> None:
    conf = tmp_path / "redis.conf"
    conf.write_text(
        "# a redis.conf\n"
        "port 0\n"
        "bind 127.0.0.1\n"
        "daemonize no\n"
        "acllog-max-len 7\n"
        "user default on >adminpw ~* &* +@all\n"
        "user frank on >pw ~f:* +get +set\n"
    )
    acl = authgate.Acl()
    s = authgate.Server.from_config(acl, conf)
    assert (s.host, s.running, s.port) == ("127.0.0.1", False, 0)
    with s:
        assert s.port > 0
        assert acl.users() == ["default", "frank"] and acl.log_max_len == 7
        r = client(s, username="frank", password="pw")
        assert r.set("f:1", "x")
        with pytest.raises(redis.exceptions.NoPermissionError):
            r.get("g:1")
        with pytest.raises(redis.exceptions.AuthenticationError):
            client(s).ping()
        assert client(s, password="adminpw").ping()


def test_from_config_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.conf"
    bad.write_text("port 0\nnosuchdirective yes\n")
    with pytest.raises(authgate.ConfigError) as e:
        authgate.Server.from_config(authgate.Acl(), bad)
    assert e.value.code == "CONFIG"
    assert str(e.value) == (
        "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line 2\n"
        ">>> 'nosuchdirective yes'\nBad directive or wrong number of arguments"
    )
    with pytest.raises(authgate.ConfigError, match="can't open config file"):
        authgate.Server.from_config(authgate.Acl(), tmp_path / "missing.conf")


def test_config_option_and_overrides(tmp_path: Path) -> None:
    conf = tmp_path / "redis.conf"
    conf.write_text("port 6399\nmaxclients 7\nrequirepass filepw\n")
    acl = authgate.Acl()
    # Redis' defaults for what the file leaves out, the file's values, then the arguments
    assert authgate.Server(acl, config=conf).port == 6399
    s = authgate.Server(acl, port=0, requirepass=b"argpw", config=str(conf))
    with s:
        assert s.port not in (0, 6399)
        assert client(s, password="argpw").config_get("maxclients") == {"maxclients": "7"}
        with pytest.raises(redis.exceptions.AuthenticationError):
            client(s, password="filepw").ping()
    with pytest.raises(authgate.ConfigError, match="can't open config file"):
        authgate.Server(acl, config=tmp_path / "missing.conf")


def test_denials_and_failed_logins_fill_the_log() -> None:
    acl = authgate.Acl(log_max_len=3)
    acl.setuser("alice", "on", ">secret", "~cache:*", "+get")
    with authgate.Server(acl) as s:
        r = client(s, username="alice", password="secret")
        for _ in range(2):
            with pytest.raises(redis.exceptions.NoPermissionError):
                r.get("other")
        with pytest.raises(redis.exceptions.AuthenticationError):
            client(s, username="alice", password="nope").ping()
        with pytest.raises(redis.exceptions.NoPermissionError):
            r.set("cache:1", "v")
    assert [(e.reason, e.count) for e in acl.log()] == [("command", 1), ("auth", 1), ("key", 2)]
    acl.log_max_len = 2  # as in Redis, the log is trimmed when the next new entry is added
    assert [e.reason for e in acl.log()] == ["command", "auth", "key"]
    acl.log_max_len = 3
    s.start()  # two more identical denials: merged into the key entry, as Redis does
    try:
        r = client(s, username="alice", password="secret")
        with pytest.raises(redis.exceptions.NoPermissionError):
            r.get("other")
        with pytest.raises(redis.exceptions.NoPermissionError):
            r.get("other")
    finally:
        s.stop()
    key, cmd, auth = acl.log(None)
    assert isinstance(cmd, authgate.LogEntry)
    assert (cmd.reason, cmd.object, cmd.username, cmd.count) == ("command", "set", "alice", 1)
    assert (auth.reason, auth.username, auth.count) == ("auth", "alice", 1)
    assert (key.reason, key.context, key.object, key.count) == ("key", "toplevel", "other", 4)
    assert isinstance(key.age_seconds, float) and 0 <= key.age_seconds < 60
    assert "id=" in key.client_info
    assert len(acl.log(1)) == 1
    acl.log_max_len = 1
    assert [e.object for e in acl.log()] == ["other", "set", "HELLO"]  # redis-py logs in with HELLO
    acl.log_reset()
    assert acl.log() == []
