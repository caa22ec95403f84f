"""Pub/Sub and MONITOR through the upstream: a subscriber through the proxy gets what the upstream's
other clients PUBLISH (and its keyspace notifications), exactly as a subscriber connected to that
redis-server directly gets it, in RESP2 and RESP3; authgate's channel rules still decide what may
be subscribed (with ACL LOG entries) and a revocation still disconnects the subscriber.

Every comparison runs the same sequence on a connection straight to the upstream and on one
through the proxy; both are subscribed on the same server, so one PUBLISH reaches both, and its
reply (the number of receivers) is known before either subscriber reads."""
import pytest

from conftest import ADMIN_PASSWORD, UPSTREAM_PASSWORD, connect

OK = ("+", b"OK")
SUB_RULES = ["on", ">p", "resetchannels", "&news.*", "&__keyspace@0__:news.*", "~news.*", "+@all", "-monitor"]


@pytest.fixture
def both(proxy, upstream, admin):
    """(direct, proxied): the upstream's default user and authgate's user `sub`, who has the same
    rules on both servers."""
    assert admin.call_tagged("ACL", "SETUSER", "sub", "reset", *SUB_RULES) == OK
    up_admin = connect(upstream.port, password=UPSTREAM_PASSWORD)
    assert up_admin.call_tagged("ACL", "SETUSER", "sub", "reset", *SUB_RULES) == OK
    assert up_admin.call_tagged("ACL", "LOG", "RESET") == OK
    direct = connect(upstream.port, "sub", "p")
    proxied = connect(proxy.port, "sub", "p")
    yield direct, proxied
    direct.close()
    proxied.close()
    up_admin.call("ACL", "DELUSER", "sub")
    up_admin.close()


def same(pair, *argv, replies=1):
    """Sends `argv` on both connections; their `replies` replies must be equal."""
    got = []
    for c in pair:
        c.send_raw(c.encode(argv))
        got.append([c.read_tagged() for _ in range(replies)])
    assert got[1] == got[0], argv
    return got[0]


def messages(pair, n):
    got = [[c.read_tagged() for _ in range(n)] for c in pair]
    assert got[1] == got[0]
    return got[0]


@pytest.mark.parametrize("protocol", ["2", "3"])
def test_messages_published_on_the_upstream_reach_a_proxied_subscriber(both, direct, protocol):
    pair = both
    if protocol == "3":
        for c in pair:
            assert c.call_tagged("HELLO", "3")[0] == "%"
    first = same(pair, "SUBSCRIBE", "news.1", "news.2", replies=2)
    assert first[0][1][0] == ("$", b"subscribe")
    same(pair, "PSUBSCRIBE", "news.*")
    same(pair, "SSUBSCRIBE", "news.s")
    # two subscribers by channel, two by pattern
    assert direct.call("PUBLISH", "news.1", "hi") == 4
    got = messages(pair, 2)
    assert got[0][0] == (">" if protocol == "3" else "*")
    assert {m[1][0][1] for m in got} == {b"message", b"pmessage"}
    assert direct.call("SPUBLISH", "news.s", "shard") == 2
    assert messages(pair, 1)[0][1][0] == ("$", b"smessage")
    same(pair, "PING")
    same(pair, "PING", "x")
    # a message of 300 kB arrives whole, in order with the next one
    big = b"b" * 300_000
    assert direct.call("PUBLISH", "news.2", big) == 4
    assert direct.call("PUBLISH", "news.2", "after") == 4
    got = messages(pair, 4)
    assert got[0][1][2] == ("$", big) and got[3][1][3] == ("$", b"after")
    same(pair, "UNSUBSCRIBE", replies=2)
    same(pair, "PUNSUBSCRIBE")
    same(pair, "SUNSUBSCRIBE")
    same(pair, "SET", "news.k", "v")
    assert direct.call("PUBLISH", "news.1", "gone") == 0


def test_a_denied_channel_is_refused_with_an_acl_log_entry(both, admin, upstream):
    pair = both
    same(pair, "SUBSCRIBE", "other")
    same(pair, "PSUBSCRIBE", "*")
    log = admin.call("ACL", "LOG")
    assert [dict(zip(*[iter(e)] * 2))[b"object"] for e in log] == [b"*", b"other"]
    up = connect(upstream.port, password=UPSTREAM_PASSWORD)
    assert len(up.call("ACL", "LOG")) == 2
    up.close()


def keyspace_push(key, event):
    return (">", (("$", b"pmessage"), ("$", b"__keyspace@0__:news.*"), ("$", b"__keyspace@0__:" + key),
                  ("$", event)))


def test_keyspace_notifications_and_pipelined_replies_in_order(both, direct):
    pair = both
    assert direct.call_tagged("CONFIG", "SET", "notify-keyspace-events", "KA") == OK
    try:
        for c in pair:
            assert c.call_tagged("HELLO", "3")[0] == "%"
        same(pair, "PSUBSCRIBE", "__keyspace@0__:news.*")
        assert direct.call_tagged("SET", "news.k", "1") == OK
        messages(pair, 1)
        # A RESP3 subscriber may run any command; its replies and the messages its own SET
        # causes come in the server's order (Redis sends the notification before SET's reply). Each subscriber writes its own key, so the other
        # one gets that notification too: the proxied one before its batch's first reply (it
        # was sent before the batch), the direct one after its batch.
        d, p = pair
        d.send_raw(b"".join(d.encode(a) for a in (("SET", "news.d", "1"), ("GET", "news.d"), ("PING",))))
        assert [d.read_tagged() for _ in range(4)] == \
            [keyspace_push(b"news.d", b"set"), OK, ("$", b"1"), ("+", b"PONG")]
        p.send_raw(b"".join(p.encode(a) for a in (("SET", "news.p", "1"), ("GET", "news.p"), ("PING",))))
        assert [p.read_tagged() for _ in range(5)] == \
            [keyspace_push(b"news.d", b"set"), keyspace_push(b"news.p", b"set"), OK, ("$", b"1"), ("+", b"PONG")]
        assert d.read_tagged() == keyspace_push(b"news.p", b"set")
        assert direct.call("DEL", "news.k") == 1
        assert messages(pair, 1) == [keyspace_push(b"news.k", b"del")]
    finally:
        direct.call("CONFIG", "SET", "notify-keyspace-events", "")


