#!/usr/bin/env python3
"""Load on loopback that `authgate serve` must survive (issue 15, item 4).

Scenarios, one after the other, while a control client PINGs every 10 ms and the server's
RSS is sampled: concurrent connections, an AUTH storm with wrong passwords, slow subscribers
that never read while a publisher floods, slowloris partial frames, `*`/`$` headers at the
limits, unauthenticated pipelines. After each scenario every slot must be free again.

    python3 tests/load/load.py --authgate-bin BIN --size small   # make test-load: asserts
    python3 tests/load/load.py --authgate-bin BIN --size full    # make load: reports figures

Asserted (both sizes): every control PING answered, peak RSS under the bound, the server
alive, and connected_clients back to 1 after each scenario. Timings are reported, never
asserted (the machine is shared).
"""

import argparse
import multiprocessing
import os
import resource
import selectors
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from resp import Closed, Conn, Server, encode, info_field  # noqa: E402

SIZES = {
    "small": dict(conns=300, storm_conns=50, storm_per_conn=40, subscribers=50, slowloris=200,
                  headers=50, unauth=100, rss_bound_mb=400),
    "full": dict(conns=5000, storm_conns=500, storm_per_conn=200, subscribers=1000, slowloris=2000,
                 headers=500, unauth=1000, rss_bound_mb=1500),
}

# The pubsub class' limits for the flood: small, so 1,000 stalled subscribers stay bounded.
CONF = (
    "requirepass secret\n"
    "client-output-buffer-limit pubsub 256kb 64kb 1\n"
    "maxclients 10000\n"
)


def raise_fd_limit(need):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = max(soft, min(hard, need)) if hard != resource.RLIM_INFINITY else max(soft, need)
    resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    if want < need:
        sys.exit("the fd limit %d is below the %d this size needs" % (want, need))


def control_loop(port, pid, stop, out):
    """The control client, in its own process (the load generators' GIL would otherwise
    delay it): PINGs every 10 ms, recording each round trip, and samples the server's RSS."""
    conn = Conn(port, timeout=30)
    assert conn.cmd("AUTH", "secret") == b"OK"
    lat, failures, peak = [], [], 0
    # When each PING was answered (CLOCK_MONOTONIC, the same clock in every process), so the
    # main process can attribute the latencies to the scenario running at that time.
    stamps = []
    while not stop.is_set():
        t = time.perf_counter()
        try:
            r = conn.cmd("PING")
            if r != b"PONG":
                failures.append(repr(r))
        except Exception as e:  # noqa: BLE001 - any failure of the control client counts
            failures.append(repr(e))
            break
        lat.append(time.perf_counter() - t)
        stamps.append(time.monotonic())
        try:
            with open("/proc/%d/status" % pid) as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        peak = max(peak, int(line.split()[1]))
        except OSError:
            pass
        time.sleep(0.01)
    out.put((lat, failures, peak, stamps))


class Control:
    """Runs [`control_loop`] in a child process."""

    def __init__(self, server):
        self.stop_event = multiprocessing.Event()
        self.results = multiprocessing.Queue()
        self.proc = multiprocessing.Process(
            target=control_loop, args=(server.port, server.proc.pid, self.stop_event, self.results), daemon=True)
        self.lat, self.failures, self.peak_rss_kb = [], ["the control client did not report"], 0
        self.stamps = []

    def start(self):
        self.proc.start()

    def finish(self):
        self.stop_event.set()
        try:
            self.lat, self.failures, self.peak_rss_kb, self.stamps = self.results.get(timeout=30)
        except Exception:  # noqa: BLE001 - reported as a failure below
            pass
        self.proc.join(10)

    def p(self, q, t0=None, t1=None):
        """Latency quantile `q` in ms, of the PINGs answered between t0 and t1 if given."""
        s = sorted(l for l, st in zip(self.lat, self.stamps) if t0 is None or t0 <= st <= t1)
        return s[min(len(s) - 1, int(q * len(s)))] * 1000 if s else float("nan")

    def count(self, t0, t1):
        return sum(1 for st in self.stamps if t0 <= st <= t1)


def admin(server):
    c = Conn(server.port, timeout=30)
    assert c.cmd("AUTH", "secret") == b"OK"
    return c


