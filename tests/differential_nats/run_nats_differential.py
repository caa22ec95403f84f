#!/usr/bin/env python3
"""Differential test: nats-server 2.9.10 against `authgate nats check` / `authgate nats auth`.

Usage:
  run_nats_differential.py [--authgate-bin PATH | --against-nats | --record-only]
                           [--seed S | --fresh] [--count N] [--only-seed SEED]
                           [--no-fixed | --only-fixed] [--regression-seeds] [--fixtures PATH]
                           [--full N] [--keep] [-v]

For each case (the seed's examples and spec cases, then N generated configs: generated config i
of --seed S has seed S*100000+i, and a seed's kind is fixed, so --only-seed reproduces it):
nats-server -t checks the config, a nats-server started on it answers real logins, publishes and
subscribes (raw protocol; nats-py as a second witness), then the CLI under test answers the same.
--record-only runs nats-server alone and writes its verdicts to --fixtures (default
tests/fixtures/nats_cases.json). --against-nats puts nats_emulator.py (the CLI contract played by
a second nats-server) under test: every normalisation must leave nats-server equal to itself.

Prints the seed, every mismatch (the first 20 in full, then one line each), a summary, and
`N passed, M failed` (N = cases without a mismatch). Exit status 1 if any case failed.
See README.md beside this file for what is compared and normalised, and why.
"""
import argparse
import os
import random
import re
import shlex
import shutil
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import cli as cli_mod  # noqa: E402
import compare  # noqa: E402
import confgen  # noqa: E402
import fixtures  # noqa: E402
import invalidgen  # noqa: E402
import oracle  # noqa: E402
import seedcases  # noqa: E402
from compare import Mismatch, expected_auth, expected_checks, got_check, want_mismatch  # noqa: E402
from natsserver import server_version  # noqa: E402

FULL_MISMATCHES = 20
DEFAULT_FIXTURES = os.path.join(cli_mod.REPO, "tests", "fixtures", "nats_cases.json")
PASSWD_COST = 4
REGRESSION_SEEDS = os.path.join(HERE, "regression_seeds.txt")
TARGET_VERSION = "v2.9.10"
RESAMPLE = 40  # more `-t` runs when the CLI's error set is none of those recorded
RECORD_SAMPLES = 30  # `-t` runs per refused config for the fixture file
_HASH = re.compile(r"^\$2[abxy]\$(\d\d)\$[./A-Za-z0-9]{53}$")


def regression_seeds():
    """Seeds from regression_seeds.txt: `<seed>  # what it found`."""
    with open(REGRESSION_SEEDS) as f:
        return [int(ln.split("#")[0]) for ln in f if ln.split("#")[0].strip()]


def kind_for(seed):
    """Three seeds in ten make invalid configs (stable for a seed)."""
    return "invalid" if seed % 10 in (3, 6, 9) else "valid"


def generated(seed, name=None):
    case = invalidgen.generate(seed) if kind_for(seed) == "invalid" else confgen.generate(seed)
    if name:
        case["name"] = f"{name}-{case['name']}"
    case.setdefault("server_args", [])
    return case


class Stats:
    def __init__(self):
        self.stage = {"valid": 0, "check": 0, "startup": 0, "cli-mode": 0}
        self.logins = {True: 0, False: 0}
        self.checks = {"allow": 0, "deny": 0, "other -ERR": 0}
        self.witness = {"options": 0, "url": 0}
        self.cli_runs = 0
        self.resampled = 0

    def add(self, rec, case):
        self.stage[rec["check"]["stage"] if "check" in rec else "cli-mode"] += 1
        for lg in rec.get("logins", []):
            self.logins[lg["ok"]] += 1
            for c in lg["checks"]:
                key = "allow" if c["allow"] else "deny" if c["error"] and "Permissions Violation" in c["error"] else "other -ERR"
                self.checks[key] += 1
        for how in case.get("witnessed", []):
            self.witness[how] += 1

    def summary(self):
        s, lg, c, w = self.stage, self.logins, self.checks, self.witness
        return (f"configs: {s['valid']} valid, {s['check']} refused by -t, {s['startup']} refused at start-up, "
                f"{s['cli-mode']} command-line mode; logins: {lg[True]} accepted, {lg[False]} refused; "
                f"checks: {c['allow']} allowed, {c['deny']} denied, {c['other -ERR']} refused with another -ERR; "
                f"nats-py witnessed {w['options']} logins by options and {w['url']} by URL; "
                f"{self.cli_runs} CLI runs; {self.resampled} checks re-sampled nats-server -t")


