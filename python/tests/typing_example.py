"""Uses the whole public API with precise types; test_stubs.py runs `mypy --strict` on it,
so the stubs (`__init__.pyi`, `py.typed`) must describe every call here. It also runs."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Dict, List, Optional

import authgate


def exercise() -> Dict[str, object]:
    acl: authgate.Acl = authgate.Acl(pubsub_default="resetchannels", log_max_len=64)
    bare: authgate.Acl = authgate.Acl(pubsub_default=None, log_max_len=None)
    acl.setuser("alice", "on", ">secret", "~cache:*", "+get", b"+set")
    deleted: int = acl.deluser("nobody", b"nobody2")
    ok: bool = acl.authenticate("alice", b"secret")
    acl.check("alice", "GET", b"cache:1")
    may: bool = acl.allowed("alice", "GET", b"cache:1")
    denial: Optional[authgate.Denial] = acl.denial("alice", "DEL", "cache:1")
    denied_fields: List[str] = [denial.reason, denial.command, denial.object, denial.message] if denial else []
    verdict: str = acl.dryrun("alice", "EXPIRE", "cache:1", 10)
    info: Optional[authgate.UserInfo] = acl.getuser("alice")
    selectors: List[authgate.SelectorInfo] = info.selectors if info else []
    keys: str = info.keys if info else ""
    users: List[str] = acl.users()
    lines: List[str] = acl.list()
    cats: List[str] = acl.cat()
    reads: List[str] = acl.cat("read")
    log: List[authgate.LogEntry] = acl.log(5) + acl.log() + acl.log(None)
    ages: List[float] = [e.age_seconds for e in log]
    acl.log_reset()
    acl.set_requirepass("")
    acl.log_max_len = acl.log_max_len + 1
    acl.pubsub_default = acl.pubsub_default
    acl.pubsub_default = b"allchannels"
    options: authgate.AclOptions = acl.options()
    acl.set_options(authgate.AclOptions(pubsub_default=options.pubsub_default, log_max_len=options.log_max_len))
    password: str = authgate.genpass(128) + authgate.genpass() + authgate.Acl.genpass(None) + acl.genpass(8)
    try:
        acl.check("alice", "DEL", "cache:1")
    except authgate.PermissionDenied as e:
        reason: str = e.reason
        obj: str = e.object
        code: str = e.code
        assert (reason, obj, code) == ("command", "del", "NOPERM")
    except authgate.AuthgateError:
        raise
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "users.acl"
        acl.save(path)
        acl.check_aclfile(str(path))
        loaded: authgate.Acl = authgate.Acl.from_file(path, log_max_len=8)
        loaded.load(bytes(path))
    try:
        acl.load("/nonexistent/file.acl")
    except authgate.ConfigError as e:
        detail: Optional[str] = e.detail
        assert detail is None and e.code == "CONFIG"
    try:
        acl.save("/nonexistent/dir/file.acl")
    except authgate.IoError as e:
        number: Optional[int] = e.errno
        assert e.detail is not None and number is None
    try:
        authgate.Acl(pubsub_default="nope")
    except ValueError as e:
        assert isinstance(e, authgate.InvalidArgument)
    server: authgate.Server = authgate.Server(acl, "127.0.0.1", 0, requirepass=None, maxclients=100)
    with server as running:
        port: int = running.port
        alive: bool = running.running
        same: authgate.Acl = running.acl
        host: str = running.host
        running.restart()
    conf = Path(tempfile.mkdtemp()) / "redis.conf"
    conf.write_text("port 0\n")
    configured: authgate.Server = authgate.Server.from_config(acl, conf)
    with configured:
        port = configured.port
    with authgate.Server(acl, None, None, aclfile=None, maxclients=None, config=conf) as also:
        port = also.port
    started: authgate.Server = authgate.Server(acl).start()
    started.stop()
    version: str = authgate.__version__
    nats_conf = conf.parent / "nats.conf"
    nats_conf.write_text("authorization { user: a, password: b, timeout: 3 }\n")
    nats: authgate.NatsAuth = authgate.NatsAuth.from_file(nats_conf)
    nats = authgate.NatsAuth.parse(b"authorization { token: t }", filename="x.conf", base_dir=None)
    timeout: float = nats.auth_timeout
    who: authgate.NatsIdentity = nats.authenticate(token="t", connection_type="STANDARD")
    allowed: bool = who.can_publish("a") and who.can_subscribe("a", queue=None) and who.can_receive(b"a")
    nats_ok = False
    try:
        nats.authenticate(user=None, password=None, url="nats://wrong@localhost:4222")
    except authgate.AuthError as refused:
        nats_ok = allowed and refused.code == "AUTH" and who.user == "" and who.account == "$G"
    certs = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "certs"
    cert: authgate.ClientCert = authgate.ClientCert.from_pem((certs / "multi_ou.pem").read_bytes())
    cert = authgate.ClientCert.from_der((certs / "multi_ou.der").read_bytes())
    names: List[str] = cert.san_emails + cert.san_dns + cert.san_uris + cert.san_ips
    cn: Optional[str] = cert.common_name
    period: int = cert.not_after - cert.not_before
    policy = authgate.SubjectPolicy("san_cn", ["CN=alice"])
    policy.check(cert)
    cert_users = authgate.CertUserMap("CN")
    cert_users.set_user("ops", cert.subject)
    cert_users.mode = "URI"
    login: authgate.CertLogin = cert_users.map(cert, authgate.Acl())
    mapped: Optional[str] = login.user
    line: Optional[str] = login.log_line
    gone: bool = cert_users.remove_user("ops") and cert_users.subject_line("ops") is None and cert_users.users == []
    subject: str = f"{cert.subject} {policy.validation} {cn} {len(names)} {period > 0}"
    subject += f" {login.outcome} {mapped} {line} {gone}"
    return {
        "subject": subject,
        "deleted": deleted, "ok": ok, "verdict": verdict, "selectors": selectors, "users": users,
        "lines": lines, "cats": cats, "reads": reads, "ages": ages, "password": password,
        "keys": keys, "bare": bare,
        "loaded": loaded, "port": port, "alive": alive, "same": same is acl, "host": host,
        "version": version, "nats_ok": nats_ok, "timeout": timeout,
        "may": may, "denied_fields": denied_fields,
    }


if __name__ == "__main__":
    print(exercise())
