"""One logical connection open on both servers of a pair, and how the harness learns that a
server closed one.

A server closes connections on its own: ACL DELUSER and a successful ACL LOAD disconnect the
users' clients, a channel revocation disconnects subscribers, CLIENT KILL, QUIT and protocol
errors close the connection. The harness never compares two closed connections with each other:
after a step that may close connections it finds out, on the reference, which ones were closed
(`closed_after_barrier`), requires the server under test to close the same ones (waiting for the
disconnect itself, with a deadline), and reopens and re-authenticates them before they are used
again.
"""
import select
import socket
import time

CLOSED = ("closed",)
TIMEOUT = ("timeout",)
# How long a server under test may take to close a connection the reference closed.
CLOSE_DEADLINE = 5.0


class Conn:
    """One logical connection, open on both servers.

    `creds` is the (user, password) the connection last authenticated with (as the reference
    answered), `proto` its protocol; a reopened connection is re-authenticated with them."""

    def __init__(self, servers, timeout):
        self.servers = servers
        self.timeout = timeout
        self.queued = None  # commands queued (per the reference) since MULTI
        self.creds = None
        self.proto = 2
        self.reopen = False  # the servers closed it: reopen before the next use
        self.sides = [self._connect(s) for s in servers]

    def _connect(self, server):
        try:
            return server.connect(timeout=self.timeout)
        except OSError:
            return None

    def reconnect(self):
        self.close()
        self.sides = [self._connect(s) for s in self.servers]
        self.queued = None
        self.reopen = False

    @property
    def user(self):
        """The user the connection is authenticated as (per the reference)."""
        return self.creds[0] if self.creds else b"default"

    def _do(self, i, fn):
        c = self.sides[i]
        if c is None:
            return CLOSED
        try:
            return fn(c)
        except socket.timeout:
            c.close()
            self.sides[i] = None
            return TIMEOUT
        except (ConnectionError, OSError):
            c.close()
            self.sides[i] = None
            return CLOSED

    def call(self, i, argv):
        return self._do(i, lambda c: c.call_tagged(*argv))

    def send(self, i, data):
        return self._do(i, lambda c: c.send_raw(data))

    def read(self, i):
        return self._do(i, lambda c: c.read_tagged())

    def close(self):
        for c in self.sides:
            if c is not None:
                c.close()
        self.sides = [None] * len(self.sides)

    def side_closed(self, i, wait=0.0):
        """True if side i is closed by the server: EOF (or a reset) within `wait` seconds.
        Bytes that arrive meanwhile (a pushed message queued before the close) are kept in the
        connection's buffer for a later read."""
        c = self.sides[i]
        if c is None:
            return True
        deadline = time.monotonic() + wait
        while True:
            left = max(0.0, deadline - time.monotonic())
            try:
                readable, _, _ = select.select([c.sock], [], [], left)
            except (OSError, ValueError):
                return True
            if not readable:
                return False
            try:
                chunk = c.sock.recv(65536)
            except (ConnectionError, OSError):
                chunk = b""
            if not chunk:
                c.close()
                self.sides[i] = None
                return True
            c.buf += chunk


def closed_after_barrier(conns, control):
    """After a step that may have closed connections: (conn name, what) for every mismatch in
    which connections the two servers closed; closed connections are marked for reopening.

    The barrier: one round trip on a control connection of the reference. Redis frees the clients
    a command disconnects before it reads the next command (freeClientsInAsyncFreeQueue runs in
    the same beforeSleep that writes the reply), so once the barrier's reply arrives, every
    connection the reference closed has been closed. The server under test may close them later:
    the harness waits for each of those disconnects, up to CLOSE_DEADLINE."""
    control()
    out = []
    for name, c in conns.items():
        if c.reopen:
            continue
        ref_closed = c.side_closed(0)
        if ref_closed:
            if not c.side_closed(1, wait=CLOSE_DEADLINE):
                out.append((name, "the reference closed this connection; the server under test kept it "
                                  f"open for {CLOSE_DEADLINE:.0f} s"))
        elif c.side_closed(1):
            out.append((name, "the server under test closed this connection; the reference kept it open"))
        else:
            continue
        c.close()
        c.reopen = True
    return out
