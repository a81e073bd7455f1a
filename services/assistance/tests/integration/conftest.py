"""assistance integration fixtures: a freshly migrated database per test and sessions on it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest_asyncio

from infra import Database, recreate_database
from shared.db import Sessions, make_engine, make_session_factory, upgrade_to_head
from shared.stack.stack import Stack

ALEMBIC_INI = Path(__file__).resolve().parents[2] / "alembic.ini"


async def migrated_database(stack: Stack, name: str) -> Database:
    """A new database with every assistance migration applied (Alembic runs its own event loop: a thread)."""
    db = await recreate_database(stack, name)
    await asyncio.to_thread(upgrade_to_head, ALEMBIC_INI, db.url)
    return db


@pytest_asyncio.fixture
async def assistance_db(stack: Stack) -> Database:
    return await migrated_database(stack, "assistance_test")


@pytest_asyncio.fixture
async def sessions(assistance_db: Database) -> AsyncIterator[Sessions]:
    """Pooled connections to the test database, as the service's runtime opens them."""
    engine = make_engine(assistance_db.url, pool_size=2)
    try:
        yield make_session_factory(engine)
    finally:
        await engine.dispose()
