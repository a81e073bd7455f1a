"""Fixtures for the messaging-core tests: the probe service's database, topics and processes."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest_asyncio
from sqlalchemy.ext.asyncio import create_async_engine

from infra import Database, recreate_database
from probe.contracts import TOPIC
from probe.tables import metadata as probe_metadata
from probe_harness import ProbeProcesses
from shared.contracts.topics import TopicSpec, dlq_spec
from shared.messaging.admin import ensure_topics
from shared.messaging.tables import messaging_metadata
from shared.stack.stack import Stack


@pytest_asyncio.fixture
async def probe_db(stack: Stack) -> Database:
    """A fresh probe database with the outbox/inbox tables and the probe's own."""
    db = await recreate_database(stack, "probe")
    engine = create_async_engine(db.url)
    async with engine.begin() as conn:
        await conn.run_sync(messaging_metadata.create_all)
        await conn.run_sync(probe_metadata.create_all)
    await engine.dispose()
    return db


@pytest_asyncio.fixture
async def probe_topics(stack: Stack) -> str:
    await ensure_topics(stack.kafka.bootstrap, [TopicSpec(TOPIC, 3), dlq_spec("probe")])
    return TOPIC


@pytest_asyncio.fixture
async def probe(stack: Stack, probe_db: Database, probe_topics: str) -> AsyncIterator[ProbeProcesses]:
    processes = ProbeProcesses(stack, probe_db)
    yield processes
    processes.stop_all()
