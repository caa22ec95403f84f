"""Random commands for ACL DRYRUN and for real execution, drawn from the Redis 7.0.15 command table
in core/data/commands.json plus hand-written templates that exercise the key specs and getkeys
functions that matter to ACL (spec §7) and the channel checks (spec §8).
"""
import json
import os

from pools import CHANNEL_PATTERNS, CHANNELS, KEY_PATTERNS, KEYS, PASSWORDS, USERNAMES, rand_case

REPO = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))

# Never executed for real (only DRYRUN): they would change server-wide state that authgate does not
# model, block, kill our own connections, or leave the connection in a mode the harness does not
# track (MULTI only runs inside generated transaction blocks). Their ACL behaviour is still
# compared through ACL DRYRUN.
NO_EXEC = {
    "shutdown", "debug", "monitor", "sync", "psync", "replicaof", "slaveof", "failover",
    "client|pause", "client|unpause", "client|kill", "client|reply", "client|tracking",
    "client|caching", "config|set", "config|rewrite", "config|resetstat", "module|load",
    "module|loadex", "module|unload", "save", "bgsave", "bgrewriteaof", "script|debug", "multi",
    "quit", "migrate", "pfselftest", "pfdebug", "wait",
    "cluster|failover", "cluster|reset",
}
# Subscribe-family commands are executed on a throwaway connection (see runner.py).
PUBSUB_EXEC = {"subscribe", "psubscribe", "ssubscribe", "unsubscribe", "punsubscribe", "sunsubscribe"}

INTS = [b"0", b"-1", b"1", b"2", b"3", b"100", b"1000000", b"abc", b"1.5", b"-0", b"9223372036854775807",
        b"9223372036854775808"]
WORDS = [b"v", b"value", b"get", b"GET", b"STORE", b"KEYS", b"COUNT", b"LIMIT", b"BY", b"x y", b"", b"nx"]
# Options that the getkeys functions of SET, BITFIELD, SORT, MIGRATE, GEORADIUS and XREAD look at.
GETKEYS_WORDS = ["GET", "STORE", "BY", "LIMIT", "KEYS", "AUTH", "AUTH2", "STOREDIST", "STREAMS", "BLOCK",
                 "COUNT", "GROUP", "NOACK", "SET", "INCRBY", "OVERFLOW", "COPY", "REPLACE"]


def load_table():
    with open(os.path.join(REPO, "core", "data", "commands.json")) as f:
        data = json.load(f)
    entries = {}
    for c in data["commands"]:
        entries[c["name"]] = c
        for s in c["subcommands"]:
            entries[s["name"]] = s
    return data["categories"], entries


CATEGORY_ORDER, TABLE = load_table()
# Every command or subcommand with key specs (COMMAND GETKEYS is generated for each of them).
KEYED = sorted(n for n in TABLE if TABLE[n]["key_specs"])
KEY_KEYWORDS = sorted({s["begin_search"]["keyword"].encode() for n in KEYED for s in TABLE[n]["key_specs"]
                       if "keyword" in s["begin_search"]})
TOP_LEVEL = sorted(n for n in TABLE if "|" not in n)
SUBCOMMANDS = sorted(n for n in TABLE if "|" in n)
CONTAINERS = sorted(n for n in TOP_LEVEL if TABLE[n]["subcommands"])
LEAF_COMMANDS = sorted(n for n in TOP_LEVEL if not TABLE[n]["subcommands"])


def resolve(argv):
    """The table entry name of argv (as the server resolves it), or None if unknown."""
    if not argv:
        return None
    name = argv[0].decode("latin-1").lower() if isinstance(argv[0], bytes) else argv[0].lower()
    if name not in TABLE or "|" in name:
        return None
    if TABLE[name]["subcommands"] and len(argv) >= 2:
        sub = argv[1].decode("latin-1").lower() if isinstance(argv[1], bytes) else argv[1].lower()
        full = f"{name}|{sub}"
        return full if full in TABLE else None
    return name


