"""Records tests/fixtures/milvus_cases.json from a real Milvus 2.3.5 on a real etcd.

    target/venv-milvus/bin/python tests/differential_milvus/record.py [--out PATH] [--check]

With --check, the live outcomes are compared with the committed fixture instead (every
mismatch printed, exit 1): the fixture is what the real server says today.
"""

import argparse
import json
import pathlib
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).parent))
import cases  # noqa: E402
import oracle  # noqa: E402
from milvus_client import MilvusDriver  # noqa: E402

FIXTURE = pathlib.Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "milvus_cases.json"


def run_scenario(driver: MilvusDriver, steps):
    out = []
    for step in steps:
        out.append(dict(step, expect=driver.run(step)))
    return out


def record(seed: int, generated: int):
    import pymilvus
    result = {
        "about": "Outcomes of Milvus 2.3.5 (the milvus PyPI package's server, on etcd-server 3.4) driven by "
                 f"pymilvus {pymilvus.__version__}; recorded by tests/differential_milvus/record.py. "
                 "Each scenario runs on a fresh store with root/Milvus; steps run in order. "
                 "Defaults: min_password_length 6, max_password_length 256, max_user_num 100.",
        "seed": seed,
        "scenarios": [],
    }
    plan = cases.scenarios(seed, generated)
    with oracle.etcd_server() as etcd:
        started = time.monotonic()
        with oracle.milvus_server(etcd, root_path="rules") as port:
            driver = MilvusDriver(port)
            rules = run_scenario(driver, plan[0]["steps"])
            existing = len(driver.run(cases.listing())["result"])
            limit = run_scenario(driver, cases.limit_steps(existing))
            driver.close()
        result["scenarios"].append({"name": "rules", "options": {}, "steps": rules + limit})
        super_plan = plan[2]
        with oracle.milvus_server(etcd, root_path="superusers", super_users=",".join(super_plan["options"]["super_users"])) as port:
            driver = MilvusDriver(port)
            result["scenarios"].append({"name": super_plan["name"], "options": super_plan["options"],
                                        "caller": "root", "steps": run_scenario(driver, super_plan["steps"])})
            driver.close()
        print(f"recorded in {time.monotonic() - started:.1f}s", file=sys.stderr)
    return result


def main():
    oracle.stop_on_sigterm()
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=str(FIXTURE))
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--generated", type=int, default=40)
    args = ap.parse_args()
    live = record(args.seed, args.generated)
    if not args.check:
        pathlib.Path(args.out).write_text(json.dumps(live, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"wrote {args.out}", file=sys.stderr)
        return 0
    committed = json.loads(FIXTURE.read_text(encoding="utf-8"))
    mismatches = 0
    for want, got in zip(committed["scenarios"], live["scenarios"]):
        for i, (w, g) in enumerate(zip(want["steps"], got["steps"])):
            if w != g:
                mismatches += 1
                print(f"MISMATCH {want['name']} step {i}: fixture {w} live {g}")
        if len(want["steps"]) != len(got["steps"]):
            mismatches += 1
            print(f"MISMATCH {want['name']}: {len(want['steps'])} steps in the fixture, {len(got['steps'])} live")
    total = sum(len(s["steps"]) for s in live["scenarios"])
    print(f"milvus fixture check: {total - mismatches} passed, {mismatches} failed")
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
