"""The exceptions of :mod:`authgate`.

Every message is Redis' full error text, code included: ``str(e)`` is exactly what a Redis
client sees after the ``-`` of the error reply (``"NOPERM this user has no permissions to run
the 'del' command"``). The code alone is ``e.code``.
"""

from __future__ import annotations

from typing import Any, Optional, Tuple

__all__ = ["AuthgateError", "AclError", "PermissionDenied", "AuthError", "ConfigError"]


class AuthgateError(Exception):
    """Base class of every authgate error.

    Attributes:
        code: the stable error code (``"ERR"``, ``"NOPERM"``, ``"WRONGPASS"``,
            ``"INVALID_CONFIG"``, ...): the first word of a Redis error reply.
    """

    code: str

    def __init__(self, message: str, code: str = "ERR") -> None:
        super().__init__(message)
        self.code = code

    @property
    def message(self) -> str:
        """The error text without the leading code (``"ERR "``, ``"NOPERM "``, ...)."""
        text = str(self)
        prefix = self.code + " "
        return text[len(prefix):] if text.startswith(prefix) else text

    def __reduce__(self) -> Tuple[Any, ...]:
        return (type(self), (str(self), self.code))


class AclError(AuthgateError):
    """An ACL operation failed: an invalid SETUSER rule, an unknown user, command or category,
    a wrong number of arguments, deleting ``default``, ... (Redis' ``ERR ...`` texts)."""


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

    # authgate raises this without calling __init__ (see errors.rs): keep __init__ free of
    # side effects beyond setting these attributes and args.
    def __init__(self, message: str, reason: str, object: str, command: str) -> None:
        super().__init__(message, "NOPERM")
        self.reason = reason
        self.object = object
        self.command = command

    def __reduce__(self) -> Tuple[Any, ...]:
        return (type(self), (str(self), self.reason, self.object, self.command))


class AuthError(AuthgateError):
    """Authentication failed (code ``WRONGPASS``), raised by :meth:`Acl.auth`."""

    def __init__(self, message: str, code: str = "WRONGPASS") -> None:
        super().__init__(message, code)


class ConfigError(AuthgateError):
    """A configuration is invalid or could not be read or written: an aclfile for
    :meth:`Acl.load` / :meth:`Acl.save`, or the settings of a :class:`Server`.

    Attributes:
        detail: for a failed save, the operating system's reason (Redis' reply text does not
            include it); otherwise None.
    """

    detail: Optional[str]

    def __init__(self, message: str, code: str = "ERR", detail: Optional[str] = None) -> None:
        super().__init__(message, code)
        self.detail = detail

    def __reduce__(self) -> Tuple[Any, ...]:
        return (type(self), (str(self), self.code, self.detail))
