#!/usr/bin/env python3
"""Issue 14, item 7: authgate's credential verification (bcrypt cost 4 and 10, with and without
the verified cache) against the login cost of a real Milvus 2.3.5 in the same run, and
create_user throughput on etcd (authgate's store and Milvus' create_user).

    make bench-milvus        (or: target/venv-milvus/bin/python scripts/bench_milvus.py)

Figures are CPU time per operation (this process' user+sys for authgate, the Milvus process'
user+sys from /proc/PID/stat for Milvus) and wall time, with the load average, since the
machine is shared. Needs the authgate package installed in the same venv as pymilvus.
"""

import os
import pathlib
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "tests" / "differential_milvus"))
import oracle  # noqa: E402

import authgate  # noqa: E402
from pymilvus import connections, utility  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")


def proc_cpu(pid: int) -> float:
    fields = pathlib.Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def tree_cpu(pid: int) -> float:
    """CPU seconds of `pid` and its children still running (the milvus binary is a child)."""
    total = proc_cpu(pid)
    for child in pathlib.Path(f"/proc/{pid}/task").iterdir():
        children = child / "children"
        if children.exists():
            for c in children.read_text().split():
                try:
                    total += tree_cpu(int(c))
                except FileNotFoundError:
                    pass
    return total


def milvus_pid() -> int:
    """The `milvus run standalone` process this script started (a child of this process)."""
    for p in pathlib.Path("/proc").iterdir():
        if not p.name.isdigit():
            continue
        try:
            status = (p / "status").read_text()
            argv = (p / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        ppid = int(next(line.split()[1] for line in status.splitlines() if line.startswith("PPid:")))
        if ppid == os.getpid() and argv[0].endswith(b"/milvus") and b"standalone" in argv:
            return int(p.name)
    raise RuntimeError("the Milvus server process was not found")


def per_op(fn, n: int):
    c0, w0 = time.process_time(), time.perf_counter()
    for _ in range(n):
        fn()
    return (time.process_time() - c0) / n, (time.perf_counter() - w0) / n


def row(what: str, cpu: float, wall: float) -> None:
    print(f"| {what} | {cpu * 1e6:,.1f} | {wall * 1e6:,.1f} |", flush=True)


def main() -> int:
    print(f"load average at start: {os.getloadavg()}")
    print("| operation | CPU µs/op | wall µs/op |\n|---|---:|---:|")
    for cost, n in ((4, 400), (10, 20)):
        store = authgate.CredentialStore(bcrypt_cost=cost)
        store.create_user("alice", "secret1")
        row(f"authgate verify, bcrypt cost {cost}, no cache", *per_op(lambda: store.verify("alice", "secret1"), n))
        cached = authgate.CredentialStore(bcrypt_cost=cost, verified_cache_ttl=60)
        cached.create_user("alice", "secret1")
        cached.verify("alice", "secret1")
        row(f"authgate verify, bcrypt cost {cost}, verified cache (keyed MAC)",
            *per_op(lambda: cached.verify("alice", "secret1"), 20000))
        row(f"authgate verify, bcrypt cost {cost}, wrong password", *per_op(lambda: store.verify("alice", "wrong-pw"), n))
    with oracle.etcd_server() as etcd, oracle.milvus_server(etcd) as port:
        server_pid = milvus_pid()
        connections.connect(alias="admin", host="127.0.0.1", port=str(port), user="root", password="Milvus")
        utility.create_user("bob", "secret1", using="admin")
        connections.connect(alias="bob", host="127.0.0.1", port=str(port), user="bob", password="secret1")
        n = 300
        s0, c0, w0 = tree_cpu(server_pid), time.process_time(), time.perf_counter()
        for _ in range(n):
            utility.list_collections(using="bob")  # every request is authenticated by the proxy
        s1, c1, w1 = tree_cpu(server_pid), time.process_time(), time.perf_counter()
        print(f"| Milvus 2.3.5 authenticated request (cached login; server CPU, client CPU {(c1 - c0) / n * 1e6:,.0f}) "
              f"| {(s1 - s0) / n * 1e6:,.1f} | {(w1 - w0) / n * 1e6:,.1f} |", flush=True)
        n = 20
        s0, w0 = tree_cpu(server_pid), time.perf_counter()
        for i in range(n):
            connections.connect(alias=f"fresh{i}", host="127.0.0.1", port=str(port), user="bob", password="secret1")
            connections.disconnect(f"fresh{i}")
        s1, w1 = tree_cpu(server_pid), time.perf_counter()
        row("Milvus 2.3.5 new connection + login (server CPU)", (s1 - s0) / n, (w1 - w0) / n)
        n = 50
        s0, w0 = tree_cpu(server_pid), time.perf_counter()
        for i in range(n):
            utility.create_user(f"m{i}", "secret1", using="admin")
        s1, w1 = tree_cpu(server_pid), time.perf_counter()
        row("Milvus 2.3.5 create_user (server CPU; cost 4)", (s1 - s0) / n, (w1 - w0) / n)
        connections.disconnect("admin")
        connections.disconnect("bob")
        for cost in (4, 10):
            store = authgate.CredentialStore(etcd=etcd, root_path=f"bench{cost}", bcrypt_cost=cost)
            n = 50 if cost == 4 else 10
            c0, w0 = time.process_time(), time.perf_counter()
            for i in range(n):
                store.create_user(f"u{i}", "secret1")
            c1, w1 = time.process_time(), time.perf_counter()
            row(f"authgate create_user on etcd, bcrypt cost {cost} ({n / (w1 - w0):,.0f}/s)", (c1 - c0) / n, (w1 - w0) / n)
            row(f"authgate verify on etcd (watch mirror), cost {cost}, cache off",
                *per_op(lambda: store.verify("u0", "secret1"), 100 if cost == 4 else 10))
    print(f"load average at end: {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
