"""client-output-buffer-limit on relayed replies, compared with a redis-server 7.0.15 given the
same limit: a reply (or a pipeline's replies) past the hard limit closes the client, one under
it arrives whole; a relayed reply counts as the same reply built by the server itself would."""
import pytest

from conftest import ADMIN_PASSWORD, UPSTREAM_PASSWORD, connect, upstream_process

LIMIT = "normal 1mb 0 0"
SMALL = b"s" * 400_000
BIG = b"b" * 2_000_000


@pytest.fixture(scope="module")
def oracle():
    """A redis-server of its own (the limit on the proxy's upstream would apply to the proxy)."""
    r = upstream_process().start()
    yield r
    r.stop()


def closed(c, *commands):
    """True if the server closes the connection instead of answering `commands` (pipelined)."""
    c.send_raw(b"".join(c.encode(cmd) for cmd in commands))
    try:
        for _ in commands:
            c.read_reply()
    except (ConnectionError, OSError):
        return True
    return False


def outcomes(port, password):
    setup = connect(port, password=password)
    assert setup.call_tagged("CONFIG", "SET", "client-output-buffer-limit", LIMIT) == ("+", b"OK")
    assert setup.call_tagged("MSET", "small", SMALL, "big", BIG) == ("+", b"OK")
    got = {}
    for name, commands in (("small", [("GET", "small")]),
                           ("big", [("GET", "big")]),
                           ("two small", [("GET", "small"), ("GET", "small")]),
                           ("three small", [("GET", "small")] * 3)):
        c = connect(port, password=password)
        got[name] = closed(c, *commands)
        c.close()
    # the setup connection is untouched by the others' limits
    assert setup.call("STRLEN", "big") == len(BIG)
    setup.close()
    return got


def test_relayed_replies_are_limited_as_redis_limits_its_own(proxy, oracle):
    expected = outcomes(oracle.port, UPSTREAM_PASSWORD)
    assert expected == {"small": False, "big": True, "two small": False, "three small": True}
    assert outcomes(proxy.port, ADMIN_PASSWORD) == expected
    assert "overcoming of output buffer limits" in proxy.log_text()
