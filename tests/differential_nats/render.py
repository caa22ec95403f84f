"""Writes a config tree as nats-server config text, in a style drawn from the generator's rng.

The tree: M (a map: ordered entries, so a key may repeat and includes and comments have their
place), Python lists (arrays), str, int, float, bool, and the nodes below. Every choice of
syntax (separator, quoting, inline or multi-line blocks, comments, key case, line endings) comes
from the rng, so a seed always renders the same bytes. A string is written bare only where the
lexer reads it back as the same string (spec §1.4-§1.5); Bare forces a bare word (the generator
uses it on purpose, e.g. an unquoted `$2a$` hash or a `#` inside a bare password).
"""
import posixpath
import re

BOOL_WORDS = {"true", "false", "yes", "no", "on", "off"}
_BARE_OK = re.compile(r"^[A-Za-z_*>][A-Za-z0-9_\-.*>]*$")


class M:
    """A map: entries are (key, value) pairs, Include nodes or Comment nodes."""

    def __init__(self, entries=None, inline=None):
        self.entries = list(entries or [])
        self.inline = inline  # None: the renderer decides

    def add(self, key, value):
        self.entries.append((key, value))
        return self

    def set(self, aliases, value):
        """Give the option spelled by any of aliases this value: in place of its entry (under
        the key it has), else as a new entry under aliases[0]. Two spellings of one option in a
        map are applied in Go's random map order (observations/nats-2.9.10.txt
        [duplicate-option]), so a defect replaces, it never adds a second spelling."""
        if isinstance(aliases, str):
            aliases = (aliases,)
        names = {a.lower() for a in aliases}
        for i, e in enumerate(self.entries):
            if isinstance(e, tuple) and e[0].lower() in names:
                self.entries[i] = (e[0], value)
                return self
        return self.add(aliases[0], value)

    def get(self, key):
        for e in self.entries:
            if isinstance(e, tuple) and e[0] == key:
                return e[1]
        return None

    def keys(self):
        return [e[0] for e in self.entries if isinstance(e, tuple)]


class Var:
    """A variable reference `$NAME`."""

    def __init__(self, name):
        self.name = name


class Bare:
    """A string written bare, exactly as given."""

    def __init__(self, text):
        self.text = text


class Quoted:
    """A string with a fixed quoting: style is '"', "'" or "(" (block string)."""

    def __init__(self, text, style):
        self.text, self.style = text, style


class Raw:
    """Text written as is (numbers with size suffixes, deliberate errors)."""

    def __init__(self, text):
        self.text = text


class Include:
    """`include PATH` of a file holding the map `body`; PATH is relative to the including file."""

    def __init__(self, path, body, quote='"'):
        self.path, self.body, self.quote = path, body, quote


class Comment:
    def __init__(self, text):
        self.text = text


def bare_ok(s):
    return bool(_BARE_OK.match(s)) and s.lower() not in BOOL_WORDS


def dq(s, rng=None):
    """A double-quoted string that reads back as s (escapes of spec §1.5)."""
    out = []
    for ch in s:
        if ch == "\\":
            out.append("\\\\")
        elif ch == '"':
            out.append('\\"')
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            out.append("\\r")
        elif rng is not None and ch.isalnum() and ord(ch) < 128 and rng.random() < 0.03:
            out.append("\\x%02x" % ord(ch))
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


# Keys the option processor lower-cases (spec §1.1): safe to write in another case.
CASE_FREE_KEYS = {"authorization", "users", "user", "password", "permissions", "publish",
                  "subscribe", "allow", "deny", "accounts", "timeout", "token", "no_auth_user",
                  "default_permissions", "allow_responses"}


class Style:
    def __init__(self, rng):
        self.rng = rng
        self.seps = rng.choice([["=", " = "], [": ", ":"], [" "], [" = ", ": ", " ", "="]])
        self.indent = rng.choice(["  ", "    ", "\t"])
        self.eol = "\r\n" if rng.random() < 0.08 else "\n"
        self.comments = rng.random() < 0.4
        # one spelling per key in a config: `USERS` and `users` in one map would be two keys
        # for one option, applied in random order (see M.set)
        self.upper = {k for k in sorted(CASE_FREE_KEYS) if rng.random() < 0.5} if rng.random() < 0.1 else set()
        self.trailing_commas = rng.random() < 0.3
        self.quote_pref = rng.choice(['"', '"', "'", "bare"])

    def sep(self):
        return self.rng.choice(self.seps)


