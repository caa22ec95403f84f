#!/usr/bin/env python3
"""Records what differs between two redis-server processes that get the same commands.

The differential suite normalises a reply field only when two correct servers may disagree on
it. For the fields of CLIENT INFO / CLIENT LIST / ACL LOG `client-info`, INFO and the COMMAND
replies, this script is the evidence: it starts two redis-server 7.0.15 processes exactly as the
harness does (servers.py), runs the same probes on both in lock-step, and writes every probe with
the fields that differed (and their two values) to observations/redis-vs-redis.txt. normalize.py
cites the probes by name.

Usage: observe.py [--out PATH] [--rounds N]
  N rounds of the probes (default 3): a field that differs in any round is reported.

[pipelined] sends the same commands in one write to the first server and one by one to the
second; [fd-other-descriptors] gives the second of two fresh servers one more listening socket;
[servers-started-1s-apart] starts two fresh servers a second apart.
Two probes deliberately open their connections one second apart on the two servers (`age`, and
the `idle` of a connection left alone for a second): the harness opens connections microseconds
apart, so those fields differ only when a second boundary falls in between, which one round
rarely shows.
"""
import argparse
import os
import shutil
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from servers import REDIS_SERVER, Server  # noqa: E402

OUT = os.path.join(HERE, "observations", "redis-vs-redis.txt")


def text(reply):
    """The text of a bulk/verbatim reply (verbatim without its `txt:` prefix)."""
    tag, v = reply[0], reply[1]
    if tag == "=":
        return v[4:].decode("latin-1")
    if tag in ("$", "+"):
        return v.decode("latin-1")
    return repr(reply)


def client_fields(line):
    """`k=v k=v ...` -> [(k, v)] in order (a client line)."""
    out = []
    for tok in line.strip().split(" "):
        k, _, v = tok.partition("=")
        out.append((k, v))
    return out


def info_fields(body):
    """INFO text -> [(section/field, value)] in order; section headers are fields too."""
    out, section = [], ""
    for ln in body.split("\r\n"):
        if not ln:
            continue
        if ln.startswith("# "):
            section = ln[2:]
            out.append((f"# {section}", ""))
            continue
        k, _, v = ln.partition(":")
        out.append((f"{section}/{k}", v))
    return out


def diff_fields(a, b):
    """Fields (by name) whose values differ, plus fields present on one side only."""
    da, db = dict(a), dict(b)
    names = [k for k, _ in a] + [k for k, _ in b if k not in da]
    out = []
    for k in names:
        if da.get(k) != db.get(k):
            out.append((k, da.get(k), db.get(k)))
    return out


