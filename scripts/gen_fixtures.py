#!/usr/bin/env python3
"""Regenerate tests/fixtures/acl_cases.json from a live redis-server 7.0.15.

The scenarios below are inputs only; every expected value in the output is what redis-server
answered, stored as it answered (nothing is normalised here), so the fixtures that the Rust, C,
Python, Node and Java tests read are Redis' own behaviour, not our memory of it.

Step kinds and how the expectation is recorded:
  setuser  [name, rules]      -> "OK" or the error text
  deluser  [names]            -> integer or the error text
  getuser  name               -> {flags, passwords, commands, keys, channels, selectors} or null
  list                        -> ACL LIST lines
  users                       -> ACL USERS
  auth     [user, password]   -> true/false (AUTH on a fresh connection)
  dryrun   [user, argv]       -> "OK", the denial text, or the error text of ACL DRYRUN
  check    [user, argv]       -> what a client authenticated as `user` gets when it sends argv:
                                 "OK" if the command passed every check before execution (it was
                                 executed, whether or not it then failed, e.g. `CLIENT KILL x`'s
                                 "No such client"), else the error text it was rejected with
                                 (NOPERM, unknown command or subcommand, wrong arity). The
                                 recorder authenticates a connection as the user (the password is
                                 the last `>pw` a successful SETUSER gave it; `nopass` users take
                                 any) and tells "executed" from "rejected" by the server's own
                                 counters: INFO commandstats `calls` grows only when a command is
                                 executed (a rejected one grows `rejected_calls`).
  cat      category|null      -> ACL CAT's names (in Redis' order without a category, which the
                                 tests compare in order; sorted with one, a hash-table order)

How the tests compare ACL LIST lines and GETUSER `commands` strings is written in the file's
"about" (ABOUT below): exactly, except for the order of the single-command tokens after the
category tokens, the rule of tests/differential/normalize.py (norm_command_tokens) and
tests/differential/README.md.
"""
import json
import os
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from resp_client import RespConnection, RespError  # noqa: E402

