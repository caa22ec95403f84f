"""Generated invalid configs: a generated valid config (confgen) with one to three defects.

Defects are of two kinds. Validation errors of the option processor and of start-up (spec §3.2,
§3.3, §7's table) are made on the config tree; syntax errors (spec §1) are lines put between the
top-level entries of the rendered main file, whose line number the case's note records (the
lexer may report a later line, spec §1.10: nats-server decides, the note is for the reader).
"""
import creds
from confgen import Gen
from render import Bare, Include, M, Raw, Renderer, Var


PASSWORD = ("password", "pass")
PERMS = ("permissions", "permission", "authorization")
PUB = ("publish", "pub", "import")
SUB = ("subscribe", "sub", "export")


def walk(node, path=()):
    """Every map in the tree with its key path (through arrays and included files)."""
    if isinstance(node, M):
        yield path, node
        for e in node.entries:
            if isinstance(e, tuple):
                yield from walk(e[1], path + (e[0].lower(),))
            elif isinstance(e, Include) and e.body is not None:
                yield from walk(e.body, path)
    elif isinstance(node, list):
        for x in node:
            yield from walk(x, path + ("[]",))


def find(top, pred):
    return [(p, m) for p, m in walk(top) if pred(p, m)]


def is_user_entry(p, m):
    return len(p) >= 2 and p[-1] == "[]" and p[-2] == "users" and any(k.lower() in ("user", "username") for k in m.keys())


def is_perm_map(p, m):
    return bool(p) and p[-1] in ("permissions", "permission", "default_permissions", "default_permission") \
        or (bool(p) and p[-1].startswith("role_"))


def authorization(top):
    found = [m for p, m in walk(top) if p == ("authorization",)]
    return found[0] if found else None


def users_arrays(top):
    out = []
    for _p, m in walk(top):
        for e in m.entries:
            if isinstance(e, tuple) and e[0].lower() == "users" and isinstance(e[1], list):
                out.append(e[1])
    return out


