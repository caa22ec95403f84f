#!/usr/bin/env python3
"""redis-benchmark directly against redis-server, through `authgate serve --upstream`, and through
twemproxy (Debian's `nutcracker`, one shared pool), alternately, in one run.

The upstream is one redis-server 7.0.15 started with only `requirepass`. Direct runs AUTH with that
password; runs through authgate log in as an ACL user of authgate with 5 key patterns (the
benchmark key `key:__rand_int__` matches only the last, so every keyed command walks all five);
twemproxy has the upstream password in its pool (`redis_auth`) and its clients AUTH with it, the
one shared password it offers. For every run the script reads the CPU time of each process on the
request path (/proc/PID/stat): the proxy's own CPU per request, and the total (proxy + redis) per
request, which is steady on a busy machine where throughput is not. Medians over the rounds.

Usage: scripts/bench_proxy.py --authgate-bin target/<triple>/release/authgate [--rounds 3]
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from bench_vs_redis import cpu_seconds, free_port, loadavg, wait_port  # noqa: E402

UPSTREAM_PASSWORD = "upstreampw"
USER, USER_PASSWORD = "bench5", "benchpw"
USER_RULES = ["on", f">{USER_PASSWORD}", "~p0:*", "~p1:*", "~p2:*", "~p3:*", "~key:*", "&*", "+@all"]
TESTS = ("ping_mbulk", "set", "get")
PIPELINES = (1, 16)
TARGETS = ("redis", "authgate", "twemproxy")


def spawn(argv, workdir, name):
    log = open(os.path.join(workdir, name + ".log"), "wb")
    return subprocess.Popen(argv, cwd=workdir, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)


def start_all(authgate_bin, workdir, procs):
    """Starts the three servers into `procs` (so a failure still stops the ones started)."""
    up_port = free_port()
    procs["redis"] = (spawn(["redis-server", "--port", str(up_port), "--bind", "127.0.0.1", "--save", "",
                             "--appendonly", "no", "--requirepass", UPSTREAM_PASSWORD], workdir, "redis"), up_port)
    wait_port(up_port, procs["redis"][0])
    ag_port = free_port()
    user_line = " ".join([USER] + USER_RULES)
    procs["authgate"] = (spawn([authgate_bin, "serve", "--port", str(ag_port), "--loglevel", "warning",
                                "--upstream", f"redis://:{UPSTREAM_PASSWORD}@127.0.0.1:{up_port}",
                                "--user", user_line], workdir, "authgate"), ag_port)
    wait_port(ag_port, procs["authgate"][0])
    tw_port = free_port()
    conf = os.path.join(workdir, "nutcracker.yml")
    with open(conf, "w") as f:
        f.write(f"pool:\n  listen: 127.0.0.1:{tw_port}\n  redis: true\n  redis_auth: {UPSTREAM_PASSWORD}\n"
                f"  hash: fnv1a_64\n  distribution: ketama\n  preconnect: true\n"
                f"  servers:\n    - 127.0.0.1:{up_port}:1\n")
    procs["twemproxy"] = (spawn(["nutcracker", "-c", conf, "-o", os.path.join(workdir, "nc.log")], workdir,
                                "twemproxy"), tw_port)
    wait_port(tw_port, procs["twemproxy"][0])
    return procs


def bench(target, procs, test, pipeline, clients, requests):
    proc, port = procs[target]
    auth = ["--user", USER, "-a", USER_PASSWORD] if target == "authgate" else ["-a", UPSTREAM_PASSWORD]
    redis_proc = procs["redis"][0]
    before = (cpu_seconds(proc.pid), cpu_seconds(redis_proc.pid))
    out = subprocess.run(["redis-benchmark", "-h", "127.0.0.1", "-p", str(port), *auth, "-c", str(clients),
                          "-n", str(requests), "-P", str(pipeline), "-t", test, "--csv"],
                         check=True, capture_output=True, text=True).stdout
    own = cpu_seconds(proc.pid) - before[0]
    upstream = cpu_seconds(redis_proc.pid) - before[1]
    rows = [r.split(",") for r in out.splitlines() if r and not r.startswith('"test"')]
    if len(rows) != 1:
        raise RuntimeError(f"{target} -t {test}: expected one result, got {out!r}")
    rps = float(rows[0][1].strip('"'))
    total = own if target == "redis" else own + upstream
    return rps, own * 1e6 / requests, total * 1e6 / requests


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--authgate-bin", required=True)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--requests", type=int, default=100_000, help="requests per run at -P 1 (x4 at -P 16)")
    args = ap.parse_args()
    for tool in ("redis-server", "redis-benchmark", "nutcracker"):
        if not shutil.which(tool):
            sys.exit(f"{tool} not found (apt-get install redis-server redis-tools nutcracker)")
    workdir = tempfile.mkdtemp(prefix="authgate-bench-proxy-")
    procs = {}
    load = [loadavg()]
    results = {}
    try:
        procs.update(start_all(os.path.abspath(args.authgate_bin), workdir, procs))
        for rnd in range(args.rounds):
            for pipeline in PIPELINES:
                n = args.requests * (4 if pipeline > 1 else 1)
                for test in TESTS:
                    order = TARGETS if rnd % 2 == 0 else tuple(reversed(TARGETS))
                    for target in order:
                        r = bench(target, procs, test, pipeline, args.clients, n)
                        results.setdefault((pipeline, test, target), []).append(r)
            load.append(loadavg())
    finally:
        for proc, _ in procs.values():
            proc.terminate()
            proc.wait()
        shutil.rmtree(workdir, ignore_errors=True)
    print(f"redis-benchmark -c {args.clients} -n {args.requests} (x4 at -P 16), {args.rounds} rounds, "
          f"medians; authgate as a user with 5 key patterns; load average {load[0]} at the start, {load[-1]} at the end")
    print("| -P | test | redis rps | authgate rps | twemproxy rps | authgate/redis | authgate/twemproxy "
          "| CPU µs/req redis | authgate own (total) | twemproxy own (total) |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for pipeline in PIPELINES:
        for test in TESTS:
            med = {t: [statistics.median(x[i] for x in results[(pipeline, test, t)]) for i in range(3)]
                   for t in TARGETS}
            r, a, w = med["redis"], med["authgate"], med["twemproxy"]
            print(f"| {pipeline} | {test} | {r[0]:.0f} | {a[0]:.0f} | {w[0]:.0f} | {a[0] / r[0]:.2f} | "
                  f"{a[0] / w[0]:.2f} | {r[2]:.2f} | {a[1]:.2f} ({a[2]:.2f}) | {w[1]:.2f} ({w[2]:.2f}) |")


if __name__ == "__main__":
    main()
