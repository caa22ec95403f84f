"""Permissions blocks (spec §2.4-§2.5, §5) and the subjects the checks try against them.

Patterns come from a small token alphabet so that allow and deny entries, queue entries and the
checked subjects overlap often. Every pattern written into a config is remembered in `pool`, from
which the checks draw subjects that match it, nearly match it, or cover it with a wildcard.
"""
from render import M

TOKENS = ["foo", "bar", "baz", "a", "b", "q", "x", "svc", "orders", "_INBOX", "$SYS", "secret"]
QUEUES = ["grp", "grp2", "workers", "v1", "q1", "a.prod", "b.prod"]
QUEUE_PATTERNS = ["grp", "grp2", "workers", "v1", "*.prod", "v1.*", ">", "*"]


class Pool:
    """The subjects and queues a config's permissions mention."""

    def __init__(self):
        self.patterns = []
        self.queues = []

    def note(self, subject):
        if " " in subject:
            subj, q = subject.split(" ", 1)
            self.patterns.append(subj)
            self.queues.append(q)
        else:
            self.patterns.append(subject)


def pattern(rng):
    n = rng.choice([1, 2, 2, 3, 3])
    toks = []
    for i in range(n):
        r = rng.random()
        if i == n - 1 and r < 0.2:
            toks.append(">")
        elif r < 0.35:
            toks.append("*")
        else:
            toks.append(rng.choice(TOKENS))
    return ".".join(toks)


def subject_entry(rng, pool, queue_ok):
    s = pattern(rng)
    if queue_ok and rng.random() < 0.25:
        s += " " + rng.choice(QUEUE_PATTERNS)
    pool.note(s)
    return s


def subject_list(rng, pool, queue_ok):
    """A string, an array of subjects, or an allow/deny map (spec §2.4 forms)."""
    form = rng.choice(["str", "list", "list", "allow", "deny", "both", "both", "empty-map", "empty-list"])
    if form == "str":
        return subject_entry(rng, pool, queue_ok)
    if form == "list":
        return [subject_entry(rng, pool, queue_ok) for _ in range(rng.randint(1, 4))]
    if form == "empty-map":
        return M([])
    if form == "empty-list":
        return []
    m = M([])
    for key in {"allow": ["allow"], "deny": ["deny"], "both": ["allow", "deny"]}[form]:
        if rng.random() < 0.3:
            m.add(key, subject_entry(rng, pool, queue_ok))
        else:
            m.add(key, [subject_entry(rng, pool, queue_ok) for _ in range(rng.randint(1, 3))])
    return m


def allow_responses(rng):
    r = rng.random()
    if r < 0.4:
        return True
    if r < 0.55:
        return False
    m = M([])
    if rng.random() < 0.7:
        m.add(rng.choice(["max", "max_msgs", "max_messages", "max_responses"]), rng.choice([1, 5, 0, -1]))
    if rng.random() < 0.7:
        m.add(rng.choice(["expires", "expiration", "ttl"]), rng.choice(["1m", "30s", "2m", "1h"]))
    return m


def permissions(rng, pool):
    """A permissions map; any key may be missing (missing = unrestricted)."""
    m = M([])
    if rng.random() < 0.8:
        m.add(rng.choice(["publish", "publish", "pub", "import"]), subject_list(rng, pool, rng.random() < 0.1))
    if rng.random() < 0.8:
        m.add(rng.choice(["subscribe", "subscribe", "sub", "export"]), subject_list(rng, pool, True))
    if rng.random() < 0.12:
        m.add(rng.choice(["allow_responses", "publish_allow_responses"]), allow_responses(rng))
    return m


def _instance(rng, pat):
    toks = []
    for t in pat.split("."):
        if t == "*":
            toks.append(rng.choice(TOKENS))
        elif t == ">":
            toks.extend(rng.choice(TOKENS) for _ in range(rng.randint(1, 2)))
        else:
            toks.append(t)
    return ".".join(toks)


def _near(rng, pat):
    toks = pat.split(".")
    r = rng.random()
    if r < 0.3 and len(toks) > 1:
        return ".".join(toks[:-1])
    if r < 0.6:
        return pat + "." + rng.choice(TOKENS)
    i = rng.randrange(len(toks))
    toks[i] = rng.choice(TOKENS)
    return ".".join(toks)


def _widen(rng, pat):
    toks = pat.split(".")
    i = rng.randrange(len(toks))
    if rng.random() < 0.5:
        toks[i] = "*"
    else:
        toks = toks[:i] + [">"]
    return ".".join(toks)


def subject(rng, pool, wildcard_ok):
    """A subject to check: from the config's patterns (an instance, a near miss, a wider
    wildcard, the pattern itself) or a random one; now and then an invalid one."""
    r = rng.random()
    pats = pool.patterns or [pattern(rng)]
    base = rng.choice(pats)
    if r < 0.03:
        return rng.choice(["foo..bar", "foo.", ".foo", "a.>.b"])
    if r < 0.35:
        s = _instance(rng, base)
    elif r < 0.55:
        s = _instance(rng, _near(rng, base))
    elif r < 0.75 and wildcard_ok:
        s = base if rng.random() < 0.5 else _widen(rng, base)
    elif r < 0.85 and wildcard_ok:
        s = rng.choice([">", "*", "*.>", "foo.*", "foo.>"])
    else:
        s = _instance(rng, pattern(rng))
    return s


def queue(rng, pool):
    r = rng.random()
    if r < 0.55:
        return None
    names = [q for q in pool.queues if "*" not in q and ">" not in q]
    if names and r < 0.8:
        return rng.choice(names)
    if pool.queues and r < 0.85:
        # a name the config's wildcard queue entries match
        q = rng.choice(pool.queues)
        return q.replace("*", rng.choice(["a", "x", "v1"])).replace(">", "any.thing")
    return rng.choice(QUEUES)


def checks(rng, pool, n_pub, n_sub):
    """The pub and sub checks of one login, interleaved in a random order."""
    out = [["pub", subject(rng, pool, wildcard_ok=rng.random() < 0.1)] for _ in range(n_pub)]
    out += [["sub", subject(rng, pool, wildcard_ok=True), queue(rng, pool)] for _ in range(n_sub)]
    rng.shuffle(out)
    return out