class Probes:
    """The probes, run on both servers with the same connection sequence."""

    def __init__(self, servers):
        self.servers = servers

    def on_both(self, fn):
        return [fn(s) for s in self.servers]

    def client_info(self):
        def run(s):
            c = s.connect()
            c.call_tagged("CLIENT", "SETNAME", "probe")
            r = text(c.call_tagged("CLIENT", "INFO"))
            c.close()
            return client_fields(r)
        return self.on_both(run)

    def client_list(self):
        """Three connections: one idle, one subscribed, one in MULTI; CLIENT LIST from a fourth."""
        def run(s):
            idle, sub, multi, me = (s.connect() for _ in range(4))
            idle.call_tagged("PING")
            sub.call_tagged("SUBSCRIBE", "ch")
            multi.call_tagged("MULTI")
            multi.call_tagged("SET", "k", "v")
            lines = text(me.call_tagged("CLIENT", "LIST")).strip().split("\n")
            for c in (idle, sub, multi, me):
                c.close()
            return [(f"line{i}/{k}", v) for i, ln in enumerate(lines) for k, v in client_fields(ln)]
        return self.on_both(run)

    def acl_log_client_info(self):
        def run(s):
            c = s.connect()
            c.call_tagged("ACL", "SETUSER", "obs", "on", ">p", "+get", "~a*")
            u = s.connect()
            u.call_tagged("AUTH", "obs", "p")
            u.call_tagged("GET", "b")
            u.call_tagged("AUTH", "obs", "wrong")
            log = c.call_tagged("ACL", "LOG")
            c.call_tagged("ACL", "DELUSER", "obs")
            c.call_tagged("ACL", "LOG", "RESET")
            u.close()
            c.close()
            out = []
            for i, entry in enumerate(log[1]):
                items = entry[1]
                fields = dict((items[j][1], items[j + 1]) for j in range(0, len(items), 2))
                out += [(f"entry{i}/{k}", v) for k, v in client_fields(fields[b"client-info"][1].decode("latin-1"))]
                out.append((f"entry{i}/age-seconds", repr(fields[b"age-seconds"])))
            return out
        return self.on_both(run)

    def age_and_idle_one_second_apart(self):
        conns = []
        for s in self.servers:
            conns.append(s.connect())
            conns[-1].call_tagged("PING")
            time.sleep(1.05)  # an observation, not a test: make a second boundary fall in between
        out = [client_fields(text(c.call_tagged("CLIENT", "INFO"))) for c in conns]
        for c in conns:
            c.close()
        return [[f for f in o if f[0] in ("age", "idle")] for o in out]

    def client_list_order(self):
        """Six connections, a third of a second (a few server timer ticks), then CLIENT LIST:
        the order of the ids."""
        def run(s):
            conns = [s.connect() for _ in range(6)]
            for c in conns:
                c.call_tagged("PING")
            time.sleep(0.35)  # an observation, not a test: let the servers' timers run
            lines = text(conns[0].call_tagged("CLIENT", "LIST")).strip().split("\n")
            for c in conns:
                c.close()
            return [("order", " ".join(dict(client_fields(ln))["id"] for ln in lines))]
        return self.on_both(run)

    def pipelined(self):
        """The same 2002 commands: on the first server in one write, on the second one by one."""
        a, b = self.servers
        ca, cb = a.connect(), b.connect()
        # a large reply (COMMAND DOCS) still buffered when CLIENT INFO runs: its list nodes
        batch = b"".join(ca.encode(["SET", "k%d" % i, "v"]) for i in range(2000)) + \
            ca.encode(["COMMAND", "DOCS"]) + ca.encode(["CLIENT", "INFO"])
        ca.send_raw(batch)
        for _ in range(2001):
            ca.read_tagged()
        ra = text(ca.read_tagged())
        for i in range(2000):
            cb.call_tagged("SET", "k%d" % i, "v")
        cb.call_tagged("COMMAND", "DOCS")
        rb = text(cb.call_tagged("CLIENT", "INFO"))
        ia = info_fields(text(ca.call_tagged("INFO", "stats")))
        ib = info_fields(text(cb.call_tagged("INFO", "stats")))
        for c in (ca, cb):
            c.call_tagged("FLUSHALL")
            c.close()
        return client_fields(ra) + ia, client_fields(rb) + ib

    def info(self, *section):
        def run(s):
            c = s.connect()
            r = info_fields(text(c.call_tagged("INFO", *section)))
            c.close()
            return r
        return self.on_both(run)

    def ordered(self, *argv):
        """Whether a reply is byte-identical, and whether it is equal as a multiset."""
        def run(s):
            c = s.connect()
            r = c.call_tagged(*argv)
            c.close()
            return r
        a, b = self.on_both(run)
        items = lambda r: sorted(map(repr, r[1])) if isinstance(r[1], tuple) else [repr(r)]  # noqa: E731
        return a == b, items(a) == items(b)


def extra_pair(redis_bin, second_args=(), delay=0.0):
    """Two more redis-server processes; the second gets extra arguments and starts `delay`
    seconds after the first. Once both run: (CLIENT INFO fields + INFO fields) of a first
    connection to each."""
    pair = []
    try:
        for i, extra in enumerate([(), tuple(second_args)]):
            if i and delay:
                time.sleep(delay)  # an observation, not a test
            s = Server("redis", redis_bin, "plain", f"obs-x{i}")
            s.extra_args = list(extra)
            pair.append(s)
            s.start()
        out = []
        for s in pair:
            c = s.connect()
            out.append(client_fields(text(c.call_tagged("CLIENT", "INFO"))) +
                       info_fields(text(c.call_tagged("INFO", "server"))) +
                       info_fields(text(c.call_tagged("INFO", "persistence"))))
            c.close()
        return out
    finally:
        for s in pair:
            s.cleanup()


def exec_argv_mem(server):
    """argv-mem of CLIENT INFO run inside EXEC, after different queued commands."""
    out = []
    for queued in (["GET", "k"], ["SET", "k", "v", "GET"], ["SET", "k", "v", "EX", "100"]):
        c = server.connect()
        c.call_tagged("MULTI")
        c.call_tagged(*queued)
        c.call_tagged("CLIENT", "INFO")
        r = c.call_tagged("EXEC")
        fields = dict(client_fields(text(r[1][1])))
        out.append(f"after {' '.join(queued)}: argv-mem={fields['argv-mem']}")
        c.call_tagged("DEL", "k")
        c.close()
    return ("MULTI, <command>, CLIENT INFO, EXEC (EXEC's own arguments: 4 bytes): " + "; ".join(out) +
            ": inside EXEC, argv-mem follows redis' rewriting of the queued commands for propagation "
            "(SET ... GET propagates as SET k v, SET ... EX with an absolute expiry), not the command running")


