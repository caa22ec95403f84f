"""The NATS client protocol over a plain socket, for what nats-py hides: a CONNECT with any
combination of `user`, `pass` and `auth_token` (nats-py sends a user only with a password, and a
token only without one), and the exact `-ERR` line the server answers to each PUB and SUB.

Every operation is followed by PING, and the reply is read up to PONG: the server handles one
connection's protocol lines in order, so an `-ERR` caused by the operation arrives before that PONG
(no timing involved). Messages delivered to this connection (MSG/HMSG: another test connection's
subscription may match a subject published here) are read past.
"""
import json
import socket

AUTH_VIOLATION = "Authorization Violation"
PUB_DENIED = "Permissions Violation for Publish to "
SUB_DENIED = "Permissions Violation for Subscription to "
READ_TIMEOUT = 10.0


def go_quote(s):
    """Go's %q of an ASCII string (how nats-server quotes subjects in -ERR texts)."""
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


class ProtocolError(Exception):
    pass


class RawConn:
    """One client connection. login() sends CONNECT and returns None (accepted) or the -ERR text."""

    def __init__(self, port, name):
        self.port = port
        self.name = name
        self.sock = None
        self.file = None
        self.info = None
        self.sid = 0

    def login(self, user=None, password=None, token=None):
        self.sock = socket.create_connection(("127.0.0.1", self.port), timeout=READ_TIMEOUT)
        # each operation goes out with its PING in one write; no Nagle wait on the small writes
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.file = self.sock.makefile("rb")
        first = self.file.readline()
        if not first.startswith(b"INFO "):
            raise ProtocolError(f"expected INFO, got {first!r}")
        self.info = json.loads(first[5:])
        # echo false: this connection's own publishes are not delivered back to its subscriptions
        connect = {"verbose": False, "pedantic": False, "echo": False, "name": self.name,
                   "lang": "raw", "version": "0", "protocol": 1}
        if user is not None:
            connect["user"] = user
        if password is not None:
            connect["pass"] = password
        if token is not None:
            connect["auth_token"] = token
        errors = self._ping(b"CONNECT " + json.dumps(connect).encode() + b"\r\n")
        if errors is None:
            return "connection closed without a reply"
        return errors[0] if errors else None

    def pub(self, subject):
        """("allow", None) | ("deny", text) | ("error", text) for `PUB subject 0`."""
        return self._verdict(b"PUB " + subject.encode() + b" 0\r\n\r\n", PUB_DENIED + go_quote(subject))

    def sub(self, subject, queue=None):
        """The same for `SUB subject [queue] sid`."""
        self.sid += 1
        args = subject if queue is None else f"{subject} {queue}"
        op = f"SUB {args} {self.sid}\r\n".encode()
        want = SUB_DENIED + go_quote(subject)
        if queue is not None:
            want += " using queue " + go_quote(queue)
        return self._verdict(op, want)

    def _verdict(self, op, denial):
        errors = self._ping(op)
        if errors is None:
            return "error", "connection closed"
        if not errors:
            return "allow", None
        if len(errors) == 1 and errors[0] == denial:
            return "deny", errors[0]
        return "error", " | ".join(errors)

    def _send(self, data):
        self.sock.sendall(data)

    def _ping(self, op):
        """Send op and PING, read to PONG: the -ERR texts before it, or None if the server
        closed the connection."""
        self._send(op + b"PING\r\n")
        errors = []
        while True:
            line = self.file.readline()
            if not line:
                return None
            if line == b"PONG\r\n":
                return errors
            if line.startswith(b"-ERR "):
                text = line[5:].rstrip(b"\r\n").decode("utf-8", "surrogateescape")
                errors.append(text[1:-1] if text.startswith("'") and text.endswith("'") else text)
                if errors[-1] == AUTH_VIOLATION:
                    # the server closes after this one; reading on would only find EOF
                    return errors
            elif line.startswith(b"MSG ") or line.startswith(b"HMSG "):
                size = int(line.split()[-1])
                self.file.read(size + 2)
            elif line == b"PING\r\n":
                self._send(b"PONG\r\n")
            elif line.startswith(b"INFO ") or line == b"+OK\r\n":
                continue
            else:
                raise ProtocolError(f"unexpected line {line!r}")

    def close(self):
        if self.sock is not None:
            try:
                self.sock.close()
            except OSError:
                pass
            self.sock = None
