"""The access log's hash chain on a real database: appended in order, an edit or a removal is found."""

from __future__ import annotations

import asyncio

import pytest
from typer.testing import CliRunner

from infra import Database, recreate_database
from shared.audit import audit_metadata, record_access, verify
from shared.auth.principal import Principal, Program, Role
from shared.cli.main import app
from shared.db import make_engine, make_session_factory
from shared.stack.stack import Stack

pytestmark = pytest.mark.integration
READER = Principal(
    "dev:张三", "张三", frozenset({Role.caseworker}), "500154", frozenset({Program.child_protection})
)


async def _chain(stack: Stack, entries: int) -> Database:
    db = await recreate_database(stack, "audit_chain_test")
    engine = make_engine(db.url, pool_size=4)
    async with engine.begin() as conn:
        await conn.run_sync(audit_metadata.create_all)
    sessions = make_session_factory(engine)

    async def read(i: int) -> None:
        async with sessions() as session, session.begin():
            await record_access(
                session, READER, record_type="case", record_id=f"CP-{i}", action="view", region_code="500154"
            )

    # Concurrent writers still make one unbroken chain: the advisory lock orders them.
    await asyncio.gather(*(read(i) for i in range(entries)))
    await engine.dispose()
    return db


async def _verify(db: Database) -> tuple[int, int | None, str | None]:
    engine = make_engine(db.url, pool_size=1)
    try:
        async with engine.connect() as conn:
            report = await verify(conn)
    finally:
        await engine.dispose()
    return report.checked, report.broken_at, report.problem


async def test_a_chain_written_concurrently_verifies(stack: Stack) -> None:
    db = await _chain(stack, 12)
    assert await _verify(db) == (12, None, None)
    assert await db.fetchcol("SELECT seq FROM access_log ORDER BY seq") == list(range(1, 13))


async def test_an_edited_entry_and_a_removed_entry_are_named(stack: Stack) -> None:
    db = await _chain(stack, 6)
    await db.execute("UPDATE access_log SET reason = '补录' WHERE seq = 4")
    assert await _verify(db) == (3, 4, "its content was changed after it was written")
    await db.execute("UPDATE access_log SET reason = NULL WHERE seq = 4")
    assert await _verify(db) == (6, None, None)
    await db.execute("DELETE FROM access_log WHERE seq = 2")
    assert await _verify(db) == (1, 3, "entry 2 is missing")


async def test_casework_audit_verify_reports_the_first_broken_entry(stack: Stack) -> None:
    db = await _chain(stack, 5)
    runner = CliRunner()
    ok = await asyncio.to_thread(runner.invoke, app, ["audit", "verify", "x", "--database-url", db.url])
    assert ok.exit_code == 0 and "5 entries, chain intact" in ok.output
    await db.execute("UPDATE access_log SET actor_name = '李四' WHERE seq = 2")
    broken = await asyncio.to_thread(runner.invoke, app, ["audit", "verify", "x", "--database-url", db.url])
    assert broken.exit_code == 1
    assert "chain broken at entry 2" in broken.output
