"""authgate: the Redis 7.0 ACL engine and a Redis-protocol server, as a Python package.

>>> import authgate
>>> acl = authgate.Acl()
>>> acl.setuser("alice", "on", ">secret", "~cache:*", "+get")
>>> acl.authenticate("alice", "secret")
True
>>> acl.check("alice", "GET", "cache:1")
>>> acl.dryrun("alice", "SET", "cache:1", "v")
"This user has no permissions to run the 'set' command"

Names mirror the Redis ACL subcommands (``setuser``, ``deluser``, ``getuser``, ``users``,
``list``, ``cat``, ``dryrun``, ``log``, ``genpass``, ``load``, ``save``). Arguments accept
``str``, ``bytes``, ``bytearray`` and ``int``; strings returned are UTF-8 decoded with
``surrogateescape``, so binary names and keys survive a round trip. Errors are
:class:`AuthgateError` subclasses whose ``str()`` is Redis' full error text and whose
``.code`` is its code (``ERR``, ``NOPERM``, ``WRONGPASS``, ...).
"""

from __future__ import annotations

from ._authgate import Acl, Server, __version__, genpass
from ._errors import AclError, AuthError, AuthgateError, ConfigError, PermissionDenied
from ._types import LogEntry, SelectorInfo, UserInfo

__all__ = [
    "Acl",
    "Server",
    "genpass",
    "AuthgateError",
    "AclError",
    "PermissionDenied",
    "AuthError",
    "ConfigError",
    "UserInfo",
    "SelectorInfo",
    "LogEntry",
    "__version__",
]
