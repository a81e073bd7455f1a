"""Outbox relay: publish committed outbox rows to Kafka in order, at least once."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from typing import Any

import asyncpg
import orjson
import structlog
from aiokafka import AIOKafkaProducer
from opentelemetry.trace import SpanKind

from shared.messaging.outbox import NOTIFY_CHANNEL
from shared.observability.metrics import Metrics
from shared.observability.tracing import extract_context, get_tracer, inject_headers

log = structlog.get_logger(__name__)

# The advisory lock makes this relay the only one: rows need no lock, and no transaction stays open
# while Kafka acknowledges (each statement commits on its own).
CLAIM_SQL = """
SELECT id, event_id, topic, key, type, headers, trace, payload
FROM outbox_message WHERE published_at IS NULL
ORDER BY id LIMIT $1
"""
MARK_SQL = (
    "UPDATE outbox_message SET published_at = now(), attempts = attempts + 1 WHERE id = ANY($1::bigint[])"
)
FAIL_SQL = "UPDATE outbox_message SET attempts = attempts + 1, last_error = $2 WHERE id = ANY($1::bigint[])"
BACKLOG_SQL = """
SELECT count(*) AS n, COALESCE(EXTRACT(EPOCH FROM now() - min(created_at)), 0) AS age
FROM outbox_message WHERE published_at IS NULL
"""
PURGE_SQL = "DELETE FROM outbox_message WHERE published_at < now() - make_interval(days => $1)"


class OutboxRelay:
    """One active relay per service (advisory lock); others wait on standby."""

    def __init__(
        self,
        dsn: str,
        producer_factory: Callable[[], AIOKafkaProducer],
        *,
        service: str,
        metrics: Metrics | None = None,
        batch_size: int = 500,
        poll_interval_s: float = 0.2,
        send_timeout_s: float = 20.0,
        retention_days: int = 7,
    ) -> None:
        self._dsn = dsn
        self._producer_factory = producer_factory
        self._service = service
        self._metrics = metrics
        self._batch_size = batch_size
        self._poll_interval_s = poll_interval_s
        self._send_timeout_s = send_timeout_s
        self._retention_days = retention_days
        self._wake = asyncio.Event()
        self._producer: AIOKafkaProducer | None = None
        self._tracer = get_tracer("shared.messaging.relay")

    async def run(self, stop: asyncio.Event) -> None:
        """Relay until `stop` is set; reconnects to PostgreSQL and Kafka after failures."""
        while not stop.is_set():
            try:
                await self._run_connected(stop)
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                log.warning("relay_db_unavailable", error=str(exc))
                await _sleep_or_stop(stop, 1.0)
        await self._close_producer()

    async def _run_connected(self, stop: asyncio.Event) -> None:
        conn: asyncpg.Connection = await asyncpg.connect(self._dsn)
        try:
            lock_key = f"outbox-relay:{self._service}"
            while not await conn.fetchval("SELECT pg_try_advisory_lock(hashtext($1))", lock_key):
                log.info("relay_standby", service=self._service)
                if await _sleep_or_stop(stop, 2.0):
                    return
            await conn.add_listener(NOTIFY_CHANNEL, self._on_notify)
            log.info("relay_started", service=self._service)
            last_stats = last_purge = 0.0
            backoff = 0.5
            while not stop.is_set():
                try:
                    published = await self.publish_batch(conn)
                    backoff = 0.5
                except _SendFailed as exc:
                    await conn.execute(FAIL_SQL, exc.ids, exc.error[:2000])
                    await _sleep_or_stop(stop, backoff)
                    backoff = min(backoff * 2, 5.0)
                    continue
                now = time.monotonic()
                if now - last_stats > 2.0:
                    await self._record_backlog(conn)
                    last_stats = now
                if now - last_purge > 600:
                    await conn.execute(PURGE_SQL, self._retention_days)
                    last_purge = now
                if published < self._batch_size:
                    self._wake.clear()
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._wait_wake_or_stop(stop), self._poll_interval_s)
        finally:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(conn.close(), 5)

    def _on_notify(self, *_: Any) -> None:
        self._wake.set()

    async def _wait_wake_or_stop(self, stop: asyncio.Event) -> None:
        waiters = [asyncio.create_task(self._wake.wait()), asyncio.create_task(stop.wait())]
        try:
            await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for w in waiters:
                w.cancel()

    async def _get_producer(self) -> AIOKafkaProducer:
        if self._producer is None:
            producer = self._producer_factory()
            await asyncio.wait_for(producer.start(), self._send_timeout_s)
            self._producer = producer
        return self._producer

    async def _close_producer(self) -> None:
        producer, self._producer = self._producer, None
        if producer is not None:
            # aiokafka's stop() can hang while the broker is down (aio-libs/aiokafka#1101).
            with contextlib.suppress(Exception):
                await asyncio.wait_for(producer.stop(), 5)

    async def publish_batch(self, conn: asyncpg.Connection) -> int:
        """Read, send and mark one batch (two statements, no transaction held during the sends); returns
        how many rows were published. A crash before the mark republishes them: the inboxes absorb it."""
        rows = await conn.fetch(CLAIM_SQL, self._batch_size)
        if not rows:
            return 0
        ids = [r["id"] for r in rows]
        try:
            producer = await self._get_producer()
            futures = [await self._send(producer, row) for row in rows]
            await asyncio.wait_for(asyncio.gather(*futures), self._send_timeout_s)
        except Exception as exc:
            log.warning("relay_send_failed", rows=len(rows), error=repr(exc))
            # A new producer session after an indefinite error, as Jepsen advises.
            await self._close_producer()
            raise _SendFailed(ids, repr(exc)) from exc
        await conn.execute(MARK_SQL, ids)
        if self._metrics is not None:
            self._metrics.count_published(len(rows))
        log.debug("outbox_published", rows=len(rows))
        return len(rows)

    async def _send(self, producer: AIOKafkaProducer, row: asyncpg.Record) -> asyncio.Future[Any]:
        stored_trace = _json(row["trace"])
        headers = _json(row["headers"])
        with self._tracer.start_as_current_span(
            f"{row['topic']} publish",
            context=extract_context(stored_trace),
            kind=SpanKind.PRODUCER,
            attributes={
                "messaging.system": "kafka",
                "messaging.operation.type": "publish",
                "messaging.destination.name": row["topic"],
                "messaging.message.id": str(row["event_id"]),
                "cloudevents.event_type": row["type"],
            },
        ):
            carrier = [(k, str(v).encode()) for k, v in headers.items()]
            carrier += [(k, v.encode()) for k, v in inject_headers().items()]
            future: asyncio.Future[Any] = await producer.send(
                row["topic"],
                value=orjson.dumps(_json(row["payload"])),
                key=row["key"].encode(),
                headers=carrier,
            )
            return future

    async def _record_backlog(self, conn: asyncpg.Connection) -> None:
        if self._metrics is None:
            return
        row = await conn.fetchrow(BACKLOG_SQL)
        assert row is not None
        self._metrics.set_outbox_state(int(row["n"]), float(row["age"]))


class _SendFailed(Exception):
    def __init__(self, ids: list[int], error: str) -> None:
        super().__init__(error)
        self.ids = ids
        self.error = error


def _json(value: Any) -> Any:
    # asyncpg returns jsonb as text unless a codec is set.
    return orjson.loads(value) if isinstance(value, str | bytes) else value


async def _sleep_or_stop(stop: asyncio.Event, seconds: float) -> bool:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)
    return stop.is_set()
