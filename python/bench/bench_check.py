#!/usr/bin/env python3
"""Per-call cost of ``authgate.Acl.check`` from Python vs pycasbin's ``Enforcer.enforce``.

Both answer the same question in the same run: may ``alice`` run GET on a key matching
``cache:*``? authgate: ``setuser alice on nopass ~cache:* +get``, then
``acl.check("alice", "GET", "cache:1")``. pycasbin: a keyMatch model (below) with the policy
``p, alice, cache:*, get``, then ``e.enforce("alice", "cache:1", "get")``. Each is timed over
many calls in a plain ``for`` loop with the bound method in a local (best of several rounds);
the figures include the loop itself, whose cost alone is printed too.

Run it against a release build:

    python3 -m venv /tmp/bench-venv
    /tmp/bench-venv/bin/pip install ./python casbin
    /tmp/bench-venv/bin/python python/bench/bench_check.py
"""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
from importlib import metadata
import time
from typing import Callable, Tuple

import casbin

import authgate

MODEL = """\
[request_definition]
r = sub, obj, act

[policy_definition]
p = sub, obj, act

[policy_effect]
e = some(where (p.eft == allow))

[matchers]
m = r.sub == p.sub && keyMatch(r.obj, p.obj) && r.act == p.act
"""

POLICY = "p, alice, cache:*, get\n"


def best_ns_per_call(body: Callable[[int], None], calls: int, rounds: int) -> float:
    """The fastest of ``rounds`` runs of ``body(calls)``, in ns per call."""
    best = float("inf")
    for _ in range(rounds):
        t0 = time.perf_counter_ns()
        body(calls)
        best = min(best, (time.perf_counter_ns() - t0) / calls)
    return best


def authgate_bodies() -> Tuple[Callable[[int], None], Callable[[int], None]]:
    acl = authgate.Acl()
    acl.setuser("alice", "on", "nopass", "~cache:*", "+get")
    check = acl.check
    check("alice", "GET", "cache:1")

    def allowed(n: int) -> None:
        for _ in range(n):
            check("alice", "GET", "cache:1")

    def denied(n: int) -> None:
        denial = authgate.PermissionDenied
        for _ in range(n):
            try:
                check("alice", "GET", "other:1")
            except denial:
                pass

    return allowed, denied


def casbin_bodies(tmp: str) -> Tuple[Callable[[int], None], Callable[[int], None]]:
    model = os.path.join(tmp, "model.conf")
    policy = os.path.join(tmp, "policy.csv")
    with open(model, "w") as f:
        f.write(MODEL)
    with open(policy, "w") as f:
        f.write(POLICY)
    e = casbin.Enforcer(model, policy)
    enforce = e.enforce
    assert enforce("alice", "cache:1", "get") is True
    assert enforce("alice", "other:1", "get") is False

    def allowed(n: int) -> None:
        for _ in range(n):
            enforce("alice", "cache:1", "get")

    def denied(n: int) -> None:
        for _ in range(n):
            enforce("alice", "other:1", "get")

    return allowed, denied


def empty_loop(n: int) -> None:
    for _ in range(n):
        pass


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--calls", type=int, default=200_000, help="calls per round for authgate")
    ap.add_argument("--casbin-calls", type=int, default=20_000, help="calls per round for pycasbin")
    ap.add_argument("--rounds", type=int, default=7)
    args = ap.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        ag_allowed, ag_denied = authgate_bodies()
        cb_allowed, cb_denied = casbin_bodies(tmp)
        loop = best_ns_per_call(empty_loop, args.calls, args.rounds)
        results = {
            "authgate check (allowed)": best_ns_per_call(ag_allowed, args.calls, args.rounds),
            "authgate check (denied, raises)": best_ns_per_call(ag_denied, args.calls, args.rounds),
            "pycasbin enforce (allowed)": best_ns_per_call(cb_allowed, args.casbin_calls, args.rounds),
            "pycasbin enforce (denied)": best_ns_per_call(cb_denied, args.casbin_calls, args.rounds),
        }

    print(f"python {platform.python_version()} on {platform.machine()}, "
          f"authgate {authgate.__version__}, casbin {metadata.version('casbin')}")
    print(f"empty loop: {loop:.1f} ns/iteration (included in the figures below)")
    for name, ns in results.items():
        print(f"{name:34s} {ns:10.1f} ns/call")
    for kind in ("allowed", "denied"):
        ag = results[f"authgate check ({kind}" + (", raises)" if kind == "denied" else ")")]
        cb = results[f"pycasbin enforce ({kind})"]
        print(f"ratio ({kind}): pycasbin / authgate = {cb / ag:.1f}x")


if __name__ == "__main__":
    main()
