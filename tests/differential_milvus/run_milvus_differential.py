"""The Milvus differential suite (`make test-differential-milvus`): a real Milvus 2.3.5 on a real
etcd-server, against `authgate milvus users ...` on the same etcd.

1. Every step of the cases (tests/differential_milvus/cases.py: fixed edge cases and seeded
   generated names and passwords) runs on Milvus through pymilvus and through the authgate CLI
   (its own root path in the same etcd, bcrypt cost 4): outcome and Milvus' message compared
   step by step, and the live server compared with tests/fixtures/milvus_cases.json (codes
   included), which every language's tests replay.
2. Interoperation through Milvus' own keys (by-dev/meta/...): a user created with pymilvus
   verifies in authgate; a user created by authgate logs in to Milvus; the stored value is
   Milvus' JSON.
3. Concurrent writers (several authgate processes): no lost create, exactly one of several
   racing password changes from the same old password wins.
4. kill -9 of writers (file store and etcd store) at random moments: the store stays readable
   and consistent.
5. Item 4a: what a password change and a delete written by authgate into etcd do to logins on
   the running Milvus (its proxy caches credentials), and after a restart, asserted as measured.

Prints `N passed, M failed` and exits 1 on any failure. Budget: about two minutes.
"""

import argparse
import json
import os
import pathlib
import random
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, str(pathlib.Path(__file__).parent))
import cases  # noqa: E402
import oracle  # noqa: E402
from milvus_client import MilvusDriver  # noqa: E402

FIXTURE = pathlib.Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "milvus_cases.json"

passed = 0
failed = 0


def check(ok: bool, what: str) -> None:
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print(f"FAIL {what}", flush=True)


class Cli:
    """`authgate milvus users ...` on one store; passwords on standard input."""

    def __init__(self, binary: str, store_args):
        self.binary, self.store_args = binary, list(store_args)

    def call(self, sub: str, *args: str, stdin: str = "", extra=()):
        p = subprocess.run([self.binary, "milvus", "users", sub, *self.store_args, *extra, *args],
                           input=stdin.encode(), capture_output=True, timeout=60)
        return p.returncode, p.stdout.decode(), p.stderr.decode().rstrip("\n")

    def run(self, step: dict, caller: str = "root", super_users=()):
        """The step's outcome as the fixture writes it, less the code (the CLI prints only
        Milvus' message; codes are checked by the fixture replays in every language)."""
        op, extra = step["op"], [a for s in super_users for a in ("--super-user", s)]
        if op == "create":
            rc, out, err = self.call("create", "--", step["user"], stdin=step["password"] + "\n", extra=extra)
        elif op == "update":
            rc, out, err = self.call("passwd", "--caller", caller, "--old-password", step["old"], "--", step["user"],
                                     stdin=step["new"] + "\n", extra=extra)
        elif op == "delete":
            rc, out, err = self.call("delete", "--", step["user"], extra=extra)
        elif op == "list":
            rc, out, err = self.call("list", extra=extra)
            # One name a line; a stored name may itself end in a newline ("q\n" is valid once trimmed).
            return {"ok": rc == 0, "result": out[:-1].split("\n") if out else []}
        elif op == "login":
            rc, out, err = self.call("verify", "--", step["user"], stdin=step["password"] + "\n", extra=extra)
            if rc not in (0, 1) or (rc == 1 and err != "auth check failure, please check username and password are correct"):
                return {"ok": False, "message": err}
            return {"ok": True, "result": rc == 0}
        else:
            raise ValueError(op)
        return {"ok": True} if rc == 0 else {"ok": False, "message": err}


def without_code(expect: dict) -> dict:
    return {k: v for k, v in expect.items() if k not in ("code", "refusal")}


def comparable(step: dict) -> bool:
    """A step the CLI can carry: passwords go on one stdin line, so none with a newline; a
    `list` with a name holding a newline is compared as Python would split it."""
    return not any("\n" in step.get(k, "") for k in ("password", "old", "new"))


def differential(driver: MilvusDriver, cli: Cli, steps, fixture_steps, name: str, super_users=()):
    for i, step in enumerate(steps):
        live = driver.run(step)
        if fixture_steps is not None:
            check(i < len(fixture_steps) and dict(step, expect=live) == fixture_steps[i],
                  f"{name} step {i}: live Milvus {live} differs from the fixture")
        if not comparable(step):
            continue
        ours = cli.run(step, super_users=super_users)
        want = without_code(live)
        if step["op"] == "list":
            # A name ending in a newline prints as two lines; compare what a line split shows.
            want = {"ok": True, "result": "\n".join(live["result"]).split("\n")}
        check(ours == want, f"{name} step {i} {step}: Milvus {want} authgate {ours}")


def make_room(driver: MilvusDriver, binary: str, etcd: str):
    """The limit steps filled Milvus' store: authgate deletes the fill users in Milvus' etcd,
    and Milvus sees the room (a create works again)."""
    cli = Cli(binary, ["--etcd", etcd])
    names = [n for n in cli.call("list")[1].split("\n") if n.startswith(("fill", "overflow"))]
    check(all(cli.call("delete", n)[0] == 0 for n in names), "authgate deletes the fill users")
    from pymilvus import utility
    check(not any(n.startswith("fill") for n in utility.list_usernames(using=driver.alias)), "Milvus lists none of them")


