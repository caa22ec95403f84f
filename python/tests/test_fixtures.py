"""The shared cross-language fixtures (tests/fixtures/acl_cases.json, recorded from
redis-server 7.0.15) run through the Python API.

ACL LIST lines and GETUSER command strings compare through canonical(), the rule written in
acl_cases.json's "about" and implemented identically by every language's fixture test.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any, Dict, List, Optional

import pytest

import authgate
from conftest import FIXTURES


def canonical(line: str) -> str:
    """The comparison form of an ACL LIST line or a GETUSER ``commands`` string: exact, except that
    a selector's single-command tokens (``+cmd``, ``-cmd``, ``+cmd|sub``, ``+cmd|firstarg``) after
    its category tokens are sorted, because Redis emits them in a per-process hash order
    (tests/differential/normalize.py ``norm_command_tokens``, tests/differential/README.md). A
    string not in the shape Redis produces (a single before a category, ...) becomes ``!`` + the
    string itself, which equals no in-shape form, so ``+get -@all`` never equals ``-@all +get``."""
    selectors = []
    for i, seg in enumerate(line.split(" (")):
        if i > 0 and seg.endswith(")"):
            seg = seg[:-1]
        c = canonical_selector(seg)
        if c is None:
            return "!" + line
        selectors.append(c)
    return " | ".join(selectors)


def is_command_token(t: str) -> bool:
    """A `+...` / `-...` rule: a category (`+@x`) or a single."""
    return t[:1] in ("+", "-")


def ascii_lower(t: str) -> str:
    """Lowercase A-Z only, as Redis' command names compare."""
    return t.encode().lower().decode()


def canonical_selector(seg: str) -> Optional[str]:
    """One selector's tokens in order with its singles sorted, or None if not in Redis' shape."""
    tokens: List[str] = []
    for t in seg.split(" "):
        # A first argument containing a space (`+select|a b`) continues its token.
        if tokens and is_command_token(tokens[-1]) and t[:1] not in ("~", "%", "&", "+", "-", "("):
            tokens[-1] += " " + t
        else:
            tokens.append(t)
    fixed: List[str] = []
    singles: List[str] = []
    seen_command = False
    for t in tokens:
        if not is_command_token(t):
            if seen_command:
                return None
            fixed.append(t)
            continue
        seen_command = True
        if t[1:2] == "@":
            if singles:
                return None
            fixed.append(t)
            continue
        body = ascii_lower(t[1:])
        if "|" not in body and any(ascii_lower(s[1:]).startswith(body + "|") for s in singles):
            return None
        singles.append(t)
    return " ".join(fixed + sorted(singles, key=lambda s: s.encode()))


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
        if op == "allowed":
            return "OK" if acl.allowed(args[0], *args[1]) else "denied"
        if op == "denial":
            denial = acl.denial(args[0], *args[1])
            return "OK" if denial is None else denial.message
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


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_case_through_the_non_throwing_checks(case: Dict[str, Any]) -> None:
    """Every check step again through allowed() and denial(): allowed is True exactly when
    Redis ran the command, denial's message is Redis' NOPERM reply, and what is no permission
    answer (ERR ...) still raises with Redis' text."""
    acl = authgate.Acl()
    for step in case["steps"]:
        op, args, expect = step["op"], step["args"], step["expect"]
        if op != "check":
            run(acl, op, args)
            continue
        permission_answer = expect == "OK" or expect.startswith("NOPERM ")
        assert run(acl, "denial", args) == expect, step
        want_allowed = ("OK" if expect == "OK" else "denied") if permission_answer else expect
        assert run(acl, "allowed", args) == want_allowed, step


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


def test_canonical_rule_matches_the_shared_pairs() -> None:
    """The comparison rule itself, on the pairs every language's fixture test runs
    (tests/fixtures/canonical_cases.json): a wrong rule would let a wrong description pass."""
    pairs = json.loads((FIXTURES / "canonical_cases.json").read_text())["pairs"]
    for p in pairs:
        assert (canonical(p["a"]) == canonical(p["b"])) == p["equal"], p
    assert len(pairs) >= 20, f"pairs went missing: {len(pairs)}"
