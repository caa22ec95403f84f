#!/usr/bin/env python3
"""Issue 11's NATS benchmarks, authgate against nats-server 2.9.10 in the same run.

(a) config check: a generated config with N users (plain passwords, then bcrypt hashes),
    `authgate nats check FILE` against `nats-server -t -c FILE`, whole process, run
    alternately; wall-clock and CPU (user+sys of the child) medians.
(b) login verdict: one plain and one bcrypt user (cost 11, nats' default, and 4), accepted
    and refused. authgate: `NatsAuth::authenticate` in process (the bench binary's login
    mode). nats-server: the time from sending CONNECT (verbose, then PING) on a fresh raw
    socket to its `+OK` or `-ERR`, the INFO already read; a new connection per login.
(c) the 50-rule permission check: callgrind instructions per check for each case of
    core/benches/nats.rs (steady under load), then the criterion wall-clock figures.

Usage: scripts/bench_nats.py --authgate-bin target/<triple>/release/authgate
       --bench-bin <criterion nats bench executable> [--users 10000] [--rounds 7]
`make bench-nats` builds both and passes them.
"""
import argparse
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time

# bcrypt of "pw" (cost 11, nats' default, and cost 4), made once by `authgate nats passwd`.
HASH_CACHE = {}


def bcrypt_hash(authgate, password, cost):
    key = (password, cost)
    if key not in HASH_CACHE:
        out = subprocess.run([authgate, "nats", "passwd", "--cost", str(cost)], input=password.encode(),
                             capture_output=True, check=True)
        HASH_CACHE[key] = out.stdout.decode().strip()
    return HASH_CACHE[key]


def users_config(n, password):
    lines = ["authorization {", "  users = ["]
    for i in range(n):
        lines.append(f'    {{user: "user{i}", password: "{password}", '
                     f'permissions: {{publish: ["svc{i % 50}.>", "_INBOX.>"], subscribe: {{deny: "secret.{i}"}}}}}}')
    lines += ["  ]", "}", ""]
    return "\n".join(lines)


def run_timed(cmd):
    """Wall seconds and child CPU seconds (user+sys, from wait4) of one process."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise RuntimeError(f"{cmd} exited {code}")
    return wall, usage.ru_utime + usage.ru_stime


def bench_check(authgate, users, rounds, workdir):
    print(f"## (a) config check, {users} users, {rounds} alternating rounds (medians)")
    print(f"{'config':<8} {'tool':<22} {'wall ms':>9} {'cpu ms':>9}")
    for kind in ("plain", "bcrypt"):
        password = "secret-password" if kind == "plain" else bcrypt_hash(authgate, "pw", 11)
        path = os.path.join(workdir, f"{kind}-{users}.conf")
        with open(path, "w") as f:
            f.write(users_config(users, password))
        tools = {"authgate nats check": [authgate, "nats", "check", path],
                 "nats-server -t": ["nats-server", "-t", "-c", path]}
        results = {t: ([], []) for t in tools}
        for _ in range(rounds):
            for tool, cmd in tools.items():
                wall, cpu = run_timed(cmd)
                results[tool][0].append(wall)
                results[tool][1].append(cpu)
        for tool, (walls, cpus) in results.items():
            print(f"{kind:<8} {tool:<22} {statistics.median(walls) * 1e3:9.1f} {statistics.median(cpus) * 1e3:9.1f}")
        a, b = (statistics.median(results[t][0]) for t in tools)
        print(f"{kind:<8} nats-server/authgate wall ratio: {b / a:.2f}   ({os.path.getsize(path)} bytes)")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def read_line(sock, buf):
    while b"\r\n" not in buf:
        chunk = sock.recv(65536)
        if not chunk:
            raise RuntimeError("connection closed")
        buf += chunk
    line, _, rest = buf.partition(b"\r\n")
    return line, rest


def nats_login_time(port, user, password):
    """Seconds from sending CONNECT to nats-server's +OK/-ERR, and whether it was +OK."""
    with socket.create_connection(("127.0.0.1", port)) as s:
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        info, rest = read_line(s, b"")
        assert info.startswith(b"INFO "), info
        connect = json.dumps({"verbose": True, "pedantic": False, "user": user, "pass": password,
                              "lang": "bench", "version": "0", "protocol": 1})
        start = time.perf_counter()
        s.sendall(f"CONNECT {connect}\r\nPING\r\n".encode())
        line, rest = read_line(s, rest)
        elapsed = time.perf_counter() - start
        return elapsed, line == b"+OK"


