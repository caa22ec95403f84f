"""authgate serve --upstream in front of a redis-server that has only a password.

The ACL users are authgate's; the upstream has none (only its `requirepass`), so what a user may
do is decided by authgate alone, and what the data does is the upstream's.
"""
import socket
import threading
import time

import pytest

from conftest import (ADMIN_PASSWORD, UPSTREAM_PASSWORD, connect, proxy_process, upstream_process)

NOPERM_KEY = b"NOPERM this user has no permissions to access one of the keys used as arguments"
OK = ("+", b"OK")


def test_a_user_of_authgate_is_denied_and_allowed_as_on_redis(proxy, admin, direct):
    admin.call("ACL", "SETUSER", "alice", "on", ">apw", "~app:*", "+@all", "-@dangerous")
    alice = connect(proxy.port, "alice", "apw")
    assert alice.call_tagged("SET", "app:1", "v") == OK
    assert alice.call_tagged("GET", "other") == ("-", NOPERM_KEY)
    assert alice.call_tagged("HSET", "app:h", "f", "1") == (":", 1)
    assert alice.call_tagged("FLUSHALL") == ("-", b"NOPERM this user has no permissions to run the 'flushall' command")
    entry = dict(zip(*[iter(admin.call("ACL", "LOG", "1")[0])] * 2))
    assert (entry[b"reason"], entry[b"object"], entry[b"username"]) == (b"command", b"flushall", b"alice")
    # the data is the upstream's; its users are not authgate's
    assert direct.call("GET", "app:1") == b"v"
    assert direct.call("ACL", "USERS") == [b"default"]
    assert alice.call_tagged("AUTH", "alice", "wrong") == \
        ("-", b"WRONGPASS invalid username-password pair or user is disabled.")
    alice.close()


def test_no_upstream_connection_before_authentication(proxy, admin, direct):
    def connections():
        info = direct.call("INFO", "clients").decode()
        return int(info.split("connected_clients:")[1].split("\r\n")[0])

    before = connections()
    c = connect(proxy.port)
    assert c.call_tagged("GET", "k") == ("-", b"NOAUTH Authentication required.")
    assert connections() == before
    assert c.call_tagged("AUTH", ADMIN_PASSWORD) == OK
    assert connections() == before  # opened by the first forwarded command, not by AUTH
    assert c.call_tagged("GET", "k") == ("$", None)
    assert connections() == before + 1
    c.close()


def test_select_hello_and_pipelining(proxy, admin, direct):
    c = connect(proxy.port, password=ADMIN_PASSWORD)
    batch = b"".join(c.encode(a) for a in (("SELECT", "3"), ("SET", "k", "db3"), ("PING",), ("HELLO", "3"),
                                           ("HSET", "h", "a", "1"), ("HGETALL", "h"), ("CLIENT", "ID")))
    c.send_raw(batch)
    replies = [c.read_tagged() for _ in range(7)]
    assert replies[:3] == [OK, OK, ("+", b"PONG")]
    assert replies[3][0] == "%"  # authgate's own HELLO reply
    assert replies[4:6] == [(":", 1), ("%", ((("$", b"a"), ("$", b"1")),))]  # the upstream speaks RESP3 too
    assert replies[6][0] == ":"
    assert direct.call("SELECT", "3") == b"OK" and direct.call("GET", "k") == b"db3"
    assert c.call_tagged("SELECT", "99") == ("-", b"ERR DB index is out of range")
    assert c.call_tagged("GET", "k") == ("$", b"db3")  # still in db 3
    # 2000 pipelined commands, replies in order
    c.send_raw(b"".join(c.encode(("INCR", "n")) for _ in range(2000)))
    assert [c.read_tagged() for _ in range(2000)] == [(":", i) for i in range(1, 2001)]
    c.close()


def test_a_large_value_streams_through(proxy, admin):
    c = connect(proxy.port, password=ADMIN_PASSWORD)
    value = bytes(range(256)) * (12 * 4096)  # 12 MiB
    assert c.call_tagged("SET", "big", value) == OK
    assert c.call_tagged("GET", "big") == ("$", value)
    assert c.call_tagged("STRLEN", "big") == (":", len(value))
    c.close()


