"""Real Kafka and PostgreSQL for the test suite: the local-stack code on separate ports and data."""

from __future__ import annotations

import asyncio
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import asyncpg

from shared.stack.paths import StackPaths, project_root
from shared.stack.postgres import asyncpg_dsn
from shared.stack.stack import Stack

TEST_KAFKA_PORT = int(os.environ.get("CASEWORK_TEST_KAFKA_PORT", "29092"))
TEST_KAFKA_CONTROLLER_PORT = TEST_KAFKA_PORT + 1


class InfraUnavailable(RuntimeError):
    """Kafka or PostgreSQL could not be started: the suite fails, it never skips."""


TEST_INSTANCE = os.environ.get("CASEWORK_TEST_INSTANCE", "test")


def test_stack() -> Stack:
    """The suite's stack; CASEWORK_TEST_INSTANCE and CASEWORK_TEST_KAFKA_PORT let two suites run at once."""
    return Stack(StackPaths(project_root(), TEST_INSTANCE), TEST_KAFKA_PORT, TEST_KAFKA_CONTROLLER_PORT)


def start_infra(stack: Stack) -> None:
    """A fresh broker (data wiped) and a running PostgreSQL; never touches the `make up` stack."""
    missing = [tool for tool in ("java", "mvn") if shutil.which(tool) is None]
    if missing:
        raise InfraUnavailable(
            f"cannot start Kafka: {', '.join(missing)} not installed (see README prerequisites)"
        )
    try:
        stack.kafka.stop()
        stack.kafka.wipe()
        stack.kafka.start()
        stack.postgres.start()
    except Exception as exc:
        raise InfraUnavailable(f"cannot start the test stack: {exc}") from exc


def stop_infra(stack: Stack) -> None:
    stack.kafka.stop()
    stack.postgres.stop()


@dataclass
class Database:
    """A fresh database on the test PostgreSQL server."""

    name: str
    url: str

    async def fetchval(self, sql: str, *args: object) -> object:
        conn = await asyncpg.connect(asyncpg_dsn(self.url))
        try:
            return await conn.fetchval(sql, *args)
        finally:
            await conn.close()

    async def fetchcol(self, sql: str, *args: object) -> list[object]:
        conn = await asyncpg.connect(asyncpg_dsn(self.url))
        try:
            return [r[0] for r in await conn.fetch(sql, *args)]
        finally:
            await conn.close()

    async def execute(self, sql: str, *args: object) -> None:
        conn = await asyncpg.connect(asyncpg_dsn(self.url))
        try:
            await conn.execute(sql, *args)
        finally:
            await conn.close()


async def recreate_database(stack: Stack, name: str) -> Database:
    conn = await asyncpg.connect(asyncpg_dsn(stack.postgres.uri()))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return Database(name, stack.postgres.uri(name))


async def wait_until(predicate: object, *, timeout_s: float, interval_s: float = 0.2) -> bool:
    """Await an async predicate until it is true or the time is up."""
    assert callable(predicate)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while loop.time() < deadline:
        if await predicate():
            return True
        await asyncio.sleep(interval_s)
    return bool(await predicate())


def support_path() -> Path:
    return Path(__file__).resolve().parent
