"""Liveness and readiness endpoints, and the database and Kafka readiness checks."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Mapping

import structlog
from aiokafka import AIOKafkaClient
from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.masking import mask_text

Check = Callable[[], Awaitable[None]]

DEFAULT_TIMEOUT_S = 2.0
_MAX_MESSAGE = 160

log = structlog.get_logger(__name__)


def health_router(checks: Mapping[str, Check], *, timeout_s: float = DEFAULT_TIMEOUT_S) -> APIRouter:
    """`GET /healthz` (process up) and `GET /readyz` (every check passes within `timeout_s`)."""
    router = APIRouter(tags=["health"])

    @router.get("/healthz")
    async def healthz() -> dict[str, str]:
        """The process is up."""
        return {"status": "ok"}

    @router.get("/readyz")
    async def readyz() -> JSONResponse:
        """Every dependency answered in time."""
        results = await asyncio.gather(*(_run(name, check, timeout_s) for name, check in checks.items()))
        statuses = dict(zip(checks, results, strict=True))
        ready = all(result == "ok" for result in results)
        body = {"status": "ready" if ready else "not_ready", "checks": statuses}
        return JSONResponse(body, status_code=200 if ready else 503)

    return router


async def _run(name: str, check: Check, timeout_s: float) -> str:
    task = asyncio.ensure_future(check())
    # asyncio.wait, unlike wait_for, returns at the deadline even if the check ignores cancellation.
    done, _ = await asyncio.wait({task}, timeout=timeout_s)
    if not done:
        task.cancel()
        task.add_done_callback(_consume_outcome)
        result = f"error: timed out after {timeout_s:g}s"
    elif (exc := task.exception()) is not None:
        result = f"error: {_describe(exc)}"
    else:
        return "ok"
    log.warning("readiness_check_failed", check=name, result=result)
    return result


def _consume_outcome(task: asyncio.Future[None]) -> None:
    # Retrieve a late failure so asyncio does not report "exception was never retrieved".
    if not task.cancelled():
        task.exception()


def _describe(exc: BaseException) -> str:
    detail = str(exc).strip()
    message = f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__
    return mask_text(message)[:_MAX_MESSAGE]


def database_check(engine: AsyncEngine) -> Check:
    """A readiness check that runs `SELECT 1`."""

    async def check() -> None:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    return check


def kafka_check(bootstrap_servers: str, *, timeout_s: float = DEFAULT_TIMEOUT_S) -> Check:
    """A readiness check that fetches cluster metadata from a bootstrap broker."""

    async def check() -> None:
        client = AIOKafkaClient(bootstrap_servers=bootstrap_servers, request_timeout_ms=int(timeout_s * 1000))
        try:
            # Connect, version lookup and metadata each get a full request timeout, per host in turn.
            await asyncio.wait_for(client.bootstrap(), timeout_s)
        finally:
            # A failed close must not hide the probe's own result.
            with contextlib.suppress(Exception):
                await asyncio.wait_for(client.close(), timeout_s)

    return check
