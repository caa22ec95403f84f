"""Generated data scenarios: well-formed commands of every data type run as ACL users.

Where scenario_gen.py draws commands from the whole table to probe the permission checks, these
scenarios make the commands *do* something: users with key patterns, command categories and
read/write selectors write and read strings, hashes, lists, sets, sorted sets, streams, bitmaps,
geo sets and HyperLogLogs, inside and outside MULTI, and run scripts and functions. Against
`authgate serve --upstream` (run_differential.py --proxy) every reply is the upstream's, so
each one is compared exactly with redis-server's.

Replies that differ between two redis-server processes are avoided rather than masked: no
clock-made stream ids (explicit ids only), no random picks (SPOP, SRANDMEMBER), no hash-table
order (SMEMBERS of string sets, KEYS, SCAN), no TTL readings.
"""
import random

USERS = {
    # strings, hashes and lists; no dangerous or scripting commands
    b"dw": [b"on", b">pw-dw", b"~s:*", b"~h:*", b"~l:*", b"+@all", b"-@dangerous", b"-@scripting"],
    # reads everywhere, writes only to lists
    b"ro": [b"on", b">pw-ro", b"%R~*", b"%W~l:*", b"+@read", b"+@list", b"+@hash", b"+@string",
            b"+@sortedset", b"+@set", b"+@stream", b"+@geo", b"+@hyperloglog", b"+@bitmap"],
    # keys ending in 1 of every type, scripting allowed by its rules
    b"mix": [b"on", b">pw-mix", b"~*:1", b"+@all", b"-@admin", b"-flushall", b"-flushdb",
             b"(~*:2 +@read)"],
}

PREFIXES = [b"s", b"h", b"l", b"set", b"z", b"x", b"b", b"g", b"hll"]
SUFFIXES = [b"1", b"2", b"3"]
VALUES = [b"v", b"10", b"-3", b"3.5", b"hello world", b"", b"\x00\xff", b"abc"]
FIELDS = [b"f1", b"f2", b"f3"]
MEMBERS = [b"m1", b"m2", b"m3", b"7"]
INTS = [b"0", b"1", b"2", b"-1", b"5"]


def key(rng, prefix):
    # mostly the type's own prefix, sometimes another type's key (WRONGTYPE replies)
    p = prefix if rng.random() < 0.85 else rng.choice(PREFIXES)
    return p + b":" + rng.choice(SUFFIXES)


def strings(rng):
    k, k2 = key(rng, b"s"), key(rng, b"s")
    return rng.choice([
        [b"SET", k, rng.choice(VALUES)], [b"GET", k], [b"APPEND", k, rng.choice(VALUES)],
        [b"INCR", k], [b"INCRBY", k, rng.choice(INTS)], [b"DECR", k], [b"STRLEN", k],
        [b"GETRANGE", k, b"0", b"2"], [b"SETRANGE", k, b"1", b"xy"], [b"MSET", k, b"1", k2, b"2"],
        [b"MGET", k, k2], [b"SETNX", k, b"n"], [b"GETDEL", k], [b"SET", k, b"v", b"NX", b"GET"],
        [b"INCRBYFLOAT", k, b"1.5"], [b"COPY", k, k2, b"REPLACE"], [b"RENAME", k, k2],
        [b"EXISTS", k, k2], [b"DEL", k], [b"TYPE", k], [b"LCS", k, k2],
    ])


def hashes(rng):
    k = key(rng, b"h")
    f = rng.choice(FIELDS)
    return rng.choice([
        [b"HSET", k, f, rng.choice(VALUES)], [b"HSET", k, b"f1", b"1", b"f2", b"2"], [b"HGET", k, f],
        [b"HGETALL", k], [b"HDEL", k, f], [b"HINCRBY", k, f, rng.choice(INTS)], [b"HLEN", k],
        [b"HMGET", k, b"f1", b"f3"], [b"HKEYS", k], [b"HVALS", k], [b"HEXISTS", k, f],
        [b"HSETNX", k, f, b"x"], [b"HSTRLEN", k, f], [b"HINCRBYFLOAT", k, f, b"0.5"],
    ])