def harness_mismatches(rec, case, recorded):
    """Where nats-server contradicts the seed/spec, or nats-py contradicts the raw protocol."""
    out = []
    for i, lg in enumerate(case["logins"]):
        if "want" in lg and i < len(rec.get("logins", [])):
            diff = want_mismatch(dict(rec["logins"][i], want=lg["want"]))
            if diff:
                out.append(Mismatch(rec, f"login {i} ({lg.get('note') or 'want'})", lg["want"],
                                    {k: v[1] for k, v in diff.items()}, source="want"))
    if "check" in rec and not rec["check"]["ok"] and case.get("fixed"):
        out.append(Mismatch(rec, "check", ["a valid config"], rec["check"]["variants"], source="want"))
    seen = {w["login"]: w.get("via") for w in recorded.get("witness_runs", [])}
    for w in recorded.get("witness", []):
        what = f"login {w['login']} via nats-py {w['via']}" + (f" check {w['check']}" if "check" in w else "")
        out.append(Mismatch(rec, what, w["raw"], w["nats-py"], source="witness"))
    for i, lg in enumerate(case["logins"]):
        if lg.get("url") and seen.get(i) != "url":
            out.append(Mismatch(rec, f"login {i}", "logged in through a nats-py URL", seen.get(i), source="want",
                                detail="the URL form was not exercised"))
    return out


def shell_word(arg):
    """An argument as a shell would need it (repr for control characters: one line per report)."""
    return shlex.quote(arg) if arg.isprintable() else repr(arg)


def cli_mismatches(rec, case, cli, workdir, stats):
    out = []
    env = oracle.case_env(case)
    if rec.get("main") is not None:
        wants = expected_checks(rec)
        got = got_check(*cli.check(rec["main"], workdir, env))
        stats.cli_runs += 1
        if got not in wants and rec["check"]["stage"] == "check" and got[0] == 1:
            # a variant nats-server may print but did not in the first runs: look for it
            more = oracle.check_variants(rec["main"], workdir, env, RESAMPLE, rec["check"]["variants"])
            wants = [(1, v) for v in more]
            stats.resampled += 1
        if got not in wants:
            out.append(Mismatch(rec, f"check {rec['main']}", wants[0] if len(wants) == 1 else wants, got,
                                detail="" if len(wants) == 1 else f"any of {len(wants)} error sets"))
        if not rec["check"]["ok"]:
            return out
    for i, (lg, login) in enumerate(zip(rec["logins"], case["logins"])):
        want = expected_auth(lg)
        got = cli.auth(case, login, workdir, env)
        stats.cli_runs += 1
        if got != want:
            out.append(Mismatch(rec, f"login {i} ({lg['note']})", want, got,
                                detail="argv: " + " ".join(shell_word(a) for a in cli_mod.login_args(login))))
    return out