def interop(driver: MilvusDriver, binary: str, etcd: str, port: int):
    cli = Cli(binary, ["--etcd", etcd, "--bcrypt-cost", "4"])
    from pymilvus import utility
    # Milvus -> authgate
    utility.create_user("made_by_milvus", "milvus-pw1", using=driver.alias)
    rc, out, _ = cli.call("verify", "made_by_milvus", stdin="milvus-pw1\n")
    check(rc == 0 and out == "ok\n", "a user created in Milvus verifies in authgate")
    rc, _, _ = cli.call("verify", "made_by_milvus", stdin="wrong-pw\n")
    check(rc == 1, "a wrong password of a Milvus user is refused by authgate")
    stored = oracle.etcdctl(etcd, "get", "by-dev/meta/root-coord/credential/users/made_by_milvus", "--print-value-only")
    value = json.loads(stored)
    check(list(value) == ["encrypted_password"] and value["encrypted_password"].startswith("$2a$04$"),
          f"Milvus stores {stored!r}")
    # authgate -> Milvus
    rc, _, err = cli.call("create", "made_by_authgate", stdin="authgate-pw1\n")
    check(rc == 0, f"authgate creates a user in Milvus' etcd ({err})")
    check(driver.login("made_by_authgate", "authgate-pw1")[0], "a user created by authgate logs in to Milvus")
    check(not driver.login("made_by_authgate", "wrong-pw")[0], "Milvus refuses a wrong password of an authgate user")
    check("made_by_authgate" in utility.list_usernames(using=driver.alias), "Milvus lists the authgate user")
    stored = oracle.etcdctl(etcd, "get", "by-dev/meta/root-coord/credential/users/made_by_authgate", "--print-value-only")
    check(json.loads(stored).keys() == {"encrypted_password"}, f"authgate stores Milvus' JSON: {stored!r}")
    # delete removes the user's role mappings, so a re-created user inherits nothing
    from pymilvus import Role
    role = Role("auditor", using=driver.alias)
    role.create()
    role.add_user("made_by_milvus")
    mapping = "by-dev/meta/root-coord/credential/user-role-mapping/made_by_milvus/"
    check(oracle.etcdctl(etcd, "get", "--prefix", mapping, "--keys-only").strip() != "", "Milvus wrote a role mapping")
    rc, _, _ = cli.call("delete", "made_by_milvus")
    check(rc == 0 and oracle.etcdctl(etcd, "get", "--prefix", mapping, "--keys-only").strip() == "",
          "authgate's delete removes the user's role mappings")
    check("made_by_milvus" not in utility.list_usernames(using=driver.alias), "Milvus no longer lists the deleted user")
    # Leave the user count as it was: the limit steps that follow fill the store from it.
    utility.delete_user("made_by_authgate", using=driver.alias)
    role.drop()


def proxy_cache(driver: MilvusDriver, binary: str, etcd: str):
    """Item 4a: Milvus 2.3.5's proxy caches a credential at its first login and is told of
    changes only by its own root coordinator, so a change written into etcd by another program
    is not seen by the running proxy. Asserted as measured; `after_restart` checks the rest."""
    cli = Cli(binary, ["--etcd", etcd, "--bcrypt-cost", "4"])
    for name, pw in (("cached", "cached-pw1"), ("gone", "gone-pw1")):
        check(cli.call("create", name, stdin=pw + "\n")[0] == 0, f"create {name}")
        check(driver.login(name, pw)[0], f"{name} logs in (the proxy now caches it)")
    check(cli.call("passwd", "cached", stdin="cached-pw1\ncached-pw2\n")[0] == 0, "authgate changes cached's password")
    check(cli.call("delete", "gone")[0] == 0, "authgate deletes gone")
    seen = {}
    for delay in (0.0, 3.0):
        time.sleep(delay)
        seen[delay] = (driver.login("cached", "cached-pw1")[0], driver.login("cached", "cached-pw2")[0],
                       driver.login("gone", "gone-pw1")[0])
    print(f"item 4a, running proxy (old password, new password, deleted user) at 0 s and 3 s: {seen}", flush=True)
    for delay, (old, new, gone) in seen.items():
        check(old and not new and gone,
              f"at {delay}s the running proxy still answers from its cache (old accepted, new refused, deleted "
              f"user accepted): measured {(old, new, gone)}")


def after_restart(driver: MilvusDriver):
    """Item 4a, continued: a restarted proxy reads etcd again."""
    seen = (driver.login("cached", "cached-pw1")[0], driver.login("cached", "cached-pw2")[0],
            driver.login("gone", "gone-pw1")[0])
    print(f"item 4a, after a Milvus restart (old password, new password, deleted user): {seen}", flush=True)
    check(seen == (False, True, False), f"a restarted Milvus sees authgate's changes: {seen}")