SCENARIOS = [
    {"name": "basic user", "steps": [
        ["setuser", ["alice", ["on", ">secret", "~cache:*", "+get", "+set"]]],
        ["auth", ["alice", "secret"]], ["auth", ["alice", "wrong"]], ["auth", ["nobody", "x"]],
        ["check", ["alice", ["GET", "cache:1"]]], ["check", ["alice", ["GET", "other"]]],
        ["check", ["alice", ["DEL", "cache:1"]]], ["check", ["alice", ["CLIENT", "KILL", "x"]]],
        ["check", ["alice", ["set", "cache:1", "v"]]], ["check", ["alice", ["SET", "other", "v"]]],
        ["getuser", "alice"], ["list"], ["users"],
    ]},
    {"name": "all or nothing", "steps": [
        ["setuser", ["u1", ["on", ">p1", "+get", "~x", "badrule"]]], ["getuser", "u1"],
        ["setuser", ["u1", ["on", "+nosuch"]]], ["setuser", ["u1", ["on", "+@nosuch"]]],
        ["setuser", ["u1", ["(+get", "~x"]]], ["setuser", ["a b", ["on"]]],
        ["setuser", ["u1", ["<notthere"]]], ["setuser", ["u1", ["#abc"]]],
        ["setuser", ["u1", ["allkeys", "~x"]]], ["setuser", ["u1", ["(&* &fail)"]]],
        ["setuser", ["u1", ["+config|get|x"]]], ["setuser", ["u1", ["%~x"]]], ["getuser", "u1"],
    ]},
    {"name": "read and write key permissions", "steps": [
        ["setuser", ["rw", ["on", "nopass", "+@all", "%R~r*", "%W~w*"]]],
        ["dryrun", ["rw", ["GET", "w1"]]], ["dryrun", ["rw", ["SET", "w1", "v"]]],
        ["dryrun", ["rw", ["SET", "w1", "v", "GET"]]], ["dryrun", ["rw", ["DEL", "r1"]]],
        ["dryrun", ["rw", ["EXISTS", "r1", "w1"]]], ["dryrun", ["rw", ["EXISTS", "x"]]],
        ["dryrun", ["rw", ["RENAME", "r1", "w1"]]], ["dryrun", ["rw", ["COPY", "r1", "w1"]]],
        ["dryrun", ["rw", ["MGET", "r1", "r2", "w1", "w2"]]], ["dryrun", ["rw", ["KEYS", "*"]]],
        ["check", ["rw", ["GET", "w1"]]], ["check", ["rw", ["SET", "w1", "v"]]],
        ["check", ["rw", ["SET", "w1", "v", "GET"]]], ["check", ["rw", ["DEL", "r1"]]],
        ["check", ["rw", ["EXISTS", "r1", "w1"]]], ["check", ["rw", ["RENAME", "r1", "w1"]]],
        ["check", ["rw", ["COPY", "r1", "w1"]]], ["check", ["rw", ["MGET", "r1", "r2", "w1", "w2"]]],
        ["getuser", "rw"],
    ]},
    {"name": "multi-key commands", "steps": [
        ["setuser", ["mk", ["on", ">mkpw", "+@all", "%R~src*", "%W~dst*", "~both*"]]],
        ["check", ["mk", ["LMOVE", "src1", "dst1", "LEFT", "RIGHT"]]],
        ["dryrun", ["mk", ["LMOVE", "src1", "dst1", "LEFT", "RIGHT"]]],
        ["check", ["mk", ["LMOVE", "both1", "dst1", "LEFT", "RIGHT"]]],
        ["check", ["mk", ["SUNIONSTORE", "dst1", "src1", "src2"]]],
        ["check", ["mk", ["SUNIONSTORE", "src1", "dst1"]]],
        ["dryrun", ["mk", ["SUNIONSTORE", "src1", "dst1"]]],
        ["check", ["mk", ["ZUNIONSTORE", "dst1", "2", "src1", "src2"]]],
        ["check", ["mk", ["ZUNIONSTORE", "dst1", "2", "src1", "other"]]],
        ["dryrun", ["mk", ["ZUNIONSTORE", "dst1", "2", "src1", "other"]]],
        ["check", ["mk", ["MSET", "dst1", "a", "dst2", "b"]]],
        ["check", ["mk", ["MSET", "dst1", "a", "src1", "b"]]],
        ["check", ["mk", ["BITOP", "AND", "dst1", "src1", "src2"]]],
        ["check", ["mk", ["SINTERCARD", "2", "src1", "src2"]]],
        ["check", ["mk", ["LMPOP", "2", "src1", "src2", "LEFT"]]],
        ["check", ["mk", ["LMPOP", "2", "both1", "both2", "LEFT"]]],
        ["check", ["mk", ["XREAD", "COUNT", "1", "STREAMS", "src1", "both1", "0", "0"]]],
        ["check", ["mk", ["XREAD", "STREAMS", "dst1", "0"]]],
        ["dryrun", ["mk", ["XREAD", "STREAMS", "dst1", "0"]]],
        ["check", ["mk", ["EVAL", "return 1", "1", "src1"]]],
        ["check", ["mk", ["EVAL", "return 1", "1", "both1"]]],
        ["check", ["mk", ["EVAL", "return 1", "0", "src1"]]],
        ["check", ["mk", ["SORT", "src1"]]], ["check", ["mk", ["SORT_RO", "src1"]]],
        ["check", ["mk", ["SORT", "src1", "STORE", "dst1"]]],
        ["check", ["mk", ["GETDEL", "src1"]]], ["check", ["mk", ["OBJECT", "ENCODING", "src1"]]],
        ["check", ["mk", ["EXISTS", "src1", "dst1", "other"]]],
        ["dryrun", ["mk", ["EXISTS", "src1", "dst1", "other"]]],
        ["check", ["mk", ["DEL", "dst1", "src1"]]], ["check", ["mk", ["SMOVE", "src1", "dst1", "m"]]],
        ["check", ["mk", ["GEORADIUS", "src1", "0", "0", "1", "km", "STORE", "dst1"]]],
        ["check", ["mk", ["GEORADIUS", "src1", "0", "0", "1", "km", "STORE", "src2"]]],
    ]},
    {"name": "selectors", "steps": [
        ["setuser", ["sel", ["on", "nopass", "+get", "~a", "(+set ~b)", "(+mget ~a ~c &ch)"]]],
        ["dryrun", ["sel", ["SET", "b", "1"]]], ["dryrun", ["sel", ["SET", "a", "1"]]],
        ["dryrun", ["sel", ["MGET", "a", "c"]]], ["dryrun", ["sel", ["MGET", "a", "b", "c"]]],
        ["check", ["sel", ["SET", "b", "1"]]], ["check", ["sel", ["SET", "a", "1"]]],
        ["check", ["sel", ["MGET", "a", "c"]]], ["check", ["sel", ["MGET", "a", "b", "c"]]],
        ["check", ["sel", ["GET", "c"]]], ["check", ["sel", ["DEL", "a"]]],
        ["getuser", "sel"], ["list"],
        ["setuser", ["sel", ["clearselectors"]]], ["getuser", "sel"],
        ["setuser", ["test1", ["(+PING", "(+SELECT", "(+DEL", ")"]]], ["getuser", "test1"],
        ["setuser", ["split", ["on", "nopass", "+@all", "~a", "(+@all %R~b)"]]],
        ["check", ["split", ["COPY", "b", "a"]]], ["dryrun", ["split", ["COPY", "b", "a"]]],
        ["check", ["split", ["COPY", "a", "a"]]], ["check", ["split", ["GET", "b"]]],
        ["check", ["split", ["SET", "b", "v"]]],
    ]},
    {"name": "channels", "steps": [
        ["setuser", ["ps", ["on", "nopass", "+@all", "&chan:*", "&news"]]],
        ["dryrun", ["ps", ["PUBLISH", "chan:1", "m"]]], ["dryrun", ["ps", ["PUBLISH", "other", "m"]]],
        ["dryrun", ["ps", ["PSUBSCRIBE", "chan:*"]]], ["dryrun", ["ps", ["PSUBSCRIBE", "chan:1*"]]],
        ["dryrun", ["ps", ["SUBSCRIBE", "news", "x"]]], ["check", ["ps", ["SUBSCRIBE", "news", "x"]]],
        ["check", ["ps", ["SUBSCRIBE", "news", "chan:2"]]],
        ["check", ["ps", ["PUBLISH", "chan:1", "m"]]], ["check", ["ps", ["PUBLISH", "other", "m"]]],
        ["check", ["ps", ["SPUBLISH", "chan:1", "m"]]], ["check", ["ps", ["SPUBLISH", "other", "m"]]],
        ["check", ["ps", ["SSUBSCRIBE", "chan:1"]]], ["check", ["ps", ["SSUBSCRIBE", "news", "x"]]],
        ["check", ["ps", ["PSUBSCRIBE", "chan:*"]]], ["check", ["ps", ["PSUBSCRIBE", "chan:1*"]]],
        ["check", ["ps", ["PSUBSCRIBE", "news"]]], ["check", ["ps", ["PSUBSCRIBE", "new*"]]],
        ["check", ["ps", ["UNSUBSCRIBE", "other"]]], ["check", ["ps", ["PUNSUBSCRIBE", "other*"]]],
        ["check", ["ps", ["PUBSUB", "CHANNELS", "other*"]]],
        ["check", ["ps", ["PUBSUB", "NUMSUB", "other"]]],
        ["getuser", "ps"],
        ["setuser", ["rank", ["on", ">rankpw", "resetchannels", "&a", "+publish", "(+get ~k)"]]],
        ["check", ["rank", ["PUBLISH", "b", "m"]]], ["dryrun", ["rank", ["PUBLISH", "b", "m"]]],
        ["check", ["rank", ["PUBLISH", "a", "m"]]],
        ["check", ["rank", ["GET", "x"]]], ["dryrun", ["rank", ["GET", "x"]]],
        ["check", ["rank", ["SET", "k", "v"]]], ["dryrun", ["rank", ["SET", "k", "v"]]],
        ["setuser", ["none", ["on", ">nonepw", "+@all", "~*", "resetchannels"]]],
        ["check", ["none", ["PUBLISH", "x", "m"]]], ["check", ["none", ["SUBSCRIBE", "x"]]],
        ["list"],
    ]},
    {"name": "subcommands and first arguments", "steps": [
        ["setuser", ["sub", ["on", ">subpw", "~*", "&*", "-@all", "+client|id", "+client|setname",
                             "+config|get", "+select|0", "+acl|whoami"]]],
        ["check", ["sub", ["CLIENT", "ID"]]], ["check", ["sub", ["client", "id"]]],
        ["check", ["sub", ["CLIENT", "KILL", "x"]]], ["dryrun", ["sub", ["CLIENT", "KILL", "x"]]],
        ["check", ["sub", ["CLIENT", "NOSUCH"]]], ["dryrun", ["sub", ["CLIENT", "NOSUCH"]]],
        ["check", ["sub", ["CLIENT"]]], ["dryrun", ["sub", ["CLIENT"]]],
        ["check", ["sub", ["CLIENT", "SETNAME", "n1"]]],
        ["check", ["sub", ["CONFIG", "GET", "maxmemory"]]],
        ["check", ["sub", ["CONFIG", "SET", "maxmemory", "0"]]],
        ["check", ["sub", ["SELECT", "0"]]], ["check", ["sub", ["SELECT", "1"]]],
        ["dryrun", ["sub", ["SELECT", "1"]]], ["check", ["sub", ["SELECT", "00"]]],
        ["check", ["sub", ["ACL", "WHOAMI"]]], ["check", ["sub", ["ACL", "LIST"]]],
        ["getuser", "sub"],
        ["setuser", ["sub", ["+client"]]], ["check", ["sub", ["CLIENT", "KILL", "x"]]],
        ["getuser", "sub"],
        ["setuser", ["sub", ["-client|kill"]]], ["check", ["sub", ["CLIENT", "KILL", "x"]]],
        ["check", ["sub", ["CLIENT", "ID"]]], ["getuser", "sub"],
        ["setuser", ["sub", ["+select"]]], ["check", ["sub", ["SELECT", "1"]]], ["getuser", "sub"],
        ["setuser", ["spaced", ["on", "nopass", "-@all", "+select|a b", "+select|1"]]],
        ["check", ["spaced", ["SELECT", "a b"]]], ["check", ["spaced", ["SELECT", "a"]]],
        ["check", ["spaced", ["SELECT", "1"]]], ["getuser", "spaced"],
        ["list"],
    ]},
    {"name": "no-auth commands and execution errors", "steps": [
        ["setuser", ["na", ["on", ">napw", "-@all"]]],
        ["check", ["na", ["AUTH", "a", "b"]]], ["dryrun", ["na", ["AUTH", "a", "b"]]],
        ["check", ["na", ["HELLO"]]], ["dryrun", ["na", ["HELLO"]]],
        ["check", ["na", ["PING"]]], ["check", ["na", ["GET", "k"]]],
        ["setuser", ["ex", ["on", ">expw", "+@all", "-@dangerous", "~k*"]]],
        ["check", ["ex", ["GETRANGE", "k1", "a", "b"]]],
        ["check", ["ex", ["SET", "k1", "v", "EX", "notanumber"]]],
        ["check", ["ex", ["SET", "other", "v", "EX", "notanumber"]]],
        ["check", ["ex", ["SET", "k1", "v"]]], ["check", ["ex", ["INCR", "k1"]]],
        ["check", ["ex", ["LPUSH", "k1", "x"]]], ["check", ["ex", ["RPOP", "k2", "1", "2"]]],
        ["check", ["ex", ["CLIENT", "KILL", "x"]]],
        ["check", ["ex", ["EVAL", "return redis.call('get', 'other')", "0"]]],
        ["check", ["ex", ["FLUSHALL"]]], ["check", ["ex", ["KEYS", "*"]]],
    ]},
    {"name": "canonical descriptions", "steps": [
        ["setuser", ["d1", ["+@hash", "+@set", "+@list"]]], ["setuser", ["d2", ["+@read", "+@write", "-@all"]]],
        ["setuser", ["d3", ["allcommands", "nocommands", "+acl"]]], ["setuser", ["d4", ["+client", "-client|kill"]]],
        ["setuser", ["d5", ["-@all", "+client|kill", "+client|id", "+client"]]],
        ["setuser", ["d6", ["nopass", ">abc"]]], ["setuser", ["d7", [">abc", "nopass"]]],
        ["setuser", ["d8", ["reset", "+@all", "-@dangerous", "allkeys", "allchannels", "on"]]],
        ["setuser", ["d9", ["+select|0", "+select|1", "%R~x", "%W~x"]]],
        ["list"],
    ]},
    {"name": "single-command order", "steps": [
        ["setuser", ["o1", ["-@all", "+get", "+set", "+hset", "+zadd", "+select|0", "+select|1",
                            "+client|id", "+debug|object"]]],
        ["setuser", ["o2", ["reset", "+@all", "-@dangerous", "+flushdb", "-config|set", "+config|get",
                            "allkeys", "allchannels", "nopass", "on"]]],
        ["setuser", ["o3", ["+@all", "-get", "-set", "-hset", "-client|kill"]]],
        ["setuser", ["o4", ["+@read", "-get", "+lpush", "+rpush", "~a", "(+get +set +hget ~b)",
                            "(-@all +@string -incr +client|id +select|0 ~c &d)"]]],
        ["getuser", "o1"], ["getuser", "o2"], ["getuser", "o3"], ["getuser", "o4"], ["list"],
    ]},
    {"name": "deluser and default", "steps": [
        ["setuser", ["tmp", ["on"]]], ["deluser", ["tmp", "nope"]], ["deluser", ["x", "default"]],
        ["deluser", ["Default"]], ["users"],
    ]},
    {"name": "dryrun errors", "steps": [
        ["setuser", ["e", ["on", ">epw"]]], ["dryrun", ["nouser", ["GET", "a"]]], ["dryrun", ["e", ["NOSUCH"]]],
        ["dryrun", ["e", ["CONFIG", "nosuch"]]], ["dryrun", ["e", ["CONFIG"]]], ["dryrun", ["e", ["GET"]]],
        ["dryrun", ["e", ["AUTH", "a", "b"]]], ["dryrun", ["e", ["CLIENT", "ID"]]],
        ["check", ["e", ["NOSUCH", "a", "b"]]], ["check", ["e", ["GET"]]],
        ["check", ["e", ["CONFIG", "nosuch"]]], ["check", ["e", ["CONFIG"]]],
        ["check", ["e", ["CLIENT", "ID"]]], ["check", ["e", ["GET", "a"]]],
    ]},
    {"name": "categories", "steps": [
        ["cat", None], ["cat", "transaction"], ["cat", "nosuch"],
    ]},
]

