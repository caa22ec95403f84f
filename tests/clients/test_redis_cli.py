"""redis-cli sessions against the server: authentication options, NOPERM/WRONGPASS surfacing,
`--no-auth-warning`, `-e`, pipe mode, RESP3, and ACL subcommands through the CLI."""
import hashlib
import os
import shutil
import subprocess

import pytest

REDIS_CLI = shutil.which("redis-cli") or "redis-cli"
PW_WARNING = "Warning: Using a password with '-a' or '-u' option on the command line interface may not be safe."
WRONGPASS = "WRONGPASS invalid username-password pair or user is disabled."
KEY_NOPERM = "NOPERM this user has no permissions to access one of the keys used as arguments"


def cli(port, *args, user=None, password=None, no_warning=True, stdin=None, env=None, extra=()):
    cmd = [REDIS_CLI, "-p", str(port), *extra]
    if user is not None:
        cmd += ["--user", user]
    if password is not None:
        cmd += ["--pass", password]
    if no_warning and password is not None:
        cmd.append("--no-auth-warning")
    cmd += list(args)
    full_env = dict(os.environ)
    full_env.pop("REDISCLI_AUTH", None)
    full_env.update(env or {})
    p = subprocess.run(cmd, input=stdin, capture_output=True, text=True, timeout=20, env=full_env)
    return p.returncode, p.stdout, p.stderr


@pytest.fixture
def user(admin):
    admin.setuser("cliuser", "on", ">clipw", "~k*", "&news", "+get", "+set", "+ping", "+acl|whoami", "+publish")
    return "cliuser"


def test_ping_as_default(port, admin):
    assert cli(port, "PING") == (0, "PONG\n", "")


def test_user_set_get(port, user):
    assert cli(port, "SET", "k1", "v1", user=user, password="clipw") == (0, "OK\n", "")
    assert cli(port, "GET", "k1", user=user, password="clipw") == (0, "v1\n", "")
    assert cli(port, "ACL", "WHOAMI", user=user, password="clipw") == (0, "cliuser\n", "")


def test_key_noperm_is_printed(port, user):
    rc, out, err = cli(port, "GET", "other", user=user, password="clipw")
    assert rc == 0 and err == ""
    assert out.strip() == KEY_NOPERM


def test_command_noperm_is_printed(port, user):
    rc, out, _ = cli(port, "DEL", "k1", user=user, password="clipw")
    assert out.strip() == "NOPERM this user has no permissions to run the 'del' command"


def test_channel_noperm_is_printed(port, user):
    rc, out, _ = cli(port, "PUBLISH", "sport", "x", user=user, password="clipw")
    assert out.strip() == "NOPERM this user has no permissions to access one of the channels used as arguments"
    assert cli(port, "PUBLISH", "news", "x", user=user, password="clipw")[1] == "0\n"


def test_dash_e_turns_errors_into_exit_status(port, user):
    rc, out, err = cli(port, "-e", "GET", "other", user=user, password="clipw")
    assert rc == 1
    assert KEY_NOPERM in err


def test_wrong_password_reports_wrongpass_and_stays_default(port, user):
    rc, out, err = cli(port, "ACL", "WHOAMI", user=user, password="bad")
    assert f"AUTH failed: {WRONGPASS}" in err
    assert out == "default\n"


def test_disabled_user_is_wrongpass(port, admin):
    admin.setuser("offuser", "off", ">pw", "+@all")
    rc, out, err = cli(port, "PING", user="offuser", password="pw")
    assert f"AUTH failed: {WRONGPASS}" in err


def test_unknown_user_is_wrongpass(port, admin):
    rc, out, err = cli(port, "PING", user="nosuchuser", password="pw")
    assert f"AUTH failed: {WRONGPASS}" in err


def test_password_warning_and_no_auth_warning(port, user):
    rc, out, err = cli(port, "PING", user=user, password="clipw", no_warning=False)
    assert PW_WARNING in err and out == "PONG\n"
    rc, out, err = cli(port, "PING", user=user, password="clipw", no_warning=True)
    assert err == "" and out == "PONG\n"


