"""Reply normalisation. Only what legitimately varies between two correct servers is normalised;
everything else is compared type-exact and byte-exact. Each rule names its reason (README.md
lists them all):

- ACL LIST lines and GETUSER `commands` strings: category tokens in order, single-command tokens
  as a multiset after the category part (spec §4: their order follows a per-process hash seed).
- ACL CAT <category>, COMMAND LIST, PUBSUB (SHARD)CHANNELS, KEYS and SCAN key lists: sets
  (hash-table order, observations/redis-vs-redis.txt [reply order]).
- ACL LOG: every field; `age-seconds` by type (elapsed time), `client-info` field by field
  (norm_server.CLIENT_MASKS).
- ACL GENPASS: length and lowercase-hex charset (random).
- CLIENT INFO / LIST, INFO, COMMAND / COMMAND INFO / DOCS: field by field (norm_server.py).
- CONFIG GET: a set of pairs; the values of `port` and `dir` name the instance.
- Commands authgate does not execute: when both servers passed every check before execution,
  "executed" and `ERR command '<x>' is not supported by this server` are equal (README.md).
"""
from cmdgen import TABLE, resolve
from norm_server import set_proxy_mode as norm_server_proxy_mode  # noqa: E402
from norm_server import (norm_client_info, norm_client_line, norm_client_list, norm_command_docs,
                         norm_command_info, norm_info)

# Commands whose executed replies must match exactly (authgate implements them).
EXACT_EXEC = {
    "ping", "echo", "get", "set", "del", "exists", "incr", "decr", "incrby", "decrby", "incrbyfloat",
    "mget", "mset", "append", "strlen", "keys", "scan", "type", "expire", "ttl", "persist", "dbsize",
    "flushall", "flushdb", "publish", "auth", "hello", "select", "reset", "client|id", "client|getname",
    "client|setname", "subscribe", "psubscribe", "unsubscribe", "punsubscribe",
}

# Commands (or whole containers) whose executed replies differ between two redis-server processes
# (clocks, random picks, memory, latency, stream ids made from the clock). authgate executes none
# of them (its reply is not-supported, which the rule below already accepts); the set matters when
# the harness compares redis with redis (--against-redis).
VOLATILE_EXEC = {
    "time", "lastsave", "memory", "latency", "slowlog", "object|freq", "object|idletime",
    "randomkey", "lolwut", "role", "function|dump", "function|stats", "debug", "dump",
    "cluster", "script|load", "spop", "srandmember", "hrandfield", "zrandmember",
    # stream ids made by `XADD k *` embed the server's clock
    "xadd", "xrange", "xrevrange", "xread", "xreadgroup", "xinfo", "xpending", "xclaim", "xautoclaim",
}

PRE_EXEC_ERROR_PREFIXES = (
    b"NOPERM", b"NOAUTH", b"WRONGPASS", b"ERR wrong number of arguments", b"ERR unknown command",
    b"ERR unknown subcommand '",
)


def _s(b):
    return b.decode("latin-1") if isinstance(b, (bytes, bytearray)) else b


def arity_ok(argv):
    """Whether argv satisfies the command table's arity (the pre-execution arity check)."""
    full = resolve(argv)
    if full is None:
        return False
    arity = TABLE[full]["arity"]
    return len(argv) == arity if arity > 0 else len(argv) >= -arity


def is_pre_exec_error(reply, argv=None):
    """True if the reply is an error produced by the checks that run before execution. An arity
    error for an argv that satisfies the table's arity comes from the command's own handler
    (e.g. `RPOP k 1 2`), i.e. after the ACL check."""
    if reply[0] != "-" or not reply[1].startswith(PRE_EXEC_ERROR_PREFIXES):
        return False
    if argv is not None and reply[1].startswith(b"ERR wrong number of arguments") and arity_ok(argv):
        return False
    return True


# -- command-string normalisation (spec §4) ----------------------------------------------------------
def _merge_tokens(tokens):
    """Split descriptions on spaces, but re-join a first-arg that itself contains a space
    (`+select|a b`): every real token starts with one of ~ % & + - ( or is a keyword."""
    out = []
    for t in tokens:
        if out and t[:1] not in (b"~", b"%", b"&", b"+", b"-", b"(") and t != b"resetchannels" \
                and not t.startswith(b"resetchannels"):
            out[-1] = out[-1] + b" " + t
        else:
            out.append(t)
    return out


def norm_command_tokens(tokens):
    """Categories in order, then the singles as a sorted multiset. If the tokens are not in the
    shape Redis' algorithm produces (a single before a category, or a command token after one of
    its own `cmd|x` tokens), they are returned unnormalised so that they compare unequal."""
    cats, singles = [], []
    for t in tokens:
        if t[1:2] == b"@":
            if singles:
                return ("raw", tuple(tokens))
            cats.append(t)
        else:
            singles.append(t)
    for i, t in enumerate(singles):
        body = t[1:].lower()
        if b"|" in body:
            continue
        if any(s[1:].lower().startswith(body + b"|") for s in singles[:i]):
            return ("raw", tuple(tokens))
    return ("cmds", tuple(cats), tuple(sorted(singles)))


