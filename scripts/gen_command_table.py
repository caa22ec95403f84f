#!/usr/bin/env python3
"""Regenerate core/data/commands.json from a live redis-server 7.0.15.

Usage: scripts/gen_command_table.py [--port 6399]

Starts a throwaway `redis-server` (unless --no-spawn), reads `COMMAND` (every command with its
arity, flags, ACL categories, key specs and subcommands) and `ACL CAT` (the category order and each
category's members), cross-checks the two, and writes a normalised JSON document. The output is
committed: the Rust crate embeds it, so builds never need a Redis server.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from resp_client import RespConnection  # noqa: E402


def as_str(b):
    return b.decode() if isinstance(b, bytes) else b


def kv_list(items):
    """COMMAND's nested maps come as flat [k, v, k, v] arrays in RESP2."""
    return {as_str(items[i]): items[i + 1] for i in range(0, len(items), 2)}


def norm_spec(spec):
    s = kv_list(spec)
    bs = kv_list(s["begin_search"])
    fk = kv_list(s["find_keys"])
    out = {"flags": [as_str(f) for f in s.get("flags", [])]}
    bs_type = as_str(bs["type"])
    bs_spec = kv_list(bs["spec"]) if bs["spec"] else {}
    if bs_type == "index":
        out["begin_search"] = {"index": int(bs_spec["index"])}
    elif bs_type == "keyword":
        out["begin_search"] = {"keyword": as_str(bs_spec["keyword"]), "startfrom": int(bs_spec["startfrom"])}
    else:
        out["begin_search"] = {"unknown": None}
    fk_type = as_str(fk["type"])
    fk_spec = kv_list(fk["spec"]) if fk["spec"] else {}
    if fk_type == "range":
        out["find_keys"] = {"range": {"lastkey": int(fk_spec["lastkey"]), "keystep": int(fk_spec["keystep"]),
                                      "limit": int(fk_spec["limit"])}}
    elif fk_type == "keynum":
        out["find_keys"] = {"keynum": {"keynumidx": int(fk_spec["keynumidx"]), "firstkey": int(fk_spec["firstkey"]),
                                       "keystep": int(fk_spec["keystep"])}}
    else:
        out["find_keys"] = {"unknown": None}
    return out


def norm_command(entry):
    name, arity, flags, first, last, step, cats, tips, specs, subs = entry
    return {
        "name": as_str(name).lower(),
        "arity": int(arity),
        "flags": [as_str(f) for f in flags],
        "first_key": int(first),
        "last_key": int(last),
        "step": int(step),
        "categories": [as_str(c).lstrip("@") for c in cats],
        "tips": [as_str(t) for t in tips],
        "key_specs": [norm_spec(s) for s in specs],
        "subcommands": sorted((norm_command(s) for s in subs), key=lambda c: c["name"]),
    }


def tree(v):
    """Encode a RESP3 reply as JSON: ["$", s] bulk, ["+", s] status, [":", n] integer,
    ["*", [..]] array, ["~", [..]] set, ["%", [[k, v], ..]] map, ["_"] null."""
    from resp_client import Status
    if v is None:
        return ["_"]
    if isinstance(v, Status):
        return ["+", v.decode()]
    if isinstance(v, bytes):
        return ["$", v.decode()]
    if isinstance(v, bool):
        return ["#", v]
    if isinstance(v, int):
        return [":", v]
    if isinstance(v, tuple) and v[0] == "set":
        return ["~", [tree(x) for x in v[1]]]
    if isinstance(v, tuple) and v[0] == "map":
        return ["%", [[tree(k), tree(x)] for k, x in v[1]]]
    if isinstance(v, list):
        return ["*", [tree(x) for x in v]]
    raise ValueError(repr(v))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=6399)
    ap.add_argument("--no-spawn", action="store_true", help="use an already running server")
    ap.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "..", "core", "data", "commands.json"))
    args = ap.parse_args()

    proc = None
    if not args.no_spawn:
        tmp = tempfile.mkdtemp()
        proc = subprocess.Popen(["redis-server", "--port", str(args.port), "--save", "", "--appendonly", "no",
                                 "--dir", tmp], stdout=subprocess.DEVNULL)
        for _ in range(100):
            try:
                c = RespConnection(port=args.port)
                break
            except OSError:
                time.sleep(0.05)
        else:
            sys.exit("redis-server did not start")
    else:
        c = RespConnection(port=args.port)
    try:
        version = kv_list(c.call("HELLO", "2"))["version"].decode()
        commands = sorted((norm_command(e) for e in c.call("COMMAND")), key=lambda x: x["name"])
        categories = [as_str(x) for x in c.call("ACL", "CAT")]
        members = {cat: sorted(as_str(x) for x in c.call("ACL", "CAT", cat)) for cat in categories}
        # The exact COMMAND INFO / COMMAND DOCS replies, captured in RESP3 so maps and sets keep
        # their shape; the server re-encodes them for RESP2 or RESP3.
        c.call("HELLO", "3")
        info_replies = {}
        for entry in c.call("COMMAND"):
            info_replies[as_str(entry[0]).lower()] = tree(entry)
        docs = c.call("COMMAND", "DOCS")[1]
        docs_replies = {as_str(k).lower(): tree(v) for k, v in docs}
    finally:
        c.close()
        if proc:
            proc.terminate()
            proc.wait()

    # Cross-check: the categories in COMMAND must equal ACL CAT's membership.
    derived = {cat: [] for cat in categories}
    for cmd in commands:
        for cat in cmd["categories"]:
            derived[cat].append(cmd["name"])
        for sub in cmd["subcommands"]:
            for cat in sub["categories"]:
                derived[cat].append(sub["name"])
    for cat in categories:
        if sorted(derived[cat]) != members[cat]:
            sys.exit(f"category {cat}: COMMAND and ACL CAT disagree")

    doc = {"redis_version": version, "categories": categories, "commands": commands}
    replies_path = os.path.join(os.path.dirname(args.out), "command_replies.json")
    with open(replies_path, "w") as f:
        json.dump({"info": info_replies, "docs": docs_replies}, f, separators=(",", ":"), sort_keys=True)
        f.write("\n")
    with open(args.out, "w") as f:
        json.dump(doc, f, indent=1, sort_keys=False)
        f.write("\n")
    total = len(commands) + sum(len(c["subcommands"]) for c in commands)
    print(f"wrote {args.out}: {len(commands)} commands, {total} with subcommands, {len(categories)} categories")


if __name__ == "__main__":
    main()
