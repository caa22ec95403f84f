"""CONFIG through the proxy: authgate's own settings (port, bind, maxclients, the client buffer
limits, requirepass, aclfile, acl*, the log, tls-*) are authgate's; every other setting is the
upstream's, read and set there. Found by running redis-server's own tests/unit/multi.tcl and
pubsub.tcl through the proxy, which set maxmemory and notify-keyspace-events.
"""
from conftest import connect


def pairs(reply):
    kind, items = reply
    assert kind in ("*", "%"), reply
    flat = [v for item in items for v in (item if kind == "%" else (item,))]
    return {flat[i][1]: flat[i + 1][1] for i in range(0, len(flat), 2)}


def test_upstream_settings_are_the_upstreams(proxy, admin, direct):
    before = direct.call_tagged("CONFIG", "GET", "maxmemory")
    try:
        assert admin.call_tagged("CONFIG", "SET", "maxmemory", "64mb") == ("+", b"OK")
        assert direct.call_tagged("CONFIG", "GET", "maxmemory") == ("*", (("$", b"maxmemory"), ("$", b"67108864")))
        assert admin.call_tagged("CONFIG", "GET", "maxmemory") == direct.call_tagged("CONFIG", "GET", "maxmemory")
        # The upstream's own refusals come through as they are.
        for argv in (("CONFIG", "SET", "maxmemory", "lots"), ("CONFIG", "SET", "daemonize", "yes"),
                     ("CONFIG", "SET", "no-such-setting", "1")):
            assert admin.call_tagged(*argv) == direct.call_tagged(*argv), argv
    finally:
        direct.call("CONFIG", "SET", "maxmemory", before[1][1][1])


def test_authgates_settings_are_authgates_and_join_the_upstreams(proxy, admin, direct):
    got = pairs(admin.call_tagged("CONFIG", "GET", "*"))
    up = pairs(direct.call_tagged("CONFIG", "GET", "*"))
    assert got[b"port"] == str(proxy.port).encode() != up[b"port"]
    assert got[b"maxmemory-policy"] == up[b"maxmemory-policy"]
    assert got[b"requirepass"] == b"adm" and up[b"requirepass"] != b"adm"
    assert set(up) <= set(got)
    assert admin.call_tagged("CONFIG", "SET", "acllog-max-len", "7") == ("+", b"OK")
    try:
        assert admin.call_tagged("CONFIG", "GET", "acllog-*") == ("*", (("$", b"acllog-max-len"), ("$", b"7")))
        assert direct.call_tagged("CONFIG", "GET", "acllog-max-len") == ("*", (("$", b"acllog-max-len"), ("$", b"128")))
    finally:
        admin.call("CONFIG", "SET", "acllog-max-len", "128")
    # RESP3: a map, as Redis' own CONFIG GET gives it there.
    c = connect(proxy.port, password="adm")
    assert c.call_tagged("HELLO", "3")[0] == "%"
    got3 = c.call_tagged("CONFIG", "GET", "port")
    assert got3 == ("%", ((("$", b"port"), ("$", str(proxy.port).encode())),)), got3
    assert pairs(c.call_tagged("CONFIG", "GET", "maxmemory")) == pairs(direct.call_tagged("CONFIG", "GET", "maxmemory"))


def test_one_set_of_both_servers_settings_is_refused(admin, direct):
    reply = admin.call_tagged("CONFIG", "SET", "maxmemory", "1mb", "acllog-max-len", "3")
    assert reply == ("-", b"ERR CONFIG SET of authgate's settings (acllog-max-len) and the upstream's (maxmemory) "
                          b"in one command is not supported in proxy mode: set them in two commands")
    assert direct.call_tagged("CONFIG", "GET", "maxmemory") != ("*", (("$", b"maxmemory"), ("$", b"1048576")))
    assert admin.call_tagged("CONFIG", "GET", "acllog-max-len") == ("*", (("$", b"acllog-max-len"), ("$", b"128")))


def test_keyspace_notifications_reach_a_subscriber_through_the_proxy(proxy, admin, direct):
    assert admin.call_tagged("CONFIG", "SET", "notify-keyspace-events", "KEA") == ("+", b"OK")
    try:
        sub = connect(proxy.port, password="adm")
        assert sub.call_tagged("PSUBSCRIBE", "__keyspace@0__:*")[0] == "*"
        assert admin.call_tagged("SET", "watched", "1") == ("+", b"OK")
        assert sub.read_tagged() == ("*", (("$", b"pmessage"), ("$", b"__keyspace@0__:*"),
                                           ("$", b"__keyspace@0__:watched"), ("$", b"set")))
        sub.close()
    finally:
        direct.call("CONFIG", "SET", "notify-keyspace-events", "")


def test_config_in_a_transaction(admin, direct):
    before = direct.call("CONFIG", "GET", "maxmemory")[1]
    try:
        assert admin.call_tagged("MULTI") == ("+", b"OK")
        assert admin.call_tagged("CONFIG", "SET", "maxmemory", "2mb") == ("+", b"QUEUED")
        assert admin.call_tagged("CONFIG", "SET", "acllog-max-len", "9") == ("+", b"QUEUED")
        assert admin.call_tagged("CONFIG", "SET", "maxmemory", "1mb", "acllog-max-len", "3") == ("+", b"QUEUED")
        reply = admin.call_tagged("EXEC")
        assert reply[0] == "*" and reply[1][:2] == (("+", b"OK"), ("+", b"OK")) and reply[1][2][0] == "-"
        assert direct.call_tagged("CONFIG", "GET", "maxmemory") == ("*", (("$", b"maxmemory"), ("$", b"2097152")))
        assert admin.call_tagged("CONFIG", "GET", "acllog-max-len") == ("*", (("$", b"acllog-max-len"), ("$", b"9")))
    finally:
        direct.call("CONFIG", "SET", "maxmemory", before)
        admin.call("CONFIG", "SET", "acllog-max-len", "128")