def exec_mode(argv, from_template):
    """How a command may be executed for real: "no" (DRYRUN only), "pubsub" or "yes"."""
    full = resolve(argv)
    if full is None:
        return "yes"  # unknown commands fail before anything runs
    top = full.split("|")[0]
    if full in NO_EXEC or top in NO_EXEC or top == "module":
        return "no"
    if top in PUBSUB_EXEC:
        return "pubsub"
    entry = TABLE[full]
    blocking = "blocking" in entry["categories"] or "blocking" in entry["flags"]
    if blocking and not from_template:
        return "no"
    return "yes"


class CommandGen:
    def __init__(self, rng):
        self.rng = rng

    # -- value helpers ---------------------------------------------------------------------------
    def k(self):
        return self.rng.choice(KEYS)

    def ch(self):
        return self.rng.choice(CHANNELS)

    def num(self):
        return self.rng.choice(INTS)

    def arg(self):
        r = self.rng.random()
        if r < 0.6:
            return self.k()
        if r < 0.8:
            return self.num()
        return self.rng.choice(WORDS)

    def name(self, s):
        return rand_case(self.rng, s).encode() if isinstance(s, str) else s

    def keys(self, lo=1, hi=4):
        return [self.k() for _ in range(self.rng.randint(lo, hi))]

    # -- templates ---------------------------------------------------------------------------------
    def template(self):
        rng, k, n = self.rng, self.k, self.name
        nk = rng.randint(0, 3)
        ks = [k() for _ in range(nk)]
        numkeys = rng.choice([str(nk).encode(), str(nk).encode(), b"-1", b"x", str(nk + 1).encode(), b"0"])
        choices = [
            lambda: [n("set"), k(), b"v"],
            lambda: [n("set"), k(), b"v", n("GET")],
            lambda: [n("set"), k(), b"get"],
            lambda: [n("set"), k(), b"v", n("EX"), b"100", n("get")],
            lambda: [n("set"), k(), b"v", n("ex"), n("get")],
            lambda: [n("set"), k(), b"v", rng.choice([b"NX", b"XX", b"KEEPTTL", b"GETX", b"PX"]), b"100000"],
            lambda: [n("set"), k(), b"v", n("xx"), n("get")],
            lambda: [n("get"), k()],
            lambda: [n("get"), k(), k()],
            lambda: [n("mget")] + self.keys(),
            lambda: [n("mset"), k(), b"1", k(), b"2"],
            lambda: [n("mset"), k(), b"1", k()],
            lambda: [n("del")] + self.keys(),
            lambda: [n("exists")] + self.keys(),
            lambda: [n(rng.choice(["incr", "decr"])), k()],
            lambda: [n(rng.choice(["incrby", "decrby", "incrbyfloat"])), k(), self.num()],
            lambda: [n("append"), k(), b"xy"],
            lambda: [n(rng.choice(["strlen", "type", "ttl", "persist", "getdel", "getex", "dump",
                                   "touch", "pttl", "llen", "scard", "zcard", "xlen", "hlen"])), k()],
            lambda: [n("expire"), k(), rng.choice([b"100", b"0", b"-1", b"x"])] + rng.choice([[], [b"NX"], [b"GT"], [b"bad"]]),
            lambda: [n("keys"), rng.choice(KEY_PATTERNS)],
            lambda: [n("scan"), b"0"] + rng.choice([[], [b"MATCH", rng.choice(KEY_PATTERNS)], [b"COUNT", b"x"]]),
            lambda: [n(rng.choice(["dbsize", "flushdb", "flushall", "randomkey", "ping", "lastsave", "time"]))],
            lambda: [n("echo"), rng.choice([b"hi", b"", b"a b"])],
            lambda: [n("ping"), b"hey"],
            lambda: [n("select"), rng.choice([b"0", b"1", b"15", b"16", b"-1", b"x"])],
            lambda: [n("copy"), k(), k()] + rng.choice([[], [b"REPLACE"], [b"DB", b"1"]]),
            lambda: [n(rng.choice(["rename", "renamenx", "rpoplpush", "pfmerge", "sinterstore", "sdiffstore"])), k(), k()],
            lambda: [n("lmove"), k(), k(), b"LEFT", b"RIGHT"],
            lambda: [n("smove"), k(), k(), b"m"],
            lambda: [n("bitop"), b"AND", k(), k(), k()],
            lambda: [n("bitfield"), k()] + rng.choice([[b"GET", b"u4", b"0"], [b"SET", b"u4", b"0", b"1"],
                                                        [b"INCRBY", b"u4", b"0", b"1"], [b"OVERFLOW", b"SAT", b"GET", b"u4", b"0"],
                                                        [b"GET", b"u4"], [], [b"get", b"u4", b"0", b"overflow", b"wrap"]]),
            lambda: [n("bitfield_ro"), k(), b"GET", b"u4", b"0"],
            lambda: [n("sort"), k()] + rng.choice([[], [b"STORE", k()], [b"BY", rng.choice(KEY_PATTERNS)],
                                                   [b"GET", b"#"], [b"LIMIT", b"0", b"1", b"STORE", k(), b"STORE", k()],
                                                   [b"BY", b"nosort", b"GET", b"x*"], [b"store"]]),
            lambda: [n("sort_ro"), k()] + rng.choice([[], [b"BY", b"w*"], [b"GET", b"#"]]),
            lambda: [n("migrate"), b"127.0.0.1", b"1", k(), b"0", b"100"] +
            rng.choice([[], [b"KEYS", k(), k()], [b"COPY", b"REPLACE", b"KEYS", k()], [b"AUTH", b"pw", b"KEYS", k()],
                        [b"AUTH2", b"u", b"p", b"KEYS", k()], [b"KEYS"], [b"COPY"]]),
            lambda: [n("migrate"), b"127.0.0.1", b"1", b"", b"0", b"100", b"KEYS", k(), k()],
            lambda: [n(rng.choice(["eval", "eval_ro"])), rng.choice([b"return 1", b"return KEYS[1]", b"x"]), numkeys] + ks + [b"arg"],
            lambda: [n(rng.choice(["evalsha", "evalsha_ro"])), b"a" * 40, numkeys] + ks,
            lambda: [n(rng.choice(["fcall", "fcall_ro"])), b"f", numkeys] + ks,
            lambda: [n(rng.choice(["zunionstore", "zinterstore", "zdiffstore"])), k(), numkeys] + ks,
            lambda: [n(rng.choice(["zunion", "zinter", "zdiff", "sintercard", "zintercard"])), numkeys] + ks,
            lambda: [n("lmpop"), numkeys] + ks + [b"LEFT"],
            lambda: [n("zmpop"), numkeys] + ks + [b"MIN", b"COUNT", b"1"],
            lambda: [n("xread")] + rng.choice([[], [b"COUNT", b"1"]]) + [b"STREAMS"] + ks + [b"0"] * rng.randint(0, 3),
            lambda: [n("xreadgroup"), b"GROUP", b"g", b"c", b"STREAMS", k(), b">"],
            lambda: [n("georadius"), k(), b"0", b"0", b"1", b"km"] + rng.choice([[], [b"STORE", k()], [b"STOREDIST", k()],
                                                                              [b"STORE", k(), b"STOREDIST", k()]]),
            lambda: [n("georadiusbymember"), k(), b"m", b"1", b"km", b"STORE", k()],
            lambda: [n("geosearchstore"), k(), k(), b"FROMMEMBER", b"m", b"BYRADIUS", b"1", b"km"],
            lambda: [n("pfcount")] + self.keys(),
            lambda: [n(rng.choice(["lpush", "rpush", "sadd", "pfadd", "srem", "lrem"])), k(), b"a"],
            lambda: [n(rng.choice(["hset", "hsetnx"])), k(), b"f", b"v"],
            lambda: [n(rng.choice(["hexists", "hstrlen", "hget", "sismember", "hdel"])), k(), b"f"],
            lambda: [n("zadd"), k(), b"1", b"m"],
            lambda: [n("zcount"), k(), b"0", b"1"],
            lambda: [n("xadd"), k(), b"*", b"f", b"v"],
            lambda: [n("restore"), k(), b"0", b"x"],
            lambda: [n("object"), n("encoding"), k()],
            lambda: [n("memory"), n("usage"), k()],
            lambda: [n("client"), n(rng.choice(["id", "getname", "info", "list", "no-evict"]))],
            lambda: [n("client"), n("setname"), rng.choice([b"conn1", b"a b", b"", b"x\n"])],
            lambda: [n("client"), n("kill"), b"USER", rng.choice(USERNAMES)],
            lambda: [n("config"), n("get"), rng.choice([b"maxmemory", b"acl*", b"requirepass", b"bind", b"*", b"*port*"])],
            lambda: [n("config"), n("set"), b"acllog-max-len", b"5"],
            lambda: [n("debug"), b"object", k()],
            lambda: [n("acl"), n(rng.choice(["whoami", "cat", "list", "users", "log", "genpass", "help"]))],
            lambda: [n("acl"), n("getuser"), rng.choice(USERNAMES + [b"default"])],
            lambda: [n("acl"), n("cat"), rng.choice(CATEGORY_ORDER + ["nosuch"]).encode()],
            lambda: [n("acl"), n("dryrun"), rng.choice(USERNAMES + [b"default"]), b"get", k()],
            lambda: [n("auth"), rng.choice(USERNAMES), rng.choice(PASSWORDS)],
            lambda: [n("hello")] + rng.choice([[], [b"2"], [b"3"], [b"4"], [b"x"], [b"2", b"SETNAME", b"c1"]]),
            lambda: [n("reset")],
            lambda: [n("quit")],
            lambda: [n(rng.choice(["blpop", "brpop", "bzpopmin", "bzpopmax"])), k(), k(), b"0.01"],
            lambda: [n("blmove"), k(), k(), b"LEFT", b"RIGHT", b"0.01"],
            lambda: [n("brpoplpush"), k(), k(), b"0.01"],
            lambda: [n("blmpop"), b"0.01", numkeys] + ks + [b"LEFT"],
            lambda: [n("bzmpop"), b"0.01", numkeys] + ks + [b"MIN"],
            lambda: [n("xread"), b"BLOCK", b"10", b"STREAMS", k(), b"$"],
            lambda: [n(rng.choice(["multi", "exec", "discard", "unwatch"]))],
            lambda: [n("watch")] + self.keys(),
            lambda: [n(rng.choice(["publish", "spublish"])), self.ch(), b"msg"],
            lambda: [n(rng.choice(["subscribe", "ssubscribe", "unsubscribe", "sunsubscribe"]))] +
            [self.ch() for _ in range(rng.randint(0, 3))],
            lambda: [n(rng.choice(["psubscribe", "punsubscribe"]))] +
            [rng.choice(CHANNEL_PATTERNS + CHANNELS) for _ in range(rng.randint(0, 3))],
            lambda: [n("pubsub"), n(rng.choice(["channels", "numsub", "numpat", "shardchannels"]))] +
            [self.ch() for _ in range(rng.randint(0, 2))],
            lambda: [n("command"), n(rng.choice(["count", "getkeys", "info", "docs", "list"]))],
            lambda: [n("command"), n("getkeys")] + self.template_no_recurse(),
            lambda: [n("command"), n("info"), rng.choice(LEAF_COMMANDS).encode()],
        ]
        return rng.choice(choices)()

    def template_no_recurse(self):
        rng, k = self.rng, self.k
        return rng.choice([
            [b"set", k(), b"v", b"get"], [b"get", k()], [b"mset", k(), b"1", k(), b"2"],
            [b"sort", k(), b"store", k()], [b"eval", b"x", b"2", k(), k()], [b"zunionstore", k(), b"1", k()],
            [b"migrate", b"h", b"1", b"", b"0", b"1", b"KEYS", k()], [b"ping"], [b"nosuch"], [b"xread", b"streams", k(), b"0"],
        ])

    # -- argument lists shaped by a command's key specs ---------------------------------------------
    def keyed(self, full=None):
        """An argument list for a command with key specs (COMMAND GETKEYS): around its arity,
        with the keywords its specs search for, and a key count (often right, sometimes
        negative, too large or not a number) where a spec reads one."""
        rng = self.rng
        full = full or rng.choice(KEYED)
        entry = TABLE[full]
        parts = full.split("|")
        arity = entry["arity"]
        base = arity if arity > 0 else -arity
        if arity > 0 and rng.random() < 0.85:
            argc = base
        else:
            argc = max(len(parts), base + rng.choice([-1, 0, 0, 1, 2, 3, 4, 6]))
        argv = [self.name(p) for p in parts] + [self.k() for _ in range(argc - len(parts))]
        for spec in entry["key_specs"]:
            bs, fk = spec["begin_search"], spec["find_keys"]
            first = bs.get("index")
            if "keyword" in bs and len(argv) > len(parts):
                # the keyword somewhere after the command name, usually where the spec looks
                i = rng.randrange(len(parts), len(argv))
                argv[i] = rand_case(rng, bs["keyword"]).encode()
                first = i + 1
            if "keynum" in fk and first is not None:
                idx = first + fk["keynum"]["keynumidx"]
                if idx < len(argv):
                    room = len(argv) - idx - fk["keynum"]["firstkey"]
                    argv[idx] = rng.choice([str(max(room, 0)).encode(), str(max(room // 2, 0)).encode(),
                                            str(room + 1).encode(), b"0", b"-1", b"x", b"1"])
        words = [w.encode() for w in GETKEYS_WORDS] + KEY_KEYWORDS
        for _ in range(rng.choice([0, 0, 0, 1, 2])):
            # a few words that getkeys functions parse (STORE, GET, BY, LIMIT, KEYS, AUTH, ...)
            if len(argv) > len(parts):
                argv[rng.randrange(len(parts), len(argv))] = rand_case(rng, rng.choice(words))
        return argv

    # -- generic commands from the table -----------------------------------------------------------
    def generic(self):
        rng = self.rng
        full = rng.choice(LEAF_COMMANDS + SUBCOMMANDS)
        entry = TABLE[full]
        parts = full.split("|")
        argv = [self.name(p) for p in parts]
        arity = entry["arity"]
        need = (arity if arity > 0 else -arity) - len(parts)
        if arity > 0:
            nargs = need
        else:
            nargs = need + rng.choice([0, 0, 1, 2, 3])
        if rng.random() < 0.1:
            nargs = max(0, nargs + rng.choice([-1, 1] if arity > 0 else [-1]))
        argv += [self.arg() for _ in range(max(0, nargs))]
        return argv

    def unknown(self):
        rng = self.rng
        return rng.choice([
            [b"nosuch", b"a"], [b"NOSUCH"], [self.name("config"), b"nosuch"], [self.name("client"), b"nosuch", b"x"],
            [self.name("acl"), b"nosuchsub"], [self.name("client")], [self.name("get")], [self.name("set"), b"k"],
            [b"get|x", b"k"], [self.name("config")], [self.name("object"), b"x", b"k"], [self.name(rng.choice(CONTAINERS))],
            [self.name("ping"), b"a", b"b"], [self.name("acl"), b"cat", b"a", b"b"], [b""],
        ])

    def command(self):
        """(argv, exec_mode) for a random command."""
        r = self.rng.random()
        if r < 0.55:
            argv, tmpl = self.template(), True
        elif r < 0.9:
            argv, tmpl = self.generic(), False
        else:
            argv, tmpl = self.unknown(), False
        return argv, exec_mode(argv, tmpl)