def concurrent_writers(binary: str, etcd: str, workdir: pathlib.Path):
    for store in (["--etcd", etcd, "--root-path", "concurrent"], ["--file", str(workdir / "concurrent.json")]):
        cli = Cli(binary, store + ["--bcrypt-cost", "4"])
        procs = [subprocess.Popen(["sh", "-c", " && ".join(
            f"printf 'writer-pw\\n' | {binary} milvus users create w{p}_{i} {' '.join(cli.store_args)}" for i in range(6))])
            for p in range(4)]
        check(all(p.wait(120) == 0 for p in procs), f"{store[0]}: every concurrent create succeeds")
        rc, out, _ = cli.call("list")
        names = out.split()
        check(all(f"w{p}_{i}" in names for p in range(4) for i in range(6)), f"{store[0]}: no create lost ({len(names)})")
        rc, _, _ = cli.call("create", "contended", stdin="start-pw\n")
        racers = [subprocess.Popen([binary, "milvus", "users", "passwd", "contended", *cli.store_args],
                                   stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                  for _ in range(4)]
        for n, r in enumerate(racers):
            r.stdin.write(f"start-pw\nnew-pw{n}\n".encode())
            r.stdin.close()
        codes = [r.wait(120) for r in racers]
        winners = [n for n, c in enumerate(codes) if c == 0]
        losers = [r.stderr.read().decode().strip() for r in racers if r.returncode != 0]
        check(len(winners) >= 1 and all(m == "old password not correct for contended: not authenticated" for m in losers),
              f"{store[0]}: racing password changes: winners {winners}, losers {losers}")
        verified = [n for n in range(4) if cli.call("verify", "contended", stdin=f"new-pw{n}\n")[0] == 0]
        # Each change verified the old password against what was stored when it swapped, so the
        # stored password is the last winner's and no winner's update was silently lost:
        # exactly one racer can have succeeded from the same old password.
        check(winners == verified and len(winners) == 1, f"{store[0]}: exactly one racer won: {winners} vs {verified}")


def kill9(binary: str, etcd: str, workdir: pathlib.Path):
    rng = random.Random(9)
    for store in (["--file", str(workdir / "kill9.json")], ["--etcd", etcd, "--root-path", "kill9"]):
        cli = Cli(binary, store + ["--bcrypt-cost", "4"])
        for round_ in range(6):
            script = " ; ".join(f"printf 'kill9-pw\\n' | exec {binary} milvus users create k{round_}_{i} {' '.join(cli.store_args)}"
                                for i in range(20))
            p = subprocess.Popen(["sh", "-c", script], start_new_session=True)
            time.sleep(rng.uniform(0.02, 0.3))
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
        rc, out, err = cli.call("list")
        check(rc == 0, f"{store[0]}: the store is readable after kill -9 ({err})")
        names = out.split()
        check("root" in names, f"{store[0]}: root survived")
        rc, _, err = cli.call("create", "after_kill", stdin="after-pw\n")
        check(rc == 0 and cli.call("verify", "after_kill", stdin="after-pw\n")[0] == 0,
              f"{store[0]}: writes work after kill -9 ({err})")
        if store[0] == "--file":
            path = pathlib.Path(store[1])
            json.loads(path.read_text())
            leftovers = [f.name for f in path.parent.iterdir() if f.name.endswith(".tmp")]
            # A kill between the temp file's creation and the rename leaves that temp file
            # (never the store torn); it is not the store and is ignored.
            print(f"kill -9: {len(names)} users in the file, stray temp files: {len(leftovers)}", flush=True)


def main():
    oracle.stop_on_sigterm()
    ap = argparse.ArgumentParser()
    ap.add_argument("--authgate", required=True)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    started = time.monotonic()
    fixture = json.loads(FIXTURE.read_text(encoding="utf-8"))
    fixture_rules = fixture["scenarios"][0]["steps"]
    with tempfile.TemporaryDirectory() as tmp, oracle.etcd_server() as etcd:
        workdir = pathlib.Path(tmp)
        with oracle.milvus_server(etcd) as port:
            driver = MilvusDriver(port)
            cli = Cli(args.authgate, ["--etcd", etcd, "--root-path", "authgate-diff", "--bcrypt-cost", "4"])
            plan = cases.scenarios(args.seed)[0]["steps"]
            differential(driver, cli, plan, fixture_rules if args.seed == 1 else None, "rules")
            existing = len(driver.run(cases.listing())["result"])
            limit = cases.limit_steps(existing)
            differential(driver, cli, limit, fixture_rules[len(plan):] if args.seed == 1 else None, "limit")
            make_room(driver, args.authgate, etcd)
            interop(driver, args.authgate, etcd, port)
            proxy_cache(driver, args.authgate, etcd)
            driver.close()
        with oracle.milvus_server(etcd) as port:
            driver = MilvusDriver(port)
            after_restart(driver)
            driver.close()
        concurrent_writers(args.authgate, etcd, workdir)
        kill9(args.authgate, etcd, workdir)
    print(f"milvus differential: {time.monotonic() - started:.0f}s", flush=True)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
