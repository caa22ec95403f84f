#!/usr/bin/env python3
"""redis-server 7.0.15 and `authgate serve` side by side on what issue 15 changed and a client
can observe: CONFIG GET/SET client-output-buffer-limit and client-query-buffer-limit (replies
and errors, redis.conf lines), what an over-limit or killed client sees, the maxclients
refusal, HELLO's order of checks, and INFO's client fields. Every observation must be equal.

    AUTHGATE_BIN=target/.../authgate python3 tests/load/differential_limits.py
"""

import os
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from resp import Closed, Conn, Server, encode  # noqa: E402

CONF = (
    "client-output-buffer-limit normal 0 0 0\n"
    "client-output-buffer-limit pubsub 4mb 1mb 60 replica 256mb 64mb 60\n"
    "user u on >pw ~* &* +@all\n"
)

COBL_VALUES = [
    "normal 1mb 512kb 10", "normal 1KB 2K 3", "pubsub 1mb", "foo 1 2 3", "normal 1x 2 3",
    "normal 1 2 -3", "replica 1gb 2gb 3", "master 1 2 3", "NORMAL 1 2 3", "Pubsub 1g 1G 1",
    "normal mb 0 0", "normal 18446744073709551616 0 0", "normal 17179869184gb 0 0",
    "normal  1  2  3", "normal 1 2 3 pubsub", "normal +1 2 3", "normal 1 2 abc",
    "normal 1 2 99999999999999999999", "", "slave 0 0 0 pubsub 32mb 8mb 60 normal 0 0 0",
]
QBL_VALUES = ["1000", "1mb", "1048575", "abc", "-1", "2gb", "9223372036854775807", "9223372036854775808", "1gb"]

HELLO_CASES = [
    [["HELLO", "3", "SETNAME", "x", "AUTH", "u", "bad"], ["CLIENT", "GETNAME"]],
    [["HELLO", "2", "AUTH", "u", "pw", "SETNAME", "bad name"], ["ACL", "WHOAMI"], ["CLIENT", "GETNAME"]],
    [["HELLO", "2", "SETNAME", "bad name", "AUTH", "u", "bad"], ["ACL", "WHOAMI"]],
    [["HELLO", "2", "SETNAME", "a", "SETNAME", "b", "BOGUS"], ["CLIENT", "GETNAME"]],
    [["HELLO", "2", "AUTH", "u", "bad", "AUTH", "u", "pw"], ["ACL", "WHOAMI"]],
    [["HELLO", "4", "BOGUS"]], [["HELLO", "x", "BOGUS"]], [["HELLO", "3", "AUTH", "u"]],
    [["HELLO", "3", "SETNAME"]], [["HELLO", "3", "SETNAME", "bad name"], ["CLIENT", "GETNAME"]],
]


def norm(reply):
    """HELLO's map carries the client id and the version: keep the keys and protocol only."""
    if isinstance(reply, list) and len(reply) == 14 and reply[0] == b"server":
        return ["hello", reply[5]]
    return reply


def observe(srv):
    obs = []
    admin = Conn(srv.port)
    obs.append(("config get cobl", admin.cmd("CONFIG", "GET", "client-output-buffer-limit")))
    for v in COBL_VALUES:
        obs.append(("set cobl %r" % v, admin.cmd("CONFIG", "SET", "client-output-buffer-limit", v),
                    admin.cmd("CONFIG", "GET", "client-output-buffer-limit")))
    for v in QBL_VALUES:
        obs.append(("set qbl %r" % v, admin.cmd("CONFIG", "SET", "client-query-buffer-limit", v),
                    admin.cmd("CONFIG", "GET", "client-query-buffer-limit")))
    obs.append(("get *buffer-limit*", sorted(map(bytes, admin.cmd("CONFIG", "GET", "*buffer-limit*")))))
    for case in HELLO_CASES:
        c = Conn(srv.port)
        obs.append(("hello %r" % case, [norm(c.cmd(*cmd)) for cmd in case]))
        c.close()
    fields = [line.split(":")[0] for line in admin.cmd("INFO", "clients").decode().splitlines()]
    obs.append(("info clients fields", fields))

    # An over-limit normal client: closed with none of the reply.
    admin.cmd("SET", "big", "v" * (1 << 20))
    admin.cmd("CONFIG", "SET", "client-output-buffer-limit", "normal 100kb 0 0")
    c = Conn(srv.port)
    c.send("GET", "big")
    got = b""
    try:
        while True:
            d = c.sock.recv(1 << 16)
            if not d:
                break
            got += d
    except OSError:
        pass
    obs.append(("over the normal hard limit", got))
    admin.cmd("CONFIG", "SET", "client-output-buffer-limit", "normal 0 0 0")

    # A subscriber that never reads, flooded: dropped at the pubsub hard limit.
    admin.cmd("CONFIG", "SET", "client-output-buffer-limit", "pubsub 256kb 0 0")
    sub = Conn(srv.port, rcvbuf=4096)
    sub.send("SUBSCRIBE", "flood")
    deadline = time.time() + 10
    while admin.cmd("PUBSUB", "NUMSUB", "flood")[1] != 1 and time.time() < deadline:
        pass
    payload = "x" * 65536
    sent = 0
    while admin.cmd("PUBLISH", "flood", payload) == 1 and sent < 2000:
        sent += 1
    obs.append(("flooded subscriber dropped", sent < 2000, admin.cmd("PUBSUB", "NUMSUB", "flood"),
                sub.closed_within(10)))

    # A client killed while its replies are blocked: it is gone when CLIENT KILL replies.
    victim = Conn(srv.port, rcvbuf=4096)
    vid = victim.cmd("CLIENT", "ID")
    victim.sock.sendall(encode("GET", "big") * 16)
    deadline = time.time() + 10
    while b"cmd=get" not in [l for l in admin.cmd("CLIENT", "LIST").split(b"\n") if b"id=%d " % vid in l][0] \
            and time.time() < deadline:
        pass
    killed = admin.cmd("CLIENT", "KILL", "ID", str(vid))
    still = any(l.startswith(b"id=%d " % vid) for l in admin.cmd("CLIENT", "LIST").split(b"\n"))
    obs.append(("killed blocked client", killed, still, victim.closed_within(10)))

    # maxclients: the refusal text, then the slot comes back.
    admin.cmd("CONFIG", "SET", "maxclients", "1")
    extra = Conn(srv.port)
    try:
        refusal = extra.read()
    except (Closed, OSError) as e:
        refusal = repr(e)
    obs.append(("maxclients refusal", refusal, extra.closed_within(5)))
    admin.cmd("CONFIG", "SET", "maxclients", "10000")
    return obs


def main():
    redis = Server("redis", CONF)
    try:
        want = observe(redis)
    finally:
        redis.stop()
    ag = Server("authgate", CONF)
    try:
        got = observe(ag)
    finally:
        ag.stop()
    bad = 0
    for w, g in zip(want, got):
        if w != g:
            bad += 1
            print("DIFFERENT %s\n  redis:    %r\n  authgate: %r" % (w[0], w[1:], g[1:]))
    if len(want) != len(got):
        bad += 1
        print("different numbers of observations: %d vs %d" % (len(want), len(got)))
    print("differential_limits: %d observations, %d different" % (len(want), bad))
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
