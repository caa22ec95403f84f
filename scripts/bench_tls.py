#!/usr/bin/env python3
"""TLS against redis-server 7.0.15 and `authgate serve`, alternately, in one run (issue 13 item 9).

Both servers are TLS-only (`port 0`), with the same certificates (EC P-256, made with openssl
for the run) and `tls-auth-clients yes`. authgate also logs every client in by certificate
(`tls-auth-clients-user CN`, the client certificate's CN names an ACL user), which Redis 7.0.15
cannot do: its clients stay `default`, so authgate does the mapping work on top.

Two measures, each as the server's CPU seconds (utime + stime, /proc/PID/stat: steady on a busy
machine) and as a rate; medians over alternating rounds:
- handshakes: sequential full TLS 1.3 handshakes with a client certificate, each followed by
  ACL WHOAMI (so the login is done) and a close: server CPU ms per 1,000 handshakes;
- redis-benchmark --tls with the client certificate, SET and GET at -P 1 and -P 16: server
  CPU seconds per 1,000,000 requests.

Usage: scripts/bench_tls.py --authgate-bin target/<triple>/release/authgate [--rounds 3]
"""
import argparse
import csv
import io
import os
import shutil
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "cert"))
from pki import Pki  # noqa: E402

KINDS = ("redis", "authgate")
CLK_TCK = os.sysconf("SC_CLK_TCK")
TESTS = ("set", "get")
PIPELINES = (1, 16)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pid):
    """User + system CPU seconds of every thread of `pid` so far (/proc/PID/stat)."""
    with open(f"/proc/{pid}/stat") as f:
        stat = f.read()
    fields = stat[stat.rindex(")") + 2:].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


class Certs:
    def __init__(self, directory):
        p = Pki(directory)
        self.ca = p.root("ca", "/CN=bench CA")
        self.server = p.leaf("server", "/CN=localhost", "DNS:localhost,IP:127.0.0.1", self.ca, eku="serverAuth")
        self.client = p.leaf("client", "/O=bench/CN=bench", None, self.ca)

    @staticmethod
    def key(cert):
        return cert[: -len(".pem")] + ".key"


def start(kind, binary, certs, workdir):
    port = free_port()
    args = {"port": "0", "tls-port": str(port), "tls-cert-file": certs.server,
            "tls-key-file": certs.key(certs.server), "tls-ca-cert-file": certs.ca, "bind": "127.0.0.1"}
    if kind == "redis":
        cmd = ["redis-server", "--save", "", "--appendonly", "no"]
    else:
        cmd = [binary, "serve", "--user", "bench on resetpass ~* &* +@all", "--tls-auth-clients-user", "CN"]
    for k, v in args.items():
        cmd += ["--" + k, v]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=workdir)
    deadline = time.time() + 20
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"{kind} exited with {proc.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            if time.time() > deadline:
                raise RuntimeError(f"{kind} did not listen")
            time.sleep(0.05)
    return proc, port


def handshakes(proc, port, certs, count, expect_user):
    """`count` sequential handshakes + ACL WHOAMI; returns (per second, server CPU ms per 1000)."""
    ctx = ssl.create_default_context(cafile=certs.ca)
    ctx.load_cert_chain(certs.client, certs.key(certs.client))
    want = b"$%d\r\n%s\r\n" % (len(expect_user), expect_user)
    before, t0 = cpu_seconds(proc.pid), time.perf_counter()
    for _ in range(count):
        with ctx.wrap_socket(socket.create_connection(("127.0.0.1", port)), server_hostname="localhost") as s:
            s.sendall(b"ACL WHOAMI\r\n")
            got = s.recv(64)
            if got != want:
                raise RuntimeError(f"ACL WHOAMI after the handshake: {got!r}, expected {want!r}")
    elapsed, cpu = time.perf_counter() - t0, cpu_seconds(proc.pid) - before
    return count / elapsed, cpu * 1e6 / count  # ms per 1000 = s * 1e6 / count


