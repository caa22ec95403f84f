"""The shared cross-language fixtures (tests/fixtures/acl_cases.json, recorded from
redis-server 7.0.15) run through the Python API.

ACL LIST lines and GETUSER command strings list single-command rules (+cmd / -cmd) in Redis'
hash-table order, so those tokens are compared as a set per selector (as the Rust test does).
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any, Dict, List

import pytest

import authgate
from conftest import FIXTURES


def canonical(line: str) -> str:
    """Single-command tokens sorted after the others, per selector."""
    out = []
    for seg in line.split(" ("):
        seg = seg.rstrip(")")
        fixed: List[str] = []
        singles: List[str] = []
        for tok in seg.split(" "):
            if tok[:1] in "+-" and not tok[1:].startswith("@") and tok:
                singles.append(tok)
            else:
                fixed.append(tok)
        out.append(" ".join(fixed + sorted(singles)))
    return " | ".join(out)


def normalize_expected(op: str, v: Any) -> Any:
    if op == "list":
        return [canonical(line) for line in v]
    if op == "getuser" and v is not None:
        v = dict(v)
        v["commands"] = canonical(v["commands"])
        v["selectors"] = [dict(s, commands=canonical(s["commands"])) for s in v["selectors"]]
    return v


def run(acl: authgate.Acl, op: str, args: Any) -> Any:
    try:
        if op == "setuser":
            acl.setuser(args[0], *args[1])
            return "OK"
        if op == "deluser":
            return acl.deluser(*args)
        if op == "getuser":
            info = acl.getuser(args)
            return normalize_expected("getuser", None if info is None else dataclasses.asdict(info))
        if op == "list":
            return [canonical(line) for line in acl.list()]
        if op == "users":
            return acl.users()
        if op == "auth":
            return acl.authenticate(args[0], args[1])
        if op == "dryrun":
            return acl.dryrun(args[0], *args[1])
        if op == "check":
            acl.check(args[0], *args[1])
            return "OK"
        if op == "cat":
            names = acl.cat(args)
            return sorted(names) if args is not None else names
    except authgate.AuthgateError as e:
        return str(e)
    raise AssertionError(f"unknown fixture op {op}")


def load_cases() -> List[Dict[str, Any]]:
    doc = json.loads((FIXTURES / "acl_cases.json").read_text())
    cases: List[Dict[str, Any]] = doc["cases"]
    return cases


CASES = load_cases()


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_case_matches_redis(case: Dict[str, Any]) -> None:
    acl = authgate.Acl()
    for step in case["steps"]:
        op = step["op"]
        got = run(acl, op, step["args"])
        assert got == normalize_expected(op, step["expect"]), step


def test_fixtures_present() -> None:
    steps = sum(len(c["steps"]) for c in CASES)
    assert steps >= 80, f"fixtures went missing: {steps} steps"


def test_bytes_arguments_give_the_same_answers() -> None:
    """Every case again with every argument passed as bytes."""
    def b(x: Any) -> Any:
        if isinstance(x, str):
            return x.encode()
        if isinstance(x, list):
            return [b(i) for i in x]
        return x

    for case in CASES:
        acl = authgate.Acl()
        for step in case["steps"]:
            op = step["op"]
            got = run(acl, op, b(step["args"]))
            assert got == normalize_expected(op, step["expect"]), (case["name"], step)