def lists(rng):
    k, k2 = key(rng, b"l"), key(rng, b"l")
    return rng.choice([
        [b"RPUSH", k, rng.choice(VALUES), rng.choice(VALUES)], [b"LPUSH", k, rng.choice(VALUES)],
        [b"LRANGE", k, b"0", b"-1"], [b"LPOP", k], [b"RPOP", k, b"2"], [b"LLEN", k], [b"LINDEX", k, b"1"],
        [b"LSET", k, b"0", b"z"], [b"LREM", k, b"0", b"v"], [b"LTRIM", k, b"0", b"3"],
        [b"LMOVE", k, k2, b"LEFT", b"RIGHT"], [b"LPOS", k, b"v"], [b"LINSERT", k, b"BEFORE", b"v", b"w"],
        [b"BLPOP", k, b"0.01"], [b"LMPOP", b"2", k, k2, b"LEFT"], [b"RPUSHX", k, b"x"],
    ])


def sets(rng):
    k, k2 = key(rng, b"set"), key(rng, b"set")
    m = rng.choice(MEMBERS)
    return rng.choice([
        [b"SADD", k, m, rng.choice(MEMBERS)], [b"SREM", k, m], [b"SISMEMBER", k, m], [b"SCARD", k],
        [b"SMISMEMBER", k, b"m1", b"m2", b"7"], [b"SINTERCARD", b"2", k, k2], [b"SADD", k, b"1", b"2", b"3"],
        [b"SMOVE", k, k2, m], [b"SINTERSTORE", k, k, k2], [b"SUNIONSTORE", k2, k, k2],
    ])


def zsets(rng):
    k, k2 = key(rng, b"z"), key(rng, b"z")
    m = rng.choice(MEMBERS)
    return rng.choice([
        [b"ZADD", k, rng.choice(INTS), m], [b"ZADD", k, b"1", b"a", b"2", b"b", b"3", b"c"],
        [b"ZRANGE", k, b"0", b"-1", b"WITHSCORES"], [b"ZSCORE", k, m], [b"ZINCRBY", k, b"2", m],
        [b"ZRANK", k, m], [b"ZREM", k, m], [b"ZCARD", k], [b"ZCOUNT", k, b"-inf", b"+inf"],
        [b"ZRANGEBYSCORE", k, b"(0", b"10"], [b"ZPOPMIN", k], [b"ZUNIONSTORE", k2, b"2", k, k2],
        [b"ZRANGESTORE", k2, k, b"0", b"1"], [b"ZMSCORE", k, b"a", m], [b"BZPOPMAX", k, b"0.01"],
    ])


def streams(rng):
    k = key(rng, b"x")
    ms = str(rng.randrange(1, 50)).encode()
    return rng.choice([
        [b"XADD", k, ms + b"-1", b"f", b"v"], [b"XADD", k, b"MAXLEN", b"3", ms + b"-2", b"a", b"1"],
        [b"XLEN", k], [b"XRANGE", k, b"-", b"+"], [b"XREVRANGE", k, b"+", b"-", b"COUNT", b"2"],
        [b"XDEL", k, ms + b"-1"], [b"XTRIM", k, b"MAXLEN", b"2"], [b"XREAD", b"COUNT", b"2", b"STREAMS", k, b"0"],
        [b"XGROUP", b"CREATE", k, b"g1", b"0", b"MKSTREAM"],
        [b"XREADGROUP", b"GROUP", b"g1", b"c1", b"COUNT", b"1", b"STREAMS", k, b">"],
    ])


def bitmaps(rng):
    k, k2 = key(rng, b"b"), key(rng, b"b")
    return rng.choice([
        [b"SETBIT", k, rng.choice(INTS[:3] + [b"17"]), b"1"], [b"GETBIT", k, b"17"], [b"BITCOUNT", k],
        [b"BITPOS", k, b"1"], [b"BITOP", b"OR", k2, k, k2], [b"BITFIELD", k, b"INCRBY", b"u8", b"0", b"5"],
        [b"BITFIELD_RO", k, b"GET", b"u4", b"0"],
    ])


