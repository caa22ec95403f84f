"""Three authgate nodes sharing their users through one etcd (issue 17)."""
import os
import random
import signal
import socket
import subprocess
import threading

import pytest
import redis

from conftest import Node, free_port, port_open, wait_for

RULES = ["on", "off", ">pw1", ">pw2", "resetpass", "nopass", "~k1", "~k2:*", "resetkeys", "+get", "-get", "+@read",
         "-@all", "&ch1", "resetchannels", "allkeys", "(~sel +set)", "clearselectors"]


def random_ops(node, seed, count, errors):
    rng = random.Random(seed)
    c = node.client()
    for _ in range(count):
        op = rng.random()
        user = f"u{rng.randrange(6)}"
        try:
            if op < 0.7:
                c.execute_command("ACL", "SETUSER", user, *rng.sample(RULES, rng.randrange(1, 4)))
            elif op < 0.93:
                c.execute_command("ACL", "DELUSER", user, f"u{rng.randrange(6)}")
            else:
                c.execute_command("ACL", "LOAD")
        except redis.ResponseError as e:
            # Some random combinations are invalid (a pattern after allkeys): Redis' own
            # refusal, which changes nothing; anything else is a failure.
            if not str(e).startswith("Error in ACL SETUSER modifier"):
                errors.append(str(e))


