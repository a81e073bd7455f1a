"""Consumer loop: each record translated by a route into a command, handled by the bus in a unit of work
that claims the inbox row; offsets committed after the database commit.

A service declares `Routes` (event type → function from the CloudEvent to a command, or None when the
event needs nothing here) or one `default_route` for every type (the timeline). A partition's fetched
records are handled as one batch: by the service's own batch handler when it has one (the timeline's
projection), otherwise by the bus in one unit of work (`MessageBus.handle_batch`: one transaction, the
inbox claimed in one statement). A batch that fails for any reason goes record by record, where retries,
rejections and dead letters are decided per record, so a poison record costs only itself.
Outcomes: handled, duplicate (the inbox already held it), ignored (no route, or the route said None),
rejected (the domain refused it: logged, not retried), dead_lettered (retries used up, or malformed).
"""

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

from shared.contracts.envelope import CloudEvent
from shared.kit.commands import Command
from shared.kit.errors import DomainError
from shared.kit.messagebus import MessageBus
from shared.kit.unit_of_work import DuplicateDelivery
from shared.messaging.dlq import send_to_dlq
from shared.messaging.errors import is_permanent, is_transient
from shared.messaging.records import Record, commands_of, event_type, inbound_of, record_scope
from shared.observability.metrics import Metrics
from shared.observability.tracing import get_tracer

log = structlog.get_logger(__name__)
Route = Callable[[CloudEvent], Command | None]
Routes = Mapping[str, Route]
# Handles a partition's records in one go; raising sends the batch through the per-record path instead.
BatchHandler = Callable[[list[Record]], Awaitable[None]]
Outcome = Literal["handled", "duplicate", "dead_lettered", "ignored", "rejected"]


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


