#!/usr/bin/env python3
"""The `authgate nats` CLI contract (issue 11 item 5) played by nats-server itself.

`run_nats_differential.py --against-nats` puts this program where authgate goes, so that the
suite compares nats-server with a second nats-server run: every normalisation in compare.py must
leave them equal (the order of -t errors, Go pointer values and the like change between runs,
and this is where that is seen). It answers from a fresh nats-server process per command, through
the same raw-protocol code as the oracle (oracle.py); the nats-py witness is what checks that code.

  nats check FILE
  nats auth (FILE | --server-user=U --server-pass=P | --server-auth=T) [--user=U] [--password=P]
            [--token=T] [--pub=SUBJECT]... [--sub=SUBJECT[ QUEUE]]...
  nats passwd [--cost=N]      (the password on stdin; Python's bcrypt)
"""
import os
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import oracle  # noqa: E402
from compare import AUTH_VIOLATION, check_line  # noqa: E402
from fixtures import to_record  # noqa: E402

FLAG_OF = {"--server-user": "--user", "--server-pass": "--pass", "--server-auth": "--auth"}


def split_opt(arg):
    if not arg.startswith("--") or "=" not in arg:
        raise SystemExit(f"nats_emulator: expected --opt=value, got {arg!r}")
    return arg.split("=", 1)


def check(path):
    recorded = oracle.record({"name": "check", "files": {}, "main": path, "logins": []},
                             os.getcwd(), witness=False, samples=1)
    if recorded["check"]["ok"]:
        print("ok")
        return 0
    print("\n".join(recorded["check"]["lines"]))  # this run's lines, as nats-server printed them
    return 1


def auth(args):
    case = {"name": "auth", "files": {}, "main": None, "server_args": [], "logins": []}
    login = {"user": None, "password": None, "token": None, "checks": []}
    if args and not args[0].startswith("--"):
        case["main"] = args.pop(0)
    for arg in args:
        k, v = split_opt(arg)
        if k in FLAG_OF:
            case["server_args"] += [FLAG_OF[k], v]
        elif k in ("--user", "--password", "--token"):
            login[k[2:]] = v
        elif k == "--pub":
            login["checks"].append(["pub", v])
        elif k == "--sub":
            subj, _, q = v.partition(" ")
            login["checks"].append(["sub", subj, q or None])
        else:
            raise SystemExit(f"nats_emulator: unknown option {k}")
    case["logins"].append(login)
    with tempfile.TemporaryDirectory() as scratch:
        cwd = os.getcwd() if case["main"] else scratch
        recorded = oracle.record(case, cwd, witness=False, samples=1)
    rec = to_record(recorded)
    if not rec.get("check", {"ok": True})["ok"]:
        print("\n".join(recorded["check"]["lines"]))
        return 1
    lg = rec["logins"][0]
    if not lg["ok"]:
        print(AUTH_VIOLATION)
        return 1
    print(f"ok user={lg['user_name']} account={lg['account']}")
    for c in lg["checks"]:
        print(check_line(c))
    return 0


def passwd(args):
    import bcrypt

    cost = 11
    for arg in args:
        k, v = split_opt(arg)
        if k != "--cost":
            raise SystemExit(f"nats_emulator: unknown option {k}")
        cost = int(v)
    pw = sys.stdin.buffer.read().rstrip(b"\r\n")
    print(bcrypt.hashpw(pw[:72], bcrypt.gensalt(cost, prefix=b"2a")).decode())
    return 0


def main(argv):
    if argv[:1] != ["nats"] or len(argv) < 2:
        raise SystemExit("usage: nats_emulator.py nats (check|auth|passwd|--help) ...")
    cmd, rest = argv[1], argv[2:]
    if cmd == "--help":
        print(__doc__)
        return 0
    if cmd == "check":
        return check(rest[0])
    if cmd == "auth":
        return auth(rest)
    if cmd == "passwd":
        return passwd(rest)
    raise SystemExit(f"nats_emulator: unknown command {cmd}")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
