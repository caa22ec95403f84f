#!/usr/bin/env python3
"""Issue 12's scale table: redis-server 7.0.15 and `authgate serve`, side by side, in one run.

Each server is started fresh on a free port, then every measurement in `MEASUREMENTS` runs
against it in order (they build on each other: the users SETUSER creates are the ones ACL LIST
prints and AUTH logs in as). Wall time is what a pipelined client sees; the server's CPU time
(user + system, from /proc/PID/stat) is printed beside it because it stays steady on a busy
machine where wall time does not. RSS growth is VmRSS after the users minus before.

To add a row: write `def measure_x(server, args) -> Row` and append it to MEASUREMENTS.

Usage: scripts/bench_scale.py --authgate-bin target/<triple>/release/authgate
           [--users 100000] [--auths 20000] [--rounds 1]
"""
import argparse
import os
import select
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def encode(*args):
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        a = a.encode() if isinstance(a, str) else a
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


class Server:
    """One server process and a connection to it."""

    def __init__(self, kind, binary, workdir):
        self.kind = kind
        port = free_port()
        if kind == "redis":
            cmd = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                   "--appendonly", "no", "--dir", workdir]
        else:
            cmd = [binary, "serve", "--port", str(port), "--bind", "127.0.0.1"]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                     cwd=workdir)
        deadline = time.time() + 10
        while True:
            try:
                self.sock = socket.create_connection(("127.0.0.1", port), timeout=120)
                break
            except OSError:
                if time.time() > deadline or self.proc.poll() is not None:
                    raise RuntimeError(f"{kind} did not start on port {port}")
                time.sleep(0.05)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.port = port

    def cpu_seconds(self):
        with open(f"/proc/{self.proc.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS

    def rss_bytes(self):
        with open(f"/proc/{self.proc.pid}/statm") as f:
            return int(f.read().split()[1]) * PAGE

    def pipeline(self, payload):
        """Sends `payload` followed by a PING and reads until the PONG: every reply of the
        batch has then arrived. Returns (wall seconds, server CPU seconds, reply bytes)."""
        payload += encode("PING")
        cpu0 = self.cpu_seconds()
        t0 = time.perf_counter()
        chunks = []
        view = memoryview(payload)
        sent = 0
        tail = b""
        self.sock.setblocking(False)
        try:
            while True:
                writers = [self.sock] if sent < len(view) else []
                readable, writable, _ = select.select([self.sock], writers, [], 120)
                if not readable and not writable:
                    raise RuntimeError(f"{self.kind}: no reply within 120 s")
                if writable:
                    sent += self.sock.send(view[sent:sent + (1 << 20)])
                if readable:
                    chunk = self.sock.recv(1 << 20)
                    if not chunk:
                        raise RuntimeError(f"{self.kind} closed the connection")
                    chunks.append(chunk)
                    tail = (tail + chunk[-7:])[-7:]
                    if tail == b"+PONG\r\n" and sent >= len(view):
                        break
        finally:
            self.sock.setblocking(True)
        wall = time.perf_counter() - t0
        cpu = self.cpu_seconds() - cpu0
        reply = b"".join(chunks)
        return wall, cpu, reply[:-7]

    def stop(self):
        self.sock.close()
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


@dataclass
class Row:
    """One line of the table: a name, the figure, its unit, and the server CPU it cost."""
    name: str
    value: float
    unit: str
    cpu: float = None


def setuser_rules(i):
    return ["on", f">pw{i}", f"~key{i}:*", f"&chan{i}", "+get", "+set", "+@connection"]


def measure_setuser(server, args):
    payload = b"".join(encode("ACL", "SETUSER", f"user{i}", *setuser_rules(i))
                       for i in range(args.users))
    rss0 = server.rss_bytes()
    wall, cpu, reply = server.pipeline(payload)
    if reply.count(b"+OK\r\n") != args.users:
        raise RuntimeError(f"{server.kind}: SETUSER replies were not all +OK: {reply[:200]!r}")
    server.rss_growth = server.rss_bytes() - rss0
    return [Row(f"SETUSER x{args.users}", wall, "s", cpu),
            Row(f"RSS growth for those users", server.rss_growth / 1e6, "MB"),
            Row("  per user", server.rss_growth / args.users, "B")]


def measure_list(server, args):
    wall, cpu, reply = server.pipeline(encode("ACL", "LIST"))
    if not reply.startswith(b"*%d\r\n" % (args.users + 1)):
        raise RuntimeError(f"{server.kind}: unexpected ACL LIST reply {reply[:100]!r}")
    rows = [Row(f"ACL LIST with {args.users} users", wall, "s", cpu)]
    wall, cpu, reply = server.pipeline(encode("ACL", "GETUSER", f"user{args.users // 2}"))
    if not reply.startswith(b"*12\r\n") and not reply.startswith(b"%6\r\n"):
        raise RuntimeError(f"{server.kind}: unexpected ACL GETUSER reply {reply[:100]!r}")
    getusers = b"".join(encode("ACL", "GETUSER", f"user{i}") for i in range(0, args.users, 10))
    wall, cpu, reply = server.pipeline(getusers)
    rows.append(Row(f"ACL GETUSER x{len(range(0, args.users, 10))} pipelined", wall, "s", cpu))
    return rows


def measure_auth(server, args):
    n = min(args.auths, args.users)
    payload = b"".join(encode("AUTH", f"user{i}", f"pw{i}") for i in range(n))
    wall, cpu, reply = server.pipeline(payload)
    if reply.count(b"+OK\r\n") != n:
        raise RuntimeError(f"{server.kind}: AUTH replies were not all +OK: {reply[:200]!r}")
    return [Row(f"AUTH x{n} pipelined", wall, "s", cpu)]


# In order: SETUSER creates the users the later rows use.
MEASUREMENTS = [measure_setuser, measure_list, measure_auth]


def run_once(kind, binary, args):
    workdir = tempfile.mkdtemp(prefix=f"bench-scale-{kind}-")
    server = Server(kind, binary, workdir)
    try:
        rows = []
        for m in MEASUREMENTS:
            rows.extend(m(server, args))
        return rows
    finally:
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)