class ConsumerLoop:
    """Reads the topics, routes each event to a command, and dead-letters what cannot be handled."""

    def __init__(
        self,
        config: ConsumerConfig,
        routes: Routes,
        bus: MessageBus,
        dlq_producer_factory: Callable[[], AIOKafkaProducer],
        *,
        default_route: Route | None = None,
        batch: BatchHandler | None = None,
        metrics: Metrics | None = None,
    ) -> None:
        self._cfg = config
        self._routes = dict(routes)
        self._default = default_route
        self._batch = batch
        self._bus = bus
        self._dlq_producer_factory = dlq_producer_factory
        self._dlq_producer: AIOKafkaProducer | None = None
        self._metrics = metrics
        self._tracer = get_tracer("shared.messaging.consumer")
        self._stop = asyncio.Event()

    @property
    def config(self) -> ConsumerConfig:
        return self._cfg

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
                    handled: dict[TopicPartition, int] = {}
                    for tp, records in batch.items():
                        last = await self.handle_records(records)
                        if last is not None:
                            handled[tp] = last + 1
                    await self._commit(consumer, handled)
            except (KafkaError, OSError, TimeoutError) as exc:
                log.warning("consumer_reconnecting", group=self._cfg.group, error=repr(exc))
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), 2.0)
            finally:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(consumer.stop(), 10)
        await self.close()

    async def close(self) -> None:
        """Stop the dead-letter producer, if one was started (`run` does this when it ends)."""
        producer, self._dlq_producer = self._dlq_producer, None
        if producer is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(producer.stop(), 5)

    async def _commit(self, consumer: AIOKafkaConsumer, offsets: dict[TopicPartition, int]) -> None:
        """One offset commit for every partition a fetch round handled (not one request per partition)."""
        owned = {tp: offset for tp, offset in offsets.items() if tp in consumer.assignment()}
        if owned:
            try:
                await consumer.commit(owned)
            except (CommitFailedError, IllegalStateError) as exc:
                # Lost a partition in a rebalance: the new owner re-reads, and the inbox absorbs it.
                log.warning("offset_commit_failed", partitions=len(owned), error=str(exc))
        if self._metrics is None:
            return
        for tp, offset in offsets.items():
            highwater = consumer.highwater(tp)
            if highwater is not None:
                self._metrics.set_consumer_lag(
                    tp.topic, tp.partition, self._cfg.group, max(0, highwater - offset)
                )

    async def handle_records(self, records: list[Record]) -> int | None:
        """Handle one partition's fetched records in order; the offset of the last one handled."""
        if self._stop.is_set() or not records:
            return None
        batched = self._try_batch if self._batch is not None else self._try_bus_batch
        if len(records) > 1 and await batched(records):
            return int(records[-1].offset)
        last: int | None = None
        for record in records:
            if self._stop.is_set():
                break
            await self.process(record)
            last = record.offset
        return last

    async def _try_batch(self, records: list[Record]) -> bool:
        assert self._batch is not None
        started = time.perf_counter()
        try:
            await self._batch(records)
        except Exception as exc:
            log.warning("batch_failed", error=repr(exc), records=len(records))
            return False
        self._count_batch([(event_type(r), "handled") for r in records], started)
        return True

    async def _try_bus_batch(self, records: list[Record]) -> bool:
        """The records' commands in one unit of work; False (nothing applied) sends them one by one."""
        started = time.perf_counter()
        translated = commands_of(records, self._route, self._cfg.group)
        if translated is None:
            return False
        items, handled, ignored = translated
        outcomes: list[tuple[str, Outcome]] = [(kind, "ignored") for kind in ignored]
        if items:
            try:
                done = await self._bus.handle_batch(
                    items, around=lambda i: record_scope(handled[i], self._tracer, self._cfg.group)
                )
            except Exception as exc:
                log.info("batch_fell_back", error=repr(exc), records=len(records))
                return False
            outcomes += [
                (event_type(r), "handled" if d else "duplicate") for r, d in zip(handled, done, strict=True)
            ]
        log.debug("batch_consumed", records=len(records), handled=len(items))
        self._count_batch(outcomes, started)
        return True

    def _count_batch(self, outcomes: list[tuple[str, Outcome]], started: float) -> None:
        if self._metrics is None or not outcomes:
            return
        seconds = (time.perf_counter() - started) / len(outcomes)
        for kind, outcome in outcomes:
            self._metrics.count_consumed(kind, outcome)
            if outcome != "ignored":
                self._metrics.observe_handler(kind, outcome, seconds)

    def _route(self, event_type: str) -> Route | None:
        return self._routes.get(event_type, self._default)

    async def process(self, record: Record) -> Outcome:
        """Handle one record to completion: handled, duplicate, ignored, rejected or dead-lettered."""
        started = time.perf_counter()
        kind = event_type(record)
        if kind != "unknown" and self._route(kind) is None:
            # A type this group does not handle (most of a shared topic): counted, and nothing else, no
            # parsing, span, transaction or log line, which would cost as much as handling it.
            if self._metrics is not None:
                self._metrics.count_consumed(kind, "ignored")
            return "ignored"
        with record_scope(record, self._tracer, self._cfg.group):
            outcome = await self._process_with_retries(record)
            log.debug("event_consumed", outcome=outcome)
        if self._metrics is not None:
            self._metrics.count_consumed(kind, outcome)
            self._metrics.observe_handler(kind, outcome, time.perf_counter() - started)
        return outcome

    async def _process_with_retries(self, record: Record) -> Outcome:
        attempts = 0
        while True:
            try:
                attempts += 1
                return await self._handle_once(record)
            except DuplicateDelivery:
                return "duplicate"
            except DomainError as exc:
                # A late or out-of-order event the domain refuses (a revoked order, a closed case): retrying
                # cannot change the answer, and it is nobody's fault in the data.
                log.warning("event_rejected", reason=exc.message, error_type=type(exc).__name__)
                return "rejected"
            except Exception as exc:
                if is_transient(exc) and not self._stop.is_set():
                    log.warning("handler_transient_failure", error=repr(exc))
                    await asyncio.sleep(1.0)
                    attempts -= 1
                    continue
                if is_permanent(exc) or attempts >= self._cfg.max_attempts or self._stop.is_set():
                    log.error("event_dead_lettered", error=repr(exc), attempts=attempts)
                    await self._dead_letter(record, exc, attempts)
                    return "dead_lettered"
                await asyncio.sleep(min(5.0, self._cfg.backoff_s * 2 ** (attempts - 1)))

    async def _handle_once(self, record: Record) -> Outcome:
        event = CloudEvent.from_kafka(list(record.headers), record.value)
        route = self._route(event.type)
        command = route(event) if route is not None else None
        if command is None:
            return "ignored"
        await self._bus.handle(command, inbound=inbound_of(record, event, self._cfg.group))
        return "handled"

    async def _dead_letter(self, record: Record, exc: BaseException, attempts: int) -> None:
        if self._dlq_producer is None:
            producer = self._dlq_producer_factory()
            await asyncio.wait_for(producer.start(), 30)
            self._dlq_producer = producer
        await asyncio.wait_for(send_to_dlq(self._dlq_producer, record, self._cfg.group, exc, attempts), 30)
        if self._metrics is not None:
            self._metrics.count_dead_lettered(self._cfg.group, record.topic)
