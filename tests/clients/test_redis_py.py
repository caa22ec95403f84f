"""redis-py sessions against the server: username/password connections (RESP2 and RESP3), exception
mapping of NOPERM and WRONGPASS, live ACL changes, pipelining, pub/sub with channel permissions, and
redis-py's ACL helpers."""
import hashlib
import time

import pytest
from conftest import wait_closed
import redis
from redis.backoff import NoBackoff
from redis.exceptions import AuthenticationError, NoPermissionError, ResponseError
from redis.retry import Retry
from resp_client import RespConnection


def text(v):
    """redis-py returns some ACL replies as str under RESP2 and as bytes under RESP3."""
    return v.decode() if isinstance(v, bytes) else v


def client(port, username=None, password=None, protocol=2, **kw):
    # no retries: a failed AUTH must surface at once, not after redis-py's reconnect backoff
    return redis.Redis(host="127.0.0.1", port=port, username=username, password=password, protocol=protocol,
                       socket_timeout=10, retry=Retry(NoBackoff(), 0), **kw)


@pytest.fixture
def app_user(admin):
    admin.setuser("app", "on", ">apppw", "~app:*", "&news.*", "&alerts", "+@read", "+@write", "+@connection",
                  "+publish", "+subscribe", "+psubscribe", "+unsubscribe", "+punsubscribe", "-flushall",
                  "-flushdb", "+acl|whoami")
    return "app"


@pytest.mark.parametrize("protocol", [2, 3])
def test_username_password_set_get(port, app_user, protocol):
    r = client(port, "app", "apppw", protocol=protocol)
    assert r.set("app:1", "v") is True
    assert r.get("app:1") == b"v"
    assert r.incr("app:n") == 1
    assert r.mget("app:1", "app:n", "app:none") == [b"v", b"1", None]
    assert text(r.acl_whoami()) == "app"
    r.close()


@pytest.mark.parametrize("protocol", [2, 3])
def test_noperm_raises_no_permission_error(port, app_user, protocol):
    r = client(port, "app", "apppw", protocol=protocol)
    with pytest.raises(NoPermissionError, match="no permissions to access one of the keys"):
        r.get("other")
    with pytest.raises(NoPermissionError, match="no permissions to run the 'flushall' command"):
        r.flushall()
    with pytest.raises(NoPermissionError, match="no permissions to access one of the channels"):
        r.publish("sport", "x")
    # the connection is still usable after a denial
    assert r.get("app:1") is None
    r.close()


@pytest.mark.parametrize("protocol", [2, 3])
def test_wrong_password_raises_authentication_error(port, app_user, protocol):
    r = client(port, "app", "wrong", protocol=protocol)
    with pytest.raises(AuthenticationError):
        r.ping()
    r.close()


def test_unknown_and_disabled_users_raise_authentication_error(port, admin):
    admin.setuser("sleepy", "off", ">pw", "+@all")
    for user, pw in [("sleepy", "pw"), ("ghost", "pw")]:
        r = client(port, user, pw)
        with pytest.raises(AuthenticationError):
            r.ping()
        r.close()


def test_auth_command_on_open_connection(port, app_user):
    r = client(port)
    assert text(r.acl_whoami()) == "default"
    assert r.auth("apppw", username="app") is True
    assert text(r.acl_whoami()) == "app"
    r.close()
    # redis-py drops a connection whose AUTH failed; on a raw connection the user is unchanged (spec §1)
    c = RespConnection(port=port)
    assert c.call_tagged("AUTH", "app", "apppw") == ("+", b"OK")
    assert c.call_tagged("AUTH", "app", "bad")[0] == "-"
    assert c.call_tagged("ACL", "WHOAMI") == ("$", b"app")
    c.close()


def test_acl_setuser_from_another_connection_applies_live(port, admin, app_user):
    r = client(port, "app", "apppw")
    assert r.set("app:live", "1") is True
    admin_py = client(port)
    assert admin_py.acl_setuser("app", commands=["-set"]) is True
    with pytest.raises(NoPermissionError, match="'set' command"):
        r.set("app:live", "2")
    assert admin_py.acl_setuser("app", keys=["other*"]) is True
    assert r.get("other1") is None
    # `off` does not de-authenticate an open connection
    assert admin_py.acl_setuser("app", enabled=False) is True
    assert r.get("app:live") == b"1"
    with pytest.raises(AuthenticationError):
        client(port, "app", "apppw").ping()
    r.close()
    admin_py.close()


def test_deluser_disconnects_the_users_connections(port, admin, app_user):
    r = client(port, "app", "apppw")
    assert r.ping() is True
    conn = r.connection_pool.get_connection()  # the connection that authenticated as app
    admin_py = client(port)
    assert admin_py.acl_deluser("app") == 1
    assert wait_closed(conn._sock), "the server did not close the deleted user's connection"
    r.connection_pool.release(conn)
    # redis-py reconnects and can no longer authenticate
    with pytest.raises((AuthenticationError, redis.exceptions.ConnectionError)):
        r.ping()
    r.close()
    admin_py.close()