def wait_slots_free(server, what):
    """connected_clients back to the control client plus this probe."""
    deadline = time.time() + 30
    while True:
        c = admin(server)
        n = int(info_field(c, "clients", "connected_clients"))
        c.close()
        if n == 2:
            return
        if time.time() > deadline:
            raise AssertionError("after %s, %d clients are still connected" % (what, n - 2))
        time.sleep(0.05)


def open_many(port, n, rcvbuf=None):
    socks = []
    for _ in range(n):
        s = socket.socket()
        if rcvbuf:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        s.connect(("127.0.0.1", port))
        socks.append(s)
    return socks


def read_all(socks, expect, timeout=60):
    """Reads from every socket until each has `expect(sock_data)` true or is closed."""
    sel = selectors.DefaultSelector()
    data = {}
    for s in socks:
        s.setblocking(False)
        sel.register(s, selectors.EVENT_READ)
        data[s] = b""
    pending = set(socks)
    deadline = time.time() + timeout
    while pending and time.time() < deadline:
        for key, _ in sel.select(0.5):
            s = key.fileobj
            try:
                d = s.recv(1 << 16)
            except BlockingIOError:
                continue
            except OSError:
                d = b""
            if not d or expect(data[s] + d):
                data[s] += d
                sel.unregister(s)
                pending.discard(s)
            else:
                data[s] += d
    sel.close()
    return data, pending


def close_all(socks):
    for s in socks:
        try:
            s.close()
        except OSError:
            pass


def scenario_connections(server, n):
    socks = open_many(server.port, n)
    req = encode("AUTH", "secret") + encode("PING")
    for s in socks:
        s.sendall(req)
    data, pending = read_all(socks, lambda d: d.endswith(b"+PONG\r\n"))
    ok = sum(1 for d in data.values() if d == b"+OK\r\n+PONG\r\n")
    close_all(socks)
    assert ok == n and not pending, "%d of %d connections served" % (ok, n)
    return "%d connections authenticated and answered" % n


def scenario_auth_storm(server, conns, per_conn):
    socks = open_many(server.port, conns)
    req = encode("AUTH", "wrong") * per_conn
    want = b"-WRONGPASS invalid username-password pair or user is disabled.\r\n" * per_conn
    for s in socks:
        s.sendall(req)
    data, pending = read_all(socks, lambda d: len(d) >= len(want))
    ok = sum(1 for d in data.values() if d == want)
    close_all(socks)
    assert ok == conns and not pending, "%d of %d storm connections got every WRONGPASS" % (ok, conns)
    return "%d wrong AUTHs refused" % (conns * per_conn)


def scenario_slow_subscribers(server, n):
    subs = open_many(server.port, n, rcvbuf=4096)
    req = encode("AUTH", "secret") + encode("SUBSCRIBE", "flood")
    for s in subs:
        s.sendall(req)
    read_all(subs, lambda d: d.count(b"\r\n") >= 7)
    pub = admin(server)
    deadline = time.time() + 30
    while pub.cmd("PUBSUB", "NUMSUB", "flood")[1] < n and time.time() < deadline:
        time.sleep(0.01)
    payload = b"m" * 4096
    published = 0
    reached = n
    while reached and published < 20000:
        pub.sock.sendall(encode("PUBLISH", "flood", payload) * 50)
        for _ in range(50):
            reached = pub.read()
        published += 50
    dropped = n - pub.cmd("PUBSUB", "NUMSUB", "flood")[1]
    pub.close()
    close_all(subs)
    assert dropped == n, "%d of %d stalled subscribers were dropped" % (dropped, n)
    return "%d stalled subscribers dropped after %d publishes of 4 KiB" % (n, published)


def scenario_slowloris(server, n):
    socks = open_many(server.port, n)
    parts = [b"*3\r\n", b"$3\r\nSET\r\n", b"$1\r\nk\r\n", b"$5\r\nhel"]
    for part in parts:
        for s in socks:
            s.sendall(part)
        time.sleep(0.2)
    c = admin(server)
    n_connected = int(info_field(c, "clients", "connected_clients"))
    c.close()
    close_all(socks)
    assert n_connected >= n, "slowloris clients were dropped (%d connected)" % n_connected
    return "%d clients holding partial frames" % n


