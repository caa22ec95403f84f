#!/usr/bin/env python3
"""redis-benchmark against redis-server 7.0.15 and `authgate serve`, alternately, in one run.

Both servers get the same two ACL users, one with 5 key patterns and one with 50; the benchmark
key (`key:__rand_int__`) matches the last pattern of each, so every keyed command walks the whole
pattern list. Each case is one redis-benchmark run of one test as one user, against each server
in turn (the order alternates by round). For every run the script reads the server process's
CPU time (utime + stime of all its threads, /proc/PID/stat) before and after, so besides
requests per second it reports the CPU seconds each server spent per million requests: on a
busy machine that figure is steady where throughput is not. Medians over the rounds.

Usage: scripts/bench_vs_redis.py --authgate-bin target/<triple>/release/authgate [--rounds 5]
"""
import argparse
import csv
import io
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

PASSWORD = "benchpw"
# The benchmark key is `key:__rand_int__`: it matches only the last pattern of each user.
USERS = {
    5: "bench5",
    50: "bench50",
}


def user_rules(patterns):
    """`patterns` key patterns, `~key:*` last; every command and channel allowed."""
    keys = [f"~p{i}:*" for i in range(patterns - 1)] + ["~key:*"]
    return f"on >{PASSWORD} {' '.join(keys)} &* +@all"


# (test as redis-benchmark's -t names it, key patterns of the user running it). PING has no
# key, so it runs once (as the 5-pattern user).
CASES = [
    ("ping_inline", 5),
    ("ping_mbulk", 5),
    ("set", 5),
    ("get", 5),
    ("set", 50),
    ("get", 50),
]
PIPELINES = (1, 16)
KINDS = ("redis", "authgate")
CLK_TCK = os.sysconf("SC_CLK_TCK")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, proc, timeout=10):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode} before listening")
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
        for patterns, name in USERS.items():
            f.write(f"user {name} {user_rules(patterns)}\n")
    if kind == "redis":
        cmd = ["redis-server", conf]
    else:
        cmd = [binary, "serve", "--config", conf]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=workdir)
    wait_port(port, proc)
    return proc, port


def cpu_seconds(pid):
    """User + system CPU seconds of every thread of `pid` so far (/proc/PID/stat)."""
    with open(f"/proc/{pid}/stat") as f:
        stat = f.read()
    # The command name (field 2) is parenthesised and may hold spaces: split after it.
    fields = stat[stat.rindex(")") + 2:].split()
    utime, stime = int(fields[11]), int(fields[12])  # fields 14 and 15 of proc(5)
    return (utime + stime) / CLK_TCK


def run_benchmark(proc, port, test, user, pipeline, clients, requests):
    """One redis-benchmark run; returns (requests/second, server CPU seconds per 1M requests)."""
    before = cpu_seconds(proc.pid)
    out = subprocess.run(
        ["redis-benchmark", "-h", "127.0.0.1", "-p", str(port), "--user", user, "-a", PASSWORD,
         "-c", str(clients), "-n", str(requests), "-P", str(pipeline), "-t", test, "--csv"],
        check=True, capture_output=True, text=True).stdout
    cpu = cpu_seconds(proc.pid) - before
    rows = [row for row in csv.reader(io.StringIO(out)) if row and row[0] != "test"]
    if len(rows) != 1:
        raise RuntimeError(f"redis-benchmark -t {test}: expected one result, got {out!r}")
    return float(rows[0][1]), cpu * 1e6 / requests


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--authgate-bin", required=True)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--requests", type=int, default=200000, help="requests per run at -P 1")
    ap.add_argument("--requests-pipelined", type=int, default=1000000,
                    help="requests per run at -P 16 (more, so each run lasts long enough to time)")
    ap.add_argument("--json", help="also write every sample to this file")
    args = ap.parse_args()
    if not shutil.which("redis-benchmark"):
        sys.exit("redis-benchmark not found (apt-get install redis-tools)")

    workdir = tempfile.mkdtemp(prefix="authgate-bench-")
    servers = {}
    load_start = loadavg()
    try:
        for kind in KINDS:
            servers[kind] = start(kind, os.path.abspath(args.authgate_bin), workdir)
        samples = {}  # (pipeline, test, patterns, kind) -> [(rps, cpu per 1M)]
        for rnd in range(args.rounds):
            # Alternate which server goes first, so neither always runs on a warmer machine.
            order = KINDS if rnd % 2 == 0 else tuple(reversed(KINDS))
            for pipeline in PIPELINES:
                requests = args.requests if pipeline == 1 else args.requests_pipelined
                for test, patterns in CASES:
                    for kind in order:
                        proc, port = servers[kind]
                        sample = run_benchmark(proc, port, test, USERS[patterns], pipeline,
                                               args.clients, requests)
                        samples.setdefault((pipeline, test, patterns, kind), []).append(sample)
            print(f"round {rnd + 1}/{args.rounds} done (load average {loadavg()})", file=sys.stderr)
        load_end = loadavg()
    finally:
        for proc, _port in servers.values():
            proc.terminate()
            proc.wait()
        shutil.rmtree(workdir, ignore_errors=True)

    print(f"redis-benchmark -c {args.clients} -n {args.requests} (-P 1) / "
          f"{args.requests_pipelined} (-P 16) -t <test> --user bench<N>, median of {args.rounds} "
          f"alternating rounds; load average {load_start} at start, {load_end} at end")
    print("CPU = the server's user+sys seconds per 1,000,000 requests (/proc/PID/stat)")
    header = (f"{'P':>2} {'test':<12} {'keys':>4} {'redis rps':>10} {'authgate rps':>12} {'ratio':>6}"
              f" {'redis CPU':>9} {'authgate CPU':>12} {'CPU ratio':>9}")
    print(header)
    for pipeline in PIPELINES:
        for test, patterns in CASES:
            r = samples[(pipeline, test, patterns, "redis")]
            a = samples[(pipeline, test, patterns, "authgate")]
            r_rps, a_rps = (statistics.median(s[0] for s in x) for x in (r, a))
            r_cpu, a_cpu = (statistics.median(s[1] for s in x) for x in (r, a))
            keys = "-" if test.startswith("ping") else str(patterns)
            print(f"{pipeline:>2} {test.upper():<12} {keys:>4} {r_rps:>10.0f} {a_rps:>12.0f}"
                  f" {a_rps / r_rps:>6.2f} {r_cpu:>9.3f} {a_cpu:>12.3f} {a_cpu / r_cpu:>9.2f}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"load_start": load_start, "load_end": load_end, "args": vars(args),
                       "samples": [{"pipeline": p, "test": t, "patterns": n, "server": k,
                                    "rps": [s[0] for s in v], "cpu_per_million": [s[1] for s in v]}
                                   for (p, t, n, k), v in samples.items()]}, f, indent=1)


if __name__ == "__main__":
    main()
