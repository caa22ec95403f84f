"""The shape of :attr:`NatsIdentity.permissions`: plain dicts, typed here. The data and its
names come from the Rust core (``authgate::nats::SubjectList``, ``ResponsePermission``), the
same in every language authgate exports."""

from __future__ import annotations

from typing import List, Optional, TypedDict

__all__ = ["NatsSubjects", "NatsResponses", "NatsPermissions"]


class NatsSubjects(TypedDict):
    """One direction's subject lists. None: that list does not restrict; an empty publish
    ``allow`` (made by ``allow_responses``) allows only responses. Subscribe entries may be
    ``"subject queue"``."""

    allow: Optional[List[str]]
    deny: Optional[List[str]]


class NatsResponses(TypedDict):
    """``allow_responses``: ``max`` responses per request within ``expires`` seconds
    (negative: unlimited, never expiring)."""

    max: int
    expires: float


class NatsPermissions(TypedDict):
    """A user's publish and subscribe permissions as configured."""

    publish: NatsSubjects
    subscribe: NatsSubjects
    allow_responses: Optional[NatsResponses]