def first_client_id(redis_bin):
    """A fresh server: servers.py's readiness check is its first connection; then CLIENT ID and
    CLIENT LIST of the second one."""
    s = Server("redis", redis_bin, "plain", "obs-id")
    s.start()
    try:
        c = s.connect()
        cid = c.call_tagged("CLIENT", "ID")[1]
        lines = text(c.call_tagged("CLIENT", "LIST")).strip().split("\n")
        c.close()
        return cid, [dict(client_fields(ln))["id"] for ln in lines]
    finally:
        s.cleanup()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=OUT)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    redis_bin = shutil.which(REDIS_SERVER) or REDIS_SERVER
    servers = [Server("redis", redis_bin, "plain", "obs-a"), Server("redis", redis_bin, "plain", "obs-b")]
    for s in servers:
        s.start()
    found = {}
    orders = {}
    try:
        p = Probes(servers)
        probes = {
            "client-info": p.client_info,
            "client-list": p.client_list,
            "acl-log-client-info": p.acl_log_client_info,
            "info-default": p.info,
            "info-everything": lambda: p.info("everything"),
            "pipelined": p.pipelined,
            "client-list-order": p.client_list_order,
        }
        for _ in range(args.rounds):
            for name, fn in probes.items():
                a, b = fn()
                for k, va, vb in diff_fields(a, b):
                    found.setdefault(name, {}).setdefault(k, (va, vb))
        # one more listening socket (a unix socket) in the second process
        a, b = extra_pair(redis_bin, ["--unixsocket", os.path.join(servers[1].workdir, "extra.sock")])
        for k, va, vb in diff_fields(a, b):
            if not k.startswith(("Server/", "Persistence/")) and k not in ("addr", "laddr"):
                found.setdefault("fd-other-descriptors", {}).setdefault(k, (va, vb))
        a, b = extra_pair(redis_bin, delay=1.05)
        for k, va, vb in diff_fields(a, b):
            if k.startswith(("Server/", "Persistence/")):
                found.setdefault("servers-started-1s-apart", {}).setdefault(k, (va, vb))
        facts = {}
        cid, listed = first_client_id(redis_bin)
        facts["first-client-id"] = (
            f"a fresh redis-server: after the one readiness connection of servers.py, the next connection "
            f"has CLIENT ID {cid} and CLIENT LIST shows only ids {' '.join(listed)}: the readiness connection "
            f"was id {cid - 1}, and ids below it belong to no connection")
        facts["exec-argv-mem"] = exec_argv_mem(servers[0])
        a, b = p.age_and_idle_one_second_apart()
        for k, va, vb in diff_fields(a, b):
            found.setdefault("client-info-opened-1s-apart", {}).setdefault(k, (va, vb))
        for argv in [("COMMAND",), ("COMMAND", "INFO"), ("COMMAND", "INFO", "config", "client", "get"),
                     ("COMMAND", "DOCS"), ("COMMAND", "DOCS", "client"), ("COMMAND", "LIST"),
                     ("COMMAND", "COUNT"), ("COMMAND", "GETKEYS", "mset", "a", "1", "b", "2"),
                     ("ACL", "CAT", "read"), ("CONFIG", "GET", "*")]:
            orders[" ".join(argv)] = p.ordered(*argv)
    finally:
        for s in servers:
            s.cleanup()

    lines = [
        "# Two redis-server 7.0.15 processes, same probes in lock-step (tests/differential/observe.py)",
        f"# {args.rounds} rounds; started as servers.py starts them (--bind 127.0.0.1, own port and dir).",
        "# Per probe: the fields that differed, with one pair of values (first server, second server).",
        "",
    ]
    for name in ["client-info", "client-list", "client-list-order", "acl-log-client-info",
                 "client-info-opened-1s-apart",
                 "pipelined", "fd-other-descriptors", "servers-started-1s-apart", "info-default",
                 "info-everything"]:
        diffs = found.get(name, {})
        lines.append(f"[{name}] {len(diffs)} differing fields")
        for k, (va, vb) in diffs.items():
            lines.append(f"  {k}: {va!s} | {vb!s}")
        lines.append("")
    for name, fact in facts.items():
        lines.append(f"[{name}] {fact}")
        lines.append("")
    lines.append("[reply order] identical bytes / equal as a multiset of top-level elements")
    for k, (same, same_set) in orders.items():
        lines.append(f"  {k}: {'identical' if same else 'differs'} / {'equal' if same_set else 'differs'}")
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
