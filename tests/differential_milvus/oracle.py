"""The oracle: a real etcd-server (Debian's 3.4) and a real Milvus 2.3.5 standalone (the
`milvus` PyPI package embeds the server binary) using that etcd as its metastore.

Ports come from the OS (bind to port 0), never fixed ones: other suites run servers at the same
time. Every process started here is stopped by the context managers, and killed if it hangs.
"""

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time


def stop_on_sigterm() -> None:
    """A SIGTERM (make's timeout, a CI cancel) unwinds like an exception, so the context
    managers below stop etcd and Milvus instead of leaving them running."""
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port: int, proc: subprocess.Popen, what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited with {proc.returncode} before listening")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"{what} did not listen on {port} within {timeout}s")


@contextlib.contextmanager
def etcd_server():
    """Yields "127.0.0.1:PORT" of a fresh etcd with an empty data dir."""
    data = tempfile.mkdtemp(prefix="authgate-etcd-")
    client, peer = free_port(), free_port()
    proc = subprocess.Popen(
        ["etcd", "--data-dir", data, "--name", "authgate-test",
         "--listen-client-urls", f"http://127.0.0.1:{client}",
         "--advertise-client-urls", f"http://127.0.0.1:{client}",
         "--listen-peer-urls", f"http://127.0.0.1:{peer}",
         "--initial-advertise-peer-urls", f"http://127.0.0.1:{peer}",
         "--initial-cluster", f"authgate-test=http://127.0.0.1:{peer}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_port(client, proc, "etcd")
        yield f"127.0.0.1:{client}"
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        shutil.rmtree(data, ignore_errors=True)


def etcdctl(endpoint: str, *args: str) -> str:
    env = dict(os.environ, ETCDCTL_API="3")
    return subprocess.run(["etcdctl", "--endpoints", endpoint, *args], env=env, check=True,
                          capture_output=True, text=True, timeout=30).stdout


@contextlib.contextmanager
def milvus_server(etcd_endpoint: str, root_path: str = "by-dev", super_users: str = ""):
    """Yields the gRPC port of a Milvus 2.3.5 standalone with authorization enabled, keeping
    its metadata in `etcd_endpoint` under `root_path`."""
    from milvus import MilvusServer  # the oracle's venv only

    base = tempfile.mkdtemp(prefix="authgate-milvus-")
    server = MilvusServer()
    server.set_base_dir(base)
    server.config.set("authorization_enabled", True)
    server.config.set("etcd.use.embed", "false")
    server.config.set("etcd.endpoints", etcd_endpoint)
    server.config.set("etcd.rootPath", root_path)
    if super_users:
        # The template has the key commented out; the package only rewrites existing keys.
        server.config.template_text = server.config.template_text.replace(
            "# superUsers: root", f"superUsers: {super_users}")
    try:
        server.start()
        yield server.listen_port
    finally:
        server.stop()
        shutil.rmtree(base, ignore_errors=True)
