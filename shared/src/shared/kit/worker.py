"""The worker process every service runs: outbox relay (where there is an outbox), consumer loop and
periodic tasks side by side, all on the runtime the service's `bootstrap()` builds."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from typing import Any

import structlog
import uvloop
from aiokafka import AIOKafkaProducer

from shared.contracts.topics import dlq_spec
from shared.db import make_engine, make_session_factory
from shared.kit.periodic import Periodic
from shared.kit.runtime import Bootstrap, Runtime
from shared.messaging.admin import ensure_topics
from shared.messaging.consumer import BatchHandler, ConsumerConfig, ConsumerLoop, Route, Routes
from shared.messaging.producer import make_producer
from shared.messaging.relay import OutboxRelay
from shared.observability.logging import configure_logging
from shared.observability.metrics import get_metrics, start_metrics_server
from shared.observability.tracing import configure_tracing, instrument_sqlalchemy
from shared.settings import ServiceSettings
from shared.stack.postgres import asyncpg_dsn

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class Subscription:
    """What the worker consumes: topics (or a pattern) and the routes from event types to commands."""

    topics: tuple[str, ...] = ()
    routes: Routes = field(default_factory=dict)
    pattern: str | None = None
    default_route: Route | None = None
    group: str | None = None
    max_records: int = 200


@dataclass(frozen=True)
class WorkerSpec:
    """A service's worker: whether it relays an outbox, what it consumes, what it does periodically."""

    outbox: bool = True
    subscription: Subscription | None = None
    # Each runs on the worker's runtime: `Periodic("deadline_scan", 30, scan_deadlines)`.
    periodic: Sequence[Periodic] = ()
    # Built on the runtime when the worker handles whole partition batches (the timeline's projection).
    batch: Callable[[Runtime[Any]], BatchHandler] | None = None


def serve(main: Coroutine[Any, Any, None]) -> None:
    """Run a worker on uvloop, as uvicorn runs the APIs: less CPU per socket operation."""
    uvloop.run(main)


def consumer_loop(
    runtime: Runtime[Any], subscription: Subscription, batch: BatchHandler | None = None
) -> ConsumerLoop:
    """The consumer of a subscription on a runtime (the worker's, or a test's)."""
    settings = runtime.settings

    def producer() -> AIOKafkaProducer:
        return make_producer(settings.kafka_bootstrap_servers, client_id=settings.client_id)

    config = ConsumerConfig(
        bootstrap_servers=settings.kafka_bootstrap_servers,
        group=subscription.group or settings.service_name,
        topics=subscription.topics,
        pattern=subscription.pattern,
        service=settings.service_name,
        max_attempts=settings.consumer_max_attempts,
        backoff_s=settings.consumer_retry_backoff_s,
        max_records=subscription.max_records,
    )
    return ConsumerLoop(
        config,
        subscription.routes,
        runtime.bus,
        producer,
        default_route=subscription.default_route,
        batch=batch,
        metrics=get_metrics(settings.service_name),
    )


async def run_worker(
    settings: ServiceSettings,
    bootstrap: Bootstrap,
    spec: WorkerSpec,
    *,
    stop: asyncio.Event | None = None,
) -> None:
    """Run relay, consumer and periodic tasks until SIGTERM/SIGINT (or `stop`), then stop them cleanly."""
    configure_logging(settings.service_name, settings.log_level)
    configure_tracing(
        settings.service_name,
        settings.otel_exporter_otlp_endpoint,
        sampling_ratio=settings.otel_sampling_ratio,
    )
    metrics = get_metrics(settings.service_name)
    if settings.worker_metrics_port:
        start_metrics_server(metrics, settings.worker_metrics_port)
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)

    engine = make_engine(settings.database_url, pool_size=4)
    instrument_sqlalchemy(engine)
    runtime = bootstrap(settings, make_session_factory(engine))
    tasks: list[Coroutine[Any, Any, None]] = [p.loop(runtime, stop) for p in spec.periodic]
    if spec.outbox:
        relay = OutboxRelay(
            asyncpg_dsn(settings.database_url),
            lambda: make_producer(settings.kafka_bootstrap_servers, client_id=settings.client_id),
            service=settings.service_name,
            metrics=metrics,
            batch_size=settings.relay_batch_size,
            poll_interval_s=settings.relay_poll_interval_s,
        )
        tasks.append(relay.run(stop))
    if spec.subscription is not None:
        consumer = consumer_loop(runtime, spec.subscription, spec.batch(runtime) if spec.batch else None)
        await _ensure_dlq(settings.kafka_bootstrap_servers, consumer.config.group, stop)
        tasks.append(consumer.run(stop))
    log.info("worker_started", outbox=spec.outbox, periodic=[p.name for p in spec.periodic])
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
