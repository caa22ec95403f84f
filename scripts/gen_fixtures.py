#!/usr/bin/env python3
"""Regenerate tests/fixtures/acl_cases.json from a live redis-server 7.0.15.

The scenarios below are inputs only; every expected value in the output is what redis-server
answered, so the fixtures that the Rust, C, Python, Node and Java tests read are Redis' own
behaviour, not our memory of it.

Step kinds and how the expectation is recorded:
  setuser  [name, rules]      -> "OK" or the error text
  deluser  [names]            -> integer or the error text
  getuser  name               -> {flags, passwords, commands, keys, channels, selectors} or null
  list                        -> ACL LIST lines
  users                       -> ACL USERS
  auth     [user, password]   -> true/false (AUTH on a fresh connection)
  dryrun   [user, argv]       -> "OK", the denial text, or the error text
  check    [user, argv]       -> "OK" or the NOPERM/ERR text a client gets when that user runs
                                 argv (derived from DRYRUN: the denial kind picks Redis' NOPERM
                                 text; DRYRUN's own errors map to the command errors)
  cat      category|null      -> sorted names, or the error text
"""
import json
import os
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
        ["getuser", "rw"],
    ]},
    {"name": "selectors", "steps": [
        ["setuser", ["sel", ["on", "nopass", "+get", "~a", "(+set ~b)", "(+mget ~a ~c &ch)"]]],
        ["dryrun", ["sel", ["SET", "b", "1"]]], ["dryrun", ["sel", ["SET", "a", "1"]]],
        ["dryrun", ["sel", ["MGET", "a", "c"]]], ["dryrun", ["sel", ["MGET", "a", "b", "c"]]],
        ["getuser", "sel"], ["list"],
        ["setuser", ["sel", ["clearselectors"]]], ["getuser", "sel"],
        ["setuser", ["test1", ["(+PING", "(+SELECT", "(+DEL", ")"]]], ["getuser", "test1"],
    ]},
    {"name": "channels", "steps": [
        ["setuser", ["ps", ["on", "nopass", "+@all", "&chan:*", "&news"]]],
        ["dryrun", ["ps", ["PUBLISH", "chan:1", "m"]]], ["dryrun", ["ps", ["PUBLISH", "other", "m"]]],
        ["dryrun", ["ps", ["PSUBSCRIBE", "chan:*"]]], ["dryrun", ["ps", ["PSUBSCRIBE", "chan:1*"]]],
        ["dryrun", ["ps", ["SUBSCRIBE", "news", "x"]]], ["check", ["ps", ["SUBSCRIBE", "news", "x"]]],
        ["getuser", "ps"],
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
    {"name": "deluser and default", "steps": [
        ["setuser", ["tmp", ["on"]]], ["deluser", ["tmp", "nope"]], ["deluser", ["x", "default"]],
        ["deluser", ["Default"]], ["users"],
    ]},
    {"name": "dryrun errors", "steps": [
        ["setuser", ["e", ["on"]]], ["dryrun", ["nouser", ["GET", "a"]]], ["dryrun", ["e", ["NOSUCH"]]],
        ["dryrun", ["e", ["CONFIG", "nosuch"]]], ["dryrun", ["e", ["CONFIG"]]], ["dryrun", ["e", ["GET"]]],
        ["dryrun", ["e", ["AUTH", "a", "b"]]], ["dryrun", ["e", ["CLIENT", "ID"]]],
        ["check", ["e", ["NOSUCH", "a", "b"]]], ["check", ["e", ["GET"]]],
    ]},
    {"name": "categories", "steps": [
        ["cat", None], ["cat", "transaction"], ["cat", "nosuch"],
    ]},
]

NOPERM = {
    "command": "NOPERM this user has no permissions to run the '{}' command",
    "key": "NOPERM this user has no permissions to access one of the keys used as arguments",
    "channel": "NOPERM this user has no permissions to access one of the channels used as arguments",
}


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


def run_step(c, port, step):
    kind, arg = step[0], step[1] if len(step) > 1 else None
    if kind == "setuser":
        return text(c.call("ACL", "SETUSER", arg[0], *arg[1]))
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
        r = c.call("ACL", "DRYRUN", arg[0], *arg[1])
        if isinstance(r, RespError):
            # DRYRUN's lookup errors differ from a client's; ask the server what a client gets.
            other = RespConnection(port=port)
            try:
                return text(other.call(*arg[1]))
            finally:
                other.close()
        if r == b"OK":
            return "OK"
        t = r.decode()
        if t.endswith("' command"):
            return NOPERM["command"].format(t.split("'")[1])
        return NOPERM["key" if t.endswith("' key") else "channel"]
    if kind == "cat":
        r = c.call("ACL", "CAT", arg) if arg else c.call("ACL", "CAT")
        if isinstance(r, RespError):
            return str(r)
        names = [x.decode() for x in r]
        return names if arg is None else sorted(names)
    raise ValueError(kind)


def main():
    port = 6411
    out = os.path.join(os.path.dirname(__file__), "..", "tests", "fixtures", "acl_cases.json")
    tmp = tempfile.mkdtemp()
    cases = []
    for sc in SCENARIOS:
        proc = subprocess.Popen(["redis-server", "--port", str(port), "--save", "", "--appendonly", "no",
                                 "--dir", tmp], stdout=subprocess.DEVNULL)
        for _ in range(100):
            try:
                c = RespConnection(port=port)
                break
            except OSError:
                time.sleep(0.05)
        try:
            steps = [{"op": s[0], "args": s[1] if len(s) > 1 else None, "expect": run_step(c, port, s)}
                     for s in sc["steps"]]
        finally:
            c.close()
            proc.terminate()
            proc.wait()
        cases.append({"name": sc["name"], "steps": steps})
    doc = {
        "about": "Generated by scripts/gen_fixtures.py from redis-server 7.0.15; every 'expect' is Redis' answer. "
                 "ACL LIST lines and GETUSER 'commands' may list single-command rules (+cmd/-cmd) in any order "
                 "after the category rules: compare those tokens as a set.",
        "cases": cases,
    }
    with open(out, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    print(f"wrote {out}: {len(cases)} cases, {sum(len(c['steps']) for c in cases)} steps")


if __name__ == "__main__":
    main()