def test_concurrent_random_writes_converge_to_etcds_state(fleet):
    # Each node's ACL LOAD reads its own aclfile: three different sets.
    for i, n in enumerate(fleet.nodes):
        with open(os.path.join(n.dir, "users.acl"), "w") as f:
            f.write(f"user default on nopass ~* &* +@all\nuser loaded{i} on >x ~l{i} +get\nuser u{i} off\n")
    errors = []
    threads = [threading.Thread(target=random_ops, args=(n, seed, 40, errors))
               for seed, n in enumerate(fleet.nodes)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    lines = wait_for("ACL LIST identical on every node and equal to etcd", fleet.converged)
    assert any(line.startswith(b"user default ") for line in lines)


def test_concurrent_setusers_of_one_user_lose_nothing(fleet):
    def add_keys(node, tag):
        c = node.client()
        for i in range(20):
            c.execute_command("ACL", "SETUSER", "shared", f"~{tag}{i}")
    threads = [threading.Thread(target=add_keys, args=(n, f"t{i}_")) for i, n in enumerate(fleet.nodes)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wait_for("convergence", fleet.converged)
    line = [ln for ln in fleet.nodes[2].acl_list() if ln.startswith(b"user shared ")][0]
    keys = [t for t in line.split() if t.startswith(b"~")]
    assert sorted(keys) == sorted(f"~t{n}_{i}".encode() for n in range(3) for i in range(20))


def test_deluser_and_channel_revocation_reach_clients_on_other_nodes(fleet):
    a, b, c = fleet.nodes
    a.client().execute_command("ACL", "SETUSER", "bob", "on", ">pw", "~*", "&news", "+@all")
    bob = wait_for("bob on node2", lambda: _login(c, "bob", "pw"))
    assert bob.ping()
    sub = _login(c, "bob", "pw")
    pubsub = sub.pubsub()
    pubsub.subscribe("news")
    assert pubsub.get_message(timeout=5)["type"] == "subscribe"
    # Channel revoked on node0: node2's subscriber is disconnected, the plain client is not.
    a.client().execute_command("ACL", "SETUSER", "bob", "resetchannels", "&other")
    wait_for("the subscriber closed", lambda: not [cl for cl in _clients(c, "bob") if int(cl["sub"]) > 0])
    assert bob.ping()
    # Deleted on node1: node2's client is disconnected.
    assert b.client().execute_command("ACL", "DELUSER", "bob") == 1
    wait_for("bob's connections closed", lambda: not _clients(c, "bob"))
    assert b"bob" not in c.client().execute_command("ACL", "USERS")


def test_info_section_and_log_lines(fleet):
    fleet.nodes[0].client().execute_command("ACL", "SETUSER", "carol", "on", ">secret-pw")
    wait_for("convergence", fleet.converged)
    info = fleet.nodes[1].info()
    assert info["acl_store_backend"] == "etcd"
    assert info["acl_store_endpoint"] == fleet.url
    assert info["acl_store_stale"] == 0 and info["acl_store_connected"] == 1
    assert info["acl_store_applied_revision"] > 0 and info["acl_store_lag"] == 0
    log = open(os.path.join(fleet.nodes[1].dir, "log")).read()
    assert "applied SETUSER" in log and "carol" in log
    assert "secret-pw" not in log


def test_kill9_during_writes_leaves_etcd_consistent(fleet):
    victim = fleet.nodes[1]
    stop = threading.Event()

    def writer():
        c = victim.client()
        i = 0
        while not stop.is_set():
            try:
                c.execute_command("ACL", "SETUSER", "busy", f"~w{i}")
            except (redis.ConnectionError, redis.TimeoutError):
                return
            i += 1
    t = threading.Thread(target=writer)
    t.start()
    wait_for("a few writes", lambda: b"busy" in fleet.nodes[0].client().execute_command("ACL", "USERS"))
    victim.kill9()
    stop.set()
    t.join()
    victim.start()
    wait_for("convergence after kill -9", fleet.converged)


def test_etcd_stopped_then_restarted(fleet):
    a, b, _ = fleet.nodes
    a.client().execute_command("ACL", "SETUSER", "dave", "on", ">pw", "+ping")
    wait_for("convergence", fleet.converged)
    before = b.acl_list()
    fleet.etcd.stop()
    with pytest.raises(redis.ResponseError, match="ACL store unavailable"):
        a.client().execute_command("ACL", "SETUSER", "erin", "on")
    assert a.acl_list() == before
    assert _login(b, "dave", "pw").ping()
    wait_for("stale flag", lambda: b.info()["acl_store_stale"] == 1)
    # A node starting now serves its cache, stale; one without a cache refuses to start.
    late = Node("late", fleet.dir, fleet.url)
    late.dir = b.dir  # node1's cache
    late.start()
    assert late.acl_list() == before and late.info()["acl_store_stale"] == 1
    blind = Node("blind", fleet.dir, fleet.url, cache=False).start(expect_ready=False)
    assert blind.proc.wait(30) != 0
    assert b"refusing to start" in blind.proc.stderr.read() or "refusing to start" in open(os.path.join(blind.dir, "log")).read()
    fleet.etcd.start()
    for n in fleet.nodes + [late]:
        wait_for(f"{n.name} reconnected", lambda n=n: n.info()["acl_store_stale"] == 0)
    a.client().execute_command("ACL", "SETUSER", "erin", "on")
    wait_for("convergence after etcd restart", fleet.converged)
    wait_for("late caught up", lambda: late.acl_list() == fleet.nodes[0].acl_list())
    late.stop()


def test_config_set_requirepass_goes_through_the_store(fleet):
    a, b, c = fleet.nodes
    assert a.client().config_set("requirepass", "fleetpw")
    # As in Redis, requirepass is default's password: every node asks for it now.
    for n in (b, c):
        wait_for(f"{n.name} asks for the password", lambda n=n: _noauth(n) and _login(n, "default", "fleetpw"))
    lists = [n.client(password="fleetpw").execute_command("ACL", "LIST") for n in fleet.nodes]
    assert lists[0] == lists[1] == lists[2] == fleet.etcd.lines(fleet.prefix)
    assert any(line.startswith(b"user default on #") for line in lists[0])
    # etcd lost: the whole CONFIG SET fails and changes nothing (no local-only password).
    fleet.etcd.stop()
    admin = a.client(password="fleetpw")
    maxclients = admin.config_get("maxclients")
    with pytest.raises(redis.ResponseError, match="ACL store unavailable"):
        admin.execute_command("CONFIG", "SET", "requirepass", "other", "maxclients", "77")
    assert admin.config_get("requirepass") == {"requirepass": "fleetpw"}
    assert admin.config_get("maxclients") == maxclients
    assert _login(a, "default", "fleetpw")
    assert _first_reply(a, "AUTH", "other").startswith(b"-WRONGPASS")


def test_config_set_requirepass_with_a_failing_parameter_leaves_the_store_alone(fleet):
    """CONFIG SET is all or nothing in store mode too: when another parameter of the command
    cannot take effect (a port already in use), default's password is not written to etcd."""
    a, b, _ = fleet.nodes
    before = fleet.etcd.lines(fleet.prefix)
    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen()
    try:
        with pytest.raises(redis.ResponseError) as e:
            a.client().execute_command("CONFIG", "SET", "requirepass", "lost", "port", str(busy.getsockname()[1]))
        assert str(e.value) == ("CONFIG SET failed (possibly related to argument 'port') - "
                                "Unable to listen on this port. Check server logs.")
    finally:
        busy.close()
    assert fleet.etcd.lines(fleet.prefix) == before
    assert a.client().config_get("requirepass") == {"requirepass": ""}
    # A write that did go through afterwards is seen by b, so b has caught up past any
    # write of the failed command: b still needs no password.
    a.client().execute_command("ACL", "SETUSER", "marker", "on")
    wait_for("b to see the marker", lambda: any(line.startswith(b"user marker ") for line in b.acl_list()))
    assert not _noauth(b) and not _noauth(a)


def test_config_set_during_a_store_write_is_kept(fleet):
    """A CONFIG SET requirepass waits for etcd; a CONFIG SET another client runs meanwhile is
    kept when the first one completes (as if the two had run one after the other)."""
    a = fleet.nodes[0]
    admin = a.client()
    maxclients = admin.config_get("maxclients")["maxclients"]
    # etcd stopped (not killed): the store write waits for it instead of failing.
    fleet.etcd.proc.send_signal(signal.SIGSTOP)
    try:
        slow = socket.create_connection(("127.0.0.1", a.port), timeout=10)
        slow.sendall(b"CLIENT SETNAME slow\r\nCONFIG SET requirepass pw2\r\n")
        # The server is running the command once CLIENT LIST shows it as slow's command.
        wait_for("the CONFIG SET to be running", lambda: any(
            cl["name"] == "slow" and cl["cmd"] == "config|set" for cl in admin.client_list()))
        assert admin.config_set("maxclients", "321") is True
    finally:
        fleet.etcd.proc.send_signal(signal.SIGCONT)
    reply = b""
    while reply.count(b"\r\n") < 2:
        chunk = slow.recv(4096)
        assert chunk, "connection closed before the CONFIG SET replied"
        reply += chunk
    slow.close()
    assert reply == b"+OK\r\n+OK\r\n"
    fresh = a.client(password="pw2")
    assert fresh.config_get("maxclients") == {"maxclients": "321"} != {"maxclients": maxclients}
    assert fresh.config_get("requirepass") == {"requirepass": "pw2"}


def test_exec_waiting_for_the_store_does_not_stall_other_clients(fleet):
    """An ACL SETUSER inside MULTI/EXEC waits for etcd without blocking the node: with etcd
    stopped, another client's commands are answered meanwhile; once etcd answers, EXEC's reply
    holds every queued command's reply in order and the user reaches every node."""
    a = fleet.nodes[0]
    admin = redis.Redis(port=a.port, socket_timeout=2)
    fleet.etcd.proc.send_signal(signal.SIGSTOP)
    try:
        tx = socket.create_connection(("127.0.0.1", a.port), timeout=10)
        tx.sendall(b"CLIENT SETNAME tx\r\nMULTI\r\nACL SETUSER txuser on >pw ~tx:*\r\nPING\r\n"
                   b"ACL GETUSER txuser\r\nEXEC\r\n")
        wait_for("the EXEC to be running", lambda: any(
            cl["name"] == "tx" and cl["cmd"] == "exec" and "x" in cl["flags"] for cl in admin.client_list()))
        # The node answers others while the EXEC waits for etcd (the read is bounded by
        # admin's 2 s socket timeout, below the store's 3 s request timeout).
        assert admin.ping() is True
        assert admin.execute_command("ACL", "WHOAMI") == b"default"
    finally:
        fleet.etcd.proc.send_signal(signal.SIGCONT)
    expected_prefix = b"+OK\r\n+OK\r\n+QUEUED\r\n+QUEUED\r\n+QUEUED\r\n*3\r\n+OK\r\n+PONG\r\n"
    reply = b""
    while not reply.endswith(b"$9\r\nselectors\r\n*0\r\n"):
        try:
            chunk = tx.recv(65536)
        except TimeoutError:
            raise AssertionError(f"no complete EXEC reply: {reply!r}") from None
        assert chunk, f"connection closed before EXEC replied: {reply!r}"
        reply += chunk
    tx.close()
    assert reply.startswith(expected_prefix)
    # ACL GETUSER after the write in the same EXEC sees the new user (its keys ~tx:*).
    assert b"$4\r\nkeys\r\n$5\r\n~tx:*\r\n" in reply[len(expected_prefix):]
    wait_for("txuser on every node", lambda: all(
        any(line.startswith(b"user txuser on ") for line in n.acl_list()) for n in fleet.nodes))


def test_user_made_on_one_node_works_through_a_proxy_node(fleet):
    """--acl-store with --upstream: a user created through node0 is usable through a proxy node
    in front of a redis-server, and its deletion through node1 reaches the proxy's clients."""
    port = free_port()
    upstream = subprocess.Popen(["redis-server", "--port", str(port), "--save", "", "--appendonly", "no",
                                 "--requirepass", "up-pw", "--dir", fleet.dir], stdout=subprocess.DEVNULL)
    proxy = Node("proxy", fleet.dir, fleet.url, extra=["--upstream", f"redis://:up-pw@127.0.0.1:{port}"])
    try:
        wait_for("redis-server to listen", lambda: port_open(port))
        proxy.start()
        fleet.nodes[0].client().execute_command("ACL", "SETUSER", "app", "on", ">app-pw", "~app:*", "+get", "+set", "+ping")
        app = wait_for("app logging in through the proxy", lambda: _login(proxy, "app", "app-pw"))
        assert app.set("app:1", "v") and app.get("app:1") == b"v"
        with pytest.raises(redis.exceptions.NoPermissionError):
            app.set("other", "v")
        # The SET reached the upstream (authgate only checked it).
        assert redis.Redis(port=port, password="up-pw").get("app:1") == b"v"
        assert len(_clients(proxy, "app")) == 1
        fleet.nodes[1].client().execute_command("ACL", "DELUSER", "app")
        wait_for("app's connection to the proxy closed", lambda: not _clients(proxy, "app"))
        assert _first_reply(proxy, "AUTH", "app", "app-pw").startswith(b"-WRONGPASS")
    finally:
        proxy.stop()
        upstream.kill()
        upstream.wait()


def _noauth(node):
    """True when an unauthenticated client of `node` is refused (NOAUTH)."""
    return _first_reply(node, "PING").startswith(b"-NOAUTH")


def _first_reply(node, *command):
    """The first line of `node`'s reply to `command` on a new connection. A raw socket because
    redis-py retries a refused login with back-off for seconds before raising it."""
    request = b"*%d\r\n" % len(command) + b"".join(b"$%d\r\n%s\r\n" % (len(a), a.encode()) for a in command)
    with socket.create_connection(("127.0.0.1", node.port), timeout=10) as sock:
        sock.sendall(request)
        reply = b""
        while not reply.endswith(b"\r\n"):
            chunk = sock.recv(4096)
            if not chunk:
                break
            reply += chunk
    return reply


def _login(node, user, password):
    try:
        c = node.client(username=user, password=password)
        c.ping()
        return c
    except redis.AuthenticationError:
        return None


def _clients(node, user):
    """The node's connections authenticated as `user` (CLIENT LIST)."""
    return [cl for cl in node.client().client_list() if cl["user"] == user]


def big_aclfile(node, count, tag):
    """Writes `node`'s aclfile with `count` users besides default (sha256 hashes, no bcrypt);
    returns the ACL LIST it loads to."""
    with open(os.path.join(node.dir, "users.acl"), "w") as f:
        f.write("user default on nopass ~* &* +@all\n")
        for i in range(count):
            f.write(f"user {tag}{i:04} on >pw{i} ~k{i}:* +get\n")


def test_acl_load_of_1000_users_reaches_every_node(fleet):
    # Far more users than etcd 3.4 allows operations in one transaction (--max-txn-ops 128).
    big_aclfile(fleet.nodes[0], 1000, "big")
    fleet.nodes[1].client().execute_command("ACL", "SETUSER", "before", "on", "nopass")
    assert fleet.nodes[0].client().execute_command("ACL", "LOAD") == b"OK"
    lines = wait_for("1,001 users on every node and in etcd", lambda: (l := fleet.converged()) and len(l) == 1001 and l)
    assert not any(line.startswith(b"user before ") for line in lines)
    assert fleet.nodes[2].client(username="big0999", password="pw999").get("k999:x") is None
    # Writes after the load land in the new generation and reach every node.
    fleet.nodes[2].client().execute_command("ACL", "SETUSER", "big0001", "+set")
    wait_for("the SETUSER after the load", lambda: (l := fleet.converged()) and any(
        line.startswith(b"user big0001 ") and line.endswith(b"+get +set") for line in l))


def test_kill9_during_a_big_acl_load_leaves_the_old_or_the_new_set(fleet):
    a, b, c = fleet.nodes
    big_aclfile(a, 3000, "new")
    b.client().execute_command("ACL", "SETUSER", "old", "on", "nopass")
    old = wait_for("the old set everywhere", fleet.converged)
    done = threading.Event()

    def load():
        try:
            a.client().execute_command("ACL", "LOAD")
        except redis.RedisError:
            pass  # the node is killed under it
        done.set()

    threading.Thread(target=load, daemon=True).start()
    # Killed once the load has begun writing its generation (its staging key is in etcd), or
    # after it finished if it was faster than the poll.
    wait_for("the ACL LOAD staging or done",
             lambda: done.is_set() or any(k.endswith(b"/staging") for k in fleet.etcd.get("--prefix", "--keys-only", f"{fleet.prefix}gen/")))
    a.kill9()
    new_count = 3001
    state = fleet.etcd.lines(fleet.prefix)
    assert state == old or len(state) == new_count, f"etcd holds {len(state)} users: neither the old set nor the new one"
    # The surviving nodes hold exactly etcd's set, and so does the killed node once restarted.
    fleet.nodes = [b, c]
    wait_for("the survivors on etcd's set", lambda: fleet.converged() == state)
    a.start()
    fleet.nodes = [a, b, c]
    wait_for("the restarted node on etcd's set", lambda: fleet.converged() == state)
    # What the killed load staged stays, protected by its staging lease while that lives (60 s).
    # Its expiry is what revoking it does: the next load then deletes the leftover generation.
    current = fleet.etcd.get("--print-value-only", f"{fleet.prefix}current")
    leftovers = fleet.etcd.generations(fleet.prefix) - {c.decode() for c in current}
    if state == old:
        assert leftovers, "the interrupted load left no staged generation"
    for line in fleet.etcd.ctl("lease", "list")[1:]:
        fleet.etcd.ctl("lease", "revoke", line.decode())
    # A later load over the interrupted one completes, and collects its leftovers (nothing that
    # is current): only the new current generation has keys.
    big_aclfile(b, 200, "after")
    assert b.client().execute_command("ACL", "LOAD") == b"OK"
    wait_for("the next load everywhere", lambda: (l := fleet.converged()) and len(l) == 201 and l)
    current = fleet.etcd.get("--print-value-only", f"{fleet.prefix}current")
    assert fleet.etcd.generations(fleet.prefix) == {current[0].decode()}
