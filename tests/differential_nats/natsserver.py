"""nats-server 2.9.10, the oracle: `-t` config checks and servers started on loopback.

A server is started with `-c FILE -a 127.0.0.1 -p -1 -m -1` (a random client port and a random
monitoring port, chosen by the server itself, so no free-port race) in the config's own directory,
so relative includes and the file names in error texts are the same for every tool that reads the
config. Readiness is an event, not a delay: the harness reads the server's log (stderr) until the
line `Server is ready`, takes both ports from the `Listening for client connections on` and
`Starting http monitor on` lines, then connects once and reads INFO. A server that exits before
that line refused to start: its stderr is the start-up error (spec §3.3: `-t` does not run that
validation).
"""
import json
import os
import re
import socket
import subprocess
import threading
import time
import urllib.parse
import urllib.request

NATS_SERVER = os.environ.get("NATS_SERVER", "nats-server")
PROG_PREFIX = "nats-server: "
START_TIMEOUT = 15.0

_LISTEN_RE = re.compile(r"Listening for client connections on 127\.0\.0\.1:(\d+)")
_MONITOR_RE = re.compile(r"Starting http monitor on 127\.0\.0\.1:(\d+)")


def server_version():
    out = subprocess.run([NATS_SERVER, "--version"], capture_output=True, text=True, check=True)
    return out.stdout.strip()


def check_config(main, cwd, env=None):
    """`nats-server -t -c main` run in cwd: (valid, lines). lines are the output without the
    program-name prefix of the first line and without empty lines (the error lines, or the
    `configuration file X is valid` line)."""
    p = subprocess.run([NATS_SERVER, "-t", "-c", main], cwd=cwd, env=env, capture_output=True,
                       timeout=30)
    return p.returncode == 0, output_lines(p.stdout + p.stderr)


def output_lines(raw):
    """nats-server's message text as lines: PrintAndDie writes `nats-server: ` and the error's
    text, whose errors are joined by newlines (observations/nats-2.9.10.txt [check-output])."""
    text = raw.decode("utf-8", "surrogateescape")
    if text.startswith(PROG_PREFIX):
        text = text[len(PROG_PREFIX):]
    return [ln for ln in text.replace("\r\n", "\n").split("\n") if ln.strip()]


class StartupRefused(Exception):
    """nats-server exited instead of becoming ready; .lines is its message."""

    def __init__(self, lines, code):
        super().__init__("\n".join(lines))
        self.lines = lines
        self.code = code


class NatsServer:
    """One nats-server process. args are the server's arguments besides the listen options
    (`-c main`, or the single-user flags `--user U --pass P` / `--auth T` of the seed)."""

    def __init__(self, args, cwd, env=None):
        self.args = list(args)
        self.cwd = cwd
        self.env = env
        self.proc = None
        self.port = None
        self.http_port = None
        self.info = None
        self.log = []
        self._cond = threading.Condition()
        self._eof = False
        self._reader = None

    def start(self):
        cmd = [NATS_SERVER] + self.args + ["-a", "127.0.0.1", "-p", "-1", "-m", "-1"]
        self.proc = subprocess.Popen(cmd, cwd=self.cwd, env=self.env, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self._eof = False
        self._reader = threading.Thread(target=self._read_log, daemon=True)
        self._reader.start()
        at = self.wait_for_log("Server is ready", 0, START_TIMEOUT)
        if at is None:
            if self._eof:
                code = self.proc.wait()
                self.proc = None
                raise StartupRefused(output_lines("\n".join(self.log).encode("utf-8", "surrogateescape")), code)
            self.stop()
            raise RuntimeError(f"nats-server {self.args} not ready after {START_TIMEOUT}s:\n" + "\n".join(self.log))
        for line in self.log[:at + 1]:
            m = _LISTEN_RE.search(line)
            if m:
                self.port = int(m.group(1))
            m = _MONITOR_RE.search(line)
            if m:
                self.http_port = int(m.group(1))
        if not self.port or not self.http_port:
            self.stop()
            raise RuntimeError("nats-server ready without both ports in its log:\n" + "\n".join(self.log))
        # The connection the brief asks for: the server answers with INFO once it accepts clients.
        with socket.create_connection(("127.0.0.1", self.port), timeout=5) as s:
            first = s.makefile("rb").readline()
        if not first.startswith(b"INFO "):
            self.stop()
            raise RuntimeError(f"nats-server's first line is not INFO: {first!r}")
        self.info = json.loads(first[5:])
        return self

    def _read_log(self):
        for raw in self.proc.stderr:
            with self._cond:
                self.log.append(raw.decode("utf-8", "surrogateescape").rstrip("\r\n"))
                self._cond.notify_all()
        with self._cond:
            self._eof = True
            self._cond.notify_all()

    def wait_for_log(self, text, since, timeout):
        """Index of the first log line from `since` on that contains text, waiting for the
        server to print it; None if the log ends (the process exited) or timeout passes."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for i in range(since, len(self.log)):
                    if text in self.log[i]:
                        return i
                since = len(self.log)
                left = deadline - time.monotonic()
                if self._eof or left <= 0:
                    return None
                self._cond.wait(left)

    def connz(self, **params):
        """The monitoring endpoint /connz with auth=true (user and account of each client)."""
        q = dict(params, auth="true", limit="100000")
        url = f"http://127.0.0.1:{self.http_port}/connz?" + urllib.parse.urlencode(q)
        with urllib.request.urlopen(url, timeout=10) as r:
            return json.load(r).get("connections") or []

    def stop(self):
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self._reader is not None:
            self._reader.join(timeout=5)
        self.proc = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