def fmt(row, value, cpu):
    text = f"{value:.3f} {row.unit}" if row.unit == "s" else f"{value:.1f} {row.unit}"
    if cpu is not None:
        text += f" (cpu {cpu:.3f})"
    return text


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--authgate-bin", required=True)
    ap.add_argument("--users", type=int, default=100_000)
    ap.add_argument("--auths", type=int, default=20_000)
    ap.add_argument("--rounds", type=int, default=1,
                    help="each round runs redis then authgate; medians are printed")
    ap.add_argument("--only", choices=["redis", "authgate"], help="measure one server only")
    args = ap.parse_args()
    args.authgate_bin = os.path.abspath(args.authgate_bin)
    if not os.access(args.authgate_bin, os.X_OK):
        sys.exit(f"not an executable: {args.authgate_bin}")

    kinds = [args.only] if args.only else ["redis", "authgate"]
    results = {k: [] for k in kinds}
    print(f"load average at start: {os.getloadavg()[0]:.2f}", flush=True)
    for r in range(args.rounds):
        for kind in kinds:
            results[kind].append(run_once(kind, args.authgate_bin, args))
            print(f"round {r + 1}: {kind} done", file=sys.stderr, flush=True)

    names = [row.name for row in results[kinds[0]][0]]
    width = max(len(n) for n in names) + 2
    head = f"{'metric':<{width}}" + "".join(f"{k:>26}" for k in kinds)
    if len(kinds) == 2:
        head += f"{'authgate/redis':>16}"
    print(head)
    for i, name in enumerate(names):
        line = f"{name:<{width}}"
        medians = []
        for kind in kinds:
            rows = [rounds[i] for rounds in results[kind]]
            value = statistics.median(r.value for r in rows)
            cpus = [r.cpu for r in rows if r.cpu is not None]
            cpu = statistics.median(cpus) if cpus else None
            medians.append(value)
            line += f"{fmt(rows[0], value, cpu):>26}"
        if len(kinds) == 2 and medians[0]:
            line += f"{medians[1] / medians[0]:>15.3g}x"
        print(line)
    print(f"load average at end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
