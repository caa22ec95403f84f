"""Starting and stopping the servers under comparison.

Each server runs in its own temporary working directory, and an aclfile (when the profile uses
one) is configured with the *relative* path `users.acl`, so error texts that quote the aclfile
path are byte-identical on both servers (spec §14).
"""
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts"))
from resp_client import RespConnection  # noqa: E402

REPO = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
REDIS_SERVER = os.environ.get("REDIS_SERVER", "redis-server")
ACLFILE_NAME = "users.acl"
INITIAL_ACLFILE = "user default on nopass ~* &* +@all\n"

# Server profiles: the configuration both servers of a pair are started with.
PROFILES = {
    "plain": {},
    "aclfile": {"aclfile": ACLFILE_NAME},
    "pubsub-allchannels": {"acl-pubsub-default": "allchannels", "acllog-max-len": "5"},
}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def find_authgate_bin():
    """The authgate binary: $AUTHGATE_BIN, else the first cargo build output that exists."""
    env = os.environ.get("AUTHGATE_BIN")
    if env:
        return env
    for sub in ("x86_64-unknown-linux-gnu/debug", "debug", "x86_64-unknown-linux-gnu/release", "release"):
        p = os.path.join(REPO, "target", sub, "authgate")
        if os.path.isfile(p) and os.access(p, os.X_OK):
            return p
    return None


# The password of the upstream redis-server behind an authgate proxy (kind "proxy"): an
# upstream with only `requirepass`, as an old Redis would run, whose ACL users are authgate's.
UPSTREAM_PASSWORD = "upstream-secret"


class Server:
    """One server process. kind is "redis", "authgate", or "proxy": `authgate serve
    --upstream` in front of its own redis-server (started with only a password)."""

    def __init__(self, kind, binary, profile, label):
        self.kind = kind
        self.binary = binary
        self.profile = PROFILES[profile]
        self.profile_name = profile
        self.label = label
        self.workdir = tempfile.mkdtemp(prefix=f"authgate-diff-{label}-")
        self.proc = None
        self.port = None
        self.log_path = os.path.join(self.workdir, "server.log")
        self.extra_args = []  # more command-line arguments (observe.py)
        self.upstream = None  # kind "proxy": the redis-server behind authgate

    @property
    def aclfile_path(self):
        return os.path.join(self.workdir, ACLFILE_NAME)

    def write_aclfile(self, text):
        with open(self.aclfile_path, "wb") as f:
            f.write(text if isinstance(text, bytes) else text.encode())

    def remove_aclfile(self):
        try:
            os.unlink(self.aclfile_path)
        except FileNotFoundError:
            pass

    def read_aclfile(self):
        try:
            with open(self.aclfile_path, "rb") as f:
                return f.read()
        except FileNotFoundError:
            return None

    def _command(self):
        if self.kind == "redis":
            cmd = [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                   "--appendonly", "no", "--dir", self.workdir, "--daemonize", "no"]
            for k, v in self.profile.items():
                cmd += ["--" + k, v]
            return cmd + self.extra_args
        # --bind as for redis-server: CONFIG GET bind and the laddr of client lines are compared
        cmd = [self.binary, "serve", "--port", str(self.port), "--bind", "127.0.0.1"]
        if self.kind == "proxy":
            cmd += ["--upstream", f"redis://:{UPSTREAM_PASSWORD}@127.0.0.1:{self.upstream.port}"]
        if self.profile:
            conf = os.path.join(self.workdir, "authgate.conf")
            with open(conf, "w") as f:
                for k, v in self.profile.items():
                    f.write(f"{k} {v}\n")
            cmd += ["--config", conf]
        return cmd

    def start(self):
        if self.kind == "proxy" and self.upstream is None:
            self.upstream = Server("redis", REDIS_SERVER, "plain", self.label + "-upstream")
            self.upstream.extra_args = ["--requirepass", UPSTREAM_PASSWORD]
            self.upstream.start()
        if "aclfile" in self.profile:
            self.write_aclfile(INITIAL_ACLFILE)
        last_err = None
        for _attempt in range(5):
            self.port = free_port()
            log = open(self.log_path, "ab")
            self.proc = subprocess.Popen(self._command(), cwd=self.workdir, stdout=log,
                                         stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
            log.close()
            deadline = time.time() + 15
            while time.time() < deadline:
                if self.proc.poll() is not None:
                    break
                try:
                    c = RespConnection(port=self.port, timeout=2)
                    r = c.call_tagged("PING")
                    c.close()
                    if r[0] in ("+", "-"):
                        return
                except OSError:
                    time.sleep(0.02)
            last_err = f"{self.label} ({self.kind}) did not start; log {self.log_path}:\n" + self.log_tail()
            self.stop()
        raise RuntimeError(last_err)

    def log_tail(self, n=4000):
        try:
            with open(self.log_path, "rb") as f:
                return f.read()[-n:].decode("utf-8", "replace")
        except OSError:
            return ""

    def alive(self):
        up = self.upstream is None or self.upstream.alive()
        return up and self.proc is not None and self.proc.poll() is None

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
        self.proc = None

    def restart(self):
        self.stop()
        if self.upstream is not None:
            self.upstream.restart()
        self.start()

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.workdir, ignore_errors=True)
        if self.upstream is not None:
            self.upstream.cleanup()
            self.upstream = None

    def connect(self, timeout=5.0):
        return RespConnection(port=self.port, timeout=timeout)
