"""One Acl shared by threads and by a server's connections: whole updates, no stale reads,
file I/O and server control from threads, the GIL released where the work blocks."""

from __future__ import annotations

import socket
import sys
import threading
from pathlib import Path
from typing import Any, Callable, List, Optional, Tuple

import authgate


# A writer flips the user "flip" between two whole rule sets whose commands, keys and
# channels are linked; readers assert that every observation is A or B whole, and never older
# than the writer's last acknowledged change:
# - one call: GET a:1 / PUBLISH ca / SET b:1 / SPUBLISH cb are allowed by one side and denied
#   as a command by the other. A key or channel denial is a mix (rules applied one by one
#   would show +get with ~b:*, denying GET a:1 for its key); a denied PING is the bare
#   `reset`; getuser() and list() are one snapshot each and must equal A's or B's whole;
# - several calls: each observation is bracketed by the writer's progress (Timeline.seq: 2k
#   once step k was acknowledged, 2k-1 while it runs; step k sets A for even k, B for odd), and
#   the sides seen must be states the writer published in that window, in order. A stale read
#   (acknowledged but not yet visible) or a step back fails it.
# Calls holding the GIL cannot overlap, so the engine is shared with work that runs without
# it: load() (the GIL released while the file is read and swapped in) and a server's
# connections, whose checks run on the server's threads.
A = ("reset", "on", "nopass", "~a:*", "&ca", "+get", "+publish", "+ping")
B = ("reset", "on", "nopass", "~b:*", "&cb", "+set", "+spublish", "+ping")
RULES = (A, B)
PROBES = (("GET", "a:1"), ("PUBLISH", "ca", "m"), ("SET", "b:1", "v"), ("SPUBLISH", "cb", "m"), ("PING",))


def side_of(probe: int, denial: Optional[str]) -> Optional[int]:
    """The side (0 = A, 1 = B) of a probe's outcome (None: allowed, else the denial reason);
    None for PING, which both allow. An outcome neither side gives is a tear in one call."""
    if probe == 4:
        assert denial is None, f"torn: PING denied ({denial}): the bare reset"
        return None
    mine = 0 if probe < 2 else 1
    if denial is None:
        return mine
    assert denial == "command", f"torn: {PROBES[probe]} denied for its {denial}, which neither A nor B does"
    return 1 - mine


def probe_engine(acl: authgate.Acl) -> List[int]:
    """The probes as separate check() calls, in order."""
    seen = []
    for i, argv in enumerate(PROBES):
        try:
            acl.check("flip", *argv)
            denial = None
        except authgate.PermissionDenied as e:
            denial = e.reason
        side = side_of(i, denial)
        if side is not None:
            seen.append(side)
    return seen


class Timeline:
    """The writer's progress, and the check every reader applies to its observations."""

    def __init__(self) -> None:
        self.seq = 0
        self.done = False
        self.errors: List[BaseException] = []
        self.quiet = 0

    @staticmethod
    def explain(before: int, after: int, seen: List[int]) -> None:
        step, newest = before // 2, (after + 1) // 2
        for side in seen:
            while step % 2 != side:
                step += 1
                assert step <= newest, f"stale or torn: saw {seen} between progress {before} and {after}"

    def write(self, steps: int, flip: Callable[[int], None], own_check: Callable[[int], None]) -> None:
        try:
            for k in range(1, steps + 1):
                if self.errors:
                    return
                self.seq = 2 * k - 1
                flip(k % 2)
                self.seq = 2 * k
                own_check(k % 2)  # no stale read: the writer's next calls see the change
        except BaseException as e:  # pragma: no cover - reported by the test
            self.errors.append(e)
        finally:
            self.done = True

    def read(self, observe: Callable[[], List[int]]) -> int:
        n = 0
        try:
            while not self.done:
                before = self.seq
                seen = observe()
                after = self.seq
                self.explain(before, after, seen)
                n += 1
                self.quiet += before == after and before % 2 == 0
        except BaseException as e:  # pragma: no cover - reported by the test
            self.errors.append(e)
        return n