class Mutator:
    def __init__(self, gen, top):
        self.gen, self.top, self.rng = gen, top, gen.rng
        self.env = {}
        self.notes = []

    def apply(self, name):
        fn = getattr(self, "m_" + name)
        if fn() is not False:
            self.notes.append(name)
            return True
        return False

    # each m_* returns False when the config has nothing to apply it to

    def m_token_and_users(self):
        auth = authorization(self.top)
        if auth is None or not any(isinstance(e, tuple) and e[0] == "users" for e in auth.entries) \
                and not any(isinstance(e, Include) for e in auth.entries):
            return False
        auth.set("token", "t0ken")

    def m_userpass_and_token(self):
        auth = authorization(self.top)
        if auth is None or self.gen.mode != "single":
            return False
        auth.set("token", "t0ken")

    def m_userpass_and_users(self):
        auth = authorization(self.top)
        if auth is None or self.gen.mode != "users":
            return False
        auth.set(("user", "username"), "solo").set(PASSWORD, "solo-pw")

    def m_dup_user(self):
        arrays = users_arrays(self.top)
        entries = [x for a in arrays for x in a if isinstance(x, M) and (x.get("user") or x.get("username"))]
        if not entries:
            return False
        src = self.rng.choice(entries)
        name = src.get("user") or src.get("username")
        self.rng.choice(arrays).append(M([("user", name), ("password", "dup-pw")]))

    def m_unknown_auth_field(self):
        auth = authorization(self.top)
        if auth is None:
            return False
        auth.add(self.rng.choice(["tiemout", "userz", "default_perms"]), 1)

    def m_unknown_user_field(self):
        users = find(self.top, is_user_entry)
        if not users:
            return False
        self.rng.choice(users)[1].add(self.rng.choice(["pasword", "token", "perms"]), "x")

    def m_unused_var(self):
        auth = authorization(self.top) or self.top
        auth.entries.insert(0, ("role", M([("publish", "unused.>")])))

    def m_perms_not_map(self):
        users = find(self.top, is_user_entry)
        if not users:
            return False
        self.rng.choice(users)[1].set(PERMS, "foo")

    def _perm_target(self):
        maps = find(self.top, is_perm_map)
        if maps:
            return self.rng.choice(maps)[1]
        users = find(self.top, is_user_entry)
        if not users:
            return None
        m = M([])
        self.rng.choice(users)[1].set(PERMS, m)
        return m

    def m_publish_scalar(self):
        m = self._perm_target()
        if m is None:
            return False
        m.set(self.rng.choice([PUB, SUB]), self.rng.choice([42, True, 1.5]))

    def m_publish_int_array(self):
        m = self._perm_target()
        if m is None:
            return False
        m.set(PUB, Raw(self.rng.choice(["[1, 2 ]", "[foo, 2]", "[1k]", "[\"ok\", 3 ]"])))

    def m_invalid_subject(self):
        m = self._perm_target()
        if m is None:
            return False
        bad = self.rng.choice(["foo..bar", "foo.", ".foo", "a.>.b", "bar q1 extra", "foo bar"])
        form = self.rng.choice(["str", "list", "allow", "deny"])
        key = self.rng.choice([PUB, SUB])
        if form == "str":
            m.set(key, bad)
        elif form == "list":
            m.set(key, ["ok.subject", bad])
        else:
            m.set(key, M([(form, [bad])]))

    def m_unknown_perm_key(self):
        m = self._perm_target()
        if m is None:
            return False
        if self.rng.random() < 0.5:
            m.add("bogus", "x")
        else:
            m.set(PUB, M([("allow", "a"), (self.rng.choice(["reject", "allowed"]), "b")]))

    def m_allow_responses_bad(self):
        m = self._perm_target()
        if m is None:
            return False
        m.set(("allow_responses", "publish_allow_responses"), self.rng.choice(["str", M([("expires", 10)]), M([("expires", "soon")]),
                                                  M([("max", "many")])]))

    def m_reserved_account(self):
        accs = [m for p, m in walk(self.top) if p == ("accounts",)]
        if not accs:
            self.top.add("accounts", M([("$G", M([]))]))
        else:
            accs[0].add("$G", M([]))

    def m_account_not_map(self):
        accs = [m for p, m in walk(self.top) if p == ("accounts",)]
        if not accs:
            return False
        accs[0].add("Broken", "not-a-map")

    def m_users_not_array(self):
        auth = authorization(self.top)
        if auth is None:
            self.top.add("authorization", M([("users", M([("user", "a"), ("password", "b")]))]))
        else:
            auth.set("users", M([("user", "a"), ("password", "b")]))

    def m_user_not_map(self):
        arrays = users_arrays(self.top)
        if not arrays:
            return False
        self.rng.choice(arrays).append(self.rng.choice(["alice", 7]))

    def m_user_without_user(self):
        arrays = users_arrays(self.top)
        if not arrays:
            return False
        self.rng.choice(arrays).append(M([("password", "nobody-pw")]))

    def m_password_typed(self):
        users = find(self.top, is_user_entry)
        if not users:
            return False
        val = self.rng.choice(["12345", "yes", "1.5", "2020-01-01T00:00:00Z", "1k", "off"])
        self.rng.choice(users)[1].set(PASSWORD, Raw(val))

    def m_unquoted_2b(self):
        users = find(self.top, is_user_entry)
        if not users:
            return False
        h = creds.bcrypt_hash(self.rng, "pw", self.rng.choice(["2b", "2y"]))
        self.rng.choice(users)[1].set(PASSWORD, Bare(h))

    def m_bad_conn_type(self):
        users = find(self.top, is_user_entry)
        if not users:
            return False
        self.rng.choice(users)[1].set(("allowed_connection_types", "connection_types", "clients"), self.rng.choice([["FOO"], ["STANDARD", "bogus"], 5]))

    def m_no_auth_user_unknown(self):
        if not users_arrays(self.top):
            return False
        self.top.set("no_auth_user", "ghost")

    def m_no_auth_user_no_users(self):
        if users_arrays(self.top):
            return False
        self.top.set("no_auth_user", "ghost")

    def m_forward_var(self):
        users = find(self.top, is_user_entry)
        if not users:
            return False
        self.rng.choice(users)[1].set(PASSWORD, Var("LATER_PW"))
        self.top.add("LATER_PW", "later")

    def m_undefined_var(self):
        users = find(self.top, is_user_entry)
        if not users:
            return False
        self.rng.choice(users)[1].set(PASSWORD, Var("NOPE_PW"))

    def m_env_unparseable(self):
        users = find(self.top, is_user_entry)
        if not users:
            return False
        self.env["BAD_ENV_PW"] = self.rng.choice(["a b", "{publish", "12345", "yes"])
        self.rng.choice(users)[1].set(PASSWORD, Var("BAD_ENV_PW"))

    def m_missing_include(self):
        (authorization(self.top) or self.top).entries.append(Include("missing/nothere.conf", None))

    def m_include_as_key(self):
        self.top.add("include", "other.conf")

    def m_top_default_permissions(self):
        self.top.add("default_permissions", M([("publish", "x")]))

    def m_accounts_and_single(self):
        if self.gen.mode != "accounts":
            return False
        auth = authorization(self.top)
        if auth is None:
            auth = M([])
            self.top.entries.insert(0, ("authorization", auth))
        auth.set(("user", "username"), "solo").set(PASSWORD, "solo-pw")

    def m_accounts_and_token(self):
        if self.gen.mode != "accounts":
            return False
        auth = authorization(self.top)
        if auth is None:
            auth = M([])
            self.top.entries.insert(0, ("authorization", auth))
        auth.set("token", "t0ken")

    def m_tls_bad(self):
        self.top.add("tls", M([self.rng.choice([("verify_and_map", "yes"), ("verify", "on"), ("bogus", 1)])]))

    def m_cluster_auth(self):
        body = self.rng.choice([M([("users", [M([("user", "r"), ("password", "p")])])]), M([("token", "x")])])
        self.top.set("cluster", M([("authorization", body)]))

    def m_nkey_users(self):
        arrays = users_arrays(self.top)
        if not arrays:
            return False
        k = creds.public_nkey(self.rng, creds.USER_NKEY_PREFIX)
        entry = self.rng.choice([M([("nkey", k)]), M([("nkey", k), ("password", "x")]),
                                 M([("nkey", "UBADKEY")]), M([("nkey", k), ("user", "n")])])
        self.rng.choice(arrays).append(entry)

    def m_second_authorization(self):
        self.top.add("authorization", M([("users", [M([("user", "late"), ("password", "late-pw")])])]))

    def m_timeout_string(self):
        auth = authorization(self.top)
        if auth is None:
            return False
        auth.set("timeout", self.rng.choice(["abc", "10s", True]))

    def m_accounts_array(self):
        if any(p == ("accounts",) for p, _ in walk(self.top)):
            return False
        self.top.add("accounts", self.rng.choice([["A", "B"], ["A", "A"], ["$G"]]))


