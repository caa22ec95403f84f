"""The exceptions of :mod:`authgate`.

Every authgate error is an :class:`AuthgateError` with a stable ``code`` (the same string in
every language authgate exports: ``"NOPERM"``, ``"ERR"``, ``"NOT_FOUND"``, ``"CONFIG"``, ...)
and a message that is the source system's text: for Redis errors, Redis' full error reply, code
included, so ``str(e)`` is exactly what a Redis client sees after the ``-`` of the error reply
(``"NOPERM this user has no permissions to run the 'del' command"``). The classes group the
codes callers tell apart; where a built-in exception fits, the class also derives from it
(:class:`InvalidArgument` is a ``ValueError``, :class:`IoError` an ``OSError``).

The native module raises these classes; which code raises which class is decided in one place,
``bindings/python/src/errors.rs``.
"""

from __future__ import annotations

from typing import Any, Dict, Optional, Tuple

__all__ = [
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
]


class AuthgateError(Exception):
    """Base class of every authgate error.

    Attributes:
        code: the stable error code, e.g. ``"ERR"``, ``"NOPERM"``, ``"NOT_FOUND"``,
            ``"CONFIG"``, ``"IO"``, ``"PANIC"``.
        detail: extra information meant for logs, not part of the message (for example why
            an aclfile could not be written, where Redis' reply is a fixed text); else None.
    """

    # Class-level defaults: an instance overrides them only when it differs, and the native
    # module can create PermissionDenied without running __init__ (see errors.rs).
    code: str = "ERR"
    detail: Optional[str] = None

    def __init__(self, message: str, code: Optional[str] = None, detail: Optional[str] = None) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code
        if detail is not None:
            self.detail = detail

    @property
    def message(self) -> str:
        """The full error text, the same as ``str(e)`` (for Redis errors: code included)."""
        return str(self.args[0]) if self.args else ""

    def __str__(self) -> str:
        # Defined here so that subclasses of built-ins (OSError formats "[Errno n] ...")
        # still show exactly the message.
        return self.message

    def __reduce__(self) -> Tuple[Any, ...]:
        return (type(self), (self.message,), self._state())

    def _state(self) -> Dict[str, Any]:
        return dict(vars(self))


class AclError(AuthgateError):
    """An ACL operation failed: an invalid SETUSER rule, an unknown command or category, a
    wrong number of arguments, deleting ``default`` (code ``ERR``), or an unknown user (code
    ``NOT_FOUND``; the message is still Redis' ``ERR User '...' not found``)."""


class PermissionDenied(AclError):
    """:meth:`Acl.check` denied a command (code ``NOPERM``).

    Attributes:
        reason: what was denied: ``"command"``, ``"key"`` or ``"channel"`` (ACL LOG's
            ``reason``).
        object: the command's full name for a command denial, else the denied key or channel
            (ACL LOG's ``object``).
        command: the full name of the command that was checked (e.g. ``"client|kill"``).
    """

    code = "NOPERM"
    reason: str
    object: str
    command: str

    # The native module creates this without calling __init__, setting exactly `args` and
    # these three attributes: keep __init__ free of other side effects.
    def __init__(
        self,
        message: str,
        reason: str = "",
        object: str = "",
        command: str = "",
        *,
        code: Optional[str] = None,
        detail: Optional[str] = None,
    ) -> None:
        super().__init__(message, code, detail)
        self.reason = reason
        self.object = object
        self.command = command


class AuthError(AuthgateError):
    """Authentication failed or is required: codes ``WRONGPASS`` and ``NOAUTH`` (Redis), ``AUTH``
    (other schemes, e.g. NATS' Authorization Violation)."""

    code = "WRONGPASS"


class ConfigError(AuthgateError):
    """A configuration is invalid or cannot be read (code ``CONFIG``): an aclfile for
    :meth:`Acl.load` / :meth:`Acl.from_file` / :meth:`Acl.check_aclfile`, a redis.conf-style
    file or the settings of a :class:`Server`."""

    code = "CONFIG"


class CertificateError(AuthgateError):
    """A certificate could not be parsed, verified or mapped to a user (code ``CERTIFICATE``)."""

    code = "CERTIFICATE"


class CredentialError(AuthgateError):
    """A credential-store operation failed (code ``CREDENTIAL``).

    Attributes:
        milvus_code: Milvus' numeric error code for the failure, when there is one.
    """

    code = "CREDENTIAL"
    milvus_code: Optional[int] = None

    def __init__(
        self,
        message: str,
        code: Optional[str] = None,
        detail: Optional[str] = None,
        milvus_code: Optional[int] = None,
    ) -> None:
        super().__init__(message, code, detail)
        if milvus_code is not None:
            self.milvus_code = milvus_code


class InvalidArgument(AuthgateError, ValueError):
    """An argument is out of range or malformed, or the call does not fit the object's state
    (code ``INVALID_ARGUMENT``): an unknown ``pubsub_default``, a port above 65535, starting a
    server that is running, ... Also a ``ValueError``."""

    code = "INVALID_ARGUMENT"


class IoError(AuthgateError, OSError):
    """An operating-system error (code ``IO``): a file that cannot be written, an address that
    cannot be bound. Also an ``OSError``; ``errno`` is the OS error number when there is one
    (``errno.EADDRINUSE`` for a port in use, ...)."""

    code = "IO"

    def __init__(
        self,
        message: str,
        code: Optional[str] = None,
        detail: Optional[str] = None,
        errno: Optional[int] = None,
    ) -> None:
        super().__init__(message, code, detail)
        self.errno = errno

    def _state(self) -> Dict[str, Any]:
        # errno is a slot of OSError, not in the instance dict.
        return dict(vars(self), errno=self.errno)


class InternalError(AuthgateError):
    """A bug in authgate: a Rust panic, caught at the boundary of the call (code ``PANIC``).
    The object the call was made on is still usable; please report the message."""

    code = "PANIC"
