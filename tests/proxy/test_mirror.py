"""`--upstream-acl mirror`: authgate's users kept as ACL users on the upstream (a redis-server
7.0.15 with only a password), each client's upstream connection opened as its user, so scripts
run under the same rules inside the upstream, and are allowed to restricted users.

The oracle is a second redis-server 7.0.15 with the same users created directly: every script
is run on it and through the proxy, and the replies must be equal."""
import pytest

from conftest import ADMIN_PASSWORD, UPSTREAM_PASSWORD, connect, proxy_process, upstream_process

OK = ("+", b"OK")
ALICE = ["on", ">apw", "~app:*", "+@all", "-@dangerous"]
READ_APP = "return redis.call('GET', KEYS[1])"
READ_OTHER = "return redis.call('GET', 'other')"      # a key the script did not declare
FLUSH = "return redis.call('FLUSHALL')"


@pytest.fixture(scope="module")
def servers():
    upstream = upstream_process().start()
    oracle = upstream_process().start()
    proxy = proxy_process(f"redis://:{UPSTREAM_PASSWORD}@127.0.0.1:{upstream.port}", "--upstream-acl", "mirror",
                          "--user", "boot on >bpw ~boot:* +@read").start()
    yield upstream, oracle, proxy
    proxy.stop()
    oracle.stop()
    upstream.stop()


def setuser(servers, name, *rules):
    """The same ACL SETUSER on the proxy and on the oracle."""
    _, oracle, proxy = servers
    for port, password in ((proxy.port, ADMIN_PASSWORD), (oracle.port, UPSTREAM_PASSWORD)):
        c = connect(port, password=password)
        assert c.call_tagged("ACL", "SETUSER", name, *rules) == OK
        c.close()


def both(servers, user, password):
    _, oracle, proxy = servers
    return connect(oracle.port, user, password), connect(proxy.port, user, password)


def same(pair, *argv):
    got = [c.call_tagged(*argv) for c in pair]
    assert got[1] == got[0], argv
    return got[0]


def upstream_users(servers):
    upstream, _, proxy = servers
    # A forwarded command waits until the mirror has every change made before it.
    admin = connect(proxy.port, password=ADMIN_PASSWORD)
    assert admin.call_tagged("PING") == ("+", b"PONG")
    admin.close()
    direct = connect(upstream.port, password=UPSTREAM_PASSWORD)
    users = direct.call("ACL", "USERS")
    direct.close()
    return users


def test_scripts_are_denied_and_allowed_as_on_redis(servers):
    setuser(servers, "alice", "reset", *ALICE)
    pair = both(servers, "alice", "apw")
    same(pair, "SET", "app:1", "v")
    assert same(pair, "EVAL", READ_APP, "1", "app:1") == ("$", b"v")
    denied = same(pair, "EVAL", READ_OTHER, "0")
    assert denied[0] == "-" and b"can't access" in denied[1]
    denied = same(pair, "EVAL", FLUSH, "0")
    assert denied[0] == "-" and b"can't run this command" in denied[1]
    # a declared key is authgate's check, before the script runs
    same(pair, "EVAL", READ_APP, "1", "other")
    sha = same(pair, "SCRIPT", "LOAD", READ_OTHER)[1]
    same(pair, "EVALSHA", sha, "0")
    for c in pair:
        c.close()


def test_changes_follow_the_user_on_the_upstream(servers):
    setuser(servers, "alice", "reset", *ALICE)
    pair = both(servers, "alice", "apw")
    same(pair, "SET", "app:1", "v")
    assert same(pair, "EVAL", READ_OTHER, "0")[0] == "-"
    # other: keys become readable, and the open connections see it at once
    setuser(servers, "alice", "%R~other")
    assert same(pair, "EVAL", READ_OTHER, "0") == ("$", None)
    setuser(servers, "alice", "resetkeys", "~app:*")
    assert same(pair, "EVAL", READ_OTHER, "0")[0] == "-"
    for c in pair:
        c.close()


