"""/healthz, /readyz and the database and Kafka readiness checks, without real services."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import AsyncIterator

import httpx
import pytest
from aiokafka.errors import KafkaConnectionError
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import create_async_engine

from shared.observability.health import DEFAULT_TIMEOUT_S, Check, database_check, health_router, kafka_check


async def ok() -> None:
    return None


async def broken() -> None:
    raise RuntimeError("connection refused by 13812345678")


async def hangs() -> None:
    await asyncio.sleep(30)


async def ignores_cancellation() -> None:
    try:
        await asyncio.sleep(30)
    except asyncio.CancelledError:
        await asyncio.sleep(1)


def client_for(checks: dict[str, Check], timeout_s: float = DEFAULT_TIMEOUT_S) -> httpx.AsyncClient:
    app = FastAPI()
    app.include_router(health_router(checks, timeout_s=timeout_s))
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@pytest.fixture
async def silent_broker() -> AsyncIterator[int]:
    """A TCP port that accepts connections and never answers, like a wedged broker."""
    writers: list[asyncio.StreamWriter] = []

    async def accept(_: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writers.append(writer)

    server = await asyncio.start_server(accept, "127.0.0.1", 0)
    yield server.sockets[0].getsockname()[1]
    for writer in writers:
        writer.close()
    server.close()
    await server.wait_closed()


def test_default_timeout_is_two_seconds() -> None:
    assert DEFAULT_TIMEOUT_S == 2.0


async def test_healthz_is_always_ok() -> None:
    async with client_for({"database": broken}) as client:
        response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_readyz_is_200_when_every_check_passes() -> None:
    async with client_for({"database": ok, "kafka": ok}) as client:
        response = await client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ready", "checks": {"database": "ok", "kafka": "ok"}}


async def test_readyz_is_503_with_a_short_masked_error() -> None:
    async with client_for({"database": ok, "kafka": broken}) as client:
        response = await client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "not_ready",
        "checks": {"database": "ok", "kafka": "error: RuntimeError: connection refused by 138****5678"},
    }


async def test_hanging_checks_time_out_concurrently_instead_of_hanging() -> None:
    checks: dict[str, Check] = {"database": hangs, "kafka": ignores_cancellation, "cache": ok}
    started = time.monotonic()
    async with client_for(checks, timeout_s=0.2) as client:
        response = await client.get("/readyz")
    elapsed = time.monotonic() - started

    assert response.status_code == 503
    assert response.json()["checks"] == {
        "database": "error: timed out after 0.2s",
        "kafka": "error: timed out after 0.2s",
        "cache": "ok",
    }
    assert elapsed < 0.9


async def test_kafka_check_fails_fast_when_nothing_listens() -> None:
    with pytest.raises(KafkaConnectionError):
        await asyncio.wait_for(kafka_check(f"127.0.0.1:{closed_port()}", timeout_s=1)(), 5)


async def test_kafka_check_is_bounded_when_the_broker_never_answers(silent_broker: int) -> None:
    started = time.monotonic()
    with pytest.raises(TimeoutError):
        await kafka_check(f"127.0.0.1:{silent_broker}", timeout_s=0.3)()
    assert time.monotonic() - started < 2


async def test_database_check_reports_an_unreachable_database() -> None:
    engine = create_async_engine(f"postgresql+asyncpg://casework@127.0.0.1:{closed_port()}/casework")
    try:
        async with client_for({"database": database_check(engine)}, timeout_s=5) as client:
            response = await client.get("/readyz")
    finally:
        await engine.dispose()
    assert response.status_code == 503
    assert response.json()["checks"]["database"].startswith("error: ")
