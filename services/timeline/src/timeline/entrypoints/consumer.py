"""What the timeline worker consumes: every domain topic, every event type."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any

import structlog
from aiokafka import AIOKafkaProducer
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.contracts.topics import dlq_spec
from shared.db import make_engine, make_session_factory
from shared.messaging.admin import ensure_topics
from shared.messaging.consumer import ConsumerConfig, ConsumerLoop, Handler
from shared.messaging.producer import make_producer
from shared.observability.metrics import Metrics
from shared.observability.tracing import configure_tracing, instrument_sqlalchemy
from timeline.service_layer.projection import project_event
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
