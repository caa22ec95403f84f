"""authgate: the Redis 7.0 ACL engine and a Redis-protocol server (type stubs)."""

import os
from types import TracebackType
from typing import List, Mapping, Optional, Sequence, Tuple, Type, Union, final

from ._errors import AclError as AclError
from ._errors import AuthError as AuthError
from ._errors import AuthgateError as AuthgateError
from ._errors import CertificateError as CertificateError
from ._errors import ConfigError as ConfigError
from ._errors import CredentialError as CredentialError
from ._errors import InternalError as InternalError
from ._errors import InvalidArgument as InvalidArgument
from ._errors import IoError as IoError
from ._errors import PermissionDenied as PermissionDenied
from ._nats_types import NatsPermissions as NatsPermissions
from ._nats_types import NatsResponses as NatsResponses
from ._nats_types import NatsSubjects as NatsSubjects
from ._types import LogEntry as LogEntry
from ._types import SelectorInfo as SelectorInfo
from ._types import UserInfo as UserInfo

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

__version__: str

# An argument: str (UTF-8, surrogateescape), bytes, bytearray, or int (its decimal digits).
_Arg = Union[str, bytes, bytearray, int]
# A text setting or name: str or bytes.
_Text = Union[str, bytes]
_Path = Union[str, bytes, "os.PathLike[str]"]

def genpass(bits: Optional[int] = None) -> str:
    """``ACL GENPASS [bits]``: a random password of ``bits`` bits (default 256) as hex."""

@final
class AclOptions:
    """The engine settings (``acl-pubsub-default``, ``acllog-max-len``); None: Redis' default."""

    def __new__(
        cls, *, pubsub_default: Optional[_Text] = None, log_max_len: Optional[int] = None
    ) -> "AclOptions": ...
    @property
    def pubsub_default(self) -> str:
        """``"resetchannels"`` or ``"allchannels"``."""
    @property
    def log_max_len(self) -> int:
        """``acllog-max-len``."""

@final
class Denial:
    """A permission denial as a value (:meth:`Acl.denial`)."""

    def __eq__(self, value: object, /) -> bool: ...
    def __hash__(self) -> int: ...
    @property
    def reason(self) -> str:
        """``"command"``, ``"key"`` or ``"channel"``."""
    @property
    def command(self) -> str:
        """The command's full name."""
    @property
    def object(self) -> str:
        """The refused command, key or channel."""
    @property
    def message(self) -> str:
        """Redis' NOPERM reply."""

