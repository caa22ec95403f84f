"""Runs scenarios on a pair of servers (reference redis-server and the server under test) in
lock-step, comparing every reply.

A scenario is a dict {"name", "seed", "profile", "steps"}; each step is a dict with an "op":
  call      conn, argv[, exec][, expect]   send argv on connection `conn` and compare the replies.
                                            exec=True: the command runs for real on a client
                                            connection (the not-supported rule may apply).
  frames    conn, argv, n[, expect]        send argv and read n replies (subscribe-style commands).
  read      conn[, expect]                 read one more reply (a pushed pub/sub message).
  inline    conn, data[, expect]           send raw bytes (inline command) and read one reply.
  open / close  conn                       open (as the default user) / close a connection.
  pubsub    user, pw, argv                 on a throwaway connection: AUTH, run a (P|S)(UN)SUBSCRIBE
                                            command, read one reply per argument, RESET, close.
  aclfile   content                        write (content None: delete) both servers' aclfiles.
  aclfile_compare                          compare both servers' aclfiles (after ACL SAVE).
  sleep     secs
`expect`, when present, is the normalised reply both servers must give (spec-verified texts).
"""
import socket
import time

from cmdgen import TABLE, resolve
from normalize import aclfile_lines, is_pre_exec_error, normalise, not_supported, replies_equal
from servers import INITIAL_ACLFILE, Server

CLOSED = ("closed",)
TIMEOUT = ("timeout",)
DEFAULT_LINE = ("$", b"user default on nopass ~* &* +@all")


class Conn:
    """One logical connection, open on both servers."""

    def __init__(self, servers, timeout):
        self.queued = None  # commands queued (per the reference) since MULTI
        self.sides = []
        for s in servers:
            try:
                self.sides.append(s.connect(timeout=timeout))
            except OSError:
                self.sides.append(None)

    def _do(self, i, fn):
        c = self.sides[i]
        if c is None:
            return CLOSED
        try:
            return fn(c)
        except socket.timeout:
            c.close()
            self.sides[i] = None
            return TIMEOUT
        except (ConnectionError, OSError):
            c.close()
            self.sides[i] = None
            return CLOSED

    def call(self, i, argv):
        return self._do(i, lambda c: c.call_tagged(*argv))

    def send(self, i, data):
        return self._do(i, lambda c: c.send_raw(data))

    def read(self, i):
        return self._do(i, lambda c: c.read_tagged())

    def close(self):
        for c in self.sides:
            if c is not None:
                c.close()
        self.sides = [None] * len(self.sides)


class Mismatch:
    def __init__(self, scenario, step_no, step, ref, test, note=""):
        self.scenario, self.step_no, self.step = scenario, step_no, step
        self.ref, self.test, self.note = ref, test, note

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
        return head + f"\n    redis:    {fmt_reply(self.ref)}\n    authgate: {fmt_reply(self.test)}"


def fmt_argv(argv):
    if isinstance(argv, (bytes, str)):
        return repr(argv)
    return " ".join(repr(a)[1:] if isinstance(a, bytes) else repr(a) for a in argv)


def fmt_reply(r, limit=3000):
    s = repr(r)
    return s if len(s) <= limit else s[:limit] + f"... ({len(s)} chars)"


