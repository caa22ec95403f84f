"""Value pools shared by the rule and command generators.

Keys, key patterns, channels and channel patterns are chosen so that patterns and names overlap
often (glob metacharacters `* ? [ ] ^ - \\`, the empty string, NUL and high bytes included), which is
what makes the permission checks interesting (spec §5, §8, §10).
"""
import hashlib

KEYS = [
    b"foo", b"foo:1", b"foo:bar", b"bar", b"r1", b"r2", b"w1", b"w2", b"rw", b"x", b"y", b"",
    b"a*b", b"a?b", b"[a]", b"a", b"b", b"hello", b"hallo", b"hillo", b"hllo", b"HELLO", b"x*y",
    b"xzy", b"lit?", b"litx", b"esc\\", b"bra", b"brc", b"yq", b"v]", b"vx", b"v", b"k\x00z",
    b"\xc3\xa9t\xc3\xa9", b"\x80\xff", b"^a", b"a-b", b"-", b"]", b"\\", b"*", b"?", b"(x)",
    b"key)", b"(key", b"cached:1", b"set1", b"ab", b"az", b"a]", b"{tag}k",
]

KEY_PATTERNS = [
    b"*", b"foo*", b"foo:*", b"f?o", b"r*", b"w*", b"*1", b"?", b"??", b"h?llo", b"h[ae]llo",
    b"h[^e]llo", b"[a-c]", b"[z-x]q", b"x\\*y", b"lit\\?", b"esc\\", b"br[ab", b"u[", b"v[^]",
    b"[]", b"[^]", b"*?*", b"**", b"***a", b"", b"a*b", b"[a-]z", b"[\\]]", b"\\", b"[!a]*",
    b"(x)", b"x)", b"key)", b"\xc3\xa9*", b"[\x80-\xff]*", b"a", b"[^a-z]", b"*\\", b"set*",
    b"cached:*", b"[-]", b"[a-", b"{tag}*",
]

# Patterns that SETUSER must reject (whitespace or NUL, spec §2).
BAD_PATTERNS = [b"a b", b"a\tb", b"k\x00", b" ", b"x\n", b"\r", b"a\x0bb", b"\x0c"]

CHANNELS = [
    b"news", b"news.1", b"news.*", b"sport", b"chan:*", b"chan:1*", b"chan:1", b"chan:12", b"*", b"",
    b"c1", b"c2", b"cx", b"[ab]x", b"ax", b"bx", b"h?llo", b"hello", b"ch\x00n", b"\xc3\xa9",
    b"a\\*", b"a*", b"?",
]

CHANNEL_PATTERNS = [
    b"news", b"news.*", b"news.1", b"sport", b"chan:*", b"chan:1*", b"c?", b"c[12]", b"[ab]x",
    b"*x", b"", b"h?llo", b"a\\*", b"?", b"[^c]*", b"ch*", b"\xc3\xa9", b"**",
]

PASSWORDS = [b"p1", b"p2", b"secret", b"", b"pass word", b"p\x00w", b"foo", b"abc", b"passwd4",
             b"\xc3\xa9", b"a" * 70]

USERNAMES = [b"alice", b"bob", b"carol", b"u1", b"u2", b"Zed", b"_u", b"1u", b"u\xc3\xa9",
             b"dave", b"eve", b"x" * 40, b"DEFAULT", b"Default", b"nobody"]

BAD_USERNAMES = [b"a b", b"a\tb", b"a\x00b", b" ", b"x\n"]

CATEGORIES = [
    "keyspace", "read", "write", "set", "sortedset", "list", "hash", "string", "bitmap",
    "hyperloglog", "geo", "stream", "pubsub", "admin", "fast", "slow", "blocking", "dangerous",
    "connection", "transaction", "scripting",
]

UNKNOWN_CATEGORIES = ["nosuch", "all_", "", "read ", "strings", "@read"]
UNKNOWN_COMMANDS = ["nosuch", "gett", "", "get|x|y", "config|nosuch", "client|", "|get", "acl|setuser|x"]


def sha(pw):
    return hashlib.sha256(pw).hexdigest().encode()


def rand_case(rng, s):
    """Randomly upper/lower/mixed-case a keyword (keywords are case-insensitive, spec §2)."""
    if isinstance(s, bytes):
        return rand_case(rng, s.decode("latin-1")).encode("latin-1")
    r = rng.random()
    if r < 0.6:
        return s
    if r < 0.8:
        return s.upper()
    return "".join(c.upper() if rng.random() < 0.5 else c.lower() for c in s)
