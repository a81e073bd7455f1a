"""What the timeline worker consumes: every domain topic, every event type."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Coroutine
from typing import Any

import structlog
from aiokafka import AIOKafkaProducer
from aiokafka.structs import ConsumerRecord
from opentelemetry.trace import Link, SpanContext, SpanKind, get_current_span
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.contracts.topics import dlq_spec
from shared.db import make_engine, make_session_factory
from shared.messaging.admin import ensure_topics
from shared.messaging.consumer import ConsumerConfig, ConsumerLoop, Handler
from shared.messaging.producer import make_producer
from shared.observability.metrics import Metrics
from shared.observability.tracing import configure_tracing, extract_context, instrument_sqlalchemy
from timeline.service_layer.projection import project_event, project_record, store
from timeline.settings import TimelineSettings

log = structlog.get_logger(__name__)


class _EveryType(dict[str, Handler]):
    """A handler table that answers every event type with the projection (lookups use `get`)."""

    def __init__(self, handler: Handler) -> None:
        super().__init__()
        self._handler = handler

    def get(self, key: str, default: Any = None) -> Handler:
        return self._handler


class ProjectionConsumer(ConsumerLoop):
    """The shared consumer loop (inbox, retries, DLQ for malformed records, lag metrics) with one handler
    for every type: an event of a type nobody registered is projected with the generic summary."""

    def __init__(
        self,
        config: ConsumerConfig,
        session_factory: async_sessionmaker[AsyncSession],
        dlq_producer_factory: Callable[[], AIOKafkaProducer],
        *,
        handler: Handler = project_event,
        metrics: Metrics | None = None,
    ) -> None:
        super().__init__(config, {}, session_factory, dlq_producer_factory, metrics=metrics)
        self._handlers = _EveryType(handler)

    async def handle_records(self, records: list[ConsumerRecord[bytes, bytes]]) -> int | None:
        """A partition's fetched records in one transaction: the projection is idempotent by event id, so
        it needs no inbox. A batch holding a malformed record, or failing for any reason, goes record by
        record through the shared loop instead (inbox, retries, dead letters)."""
        if self._stop.is_set() or not records:
            return None
        projected = [project_record(r) for r in records]
        items = [p for p in projected if p is not None]
        if len(items) < len(records):
            return await super().handle_records(records)
        started = time.perf_counter()
        links = [Link(ctx) for r in records if (ctx := _span_context(r)) is not None]
        try:
            with self._tracer.start_as_current_span(
                f"{records[0].topic} process",
                kind=SpanKind.CONSUMER,
                links=links,
                attributes={
                    "messaging.system": "kafka",
                    "messaging.operation.type": "process",
                    "messaging.destination.name": records[0].topic,
                    "messaging.consumer.group.name": self._cfg.group,
                    "messaging.batch.message_count": len(records),
                },
            ):
                async with self._sessions() as session, session.begin():
                    await store(session, [e for e, _ in items], [d for _, d in items])
        except Exception as exc:
            log.warning("batch_projection_failed", error=repr(exc), records=len(records))
            return await super().handle_records(records)
        seconds = (time.perf_counter() - started) / len(records)
        for entry, _ in items:
            if self._metrics is not None:
                self._metrics.count_consumed(entry.type, "handled")
                self._metrics.observe_handler(entry.type, "handled", seconds)
        log.info(
            "events_projected",
            topic=records[0].topic,
            partition=records[0].partition,
            first_offset=records[0].offset,
            last_offset=records[-1].offset,
            count=len(records),
        )
        return int(records[-1].offset)


def _span_context(record: ConsumerRecord[bytes, bytes]) -> SpanContext | None:
    context = get_current_span(extract_context(list(record.headers))).get_span_context()
    return context if context.is_valid else None


def consumer_config(settings: TimelineSettings) -> ConsumerConfig:
    return ConsumerConfig(
        bootstrap_servers=settings.kafka_bootstrap_servers,
        group=settings.consumer_group,
        topics=(),
        pattern=settings.topic_pattern,
        service=settings.service_name,
        max_attempts=settings.consumer_max_attempts,
        backoff_s=settings.consumer_retry_backoff_s,
    )


def projection_task(
    settings: TimelineSettings, metrics: Metrics | None = None
) -> Callable[[asyncio.Event], Coroutine[Any, Any, None]]:
    """The worker's consumer as an extra task: DLQ topic first, then the pattern subscription."""

    async def run(stop: asyncio.Event) -> None:
        # The trace id of an entry comes from the consumer span's parent: tracing must be on (idempotent).
        configure_tracing(settings.service_name, settings.otel_exporter_otlp_endpoint)
        while not stop.is_set():
            try:
                await ensure_topics(settings.kafka_bootstrap_servers, [dlq_spec(settings.consumer_group)])
                break
            except Exception as exc:
                log.warning("dlq_topic_unavailable", error=repr(exc))
                await asyncio.sleep(2)

        def producer() -> AIOKafkaProducer:
            return make_producer(settings.kafka_bootstrap_servers, client_id=settings.client_id)

        engine = make_engine(settings.database_url, pool_size=4)
        instrument_sqlalchemy(engine)
        try:
            consumer = ProjectionConsumer(
                consumer_config(settings), make_session_factory(engine), producer, metrics=metrics
            )
            await consumer.run(stop)
        finally:
            await engine.dispose()

    return run