def test_transactions_are_checked_as_queued_and_spliced(proxy, admin, direct):
    admin.call("ACL", "SETUSER", "tx", "on", ">p", "~t:*", "+@all")
    c = connect(proxy.port, "tx", "p")
    # a denial while queueing is answered locally and aborts EXEC, as on Redis
    assert c.call_tagged("MULTI") == OK
    assert c.call_tagged("SET", "t:1", "a") == ("+", b"QUEUED")
    assert c.call_tagged("SET", "x", "a") == ("-", NOPERM_KEY)
    assert c.call_tagged("EXEC") == ("-", b"EXECABORT Transaction discarded because of previous errors.")
    assert direct.call("EXISTS", "t:1") == 0
    # local commands (CLIENT, ACL WHOAMI) and forwarded ones in one EXEC array, in order
    assert c.call_tagged("MULTI") == OK
    for argv in (("SET", "t:1", "a"), ("ACL", "WHOAMI"), ("INCR", "t:n"), ("CLIENT", "GETNAME")):
        assert c.call_tagged(*argv) == ("+", b"QUEUED")
    assert c.call_tagged("EXEC") == ("*", (OK, ("$", b"tx"), (":", 1), ("$", None)))
    # rules changed between queueing and EXEC: that command's slot says so, the others run
    assert c.call_tagged("MULTI") == OK
    assert c.call_tagged("INCR", "t:n") == ("+", b"QUEUED")
    assert c.call_tagged("GET", "t:1") == ("+", b"QUEUED")
    admin.call("ACL", "SETUSER", "tx", "-get")
    reply = c.call_tagged("EXEC")
    assert reply[0] == "*" and reply[1][0] == (":", 2)
    assert reply[1][1] == ("-", b"NOPERM ACLs rules changed between the moment the transaction was accumulated "
                                b"and the EXEC call. This command is no longer allowed for the following reason: "
                                b"no permission to execute the command or subcommand")
    # WATCH is the upstream's: a change by another client aborts EXEC with a null array
    assert c.call_tagged("WATCH", "t:w") == OK
    direct.call("SET", "t:w", "changed")
    assert c.call_tagged("MULTI") == OK
    assert c.call_tagged("SET", "t:w", "mine") == ("+", b"QUEUED")
    assert c.call_tagged("EXEC") == ("*", None)
    assert direct.call("GET", "t:w") == b"changed"
    c.close()


def test_blocking_commands_relay_and_a_kill_ends_the_wait(proxy, admin, direct):
    admin.call("ACL", "SETUSER", "bl", "on", ">p", "~q*", "+@all")
    c = connect(proxy.port, "bl", "p")
    threading.Timer(0.2, lambda: connect(proxy.port, password=ADMIN_PASSWORD).call("RPUSH", "q", "x")).start()
    assert c.call_tagged("BLPOP", "q", "5") == ("*", (("$", b"q"), ("$", b"x")))
    # DELUSER disconnects a client blocked in the upstream
    my_id = c.call("CLIENT", "ID")
    c.send_raw(c.encode(("BLPOP", "q2", "0")))
    deadline = time.time() + 5
    while direct.call("INFO", "clients").decode().find("blocked_clients:1") < 0 and time.time() < deadline:
        time.sleep(0.02)
    assert admin.call_tagged("ACL", "DELUSER", "bl") == (":", 1)
    c.sock.settimeout(5)
    assert c.sock.recv(100) == b""
    assert all(f"id={my_id} " not in ln for ln in admin.call("CLIENT", "LIST").decode().splitlines())


def test_scripts_need_unrestricted_access(proxy, admin):
    assert admin.call_tagged("EVAL", "return redis.call('SET', KEYS[1], 'lua')", "1", "s:1") == OK
    admin.call("ACL", "SETUSER", "lim", "on", ">p", "~s:*", "+@all")
    admin.call("ACL", "SETUSER", "root", "on", ">p", "~*", "&*", "+@all")
    lim = connect(proxy.port, "lim", "p")
    for argv in (("EVAL", "return 1", "0"), ("FCALL_RO", "f", "0"), ("FUNCTION", "LIST")):
        reply = lim.call_tagged(*argv)
        name = "function|list" if argv[0] == "FUNCTION" else argv[0].lower()
        assert reply == ("-", f"NOPERM User lim has no permissions to run the '{name}' command through the proxy: "
                              "scripts and functions run their commands in the upstream, out of authgate's ACL "
                              "checks, so only users with all commands, keys and channels may run them".encode())
    assert lim.call_tagged("GET", "s:1") == ("$", b"lua")
    root = connect(proxy.port, "root", "p")
    assert root.call_tagged("EVAL", "return redis.call('GET', KEYS[1])", "1", "s:1") == ("$", b"lua")
    assert root.call_tagged("FCALL", "nosuch", "0") == ("-", b"ERR Function not found")
    lim.close()
    root.close()


