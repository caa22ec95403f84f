#!/usr/bin/env python3
"""Differential test: the same ACL scenarios against redis-server 7.0.15 and `authgate serve`.

Usage:
  run_differential.py [--authgate-bin PATH | --against-redis] [--seed S | --fresh] [--count N]
                      [--only-seed SEED] [--regression-seeds] [--no-fixed] [--restart-every N] [-v]

--fresh draws a new master seed and prints it first, so a failure reproduces with --seed S.
--regression-seeds also runs the scenario seeds in regression_seeds.txt (seeds that once found
a mismatch; each line says what it found).

Prints every mismatch (the first 20 in full) and a final line `N passed, M failed`, where N is the
number of scenarios without a mismatch. Exit status 1 if any scenario failed.
See README.md beside this file for what is normalised and why.
"""
import argparse
import os
import random
import shutil
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from runner import Pair, Stats  # noqa: E402
from scenario_gen import generate  # noqa: E402
from scenarios_fixed import fixed_scenarios  # noqa: E402
from datagen import data_scenarios  # noqa: E402
from normalize import set_proxy_mode  # noqa: E402
from servers import REDIS_SERVER, find_authgate_bin  # noqa: E402

FULL_MISMATCHES = 20
REGRESSION_SEEDS = os.path.join(HERE, "regression_seeds.txt")


def regression_seeds():
    """Scenario seeds from regression_seeds.txt: `<seed>  # what it found`."""
    with open(REGRESSION_SEEDS) as f:
        return [int(ln.split("#")[0]) for ln in f if ln.split("#")[0].strip()]


def scenario_seed(master, i):
    return master * 100_000 + i


def kind_for(seed):
    """Which generator a seed uses (stable for a seed, so --only-seed reproduces it)."""
    r = seed % 20
    if r == 7:
        return "default", "plain"
    if r in (3, 13):
        return "aclfile", "aclfile"
    if r == 11:
        return "random", "pubsub-allchannels"
    return "random", "plain"


def random_scenario(seed, name):
    kind, profile = kind_for(seed)
    steps, restart_after = generate(seed, kind)
    return {"name": name.format(kind=kind), "seed": seed, "profile": profile, "steps": steps,
            "restart_after": restart_after}


def random_scenarios(master, count):
    for i in range(count):
        yield random_scenario(scenario_seed(master, i), "random-{kind}-%d" % i)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--authgate-bin", default=None, help="authgate binary (default: $AUTHGATE_BIN or target/*/authgate)")
    ap.add_argument("--against-redis", action="store_true", help="compare redis-server with a second redis-server")
    ap.add_argument("--proxy", action="store_true",
                    help="compare redis-server with authgate --upstream in front of a redis-server "
                         "that has only a password")
    ap.add_argument("--seed", type=int, default=1, help="master seed of the generated scenarios")
    ap.add_argument("--fresh", action="store_true", help="a new random master seed (printed)")
    ap.add_argument("--regression-seeds", action="store_true", help="also run regression_seeds.txt")
    ap.add_argument("--count", type=int, default=600, help="number of generated scenarios")
    ap.add_argument("--only-seed", type=int, default=None, help="run only the generated scenario with this seed")
    ap.add_argument("--no-fixed", action="store_true", help="skip the hand-written scenarios")
    ap.add_argument("--only-fixed", action="store_true", help="run only the hand-written scenarios")
    ap.add_argument("--data", type=int, default=None,
                    help="number of generated data scenarios (datagen.py; default 60 with --proxy, else 0)")
    ap.add_argument("--restart-every", type=int, default=100, help="restart the servers every N scenarios")
    ap.add_argument("-v", "--verbose", action="store_true")
    ap.add_argument("--trace", action="store_true", help="print every command and reply")
    args = ap.parse_args()

    redis_bin = shutil.which(REDIS_SERVER) or REDIS_SERVER
    if args.against_redis:
        test_kind, test_bin = "redis", redis_bin
    else:
        test_kind = "proxy" if args.proxy else "authgate"
        if args.proxy:
            set_proxy_mode()
        test_bin = args.authgate_bin or find_authgate_bin()
        if not test_bin or not os.path.exists(test_bin):
            print("authgate binary not found: set AUTHGATE_BIN, pass --authgate-bin, build it, "
                  "or use --against-redis", file=sys.stderr)
            return 2
    if args.fresh:
        args.seed = random.SystemRandom().randrange(2, 10**6)
    print(f"reference: {redis_bin}; under test: {test_kind} {test_bin}; seed {args.seed} "
          f"(reproduce: --seed {args.seed} --count {args.count})", flush=True)

    scenarios = []
    if args.only_seed is not None:
        scenarios.append(random_scenario(args.only_seed, "random-{kind}"))
    else:
        if not args.no_fixed:
            scenarios.extend(fixed_scenarios())
        if not args.only_fixed:
            scenarios.extend(random_scenarios(args.seed, args.count))
        data = args.data if args.data is not None else (60 if args.proxy else 0)
        if not args.only_fixed and data:
            scenarios.extend(data_scenarios(args.seed, data))
        if args.regression_seeds:
            scenarios.extend(random_scenario(sd, "regression-{kind}") for sd in regression_seeds())

    pairs = {}
    stats = Stats()
    passed = failed = 0
    mismatches = []
    runs = {}
    t0 = time.time()
    try:
        for sc in scenarios:
            prof = sc["profile"]
            if prof not in pairs:
                pairs[prof] = Pair("redis", redis_bin, test_kind, test_bin, prof, stats=stats)
                pairs[prof].start()
                pairs[prof].trace = args.trace
                runs[prof] = 0
            pair = pairs[prof]
            if runs[prof] and runs[prof] % args.restart_every == 0 or sc.get("restart"):
                pair.restart()
            runs[prof] += 1
            found = pair.run(sc)
            if sc.get("restart_after"):
                pair.restart()
            if found:
                failed += 1
                for m in found:
                    full = len(mismatches) < FULL_MISMATCHES
                    print(m.describe(full=full), flush=True)
                    mismatches.append(m)
            else:
                passed += 1
                if args.verbose:
                    print(f"ok {sc['name']} seed={sc.get('seed')}", flush=True)
    finally:
        for p in pairs.values():
            p.stop()
    print(f"{len(mismatches)} mismatches in {failed} scenarios; {len(scenarios)} scenarios in "
          f"{time.time() - t0:.1f}s", flush=True)
    print(stats.summary(), flush=True)
    print(f"{passed} passed, {failed} failed", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
