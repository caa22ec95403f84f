"""Shared pytest fixtures for the authgate package tests."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterator

import pytest

import authgate

REPO = Path(__file__).resolve().parents[2]
FIXTURES = Path(os.environ.get("AUTHGATE_FIXTURES", REPO / "tests" / "fixtures"))


@pytest.fixture
def acl() -> authgate.Acl:
    """A fresh engine with alice (GET/SET on cache:*) besides default."""
    a = authgate.Acl()
    a.setuser("alice", "on", ">secret", "~cache:*", "+get", "+set")
    return a


@pytest.fixture
def server(acl: authgate.Acl) -> Iterator[authgate.Server]:
    """A running server on a free port sharing ``acl``."""
    with authgate.Server(acl) as s:
        yield s
