"""Consumer loop: inbox-checked handling in one DB transaction, offsets committed after the DB commit."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Literal

import structlog
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.errors import CommitFailedError, IllegalStateError, KafkaError
from aiokafka.structs import ConsumerRecord
from opentelemetry.trace import SpanKind
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from tenacity import AsyncRetrying, retry_if_exception, stop_after_attempt, wait_exponential

from shared.contracts.envelope import CloudEvent
from shared.messaging.dlq import send_to_dlq
from shared.messaging.errors import is_permanent, is_transient
from shared.messaging.inbox import record_processed
from shared.observability.metrics import Metrics
from shared.observability.tracing import extract_context, get_tracer

log = structlog.get_logger(__name__)

Handler = Callable[[CloudEvent, AsyncSession], Awaitable[None]]
Outcome = Literal["handled", "duplicate", "dead_lettered", "ignored"]


@dataclass(frozen=True)
class ConsumerConfig:
    """What one consumer group reads and how hard it tries."""

    bootstrap_servers: str
    group: str
    topics: tuple[str, ...]
    service: str
    max_attempts: int = 3
    backoff_s: float = 0.2
    max_records: int = 200
    session_timeout_ms: int = 10000
    # A regex of topic names to subscribe to instead of `topics` (new matching topics are picked up).
    pattern: str | None = None


class _Duplicate(Exception):
    """A concurrent delivery recorded the event first; roll back this one."""


class ConsumerLoop:
    """Reads the topics, routes each event by type, and dead-letters what cannot be handled."""

    def __init__(
        self,
        config: ConsumerConfig,
        handlers: Mapping[str, Handler],
        session_factory: async_sessionmaker[AsyncSession],
        dlq_producer_factory: Callable[[], AIOKafkaProducer],
        *,
        metrics: Metrics | None = None,
    ) -> None:
        self._cfg = config
        self._handlers = dict(handlers)
        self._sessions = session_factory
        self._dlq_producer_factory = dlq_producer_factory
        self._dlq_producer: AIOKafkaProducer | None = None
        self._metrics = metrics
        self._tracer = get_tracer("shared.messaging.consumer")
        self._stop = asyncio.Event()

    async def run(self, stop: asyncio.Event) -> None:
        """Consume until `stop` is set, reconnecting after broker failures."""
        self._stop = stop
        while not stop.is_set():
            consumer = AIOKafkaConsumer(
                *(() if self._cfg.pattern else self._cfg.topics),
                bootstrap_servers=self._cfg.bootstrap_servers,
                group_id=self._cfg.group,
                client_id=f"{self._cfg.group}-consumer",
                enable_auto_commit=False,
                auto_offset_reset="earliest",
                session_timeout_ms=self._cfg.session_timeout_ms,
                heartbeat_interval_ms=max(1000, self._cfg.session_timeout_ms // 3),
            )
            if self._cfg.pattern:
                consumer.subscribe(pattern=self._cfg.pattern)
            try:
                await asyncio.wait_for(consumer.start(), 30)
                log.info(
                    "consumer_started",
                    group=self._cfg.group,
                    topics=list(self._cfg.topics),
                    pattern=self._cfg.pattern,
                )
                while not stop.is_set():
                    batch = await consumer.getmany(timeout_ms=500, max_records=self._cfg.max_records)
                    for tp, records in batch.items():
                        await self._process_partition(consumer, tp, records)
            except (KafkaError, OSError, TimeoutError) as exc:
                log.warning("consumer_reconnecting", group=self._cfg.group, error=repr(exc))
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), 2.0)
            finally:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(consumer.stop(), 10)
        if self._dlq_producer is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._dlq_producer.stop(), 5)

    async def _process_partition(
        self, consumer: AIOKafkaConsumer, tp: TopicPartition, records: list[ConsumerRecord[bytes, bytes]]
    ) -> None:
        last = await self.handle_records(records)
        if last is None:
            return
        if tp in consumer.assignment():
            try:
                await consumer.commit({tp: last + 1})
            except (CommitFailedError, IllegalStateError) as exc:
                # Lost the partition in a rebalance: the new owner re-reads, and the inbox absorbs it.
                log.warning("offset_commit_failed", topic=tp.topic, partition=tp.partition, error=str(exc))
        if self._metrics is not None:
            highwater = consumer.highwater(tp)
            if highwater is not None:
                self._metrics.set_consumer_lag(
                    tp.topic, tp.partition, self._cfg.group, max(0, highwater - (last + 1))
                )

    async def handle_records(self, records: list[ConsumerRecord[bytes, bytes]]) -> int | None:
        """Handle one partition's fetched records in order; the offset of the last one handled."""
        last: int | None = None
        for record in records:
            if self._stop.is_set():
                break
            await self.process(record)
            last = record.offset
        return last

    async def process(self, record: ConsumerRecord[bytes, bytes]) -> Outcome:
        """Handle one record to completion: handled, duplicate, ignored or dead-lettered."""
        started = time.perf_counter()
        event_type = _header(record, "ce_type") or "unknown"
        if event_type != "unknown" and self._handlers.get(event_type) is None:
            # A type this group does not handle (most of a shared topic): counted, and nothing else, no
            # parsing, span, transaction or log line, which would cost as much as handling it.
            if self._metrics is not None:
                self._metrics.count_consumed(event_type, "ignored")
            return "ignored"
        with (
            structlog.contextvars.bound_contextvars(
                event_id=_header(record, "ce_id"),
                event_type=event_type,
                topic=record.topic,
                partition=record.partition,
                offset=record.offset,
                correlation_id=_header(record, "ce_correlationid"),
            ),
            self._tracer.start_as_current_span(
                f"{record.topic} process",
                context=extract_context(list(record.headers)),
                kind=SpanKind.CONSUMER,
                attributes={
                    "messaging.system": "kafka",
                    "messaging.operation.type": "process",
                    "messaging.destination.name": record.topic,
                    "messaging.consumer.group.name": self._cfg.group,
                    "messaging.kafka.offset": record.offset,
                    "messaging.message.id": _header(record, "ce_id") or "",
                },
            ),
        ):
            outcome = await self._process_with_retries(record)
            log.info("event_consumed", outcome=outcome)
        if self._metrics is not None:
            self._metrics.count_consumed(event_type, outcome)
            self._metrics.observe_handler(event_type, outcome, time.perf_counter() - started)
        return outcome

    async def _process_with_retries(self, record: ConsumerRecord[bytes, bytes]) -> Outcome:
        attempts = 0
        while True:
            try:
                event = CloudEvent.from_kafka(list(record.headers), record.value)
                handler = self._handlers.get(event.type)
                if handler is None:
                    return "ignored"
                retrying = AsyncRetrying(
                    stop=stop_after_attempt(self._cfg.max_attempts),
                    wait=wait_exponential(multiplier=self._cfg.backoff_s, max=5),
                    retry=retry_if_exception(lambda e: not is_permanent(e) and not isinstance(e, _Duplicate)),
                    reraise=True,
                )
                async for attempt in retrying:
                    with attempt:
                        attempts = attempt.retry_state.attempt_number
                        return await self._handle_once(record, event, handler)
            except _Duplicate:
                return "duplicate"
            except Exception as exc:
                if is_transient(exc) and not self._stop.is_set():
                    log.warning("handler_transient_failure", error=repr(exc))
                    await asyncio.sleep(1.0)
                    continue
                log.error("event_dead_lettered", error=repr(exc), attempts=attempts)
                await self._dead_letter(record, exc, max(attempts, 1))
                return "dead_lettered"
            raise AssertionError("unreachable")

    async def _handle_once(
        self, record: ConsumerRecord[bytes, bytes], event: CloudEvent, handler: Handler
    ) -> Outcome:
        async with self._sessions() as session, session.begin():
            # The inbox row is claimed first: an earlier delivery's row (or a concurrent one's, once it
            # commits) makes this a duplicate before the handler runs, in one statement instead of a
            # look-up plus an insert. A failing handler rolls the claim back with everything else.
            if not await record_processed(
                session,
                self._cfg.group,
                event.id,
                event_type=event.type,
                topic=record.topic,
                partition=record.partition,
                offset=record.offset,
            ):
                raise _Duplicate
            await handler(event, session)
        return "handled"

    async def _dead_letter(
        self, record: ConsumerRecord[bytes, bytes], exc: BaseException, attempts: int
    ) -> None:
        if self._dlq_producer is None:
            producer = self._dlq_producer_factory()
            await asyncio.wait_for(producer.start(), 30)
            self._dlq_producer = producer
        await asyncio.wait_for(send_to_dlq(self._dlq_producer, record, self._cfg.group, exc, attempts), 30)
        if self._metrics is not None:
            self._metrics.count_dead_lettered(self._cfg.group, record.topic)


def _header(record: ConsumerRecord[bytes, bytes], name: str) -> str | None:
    for key, value in record.headers:
        if key == name:
            return str(value.decode("utf-8", "replace"))
    return None