def scenario_headers(server, n):
    """Headers at and past the limits, authenticated and not; Redis' errors, then closed."""
    cases = [
        (True, b"*2147483647\r\n$536870912\r\n" + b"x" * 1000, None),
        (True, b"*2147483648\r\n", b"-ERR Protocol error: invalid multibulk length\r\n"),
        (True, b"*1\r\n$536870913\r\n", b"-ERR Protocol error: invalid bulk length\r\n"),
        (False, b"*10\r\n$16384\r\n" + b"x" * 1000, None),
        (False, b"*11\r\n", b"-ERR Protocol error: unauthenticated multibulk length\r\n"),
        (False, b"*1\r\n$16385\r\n", b"-ERR Protocol error: unauthenticated bulk length\r\n"),
    ]
    held = []
    refused = 0
    for auth, frame, error in cases:
        socks = open_many(server.port, n)
        prefix = encode("AUTH", "secret") if auth else b""
        for s in socks:
            s.sendall(prefix + frame)
        if error is None:
            held += socks
            continue
        want = (b"+OK\r\n" if auth else b"") + error
        data, pending = read_all(socks, lambda d: False)
        bad = [d for d in data.values() if d != want]
        close_all(socks)
        assert not bad and not pending, "header case %r: %r" % (frame[:20], bad[:1])
        refused += n
    close_all(held)
    return "%d headers refused with Redis' errors, %d held at the limits" % (refused, len(held))


def scenario_unauth_pipelines(server, n):
    socks = open_many(server.port, n)
    req = encode("PING") * 5000
    for s in socks:
        try:
            s.sendall(req)
        except OSError:
            pass
    data, pending = read_all(socks, lambda d: False)
    close_all(socks)
    assert not pending, "%d unauthenticated pipelining clients were not disconnected" % len(pending)
    return "%d unauthenticated pipelines disconnected" % n


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--authgate-bin", default=os.environ.get("AUTHGATE_BIN"))
    ap.add_argument("--size", choices=SIZES, default="small")
    args = ap.parse_args()
    size = SIZES[args.size]
    raise_fd_limit(2 * size["conns"] + 2 * size["slowloris"] + 6 * size["headers"] + 256)
    server = Server("authgate", CONF, authgate_bin=args.authgate_bin)
    control = Control(server)
    control.start()
    results = []
    windows = []
    start = time.time()
    try:
        for name, run in [
            ("connections", lambda: scenario_connections(server, size["conns"])),
            ("auth storm", lambda: scenario_auth_storm(server, size["storm_conns"], size["storm_per_conn"])),
            ("slow subscribers", lambda: scenario_slow_subscribers(server, size["subscribers"])),
            ("slowloris", lambda: scenario_slowloris(server, size["slowloris"])),
            ("headers at the limits", lambda: scenario_headers(server, size["headers"])),
            ("unauthenticated pipelines", lambda: scenario_unauth_pipelines(server, size["unauth"])),
        ]:
            t = time.time()
            t0 = time.monotonic()
            what = run()
            windows.append((name, t0, time.monotonic()))
            wait_slots_free(server, name)
            results.append((name, what, time.time() - t))
            print("  %-26s %-62s %.1f s" % (name, what, time.time() - t), flush=True)
    finally:
        control.finish()
        alive = server.proc.poll() is None
        hwm = server.hwm_kb() if alive else 0
        server.stop()
    load = os.getloadavg()[0]
    print("size %s: %d control PINGs, p50 %.2f ms, p99 %.2f ms, max %.2f ms; peak RSS %.1f MB "
          "(VmHWM %.1f MB); every slot free after each scenario; %.0f s; load average %.1f"
          % (args.size, len(control.lat), control.p(0.5), control.p(0.99), control.p(1.0),
             control.peak_rss_kb / 1024, hwm / 1024, time.time() - start, load))
    for name, t0, t1 in windows:
        print("  control PING during %-26s %5d PINGs, p50 %.2f ms, p99 %.2f ms, max %.2f ms"
              % (name, control.count(t0, t1), control.p(0.5, t0, t1), control.p(0.99, t0, t1),
                 control.p(1.0, t0, t1)))
    assert alive, "the server died"
    assert not control.failures, "control client: %s" % control.failures[:3]
    assert hwm / 1024 < size["rss_bound_mb"], "peak RSS %.0f MB over %d MB" % (hwm / 1024, size["rss_bound_mb"])
    print("load %s: passed" % args.size)


if __name__ == "__main__":
    main()