class Pair:
    """A reference server and a server under test, started with the same profile."""

    def __init__(self, ref_kind, ref_bin, test_kind, test_bin, profile, timeout=5.0):
        self.servers = [Server(ref_kind, ref_bin, profile, "ref"), Server(test_kind, test_bin, profile, "test")]
        self.profile = profile
        self.timeout = timeout
        self.conns = {}
        self.trace = False

    def start(self):
        for s in self.servers:
            s.start()

    def stop(self):
        self.close_all()
        for s in self.servers:
            s.cleanup()

    def restart(self):
        self.close_all()
        for s in self.servers:
            s.restart()

    def close_all(self):
        for c in self.conns.values():
            c.close()
        self.conns = {}

    def conn(self, name):
        if name not in self.conns:
            self.conns[name] = Conn(self.servers, self.timeout)
        return self.conns[name]

    # -- scenario execution ----------------------------------------------------------------------
    def run(self, scenario):
        mismatches = []
        for no, step in enumerate(scenario["steps"]):
            for ref, test, note in self.step(step):
                mismatches.append(Mismatch(scenario, no, step, ref, test, note))
            if not all(s.alive() for s in self.servers):
                dead = [s.label for s in self.servers if not s.alive()]
                mismatches.append(Mismatch(scenario, no, step, "server died: " + ",".join(dead),
                                           "\n" + "\n".join(s.log_tail(1500) for s in self.servers), "crash"))
                self.restart()
                break
        self.close_all()
        if not self.reset():
            self.restart()
        return mismatches

    def _check_exec(self, queued, ref, test):
        """EXEC: element by element, each with its queued command's comparison rule."""
        if ref[0] == test[0] == "*" and ref[1] is not None and test[1] is not None \
                and len(ref[1]) == len(test[1]) == len(queued):
            if self.trace:
                print(f"  EXEC\n    -> {fmt_reply(ref, 300)}")
            out, diverged = [], False
            for q, r, t in zip(queued, ref[1], test[1]):
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

    def _check(self, argv, ref, test, exec_step, expect):
        if self.trace:
            print(f"  {fmt_argv(argv)}\n    -> {fmt_reply(ref, 300)}" +
                  ("" if ref == test else f"\n    test: {fmt_reply(test, 300)}"))
        out = []
        if not replies_equal(argv, ref, test, exec_step):
            out.append((ref, test, ""))
        if expect is not None:
            for label, r in (("redis", ref), ("authgate", test)):
                if normalise(argv, r) != expect:
                    out.append((expect, r, f"{label} differs from the spec-verified reply"))
        return out

    def step(self, st):
        op = st["op"]
        if op == "call":
            c = self.conn(st["conn"])
            argv = st["argv"]
            ref, test = c.call(0, argv), c.call(1, argv)
            full = resolve(argv)
            if full == "exec" and c.queued is not None:
                queued, c.queued = c.queued, None
                return self._check_exec(queued, ref, test)
            if full == "discard":
                c.queued = None
            elif full == "multi" and ref == ("+", b"OK"):
                c.queued = []
            elif c.queued is not None and ref == ("+", b"QUEUED"):
                c.queued.append(argv)
            res = self._check(argv, ref, test, st.get("exec", False), st.get("expect"))
            if st.get("exec") and self._needs_flush(argv, ref, test):
                self.flushall()
            if resolve(argv) in ("acl|deluser", "acl|load", "acl|setuser"):
                time.sleep(0.005)  # let both servers finish closing affected clients
            return res
        if op == "frames":
            c = self.conn(st["conn"])
            res = []
            for i in range(st["n"]):
                if i == 0:
                    ref, test = c.call(0, st["argv"]), c.call(1, st["argv"])
                else:
                    ref, test = c.read(0), c.read(1)
                exp = st.get("expect")[i] if st.get("expect") else None
                res += self._check(st["argv"], ref, test, False, exp)
                if ref[0] == "-" and test[0] == "-":
                    break
            return res
        if op == "read":
            c = self.conn(st["conn"])
            ref, test = c.read(0), c.read(1)
            return self._check([b"<read>"], ref, test, False, st.get("expect"))
        if op == "inline":
            c = self.conn(st["conn"])
            c.send(0, st["data"])
            c.send(1, st["data"])
            ref, test = c.read(0), c.read(1)
            return self._check([b"<inline>"], ref, test, False, st.get("expect"))
        if op == "open":
            self.conn(st["conn"])
            return []
        if op == "close":
            c = self.conns.pop(st["conn"], None)
            if c:
                c.close()
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
        if op == "sleep":
            time.sleep(st["secs"])
            return []
        raise ValueError(f"unknown step op {op!r}")

    def pubsub(self, st):
        """Run one subscribe-family command on a throwaway connection of the given user."""
        c = Conn(self.servers, self.timeout)
        res = []
        try:
            auth = [b"AUTH", st["user"], st["pw"]]
            ref, test = c.call(0, auth), c.call(1, auth)
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
            try:
                c = s.connect(timeout=self.timeout)
                c.call_tagged(b"FLUSHALL")
                c.close()
            except OSError:
                pass

    def reset(self):
        """Bring both servers back to a fresh user namespace. False if a restart is needed."""
        ok = True
        for s in self.servers:
            if not s.alive():
                return False
            if "aclfile" in s.profile:
                s.write_aclfile(INITIAL_ACLFILE)
            try:
                c = s.connect(timeout=self.timeout)
                users = c.call_tagged(b"ACL", b"USERS")
                if users[0] != "*" or users[1] is None:
                    ok = False
                else:
                    names = [u[1] for u in users[1] if u[1] != b"default"]
                    if names:
                        c.call_tagged(b"ACL", b"DELUSER", *names)
                c.call_tagged(b"ACL", b"LOG", b"RESET")
                c.call_tagged(b"FLUSHALL")
                if c.call_tagged(b"ACL", b"LIST") != ("*", (DEFAULT_LINE,)):
                    ok = False
                c.close()
            except OSError:
                ok = False
        return ok
