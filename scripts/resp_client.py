"""A minimal RESP2/RESP3 client with no dependencies, for scripts and differential tests.

It returns replies as Python values and keeps errors distinguishable (`RespError`), and status
replies distinguishable from bulk strings (`Status`), because the differential tests compare
reply *types* as well as contents.
"""
import socket


class RespError(Exception):
    """An error reply (`-...`). `str(e)` is the text after the dash."""

    def __eq__(self, other):
        return isinstance(other, RespError) and str(self) == str(other)

    def __hash__(self):
        return hash(str(self))

    def __repr__(self):
        return f"RespError({str(self)!r})"


class Status(bytes):
    """A simple-string reply (`+...`)."""

    def __repr__(self):
        return f"Status({bytes(self)!r})"


class Push(list):
    """A RESP3 push (`>`) frame."""


class RespConnection:
    def __init__(self, host="127.0.0.1", port=6379, timeout=10.0):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.buf = b""

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def send_raw(self, data: bytes):
        self.sock.sendall(data)

    @staticmethod
    def encode(args):
        out = [b"*%d\r\n" % len(args)]
        for a in args:
            if isinstance(a, str):
                a = a.encode()
            elif isinstance(a, int):
                a = str(a).encode()
            out.append(b"$%d\r\n%s\r\n" % (len(a), a))
        return b"".join(out)

    def call(self, *args):
        self.send_raw(self.encode(args))
        return self.read_reply()

    def _fill(self):
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionError("connection closed")
        self.buf += chunk

    def _line(self):
        while True:
            i = self.buf.find(b"\r\n")
            if i >= 0:
                line, self.buf = self.buf[:i], self.buf[i + 2:]
                return line
            self._fill()

    def _exact(self, n):
        while len(self.buf) < n + 2:
            self._fill()
        data, self.buf = self.buf[:n], self.buf[n + 2:]
        return data

    def read_tagged(self):
        """Read one reply as a type-exact tagged tuple (see `_tagged_reader`)."""
        return _tagged_reader(self)

    def call_tagged(self, *args):
        self.send_raw(self.encode(args))
        return _tagged_reader(self)

    def read_reply(self):
        line = self._line()
        t, rest = line[:1], line[1:]
        if t == b"+":
            return Status(rest)
        if t == b"-":
            return RespError(rest.decode("utf-8", "replace"))
        if t == b":":
            return int(rest)
        if t == b"$":
            n = int(rest)
            return None if n < 0 else self._exact(n)
        if t in (b"*", b"~", b">"):
            n = int(rest)
            if n < 0:
                return None
            items = [self.read_reply() for _ in range(n)]
            if t == b"~":
                return ("set", items)
            if t == b">":
                return Push(items)
            return items
        if t == b"%":
            n = int(rest)
            return ("map", [(self.read_reply(), self.read_reply()) for _ in range(n)])
        if t == b"_":
            return None
        if t == b",":
            return ("double", rest)
        if t == b"#":
            return rest == b"t"
        if t == b"=":
            n = int(rest)
            return ("verbatim", self._exact(n))
        if t == b"(":
            return int(rest)
        if t == b"!":
            return RespError(self._exact(int(rest)).decode("utf-8", "replace"))
        raise ValueError(f"unknown RESP type {line!r}")


# --- Type-exact replies -------------------------------------------------------------------------
#
# `read_tagged()` returns every reply as a tuple whose first element is the RESP type byte, so two
# replies compare equal only if both their types and their bytes are equal:
#   ("+", bytes)  status        ("-", bytes)  error (raw bytes, never decoded)
#   (":", int)    integer       ("$", bytes | None)  bulk string / RESP2 null bulk
#   ("*", tuple | None)  array / RESP2 null array
#   ("~", tuple) set   (">", tuple) push   ("%", tuple of (k, v)) map   ("|", ...) attribute
#   ("_", None) RESP3 null   (",", bytes) double   ("#", bool) boolean
#   ("=", bytes) verbatim     ("(", int) big number   ("!", bytes) blob error
# Nested values are tuples too, so tagged replies are hashable.

def _tagged_reader(conn):
    line = conn._line()
    t, rest = line[:1], line[1:]
    tag = t.decode("latin-1")
    if t in (b"+", b"-", b","):
        return (tag, bytes(rest))
    if t in (b":", b"("):
        return (tag, int(rest))
    if t in (b"$", b"=", b"!"):
        n = int(rest)
        return (tag, None if n < 0 else conn._exact(n))
    if t in (b"*", b"~", b">"):
        n = int(rest)
        if n < 0:
            return (tag, None)
        return (tag, tuple(_tagged_reader(conn) for _ in range(n)))
    if t in (b"%", b"|"):
        n = int(rest)
        return (tag, tuple((_tagged_reader(conn), _tagged_reader(conn)) for _ in range(n)))
    if t == b"_":
        return ("_", None)
    if t == b"#":
        return ("#", rest == b"t")
    raise ValueError(f"unknown RESP type {line!r}")
