"""The fleet suite (issue 17): one etcd and three `authgate serve --acl-store` nodes on
loopback, on free ports, each with its own directory (aclfile, cache, log)."""
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid

import pytest
import redis

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "differential"))

from servers import find_authgate_bin, free_port  # noqa: E402

DEADLINE = 15.0


def wait_for(what, cond, timeout=DEADLINE):
    """Polls `cond` until it is truthy; fails with `what` after `timeout` seconds."""
    end = time.monotonic() + timeout
    while True:
        value = cond()
        if value:
            return value
        if time.monotonic() > end:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.01)


def port_open(port):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
        return True
    except OSError:
        return False


class Etcd:
    def __init__(self, directory):
        self.dir = directory
        self.port = free_port()
        self.peer = free_port()
        self.proc = None
        self.start()

    def start(self):
        client, peer = f"http://127.0.0.1:{self.port}", f"http://127.0.0.1:{self.peer}"
        self.proc = subprocess.Popen(
            ["etcd", "--data-dir", os.path.join(self.dir, "etcd"), "--listen-client-urls", client,
             "--advertise-client-urls", client, "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
             "--initial-cluster", f"default={peer}"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for("etcd to listen", lambda: port_open(self.port))

    def stop(self):
        if self.proc:
            self.proc.kill()
            self.proc.wait()
            self.proc = None

    def get(self, *args):
        """etcdctl get ARGS: the output's lines (key, value, key, value, ...)."""
        out = subprocess.run(["etcdctl", f"--endpoints=127.0.0.1:{self.port}", "get", *args],
                             env={**os.environ, "ETCDCTL_API": "3"}, capture_output=True, check=True).stdout
        return out.split(b"\n")[:-1]

    def ctl(self, *args):
        """etcdctl ARGS: the output's lines."""
        out = subprocess.run(["etcdctl", f"--endpoints=127.0.0.1:{self.port}", *args],
                             env={**os.environ, "ETCDCTL_API": "3"}, capture_output=True, check=True).stdout
        return out.split(b"\n")[:-1]

    def generations(self, prefix):
        """The ids of the generations that have keys under `<prefix>gen/`."""
        keys = self.get("--prefix", "--keys-only", f"{prefix}gen/")
        return {k[len(prefix) + 4:].split(b"/")[0].decode() for k in keys if k}

    def lines(self, prefix):
        """The users' lines in etcd (sorted by name, as ACL LIST prints them): those of the
        generation `<prefix>current` names (`<prefix>users/` while there is none)."""
        current = self.get("--print-value-only", f"{prefix}current")
        users = f"{prefix}gen/{current[0].decode()}/users/" if current else f"{prefix}users/"
        parts = self.get("--prefix", users)
        pairs = [(parts[i], parts[i + 1]) for i in range(0, len(parts) - 1, 2)]
        return [v for _, v in sorted(pairs)]


class Node:
    def __init__(self, name, directory, url, cache=True, extra=()):
        self.name = name
        self.extra = list(extra)
        self.dir = os.path.join(directory, name)
        os.makedirs(self.dir, exist_ok=True)
        self.url = url
        self.cache = cache
        self.port = None
        self.proc = None

    def start(self, expect_ready=True):
        self.port = free_port()
        args = [find_authgate_bin(), "serve", "--port", str(self.port), "--dir", self.dir, "--aclfile", "users.acl",
                "--acl-store", self.url, "--logfile", os.path.join(self.dir, "log")]
        if self.cache:
            args += ["--acl-store-cache", "node.cache"]
        else:
            args += ["--acl-store-cache", "/nonexistent-dir/node.cache"]
        args += self.extra
        aclfile = os.path.join(self.dir, "users.acl")
        if not os.path.exists(aclfile):
            with open(aclfile, "w") as f:
                f.write("user default on nopass ~* &* +@all\n")
        self.proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        if expect_ready:
            wait_for(f"{self.name} to listen", lambda: self.proc.poll() is None and port_open(self.port))
        return self

    def client(self, **kw):
        return redis.Redis(port=self.port, socket_timeout=10, **kw)

    def acl_list(self):
        return self.client().execute_command("ACL", "LIST")

    def info(self):
        return self.client().info("acl_store")

    def kill9(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class Fleet:
    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="authgate-fleet-")
        self.etcd = Etcd(self.dir)
        self.prefix = f"/fleet-{uuid.uuid4().hex[:8]}/"
        self.url = f"etcd://127.0.0.1:{self.etcd.port}{self.prefix.rstrip('/')}"
        self.nodes = [Node(f"node{i}", self.dir, self.url).start() for i in range(3)]

    def converged(self):
        """ACL LIST identical on every node and equal to etcd's users, or None."""
        lists = [n.acl_list() for n in self.nodes]
        if all(lst == lists[0] for lst in lists) and lists[0] == self.etcd.lines(self.prefix):
            return lists[0]
        return None

    def close(self):
        for n in self.nodes:
            n.stop()
        self.etcd.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture
def fleet():
    f = Fleet()
    yield f
    f.close()
