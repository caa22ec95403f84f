"""Unknown commands as the upstream's COMMAND table says: an upstream that lacks a command (here a
redis-server 7.0.15 with `rename-command` in its config, so it truly has no SETRANGE and no OBJECT)
answers it as unknown before any ACL check, and the proxy must too: same reply as the upstream
gives directly, for an allowed user, a denied user and an unauthenticated client, and no ACL LOG
entry. The same users exist on the upstream itself, so each reply is compared with the reply of
that redis-server to the same user."""
import os

import pytest

from conftest import ADMIN_PASSWORD, UPSTREAM_PASSWORD, Process, connect, proxy_process
from servers import REDIS_SERVER

OK = ("+", b"OK")
USERS = [("alice", ["on", ">apw", "~app:*", "+@all"]),
         ("bob", ["on", ">bpw", "~*", "+@all", "-setrange", "-object"])]


@pytest.fixture(scope="module")
def renamed():
    """A redis-server 7.0.15 whose config renames SETRANGE and OBJECT away."""
    def argv(port):
        conf = os.path.join(up.dir, "redis.conf")
        with open(conf, "w") as f:
            f.write(f'port {port}\nbind 127.0.0.1\nsave ""\nappendonly no\nrequirepass {UPSTREAM_PASSWORD}\n'
                    'rename-command SETRANGE ""\nrename-command OBJECT ""\n')
        return [REDIS_SERVER, conf]
    up = Process("renamed-upstream", argv)
    up.start()
    yield up
    up.stop()


@pytest.fixture(scope="module")
def front(renamed):
    p = proxy_process(f"redis://:{UPSTREAM_PASSWORD}@127.0.0.1:{renamed.port}").start()
    yield p
    p.stop()


@pytest.fixture(scope="module")
def users(renamed, front):
    """The same users on the proxy and on the upstream."""
    for port, password in ((front.port, ADMIN_PASSWORD), (renamed.port, UPSTREAM_PASSWORD)):
        c = connect(port, password=password)
        for name, rules in USERS:
            assert c.call_tagged("ACL", "SETUSER", name, "reset", *rules) == OK
        c.close()


def pair(renamed, front, user=None, password=None):
    """A connection to the upstream and one to the proxy, as the same user."""
    return connect(renamed.port, user, password), connect(front.port, user, password)


def acl_log_lengths(renamed, front):
    d = connect(renamed.port, password=UPSTREAM_PASSWORD)
    p = connect(front.port, password=ADMIN_PASSWORD)
    lengths = (len(d.call("ACL", "LOG")), len(p.call("ACL", "LOG")))
    d.close()
    p.close()
    return lengths


def reset_logs(renamed, front):
    for port, password in ((renamed.port, UPSTREAM_PASSWORD), (front.port, ADMIN_PASSWORD)):
        c = connect(port, password=password)
        assert c.call_tagged("ACL", "LOG", "RESET") == OK
        c.close()


LINES = [("SETRANGE", "app:1", "0", "x"),      # a command the upstream lacks
         ("setrange", "other", "0", "x"),      # same, on a key alice may not touch
         ("OBJECT", "ENCODING", "app:1"),      # a container the upstream lacks
         ("SETRANGE",),                        # unknown comes before arity
         ("GET", "other")]                     # a known command: alice's NOPERM, as before


@pytest.mark.parametrize("user,password", [("alice", "apw"), ("bob", "bpw")])
def test_a_command_the_upstream_lacks_is_unknown_before_the_acl_check(renamed, front, users, user, password):
    reset_logs(renamed, front)
    direct, proxied = pair(renamed, front, user, password)
    for argv in LINES:
        expected = direct.call_tagged(*argv)
        assert proxied.call_tagged(*argv) == expected, argv
        if argv[0].lower() != "get":
            assert expected[0] == "-" and expected[1].startswith(b"ERR unknown command"), expected
    # only the known command's denial (alice's GET of another key) wrote an ACL LOG entry
    expected_log = 1 if user == "alice" else 0
    assert acl_log_lengths(renamed, front) == (expected_log, expected_log)
    assert proxied.call_tagged("SET", "app:1", "v") == OK
    assert proxied.call_tagged("GET", "app:1") == ("$", b"v")
    direct.close()
    proxied.close()


