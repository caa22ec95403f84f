#!/usr/bin/env python3
"""Issue 17 benchmarks: one etcd and two `authgate serve --acl-store` nodes on loopback.

1. Propagation: ACL SETUSER u<i> on node A, then ACL GETUSER u<i> on node B polled until the
   user is there; the time from sending the SETUSER to B answering with the user, over N changes
   (p50, p99, max).
2. SETUSER throughput in store mode (one client, sequential: each reply waits for etcd's
   transaction and for the node's own watch), against a node without a store.
3. The permission check's hot path with a store attached and without: server CPU time
   (user+sys from /proc/PID/stat) per 100,000 pipelined GETs by a restricted user, the two
   servers measured alternately.

Usage: AUTHGATE_BIN=... python scripts/bench_fleet.py [--changes 1000]
"""
import argparse
import os
import statistics
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "fleet"))

import redis  # noqa: E402
from conftest import Etcd, Node, wait_for, free_port  # noqa: E402

import subprocess  # noqa: E402
from servers import find_authgate_bin  # noqa: E402


def cpu_seconds(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--changes", type=int, default=1000)
    ap.add_argument("--gets", type=int, default=100_000)
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    d = tempfile.mkdtemp(prefix="authgate-bench-fleet-")
    etcd = Etcd(d)
    url = f"etcd://127.0.0.1:{etcd.port}/bench"
    a, b = Node("a", d, url).start(), Node("b", d, url).start()
    plain_port = free_port()
    plain = subprocess.Popen([find_authgate_bin(), "serve", "--port", str(plain_port), "--logfile", os.path.join(d, "plain.log")])
    wait_for("plain node", lambda: _ping(plain_port))
    try:
        ca, cb = a.client(), b.client()
        latencies = []
        for i in range(args.changes):
            start = time.perf_counter()
            ca.execute_command("ACL", "SETUSER", f"p{i}", "on", ">pw", "~k:*", "+get")
            while cb.execute_command("ACL", "GETUSER", f"p{i}") is None:
                pass
            latencies.append((time.perf_counter() - start) * 1000)
        print(f"propagation A->B over {args.changes} changes: p50 {percentile(latencies, 50):.2f} ms, "
              f"p99 {percentile(latencies, 99):.2f} ms, max {max(latencies):.2f} ms")

        cp = redis.Redis(port=plain_port)
        for label, client in (("store", ca), ("no store", cp)):
            n = 300
            start = time.perf_counter()
            for i in range(n):
                client.execute_command("ACL", "SETUSER", "tp", f"~t{i % 50}")
            elapsed = time.perf_counter() - start
            print(f"SETUSER throughput ({label}): {n / elapsed:.0f}/s ({elapsed / n * 1000:.2f} ms each)")

        for client in (ca, cp):
            client.execute_command("ACL", "SETUSER", "reader", "on", ">pw", "~k:*", "+get")
        ratios = []
        for r in range(args.rounds):
            cost = {}
            for label, port, pid in (("store", a.port, a.proc.pid), ("no store", plain_port, plain.pid)):
                c = redis.Redis(port=port, username="reader", password="pw")
                pipe = c.pipeline(transaction=False)
                before = cpu_seconds(pid)
                for i in range(args.gets):
                    pipe.get(f"k:{i % 100}")
                    if i % 1000 == 999:
                        pipe.execute()
                pipe.execute()
                cost[label] = cpu_seconds(pid) - before
            ratios.append(cost["store"] / cost["no store"] if cost["no store"] else float("nan"))
            print(f"round {r}: server CPU per {args.gets} GETs: store {cost['store']:.2f} s, "
                  f"no store {cost['no store']:.2f} s, ratio {ratios[-1]:.2f}")
        print(f"hot path ratio store/no store: median {statistics.median(ratios):.2f} over {args.rounds} rounds")
        print(f"load average: {open('/proc/loadavg').read().split()[:3]}")
    finally:
        a.stop()
        b.stop()
        plain.terminate()
        plain.wait()
        etcd.stop()


def _ping(port):
    try:
        return redis.Redis(port=port).ping()
    except redis.ConnectionError:
        return False


if __name__ == "__main__":
    main()