ABOUT = (
    "Generated by scripts/gen_fixtures.py from redis-server 7.0.15; every 'expect' is Redis' answer, "
    "stored as Redis gave it. 'check' is what a client authenticated as the user got: OK if the command "
    "was executed (passed every check), else the error it was rejected with. "
    "ACL LIST lines and GETUSER 'commands' strings (root and selectors) compare exactly, except that the "
    "single-command tokens (+cmd, -cmd, +cmd|sub, +cmd|firstarg) after a selector's category tokens may "
    "come in any order: Redis emits them in a per-process hash order (tests/differential/README.md, "
    "tests/differential/normalize.py norm_command_tokens). Every fixture test applies canonical() to both "
    "sides: split the string at ' (' into selectors (dropping the ')' that closes each selector after the "
    "first); split each selector at ' '; a command token starts with '+' or '-'; a token after a command "
    "token that starts with none of ~ % & + - ( belongs to it (a first argument with a space, joined back "
    "with ' '). A selector is in Redis' shape if no other token follows a command token, no single "
    "(a command token whose second character is not '@') comes before a category token (+@x/-@x), and no "
    "single +cmd/-cmd without '|' comes after a single +cmd|x/-cmd|x of the same cmd (ASCII "
    "case-insensitive). If every selector is in shape, canonical() is each selector's tokens in order with "
    "its singles sorted by byte value, selectors joined by ' | '; otherwise it is '!' followed by the "
    "string unchanged, which equals no in-shape form."
)