def test_pipelining_without_transaction(port, app_user):
    r = client(port, "app", "apppw")
    pipe = r.pipeline(transaction=False)
    pipe.set("app:p1", "a").get("app:p1").get("forbidden").incr("app:p2").echo("hi")
    res = pipe.execute(raise_on_error=False)
    assert res[0] is True and res[1] == b"a"
    assert isinstance(res[2], NoPermissionError)
    assert res[3] == 1 and res[4] == b"hi"
    pipe = r.pipeline(transaction=False)
    pipe.get("app:p1").get("forbidden")
    with pytest.raises(NoPermissionError):
        pipe.execute()
    r.close()


def test_large_pipeline(port, app_user):
    r = client(port, "app", "apppw")
    pipe = r.pipeline(transaction=False)
    for i in range(500):
        pipe.set(f"app:{i}", i)
    for i in range(500):
        pipe.get(f"app:{i}")
    res = pipe.execute()
    assert res[:500] == [True] * 500
    assert res[500:] == [str(i).encode() for i in range(500)]
    r.close()


def _next_message(ps, timeout=5.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        m = ps.get_message(ignore_subscribe_messages=True, timeout=0.2)
        if m is not None:
            return m
    return None


@pytest.mark.parametrize("protocol", [2, 3])
def test_pubsub_with_channel_permissions(port, admin, app_user, protocol):
    r = client(port, "app", "apppw", protocol=protocol)
    ps = r.pubsub()
    ps.subscribe("alerts")
    ps.psubscribe("news.*")
    # drain the two subscribe confirmations
    confirmations = [ps.get_message(timeout=2) for _ in range(2)]
    assert [c["type"] for c in confirmations] == ["subscribe", "psubscribe"]
    pub = client(port)
    assert pub.publish("alerts", "a1") == 1
    assert pub.publish("news.tech", "n1") == 1
    m1, m2 = _next_message(ps), _next_message(ps)
    assert (m1["type"], m1["channel"], m1["data"]) == ("message", b"alerts", b"a1")
    assert (m2["type"], m2["pattern"], m2["channel"], m2["data"]) == ("pmessage", b"news.*", b"news.tech", b"n1")
    ps.close()

    denied = r.pubsub()
    with pytest.raises(NoPermissionError):
        denied.subscribe("sport")
        denied.get_message(timeout=2)
    denied.close()
    denied = r.pubsub()
    with pytest.raises(NoPermissionError):
        # PSUBSCRIBE patterns must appear literally in the ACL (spec §8)
        denied.psubscribe("news.t*")
        denied.get_message(timeout=2)
    denied.close()
    r.close()
    pub.close()


def test_revoking_channels_disconnects_subscriber(port, admin, app_user):
    r = client(port, "app", "apppw")
    ps = r.pubsub()
    ps.psubscribe("news.*")
    assert ps.get_message(timeout=2)["type"] == "psubscribe"
    kept = r.pubsub()
    kept.subscribe("news.1")
    assert kept.get_message(timeout=2)["type"] == "subscribe"
    admin.setuser("app", "resetchannels", "&news.1")
    # its pattern news.* is no longer allowed: the server closes that subscriber's connection
    assert wait_closed(ps.connection._sock), "the subscriber was not disconnected"
    # the subscriber whose channel is still allowed stays, and is the only receiver now
    pub = client(port)
    assert pub.publish("news.1", "x") == 1
    m = _next_message(kept)
    assert (m["type"], m["channel"], m["data"]) == ("message", b"news.1", b"x")
    pub.close()
    kept.close()
    ps.close()
    r.close()


def test_acl_helpers(port, admin, app_user):
    r = client(port)
    assert sorted(r.acl_users()) == ["app", "default"]
    info = r.acl_getuser("app")
    assert info["enabled"] is True
    assert info["passwords"] == [hashlib.sha256(b"apppw").hexdigest()]
    assert info["keys"] == ["~app:*"]
    assert info["channels"] == ["&news.*", "&alerts"]
    assert r.acl_getuser("nosuch") is None
    assert "read" in r.acl_cat() and "get" in r.acl_cat("read")
    pw = r.acl_genpass()
    assert len(pw) == 64 and all(c in "0123456789abcdef" for c in pw)
    assert len(r.acl_genpass(bits=5)) == 2
    lines = r.acl_list()
    assert lines[-1] == "user default on nopass ~* &* +@all"
    assert text(r.acl_dryrun("app", "get", "app:1")) == "OK"
    assert r.execute_command("ACL", "DRYRUN", "app", "GET", "x") == \
        b"This user has no permissions to access the 'x' key"
    with pytest.raises(ResponseError, match="The 'default' user cannot be removed"):
        r.acl_deluser("default")
    with pytest.raises(ResponseError, match="Error in ACL SETUSER modifier"):
        r.execute_command("ACL", "SETUSER", "app", "~a b")
    r.close()


def test_acl_log_through_redis_py(port, admin, app_user):
    u = client(port, "app", "apppw")
    with pytest.raises(NoPermissionError):
        u.get("secret")
    with pytest.raises(AuthenticationError):
        client(port, "app", "nope").ping()
    r = client(port)
    log = r.acl_log()
    assert [(e["reason"], e["object"], e["username"], e["context"]) for e in log[:2]] == [
        ("auth", "AUTH", "app", "toplevel"), ("key", "secret", "app", "toplevel")]
    assert r.acl_log_reset() is True
    assert r.acl_log() == []
    r.close()
    u.close()
