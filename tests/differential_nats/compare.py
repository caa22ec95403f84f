"""What the CLI must print for a recorded case, the few normalisations, and mismatch reports.

Normalisations (each observed in observations/nats-2.9.10.txt, written by observe.py):
- `nats-server -t` error lines are compared as a multiset: Go iterates maps in random order, so
  two runs on one file print the errors of a block in different orders [error-order]; and
  which of two conflicting settings is reported, and the column of an error that points at
  one key of a map (e.g. `Nkey users do not take usernames or passwords`), vary too, so any
  error set seen in up to 8 + 40 runs of `-t` is nats-server's answer [conflict-choice]
  (oracle.check_variants).
- Go pointer values in `got map[user:0xc000081360 ...]` (spec §3.2: 2.9.10 prints the
  parsed map's internals) are masked as 0xPTR: they differ between two runs [pointer-values].
- nats-server prefixes its message with `nats-server: ` and says `configuration file X is
  valid` where the CLI contract (issue 11 item 5) prints `ok`; natsserver.output_lines strips
  the prefix [check-output].
- The user of a login is /connz's authorized_user, except for logins to a server without auth
  and logins by token, where it is empty: there authorized_user echoes what the client sent
  (the token itself, or any name) [connz-authorized-user]; the account is /connz's `account`,
  absent for the global account $G [connz-global-account] (oracle.py).
- A PUB or SUB that nats-server refuses with another -ERR than a Permissions Violation (e.g.
  `Invalid Publish Subject`: the CLI contract has only allow|deny) must print `deny`; the
  recorded fixture keeps the exact text.
"""
import re

AUTH_VIOLATION = "Authorization Violation"
UNDER_TEST = "authgate"  # the label of the CLI's side in reports (run_nats_differential sets it)
_POINTER = re.compile(r"0xc[0-9a-f]{6,}")


def mask_pointers(s):
    return _POINTER.sub("0xPTR", s)


def expected_checks(rec):
    """Every (exit status, lines) nats-server's answer allows: for a `-t` refusal, one per error
    set seen (oracle.check_variants)."""
    c = rec["check"]
    if c["ok"]:
        return [(0, ["ok"])]
    return [(1, v) for v in c["variants"]]


def got_check(rc, lines):
    return rc, sorted(mask_pointers(ln) for ln in lines) if rc != 0 else lines


def check_line(c):
    what = c["subject"] + ("" if c["queue"] is None else " " + c["queue"])
    return f"{c['op']} {what} {'allow' if c['allow'] else 'deny'}"


def expected_auth(login):
    if not login["ok"]:
        return 1, [AUTH_VIOLATION]
    return 0, [f"ok user={login['user_name']} account={login['account']}"] + [check_line(c) for c in login["checks"]]


def want_mismatch(login):
    """For a fixed case's login: how nats-server's verdict differs from the seed/spec's `want`."""
    want = login.get("want")
    if want is None:
        return None
    got = {"ok": login["ok"]}
    if login["ok"]:
        got.update(user=login["user_name"], account=login["account"])
    diff = {k: (v, got.get(k)) for k, v in want.items() if got.get(k) != v}
    return diff or None


class Mismatch:
    def __init__(self, rec, what, expected, got, source="authgate", detail=""):
        self.rec, self.what, self.expected, self.got = rec, what, expected, got
        self.source, self.detail = source, detail

    def describe(self, full=True):
        r = self.rec
        head = f"MISMATCH case={r['name']} seed={r.get('seed')} {self.what}"
        if self.detail:
            head += f" ({self.detail})"
        if not full:
            return head
        left = {"authgate": "nats-server:", "want": "seed/spec:", "witness": "raw proto:"}[self.source]
        right = {"authgate": UNDER_TEST + ":", "want": "nats-server:", "witness": "nats-py:"}[self.source]
        return (head + f"\n    {left.ljust(12)} {fmt(self.expected)}\n    {right.ljust(12)} {fmt(self.got)}")


def fmt(v, limit=4000):
    s = repr(v)
    return s if len(s) <= limit else s[:limit] + f"... ({len(s)} chars)"