def test_users_are_created_at_start_and_deleted(servers):
    users = upstream_users(servers)
    assert b"boot" in users and b"authgate-default" in users and b"default" in users
    setuser(servers, "gone", "on", ">g", "+@all", "~*")
    assert b"gone" in upstream_users(servers)
    _, _, proxy = servers
    admin = connect(proxy.port, password=ADMIN_PASSWORD)
    assert admin.call("ACL", "DELUSER", "gone") == 1
    admin.close()
    assert b"gone" not in upstream_users(servers)


def test_switching_user_switches_the_upstream_user(servers):
    setuser(servers, "alice", "reset", *ALICE)
    setuser(servers, "carol", "reset", "on", ">cpw", "~*", "+@all", "-flushall")
    pair = both(servers, "alice", "apw")
    assert same(pair, "EVAL", READ_OTHER, "0")[0] == "-"
    same(pair, "AUTH", "carol", "cpw")
    assert same(pair, "EVAL", READ_OTHER, "0") == ("$", None)
    same(pair, "EVAL", FLUSH, "0")
    for c in pair:
        c.close()


def test_the_upstream_connection_is_logged_in_as_the_mirrored_user(servers):
    setuser(servers, "alice", "reset", *ALICE)
    upstream, _, proxy = servers
    c = connect(proxy.port, "alice", "apw")
    assert c.call_tagged("CLIENT", "SETNAME", "mirrored-alice") == OK  # authgate's own connection
    assert c.call_tagged("GET", "app:1")[0] == "$"
    direct = connect(upstream.port, password=UPSTREAM_PASSWORD)
    users = [f.split(b"=", 1)[1] for line in direct.call("CLIENT", "LIST").splitlines()
             for f in line.split(b" ") if f.startswith(b"user=")]
    assert b"alice" in users
    direct.close()
    c.close()


@pytest.mark.parametrize("argv,message", [
    (["--upstream", "redis://127.0.0.1:1", "--upstream-acl", "copy"], "argument must be 'none' or 'mirror'"),
    (["--upstream-acl", "mirror"], "upstream-acl mirror is set without an upstream"),
])
def test_a_bad_upstream_acl_setting_stops_authgate_at_start(argv, message):
    import subprocess
    from servers import find_authgate_bin
    r = subprocess.run([find_authgate_bin(), "serve", "--port", "0", *argv], capture_output=True, timeout=10)
    assert r.returncode != 0
    assert message in r.stderr.decode()


def test_a_user_the_upstream_refuses_is_refused_until_it_takes_it():
    """The URL's account may not run ACL SETUSER: the upstream refuses every user, and their
    clients get the upstream's reason (it may hold older rules for them); once the account may,
    the next change mirrors the users and their commands work."""
    up = upstream_process().start()
    direct = connect(up.port, password=UPSTREAM_PASSWORD)
    assert direct.call_tagged("ACL", "SETUSER", "gate", "on", ">gpw", "~*", "&*", "+@all", "-acl|setuser") == OK
    proxy = proxy_process(f"redis://gate:gpw@127.0.0.1:{up.port}", "--upstream-acl", "mirror").start()
    try:
        admin = connect(proxy.port, password=ADMIN_PASSWORD)
        assert admin.call_tagged("ACL", "SETUSER", "dave", "on", ">d", "~*", "+@all") == OK
        dave = connect(proxy.port, "dave", "d")
        assert dave.call_tagged("GET", "k") == ("-", f"ERR upstream 127.0.0.1:{up.port} refused the rules of user "
                                                     "'dave' (upstream-acl mirror): NOPERM this user has no permissions "
                                                     "to run the 'acl|setuser' command".encode())
        assert direct.call_tagged("ACL", "SETUSER", "gate", "+acl|setuser") == OK
        assert admin.call_tagged("ACL", "SETUSER", "dave", "resetkeys", "~k*") == OK
        assert dave.call_tagged("GET", "k") == ("$", None)
        assert b"dave" in direct.call("ACL", "USERS")
    finally:
        proxy.stop()
        up.stop()
