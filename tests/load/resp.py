"""A small RESP client and server launcher for the load and limit tests (stdlib only)."""

import os
import socket
import subprocess
import tempfile
import time


def encode(*args):
    """One multibulk request."""
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        a = a if isinstance(a, bytes) else str(a).encode()
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


class Closed(Exception):
    """The server closed the connection."""


class Conn:
    """A blocking connection with a reply parser."""

    def __init__(self, port, timeout=10.0, rcvbuf=None):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if rcvbuf:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        self.sock.settimeout(timeout)
        self.sock.connect(("127.0.0.1", port))
        self.buf = b""

    def send(self, *args):
        self.sock.sendall(encode(*args))

    def cmd(self, *args):
        self.send(*args)
        return self.read()

    def _fill(self):
        d = self.sock.recv(1 << 16)
        if not d:
            raise Closed()
        self.buf += d

    def _line(self):
        while b"\r\n" not in self.buf:
            self._fill()
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def read(self):
        """One reply: bytes for bulk/status, ('err', text) for errors, int, list, None."""
        line = self._line()
        t, rest = line[:1], line[1:]
        if t in (b"+",):
            return rest
        if t == b"-":
            return ("err", rest.decode())
        if t == b":":
            return int(rest)
        if t == b"$":
            n = int(rest)
            if n < 0:
                return None
            while len(self.buf) < n + 2:
                self._fill()
            v, self.buf = self.buf[:n], self.buf[n + 2:]
            return v
        if t in (b"*", b">", b"%", b"~"):
            n = int(rest)
            if n < 0:
                return None
            if t == b"%":
                n *= 2
            return [self.read() for _ in range(n)]
        raise ValueError("unexpected reply %r" % line)

    def closed_within(self, seconds):
        """True if the server closes the connection within `seconds` (bytes are drained)."""
        deadline = time.time() + seconds
        self.sock.settimeout(0.2)
        while time.time() < deadline:
            try:
                if not self.sock.recv(1 << 16):
                    return True
            except socket.timeout:
                continue
            except OSError:
                return True
        return False

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Server:
    """redis-server or `authgate serve` on a free port, configured by redis.conf text."""

    def __init__(self, kind, conf_text="", authgate_bin=None):
        self.kind = kind
        self.dir = tempfile.mkdtemp(prefix="authgate-load-")
        self.port = free_port()
        conf = os.path.join(self.dir, "server.conf")
        with open(conf, "w") as f:
            f.write(conf_text)
        if kind == "redis":
            cmd = ["redis-server", conf, "--port", str(self.port), "--bind", "127.0.0.1",
                   "--save", "", "--appendonly", "no", "--dir", self.dir]
        else:
            cmd = [authgate_bin or os.environ["AUTHGATE_BIN"], "serve", "--config", conf,
                   "--port", str(self.port), "--bind", "127.0.0.1", "--loglevel", "warning"]
        self.log = open(os.path.join(self.dir, "server.log"), "wb")
        self.proc = subprocess.Popen(cmd, cwd=self.dir, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                break
            except OSError:
                if self.proc.poll() is not None or time.time() > deadline:
                    raise RuntimeError("%s did not start: %s" % (kind, open(self.log.name).read()))
                time.sleep(0.05)

    def rss_kb(self):
        with open("/proc/%d/status" % self.proc.pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return 0

    def hwm_kb(self):
        with open("/proc/%d/status" % self.proc.pid) as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
        return 0

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


def info_field(conn, section, field):
    text = conn.cmd("INFO", section).decode()
    for line in text.splitlines():
        if line.startswith(field + ":"):
            return line.split(":", 1)[1]
    return None