def benchmark(proc, port, certs, test, pipeline, clients, requests):
    before = cpu_seconds(proc.pid)
    out = subprocess.run(
        ["redis-benchmark", "-h", "127.0.0.1", "-p", str(port), "--tls", "--cacert", certs.ca,
         "--cert", certs.client, "--key", certs.key(certs.client), "-c", str(clients), "-n", str(requests),
         "-P", str(pipeline), "-t", test, "--csv"], check=True, capture_output=True, text=True).stdout
    cpu = cpu_seconds(proc.pid) - before
    rows = [row for row in csv.reader(io.StringIO(out)) if row and row[0] != "test"]
    if len(rows) != 1:
        raise RuntimeError(f"redis-benchmark -t {test}: {out!r}")
    return float(rows[0][1]), cpu * 1e6 / requests


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--authgate-bin", required=True)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--handshakes", type=int, default=1000)
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--requests", type=int, default=100000, help="per run at -P 1")
    ap.add_argument("--requests-pipelined", type=int, default=500000, help="per run at -P 16")
    args = ap.parse_args()
    workdir = tempfile.mkdtemp(prefix="authgate-bench-tls-")
    servers, samples = {}, {}
    load_start = loadavg()
    try:
        certs = Certs(workdir)
        for kind in KINDS:
            servers[kind] = start(kind, os.path.abspath(args.authgate_bin), certs, workdir)
        for rnd in range(args.rounds):
            order = KINDS if rnd % 2 == 0 else tuple(reversed(KINDS))
            for kind in order:
                proc, port = servers[kind]
                user = b"bench" if kind == "authgate" else b"default"
                samples.setdefault(("handshake", kind), []).append(
                    handshakes(proc, port, certs, args.handshakes, user))
            for pipeline in PIPELINES:
                requests = args.requests if pipeline == 1 else args.requests_pipelined
                for test in TESTS:
                    for kind in order:
                        proc, port = servers[kind]
                        samples.setdefault((pipeline, test, kind), []).append(
                            benchmark(proc, port, certs, test, pipeline, args.clients, requests))
            print(f"round {rnd + 1}/{args.rounds} done (load average {loadavg()})", file=sys.stderr)
        load_end = loadavg()
    finally:
        for proc, _ in servers.values():
            proc.terminate()
            proc.wait()
        shutil.rmtree(workdir, ignore_errors=True)

    med = lambda xs, i: statistics.median(x[i] for x in xs)  # noqa: E731
    print(f"median of {args.rounds} alternating rounds; load average {load_start} at start, {load_end} at end")
    r, a = samples[("handshake", "redis")], samples[("handshake", "authgate")]
    print(f"handshakes ({args.handshakes} sequential, client certificate, then ACL WHOAMI; authgate logs in by CN):")
    print(f"  {'':8} {'redis':>10} {'authgate':>10} {'ratio':>6}")
    print(f"  {'per s':8} {med(r, 0):>10.0f} {med(a, 0):>10.0f} {med(a, 0) / med(r, 0):>6.2f}")
    print(f"  {'CPU ms/1k':8} {med(r, 1):>10.1f} {med(a, 1):>10.1f} {med(a, 1) / med(r, 1):>6.2f}")
    print(f"redis-benchmark --tls -c {args.clients} -n {args.requests} (-P 1) / {args.requests_pipelined} (-P 16);"
          " CPU = server user+sys s per 1M requests:")
    print(f"  {'P':>2} {'test':<4} {'redis rps':>10} {'authgate rps':>12} {'ratio':>6} {'redis CPU':>9}"
          f" {'authgate CPU':>12} {'CPU ratio':>9}")
    for pipeline in PIPELINES:
        for test in TESTS:
            r, a = samples[(pipeline, test, "redis")], samples[(pipeline, test, "authgate")]
            print(f"  {pipeline:>2} {test.upper():<4} {med(r, 0):>10.0f} {med(a, 0):>12.0f} {med(a, 0) / med(r, 0):>6.2f}"
                  f" {med(r, 1):>9.3f} {med(a, 1):>12.3f} {med(a, 1) / med(r, 1):>9.2f}")


if __name__ == "__main__":
    main()
