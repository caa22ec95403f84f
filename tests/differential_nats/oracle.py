"""Records nats-server's verdicts for one case.

A case is a dict:
  name, seed             for reports (seed: the generator seed that reproduces it, or None)
  files                  {relative path: text}; written into a fresh directory of its own
  main                   the config file given to every tool (relative, so error texts name it
                         the same way for nats-server and authgate), or None for the seed's
                         command-line mode, whose flags are in `server_args`
  server_args            e.g. ["--user", "foo", "--pass", "bar"] or ["--auth", "T"]
  env                    extra environment for every tool (variables' environment fallback)
  logins                 [{user, password, token (each None = not sent), checks}] with checks
                         [["pub", subject] | ["sub", subject, queue or None]] in order
  note                   what the generator meant (where it put a syntax error, ...)

record(case, workdir) returns the case with:
  check                  {"ok": bool, "stage": "valid" | "check" | "startup", "lines": [...]}:
                         `nats-server -t` lines, or the start-up refusal of a config `-t` accepts;
                         for `-t` refusals also "variants": the error sets of CHECK_SAMPLES runs
  auth_required          INFO's auth_required (false with no_auth_user as well)
  auth_enabled           whether the server checks credentials (a made-up login is refused)
  logins[i]["expect"]    {"ok": False, "error": text} or {"ok": True, "user", "account",
                         "checks": [[...check, verdict, -ERR text or None]]}
  witness                where nats-py (options or URL) disagreed with the raw protocol
  witness_runs           [{login, via}]: the logins nats-py made, and how
"""
import copy
import os

from compare import mask_pointers
from natsserver import NatsServer, StartupRefused, check_config
from protocol import RawConn

GLOBAL_ACCOUNT = "$G"
CHECK_SAMPLES = 8  # `-t` runs per refused config (check_variants); --record-only takes more
PROBE_USER, PROBE_PASSWORD = "__authgate_probe__", "__not_a_password__"


