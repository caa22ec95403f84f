#!/usr/bin/env python3
"""Fault tests of the aclfile writer through `authgate serve` (make test-faults).

1. kill -9 during ACL SAVE, in a loop: after every kill the aclfile is exactly the content of
   the previous save or of the interrupted one, and the restarted server loads it.
2. ACL LOAD while another server rewrites the same aclfile: every load succeeds with one of
   the versions written (a rename is atomic: no torn or mixed file is ever seen).
3. ENOTDIR for real (the aclfile's directory replaced by a plain file): ACL SAVE and ACL LOAD
   fail with redis-server 7.0.15's replies (asked of a live redis-server), pipelined replies
   stay in order, and the old file is intact.

Usage: run_faults.py AUTHGATE_BIN [KILL_ROUNDS]
"""

import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

KILL_ROUNDS = 200
# Key patterns of the user each round rewrites (a file of ~100 KB, so kills land mid-write):
# few and long, so the file is large while each round's SETUSER has few rules to apply (its
# cost is linear in the rules since the pattern lists are indexed; it is the per-rule work,
# not the bytes, that would slow the 200 rounds).
PATTERNS_PER_ROUND = 300
PATTERN_FILL = b"x" * 300


def encode(*args):
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        a = a if isinstance(a, bytes) else str(a).encode()
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


class Conn:
    """A minimal RESP2 client (replies as Python values; errors as ('ERR', text))."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        self.buf = b""

    def send(self, *args):
        self.sock.sendall(encode(*args))

    def _line(self):
        while b"\r\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("server closed the connection")
            self.buf += chunk
        line, _, self.buf = self.buf.partition(b"\r\n")
        return line

    def _exact(self, n):
        while len(self.buf) < n + 2:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("server closed the connection")
            self.buf += chunk
        data, self.buf = self.buf[:n], self.buf[n + 2:]
        return data

    def reply(self):
        line = self._line()
        kind, rest = line[:1], line[1:]
        if kind == b"+":
            return rest.decode()
        if kind == b"-":
            return ("ERR", rest.decode())
        if kind == b":":
            return int(rest)
        if kind == b"$":
            n = int(rest)
            return None if n < 0 else self._exact(n)
        if kind == b"*":
            n = int(rest)
            return None if n < 0 else [self.reply() for _ in range(n)]
        raise ValueError(f"bad reply line {line!r}")

    def call(self, *args):
        self.send(*args)
        return self.reply()

    def close(self):
        self.sock.close()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Authgate:
    """`authgate serve` with an aclfile on a free port (`--port 0` means no TCP listener, as in
    Redis): a port the OS just handed out, tried again if another process took it meanwhile."""

    def __init__(self, binary, workdir, aclfile):
        self.binary, self.workdir, self.aclfile = binary, workdir, aclfile
        self.proc = None
        self.port = None

    def start(self):
        for _attempt in range(5):
            if self._try_start():
                return self
        raise RuntimeError("authgate serve did not start")

    def _try_start(self):
        self.port = free_port()
        log_path = os.path.join(self.workdir, "serve-%d.log" % self.port)
        log = open(log_path, "wb")
        self.proc = subprocess.Popen(
            [self.binary, "serve", "--port", str(self.port), "--bind", "127.0.0.1", "--aclfile", self.aclfile],
            cwd=self.workdir, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        log.close()
        deadline = time.monotonic() + 30
        try:
            while time.monotonic() < deadline:
                with open(log_path, "rb") as f:
                    text = f.read()
                if b"Running mode" in text:
                    return True
                if self.proc.poll() is not None:
                    if b"Address already in use" in text:
                        return False
                    raise RuntimeError("authgate serve exited:\n" + text.decode(errors="replace"))
                time.sleep(0.005)  # polling the log for the start line, not a synchronisation stand-in
            raise RuntimeError("authgate serve did not start:\n" + text.decode(errors="replace"))
        finally:
            os.unlink(log_path)

    def kill9(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait()


def acl_list_file(conn):
    """What ACL SAVE writes for the server's current users: its ACL LIST lines."""
    return b"".join(line + b"\n" for line in conn.call("ACL", "LIST"))


def check(cond, message):
    if not cond:
        raise AssertionError(message)