def start_nats(conf, workdir):
    port = free_port()
    path = os.path.join(workdir, f"server-{port}.conf")
    with open(path, "w") as f:
        f.write(f"listen: 127.0.0.1:{port}\n{conf}")
    proc = subprocess.Popen(["nats-server", "-c", path], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 10
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc, port, path
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError("nats-server did not start")


def authgate_login(bench_bin, path, user, password, n):
    out = subprocess.run([bench_bin], env=dict(os.environ, AUTHGATE_NATS_LOGIN=f"{path}:{user}:{password}:{n}"),
                         capture_output=True, text=True, check=True).stdout
    m = re.search(r"median_ns=(\d+) mean_ns=(\d+) accepted=(\d+)", out)
    return int(m.group(1)) / 1e9, int(m.group(3))


def bench_login(authgate, bench_bin, workdir):
    print("## (b) login verdict (median per login; nats-server: CONNECT sent -> +OK/-ERR on loopback)")
    print(f"{'user':<14} {'verdict':<8} {'n':>5} {'authgate us':>12} {'nats-server us':>15} {'ratio':>7}")
    cases = [("plain", "secret-password", None, 2000), ("bcrypt cost 4", "pw", 4, 200), ("bcrypt cost 11", "pw", 11, 15)]
    for name, password, cost, n in cases:
        stored = password if cost is None else bcrypt_hash(authgate, password, cost)
        conf = f'authorization {{ users = [ {{user: bench, password: "{stored}"}} ] }}\n'
        proc, port, path = start_nats(conf, workdir)
        try:
            for verdict, given in (("accept", password), ("refuse", password + "x")):
                ours, theirs = [], []
                for _ in range(3):  # alternate in slices so both see the same load
                    t, accepted = authgate_login(bench_bin, path, "bench", given, max(1, n // 3))
                    assert accepted == (max(1, n // 3) if verdict == "accept" else 0), (name, verdict)
                    ours.append(t)
                    for _ in range(max(1, n // 3)):
                        t, ok = nats_login_time(port, "bench", given)
                        assert ok == (verdict == "accept"), (name, verdict)
                        theirs.append(t)
                a, b = statistics.median(ours), statistics.median(theirs)
                print(f"{name:<14} {verdict:<8} {n:>5} {a * 1e6:12.2f} {b * 1e6:15.2f} {b / a:7.1f}")
        finally:
            proc.kill()
            proc.wait()


def callgrind_instructions(bench_bin, case, n):
    def total(count):
        r = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", bench_bin],
                           env=dict(os.environ, AUTHGATE_NATS_COUNT=f"{case}:{count}"), capture_output=True, text=True)
        m = re.search(r"Collected : (\d+)", r.stderr) or re.search(r"refs:\s+([\d,]+)", r.stderr)
        return int(m.group(1).replace(",", ""))
    return (total(n) - total(0)) / n


def bench_permissions(bench_bin, criterion):
    print("## (c) permission check, 50 rules: instructions per check (callgrind, N=100000 minus N=0)")
    cases = ["publish_allowed", "publish_denied", "publish_unmatched", "subscribe_allowed", "subscribe_denied",
             "receive_denied", "publish_walk", "subscribe_walk"]
    for case in cases:
        print(f"{case:<20} {callgrind_instructions(bench_bin, case, 100000):8.0f}")
    if criterion:
        print("## (c) criterion (wall clock)")
        out = subprocess.run([bench_bin, "--bench", "nats_50_rules", "--warm-up-time", "1", "--measurement-time", "3",
                              "--noplot"], capture_output=True, text=True, check=True).stdout
        for m in re.finditer(r"(nats_50_rules_\w+)\s+time:\s+\[([^\]]+)\]", out):
            print(f"{m.group(1):<34} {m.group(2)}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--authgate-bin", required=True)
    ap.add_argument("--bench-bin", required=True)
    ap.add_argument("--users", type=int, default=10000)
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--skip", default="", help="comma-separated parts to skip: check,login,permissions,criterion")
    args = ap.parse_args()
    skip = set(filter(None, args.skip.split(",")))
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    with tempfile.TemporaryDirectory(prefix="authgate-bench-nats-") as workdir:
        if "check" not in skip:
            bench_check(args.authgate_bin, args.users, args.rounds, workdir)
        if "login" not in skip:
            bench_login(args.authgate_bin, args.bench_bin, workdir)
        if "permissions" not in skip:
            bench_permissions(args.bench_bin, "criterion" not in skip)
    print(f"load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
