"""authgate: the Redis 7.0 ACL engine and a Redis-protocol server, as a Python package.

>>> import authgate
>>> acl = authgate.Acl()
>>> acl.setuser("alice", "on", ">secret", "~cache:*", "+get")
>>> acl.authenticate("alice", "secret")
True
>>> acl.check("alice", "GET", "cache:1")
>>> acl.allowed("alice", "GET", "other")
False
>>> acl.denial("alice", "DEL", "cache:1").message
"NOPERM this user has no permissions to run the 'del' command"
>>> acl.dryrun("alice", "SET", "cache:1", "v")
"This user has no permissions to run the 'set' command"

Names mirror the Redis ACL subcommands (``setuser``, ``deluser``, ``getuser``, ``users``,
``list``, ``cat``, ``dryrun``, ``log``, ``genpass``, ``load``, ``save``) and are the same, in
each language's casing, in every language authgate exports. Arguments accept ``str``,
``bytes``, ``bytearray`` and ``int``; strings returned are UTF-8 decoded with
``surrogateescape``, so binary names and keys survive a round trip. Errors are
:class:`AuthgateError` subclasses whose ``str()`` is the source system's full error text
(Redis' reply, code included) and whose ``.code`` is a stable code (``ERR``, ``NOPERM``,
``NOT_FOUND``, ``CONFIG``, ...). Defaults (``log_max_len``, the server's host, port and
``maxclients``, ``genpass``'s bits) come from the Rust core.

:class:`NatsAuth` reads a nats-server configuration and decides logins (``authenticate``,
giving a :class:`NatsIdentity`) and publish/subscribe permissions as nats-server 2.9.10 does.

:class:`CredentialStore` manages Milvus users with Milvus 2.3.5's rules, codes and texts, in
memory, in a file, or in the etcd a real Milvus uses (shared with it both ways);
:func:`milvus_authorization` decodes a Milvus client's ``authorization`` metadata.

:class:`ClientCert` reads a client certificate (its subject as openssl's RFC 2253 string, SANs,
dates) and :class:`SubjectPolicy` applies Redis Software's mTLS subject validation to it;
:class:`CertUserMap` maps it to the user it logs in as (certificate users by subject line, then
``tls-auth-clients-user``, then ``default``), giving a :class:`CertLogin`.
"""

from __future__ import annotations

from ._authgate import (
    Acl,
    AclOptions,
    CertLogin,
    CertUserMap,
    ClientCert,
    CredentialStore,
    Denial,
    NatsAuth,
    NatsIdentity,
    Server,
    SubjectPolicy,
    __version__,
    genpass,
    milvus_authorization,
)
from ._errors import (
    AclError,
    AuthError,
    AuthgateError,
    CertificateError,
    ConfigError,
    CredentialError,
    InternalError,
    InvalidArgument,
    IoError,
    PermissionDenied,
)
from ._nats_types import NatsPermissions, NatsResponses, NatsSubjects
from ._types import LogEntry, SelectorInfo, UserInfo

__all__ = [
    "Acl",
    "AclOptions",
    "Server",
    "NatsAuth",
    "NatsIdentity",
    "CredentialStore",
    "ClientCert",
    "SubjectPolicy",
    "CertUserMap",
    "CertLogin",
    "milvus_authorization",
    "NatsPermissions",
    "NatsSubjects",
    "NatsResponses",
    "genpass",
    "AuthgateError",
    "AclError",
    "PermissionDenied",
    "AuthError",
    "ConfigError",
    "CertificateError",
    "CredentialError",
    "InvalidArgument",
    "IoError",
    "InternalError",
    "Denial",
    "UserInfo",
    "SelectorInfo",
    "LogEntry",
    "__version__",
]
