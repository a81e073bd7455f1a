"""Intake test fixtures: a freshly migrated database and the app running in-process on it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest_asyncio

from hotline_client import HotlineClient
from infra import Database, recreate_database
from intake.entrypoints.api.app import create_app
from intake.settings import IntakeSettings
from shared.db import upgrade_to_head
from shared.stack.stack import Stack

ALEMBIC_INI = Path(__file__).resolve().parents[1] / "alembic.ini"


async def migrated_database(stack: Stack, name: str) -> Database:
    """A new database with every intake migration applied (Alembic runs its own event loop: a thread)."""
    db = await recreate_database(stack, name)
    await asyncio.to_thread(upgrade_to_head, ALEMBIC_INI, db.url)
    return db


@pytest_asyncio.fixture
async def intake_db(stack: Stack) -> Database:
    return await migrated_database(stack, "intake_test")


def intake_settings(db: Database, stack: Stack) -> IntakeSettings:
    return IntakeSettings(database_url=db.url, kafka_bootstrap_servers=stack.kafka.bootstrap)


@pytest_asyncio.fixture
async def intake_http(intake_db: Database, stack: Stack) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client talking to the intake app in-process (lifespan started)."""
    app = create_app(intake_settings(intake_db, stack))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://intake.test") as client:
            yield client


@pytest_asyncio.fixture
async def hotline(intake_http: httpx.AsyncClient) -> HotlineClient:
    return HotlineClient(intake_http)