@final
class Acl:
    """The Redis 7.0 ACL engine; safe to share between threads and with a :class:`Server`."""

    def __new__(
        cls, *, pubsub_default: Optional[_Text] = None, log_max_len: Optional[int] = None
    ) -> "Acl": ...
    @classmethod
    def from_file(
        cls,
        path: _Path,
        *,
        pubsub_default: Optional[_Text] = None,
        log_max_len: Optional[int] = None,
    ) -> "Acl":
        """A new engine holding an aclfile's users; raises :class:`ConfigError`."""
    @classmethod
    def from_store(
        cls,
        url: str,
        *,
        cache_file: Optional[_Path] = None,
        ca_file: Optional[_Path] = None,
        cert_file: Optional[_Path] = None,
        key_file: Optional[_Path] = None,
        pubsub_default: Optional[_Text] = None,
        log_max_len: Optional[int] = None,
    ) -> "Acl":
        """An engine attached to a fleet's etcd ACL store (``etcd://host:port/prefix``):
        setuser, deluser, load and set_requirepass write through it; ``cache_file`` is the
        state kept for a start while etcd is unreachable; ``ca_file``, ``cert_file`` and
        ``key_file`` are PEM files for TLS to etcd."""
    def setuser(self, name: _Arg, *rules: _Arg) -> None:
        """``ACL SETUSER``: all or nothing; raises :class:`AclError` for an invalid rule."""
    def deluser(self, *names: _Arg) -> int:
        """``ACL DELUSER``: returns how many users existed."""
    def getuser(self, name: _Arg) -> Optional[UserInfo]:
        """``ACL GETUSER``: the user's description, or None."""
    def users(self) -> List[str]:
        """``ACL USERS``."""
    def list(self) -> List[str]:
        """``ACL LIST``."""
    def cat(self, category: Optional[_Arg] = None) -> List[str]:
        """``ACL CAT [category]``."""
    def authenticate(self, user: _Arg, password: _Arg) -> bool:
        """True if ``AUTH user password`` would succeed."""
    def check(self, user: _Arg, *argv: _Arg) -> None:
        """Raises :class:`PermissionDenied` if ``user`` may not run ``argv``."""
    def allowed(self, user: _Arg, *argv: _Arg) -> bool:
        """:meth:`check` as a boolean; a denial is False, not an exception."""
    def denial(self, user: _Arg, *argv: _Arg) -> Optional[Denial]:
        """:meth:`check` with the denial as a value: None if allowed."""
    def dryrun(self, user: _Arg, *argv: _Arg) -> str:
        """``ACL DRYRUN``: ``"OK"`` or the denial text."""
    def log(self, count: Optional[int] = None) -> List[LogEntry]:
        """``ACL LOG [count]``: newest first."""
    def log_reset(self) -> None:
        """``ACL LOG RESET``."""
    @staticmethod
    def genpass(bits: Optional[int] = None) -> str:
        """``ACL GENPASS [bits]``."""
    def load(self, path: _Path) -> None:
        """``ACL LOAD`` from ``path``; raises :class:`ConfigError`."""
    def save(self, path: _Path) -> None:
        """``ACL SAVE`` to ``path``; raises :class:`IoError`."""
    def check_aclfile(self, path: _Path) -> None:
        """Validates an aclfile without applying it; raises :class:`ConfigError`."""
    def set_requirepass(self, password: _Arg) -> None:
        """``requirepass``: the ``default`` user's only password (empty: ``nopass``);
        through the store for an engine from :meth:`from_store`."""
    def options(self) -> AclOptions:
        """The current settings."""
    def set_options(self, options: AclOptions) -> None:
        """Replaces both settings."""
    @property
    def log_max_len(self) -> int:
        """``acllog-max-len``."""
    @log_max_len.setter
    def log_max_len(self, value: int) -> None: ...
    @property
    def pubsub_default(self) -> str:
        """``acl-pubsub-default``: ``"resetchannels"`` or ``"allchannels"``."""
    @pubsub_default.setter
    def pubsub_default(self, value: _Text) -> None: ...

@final
class Server:
    """A RESP server enforcing an :class:`Acl`; restartable; a context manager."""

    def __new__(
        cls,
        acl: Acl,
        host: Optional[_Text] = None,
        port: Optional[int] = None,
        *,
        requirepass: Optional[_Arg] = None,
        aclfile: Optional[_Path] = None,
        maxclients: Optional[int] = None,
        config: Optional[_Path] = None,
        tls_port: Optional[int] = None,
        tls_cert_file: Optional[_Path] = None,
        tls_key_file: Optional[_Path] = None,
        tls_key_file_pass: Optional[_Arg] = None,
        tls_ca_cert_file: Optional[_Path] = None,
        tls_ca_cert_dir: Optional[_Path] = None,
        tls_auth_clients: Optional[_Text] = None,
        tls_auth_clients_user: Optional[_Text] = None,
        tls_protocols: Optional[_Text] = None,
        tls_ciphersuites: Optional[_Text] = None,
        tls_ciphers: Optional[_Text] = None,
        tls_prefer_server_ciphers: Optional[bool] = None,
        certificate_users: Optional[Mapping[str, str]] = None,
    ) -> "Server": ...
    @classmethod
    def from_config(cls, acl: Acl, path: _Path) -> "Server":
        """``Server(acl, config=path)``; raises :class:`ConfigError`."""
    def start(self) -> "Server":
        """Binds and starts serving; returns the server."""
    def stop(self) -> None:
        """Stops the server (no-op if it is not running)."""
    def restart(self) -> "Server":
        """Stops (if running) and starts again; returns the server."""
    @property
    def running(self) -> bool:
        """True while the server is running."""
    @property
    def port(self) -> int:
        """The listening port (the bound one for port 0; the configured one before start)."""
    @property
    def tls_port(self) -> Optional[int]:
        """The TLS port (None before the first start or without a TLS listener)."""
    @property
    def host(self) -> str:
        """The listening address(es), space-separated."""
    @property
    def acl(self) -> Acl:
        """The engine the server enforces."""
    def __enter__(self) -> "Server": ...
    def __exit__(
        self,
        exc_type: Optional[Type[BaseException]] = None,
        exc_value: Optional[BaseException] = None,
        traceback: Optional[TracebackType] = None,
    ) -> bool: ...

