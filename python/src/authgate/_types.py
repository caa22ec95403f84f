"""The dict shapes returned by :meth:`Acl.getuser` and :meth:`Acl.log`, as ``TypedDict``s."""

from __future__ import annotations

from typing import List, TypedDict

__all__ = ["SelectorInfo", "UserInfo", "LogEntry"]


class SelectorInfo(TypedDict):
    """One ``(...)`` selector of :meth:`Acl.getuser`: its command rules (e.g.
    ``"-@all +get"``), key patterns (e.g. ``"~a %R~b"``) and channel patterns (``"&*"``)."""

    commands: str
    keys: str
    channels: str


class UserInfo(TypedDict):
    """:meth:`Acl.getuser`'s result, ACL GETUSER's fields.

    ``flags`` in Redis' order (``on``/``off``, ``nopass``, ``sanitize-payload``, ...);
    ``passwords`` as SHA-256 hex digests; ``commands``, ``keys`` and ``channels`` of the root
    selector; ``selectors``, the others in order.
    """

    flags: List[str]
    passwords: List[str]
    commands: str
    keys: str
    channels: str
    selectors: List[SelectorInfo]


class LogEntry(TypedDict):
    """One :meth:`Acl.log` entry: ACL LOG's fields, with ``_`` for ``-`` in the names.

    ``count`` events merged into it; ``reason`` (``command``, ``key``, ``channel`` or
    ``auth``); ``context`` (``toplevel``, ``multi``, ``lua``, ``module``); ``object`` (the
    command, key or channel); ``username``; ``age_seconds`` since its last update;
    ``client_info`` (the client's ``CLIENT LIST`` line).
    """

    count: int
    reason: str
    context: str
    object: str
    username: str
    age_seconds: float
    client_info: str