def norm_commands_string(s):
    if s is None:
        return s
    return norm_command_tokens(_merge_tokens(s.split(b" "))) if s else ("cmds", (), ())


def _split_selector_tokens(tokens):
    """Normalise one selector's tokens: key/channel tokens in order, then the command tokens."""
    prefix, cmds = [], []
    for t in tokens:
        (cmds if t[:1] in (b"+", b"-") else prefix).append(t)
        if t[:1] not in (b"+", b"-") and cmds:
            return ("raw", tuple(tokens))
    return (tuple(prefix), norm_command_tokens(cmds))


def norm_acl_list_line(line):
    """`user <name> <flags> <#hash...> <root> (<sel>)...` -> comparable structure."""
    if line is None:
        return None
    toks = line.split(b" ")
    if len(toks) < 2 or toks[0] != b"user":
        return ("raw", line)
    head = [toks[0], toks[1]]
    rest = toks[2:]
    flags = []
    while rest and (rest[0] in (b"on", b"off", b"nopass", b"skip-sanitize-payload", b"sanitize-payload")
                    or (rest[0].startswith(b"#") and len(rest[0]) == 65)):
        flags.append(rest.pop(0))
    rest = _merge_tokens(rest)
    groups, cur, in_sel = [], [], False
    for i, t in enumerate(rest):
        if not in_sel and t.startswith(b"("):
            if cur:
                groups.append(("root", cur))
            cur, in_sel, t = [], True, t[1:]
        nxt = rest[i + 1] if i + 1 < len(rest) else None
        if in_sel and t.endswith(b")") and (nxt is None or nxt.startswith(b"(")):
            cur.append(t[:-1])
            groups.append(("sel", cur))
            cur, in_sel = [], False
            continue
        cur.append(t)
    if cur or in_sel:
        groups.append(("root" if not in_sel else "open", cur))
    return (tuple(head), tuple(flags), tuple((kind, _split_selector_tokens(g)) for kind, g in groups))


# -- structured replies ------------------------------------------------------------------------------
def _pairs(reply):
    """A map reply (RESP3 map or RESP2 flat array) as a list of (key, value) tagged pairs."""
    if reply[0] == "%":
        return list(reply[1]), "%"
    if reply[0] == "*" and reply[1] is not None and len(reply[1]) % 2 == 0:
        items = reply[1]
        return [(items[i], items[i + 1]) for i in range(0, len(items), 2)], "*"
    return None, None


def _rebuild(pairs, kind):
    if kind == "%":
        return ("%", tuple(pairs))
    return ("*", tuple(x for p in pairs for x in p))


def norm_getuser(reply):
    pairs, kind = _pairs(reply)
    if pairs is None:
        return reply
    out = []
    for k, v in pairs:
        if k[1] == b"commands" and v[0] in ("$", "+"):
            v = (v[0], norm_commands_string(v[1]))
        elif k[1] == b"selectors" and v[0] == "*" and v[1] is not None:
            v = ("*", tuple(norm_getuser(s) for s in v[1]))
        out.append((k, v))
    return _rebuild(out, kind)


def norm_acl_list(reply):
    if reply[0] != "*" or reply[1] is None:
        return reply
    return ("*", tuple((r[0], norm_acl_list_line(r[1])) if r[0] == "$" else r for r in reply[1]))


def norm_acl_log(reply):
    if reply[0] != "*" or reply[1] is None:
        return reply
    entries = []
    for e in reply[1]:
        pairs, kind = _pairs(e)
        if pairs is None:
            entries.append(e)
            continue
        out = []
        for k, v in pairs:
            if k[1] == b"age-seconds":
                # elapsed time since the entry was made (OBS [acl-log-client-info])
                v = (v[0], "<varies>")
            elif k[1] == b"client-info" and v[0] in ("$", "+") and v[1] is not None:
                v = (v[0], norm_client_line(v[1]))
            out.append((k, v))
        entries.append(_rebuild(out, kind))
    return ("*", tuple(entries))


def norm_set(reply):
    if reply[0] in ("*", "~") and reply[1] is not None:
        return (reply[0], tuple(sorted(reply[1], key=repr)))
    return reply


# Settings that name the instance rather than describe behaviour: each server runs on its own
# port and in its own working directory (servers.py: free_port(), mkdtemp()). `bind` is compared:
# both servers are started with 127.0.0.1.
INSTANCE_SETTINGS = (b"port", b"dir")


