"""Generated valid configs: users (plain, bcrypt, token), users lists, accounts, permissions,
default_permissions, no_auth_user, variables (block-scoped and from the environment) and
includes, with the logins and checks to try on each. Seeded: generate(seed) always returns the
same case (files, environment, logins).

The generator means these configs to be valid; nats-server decides (a generated config that
`-t` refuses is compared as a check case like any other).
"""
import random

import creds
import perms
from render import Bare, Comment, Include, M, Quoted, Renderer, Var, bare_ok

NAMES = ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy",
         "Mallory", "svc.api", "user-7", "zoë", "o'neil", "two words", "$admin"]
ACCOUNTS = ["A", "B", "ENG", "Sales", "acc-1", "SYS"]
CONN_TYPES = ["STANDARD", "standard", "WEBSOCKET", "MQTT", "LEAFNODE"]


class User:
    def __init__(self, name, secret, account):
        self.name, self.secret, self.account = name, secret, account


class Gen:
    def __init__(self, seed):
        self.seed = seed
        self.rng = random.Random(seed)
        self.pool = perms.Pool()
        self.users = []
        self.env = {}
        self.top_vars = M([])     # variables defined at the top, before the blocks using them
        self.n_var = 0
        self.mode = None
        self.token = None
        self.no_auth_user = None
        # while building a block bound for an included file: the file is parsed as a document of
        # its own, so the main file's variables are not visible in it (only the environment)
        self.local_only = False
        self.used_roles = set()

    # --- values ---------------------------------------------------------------------------

    def stored(self, secret, block):
        """The stored credential as written: a literal, or a variable defined in `block` (a map
        above its use), at the top, or in the environment."""
        rng = self.rng
        val = secret.stored
        if isinstance(val, (Bare, Quoted)) or rng.random() < 0.8:
            return val
        self.n_var += 1
        name = f"PW_{self.n_var}"
        where = rng.choice(["block", "env"] if self.local_only else ["block", "top", "env"])
        if where == "env" and not any(ch in val for ch in "\n\r\t"):
            # the environment value is re-parsed as config text (spec §1.8): quoted, it stays a string
            if bare_ok(val) and rng.random() < 0.5:
                self.env[name] = val
            else:
                self.env[name] = '"' + val.replace("\\", "\\\\").replace('"', '\\"') + '"'
        elif where == "top":
            self.top_vars.add(name, val)
        else:
            block.add(name, val)
        return Var(name)

    def user_entry(self, user, block, perm_roles):
        rng = self.rng
        m = M([])
        m.add(rng.choice(["user", "user", "username"]), user.name)
        if user.secret.stored is not None:
            m.add(rng.choice(["password", "password", "pass"]), self.stored(user.secret, block))
        if rng.random() < 0.45:
            if perm_roles and rng.random() < 0.4:
                role = rng.choice(perm_roles)
                self.used_roles.add(role)
                m.add(rng.choice(["permissions", "permission"]), Var(role))
            else:
                m.add(rng.choice(["permissions", "permissions", "permission", "authorization"]),
                      perms.permissions(rng, self.pool))
        if rng.random() < 0.08:
            types = rng.sample(CONN_TYPES, rng.randint(1, 2))
            m.add(rng.choice(["allowed_connection_types", "connection_types", "clients"]),
                  types if len(types) > 1 or rng.random() < 0.5 else types[0])
        return m

    def new_users(self, n, account):
        out = []
        taken = {u.name for u in self.users}
        for _ in range(n):
            name = self.rng.choice(NAMES)
            while name in taken:
                name = self.rng.choice(NAMES) + str(self.rng.randint(1, 99))
            taken.add(name)
            u = User(name, creds.secret(self.rng), account)
            out.append(u)
            self.users.append(u)
        return out

    def roles(self, block):
        """0-2 permission roles as variables, in `block` or at the top (spec §1.8)."""
        names = []
        for _ in range(self.rng.choice([0, 0, 1, 2])):
            self.n_var += 1
            name = f"ROLE_{self.n_var}"
            top = not self.local_only and self.rng.random() < 0.5
            (self.top_vars if top else block).add(name, perms.permissions(self.rng, self.pool))
            names.append(name)
        return names

    def users_array(self, users, block, roles):
        """The users' entries; a role no user took is dropped (an unused variable is an
        unknown field, spec §1.8: the invalid configs make that error on purpose)."""
        out = [self.user_entry(u, block, roles) for u in users]
        if out and self.rng.random() < 0.06:
            # an nkey user (no login: the CLI has no signature options); its presence makes the
            # server send a nonce and shares the users' namespace (spec §2.6, §4.1)
            out.append(M([("nkey", creds.public_nkey(self.rng, creds.USER_NKEY_PREFIX))]))
        for m in (block, self.top_vars):
            m.entries = [e for e in m.entries if not (isinstance(e, tuple) and e[0] in roles
                                                      and e[0] not in self.used_roles)]
        return out

    def included(self, body, name, rel_dir):
        """body (built with local_only) as an included file. Now and then its variable
        definitions go one include deeper: a nested include, relative to the included file's
        directory, whose definitions are visible to the references after it (spec §1.9)."""
        defs = [e for e in body.entries if isinstance(e, tuple) and e[0].startswith(("PW_", "ROLE_"))]
        if defs and self.rng.random() < 0.4:
            rest = [e for e in body.entries if e not in defs]
            body = M([Include(f"vars_{name}.conf", M(defs), self.rng.choice(['"', "'", "bare"]))] + rest)
        path = (rel_dir + "/" if rel_dir else "") + f"{name}.conf"
        return Include(path, body, self.rng.choice(['"', "'", "bare"]))

    # --- blocks ---------------------------------------------------------------------------

    def authorization_users(self, n):
        rng = self.rng
        auth = M([])
        inc = rng.random() < 0.25
        self.local_only = inc
        inner = M([])
        roles = self.roles(inner)
        users = self.new_users(n, "$G")
        if rng.random() < 0.3:
            inner.add(rng.choice(["default_permissions", "default_permission", "permissions"]),
                      perms.permissions(rng, self.pool))
        inner.add("users", self.users_array(users, inner, roles))
        self.local_only = False
        if inc:
            auth.entries.append(self.included(inner, "users", rng.choice(["", "auth", "conf.d"])))
        else:
            auth.entries.extend(inner.entries)
        if rng.random() < 0.3:
            auth.add("timeout", rng.choice([1, 2, 5, 0.5, 1.5]))
        return auth

    def accounts(self):
        rng = self.rng
        accs = M([])
        names = rng.sample([a for a in ACCOUNTS if a != "SYS"], rng.randint(1, 3))
        if rng.random() < 0.15:
            names.append("SYS")
        for name in names:
            inc = rng.random() < 0.2
            self.local_only = inc
            body = M([])
            roles = self.roles(body)
            users = self.new_users(rng.randint(0 if name == "SYS" else 1, 3), name)
            if rng.random() < 0.3:
                body.add("default_permissions", perms.permissions(rng, self.pool))
            entries = self.users_array(users, body, roles)
            if entries:
                body.add("users", entries)
            if rng.random() < 0.15:
                body.add("exports", [M([("stream", perms.pattern(rng).replace(">", "x"))])])
            self.local_only = False
            if inc:
                body = M([self.included(body, "acc_" + name.lower().replace("-", "_"),
                                        rng.choice(["", "accounts"]))])
            accs.add(name, body)
        return accs, names

    def build(self):
        rng = self.rng
        top = M([])
        r = rng.random()
        if r < 0.4:
            self.mode = "users"
            top.add("authorization", self.authorization_users(rng.randint(1, 5)))
        elif r < 0.65:
            self.mode = "accounts"
            accs, names = self.accounts()
            if rng.random() < 0.3:
                top.add("authorization", self.authorization_users(rng.randint(1, 2)))
            top.add("accounts", accs)
            if "SYS" in names and rng.random() < 0.7:
                top.add(rng.choice(["system_account", "system"]), "SYS")
        elif r < 0.78:
            self.mode = "single"
            auth = M([])
            u = self.new_users(1, "$G")[0]
            while u.secret.stored is None:
                u.secret = creds.secret(rng)
            auth.add(rng.choice(["user", "username"]), u.name)
            auth.add(rng.choice(["password", "pass"]), self.stored(u.secret, auth))
            if rng.random() < 0.3:
                # ignored in single-user mode on 2.9.10 (spec §2.2)
                auth.add("permissions", perms.permissions(rng, self.pool))
            if rng.random() < 0.3:
                auth.add("timeout", rng.choice([1, 3, 0.5]))
            top.add("authorization", auth)
        elif r < 0.92:
            self.mode = "token"
            auth = M([])
            s = creds.secret(rng)
            while s.stored is None or s.stored == "":
                s = creds.secret(rng)
            self.token = s
            auth.add("token", self.stored(s, auth))
            if rng.random() < 0.2:
                auth.add("timeout", 2)
            top.add("authorization", auth)
        else:
            self.mode = "off"
            choice = rng.choice(["none", "timeout", "empty-users"])
            if choice == "timeout":
                top.add("authorization", M([("timeout", 1)]))
            elif choice == "empty-users":
                top.add("authorization", M([("users", [])]))
        if self.users and self.mode in ("users", "accounts") and rng.random() < 0.25:
            self.no_auth_user = rng.choice(self.users)
            top.add("no_auth_user", self.no_auth_user.name)
        self.noise(top)
        if self.top_vars.entries:
            vars_block = self.top_vars
            if rng.random() < 0.3:
                vars_block = M([Include(rng.choice(["vars.conf", "conf.d/vars.conf"]), self.top_vars,
                                        rng.choice(['"', "'", "bare"]))])
            top.entries = vars_block.entries + top.entries
        return top

    def noise(self, top):
        """Keys unrelated to auth that every tool must still accept (spec §2.1, §2.8)."""
        rng = self.rng
        if rng.random() < 0.3:
            top.entries.insert(0, Comment("generated config"))
        extras = [("server_name", "gen_srv"), ("max_payload", Bare("1MB")), ("max_connections", Bare("1k")),
                  ("ping_interval", "2m"), ("debug", False), ("write_deadline", "10s"),
                  ("cluster", M([("authorization", M([("user", "route_user"), ("password", "r0ute!"),
                                                       ("timeout", 0.5)]))]))]
        for k, v in rng.sample(extras, rng.choice([0, 0, 1, 2])):
            top.add(k, v)

    # --- logins ---------------------------------------------------------------------------

    def logins(self):
        rng = self.rng
        out = []

        def add(note, user=None, password=None, token=None):
            n_pub, n_sub = rng.randint(2, 6), rng.randint(2, 6)
            out.append({"user": user, "password": password, "token": token, "note": note,
                        "checks": perms.checks(rng, self.pool, n_pub, n_sub)})

        for u in rng.sample(self.users, min(len(self.users), 6)):
            s = u.secret
            if s.plain is None:
                add("user without a password", u.name)
                add("user without a password, empty pass", u.name, "")
            else:
                add("correct password", u.name, s.plain)
            if rng.random() < 0.5:
                add("wrong password", u.name, (s.plain or "") + rng.choice(["x", "1", " "]))
            if s.is_bcrypt() and rng.random() < 0.4:
                add("the stored hash as the password", u.name, str(getattr(s.stored, "text", s.stored)))
            if s.kind == "bcrypt-long":
                add("the long password's first 72 bytes", u.name, s.plain[:72])
                add("the long password's first 71 bytes", u.name, s.plain[:71])
            if rng.random() < 0.2 and u.name != u.name.swapcase():
                add("user name in another case", u.name.swapcase(), s.plain)
            if rng.random() < 0.15:
                add("user and password with a token too", u.name, s.plain, "tok")
        if self.token is not None:
            add("correct token", token=self.token.plain)
            add("wrong token", token=self.token.plain + "x")
            if rng.random() < 0.5:
                add("token sent as the user name", user=self.token.plain)
            if rng.random() < 0.5:
                add("token with a user and password", "someone", "pw", self.token.plain)
            if self.token.is_bcrypt():
                add("the stored token hash", token=str(getattr(self.token.stored, "text", self.token.stored)))
        add("no credentials")
        if rng.random() < 0.1:
            add("an empty user name", "", rng.choice(["", "pw"]))
        add("unknown user", rng.choice(["nobody", "root", "ALICE"]), "pw")
        if rng.random() < 0.3:
            add("a password alone", password=self.users[0].secret.plain if self.users else "pw")
        return out

    def case(self):
        tree = self.build()
        files = Renderer(self.rng).render(tree)
        return {"name": f"gen-{self.mode}", "seed": self.seed, "files": files, "main": "main.conf",
                "env": {k: v for k, v in self.env.items() if v is not None},
                "logins": self.logins(), "note": self.mode}


def generate(seed):
    return Gen(seed).case()