def test_unknown_comes_before_noauth_and_aborts_a_transaction(renamed, front, users):
    # the table is read once any client has an upstream connection
    warm = connect(front.port, password=ADMIN_PASSWORD)
    assert warm.call_tagged("PING") == ("+", b"PONG")
    direct, proxied = pair(renamed, front)
    for argv in (("SETRANGE", "k", "0", "x"), ("OBJECT", "HELP"), ("GET", "k")):
        assert proxied.call_tagged(*argv) == direct.call_tagged(*argv), argv
    direct.close()
    proxied.close()
    direct, proxied = pair(renamed, front, "alice", "apw")
    for c in (direct, proxied):
        c.send_raw(b"".join(c.encode(a) for a in (("MULTI",), ("SET", "app:t", "1"), ("SETRANGE", "app:t", "0", "x"),
                                                   ("EXEC",), ("GET", "app:t"))))
    replies = [[c.read_tagged() for _ in range(5)] for c in (direct, proxied)]
    assert replies[1] == replies[0]
    assert replies[0][3][1].startswith(b"EXECABORT")
    direct.close()
    proxied.close()
    warm.close()


def test_the_upstream_table_is_read_again_after_a_reconnect(renamed, front, users):
    # CLIENT KILL on the upstream drops the proxy's connections; the next command reconnects
    # (reading COMMAND again) and the missing commands are still unknown.
    c = connect(front.port, "alice", "apw")
    assert c.call_tagged("GET", "app:1")[0] == "$"
    killer = connect(renamed.port, password=UPSTREAM_PASSWORD)
    assert killer.call("CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes") >= 1
    assert c.call_tagged("GET", "app:1")[0] == "$"
    assert c.call_tagged("SETRANGE", "app:1", "0", "x") == killer.call_tagged("SETRANGE", "app:1", "0", "x")
    killer.close()
    c.close()


@pytest.mark.parametrize("authenticate", [False, True])
def test_a_fresh_proxys_first_batch_sees_the_upstream_table(renamed, users, tmp_path, authenticate):
    # A proxy none of whose clients has opened an upstream connection yet: a client's very first
    # batch is checked against the upstream's table too. Unauthenticated, SETRANGE is unknown
    # (not NOAUTH); pipelined after AUTH in the same batch, it is unknown for bob, whom the ACL
    # denies it (not NOPERM, and no ACL LOG entry), as on the upstream itself.
    aclfile = tmp_path / "users.acl"
    # (an aclfile sets every user, the default one too: requirepass does not apply with one)
    aclfile.write_text(f"user default on >{ADMIN_PASSWORD} ~* &* +@all\n"
                       + "".join(f"user {name} {' '.join(rules)}\n" for name, rules in USERS))
    fresh = proxy_process(f"redis://:{UPSTREAM_PASSWORD}@127.0.0.1:{renamed.port}", "--aclfile", str(aclfile)).start()
    try:
        lines = [("SETRANGE", "k", "0", "x"), ("OBJECT", "HELP"), ("GET", "k")]
        if authenticate:
            lines.insert(0, ("AUTH", "bob", "bpw"))
        replies = []
        for port in (renamed.port, fresh.port):
            c = connect(port)
            c.send_raw(b"".join(c.encode(a) for a in lines))
            replies.append([c.read_tagged() for _ in lines])
            c.close()
        assert replies[1] == replies[0]
        assert replies[0][-3][1].startswith(b"ERR unknown command"), replies[0]
        if authenticate:
            admin = connect(fresh.port, password=ADMIN_PASSWORD)
            assert admin.call("ACL", "LOG") == []
            admin.close()
    finally:
        fresh.stop()
