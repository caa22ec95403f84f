"""The records returned by :meth:`Acl.getuser` and :meth:`Acl.log`: frozen dataclasses whose
fields are the ones Redis reports (``-`` spelled ``_``), in the same order in every language
authgate exports. ``dataclasses.asdict(record)`` gives a plain dict."""

from __future__ import annotations

from dataclasses import dataclass
from typing import List

__all__ = ["SelectorInfo", "UserInfo", "LogEntry"]


@dataclass(frozen=True)
class SelectorInfo:
    """One ``(...)`` selector of :meth:`Acl.getuser`.

    Attributes:
        commands: the command rules, e.g. ``"-@all +get"``.
        keys: the key patterns, e.g. ``"~a %R~b"`` (empty if none).
        channels: the channel patterns, e.g. ``"&*"`` (empty if none).
    """

    commands: str
    keys: str
    channels: str


@dataclass(frozen=True)
class UserInfo:
    """:meth:`Acl.getuser`'s result: ACL GETUSER's fields.

    Attributes:
        flags: in Redis' order (``on``/``off``, ``nopass``, ``sanitize-payload``, ...).
        passwords: SHA-256 hex digests, in the order they were added.
        commands: the root selector's command rules.
        keys: the root selector's key patterns.
        channels: the root selector's channel patterns.
        selectors: the other selectors, in order.
    """

    flags: List[str]
    passwords: List[str]
    commands: str
    keys: str
    channels: str
    selectors: List[SelectorInfo]


@dataclass(frozen=True)
class LogEntry:
    """One :meth:`Acl.log` entry: ACL LOG's fields.

    Attributes:
        count: how many events were merged into this entry.
        reason: ``"command"``, ``"key"``, ``"channel"`` or ``"auth"``.
        context: ``"toplevel"``, ``"multi"``, ``"lua"`` or ``"module"``.
        object: the command's full name, the key or the channel (for ``auth``: the command
            as typed).
        username: the connection's user, or the name that failed to authenticate.
        age_seconds: seconds since the entry was last updated.
        client_info: the client's ``CLIENT LIST`` line at that update.
    """

    count: int
    reason: str
    context: str
    object: str
    username: str
    age_seconds: float
    client_info: str
