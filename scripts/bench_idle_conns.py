#!/usr/bin/env python3
"""Memory of idle connections: redis-server 7.0.15 vs `authgate serve`, in one run.

For each server in turn: start it, read its resident set (VmRSS, /proc/PID/status), open
--conns connections, send one PING on each and read every +PONG (so the server has accepted
and served each of them), read the RSS again, leave the connections idle for --idle seconds
(redis-server shrinks an idle client's query buffer from its once-a-second client cron after
2 s of idleness, so a fair figure waits for it), read the RSS a last time, then close them.

The script raises its own RLIMIT_NOFILE to the hard limit; the servers inherit it, and both are
configured with maxclients above --conns.

Usage: scripts/bench_idle_conns.py --authgate-bin target/<triple>/release/authgate [--conns 10000]
"""
import argparse
import os
import resource
import selectors
import shutil
import socket
import subprocess
import sys
import tempfile
import time

# The same server start-up helpers as the throughput benchmark beside this script.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_vs_redis import free_port, wait_port  # noqa: E402

# File descriptors the servers keep besides their clients (listeners, epoll, logs, pipes),
# which Redis reserves as 32 below its limit.
FD_RESERVE = 64


def raise_nofile(needed):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < needed:
        sys.exit(f"RLIMIT_NOFILE hard limit {hard} < {needed} needed (ulimit -Hn)")
    if soft == resource.RLIM_INFINITY or soft < needed:
        resource.setrlimit(resource.RLIMIT_NOFILE, (needed if hard == resource.RLIM_INFINITY else hard, hard))


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def start(kind, binary, workdir, maxclients):
    port = free_port()
    conf = os.path.join(workdir, f"{kind}.conf")
    with open(conf, "w") as f:
        f.write(f"port {port}\nbind 127.0.0.1\nmaxclients {maxclients}\n")
        if kind == "redis":
            f.write("save \"\"\nappendonly no\n")
    cmd = ["redis-server", conf] if kind == "redis" else [binary, "serve", "--config", conf]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=workdir)
    wait_port(port, proc)
    return proc, port


def ping_all(socks, timeout=60):
    """Sends PING on every socket, then waits for every +PONG."""
    for s in socks:
        s.sendall(b"PING\r\n")
    sel = selectors.DefaultSelector()
    got = {}
    for s in socks:
        s.setblocking(False)
        sel.register(s, selectors.EVENT_READ)
        got[s] = b""
    deadline = time.time() + timeout
    waiting = len(socks)
    while waiting:
        if time.time() > deadline:
            raise RuntimeError(f"{waiting} connections got no reply")
        for key, _ in sel.select(1):
            s = key.fileobj
            data = s.recv(64)
            if not data:
                raise RuntimeError("server closed a connection")
            got[s] += data
            if got[s].endswith(b"\r\n"):
                if got[s] != b"+PONG\r\n":
                    raise RuntimeError(f"unexpected reply {got[s]!r}")
                sel.unregister(s)
                waiting -= 1
    sel.close()


def measure(kind, binary, workdir, conns, idle):
    proc, port = start(kind, binary, workdir, conns + 100)
    socks = []
    try:
        base = rss_kib(proc.pid)
        for _ in range(conns):
            socks.append(socket.create_connection(("127.0.0.1", port)))
        ping_all(socks)
        served = rss_kib(proc.pid)
        time.sleep(idle)
        rested = rss_kib(proc.pid)
        return base, served, rested
    finally:
        for s in socks:
            s.close()
        proc.terminate()
        proc.wait()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--authgate-bin", required=True)
    ap.add_argument("--conns", type=int, default=10000)
    ap.add_argument("--idle", type=float, default=5.0, help="seconds left idle before the last reading")
    args = ap.parse_args()
    if not shutil.which("redis-server"):
        sys.exit("redis-server not found (apt-get install redis-server)")
    # This process holds the client ends, each server its own; the servers inherit the limit.
    raise_nofile(args.conns + 100 + FD_RESERVE)
    workdir = tempfile.mkdtemp(prefix="authgate-idle-")
    results = {}
    try:
        for kind in ("redis", "authgate"):
            results[kind] = measure(kind, os.path.abspath(args.authgate_bin), workdir, args.conns, args.idle)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print(f"{args.conns} idle connections (one PING each), RSS in KiB (VmRSS); "
          f"'idle' is {args.idle:g} s later")
    print(f"{'server':<9} {'empty':>8} {'served':>8} {'idle':>8} {'per conn (served)':>18} {'per conn (idle)':>16}")
    for kind, (base, served, rested) in results.items():
        print(f"{kind:<9} {base:>8} {served:>8} {rested:>8} "
              f"{(served - base) * 1024 / args.conns:>16.0f} B {(rested - base) * 1024 / args.conns:>14.0f} B")
    r, a = results["redis"], results["authgate"]
    print(f"authgate / redis, per idle connection: {(a[2] - a[0]) / max(r[2] - r[0], 1):.2f}")


if __name__ == "__main__":
    main()