def run(timeline: Timeline, steps: int, flip: Callable[[int], None], own_check: Callable[[int], None],
        observers: List[Callable[[], List[int]]]) -> List[int]:
    counts = [0] * len(observers)

    def reader(i: int) -> None:
        counts[i] = timeline.read(observers[i])

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-4)  # switch often, so readers run between the writer's calls
    try:
        threads = [threading.Thread(target=reader, args=(i,)) for i in range(len(observers))]
        for t in threads:
            t.start()
        timeline.write(steps, flip, own_check)
        for t in threads:
            t.join(60)
    finally:
        sys.setswitchinterval(interval)
    assert timeline.errors == []
    assert all(counts), counts
    assert timeline.quiet > 0
    return counts


def test_load_flips_are_seen_whole(tmp_path: Path) -> None:
    files = []
    for side, password in ((A, "pa"), (B, "pb")):
        f = tmp_path / f"{password}.acl"
        f.write_text(f"user flip {' '.join(side)}\nuser peer on >{password} ~* +@all\nuser default on nopass ~* &* +@all\n")
        files.append(f)
    tables = [authgate.Acl.from_file(f).list() for f in files]
    infos = [authgate.Acl.from_file(f).getuser("flip") for f in files]
    assert tables[0][1] == "user flip on nopass sanitize-payload ~a:* resetchannels &ca -@all +get +ping +publish"
    acl = authgate.Acl.from_file(files[0])

    def snapshot() -> List[int]:
        # One list() and one getuser(): each a whole table / user of one file. A load that
        # applied the file's users one by one would show flip from one file, peer from the other.
        table, info = acl.list(), acl.getuser("flip")
        assert table in tables, f"torn ACL LIST: {table}"
        assert info in infos, f"torn getuser: {info}"
        return [tables.index(table), infos.index(info)]

    def probes() -> List[int]:
        seen = probe_engine(acl)
        # peer always exists with one file's password: each call names a side
        seen.append(0 if acl.authenticate("peer", "pa") else 1)
        seen.append(1 if acl.authenticate("peer", "pb") else 0)
        return seen

    def own_check(side: int) -> None:
        assert probe_engine(acl) == [side] * 4 and acl.list() == tables[side]

    counts = run(Timeline(), 300, lambda side: acl.load(files[side]), own_check, [snapshot, probes, probes])
    print(f"load flips: observations {counts}")