def test_dash_a_with_nopass_default(port, admin):
    rc, out, err = cli(port, "PING", extra=["-a", "pw", "--no-auth-warning"])
    assert ("AUTH failed: ERR AUTH <password> called without any password configured for the default user. "
            "Are you sure your configuration is correct?") in err
    assert out == "PONG\n"


def test_requirepass_style_default_password(port, admin):
    admin.setuser("default", "resetpass", ">defpw")
    try:
        rc, out, err = cli(port, "PING")
        assert out.strip() == "NOAUTH Authentication required."
        assert cli(port, "PING", extra=["-a", "defpw", "--no-auth-warning"]) == (0, "PONG\n", "")
        rc, out, err = cli(port, "PING", extra=["-a", "nope", "--no-auth-warning"])
        assert f"AUTH failed: {WRONGPASS}" in err
    finally:
        admin.setuser("default", "nopass")


def test_rediscli_auth_env_and_uri(port, user):
    assert cli(port, "ACL", "WHOAMI", user=user, env={"REDISCLI_AUTH": "clipw"}) == (0, "cliuser\n", "")
    p = subprocess.run([REDIS_CLI, "--no-auth-warning", "-u", f"redis://cliuser:clipw@127.0.0.1:{port}", "ACL", "WHOAMI"],
                       capture_output=True, text=True, timeout=20)
    assert p.stdout == "cliuser\n"


def test_pipe_mode(port, user):
    rc, out, err = cli(port, user=user, password="clipw", stdin="SET k2 a\nGET k2\nGET zz\nPING\n")
    # redis-cli prints an empty line after an error reply when stdout is not a tty
    assert out.splitlines() == ["OK", "a", KEY_NOPERM, "", "PONG"]


def test_resp3_hello(port, user):
    rc, out, err = cli(port, "ACL", "WHOAMI", user=user, password="clipw", extra=["-3"])
    assert out == "cliuser\n"


def test_acl_subcommands_through_cli(port, admin, user):
    rc, out, _ = cli(port, "ACL", "USERS")
    assert out.split() == ["cliuser", "default"]
    rc, out, _ = cli(port, "ACL", "LIST")
    lines = out.splitlines()
    assert lines[1] == "user default on nopass ~* &* +@all"
    toks = lines[0].split(" ")
    digest = hashlib.sha256(b"clipw").hexdigest()
    assert toks[:7] == ["user", "cliuser", "on", "#" + digest, "~k*", "resetchannels", "&news"]
    assert toks[7] == "-@all"
    assert sorted(toks[8:]) == sorted(["+get", "+set", "+ping", "+acl|whoami", "+publish"])
    rc, out, _ = cli(port, "ACL", "DRYRUN", "cliuser", "GET", "other")
    assert out == "This user has no permissions to access the 'other' key\n"
    rc, out, _ = cli(port, "ACL", "DRYRUN", "cliuser", "SET", "k9", "v")
    assert out == "OK\n"
    rc, out, _ = cli(port, "ACL", "GETUSER", "cliuser")
    lines = out.splitlines()
    assert lines[:3] == ["flags", "on", "passwords"]
    rc, out, _ = cli(port, "ACL", "SETUSER", "x", "badrule")
    assert out.strip() == "ERR Error in ACL SETUSER modifier 'badrule': Syntax error"
    rc, out, _ = cli(port, "ACL", "DELUSER", "default")
    assert out.strip() == "ERR The 'default' user cannot be removed"


def test_acl_log_after_denials_through_cli(port, user):
    cli(port, "GET", "other", user=user, password="clipw")
    cli(port, "PING", user=user, password="bad")
    rc, out, _ = cli(port, "ACL", "LOG")
    lines = out.splitlines()
    # newest first: the failed AUTH, then the key denial
    assert lines[:10] == ["count", "1", "reason", "auth", "context", "toplevel", "object", "AUTH", "username", "cliuser"]
    assert lines[14:24] == ["count", "1", "reason", "key", "context", "toplevel", "object", "other", "username", "cliuser"]
