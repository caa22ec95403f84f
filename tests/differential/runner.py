"""Runs scenarios on a pair of servers (reference redis-server and the server under test) in
lock-step, comparing every reply.

A scenario is a dict {"name", "seed", "profile", "steps"}; each step is a dict with an "op":
  call      conn, argv[, exec][, expect]   send argv on connection `conn` and compare the replies.
                                            exec=True: the command runs for real on a client
                                            connection (the not-supported rule may apply).
            [auth: "good"|"bad"]            an authentication attempt the generator meant to
                                            succeed / to fail (counted in the summary)
            [as: user]                      a command meant to run as `user` (counted)
  frames    conn, argv, n[, expect]        send argv and read n replies (subscribe-style commands).
  read      conn[, expect]                 read one more reply (a pushed pub/sub message).
  inline    conn, data[, expect]           send raw bytes (inline command) and read one reply.
  open / close  conn                       open (as the default user) / close a connection.
  closed    conn                           both servers must have closed `conn` (spec-verified).
  pubsub    user, pw, argv                 on a throwaway connection: AUTH, run a (P|S)(UN)SUBSCRIBE
                                            command, read one reply per argument, RESET, close.
  aclfile   content                        write (content None: delete) both servers' aclfiles.
  aclfile_compare                          compare both servers' aclfiles (after ACL SAVE).
`expect`, when present, is the normalised reply both servers must give (spec-verified texts).

Connections the servers close are found after each step that may close one (pairconn.py),
reopened and re-authenticated before their next step; two closed connections never compare
equal (a step whose replies are both "closed" is a mismatch).
"""
from cmdgen import TABLE, resolve
from normalize import aclfile_lines, is_pre_exec_error, normalise, not_supported, replies_equal
from pairconn import CLOSED, TIMEOUT, Conn, closed_after_barrier
from servers import INITIAL_ACLFILE, Server

DEFAULT_LINE = ("$", b"user default on nopass ~* &* +@all")
# Commands after which the harness looks for connections the servers closed.
CLOSERS = {"acl|deluser", "acl|load", "acl|setuser", "client|kill", "quit", "exec", "shutdown"}


class Mismatch:
    def __init__(self, scenario, step_no, step, ref, test, note="", test_label="authgate"):
        self.scenario, self.step_no, self.step = scenario, step_no, step
        self.ref, self.test, self.note = ref, test, note
        self.test_label = test_label

    def describe(self, full=True):
        sc = self.scenario
        what = self.step.get("argv") or self.step.get("data") or self.step["op"]
        head = (f"MISMATCH scenario={sc['name']} seed={sc.get('seed')} profile={sc['profile']} "
                f"step={self.step_no} conn={self.step.get('conn', '-')} cmd={fmt_argv(what)}")
        if self.note:
            head += f" ({self.note})"
        if not full:
            return head
        if self.note.endswith("spec-verified reply"):
            return head + f"\n    expected: {fmt_reply(self.ref)}\n    got:      {fmt_reply(self.test)}"
        label = f"{self.test_label}:".ljust(9)
        return head + f"\n    redis:    {fmt_reply(self.ref)}\n    {label} {fmt_reply(self.test)}"


def fmt_argv(argv):
    if isinstance(argv, (bytes, str)):
        return repr(argv)
    return " ".join(repr(a)[1:] if isinstance(a, bytes) else repr(a) for a in argv)


def fmt_reply(r, limit=3000):
    s = repr(r)
    return s if len(s) <= limit else s[:limit] + f"... ({len(s)} chars)"


def auth_outcome(argv, reply):
    """For an AUTH or HELLO ... AUTH command line: (user, password, protocol) if the reply says
    it authenticated, False if it failed, None if the line does not authenticate."""
    full = resolve(argv)
    if full == "auth":
        if len(argv) not in (2, 3):
            return False if reply[0] == "-" else None
        user, pw = (b"default", argv[1]) if len(argv) == 2 else (argv[1], argv[2])
        return (user, pw, None) if reply == ("+", b"OK") else False
    if full == "hello":
        proto, creds, i = None, None, 2
        if len(argv) > 1:
            proto = argv[1]
        while i < len(argv):
            opt = argv[i].lower()
            if opt == b"auth" and i + 2 < len(argv):
                creds, i = (argv[i + 1], argv[i + 2]), i + 3
            elif opt == b"setname" and i + 1 < len(argv):
                i += 2
            else:
                break
        if reply[0] == "-":
            # a failed HELLO that tried to authenticate (even with a malformed AUTH option)
            return False if creds or any(a.lower() == b"auth" for a in argv[1:]) else None
        p = 3 if proto == b"3" else 2 if proto == b"2" else None
        return (creds[0], creds[1], p) if creds else (None, None, p)
    return None


