"""Two checks that depend on the client's user or on authgate's own configuration rather than the
upstream's, found by running redis-server 7.0.15's own tests/unit/acl*.tcl through the proxy:

- DEBUG (and MODULE LOAD/UNLOAD) are allowed as `enable-debug-command` (`enable-module-command`)
  says in authgate's configuration (`no`, `yes`, `local`), then forwarded;
- SORT / SORT_RO with BY <pattern> or GET need unrestricted read access for the *client's*
  user; the upstream, where the client runs as authgate's upstream user, cannot know.

Each case runs the same commands against a reference redis-server 7.0.15 that has the same
ACL users (configured like authgate) and compares the replies as tagged, type-exact tuples.
"""
import os

import pytest

from conftest import Process, connect, proxy_process, upstream_process, UPSTREAM_PASSWORD  # noqa: F401
from servers import REDIS_SERVER


def reference_process(*extra):
    return Process("reference", lambda p: [REDIS_SERVER, "--port", str(p), "--bind", "127.0.0.1", "--save", "",
                                           "--appendonly", "no", *extra])


def proxy_with_config(upstream, lines):
    p = proxy_process(f"redis://:{UPSTREAM_PASSWORD}@127.0.0.1:{upstream.port}")
    conf = os.path.join(p.dir, "authgate.conf")
    with open(conf, "w") as f:
        f.write("".join(line + "\n" for line in lines))
    base = p.argv_for_port
    p.argv_for_port = lambda port: base(port) + ["--config", conf]
    return p


@pytest.fixture(scope="module")
def debug_upstream():
    # The upstream itself allows DEBUG: what a client may do is authgate's setting.
    u = Process("upstream", lambda p: [REDIS_SERVER, "--port", str(p), "--bind", "127.0.0.1", "--save", "",
                                       "--appendonly", "no", "--requirepass", UPSTREAM_PASSWORD,
                                       "--enable-debug-command", "yes"]).start()
    yield u
    u.stop()


@pytest.mark.parametrize("mode", ["no", "yes", "local", "LOCAL"])
def test_debug_is_allowed_as_enable_debug_command_says(debug_upstream, mode):
    ref = reference_process("--enable-debug-command", mode).start()
    proxy = proxy_with_config(debug_upstream, ["requirepass adm", f"enable-debug-command {mode}"]).start()
    try:
        r = connect(ref.port)
        p = connect(proxy.port, password="adm")
        assert p.call_tagged("SET", "key", "1") == r.call_tagged("SET", "key", "1") == ("+", b"OK")
        for argv in [("CONFIG", "GET", "enable-debug-command"), ("DEBUG", "OBJECT", "nokey"),
                     ("DEBUG", "JMAP"), ("DEBUG", "HELP")]:
            assert p.call_tagged(*argv) == r.call_tagged(*argv), argv
        # DEBUG OBJECT of an existing key reaches the upstream's data: same encoding as on Redis
        # (the address and LRU fields differ between any two servers, so only the prefix is compared).
        got, want = p.call_tagged("DEBUG", "OBJECT", "key"), r.call_tagged("DEBUG", "OBJECT", "key")
        assert got[0] == want[0]
        if want[0] == "+":
            assert got[1].split(b" ")[0] == b"Value" and b"encoding:int" in got[1] and b"encoding:int" in want[1]
        else:
            assert got == want
        # CONFIG SET of an immutable setting: Redis' refusal.
        argv = ("CONFIG", "SET", "enable-debug-command", "yes")
        assert p.call_tagged(*argv) == r.call_tagged(*argv)
    finally:
        proxy.stop()
        ref.stop()


def test_a_bad_enable_debug_command_value_is_redis_fatal_error(debug_upstream, tmp_path):
    import subprocess
    from servers import find_authgate_bin
    conf = tmp_path / "bad.conf"
    conf.write_text("port 0\nenable-debug-command maybe\n")
    want = subprocess.run([REDIS_SERVER, str(conf)], capture_output=True, timeout=10)
    got = subprocess.run([find_authgate_bin(), "serve", "--config", str(conf)], capture_output=True, timeout=10)
    assert want.returncode == got.returncode == 1
    assert got.stderr == want.stderr and b"must be one of the following: no, yes, local" in got.stderr