def text(v):
    if isinstance(v, RespError):
        return str(v)
    if isinstance(v, bytes):
        return v.decode()
    return v


def kv(items):
    return {items[i].decode(): items[i + 1] for i in range(0, len(items), 2)}


def getuser(c, name):
    r = c.call("ACL", "GETUSER", name)
    if r is None:
        return None
    m = kv(r)
    return {
        "flags": [f.decode() for f in m["flags"]],
        "passwords": [p.decode() for p in m["passwords"]],
        "commands": m["commands"].decode(),
        "keys": m["keys"].decode(),
        "channels": m["channels"].decode(),
        "selectors": [{k: v.decode() for k, v in kv(s).items()} for s in m["selectors"]],
    }


def commandstats(c):
    """INFO commandstats as {name: calls}."""
    out = {}
    for line in c.call("INFO", "commandstats").decode().splitlines():
        if line.startswith("cmdstat_"):
            name, fields = line[len("cmdstat_"):].split(":", 1)
            out[name] = int(dict(f.split("=") for f in fields.split(","))["calls"])
    return out


def run_as_user(admin, port, user, password, argv):
    """What a client authenticated as `user` gets for argv: "OK" if the server executed it, else
    the error it was rejected with (see the module docstring)."""
    if argv[0].lower() == "info":
        raise ValueError("check steps cannot run INFO: the recorder counts executions with INFO")
    conn = RespConnection(port=port)
    try:
        auth = conn.call("AUTH", user, password if password is not None else "any")
        if auth != b"OK":
            raise RuntimeError(f"check as {user!r}: AUTH answered {auth!r}; give the user a password")
        before = commandstats(admin)
        reply = conn.call(*argv)
        after = commandstats(admin)
    finally:
        conn.close()
    grown = {name: calls - before.get(name, 0) for name, calls in after.items()}
    grown["info"] -= 1  # the first INFO commandstats itself, counted once it returned
    if any(n > 0 for n in grown.values()):
        return "OK"
    if not isinstance(reply, RespError):
        raise RuntimeError(f"check as {user!r} {argv!r}: not executed, yet answered {reply!r}")
    return str(reply)


