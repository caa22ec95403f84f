"""Real clients through authgate's proxy (in front of a redis-server with only a password):
redis-cli, redis-py, node-redis and Jedis, each as an ACL user that is allowed and denied."""
import json
import os
import shutil
import subprocess

import redis

from conftest import ADMIN_PASSWORD, HERE

NOPERM_KEY = "NOPERM this user has no permissions to access one of the keys used as arguments"


def cli(port, *args, user=None, password=None, stdin=None):
    argv = ["redis-cli", "-p", str(port), "--no-auth-warning"]
    if user:
        argv += ["--user", user]
    if password:
        argv += ["--pass", password]
    r = subprocess.run(argv + list(args), capture_output=True, timeout=20, input=stdin)
    return r.stdout.decode()


def test_redis_cli(proxy, admin):
    admin.call("ACL", "SETUSER", "cliuser", "on", ">cp", "~c:*", "+@all", "-@dangerous")
    assert cli(proxy.port, "SET", "c:1", "hello", user="cliuser", password="cp") == "OK\n"
    assert cli(proxy.port, "GET", "c:1", user="cliuser", password="cp") == "hello\n"
    assert cli(proxy.port, "GET", "d:1", user="cliuser", password="cp").strip() == NOPERM_KEY
    assert cli(proxy.port, "GET", "c:1").strip() == "NOAUTH Authentication required."
    # commands read from standard input, one reply each
    data = b"".join(b"RPUSH c:l %d\n" % i for i in range(200)) + b"GET d:2\nLLEN c:l\n"
    out = cli(proxy.port, user="cliuser", password="cp", stdin=data).splitlines()
    assert out == [str(i) for i in range(1, 201)] + [NOPERM_KEY, "", "200"]  # redis-cli: a blank line after an error


def test_redis_py(proxy, admin):
    admin.call("ACL", "SETUSER", "pyuser", "on", ">pp", "~p:*", "+@all")
    # the second round finds the first round's data: counters go on from there
    for protocol, (n, hset_added, llen) in ((2, (2, 1, 50)), (3, (4, 0, 100))):
        r = redis.Redis(port=proxy.port, username="pyuser", password="pp", protocol=protocol)
        assert r.set("p:1", "v") is True
        assert r.get("p:1") == b"v"
        try:
            r.get("q")
            raise AssertionError("GET q should be denied")
        except redis.exceptions.NoPermissionError as e:
            assert str(e) == NOPERM_KEY.removeprefix("NOPERM ")
        pipe = r.pipeline(transaction=True)
        pipe.incr("p:n").incr("p:n").hset("p:h", mapping={"a": "1"}).hgetall("p:h")
        assert pipe.execute()[1:] == [n, hset_added, {b"a": b"1"}]
        pipe = r.pipeline(transaction=False)
        for _ in range(50):
            pipe.rpush("p:l", "x")
        assert pipe.execute()[-1] == llen
        whoami = r.acl_whoami()  # redis-py decodes it in RESP3 only
        assert (whoami.decode() if isinstance(whoami, bytes) else whoami) == "pyuser"
        r.close()
    # the default user (unrestricted) may run scripts; a restricted user may not
    admin_py = redis.Redis(port=proxy.port, password=ADMIN_PASSWORD)
    assert admin_py.eval("return redis.call('GET', KEYS[1])", 1, "p:1") == b"v"
    r = redis.Redis(port=proxy.port, username="pyuser", password="pp")
    try:
        r.eval("return 1", 0)
        raise AssertionError("EVAL should be refused")
    except redis.exceptions.NoPermissionError as e:
        assert "through the proxy" in str(e)


def test_node_redis(proxy, admin):
    node = shutil.which("node")
    assert node, "node is required (make test installs it for the Node binding)"
    r = subprocess.run([node, os.path.join(HERE, "node_client.js"), str(proxy.port), ADMIN_PASSWORD],
                       capture_output=True, timeout=60)
    assert r.returncode == 0, r.stderr.decode()
    out = json.loads(r.stdout)
    assert out == {
        "set": "OK", "get": "v", "denied": NOPERM_KEY, "hset": 2, "hgetall": {"a": "1", "b": "2"},
        "multi": [1, 2, "v"], "pipeline": 100,
    }


def test_jedis(proxy, admin, tmp_path):
    # Jedis and its dependencies from Maven, as the TLS suite gets them (tests/tls/clients/pom.xml).
    classpath = tmp_path / "classpath.txt"
    subprocess.run(["mvn", "-q", "-B", "-ntp", "-f", os.path.join(HERE, "..", "tls", "clients", "pom.xml"),
                    "dependency:build-classpath", f"-Dmdep.outputFile={classpath}"], check=True, timeout=600)
    admin.call("ACL", "SETUSER", "juser", "on", ">jp", "~j:*", "+@all")
    r = subprocess.run(["java", "-cp", classpath.read_text().strip(), os.path.join(HERE, "clients", "JedisProxy.java"),
                        str(proxy.port), "juser", "jp"], capture_output=True, timeout=120)
    assert r.returncode == 0, r.stderr.decode(errors="replace")
    assert r.stdout.decode().splitlines() == [
        "whoami juser", "set OK", "get v", "denied " + NOPERM_KEY, "hgetall {a=1, b=2}", "multi [1, 2, v]",
        "pipeline 100",
    ]
