"""redis.conf errors at startup, authgate serve against redis-server 7.0.15 with the same file.

Two kinds of error exist in Redis and both are compared here:
- errors found while the file is read: `*** FATAL CONFIG FILE ERROR ***` on stderr, naming the
  line, then exit 1 (for `user` lines that is Redis' ACLAppendUserForLoading check, which names
  a word of the line with its own off-by-two index, reproduced);
- errors found when the configured users are created: two warning lines in the log
  ("Error loading ACL rule …" or "Spaces not allowed …", then "Critical error while loading
  ACLs. Exiting."), then exit 1.
The second kind is compared as the log's last two warning messages, without the
`pid:role date time #` prefix (pids and clocks differ between any two processes).
"""
import os
import re
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "differential"))
sys.path.insert(0, os.path.join(HERE, "..", "..", "scripts"))

from servers import REDIS_SERVER, find_authgate_bin, free_port  # noqa: E402

READ_ERRORS = [
    "user foo on\nuser foo off",
    "user default on nopass\nuser default off",
    "user foo on badrule",
    "user foo badrule",
    "user foo on >a <b",
    "user foo on >a <b badrule",
    "user foo on (~x",
    "user foo on (~x +get) (~y",
    "user foo on #abc",
    "user foo allkeys ~x",
    "user foo allchannels &x",
    "acl-pubsub-default allchannels\nuser foo &x",
    "user foo on %Q~x",
    "user foo on +get|",
    "user",
    "user foo on\nuser bar on\nuser foo",
    "enable-debug-command maybe",
    "enable-module-command 1",
    # Redis' own settings this server has no use for: accepted, checked where their kind is
    # plain from Redis' default (one argument, yes/no).
    "rdbcompression maybe",
    "rdbcompression yes no",
    "rdbcompression",
    "slave-serve-stale-data maybe",
    "appendonly",
    "no-such-directive 1",
    "tls-no-such-setting 1",
]

LOAD_ERRORS = [
    "user foo +nosuchcmd",
    "user foo on -@nosuchcat",
    "user foo on +get|x|y",
    'user "foo bar" on',
    "user foo on\nuser bar on +nosuch",
]

WARNING = re.compile(rb"^\d+:[A-Z] \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d\.\d{3} # (.*)$")


def run(argv, tmp_path):
    return subprocess.run(argv, capture_output=True, timeout=20, cwd=tmp_path, stdin=subprocess.DEVNULL)


def both(tmp_path, text):
    conf = tmp_path / "redis.conf"
    conf.write_text(f"port {free_port()}\nbind 127.0.0.1\nsave \"\"\n{text}\n")
    return run([REDIS_SERVER, str(conf)], tmp_path), run([find_authgate_bin(), "serve", "--config", str(conf)], tmp_path)


@pytest.mark.parametrize("text", READ_ERRORS)
def test_errors_while_reading_the_file(tmp_path, text):
    redis, authgate = both(tmp_path, text)
    assert redis.returncode == 1 and b"FATAL CONFIG FILE ERROR" in redis.stderr, redis
    assert authgate.returncode == redis.returncode
    assert authgate.stderr == redis.stderr


def warnings(out):
    return [m.group(1) for m in map(WARNING.match, out.splitlines()) if m]


@pytest.mark.parametrize("text", LOAD_ERRORS)
def test_errors_while_creating_the_users(tmp_path, text):
    redis, authgate = both(tmp_path, text)
    assert redis.returncode == 1 and redis.stderr == b"", redis
    want = warnings(redis.stdout)[-2:]
    assert want[-1] == b"Critical error while loading ACLs. Exiting."
    assert authgate.returncode == redis.returncode
    assert warnings(authgate.stdout)[-2:] == want


def test_command_line_users_are_config_lines(tmp_path):
    # redis-server appends its --options to the file's text: a duplicate is a fatal error of
    # the line after the file's last one, with the arguments quoted as Redis quotes them.
    port = str(free_port())
    redis = run([REDIS_SERVER, "--port", port, "--user", "foo", "--user", "foo"], tmp_path)
    authgate = run([find_authgate_bin(), "serve", "--port", port, "--user", "foo", "--user", "foo"], tmp_path)
    assert redis.returncode == authgate.returncode == 1
    assert b"Duplicate user found" in redis.stderr
    assert authgate.stderr == redis.stderr


def test_debians_own_redis_conf_loads(tmp_path):
    # Debian's stock /etc/redis/redis.conf (installed with redis-server), with the lines a test
    # needs appended (later lines win in Redis' files too): it loads and serves.
    conf = tmp_path / "redis.conf"
    port = free_port()
    with open("/etc/redis/redis.conf") as stock:
        text = stock.read()
    conf.write_text(text + f"\nport {port}\ndaemonize no\nlogfile \"\"\ndir {tmp_path}\n")
    proc = subprocess.Popen([find_authgate_bin(), "serve", "--config", str(conf)], cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    try:
        seen = b""
        while b"Ready to accept connections" not in seen:
            line = proc.stdout.readline()
            assert line, seen.decode()
            seen += line
        from resp_client import RespConnection
        c = RespConnection(port=port, timeout=10)
        assert c.call_tagged("PING") == ("+", b"PONG")
        # Its settings this server has show as the file says.
        assert c.call_tagged("CONFIG", "GET", "maxclients") == ("*", (("$", b"maxclients"), ("$", b"10000")))
    finally:
        proc.terminate()
        proc.wait(timeout=10)
