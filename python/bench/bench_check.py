#!/usr/bin/env python3
"""Per-call cost of authgate's ACL checks from Python vs pycasbin's ``Enforcer.enforce``.

All answer the same question in the same run: may ``alice`` run GET on a key matching
``cache:*``? authgate: ``setuser alice on nopass ~cache:* +get``, then
``acl.check("alice", "GET", "cache:1")`` (raises ``PermissionDenied`` for a denial), and the
non-throwing forms ``acl.allowed(...)`` (a bool) and ``acl.denial(...)`` (None or a
``Denial``). pycasbin: a keyMatch model (below) with the policy
``p, alice, cache:*, get``, then ``e.enforce("alice", "cache:1", "get")``. "Denied" is a key outside
``cache:*``. Each case is timed over many calls in a plain ``for`` loop with the bound method in
a local; the rounds run every case in turn and the median round is reported, in CPU time of
the thread (steady on a busy machine); the figures include the loop itself, whose cost alone
is printed too.

Run it against a release build:

    python3 -m venv /tmp/bindcheck-bench-venv
    /tmp/bindcheck-bench-venv/bin/pip install ./python casbin
    /tmp/bindcheck-bench-venv/bin/python python/bench/bench_check.py
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import tempfile
from importlib import metadata
import time
from typing import Callable, Dict, List, Tuple

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


Body = Callable[[int], None]


def interleaved_ns_per_call(bodies: Dict[str, Tuple[Body, int]], rounds: int) -> Dict[str, List[float]]:
    """``rounds`` rounds, each running every body once (``calls`` calls) in turn, so a change
    of machine load hits every case alike; CPU ns of this thread per call (unlike wall time,
    it does not grow while other programs hold the CPU) of every round, per case."""
    out: Dict[str, List[float]] = {name: [] for name in bodies}
    for _ in range(rounds):
        for name, (body, calls) in bodies.items():
            t0 = time.thread_time_ns()
            body(calls)
            out[name].append((time.thread_time_ns() - t0) / calls)
    return out


def authgate_bodies() -> Dict[str, Body]:
    acl = authgate.Acl()
    acl.setuser("alice", "on", "nopass", "~cache:*", "+get")
    check, allowed, denial = acl.check, acl.allowed, acl.denial
    check("alice", "GET", "cache:1")
    assert allowed("alice", "GET", "cache:1") and not allowed("alice", "GET", "other:1")
    assert denial("alice", "GET", "cache:1") is None and denial("alice", "GET", "other:1") is not None

    def check_allowed(n: int) -> None:
        for _ in range(n):
            check("alice", "GET", "cache:1")

    def check_denied(n: int) -> None:
        refused = authgate.PermissionDenied
        for _ in range(n):
            try:
                check("alice", "GET", "other:1")
            except refused:
                pass

    def allowed_allowed(n: int) -> None:
        for _ in range(n):
            allowed("alice", "GET", "cache:1")

    def allowed_denied(n: int) -> None:
        for _ in range(n):
            allowed("alice", "GET", "other:1")

    def denial_allowed(n: int) -> None:
        for _ in range(n):
            denial("alice", "GET", "cache:1")

    def denial_denied(n: int) -> None:
        for _ in range(n):
            denial("alice", "GET", "other:1")

    return {
        "check, allowed": check_allowed,
        "check, denied (raises)": check_denied,
        "allowed(), allowed": allowed_allowed,
        "allowed(), denied": allowed_denied,
        "denial(), allowed": denial_allowed,
        "denial(), denied": denial_denied,
    }


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


def raise_floor(n: int) -> None:
    """What raising costs in Python itself: raise and catch one prebuilt exception (the floor
    of any API that reports a denial by raising)."""
    exc = ValueError("NOPERM")
    for _ in range(n):
        try:
            raise exc
        except ValueError:
            pass


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--calls", type=int, default=200_000, help="calls per round for authgate")
    ap.add_argument("--casbin-calls", type=int, default=20_000, help="calls per round for pycasbin")
    ap.add_argument("--rounds", type=int, default=7)
    args = ap.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        bodies: Dict[str, Tuple[Body, int]] = {
            "empty loop": (empty_loop, args.calls),
            "python alone: raise/except": (raise_floor, args.calls),
        }
        for name, body in authgate_bodies().items():
            bodies[f"authgate {name}"] = (body, args.calls)
        cb_allowed, cb_denied = casbin_bodies(tmp)
        bodies["pycasbin enforce, allowed"] = (cb_allowed, args.casbin_calls)
        bodies["pycasbin enforce, denied"] = (cb_denied, args.casbin_calls)
        rounds = interleaved_ns_per_call(bodies, args.rounds)

    print(f"python {platform.python_version()} on {platform.machine()}, "
          f"authgate {authgate.__version__}, casbin {metadata.version('casbin')}, "
          f"load average {os.getloadavg()[0]:.2f}")
    print(f"{args.rounds} interleaved rounds; median (min..max) CPU ns per call, loop included")
    med = {name: statistics.median(v) for name, v in rounds.items()}
    for name, v in rounds.items():
        print(f"{name:36s} {med[name]:9.1f}  ({min(v):.1f}..{max(v):.1f})")
    for form in ("check", "allowed()", "denial()"):
        denied = "check, denied (raises)" if form == "check" else f"{form}, denied"
        a, d = med[f"authgate {form}, allowed"], med[f"authgate {denied}"]
        print(f"{form:10s} pycasbin/authgate: allowed {med['pycasbin enforce, allowed'] / a:6.1f}x, "
              f"denied {med['pycasbin enforce, denied'] / d:6.1f}x; denied/allowed {d / a:.2f}")


if __name__ == "__main__":
    main()