def geo(rng):
    k = key(rng, b"g")
    return rng.choice([
        [b"GEOADD", k, b"13.361389", b"38.115556", b"Palermo", b"15.087269", b"37.502669", b"Catania"],
        [b"GEODIST", k, b"Palermo", b"Catania", b"km"], [b"GEOPOS", k, b"Palermo", b"nowhere"],
        [b"GEOSEARCH", k, b"FROMLONLAT", b"15", b"37", b"BYRADIUS", b"200", b"km", b"ASC"],
        [b"GEOHASH", k, b"Catania"],
    ])


def hyperloglogs(rng):
    k, k2 = key(rng, b"hll"), key(rng, b"hll")
    return rng.choice([
        [b"PFADD", k, rng.choice(MEMBERS), rng.choice(MEMBERS)], [b"PFCOUNT", k, k2], [b"PFMERGE", k2, k, k2],
    ])


def scripts(rng, writes=False):
    """Scripts and functions. Through the proxy only an unrestricted user may run them (the
    others get authgate's refusal, which the comparison accepts), so only the admin's scripts
    write: a refused write would leave the two servers' data apart."""
    k = key(rng, rng.choice(PREFIXES))
    choices = [
        [b"EVAL", b"return redis.call('TYPE', KEYS[1])", b"1", k],
        [b"EVAL_RO", b"return redis.call('EXISTS', KEYS[1])", b"1", k],
        [b"EVALSHA", b"e0e1f9fabfc9d4800c877a703b823ac0578ff8db", b"0"],
        [b"FCALL", b"nosuch", b"0"], [b"FUNCTION", b"LIST"],
    ]
    if writes:
        choices.append([b"EVAL", b"return redis.call('SET', KEYS[1], ARGV[1])", b"1", k, b"from-lua"])
    return rng.choice(choices)


TYPES = [strings, hashes, lists, sets, zsets, streams, bitmaps, geo, hyperloglogs, scripts]


def call(conn, argv, **kw):
    st = {"op": "call", "conn": conn, "argv": argv, "exec": True}
    st.update(kw)
    return st


def generate(seed, steps=70):
    """The steps of the data scenario of this seed."""
    rng = random.Random(seed)
    out = []
    for name, rules in USERS.items():
        out.append(call("admin", [b"ACL", b"SETUSER", name, b"reset"] + rules))
    conns = {b"admin": "admin"}
    for name in USERS:
        conns[name] = "c_" + name.decode()
        out.append(call(conns[name], [b"AUTH", name, b"pw-" + name], auth="good", **{"as": None}))
    users = [b"admin"] + list(USERS)
    for _ in range(steps):
        user = rng.choice(users)
        conn = conns[user]
        if rng.random() < 0.08:
            # a transaction: every command checked as it is queued, EXEC's array compared
            out.append(call(conn, [b"MULTI"]))
            for _ in range(rng.randrange(1, 5)):
                kind = rng.choice(TYPES)
                out.append(call(conn, kind(rng, user == b"admin") if kind is scripts else kind(rng)))
            out.append(call(conn, [rng.choice([b"EXEC", b"EXEC", b"DISCARD"])]))
            continue
        kind = rng.choice(TYPES)
        argv = kind(rng, user == b"admin") if kind is scripts else kind(rng)
        out.append(call(conn, argv, **({"as": user} if user != b"admin" else {})))
    # what the users did, read back by the unrestricted admin
    for p in PREFIXES:
        for s in SUFFIXES:
            out.append(call("admin", [b"TYPE", p + b":" + s]))
            out.append(call("admin", [b"DUMP", p + b":" + s]))
    return out


def data_scenarios(master, count):
    for i in range(count):
        seed = master * 100_000 + 50_000 + i
        yield {"name": f"data-{i}", "seed": seed, "profile": "plain", "steps": generate(seed)}