def kill_during_save(binary, rounds):
    work = tempfile.mkdtemp(prefix="authgate-faults-kill-")
    aclfile = os.path.join(work, "users.acl")
    with open(aclfile, "wb") as f:
        f.write(b"user default on nopass ~* &* +@all\n")
    rng = random.Random(int(os.environ.get("FAULTS_SEED", "15")))
    outcomes = {"old": 0, "new": 0}
    save_time = None
    server = Authgate(binary, work, aclfile)
    for i in range(rounds):
        server.start()
        c = Conn(server.port)
        with open(aclfile, "rb") as f:
            old = f.read()
        check(acl_list_file(c) == old, f"round {i}: the server did not load the aclfile it found")
        patterns = [b"~r%d:%d:%s" % (i, k, PATTERN_FILL) for k in range(PATTERNS_PER_ROUND)]
        check(c.call("ACL", "SETUSER", "big%d" % (i % 3), "reset", "on", "nopass", "+get", *patterns) == "OK",
              "SETUSER failed")
        new = acl_list_file(c)
        if save_time is None:
            # How long a whole save takes here (request to reply), so the kills can be spread
            # over it; this save is the round's "new" content.
            t0 = time.perf_counter()
            check(c.call("ACL", "SAVE") == "OK", "ACL SAVE failed")
            save_time = time.perf_counter() - t0
            with open(aclfile, "rb") as f:
                old = f.read()
            check(old == new, "a completed ACL SAVE did not write the users' ACL LIST lines")
            check(c.call("ACL", "SETUSER", "big%d" % (i % 3), "~one-more") == "OK", "SETUSER failed")
            new = acl_list_file(c)
        c.send("ACL", "SAVE")
        # The kill point: uniform over the save's duration (from the request's send to
        # about its reply), or, one round in ten, once the reply arrived.
        if rng.random() < 0.1:
            check(c.reply() == "OK", "ACL SAVE failed")
        else:
            end = time.perf_counter() + rng.random() * save_time * 1.2
            while time.perf_counter() < end:
                pass
        server.kill9()
        c.close()
        with open(aclfile, "rb") as f:
            now = f.read()
        if now == old:
            outcomes["old"] += 1
        elif now == new:
            outcomes["new"] += 1
        else:
            raise AssertionError(f"round {i}: the aclfile is neither the old nor the new content "
                                 f"({len(now)} bytes; old {len(old)}, new {len(new)})")
        check(oct(os.stat(aclfile).st_mode & 0o777) in ("0o600", "0o644"), "aclfile mode changed")
    # Leftover temporaries of killed saves are hidden files next to the aclfile, nothing else.
    for name in os.listdir(work):
        check(name == "users.acl" or name.startswith(".users.acl.tmp."), f"unexpected file {name}")
    shutil.rmtree(work)
    check(outcomes["old"] > 0 and outcomes["new"] > 0, f"kills did not cover both outcomes: {outcomes}")
    print(f"kill -9 during ACL SAVE: {rounds} rounds (a save takes {save_time * 1000:.1f} ms), aclfile old {outcomes['old']}x, new {outcomes['new']}x, never torn")


def load_while_rewritten(binary, saves=150):
    work = tempfile.mkdtemp(prefix="authgate-faults-load-")
    aclfile = os.path.join(work, "users.acl")
    with open(aclfile, "wb") as f:
        f.write(b"user default on nopass ~* &* +@all\n")
    writer = Authgate(binary, work, aclfile).start()
    reader = Authgate(binary, work, aclfile).start()
    w, r = Conn(writer.port), Conn(reader.port)
    versions = {acl_list_file(w)}
    done = threading.Event()
    loads = {"ok": 0}
    failure = []

    def read_loop():
        try:
            while not done.is_set():
                reply = r.call("ACL", "LOAD")
                check(reply == "OK", f"ACL LOAD of a file being rewritten failed: {reply}")
                loads["ok"] += 1
                seen = acl_list_file(r)
                # `versions` gets each version before its save starts.
                check(seen in versions, "ACL LOAD saw a version that was never saved")
        except Exception as e:  # reported by the main thread
            failure.append(e)

    t = threading.Thread(target=read_loop)
    t.start()
    for i in range(saves):
        patterns = [b"~v%d:%d" % (i, k) for k in range(500 + i)]
        check(w.call("ACL", "SETUSER", "u%d" % (i % 5), "reset", "on", "nopass", "+get", *patterns) == "OK", "SETUSER")
        versions.add(acl_list_file(w))
        check(w.call("ACL", "SAVE") == "OK", "ACL SAVE failed")
        if failure:
            break
    done.set()
    t.join()
    writer.stop()
    reader.stop()
    shutil.rmtree(work)
    if failure:
        raise failure[0]
    check(loads["ok"] > 0, "no ACL LOAD ran")
    print(f"ACL LOAD during rewrites: {saves} saves, {loads['ok']} loads, each a saved version")


