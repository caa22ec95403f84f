#!/usr/bin/env python3
"""redis-benchmark against redis-server 7.0.15 and `authgate serve`, alternately, in one run.

Both servers get the same ACL user (5 key patterns, the benchmark keys match the last one) and
redis-benchmark authenticates as that user, so every command goes through the ACL check.
Prints requests/second per server and the authgate/redis ratio (median over rounds).

Usage: scripts/bench_vs_redis.py --authgate-bin target/<triple>/release/authgate [--rounds 3]
"""
import argparse
import csv
import io
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

USER_RULES = "on >benchpw ~a:* ~b:* ~c:* ~d:* ~key:* &* +@all"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, timeout=10):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"server on port {port} did not start")


def start(kind, binary, workdir):
    port = free_port()
    conf = os.path.join(workdir, f"{kind}.conf")
    with open(conf, "w") as f:
        f.write(f"port {port}\nbind 127.0.0.1\n")
        if kind == "redis":
            f.write("save \"\"\nappendonly no\n")
        f.write(f"user bench {USER_RULES}\n")
    if kind == "redis":
        cmd = ["redis-server", conf]
    else:
        cmd = [binary, "serve", "--config", conf]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=workdir)
    wait_port(port)
    return proc, port


def run_benchmark(port, pipeline, clients, requests):
    out = subprocess.run(
        ["redis-benchmark", "-h", "127.0.0.1", "-p", str(port), "--user", "bench", "-a", "benchpw",
         "-c", str(clients), "-n", str(requests), "-P", str(pipeline), "-t", "ping,set,get", "--csv"],
        check=True, capture_output=True, text=True).stdout
    result = {}
    for row in csv.reader(io.StringIO(out)):
        if row and row[0] != "test":
            result[row[0]] = float(row[1])
    return result


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--authgate-bin", required=True)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--requests", type=int, default=200000)
    args = ap.parse_args()
    if not shutil.which("redis-benchmark"):
        sys.exit("redis-benchmark not found (apt-get install redis-tools)")

    workdir = tempfile.mkdtemp(prefix="authgate-bench-")
    servers = {}
    try:
        for kind in ("redis", "authgate"):
            servers[kind] = start(kind, os.path.abspath(args.authgate_bin), workdir)
        samples = {}  # (pipeline, test, kind) -> [rps]
        for rnd in range(args.rounds):
            for pipeline in (1, 16):
                for kind in ("redis", "authgate"):
                    res = run_benchmark(servers[kind][1], pipeline, args.clients, args.requests)
                    for test, rps in res.items():
                        samples.setdefault((pipeline, test, kind), []).append(rps)
            print(f"round {rnd + 1}/{args.rounds} done", file=sys.stderr)
        print(f"redis-benchmark -c {args.clients} -n {args.requests} -t ping,set,get --user bench "
              f"({USER_RULES.split(' >')[0]} + 5 key patterns), median of {args.rounds} alternating rounds")
        print(f"{'pipeline':>8} {'test':<14} {'redis rps':>12} {'authgate rps':>13} {'ratio':>6}")
        for pipeline in (1, 16):
            tests = sorted({t for (p, t, _k) in samples if p == pipeline})
            for test in tests:
                r = statistics.median(samples[(pipeline, test, "redis")])
                a = statistics.median(samples[(pipeline, test, "authgate")])
                print(f"{pipeline:>8} {test:<14} {r:>12.0f} {a:>13.0f} {a / r:>6.2f}")
    finally:
        for proc, _port in servers.values():
            proc.terminate()
            proc.wait()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