SORT_CASES = [
    ("SORT", "mylist", "BY", "v*"),
    ("SORT", "mylist", "GET", "v*"),
    ("SORT", "mylist", "GET", "#"),
    ("SORT", "mylist", "BY", "nosort"),
    ("SORT", "mylist", "BY", "v*", "GET", "v*"),
    ("SORT", "mylist", "GET", "v*", "BY", "v*"),
    ("SORT", "mylist", "LIMIT", "x", "1", "BY", "v*"),
    ("SORT", "mylist", "BY", "v*", "LIMIT", "x", "1"),
    ("SORT", "mylist", "bogus", "BY", "v*"),
    ("SORT", "mylist", "BY", "v*", "bogus"),
    ("SORT", "mylist", "BY", "v*", "STORE", "dst"),
    ("SORT_RO", "mylist", "BY", "v*"),
    ("SORT_RO", "mylist", "GET", "v*"),
    ("SORT_RO", "mylist", "STORE", "dst", "BY", "v*"),
    ("SORT", "mylist", "ALPHA", "DESC"),
]


@pytest.fixture(scope="module")
def sort_pair():
    up = upstream_process().start()
    ref = reference_process().start()
    proxy = proxy_process(f"redis://:{UPSTREAM_PASSWORD}@127.0.0.1:{up.port}", "--requirepass", "adm").start()
    yield proxy, ref
    proxy.stop()
    ref.stop()
    up.stop()


@pytest.mark.parametrize("rules", [
    ["+sort", "+sort_ro", "~mylist"],
    ["+sort", "+sort_ro", "~mylist", "~v*"],
    ["+sort", "+sort_ro", "%R~*"],
    ["+sort", "+sort_ro", "~*"],
    ["+@all", "%R~*", "~dst"],
    ["+sort", "+sort_ro", "~mylist", "(~* +sort)"],
])
def test_sort_by_and_get_need_full_read_access_as_on_redis(sort_pair, rules):
    proxy, ref = sort_pair
    admins = [connect(proxy.port, password="adm"), connect(ref.port)]
    for a in admins:
        a.call("FLUSHALL")
        assert a.call_tagged("RPUSH", "mylist", "2", "1", "3") == (":", 3)
        for k, v in (("v1", "10"), ("v2", "30"), ("v3", "20")):
            a.call("SET", k, v)
        a.call("ACL", "DELUSER", "sorter")
        a.call("ACL", "LOG", "RESET")
        assert a.call_tagged("ACL", "SETUSER", "sorter", "on", "nopass", "+multi", "+exec", *rules) == ("+", b"OK")
    p, r = (connect(c.port, user="sorter", password="x") for c in (proxy, ref))
    for argv in SORT_CASES:
        assert p.call_tagged(*argv) == r.call_tagged(*argv), (rules, argv)
    # Queued in a transaction: the refusal is the queued command's result inside EXEC's array.
    for c in (p, r):
        assert c.call_tagged("MULTI") == ("+", b"OK")
    for argv in SORT_CASES[:3]:
        assert p.call_tagged(*argv) == r.call_tagged(*argv), argv
    assert p.call_tagged("EXEC") == r.call_tagged("EXEC")
    # SORT's BY/GET refusal is an error of the command, not an ACL check, so neither server
    # logs it; STORE to a key the user lacks is. Compared without age-seconds and client-info,
    # which differ between any two servers (timing, client ids and ports).
    def log(c):
        return [{k: v for k, v in zip(e[::2], e[1::2]) if k not in (b"age-seconds", b"client-info")}
                for e in c.call("ACL", "LOG")]
    assert log(admins[0]) == log(admins[1])