def test_a_publish_through_the_proxy_reaches_a_proxied_subscriber(proxy, admin):
    admin.call("ACL", "SETUSER", "sub", "on", ">p", "resetchannels", "&news.*", "+@all")
    s = connect(proxy.port, "sub", "p")
    assert s.call_tagged("SUBSCRIBE", "news.1") == ("*", (("$", b"subscribe"), ("$", b"news.1"), (":", 1)))
    assert s.call_tagged("PING") == ("*", (("$", b"pong"), ("$", b"")))
    assert admin.call_tagged("PUBLISH", "news.1", "hi") == (":", 1)
    assert s.read_tagged() == ("*", (("$", b"message"), ("$", b"news.1"), ("$", b"hi")))
    # losing the channel disconnects the subscriber, as Redis does
    admin.call("ACL", "SETUSER", "sub", "resetchannels")
    s.sock.settimeout(5)
    assert s.sock.recv(100) == b""


def test_upstream_faults_give_an_error_and_a_reconnect():
    up = upstream_process().start()
    proxy = proxy_process(f"redis://:{UPSTREAM_PASSWORD}@127.0.0.1:{up.port}").start()
    try:
        c = connect(proxy.port, password=ADMIN_PASSWORD)
        assert c.call_tagged("SET", "k", "1") == OK
        # the upstream closes the idle connection (CLIENT KILL there): the next command reconnects
        direct = connect(up.port, password=UPSTREAM_PASSWORD)
        assert direct.call("CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes") == 1
        assert c.call_tagged("GET", "k") == ("$", b"1")
        # the upstream closes the connection while a command waits for its reply: that command
        # gets an error, the next one a new connection
        c.send_raw(c.encode(("BLPOP", "never", "0")))
        deadline = time.time() + 5
        while b"blocked_clients:1" not in direct.call("INFO", "clients") and time.time() < deadline:
            time.sleep(0.02)
        assert direct.call("CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes") == 1
        direct.close()
        assert c.read_tagged() == ("-", f"ERR upstream 127.0.0.1:{up.port} closed the connection".encode())
        assert c.call_tagged("GET", "k") == ("$", b"1")
        # the upstream is down: a clear error at once, never a hang
        up.stop()
        t0 = time.time()
        assert c.call_tagged("GET", "k") == \
            ("-", f"ERR upstream 127.0.0.1:{up.port} unavailable: Connection refused".encode())
        assert time.time() - t0 < 3
        assert c.call_tagged("PING") == ("-", f"ERR upstream 127.0.0.1:{up.port} unavailable: Connection refused".encode())
        # local commands still work; the proxy is alive
        assert c.call_tagged("ACL", "WHOAMI") == ("$", b"default")
        up.start()
        assert c.call_tagged("SET", "k", "2") == OK
        assert "unavailable: Connection refused" in proxy.log_text()
    finally:
        proxy.stop()
        up.stop()


def test_an_upstream_that_never_answers_times_out():
    # A listening socket nobody accepts from: the connect succeeds (the backlog), AUTH never returns.
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)
    port = silent.getsockname()[1]
    proxy = proxy_process(f"redis://:pw@127.0.0.1:{port}").start()
    try:
        c = connect(proxy.port, password=ADMIN_PASSWORD)
        t0 = time.time()
        assert c.call_tagged("GET", "k") == ("-", f"ERR upstream 127.0.0.1:{port} did not answer within 5 seconds".encode())
        assert 4.5 < time.time() - t0 < 10
        assert c.call_tagged("ACL", "WHOAMI") == ("$", b"default")
    finally:
        proxy.stop()
        silent.close()


def test_wrong_upstream_credentials_are_reported(upstream):
    proxy = proxy_process(f"redis://:wrong@127.0.0.1:{upstream.port}").start()
    try:
        c = connect(proxy.port, password=ADMIN_PASSWORD)
        reply = c.call_tagged("GET", "k")
        assert reply == ("-", f"ERR upstream 127.0.0.1:{upstream.port} refused authgate's connection: "
                              "WRONGPASS invalid username-password pair or user is disabled.".encode())
    finally:
        proxy.stop()


@pytest.mark.parametrize("url,message", [
    ("http://h:1", "the upstream URL must start with redis://"),
    ("redis://h:99999", "the upstream port '99999' is not a port number"),
    ("redis://u@h:1", "the upstream URL names a user without a password"),
])
def test_a_bad_upstream_url_is_a_fatal_config_error(url, message):
    import subprocess
    from servers import find_authgate_bin
    r = subprocess.run([find_authgate_bin(), "serve", "--port", "0", "--upstream", url],
                       capture_output=True, timeout=10)
    assert r.returncode != 0
    assert message in r.stderr.decode() and "FATAL CONFIG FILE ERROR" in r.stderr.decode()