TREE_DEFECTS = [n[2:] for n in dir(Mutator) if n.startswith("m_")]
# the start-up refusals (spec §3.3): `-t` misses them, only a started server reports them
STARTUP_DEFECTS = ["no_auth_user_unknown", "no_auth_user_no_users"]

# Lines that break the lexer or the parser, put between top-level entries.
SYNTAX = [
    'unterminated = "abc', "bad_escape = \"a\\qb\"", "missing_value =", "missing_value2:",
    "arr = [, a]", "f = .5", "n = -a", 'h = "\\x4"', "}", "open = {", "pw = ab'cd",
    "arr2 = [foo, 2]", "d = 2020-13", "blk = (", "sq = 'abc", "authorization{user=a,password=b}",
    "include = x", "port", 'k = "ok" extra', "m = { a: 1 b }", "a.b = ]", "x = [1, 2",
    "e = 1e", "u = \"\\u0041\"",
]


def syntax_defect(rng, text):
    """text with one defect line: (new text, 1-based line of the defect, the defect)."""
    eol = "\r\n" if "\r\n" in text else "\n"
    lines = text.split(eol)
    if lines and lines[-1] == "":
        lines.pop()
    spots = [i for i, ln in enumerate(lines) if ln[:1].isalpha() or ln.startswith(("#", "//"))]
    spots.append(len(lines))
    at = rng.choice(spots)
    defect = rng.choice(SYNTAX)
    lines.insert(at, defect)
    return eol.join(lines) + eol, at + 1, defect


def generate(seed):
    gen = Gen(seed)
    rng = gen.rng
    top = gen.build()
    mut = Mutator(gen, top)
    n = rng.choice([1, 1, 1, 1, 2, 2, 3])
    syntax = rng.random() < 0.3
    if rng.random() < 0.12:
        # a start-up refusal alone: with any other defect, `-t` would report that one first
        n, syntax = 1, False
        mut.apply(rng.choice(STARTUP_DEFECTS))
    tries = 0
    while len(mut.notes) < (n - 1 if syntax else n) and tries < 40:
        tries += 1
        mut.apply(rng.choice(TREE_DEFECTS))
    files = Renderer(rng).render(top)
    notes = list(mut.notes)
    if syntax:
        files["main.conf"], line, defect = syntax_defect(rng, files["main.conf"])
        notes.append(f"syntax line {line}: {defect}")
    env = {k: v for k, v in gen.env.items() if v is not None}
    env.update(mut.env)
    # the same logins as a valid config would get: a defect -t misses still meets them
    return {"name": "invalid", "seed": seed, "files": files, "main": "main.conf", "env": env,
            "logins": gen.logins(), "note": "; ".join(notes) or "no defect applied"}