class Stats:
    """What the summary line reports besides mismatches."""

    def __init__(self):
        self.auth = {("good", True): 0, ("good", False): 0, ("bad", True): 0, ("bad", False): 0}
        self.reauth = {True: 0, False: 0}
        self.as_user = {True: 0, False: 0}
        self.reconnects = 0

    def summary(self):
        a = self.auth
        return (f"AUTH: {sum(a.values())} attempts, {a['good', True]} meant to succeed and did, "
                f"{a['good', False]} meant to succeed and failed (rule changes), {a['bad', False]} meant to fail "
                f"and did, {a['bad', True]} meant to fail and succeeded; {self.reconnects} connections closed by "
                f"the servers and reopened ({self.reauth[True]} re-authenticated, {self.reauth[False]} could not "
                f"be); {self.as_user[True]} commands ran as their user, {self.as_user[False]} as another")


class Pair:
    """A reference server and a server under test, started with the same profile."""

    def __init__(self, ref_kind, ref_bin, test_kind, test_bin, profile, timeout=5.0, stats=None):
        self.servers = [Server(ref_kind, ref_bin, profile, "ref"), Server(test_kind, test_bin, profile, "test")]
        self.profile = profile
        self.timeout = timeout
        self.conns = {}
        self.trace = False
        self.stats = stats or Stats()
        self.controls = [None, None]
        # how mismatch reports name the server under test
        self.test_label = {"authgate": "authgate", "proxy": "authgate-proxy"}.get(test_kind, "redis#2")

    def start(self):
        for s in self.servers:
            s.start()
        self._open_controls()

    def _open_controls(self):
        self.controls = [s.connect(timeout=self.timeout) for s in self.servers]

    def stop(self):
        self.close_all()
        for s in self.servers:
            s.cleanup()

    def restart(self):
        self.close_all()
        for s in self.servers:
            s.restart()
        self._open_controls()

    def close_all(self):
        for c in self.conns.values():
            c.close()
        self.conns = {}

    def barrier(self):
        """One round trip on each server's control connection. HELLO needs no permission and
        leaves no ACL LOG entry, so it works whatever the scenario did to the default user."""
        for i, c in enumerate(self.controls):
            try:
                c.call_tagged(b"HELLO")
            except OSError:
                # the step killed it too (CLIENT KILL TYPE normal): a new one makes the round trip
                self.controls[i] = self.servers[i].connect(timeout=self.timeout)
                self.controls[i].call_tagged(b"HELLO")

    def conn(self, name):
        """The connection `name`, opened (as the default user) if new, reopened and
        re-authenticated if the servers closed it. Returns (conn, mismatches of the re-auth)."""
        c = self.conns.get(name)
        if c is None:
            c = self.conns[name] = Conn(self.servers, self.timeout)
            return c, []
        if not c.reopen:
            return c, []
        self.stats.reconnects += 1
        c.reconnect()
        out = []
        if c.creds or c.proto == 3:
            argv = [b"HELLO", str(c.proto).encode()] + ([b"AUTH", c.creds[0], c.creds[1]] if c.creds else [])
            ref, test = c.call(0, argv), c.call(1, argv)
            out = [(r, t, "re-authentication after the reconnect") for r, t, _ in
                   self._check(argv, ref, test, False, None)]
            ok = ref[0] in ("%", "*")
            if c.creds:
                self.stats.reauth[ok] += 1
            if not ok:
                c.creds, c.proto = None, 2
        return c, out

    def _track(self, c, argv, ref):
        """Follow the connection's identity and protocol from the reference's replies."""
        full = resolve(argv)
        if full == "reset" and ref == ("+", b"RESET"):
            c.creds, c.proto = None, 2
            return None
        res = auth_outcome(argv, ref)
        if res:
            user, pw, proto = res
            if user is not None:
                c.creds = (user, pw)
            if proto is not None:
                c.proto = proto
        return res

    # -- scenario execution ----------------------------------------------------------------------
    def run(self, scenario):
        mismatches = []
        for no, step in enumerate(scenario["steps"]):
            for ref, test, note in self.step(step):
                mismatches.append(Mismatch(scenario, no, step, ref, test, note, self.test_label))
            if not all(s.alive() for s in self.servers):
                dead = [s.label for s in self.servers if not s.alive()]
                mismatches.append(Mismatch(scenario, no, step, "server died: " + ",".join(dead),
                                           "\n" + "\n".join(s.log_tail(1500) for s in self.servers), "crash"))
                self.restart()
                break
        self.close_all()
        if scenario.get("restart_after"):
            # it changed the default user or the server's settings: the caller restarts the
            # servers instead of resetting them
            return mismatches
        problem = self.reset()
        if problem:
            end = {"op": "reset"}
            mismatches.append(Mismatch(scenario, len(scenario["steps"]), end, problem[0], problem[1],
                                       "reset between scenarios failed"))
            self.restart()
        return mismatches

    def _check_exec(self, c, queued, ref, test):
        """EXEC: element by element, each with its queued command's comparison rule."""
        if ref[0] == test[0] == "*" and ref[1] is not None and test[1] is not None \
                and len(ref[1]) == len(test[1]) == len(queued):
            if self.trace:
                print(f"  EXEC\n    -> {fmt_reply(ref, 300)}")
            out, diverged = [], False
            for q, r, t in zip(queued, ref[1], test[1]):
                self._track(c, q, r)
                # after a write only the reference executed, later elements may see different keys
                loose = diverged and not is_pre_exec_error(r, q) and not is_pre_exec_error(t, q)
                if not loose and not replies_equal(q, r, t, True):
                    out.append((r, t, "EXEC element for " + fmt_argv(q)))
                if self._needs_flush(q, r, t):
                    diverged = True
            if diverged:
                self.flushall()
            return out
        return self._check([b"EXEC"], ref, test, True, None)

    def _check(self, argv, ref, test, exec_step, expect, closes=False):
        if self.trace:
            print(f"  {fmt_argv(argv)}\n    -> {fmt_reply(ref, 300)}" +
                  ("" if ref == test else f"\n    test: {fmt_reply(test, 300)}"))
        out = []
        if ref in (CLOSED, TIMEOUT) and test in (CLOSED, TIMEOUT) and not closes:
            out.append((ref, test, "no reply from either server: nothing was compared"))
        elif not replies_equal(argv, ref, test, exec_step):
            out.append((ref, test, ""))
        if expect is not None:
            for label, r in (("redis", ref), ("authgate", test)):
                if normalise(argv, r) != expect:
                    out.append((expect, r, f"{label} differs from the spec-verified reply"))
        return out

    def _after(self, res, closing, *replies):
        """Look for closed connections after a step that may have closed some."""
        if closing or any(r in (CLOSED, TIMEOUT) for r in replies):
            for name, what in closed_after_barrier(self.conns, self.barrier):
                res.append((f"connection {name!r}", "", what))
        return res

    def step(self, st):
        op = st["op"]
        if op == "call":
            c, res = self.conn(st["conn"])
            argv = st["argv"]
            ref, test = c.call(0, argv), c.call(1, argv)
            full = resolve(argv)
            if st.get("as") is not None:
                self.stats.as_user[c.user == st["as"]] += 1
            if full == "exec" and c.queued is not None:
                queued, c.queued = c.queued, None
                return self._after(res + self._check_exec(c, queued, ref, test), True, ref, test)
            if full == "discard":
                c.queued = None
            elif full == "multi" and ref == ("+", b"OK"):
                c.queued = []
            elif c.queued is not None and ref == ("+", b"QUEUED"):
                c.queued.append(argv)
            else:
                outcome = self._track(c, argv, ref)
                if st.get("auth") and outcome is not None:
                    self.stats.auth[st["auth"], bool(outcome)] += 1
            res += self._check(argv, ref, test, st.get("exec", False), st.get("expect"))
            if st.get("exec") and self._needs_flush(argv, ref, test):
                self.flushall()
            return self._after(res, full in CLOSERS, ref, test)
        if op == "frames":
            c, res = self.conn(st["conn"])
            refs = []
            for i in range(st["n"]):
                if i == 0:
                    ref, test = c.call(0, st["argv"]), c.call(1, st["argv"])
                else:
                    ref, test = c.read(0), c.read(1)
                refs += [ref, test]
                exp = st.get("expect")[i] if st.get("expect") else None
                res += self._check(st["argv"], ref, test, False, exp)
                if ref[0] == "-" and test[0] == "-":
                    break
            return self._after(res, False, *refs)
        if op == "read":
            c, res = self.conn(st["conn"])
            ref, test = c.read(0), c.read(1)
            return self._after(res + self._check([b"<read>"], ref, test, False, st.get("expect")), False, ref, test)
        if op == "inline":
            c, res = self.conn(st["conn"])
            c.send(0, st["data"])
            c.send(1, st["data"])
            ref, test = c.read(0), c.read(1)
            # an inline protocol error closes the connection after its reply
            return self._after(res + self._check([b"<inline>"], ref, test, False, st.get("expect")), True)
        if op == "open":
            return self.conn(st["conn"])[1]
        if op == "close":
            c = self.conns.pop(st["conn"], None)
            if c:
                c.close()
            return []
        if op == "closed":
            c = self.conns.get(st["conn"])
            if c is None or not c.reopen:
                return [(("closed",), "open", "both servers should have closed this connection")]
            return []
        if op == "pubsub":
            return self.pubsub(st)
        if op == "aclfile":
            for s in self.servers:
                if st["content"] is None:
                    s.remove_aclfile()
                else:
                    s.write_aclfile(st["content"])
            return []
        if op == "aclfile_compare":
            a, b = (s.read_aclfile() for s in self.servers)
            if aclfile_lines(a) != aclfile_lines(b):
                return [(a, b, "aclfile contents after ACL SAVE")]
            return []
        raise ValueError(f"unknown step op {op!r}")

    def pubsub(self, st):
        """Run one subscribe-family command on a throwaway connection of the given user."""
        c = Conn(self.servers, self.timeout)
        res = []
        try:
            auth = [b"AUTH", st["user"], st["pw"]]
            ref, test = c.call(0, auth), c.call(1, auth)
            self.stats.auth["good", ref == ("+", b"OK")] += 1
            res += self._check(auth, ref, test, False, None)
            argv = st["argv"]
            n = max(1, len(argv) - 1)
            for i in range(n):
                if i == 0:
                    ref, test = c.call(0, argv), c.call(1, argv)
                else:
                    ref, test = c.read(0), c.read(1)
                res += self._check(argv, ref, test, True, None)
                if ref[0] != ">" and ref[0] != "*" or ref[0] != test[0]:
                    break
            ref, test = c.call(0, [b"RESET"]), c.call(1, [b"RESET"])
            res += self._check([b"RESET"], ref, test, False, None)
        finally:
            c.close()
        return res

    @staticmethod
    def _needs_flush(argv, ref, test):
        """An executed write that the server under test did not execute: the keyspaces differ."""
        full = resolve(argv)
        if full is None or not isinstance(ref, tuple) or is_pre_exec_error(ref, argv) or not not_supported(argv, test):
            return False
        e = TABLE[full]
        return "write" in e["flags"] or "write" in e["categories"] or full in ("swapdb", "move")

    def flushall(self):
        for s in self.servers:
            c = s.connect(timeout=self.timeout)
            c.call_tagged(b"FLUSHALL")
            c.close()

    def reset(self):
        """Bring both servers back to a fresh user namespace: None, or (what, detail) if that
        failed on a server (a test failure: the next scenario would start from another state)."""
        for s in self.servers:
            if not s.alive():
                return (f"{s.label} server not running", s.log_tail(1500))
            if "aclfile" in s.profile:
                s.write_aclfile(INITIAL_ACLFILE)
            try:
                c = s.connect(timeout=self.timeout)
                users = c.call_tagged(b"ACL", b"USERS")
                if users[0] != "*" or users[1] is None:
                    return (f"{s.label}: ACL USERS", users)
                names = [u[1] for u in users[1] if u[1] != b"default"]
                steps = ([[b"ACL", b"DELUSER", *names]] if names else []) + [[b"ACL", b"LOG", b"RESET"], [b"FLUSHALL"]]
                for argv in steps:
                    r = c.call_tagged(*argv)
                    if r[0] == "-":
                        return (f"{s.label}: {fmt_argv(argv)}", r)
                r = c.call_tagged(b"ACL", b"LIST")
                if r != ("*", (DEFAULT_LINE,)):
                    return (f"{s.label}: ACL LIST after the reset", r)
                c.close()
            except OSError as e:
                return (f"{s.label}: connection failed during the reset", repr(e))
        return None