def redis_replies(aclfile_dir):
    """redis-server 7.0.15's replies to ACL SAVE / ACL LOAD when the aclfile's directory has been
    replaced by a plain file."""
    os.makedirs(aclfile_dir)
    aclfile = os.path.join(aclfile_dir, "users.acl")
    with open(aclfile, "wb") as f:
        f.write(b"user default on nopass ~* &* +@all\n")
    sock_path = os.path.join(os.path.dirname(aclfile_dir), "redis.sock")
    proc = subprocess.Popen(["redis-server", "--port", "0", "--unixsocket", sock_path, "--save", "",
                             "--appendonly", "no", "--aclfile", aclfile, "--dir", os.path.dirname(aclfile_dir)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 15
        while True:
            check(time.monotonic() < deadline and proc.poll() is None, "redis-server did not start")
            s = socket.socket(socket.AF_UNIX)
            try:
                s.connect(sock_path)
                break
            except OSError:  # not yet bound, or bound and not yet listening
                s.close()
                time.sleep(0.005)  # polling for the listener
        c = Conn.__new__(Conn)
        c.sock, c.buf = s, b""
        c.call("PING")
        os.rename(aclfile_dir, aclfile_dir + ".moved")
        with open(aclfile_dir, "wb") as f:
            f.write(b"x")
        replies = (c.call("ACL", "SAVE"), c.call("ACL", "LOAD"))
        c.close()
        return replies
    finally:
        proc.terminate()
        proc.wait()


def enotdir(binary):
    work = tempfile.mkdtemp(prefix="authgate-faults-enotdir-")
    redis_save, redis_load = redis_replies(os.path.join(work, "redis", "d"))
    check(isinstance(redis_save, tuple) and isinstance(redis_load, tuple),
          f"redis-server did not fail: {redis_save} {redis_load}")
    # Redis names the file as configured: map its path onto ours.
    ours = lambda reply: (reply[0], reply[1].replace(os.path.join(work, "redis"), os.path.join(work, "authgate")))
    expected = (ours(redis_save), ours(redis_load))
    d = os.path.join(work, "authgate", "d")
    os.makedirs(d)
    aclfile = os.path.join(d, "users.acl")
    old = b"user default on nopass ~* &* +@all\n"
    with open(aclfile, "wb") as f:
        f.write(old)
    server = Authgate(binary, work, aclfile).start()
    c = Conn(server.port)
    check(c.call("ACL", "SETUSER", "alice", "on", ">pw", "+get") == "OK", "SETUSER")
    os.rename(d, d + ".moved")
    with open(d, "wb") as f:
        f.write(b"x")
    # One write: the replies must come back in command order around the off-loop file I/O.
    c.sock.sendall(encode("PING", "a") + encode("ACL", "SAVE") + encode("PING", "b") + encode("ACL", "LOAD") + encode("PING", "c"))
    replies = [c.reply() for _ in range(5)]
    check(replies == [b"a", expected[0], b"b", expected[1], b"c"],
          f"replies {replies} (redis-server: {expected})")
    with open(d, "rb") as f:
        check(f.read() == b"x", "the plain file was changed")
    with open(os.path.join(d + ".moved", "users.acl"), "rb") as f:
        check(f.read() == old, "the old aclfile was changed")
    server.stop()
    shutil.rmtree(work)
    print(f"ENOTDIR: ACL SAVE -> {expected[0][1]!r}, ACL LOAD -> {expected[1][1]!r} (as redis-server), replies in order, old file kept")


def main():
    binary = os.path.abspath(sys.argv[1])
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else KILL_ROUNDS
    started = time.monotonic()
    enotdir(binary)
    load_while_rewritten(binary)
    kill_during_save(binary, rounds)
    print(f"fault tests passed in {time.monotonic() - started:.1f} s")


if __name__ == "__main__":
    main()
