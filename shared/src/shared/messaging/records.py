"""What the consumer reads off a Kafka record: its CloudEvent headers, and the scope it is handled in."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeAlias

import structlog
from aiokafka.structs import ConsumerRecord
from opentelemetry.trace import SpanKind, Tracer

from shared.contracts.envelope import CloudEvent
from shared.kit.commands import Command
from shared.kit.unit_of_work import Inbound
from shared.observability.tracing import extract_context

Record: TypeAlias = "ConsumerRecord[bytes, bytes]"
Translated: TypeAlias = tuple[list[tuple[Command, Inbound]], list[Record], list[str]]


def header(record: Record, name: str) -> str | None:
    """One header's value as text (None when absent)."""
    for key, value in record.headers:
        if key == name:
            return str(value.decode("utf-8", "replace"))
    return None


def event_type(record: Record) -> str:
    """The record's CloudEvent type, or "unknown" when it has none (a malformed record)."""
    return header(record, "ce_type") or "unknown"


@contextmanager
def record_scope(record: Record, tracer: Tracer, group: str) -> Iterator[None]:
    """The span (continuing the producer's trace) and the log context of handling one record."""
    with (
        structlog.contextvars.bound_contextvars(
            event_id=header(record, "ce_id"),
            event_type=event_type(record),
            topic=record.topic,
            partition=record.partition,
            offset=record.offset,
            correlation_id=header(record, "ce_correlationid"),
        ),
        tracer.start_as_current_span(
            f"{record.topic} process",
            context=extract_context(list(record.headers)),
            kind=SpanKind.CONSUMER,
            attributes={
                "messaging.system": "kafka",
                "messaging.operation.type": "process",
                "messaging.destination.name": record.topic,
                "messaging.consumer.group.name": group,
                "messaging.kafka.offset": record.offset,
                "messaging.message.id": header(record, "ce_id") or "",
            },
        ),
    ):
        yield


def inbound_of(record: Record, event: CloudEvent, group: str) -> Inbound:
    """The inbox key of a record's event for consumer group `group`, and where it was read."""
    return Inbound(
        consumer=group,
        event_id=event.id,
        event_type=event.type,
        topic=record.topic,
        partition=record.partition,
        offset=record.offset,
        correlationid=event.correlationid,
    )


def commands_of(
    records: list[Record],
    route_of: Callable[[str], Callable[[CloudEvent], Command | None] | None],
    group: str,
) -> Translated | None:
    """A batch's commands with their inbounds, the records they came from, and the event types nothing
    was routed for; None when a record is malformed or its route fails (the per-record path then decides
    what to do with it)."""
    items: list[tuple[Command, Inbound]] = []
    handled: list[Record] = []
    ignored: list[str] = []
    for record in records:
        kind = event_type(record)
        if kind == "unknown":
            return None
        route = route_of(kind)
        if route is None:
            ignored.append(kind)
            continue
        try:
            event = CloudEvent.from_kafka(list(record.headers), record.value)
            command = route(event)
        except Exception:
            return None
        if command is None:
            ignored.append(kind)
            continue
        items.append((command, inbound_of(record, event, group)))
        handled.append(record)
    return items, handled, ignored