def write_files(case, workdir):
    for rel, text in case.get("files", {}).items():
        path = os.path.join(workdir, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(text.encode("utf-8", "surrogateescape") if isinstance(text, str) else text)


def case_env(case):
    env = dict(os.environ)
    env.update(case.get("env") or {})
    return env


def record(case, workdir, witness=True, samples=None):
    case = copy.deepcopy(case)
    os.makedirs(workdir, exist_ok=True)
    write_files(case, workdir)
    env = case_env(case)
    main = case.get("main")
    if main is not None:
        ok, lines = check_config(main, workdir, env)
        if not ok:
            case["check"] = {"ok": False, "stage": "check", "lines": lines,
                             "variants": check_variants(main, workdir, env, (samples or CHECK_SAMPLES) - 1, [lines])}
            return case
        args = ["-c", main]
    else:
        args = list(case["server_args"])
    srv = NatsServer(args, workdir, env)
    try:
        srv.start()
    except StartupRefused as e:
        case["check"] = {"ok": False, "stage": "startup", "lines": e.lines}
        return case
    try:
        if main is not None:
            case["check"] = {"ok": True, "stage": "valid", "lines": []}
        case["auth_required"] = bool(srv.info.get("auth_required"))
        case["auth_enabled"] = _auth_enabled(srv)
        _run_logins(case, srv)
        if witness:
            case["witness"], case["witness_runs"] = _witness(case, srv)
    finally:
        srv.stop()
    return case


def error_set(lines):
    return sorted(mask_pointers(ln) for ln in lines)


def check_variants(main, workdir, env, runs, seen=()):
    """The distinct error sets of `runs` more `-t` runs, added to those already seen. Which of
    two conflicting auth settings nats-server reports depends on Go's map order, so one file
    has several correct outputs (observations/nats-2.9.10.txt [conflict-choice])."""
    variants = []
    for lines in seen:
        if error_set(lines) not in variants:
            variants.append(error_set(lines))
    for _ in range(runs):
        ok, lines = check_config(main, workdir, env)
        if not ok and error_set(lines) not in variants:
            variants.append(error_set(lines))
    return variants


def _run_logins(case, srv):
    conns = []
    try:
        for i, login in enumerate(case["logins"]):
            c = RawConn(srv.port, f"login-{i}")
            conns.append(c)
            err = c.login(login.get("user"), login.get("password"), login.get("token"))
            if err is not None:
                login["expect"] = {"ok": False, "error": err}
                c.close()
                continue
            checks = []
            for chk in login["checks"]:
                verdict, text = c.pub(chk[1]) if chk[0] == "pub" else c.sub(chk[1], chk[2])
                checks.append(list(chk) + [verdict, text])
            login["expect"] = {"ok": True, "checks": checks}
        by_name = {ci.get("name"): ci for ci in srv.connz()}
        in_global = None
        for i, login in enumerate(case["logins"]):
            exp = login["expect"]
            if not exp["ok"]:
                continue
            ci = by_name.get(f"login-{i}")
            if ci is None:
                raise RuntimeError(f"login-{i} accepted but missing from /connz")
            exp["user"] = _login_user(case, srv, login, ci)
            account = ci.get("account")
            if account is None:
                # connz leaves the global account out (observations/nats-2.9.10.txt
                # [connz-global-account]); ask for that account's clients to be sure.
                if in_global is None:
                    in_global = {c.get("cid") for c in srv.connz(acc=GLOBAL_ACCOUNT)}
                if ci.get("cid") not in in_global:
                    raise RuntimeError(f"login-{i}: no account in /connz and not in {GLOBAL_ACCOUNT}")
                account = GLOBAL_ACCOUNT
            exp["account"] = account
    finally:
        for c in conns:
            c.close()


def _auth_enabled(srv):
    """Whether the server checks credentials at all. INFO's auth_required does not tell: it is
    false with no_auth_user too. A made-up user with a made-up password is accepted exactly by a
    server without auth (spec §2.2, §4.2)."""
    probe = RawConn(srv.port, "auth-probe")
    try:
        return probe.login(PROBE_USER, PROBE_PASSWORD, None) is not None
    finally:
        probe.close()


def _login_user(case, srv, login, ci):
    """The configured user the login resolved to. /connz's authorized_user is the name the
    client's options hold after no_auth_user (server/client.go getRawAuthUser): also the token,
    or a name the client sent to a server without users (observations/nats-2.9.10.txt
    [connz-authorized-user]); those logins have no configured user."""
    if not case["auth_enabled"]:
        return ""
    if login.get("token") is not None:
        probe = RawConn(srv.port, "token-probe")
        try:
            # accepted with the token alone: the server is in token mode, the login is the token's
            if probe.login(None, None, login["token"]) is None:
                return ""
        finally:
            probe.close()
    return ci.get("authorized_user") or ""


def _witness(case, srv):
    """nats-py's verdicts where it can send the same login, compared with the raw protocol's."""
    import pyclient  # here: nats_emulator.py, which never witnesses, starts faster without it
    logins = [dict(lg, name=f"py-{i}") for i, lg in enumerate(case["logins"])]
    found, runs = [], []
    for i, how, res in pyclient.run_logins(srv.port, logins):
        runs.append({"login": i, "via": how})
        exp = case["logins"][i]["expect"]
        if res["login"] is not None or not exp["ok"]:
            raw = None if exp["ok"] else exp["error"]
            py = res["login"]
            if py != raw:
                found.append({"login": i, "via": how, "raw": raw, "nats-py": py})
            continue
        for j, (chk, got) in enumerate(zip(exp["checks"], res["checks"])):
            if got[0] == "client-error":
                continue
            # nats-py lower-cases -ERR texts (its protocol/parser.py: `.decode().lower()`)
            if got[0] != chk[-2] or (got[1] or "").lower() != (chk[-1] or "").lower():
                found.append({"login": i, "via": how, "check": j, "raw": chk[-2:], "nats-py": list(got)})
    return found, runs

