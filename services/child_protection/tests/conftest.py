"""child_protection test fixtures: a migrated database, the app in-process, and users' tokens."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import httpx
import pytest
import pytest_asyncio

from child_protection.entrypoints.api.app import create_app
from child_protection.settings import ChildProtectionSettings
from infra import Database, recreate_database
from shared.auth.tokens import issue_dev_token
from shared.db import upgrade_to_head
from shared.stack.stack import Stack

ALEMBIC_INI = Path(__file__).resolve().parents[1] / "alembic.ini"
Login = Callable[..., dict[str, str]]


async def migrated_database(stack: Stack, name: str) -> Database:
    db = await recreate_database(stack, name)
    await asyncio.to_thread(upgrade_to_head, ALEMBIC_INI, db.url)
    return db


@pytest_asyncio.fixture
async def cp_db(stack: Stack) -> Database:
    return await migrated_database(stack, "child_protection_test")


def cp_settings(db: Database, stack: Stack) -> ChildProtectionSettings:
    return ChildProtectionSettings(database_url=db.url, kafka_bootstrap_servers=stack.kafka.bootstrap)


@pytest_asyncio.fixture
async def cp_http(cp_db: Database, stack: Stack) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client talking to the child_protection app in-process (lifespan started)."""
    app = create_app(cp_settings(cp_db, stack))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://cp.test") as client:
            yield client


@pytest.fixture
def login() -> Login:
    """`login(role, region, programs=[…], name=…)` → headers with a development bearer token."""
    settings = ChildProtectionSettings()

    def headers(
        role: str,
        region: str = "500154",
        *,
        programs: list[str] | None = None,
        name: str = "李社工",
        sub: str | None = None,
    ) -> dict[str, str]:
        token = issue_dev_token(
            settings,
            sub=sub or f"test:{role}:{region}",
            name=name,
            roles=[role],
            region=region,
            programs=programs if programs is not None else ["child_protection"],
        )
        return {"Authorization": f"Bearer {token}"}

    return headers