class Renderer:
    """render(tree) -> {relative path: text}: the main file and every included file."""

    def __init__(self, rng, style=None):
        self.rng = rng
        self.style = style or Style(rng)
        self.files = {}

    def render(self, tree, main="main.conf"):
        self.files[main] = self.doc(tree, posixpath.dirname(main))
        return self.files

    def doc(self, m, cwd):
        lines = []
        for e in m.entries:
            lines.extend(self.entry(e, 0, cwd))
        return self.style.eol.join(lines) + self.style.eol

    def key(self, k):
        if k in self.style.upper:
            k = k.upper()
        if not re.match(r"^[A-Za-z_$][A-Za-z0-9_\-$]*$", k):
            return dq(k)
        return k

    def entry(self, e, depth, cwd):
        pad = self.style.indent * depth
        if isinstance(e, Comment):
            return [pad + self.rng.choice(["# ", "// "]) + e.text]
        if isinstance(e, Include):
            target = posixpath.normpath(posixpath.join(cwd, e.path)) if cwd else posixpath.normpath(e.path)
            if e.body is not None:  # None: a missing file, on purpose
                self.files[target] = self.doc(e.body, posixpath.dirname(target))
            path = {'"': '"%s"', "'": "'%s'", "bare": "%s"}[e.quote] % e.path
            return [pad + self.rng.choice(["include ", "include  ", "INCLUDE "]) + path]
        k, v = e
        out = []
        if self.style.comments and self.rng.random() < 0.12:
            out.append(pad + self.rng.choice(["# ", "// "]) + "about " + k)
        val = self.value(v, depth, cwd)
        sep = self.style.sep()
        if isinstance(v, M) and sep in ("=", " = ", ":", ": ", " ") and self.rng.random() < 0.3:
            sep = " "  # a map may follow its key directly (spec §1.2)
        line = pad + self.key(k) + sep + val
        if self.style.comments and self.rng.random() < 0.1 and "\n" not in val:
            line += self.rng.choice(["  # note", " // note", "\t# x"])
        out.append(line)
        return out

    def value(self, v, depth, cwd):
        if isinstance(v, M):
            return self.map_value(v, depth, cwd)
        if isinstance(v, list):
            return self.array(v, depth, cwd)
        if isinstance(v, bool):
            return self.rng.choice({True: ["true", "yes", "on", "TRUE"], False: ["false", "no", "off"]}[v])
        if isinstance(v, (int, float)):
            return repr(v)
        if isinstance(v, Var):
            return "$" + v.name
        if isinstance(v, Bare):
            return v.text
        if isinstance(v, Raw):
            return v.text
        if isinstance(v, Quoted):
            if v.style == "(":
                return "(" + "\n" + v.text + "\n)"
            if v.style == "'":
                return "'" + v.text + "'"
            return dq(v.text, self.rng)
        if isinstance(v, str):
            return self.string(v)
        raise TypeError(f"cannot render {v!r}")

    def string(self, s):
        pref = self.style.quote_pref
        if pref == "bare" and bare_ok(s) and self.rng.random() < 0.8:
            return s
        if bare_ok(s) and self.rng.random() < 0.3:
            return s
        if pref == "'" and "'" not in s and "\n" not in s and "\r" not in s and self.rng.random() < 0.7:
            return "'" + s + "'"
        return dq(s, self.rng)

    def map_value(self, m, depth, cwd):
        # a block string ends with `)` alone on its line (spec §1.5): never inside an inline map
        simple = all(isinstance(e, tuple) and not isinstance(e[1], (M, list))
                     and not (isinstance(e[1], Quoted) and e[1].style == "(") for e in m.entries)
        inline = m.inline if m.inline is not None else (simple and len(m.entries) <= 3 and self.rng.random() < 0.7)
        if not m.entries:
            return "{}"
        if inline:
            parts = []
            for e in m.entries:
                k, v = e
                parts.append(self.key(k) + self.style.sep() + self.value(v, depth, cwd))
            return "{" + self.rng.choice([" ", ""]) + self.rng.choice([", ", ", ", "; "]).join(parts) + " }"
        lines = ["{"]
        for e in m.entries:
            lines.extend(self.entry(e, depth + 1, cwd))
        lines.append(self.style.indent * depth + "}")
        return self.style.eol.join(lines)

    def array(self, items, depth, cwd):
        if not items:
            return "[]"
        multiline = any(isinstance(x, M) for x in items) and (len(items) > 1 or self.rng.random() < 0.5)
        if multiline:
            pad = self.style.indent * (depth + 1)
            lines = ["["]
            sep_comma = self.rng.random() < 0.5
            for i, x in enumerate(items):
                last = i == len(items) - 1
                comma = "," if sep_comma and (not last or self.style.trailing_commas) else ""
                lines.append(pad + self.value(x, depth + 1, cwd) + comma)
            lines.append(self.style.indent * depth + "]")
            return self.style.eol.join(lines)
        # A value directly before `]` must not be a number (spec §1.6: `]` does not end one)
        vals = [self.value(x, depth, cwd) for x in items]
        tail = "," if self.style.trailing_commas and self.rng.random() < 0.5 else ""
        return "[" + ", ".join(vals) + tail + self.rng.choice(["]", " ]"]) if not isinstance(items[-1], (int, float)) \
            else "[" + ", ".join(vals) + " ]"
