#!/usr/bin/env python3
"""Re-records observations/nats-2.9.10.txt: the nats-server 2.9.10 (and nats-py) behaviour that
each normalisation of the suite rests on, and the start-versus-reload timing the runner's design
rests on. Every probe runs nats-server as the suite does (natsserver.py).

  python3 tests/differential_nats/observe.py [--out PATH]
"""
import argparse
import asyncio
import os
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from natsserver import NATS_SERVER, NatsServer, StartupRefused, check_config, server_version  # noqa: E402
from protocol import RawConn  # noqa: E402

OUT = os.path.join(HERE, "observations", "nats-2.9.10.txt")
RUNS = 30


def write(d, name, text):
    with open(os.path.join(d, name), "w") as f:
        f.write(text)


def check_output(d, say):
    write(d, "ok.conf", "authorization { user: a, password: b }\n")
    write(d, "bad.conf", "authorization {\n  tiemout: 1\n  token: t\n  user: a\n}\n")
    for name in ("ok.conf", "bad.conf"):
        p = subprocess.run([NATS_SERVER, "-t", "-c", name], cwd=d, capture_output=True)
        say(f"  -t -c {name}: exit {p.returncode}; stdout {p.stdout!r}; stderr {p.stderr!r}")


def error_order(d, say):
    write(d, "multi.conf", "authorization {\n  tiemout: 1\n  userz: 2\n  bogus: 3\n  token: t\n"
                           "  users = [{user: a, password: b}, {user: a, password: c}]\n}\n")
    orders = {}
    for _ in range(RUNS):
        _ok, lines = check_config("multi.conf", d)
        orders[tuple(lines)] = orders.get(tuple(lines), 0) + 1
    say(f"  {RUNS} runs of -t on one file, {len(orders)} different orders of the same lines:")
    for lines, n in sorted(orders.items(), key=lambda kv: -kv[1]):
        say(f"  {n:3d}x " + " | ".join(lines))


def conflict_choice(d, say):
    write(d, "cc.conf", "authorization {\n  token: t\n  users = [{user: c, password: d}]\n}\n"
                        "accounts {\n  A { users = [{user: a, password: b}] }\n}\n")
    sets = {}
    for _ in range(RUNS):
        _ok, lines = check_config("cc.conf", d)
        key = tuple(sorted(lines))
        sets[key] = sets.get(key, 0) + 1
    say(f"  {RUNS} runs of -t on one file, {len(sets)} different error sets:")
    for lines, n in sorted(sets.items(), key=lambda kv: -kv[1]):
        say(f"  {n:3d}x " + " | ".join(lines))


def duplicate_option(d, say):
    write(d, "dup.conf", "authorization { users = [{user: ivan, password: p}] }\n"
                         "NO_AUTH_USER: ivan\nno_auth_user: ghost\n")
    seen = {}
    for _ in range(RUNS):
        try:
            NatsServer(["-c", "dup.conf"], d).start().stop()
            key = "started"
        except StartupRefused as e:
            key = "refused: " + " | ".join(e.lines)
        seen[key] = seen.get(key, 0) + 1
    say(f"  `NO_AUTH_USER: ivan` and `no_auth_user: ghost` in one file (two keys of the parse tree, one "
        f"option), {RUNS} starts:")
    for key, n in sorted(seen.items(), key=lambda kv: -kv[1]):
        say(f"  {n:3d}x {key}")


def pointer_values(d, say):
    write(d, "ptr.conf", "authorization {\n  users = { user: a, password: b }\n}\n")
    seen = {tuple(check_config("ptr.conf", d)[1]) for _ in range(3)}
    say(f"  3 runs of -t, {len(seen)} different texts:")
    for lines in sorted(seen):
        say("  " + " | ".join(lines))


