"""The worker process every service runs: outbox relay and consumer loop side by side."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Callable, Coroutine, Mapping, Sequence
from typing import Any

import structlog
import uvloop
from aiokafka import AIOKafkaProducer

from shared.contracts.topics import dlq_spec
from shared.db import make_engine, make_session_factory
from shared.messaging.admin import ensure_topics
from shared.messaging.consumer import ConsumerConfig, ConsumerLoop, Handler
from shared.messaging.producer import make_producer
from shared.messaging.relay import OutboxRelay
from shared.observability.logging import configure_logging
from shared.observability.metrics import get_metrics, start_metrics_server
from shared.observability.tracing import configure_tracing, instrument_sqlalchemy
from shared.settings import ServiceSettings
from shared.stack.postgres import asyncpg_dsn

log = structlog.get_logger(__name__)


def serve(main: Coroutine[Any, Any, None]) -> None:
    """Run a worker's main coroutine on uvloop, as uvicorn runs the APIs: less CPU per socket operation,
    which is most of what a worker does (Kafka and PostgreSQL round trips)."""
    uvloop.run(main)


async def run_worker(
    settings: ServiceSettings,
    *,
    topics: tuple[str, ...],
    handlers: Mapping[str, Handler],
    metrics_port: int | None = None,
    stop: asyncio.Event | None = None,
    extra_tasks: Sequence[Callable[[asyncio.Event], Coroutine[Any, Any, None]]] = (),
) -> None:
    """Run relay and consumer until SIGTERM/SIGINT (or `stop`), then shut both down cleanly."""
    configure_logging(settings.service_name, settings.log_level)
    configure_tracing(settings.service_name, settings.otel_exporter_otlp_endpoint)
    metrics = get_metrics(settings.service_name)
    if metrics_port:
        start_metrics_server(metrics, metrics_port)
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)

    engine = make_engine(settings.database_url, pool_size=4)
    instrument_sqlalchemy(engine)
    group = settings.service_name

    def producer() -> AIOKafkaProducer:
        return make_producer(settings.kafka_bootstrap_servers, client_id=settings.client_id)

    relay = OutboxRelay(
        asyncpg_dsn(settings.database_url),
        producer,
        service=settings.service_name,
        metrics=metrics,
        batch_size=settings.relay_batch_size,
        poll_interval_s=settings.relay_poll_interval_s,
    )
    tasks = [relay.run(stop), *(task(stop) for task in extra_tasks)]
    if topics:
        await _ensure_dlq(settings.kafka_bootstrap_servers, group, stop)
        consumer = ConsumerLoop(
            ConsumerConfig(
                bootstrap_servers=settings.kafka_bootstrap_servers,
                group=group,
                topics=topics,
                service=settings.service_name,
                max_attempts=settings.consumer_max_attempts,
                backoff_s=settings.consumer_retry_backoff_s,
            ),
            handlers,
            make_session_factory(engine),
            producer,
            metrics=metrics,
        )
        tasks.append(consumer.run(stop))
    log.info("worker_started", topics=list(topics))
    try:
        async with asyncio.TaskGroup() as tg:
            for coro in tasks:
                tg.create_task(coro)
    finally:
        await engine.dispose()
        log.info("worker_stopped")


async def _ensure_dlq(bootstrap: str, group: str, stop: asyncio.Event) -> None:
    # The broker may still be starting; the topic must exist before the first dead letter.
    while not stop.is_set():
        try:
            await ensure_topics(bootstrap, [dlq_spec(group)])
            return
        except Exception as exc:
            log.warning("dlq_topic_unavailable", error=repr(exc))
            await asyncio.sleep(2)
