"""One Acl shared by many threads: checks stay consistent while another thread changes users."""

from __future__ import annotations

import sys
import threading
from pathlib import Path
from typing import List

import authgate


def test_many_checkers_one_writer() -> None:
    acl = authgate.Acl()
    acl.setuser("stable", "on", ">pw", "~app:*", "+get")
    acl.setuser("flip", "on", "nopass", "~*", "+get")
    stop = threading.Event()
    errors: List[BaseException] = []
    counts = [0] * 8
    start = threading.Barrier(9)

    def checker(i: int) -> None:
        try:
            start.wait()
            while counts[i] == 0 or not stop.is_set():
                acl.check("stable", "GET", "app:1")
                assert acl.authenticate("stable", "pw")
                try:
                    acl.check("stable", "SET", "app:1", "v")
                    raise AssertionError("SET must be denied")
                except authgate.PermissionDenied:
                    pass
                # "flip" is either allowed GET, denied GET, or deleted: never anything else
                try:
                    acl.check("flip", "GET", "k")
                except authgate.PermissionDenied as e:
                    assert e.reason == "command"
                except authgate.AclError as e:
                    assert str(e) == "ERR User 'flip' not found"
                counts[i] += 1
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    def writer() -> None:
        try:
            start.wait()
            for n in range(2000):
                acl.setuser("flip", "-get" if n % 2 else "+get")
                acl.setuser(f"tmp{n}", "on", "nopass", "+@all")
                if n % 3 == 0:
                    acl.deluser("flip")
                    acl.setuser("flip", "on", "nopass", "~*", "+get")
                acl.deluser(f"tmp{n}")
        except BaseException as e:  # pragma: no cover
            errors.append(e)

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)  # switch threads often, so checks interleave with the writes
    try:
        threads = [threading.Thread(target=checker, args=(i,)) for i in range(8)]
        for t in threads:
            t.start()
        w = threading.Thread(target=writer)
        w.start()
        w.join()
        stop.set()
        for t in threads:
            t.join()
    finally:
        sys.setswitchinterval(interval)
    assert errors == []
    assert all(c > 0 for c in counts), counts
    assert acl.users() == ["default", "flip", "stable"]


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