@final
class NatsAuth:
    """A nats-server configuration's client authentication (nats-server 2.9.10, config mode)."""

    @classmethod
    def from_file(cls, path: _Path) -> "NatsAuth":
        """Reads a config file as ``nats-server -c PATH`` does; ConfigError if refused."""
    @classmethod
    def parse(
        cls, text: _Arg, filename: Optional[_Path] = None, base_dir: Optional[_Path] = None
    ) -> "NatsAuth":
        """Parses config text; ConfigError if refused."""
    @classmethod
    def single_user(cls, user: _Arg, password: _Arg) -> "NatsAuth":
        """nats-server's command-line mode ``--user U --pass P``."""
    @classmethod
    def token(cls, token: _Arg) -> "NatsAuth":
        """nats-server's command-line mode ``--auth TOKEN``."""
    @property
    def auth_timeout(self) -> float:
        """The auth timeout in seconds."""
    def authenticate(
        self,
        *,
        user: Optional[_Arg] = None,
        password: Optional[_Arg] = None,
        token: Optional[_Arg] = None,
        nkey: Optional[_Arg] = None,
        sig: Optional[_Arg] = None,
        nonce: Optional[_Arg] = None,
        connection_type: Optional[_Text] = None,
        url: Optional[_Text] = None,
        certificate: Optional[Union["ClientCert", bytes, bytearray, str]] = None,
    ) -> "NatsIdentity":
        """Decides a CONNECT; AuthError (``Authorization Violation``) if refused."""

@final
class NatsIdentity:
    """A logged-in NATS client: its user, account and permissions."""

    @property
    def user(self) -> str:
        """The user name (empty for a token or an open server)."""
    @property
    def account(self) -> str:
        """The account (``$G`` when none is configured)."""
    def can_publish(self, subject: _Arg) -> bool:
        """Whether a publish to ``subject`` is allowed."""
    def can_subscribe(self, subject: _Arg, queue: Optional[_Arg] = None) -> bool:
        """Whether a subscription to ``subject`` (in queue group ``queue``) is accepted."""
    def can_receive(self, subject: _Arg) -> bool:
        """Whether a message on ``subject`` is delivered to a wildcard subscription."""
    @property
    def permissions(self) -> Optional["NatsPermissions"]:
        """The permissions as configured (None: everything within the account)."""
    def received_request(self, reply: _Arg) -> None:
        """A request with reply subject ``reply`` arrived: ``allow_responses`` lets it be answered."""

@final
class ClientCert:
    """A parsed X.509 client certificate (subject as openssl's RFC 2253 string, SANs, dates)."""

    @classmethod
    def from_pem(cls, data: Union[str, bytes, bytearray]) -> "ClientCert":
        """The first CERTIFICATE block of PEM text; CertificateError if there is none."""
    @classmethod
    def from_der(cls, data: Union[bytes, bytearray]) -> "ClientCert":
        """One DER certificate; CertificateError if it is malformed."""
    @property
    def subject(self) -> str:
        """The subject as ``openssl x509 -noout -subject -nameopt RFC2253`` prints it."""
    @property
    def common_name(self) -> Optional[str]:
        """The first common name in DER order, or None."""
    @property
    def san_emails(self) -> List[str]:
        """SAN e-mail addresses, in certificate order."""
    @property
    def san_dns(self) -> List[str]:
        """SAN DNS names, in certificate order."""
    @property
    def san_uris(self) -> List[str]:
        """SAN URIs, in certificate order."""
    @property
    def san_ips(self) -> List[str]:
        """SAN IP addresses as text, in certificate order."""
    @property
    def not_before(self) -> int:
        """Start of the validity period, Unix seconds."""
    @property
    def not_after(self) -> int:
        """End of the validity period, Unix seconds."""