def passwd_case(cli, workdir, env):
    """The seed's mkpasswd example: (case, None) or (None, why it failed)."""
    rc, lines = cli.passwd("password", PASSWD_COST, workdir, env)
    hashes = [ln.split()[-1] for ln in lines if ln.split() and _HASH.match(ln.split()[-1])]
    if rc != 0 or len(hashes) != 1 or int(_HASH.match(hashes[0]).group(1)) != PASSWD_COST:
        return None, (rc, lines)
    return seedcases.passwd_case(hashes[0]), None


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--authgate-bin", default=None, help="authgate binary (default: $AUTHGATE_BIN or target/*/authgate)")
    ap.add_argument("--against-nats", action="store_true", help="put nats_emulator.py (nats-server itself) under test")
    ap.add_argument("--record-only", action="store_true", help="nats-server only: write its verdicts to --fixtures")
    ap.add_argument("--fixtures", default=None, help=f"fixture file to write (default with --record-only: {DEFAULT_FIXTURES})")
    ap.add_argument("--seed", type=int, default=1, help="master seed of the generated configs")
    ap.add_argument("--fresh", action="store_true", help="a new random master seed (printed)")
    ap.add_argument("--count", type=int, default=300, help="number of generated configs")
    ap.add_argument("--only-seed", type=int, default=None, help="run only the generated config with this seed")
    ap.add_argument("--no-fixed", action="store_true", help="skip the seed and spec cases")
    ap.add_argument("--only-fixed", action="store_true", help="run only the seed and spec cases")
    ap.add_argument("--regression-seeds", action="store_true", help="also run the seeds in regression_seeds.txt")
    ap.add_argument("--keep", action="store_true", help="keep the case directories (printed)")
    ap.add_argument("--full", type=int, default=FULL_MISMATCHES, help="mismatches printed in full (then one line each)")
    ap.add_argument("-v", "--verbose", action="store_true")
    ap.add_argument("--any-nats-version", action="store_true", help="run with a nats-server other than 2.9.10")
    args = ap.parse_args()

    version = server_version()
    if TARGET_VERSION not in version.split() and not args.any_nats_version:
        print(f"{version}: the oracle is nats-server {TARGET_VERSION} (issue 11; Debian bookworm's package); "
              "pass --any-nats-version to run anyway", file=sys.stderr)
        return 2

    if args.against_nats:
        cli, label = cli_mod.Cli(cli_mod.emulator_command()), "nats_emulator.py (nats-server)"
        compare.UNDER_TEST = "emulator"
    elif args.record_only:
        cli, label = None, "nothing (--record-only)"
    else:
        binary = args.authgate_bin or cli_mod.find_authgate_bin()
        if not binary or not os.path.exists(binary):
            print("authgate binary not found: set AUTHGATE_BIN, pass --authgate-bin, build it, "
                  "or use --record-only / --against-nats", file=sys.stderr)
            return 2
        if not cli_mod.has_nats_cli([binary]):
            print(f"{binary} has no `nats` command (`{binary} nats --help` failed): use --record-only "
                  "until it lands", file=sys.stderr)
            return 2
        cli, label = cli_mod.Cli([binary]), binary
    if args.fresh:
        args.seed = random.SystemRandom().randrange(2, 10**6)
    fixture_path = args.fixtures or (DEFAULT_FIXTURES if args.record_only else None)
    print(f"reference: {version}; under test: {label}; seed {args.seed} "
          f"(reproduce: --seed {args.seed} --count {args.count})", flush=True)

    root = tempfile.mkdtemp(prefix="authgate-nats-diff-")
    cases = []
    if args.only_seed is not None:
        cases.append(generated(args.only_seed))
    else:
        if not args.no_fixed:
            cases.extend(dict(c) for c in seedcases.cases())
        if not args.only_fixed:
            cases.extend(generated(args.seed * 100_000 + i, f"gen{i}") for i in range(args.count))
        if args.regression_seeds:
            cases.extend(generated(sd, "regression") for sd in regression_seeds())

    stats = Stats()
    mismatches, records = [], []
    passed = failed = 0
    t0 = time.time()

    def report(found):
        for m in found:
            print(m.describe(full=len(mismatches) < args.full), flush=True)
            mismatches.append(m)

    if cli is not None and not args.only_seed and not args.no_fixed:
        pc, why = passwd_case(cli, root, dict(os.environ))
        stats.cli_runs += 1
        if pc is None:
            bad = {"name": "seed-mkpasswd", "seed": None}
            report([Mismatch(bad, f"nats passwd --cost={PASSWD_COST} < 'password'",
                             (0, [f"one bcrypt hash of cost {PASSWD_COST}"]), why)])
            failed += 1
        else:
            cases.append(pc)
    try:
        for n, case in enumerate(cases):
            workdir = os.path.join(root, f"c{n}")
            recorded = oracle.record(case, workdir, samples=RECORD_SAMPLES if args.record_only else None)
            case["witnessed"] = [w["via"] for w in recorded.get("witness_runs", [])]
            rec = fixtures.to_record(recorded)
            records.append(rec)
            stats.add(rec, case)
            found = harness_mismatches(rec, case, recorded)
            if cli is not None:
                found += cli_mismatches(rec, case, cli, workdir, stats)
            if found:
                failed += 1
                report(found)
            else:
                passed += 1
                if args.verbose:
                    print(f"ok {case['name']} seed={case.get('seed')} ({case.get('note', '')})", flush=True)
    finally:
        if args.keep:
            print(f"case directories kept in {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)
    if fixture_path:
        fixtures.write(fixture_path, records, {
            "nats_server": version,
            "recorded_by": "tests/differential_nats/run_nats_differential.py --record-only "
                           f"--seed {args.seed} --count {args.count}",
            "format": "see tests/differential_nats/fixtures.py"})
        print(f"wrote {len(records)} cases to {fixture_path}")
    print(f"{len(mismatches)} mismatches in {failed} cases; {len(cases)} cases in {time.time() - t0:.1f}s", flush=True)
    print(stats.summary(), flush=True)
    print(f"{passed} passed, {failed} failed", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