class Resp:
    """A blocking RESP2 connection: commands out, replies in (errors as RespError values)."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        self.f = self.sock.makefile("rb")

    def send(self, *argv: str) -> None:
        out = b"*%d\r\n" % len(argv) + b"".join(b"$%d\r\n%s\r\n" % (len(a.encode()), a.encode()) for a in argv)
        self.sock.sendall(out)

    def read(self) -> Any:
        line = self.f.readline()
        assert line.endswith(b"\r\n"), f"connection closed: {line!r}"
        kind, rest = line[:1], line[1:-2]
        if kind == b"+":
            return rest.decode()
        if kind == b"-":
            return RespError(rest.decode())
        if kind == b":":
            return int(rest)
        if kind == b"$":
            n = int(rest)
            return None if n < 0 else self.f.read(n + 2)[:-2]
        if kind == b"*":
            return [self.read() for _ in range(int(rest))]
        raise AssertionError(f"unexpected reply {line!r}")

    def cmd(self, *argv: str) -> Any:
        self.send(*argv)
        return self.read()

    def close(self) -> None:
        self.f.close()
        self.sock.close()


class RespError(str):
    """An error reply."""


ALLOWED: Tuple[Any, ...] = (None, 0, "OK", 0, "PONG")
DENIED = {
    "NOPERM this user has no permissions to access one of the keys used as arguments": "key",
    "NOPERM this user has no permissions to access one of the channels used as arguments": "channel",
}


def probe_server(c: Resp) -> List[int]:
    """The probes pipelined on one connection: five commands, each one server call."""
    for argv in PROBES:
        c.send(*argv)
    seen = []
    for i, argv in enumerate(PROBES):
        reply = c.read()
        command = f"NOPERM this user has no permissions to run the '{argv[0].lower()}' command"
        if isinstance(reply, RespError):
            denial = "command" if reply == command else DENIED.get(reply)
            assert denial, f"{argv}: unexpected error {reply}"
        else:
            assert reply == ALLOWED[i], f"{argv}: unexpected reply {reply!r}"
            denial = None
        side = side_of(i, denial)
        if side is not None:
            seen.append(side)
    return seen


def test_server_connections_see_whole_rule_sets() -> None:
    """Connections authenticated as flip probe while the writer flips it, alternately with
    ACL SETUSER on an admin connection and with setuser() from Python."""
    acl = authgate.Acl()
    acl.setuser("flip", *A)
    acl.setuser("admin", "on", ">adminpw", "~*", "&*", "+@all")
    with authgate.Server(acl) as server:
        def connect(user: str, password: str) -> Resp:
            c = Resp(server.port)
            assert c.cmd("AUTH", user, password) == "OK"
            return c

        admin, own = connect("admin", "adminpw"), connect("flip", "x")
        readers = [connect("flip", "x") for _ in range(4)]

        def flip(side: int) -> None:
            if side:
                assert admin.cmd("ACL", "SETUSER", "flip", *RULES[side]) == "OK"
            else:
                acl.setuser("flip", *RULES[side])

        def own_check(side: int) -> None:
            # once the change is acknowledged, the next command of any connection sees it
            assert probe_server(own) == [side] * 4

        observers = [lambda c=c: probe_server(c) for c in readers]
        counts = run(Timeline(), 300, flip, own_check, observers)
        for c in [admin, own, *readers]:
            c.close()
    print(f"server flips: observations {counts}")


def test_file_io_from_threads(tmp_path: Path) -> None:
    acl = authgate.Acl()
    for i in range(50):
        acl.setuser(f"u{i}", "on", f">p{i}", "+get", "~*")
    errors: List[BaseException] = []

    def work(i: int) -> None:
        try:
            p = tmp_path / f"{i}.acl"
            for _ in range(10):
                acl.save(p)
                other = authgate.Acl.from_file(p)
                assert other.users() == acl.users()
        except BaseException as e:  # pragma: no cover
            errors.append(e)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


def test_server_start_stop_from_threads() -> None:
    acl = authgate.Acl()
    errors: List[BaseException] = []

    def work() -> None:
        try:
            for _ in range(5):
                with authgate.Server(acl) as s:
                    assert s.running and s.port > 0
                    acl.check("default", "GET", "k")
        except BaseException as e:  # pragma: no cover
            errors.append(e)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


def test_file_io_and_server_start_release_the_gil(tmp_path: Path) -> None:
    """load() reads a FIFO whose writer is a Python thread: that thread can only run (and the
    load finish) if the GIL is released during the read. A hang is turned into a failure by
    faulthandler's watchdog, which needs no GIL."""
    import faulthandler
    import os

    fifo = tmp_path / "users.fifo"
    os.mkfifo(fifo)

    def writer() -> None:
        with open(fifo, "w") as f:
            f.write("user fifo on nopass +ping\n")

    acl = authgate.Acl()
    faulthandler.dump_traceback_later(30, exit=True)
    try:
        for load in (acl.load, authgate.Acl.from_file):
            t = threading.Thread(target=writer)
            t.start()
            result = load(fifo)
            t.join()
            target = result if isinstance(result, authgate.Acl) else acl
            assert target.users() == ["default", "fifo"]
        # Server.start loads its aclfile with the GIL released, too
        t = threading.Thread(target=writer)
        t.start()
        other = authgate.Acl()
        with authgate.Server(other, aclfile=fifo):
            t.join()
            assert other.users() == ["default", "fifo"]
        # and Server() reads its config file with the GIL released
        conf = tmp_path / "redis.fifo"
        os.mkfifo(conf)

        def conf_writer() -> None:
            with open(conf, "w") as f:
                f.write("port 0\nmaxclients 3\n")

        t = threading.Thread(target=conf_writer)
        t.start()
        server = authgate.Server(authgate.Acl(), config=conf)
        t.join()
        assert (server.port, server.running) == (0, False)
    finally:
        faulthandler.cancel_dump_traceback_later()