def norm_config_get(reply):
    pairs, kind = _pairs(reply)
    if pairs is None:
        return reply
    pairs = [(k, (v[0], "<instance>") if k[1] in INSTANCE_SETTINGS else v) for k, v in pairs]
    return (kind, tuple(sorted(pairs, key=repr)))


def norm_scan(reply):
    if reply[0] == "*" and reply[1] is not None and len(reply[1]) == 2:
        return ("*", (reply[1][0], norm_set(reply[1][1])))
    return reply


def norm_genpass(reply, argv):
    if reply[0] != "$" or reply[1] is None:
        return reply
    v = reply[1]
    ok = all(c in b"0123456789abcdef" for c in v)
    return ("$", ("genpass", len(v), ok))


def normalise(argv, reply):
    """The comparable form of `reply` to the command argv."""
    if not isinstance(reply, tuple) or reply[0] in ("closed", "timeout"):
        return reply
    full = resolve(argv)
    if full == "acl|list":
        return norm_acl_list(reply)
    if full == "acl|getuser":
        return norm_getuser(reply)
    if full == "acl|cat" and len(argv) == 3:
        return norm_set(reply)
    if full == "acl|log":
        return norm_acl_log(reply)
    if full == "acl|genpass":
        return norm_genpass(reply, argv)
    if full == "client|info":
        return norm_client_info(reply)
    if full == "client|list":
        return norm_client_list(reply)
    if full == "info":
        return norm_info(reply)
    if full in ("command", "command|info"):
        return norm_command_info(reply, len(argv) > 2)
    if full == "command|docs":
        return norm_command_docs(reply, len(argv) > 2)
    if full in ("keys", "command|list", "pubsub|channels", "pubsub|shardchannels"):
        return norm_set(reply)
    if full in ("pttl", "expiretime", "pexpiretime") and reply[0] == ":" and reply[1] > 0:
        return (":", "<positive: clock-dependent>")
    if full == "config|get":
        return norm_config_get(reply)
    if full == "scan":
        return norm_scan(reply)
    return reply


def not_supported(argv, reply):
    """authgate's reply for a command it knows but does not execute."""
    full = resolve(argv)
    return full is not None and reply == ("-", b"ERR command '" + full.encode() + b"' is not supported by this server")


def volatile(argv):
    """Executed replies that differ between two redis-server processes (see VOLATILE_EXEC); for
    these only the pre-execution outcome is compared."""
    full = resolve(argv)
    return full in VOLATILE_EXEC or (full or "").split("|")[0] in VOLATILE_EXEC


# Proxy mode (run_differential.py --proxy, README.md "Proxy mode"): scripts and functions run
# their commands inside the upstream, out of authgate's checks, so authgate refuses them to a
# user without unrestricted access, where redis runs them.
PROXY_MODE = False
SCRIPT_COMMANDS = {"eval", "eval_ro", "evalsha", "evalsha_ro", "fcall", "fcall_ro", "function"}


def set_proxy_mode():
    global PROXY_MODE
    PROXY_MODE = True
    norm_server_proxy_mode()


def proxy_script_refusal(argv, ref, test):
    """authgate's refusal of a script to a restricted user, where redis got past its checks."""
    full = resolve(argv)
    return (PROXY_MODE and full is not None and full.split("|")[0] in SCRIPT_COMMANDS
            and isinstance(test, tuple) and test[0] == "-" and test[1].startswith(b"NOPERM User ")
            and b"through the proxy" in test[1] and isinstance(ref, tuple)
            and ref[0] not in ("closed", "timeout") and not is_pre_exec_error(ref, argv))


def replies_equal(argv, ref, test, exec_step):
    """Compare two tagged replies to argv. exec_step: the command ran for real on a client
    connection, so the not-supported rule and the volatile-reply rule apply."""
    a, b = normalise(argv, ref), normalise(argv, test)
    if a == b:
        return True
    if proxy_script_refusal(argv, ref, test):
        return True
    if not exec_step:
        return False
    full = resolve(argv)
    top = full.split("|")[0] if full else None
    if full is None or full in EXACT_EXEC or top == "acl":
        return False
    if not isinstance(ref, tuple) or not isinstance(test, tuple):
        return False
    if ref[0] in ("closed", "timeout") or test[0] in ("closed", "timeout"):
        return False
    passed = not is_pre_exec_error(ref, argv) and not is_pre_exec_error(test, argv)
    # Both passed every pre-execution check: redis executed it, authgate answers not-supported.
    if not_supported(argv, test):
        return passed
    return passed and volatile(argv)


def aclfile_lines(content):
    """An ACL SAVE file as comparable lines (each one an ACL LIST line)."""
    if content is None:
        return None
    lines = content.split(b"\n")
    return tuple(norm_acl_list_line(x) if x else x for x in lines)