def run_step(c, port, passwords, step):
    kind, arg = step[0], step[1] if len(step) > 1 else None
    if kind == "setuser":
        r = text(c.call("ACL", "SETUSER", arg[0], *arg[1]))
        if r == "OK":
            for rule in arg[1]:
                if rule.startswith(">"):
                    passwords[arg[0]] = rule[1:]
        return r
    if kind == "deluser":
        return text(c.call("ACL", "DELUSER", *arg))
    if kind == "getuser":
        return getuser(c, arg)
    if kind == "list":
        return [x.decode() for x in c.call("ACL", "LIST")]
    if kind == "users":
        return [x.decode() for x in c.call("ACL", "USERS")]
    if kind == "auth":
        other = RespConnection(port=port)
        try:
            return other.call("AUTH", arg[0], arg[1]) == b"OK"
        finally:
            other.close()
    if kind == "dryrun":
        return text(c.call("ACL", "DRYRUN", arg[0], *arg[1]))
    if kind == "check":
        return run_as_user(c, port, arg[0], passwords.get(arg[0]), arg[1])
    if kind == "cat":
        r = c.call("ACL", "CAT", arg) if arg else c.call("ACL", "CAT")
        if isinstance(r, RespError):
            return str(r)
        names = [x.decode() for x in r]
        return names if arg is None else sorted(names)
    raise ValueError(kind)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def connect(port, proc):
    """A connection to the server just started (it accepts once it has loaded)."""
    deadline = time.monotonic() + 10
    while True:
        try:
            return RespConnection(port=port)
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def main():
    out = os.path.join(os.path.dirname(__file__), "..", "tests", "fixtures", "acl_cases.json")
    tmp = tempfile.mkdtemp()
    cases = []
    for sc in SCENARIOS:
        port = free_port()
        proc = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                 "--appendonly", "no", "--dir", tmp], stdout=subprocess.DEVNULL)
        try:
            c = connect(port, proc)
            passwords = {}
            steps = [{"op": s[0], "args": s[1] if len(s) > 1 else None,
                      "expect": run_step(c, port, passwords, s)} for s in sc["steps"]]
            c.close()
        finally:
            proc.terminate()
            proc.wait()
        cases.append({"name": sc["name"], "steps": steps})
    doc = {"about": ABOUT, "cases": cases}
    with open(out, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    print(f"wrote {out}: {len(cases)} cases, {sum(len(c['steps']) for c in cases)} steps")


if __name__ == "__main__":
    main()