def connz(d, say):
    cases = [
        ("token mode", "authorization { token: s3cr3t }\n", [(None, None, "s3cr3t"), ("someone", "pw", "s3cr3t")]),
        ("no auth", "port: 4222\n", [("anyone", "anything", None), (None, None, "a-token"), (None, None, None)]),
        ("users in $G and in account A",
         "accounts { A { users = [{user: u1, password: p}] } }\nauthorization { users = [{user: g1, password: p}] }\n",
         [("g1", "p", None), ("u1", "p", None)]),
        ("no_auth_user", "authorization { users = [{user: a, password: b}] }\nno_auth_user: a\n", [(None, None, None)]),
    ]
    for title, text, logins in cases:
        write(d, "connz.conf", text)
        with NatsServer(["-c", "connz.conf"], d) as srv:
            conns = []
            for i, (u, p, t) in enumerate(logins):
                c = RawConn(srv.port, f"obs-{i}")
                err = c.login(u, p, t)
                conns.append(c)
                say(f"  [{title}] INFO auth_required={srv.info.get('auth_required')!r}; CONNECT user={u!r} "
                    f"pass={p!r} auth_token={t!r}: {'accepted' if err is None else err}")
            rows = {ci["name"]: ci for ci in srv.connz()}
            in_g = {ci["cid"] for ci in srv.connz(acc="$G")}
            for i in range(len(logins)):
                ci = rows.get(f"obs-{i}")
                if ci:
                    say(f"    obs-{i}: authorized_user={ci.get('authorized_user')!r} account={ci.get('account')!r} "
                        f"listed by connz?acc=$G: {ci['cid'] in in_g}")
            for c in conns:
                c.close()


def nats_py(d, say):
    import nats

    write(d, "np.conf", 'authorization { users = [{user: a, password: b, permissions: {publish: "ok"}}] }\n')
    with NatsServer(["-c", "np.conf"], d) as srv:
        async def run(flushes):
            errs = []

            async def cb(e):
                errs.append(str(e))
            nc = await nats.connect(f"nats://a:b@127.0.0.1:{srv.port}", error_cb=cb, allow_reconnect=False)
            got = []
            for subj in ("denied.1", "ok", "denied.2"):
                del errs[:]
                await nc.publish(subj, b"")
                for _ in range(flushes):
                    await nc.flush()
                got.append(f"{subj}: {errs[:] or 'no error'}")
            await nc.close()
            return got
        for flushes in (1, 2):
            results = [tuple(asyncio.run(run(flushes))) for _ in range(5)]
            say(f"  publish then {flushes} flush(es), 5 runs: " + " || ".join(sorted({" ; ".join(r) for r in results})))


def start_vs_reload(d, say):
    write(d, "r.conf", "authorization { users = [{user: a, password: b}] }\n")
    t = time.perf_counter()
    for _ in range(RUNS):
        NatsServer(["-c", "r.conf"], d).start().stop()
    per_start = (time.perf_counter() - t) / RUNS
    srv = NatsServer(["-c", "r.conf"], d).start()
    try:
        t = time.perf_counter()
        for i in range(RUNS):
            write(d, "r.conf", "authorization { users = [{user: a%d, password: b}] }\n" % i)
            n = len(srv.log)
            srv.proc.send_signal(signal.SIGHUP)
            if srv.wait_for_log("Reloaded server configuration", n, 10) is None:
                raise RuntimeError("no reload in 10 s:\n" + "\n".join(srv.log[n:]))
        per_reload = (time.perf_counter() - t) / RUNS
    finally:
        srv.stop()
    say(f"  start (to `Server is ready` + INFO) and stop: {per_start * 1000:.1f} ms per server ({RUNS} runs)")
    say(f"  SIGHUP reload (to `Reloaded server configuration`): {per_reload * 1000:.1f} ms per reload ({RUNS} runs)")


PROBES = [("check-output", check_output), ("error-order", error_order), ("conflict-choice", conflict_choice),
          ("duplicate-option", duplicate_option), ("pointer-values", pointer_values),
          ("connz-authorized-user / connz-global-account / info-auth-required", connz),
          ("nats-py-flush", nats_py), ("start-vs-reload", start_vs_reload)]


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", default=OUT)
    args = ap.parse_args()
    lines = [f"# {server_version()} as tests/differential_nats/natsserver.py runs it (observe.py).",
             "# Each [probe] is cited by the normalisation or design choice it supports."]
    with tempfile.TemporaryDirectory() as d:
        for name, fn in PROBES:
            lines.append("")
            lines.append(f"[{name}]")
            fn(d, lines.append)
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
