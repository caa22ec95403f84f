"""The CLI under test: `authgate nats check FILE`, `authgate nats auth FILE ...` and
`authgate nats passwd` (issue 11 item 5), or the same contract played by nats_emulator.py
(--against-nats).

Every argument is passed as `--opt=value`, so a password or subject that starts with `-` stays a
value. The command's stdout and stderr are read as one text, stdout first: the contract names
the lines and the exit status, not the stream.
"""
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
TIMEOUT = 60

# nats-server's single-user flags (the seed's command-line mode) -> authgate's
SERVER_FLAGS = {"--user": "--server-user", "-user": "--server-user", "--pass": "--server-pass",
                "-pass": "--server-pass", "--auth": "--server-auth", "-auth": "--server-auth"}
# nats-server flags with no bearing on authentication: -D/-V/-DV only set log levels
LOG_FLAGS = {"-D", "-V", "-DV", "-VD", "--debug", "--trace"}


def find_authgate_bin():
    env = os.environ.get("AUTHGATE_BIN")
    if env:
        return env
    for sub in ("x86_64-unknown-linux-gnu/debug", "debug", "x86_64-unknown-linux-gnu/release", "release"):
        p = os.path.join(REPO, "target", sub, "authgate")
        if os.path.isfile(p) and os.access(p, os.X_OK):
            return p
    return None


def emulator_command():
    return [sys.executable, os.path.join(HERE, "nats_emulator.py")]


def has_nats_cli(cmd):
    """Whether `cmd nats --help` works (the CLI may not have landed yet)."""
    try:
        p = subprocess.run(cmd + ["nats", "--help"], capture_output=True, timeout=TIMEOUT)
    except OSError:
        return False
    return p.returncode == 0


def server_args_to_cli(args):
    out, i = [], 0
    while i < len(args):
        a = args[i]
        if a in LOG_FLAGS:
            i += 1
            continue
        if a not in SERVER_FLAGS or i + 1 >= len(args):
            raise ValueError(f"no authgate equivalent for nats-server argument {a!r}")
        out.append(f"{SERVER_FLAGS[a]}={args[i + 1]}")
        i += 2
    return out


def login_args(login):
    out = []
    for key, opt in (("user", "--user"), ("password", "--password"), ("token", "--token")):
        if login.get(key) is not None:
            out.append(f"{opt}={login[key]}")
    for chk in login.get("checks", []):
        if chk[0] == "pub":
            out.append(f"--pub={chk[1]}")
        else:
            out.append(f"--sub={chk[1]}" + ("" if chk[2] is None else " " + chk[2]))
    return out


class Cli:
    def __init__(self, cmd):
        self.cmd = list(cmd)

    def _run(self, args, cwd, env, stdin=None):
        p = subprocess.run(self.cmd + args, cwd=cwd, env=env, input=stdin, capture_output=True,
                           timeout=TIMEOUT)
        text = (p.stdout + p.stderr).decode("utf-8", "surrogateescape")
        return p.returncode, [ln for ln in text.replace("\r\n", "\n").split("\n") if ln != ""]

    def check(self, main, cwd, env):
        return self._run(["nats", "check", main], cwd, env)

    def auth(self, case, login, cwd, env):
        if case.get("main") is not None:
            head = [case["main"]]
        else:
            head = server_args_to_cli(case["server_args"])
        return self._run(["nats", "auth"] + head + login_args(login), cwd, env)

    def passwd(self, password, cost, cwd, env):
        return self._run(["nats", "passwd", f"--cost={cost}"], cwd, env, stdin=password.encode())