def test_losing_the_channel_or_the_user_disconnects_the_subscriber(proxy, admin):
    for revoke in (("ACL", "SETUSER", "sub", "resetchannels"), ("ACL", "DELUSER", "sub")):
        assert admin.call_tagged("ACL", "SETUSER", "sub", "reset", *SUB_RULES) == OK
        s = connect(proxy.port, "sub", "p")
        assert s.call_tagged("SUBSCRIBE", "news.1")[0] == "*"
        assert admin.call_tagged(*revoke)[0] in ("+", ":")
        s.sock.settimeout(5)
        assert s.sock.recv(100) == b""
        s.close()


def strip_origin(line):
    """A MONITOR line without its `[db address]`: the proxy's upstream connection has another
    address than the direct client's, and that is the only difference."""
    head, _, rest = line.partition(b"] ")
    return rest


def test_monitor_is_relayed_for_an_allowed_user_and_denied_as_on_redis(both, proxy, upstream, admin, direct):
    mon_direct = connect(upstream.port, password=UPSTREAM_PASSWORD)
    mon_proxied = connect(proxy.port, password=ADMIN_PASSWORD)
    pair = (mon_direct, mon_proxied)
    # the proxy opens its upstream connection (with an AUTH the direct monitor would see) first
    assert mon_proxied.call_tagged("PING") == ("+", b"PONG")
    same(pair, "MONITOR")
    assert direct.call_tagged("SET", "mon:k", "v") == OK
    got = [c.read_tagged() for c in pair]
    assert got[0][0] == got[1][0] == "+"
    assert strip_origin(got[0][1]) == strip_origin(got[1][1]) == b'"SET" "mon:k" "v"'
    for c in pair:
        c.close()
    # `sub` has -monitor on both servers: the same NOPERM, and an ACL LOG entry
    same(both, "MONITOR")
    entry = dict(zip(*[iter(admin.call("ACL", "LOG", "1")[0])] * 2))
    assert (entry[b"reason"], entry[b"object"]) == (b"command", b"monitor")


def subscriber_closed(sub, publisher, payload):
    """True if the server closes the subscriber instead of delivering `payload` to it."""
    assert publisher.call("PUBLISH", "news.limit", payload) == 1
    try:
        reply = sub.read_tagged()
    except (ConnectionError, OSError):
        return True
    assert reply[1][2] == ("$", payload)
    return False


def test_the_pubsub_output_limit_applies_to_relayed_messages(proxy, admin):
    """The same `client-output-buffer-limit pubsub 1mb 0 0` on the proxy and on a redis-server of
    its own (on the proxy's upstream it would apply to the proxy's connection): a message under
    the limit arrives, one over it closes the subscriber, on both."""
    from conftest import upstream_process
    oracle = upstream_process().start()
    try:
        outcomes = []
        for port, password, publisher_port in ((oracle.port, UPSTREAM_PASSWORD, oracle.port),
                                               (proxy.port, ADMIN_PASSWORD, None)):
            setup = connect(port, password=password)
            assert setup.call_tagged("CONFIG", "SET", "client-output-buffer-limit", "pubsub 1mb 0 0") == OK
            publisher = setup if publisher_port else connect(proxy.port, password=ADMIN_PASSWORD)
            sub = connect(port, password=password)
            assert sub.call_tagged("SUBSCRIBE", "news.limit")[0] == "*"
            small = subscriber_closed(sub, publisher, b"s" * 400_000)
            big = subscriber_closed(sub, publisher, b"b" * 2_000_000)
            outcomes.append((small, big))
            assert setup.call_tagged("CONFIG", "SET", "client-output-buffer-limit", "pubsub 32mb 8mb 60") == OK
        assert outcomes[1] == outcomes[0] == (False, True)
    finally:
        oracle.stop()


def test_reset_ends_subscriptions_and_monitor_as_on_redis(both, direct, proxy):
    pair = both
    same(pair, "SUBSCRIBE", "news.r")
    same(pair, "RESET")
    same(pair, "PING")
    assert direct.call("PUBLISH", "news.r", "after reset") == 0
    mon = connect(proxy.port, password=ADMIN_PASSWORD)
    assert mon.call_tagged("MONITOR") == OK
    assert mon.call_tagged("RESET") == ("+", b"RESET")
    assert direct.call_tagged("SET", "news.m", "1") == OK
    # RESET also logged the client out (default has a password), as on Redis
    assert mon.call_tagged("GET", "news.m") == ("-", b"NOAUTH Authentication required.")
    assert mon.call_tagged("AUTH", ADMIN_PASSWORD) == OK
    assert mon.call_tagged("GET", "news.m") == ("$", b"1")
    mon.close()
