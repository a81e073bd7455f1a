"""Every service's migrations build exactly the tables its SQLModel classes declare (no drift either way)."""

from __future__ import annotations

import asyncio

import pytest

from shared.stack.migrations import check_migrations
from shared.stack.stack import Stack

pytestmark = pytest.mark.integration


async def test_tables_and_migrations_of_every_service_agree(stack: Stack) -> None:
    drift = await asyncio.to_thread(check_migrations, stack.postgres)
    assert drift == {}, "\n\n".join(f"{name}:\n{text}" for name, text in drift.items())
