"""Random ACL rules drawn from the whole grammar of spec §2: user-level rules, selector rules,
`(...)` selectors (single- and multi-argument, unmatched, nested), and invalid rules.
"""
from cmdgen import CONTAINERS, LEAF_COMMANDS, SUBCOMMANDS
from pools import (BAD_PATTERNS, CATEGORIES, CHANNEL_PATTERNS, KEY_PATTERNS, PASSWORDS,
                   UNKNOWN_CATEGORIES, UNKNOWN_COMMANDS, rand_case, sha)

FIRST_ARG_COMMANDS = ["select", "get", "set", "ping", "echo", "debug", "publish", "auth", "hello", "eval"]


class RuleGen:
    def __init__(self, rng):
        self.rng = rng
        # cleartext passwords of `>` rules; scenario_gen points it at the list of the user whose
        # rules are being generated, so it knows which passwords that user has
        self.passwords = []
        self.valid_only = False  # when set, avoid the rules that are always errors
        # When set (aclfile scenarios, whose users go through ACL SAVE and ACL LOAD), selectors
        # get no rule that ends with `)` or holds a space. Redis saves a selector as
        # `(<rules>)` with its single-command rules in per-process hash order and no quoting;
        # reloading such a line splits it elsewhere depending on that order, so two redis
        # processes disagree (observations/aclfile-selector-reload.txt).
        self.round_trip = False

    def bad(self, p):
        """True with probability p, unless only valid rules are wanted."""
        return not self.valid_only and self.rng.random() < p

    def kw(self, s):
        return rand_case(self.rng, s).encode()

    # -- user-level rules ----------------------------------------------------------------------------
    def password_rule(self):
        rng = self.rng
        pw = rng.choice(PASSWORDS)
        r = rng.random()
        if r < 0.35:
            self.passwords.append(pw)
            return b">" + pw
        if r < 0.5:
            if self.valid_only:
                self.passwords.append(pw)
                return b">" + pw
            return b"<" + rng.choice(self.passwords + [pw])
        hashes = [sha(rng.choice(self.passwords + [pw])), sha(pw).upper(), sha(pw)[:63], sha(pw) + b"0",
                  b"g" * 64, b"", b"0" * 64]
        h = rng.choice(hashes) if self.bad(0.5) else sha(pw)
        if r < 0.8 or self.valid_only:
            if h == sha(pw):
                self.passwords.append(pw)
            return b"#" + h
        return b"!" + h

    def user_rule(self):
        rng = self.rng
        r = rng.random()
        if r < 0.45:
            return self.kw(rng.choice(["on", "on", "on", "off", "nopass", "resetpass", "sanitize-payload",
                                       "skip-sanitize-payload", "clearselectors", "reset"]))
        return self.password_rule()

    # -- selector rules ------------------------------------------------------------------------------
    def key_rule(self):
        rng = self.rng
        pat = rng.choice(BAD_PATTERNS) if self.bad(0.07) else rng.choice(KEY_PATTERNS)
        r = rng.random()
        if r < 0.45:
            return b"~" + pat
        if r < 0.8:
            perm = rng.choice([b"R", b"W", b"RW", b"WR", b"r", b"w", b"rW"])
            return b"%" + perm + b"~" + pat
        if r < 0.9:
            return self.kw(rng.choice(["allkeys", "resetkeys"])) if rng.random() < 0.7 else b"~*"
        if self.valid_only:
            return rng.choice([b"%R", b"%RW", b"%W", b"~", b"%RW~*", b"%r~*", b"%R~"])
        return rng.choice([b"%R", b"%RW", b"%W", b"%~x", b"%X~x", b"%RR~x", b"%", b"%~", b"%R~", b"~",
                           b"%RWX~x", b"%R*x", b"%WW", b"%RW~*", b"%r~*"])

    def channel_rule(self):
        rng = self.rng
        r = rng.random()
        if r < 0.7:
            pat = rng.choice(BAD_PATTERNS) if self.bad(0.07) else rng.choice(CHANNEL_PATTERNS)
            return b"&" + pat
        if r < 0.9:
            return self.kw(rng.choice(["allchannels", "resetchannels"]))
        return rng.choice([b"&*", b"&", b"&**"])

    def cmd_name(self):
        rng = self.rng
        r = rng.random()
        if r < 0.55:
            return rng.choice(LEAF_COMMANDS)
        if r < 0.7:
            return rng.choice(CONTAINERS)
        if r < 0.93 or self.valid_only:
            return rng.choice(SUBCOMMANDS)
        return rng.choice(UNKNOWN_COMMANDS)

    def command_rule(self):
        rng = self.rng
        r = rng.random()
        sign = b"+" if rng.random() < 0.65 else b"-"
        if r < 0.4:
            return sign + rand_case(rng, self.cmd_name()).encode()
        if r < 0.65:
            cat = rng.choice(UNKNOWN_CATEGORIES) if self.bad(0.07) else rng.choice(CATEGORIES)
            return sign + b"@" + rand_case(rng, cat).encode()
        if r < 0.8:
            # first-arg forms (deprecated) and their error cases
            cmd = rng.choice(FIRST_ARG_COMMANDS)
            arg = rng.choice([b"0", b"1", b"x", b"SET", b"get", b"a|b", b"acl", b"foo bar"] + ([] if self.valid_only else [b""]))
            if self.bad(0.15):
                cmd = rng.choice(SUBCOMMANDS)
            if sign == b"-" and self.valid_only:
                sign = b"+"
            return sign + rand_case(rng, cmd).encode() + b"|" + arg
        if r < 0.92 or self.valid_only:
            return self.kw(rng.choice(["allcommands", "nocommands"])) if rng.random() < 0.5 else \
                rng.choice([b"+@all", b"-@all", b"+@ALL", b"-@All"])
        return rng.choice([b"+", b"-", b"+@", b"-@", b"+|", b"+client|", b"+@all|x", b"++get", b"+get|x|y",
                           b"-select|0", b"+config|get|x", b"+get|"])

    def selector_rule(self):
        r = self.rng.random()
        if r < 0.35:
            return self.key_rule()
        if r < 0.6:
            return self.channel_rule()
        return self.command_rule()

    def invalid_rule(self):
        rng = self.rng
        return rng.choice([b"", b"bogus", b"on ", b" on", b"allkey", b"nopass!", b"#", b"!", b">", b"<",
                           b"(", b")", b"()", b" ()", b"( )", b"(on)", b"(>pw)", b"(reset)", b"(nopass)",
                           b"(clearselectors)", b"(allkeys)", b"((+get))", b"(+get ~x) ", b"\x00", b"~a b"])

    # -- selectors -----------------------------------------------------------------------------------
    def selector_args(self):
        """A `(...)` selector as one or several SETUSER arguments."""
        rng = self.rng
        inner = [self.selector_rule() for _ in range(rng.randint(0, 4))]
        if self.round_trip:
            inner = [r for r in inner if not r.endswith(b")") and b" " not in r]
        r = rng.random()
        if r < 0.55 or not inner:
            return [b"(" + b" ".join(inner) + b")"]
        if r < 0.8:
            # split across arguments, as an aclfile/config line would be
            cut = rng.randint(1, len(inner))
            first = [b"(" + b" ".join(inner[:cut])]
            rest = inner[cut:]
            if rest:
                return first + rest[:-1] + [rest[-1] + b")"]
            return first + [b")"]
        if r < 0.9 or self.valid_only:
            return [b"(" + b" ".join(inner) + b")"]
        if r < 0.95:
            return [b"(" + inner[0]]  # unmatched unless something later closes it
        return [b"(" + b" ".join(inner) + b")", b"(" + self.selector_rule()]  # nested restart quirk

    # -- whole rule lists ----------------------------------------------------------------------------
    def rules(self, n=None):
        rng = self.rng
        if n is None:
            n = rng.randint(0, 8)
        self.valid_only = rng.random() < 0.5
        out = []
        for _ in range(n):
            r = rng.random()
            if r < 0.2:
                out.append(self.user_rule())
            elif r < 0.82:
                out.append(self.selector_rule())
            elif r < 0.95 or self.valid_only:
                out.extend(self.selector_args())
            else:
                out.append(self.invalid_rule())
        self.valid_only = False
        return out

    def useful_rules(self):
        """A mostly-valid rule list that gives the user some access (so checks are not all denials)."""
        rng = self.rng
        self.valid_only = True
        pw = rng.choice(PASSWORDS[:4])
        self.passwords.append(pw)
        out = [b"on", b">" + pw]
        out += [self.key_rule() for _ in range(rng.randint(0, 3))]
        out += [b"&" + rng.choice(CHANNEL_PATTERNS) for _ in range(rng.randint(0, 2))]
        out += [rng.choice([b"+@all", b"+@read", b"+@write", b"+@string", b"+@keyspace", b"+@pubsub",
                            b"+@connection", b"-@dangerous", b"+get", b"+set", b"+acl", b"+client"])
                for _ in range(rng.randint(1, 4))]
        if rng.random() < 0.3:
            out.extend(self.selector_args())
        self.valid_only = False
        return out