@final
class SubjectPolicy:
    """Redis Software's mTLS subject validation (disabled, san_cn, full_subject)."""

    def __new__(
        cls, validation: Optional[str] = None, authorized_subjects: Sequence[str] = ...
    ) -> "SubjectPolicy": ...
    @property
    def validation(self) -> str:
        """The validation type as Redis Software writes it."""
    def check(self, cert: ClientCert) -> None:
        """Returns when ``cert`` passes; CertificateError with the reason otherwise."""

@final
class CertUserMap:
    """Certificate users (subject lines) and ``tls-auth-clients-user``: the user a certificate logs in as."""

    def __new__(cls, mode: Optional[str] = None) -> "CertUserMap": ...
    @property
    def mode(self) -> str:
        """``off``, ``CN`` or ``URI`` as redis.conf writes it; set in any case."""
    @mode.setter
    def mode(self, mode: str) -> None: ...
    @property
    def users(self) -> List[str]:
        """The certificate users' names, in name order."""
    def set_user(self, user: str, subject_line: str) -> None:
        """Makes ``user`` a certificate user; CertificateError for a line not in RFC 2253 form."""
    def remove_user(self, user: str) -> bool:
        """Stops ``user`` being a certificate user; True if it was one."""
    def subject_line(self, user: str) -> Optional[str]:
        """The subject line of ``user``, or None."""
    def map(self, cert: ClientCert, acl: Optional[Acl] = None) -> "CertLogin":
        """Which user ``cert`` logs in as (with ``acl``: an enabled user of that engine)."""

@final
class CertLogin:
    """What a certificate mapped to."""

    @property
    def user(self) -> Optional[str]:
        """The user, or None: the connection stays ``default``."""
    @property
    def outcome(self) -> str:
        """``certificate_user``, ``tls_auth_clients_user``, ``default`` or ``no_match``."""
    @property
    def log_line(self) -> Optional[str]:
        """The server's log line (``tls_auth_clients_user`` and ``no_match``), else None."""

@final
class CredentialStore:
    """Milvus 2.3.5 users (rules, codes, texts, bcrypt, root) in memory, a file or Milvus' etcd."""

    def __new__(
        cls,
        path: Optional[_Path] = None,
        *,
        etcd: Optional[Union[str, Sequence[str]]] = None,
        root_path: Optional[str] = None,
        meta_sub_path: Optional[str] = None,
        min_password_length: Optional[int] = None,
        max_password_length: Optional[int] = None,
        max_user_num: Optional[int] = None,
        default_root_password: Optional[str] = None,
        super_users: Optional[Sequence[str]] = None,
        bcrypt_cost: Optional[int] = None,
        verified_cache_ttl: Optional[float] = None,
        etcd_user: Optional[str] = None,
        etcd_password: Optional[str] = None,
        etcd_ca: Optional[_Path] = None,
        etcd_cert: Optional[_Path] = None,
        etcd_key: Optional[_Path] = None,
    ) -> "CredentialStore": ...
    def create_user(self, name: _Text, password: _Text) -> None:
        """Creates a user; CredentialError (Milvus' code and text) if refused."""
    def update_password(self, name: _Text, old: _Text, new: _Text, caller: Optional[_Text] = None) -> None:
        """Changes a password; the old one must verify unless ``caller`` is a super user."""
    def delete_user(self, name: _Text) -> None:
        """Deletes a user (not root); an unknown user is not an error."""
    def list_users(self) -> List[str]:
        """Every user, root included, in byte order."""
    def verify(self, name: _Text, password: _Text) -> bool:
        """Whether ``password`` is ``name``'s password."""

def milvus_authorization(header_value: _Text) -> Tuple[str, str]:
    """``(user, password)`` of a Milvus ``authorization`` metadata value (base64 ``user:password``)."""
